-- npz_bench.lua: the Lua half of bench/npz_bench.py. Loads the arrays of argument 1 (a
-- stored npz), then times encode and decode of each with every engine, printing
-- "name engine op seconds bytes" lines (wall clock, best of argument 2 runs).
local npz = require "anomed.npz"
local now = require("anomed.time").now

local source = assert(npz.load(arg[1]))
local reps = tonumber(arg[2]) or 3

local function best_of(fn)
  local best = math.huge
  for _ = 1, reps do
    local start = now()
    fn()
    best = math.min(best, now() - start)
  end
  return best
end

for _, name in ipairs(source) do
  local arrays = { { name, source[name] } }
  for _, engine in ipairs { { "zlib6", { level = 6, engine = "zlib" } },
                            { "zlib6x2", { level = 6, engine = "zlib", threads = 2 } },
                            { "libdeflate6", { level = 6, engine = "libdeflate" } },
                            { "stored", { level = 0 } } } do
    local bytes
    local encode = best_of(function() bytes = npz.encode(arrays, engine[2]) end)
    local decode = best_of(function() assert(npz.decode(bytes)) end)
    print(string.format("%s %s encode %.6f %d", name, engine[1], encode, #bytes))
    print(string.format("%s %s decode %.6f %d", name, engine[1], decode, #bytes))
  end
end
