-- permute.lua: the Lua half of the rng parity test. Reads lines "KIND SEED N" and writes
-- one npz (argument 2) whose member i is what anomed.rng draws for line i:
-- perm (permutation), bytes (permutation from a hex seed read as big-endian bytes),
-- ints (integers(-7, N, 50)), big (integers(0, 2^62 + N, 50)), shuffle2 (two shuffles
-- of arange(N) by one generator), random (random(N)).
local array = require "anomed.array"
local npz = require "anomed.npz"
local rng = require "anomed.rng"

local function from_hex(hex)
  return (hex:gsub("%x%x", function(byte) return string.char(tonumber(byte, 16)) end))
end

local draws = {
  perm = function(g, n) return g:permutation(n) end,
  ints = function(g, n) return g:integers(-7, n, 50) end,
  big = function(g, n) return g:integers(0, (1 << 62) + n, 50) end,
  random = function(g, n) return g:random(n) end,
  shuffle2 = function(g, n)
    local a = array.arange(n)
    g:shuffle(a)
    g:shuffle(a)
    return a
  end,
}

local out = {}
for line in io.lines(arg[1]) do
  local kind, seed, n = line:match "^(%S+) (%S+) (%d+)$"
  local g = kind == "bytes" and rng.from_bytes(from_hex(seed)) or rng.new(seed)
  local draw = draws[kind == "bytes" and "perm" or kind]
  out[#out + 1] = { "d" .. #out, draw(g, tonumber(n)) }
end
assert(npz.save(arg[2], out, { level = 1 }))
