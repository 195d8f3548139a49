-- reencode.lua: the Lua half of the npz interop test. For each line "INPUT OUTPUT" of the
-- list file, loads INPUT (.npz or .npy, written by numpy) and writes it back as
-- OUTPUT.stored.npz, OUTPUT.zlib6.npz (numpy's bytes) and OUTPUT.fast.npz (libdeflate);
-- a file that does not load prints "ERROR INPUT: message".
local npz = require "anomed.npz"
local array = require "anomed.array"

local function members(loaded)
  if array.isarray(loaded) then return { { "arr_0", loaded } } end
  local list = {}
  for i, name in ipairs(loaded) do list[i] = { name, loaded[name] } end
  return list
end

for line in io.lines(arg[1]) do
  local input, output = line:match "^(%S+) (%S+)$"
  local loaded, err = npz.load(input)
  if loaded then
    local list = members(loaded)
    assert(npz.save(output .. ".stored.npz", list, { level = 0 }))
    assert(npz.save(output .. ".zlib6.npz", list, { level = 6, engine = "zlib" }))
    assert(npz.save(output .. ".fast.npz", list))
  else
    print("ERROR " .. input .. ": " .. err)
  end
end
