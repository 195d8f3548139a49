-- rng_spec.lua: anomed.rng and anomed.hash from Lua, against numpy's known outputs.
local array = require "anomed.array"
local rng = require "anomed.rng"
local hash = require "anomed.hash"

describe("anomed.rng", function()
  it("permutes like numpy's default_rng", function()
    assert.are.same({ 5, 6, 0, 7, 3, 2, 4, 9, 1, 8 }, rng.new(42):permutation(10):totable())
    assert.are.same({ 4, 6, 2, 7, 3, 5, 9, 0, 8, 1 }, rng.new("0"):permutation(10):totable())
    local big = "1606938044258990275541962092341162602522202993782792835301383" -- 2^200 + 7
    assert.are.same({ 7, 1, 6, 5, 8, 0, 9, 2, 4, 3 }, rng.new(big):permutation(10):totable())
    assert.are.same({}, rng.new(1):permutation(0):totable())
  end)

  it("reads seed bytes as one big-endian integer", function()
    assert.is_true(rng.from_bytes("\0\0\42"):permutation(10) == rng.new(42):permutation(10))
  end)

  it("keeps its state across calls", function()
    local g = rng.new(0)
    assert.are.equal(string.format("%x", g:random_raw()), "a30febcfd9c2825f")
    local h = rng.new(0)
    h:random_raw()
    assert.are.equal(g:integers(0, 10), h:integers(0, 10))
  end)

  it("shuffles arrays along axis 0 and Lua tables in place", function()
    local a = array.new { { 0, 0 }, { 1, 1 }, { 2, 2 } }
    rng.new(42):shuffle(a)
    local perm = rng.new(42):permutation(3)
    assert.is_true(a == array.new { { 0, 0 }, { 1, 1 }, { 2, 2 } }:take(perm))
    local letters, t = { "a", "b", "c" }, { "a", "b", "c" }
    rng.new(42):shuffle(t)
    for i = 1, 3 do assert.are.equal(letters[perm:get(i - 1) + 1], t[i]) end
  end)

  it("draws integers and doubles in range", function()
    local xs = rng.new(7):integers(-5, 5, 1000)
    for _, x in ipairs(xs:totable()) do assert.is_true(x >= -5 and x < 5) end
    local r = rng.new(7):random(100)
    for _, x in ipairs(r:totable()) do assert.is_true(x >= 0 and x < 1) end
    assert.has_error(function() rng.new(1):integers(3, 3) end, "bad argument #2 to 'integers' (low >= high)")
  end)

  it("rejects bad seeds", function()
    assert.has_error(function() rng.new(-1) end)
    assert.has_error(function() rng.new "12x" end)
    assert.has_error(function() rng.from_bytes "" end)
    assert.matches("^%d+$", rng.random_seed())
  end)
end)

describe("anomed.hash", function()
  it("computes SHA-256", function()
    assert.are.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      hash.hex(hash.sha256 "abc"))
    assert.are.equal(32, #hash.sha256 "")
  end)
end)

describe("anomed.time", function()
  it("gives a monotonic clock in seconds", function()
    local now = require("anomed.time").now
    local a, b = now(), now()
    assert.is_true(b >= a and a > 0)
  end)
end)

describe("anomed", function()
  it("gathers every module", function()
    local anomed = require "anomed"
    assert.are.equal(array, anomed.array)
    assert.are.equal(rng, anomed.rng)
  end)
end)
