-- run_busted.lua: busted's runner inside anomed-lua, so the specs exercise exactly the
-- modules the binary embeds. Usage: anomed-lua run_busted.lua [busted options] DIR
require "busted.runner" { standalone = false }
-- the runner returns when every spec passed; exit so that routes the specs declared are
-- not served
os.exit(0, true)
