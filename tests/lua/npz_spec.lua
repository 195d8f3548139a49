-- npz_spec.lua: anomed.npz from Lua: encode/decode, order, options, files, limits, errors.
local array = require "anomed.array"
local npz = require "anomed.npz"

describe("anomed.npz", function()
  local X = array.new { { 1.5, 2 }, { 3, 4 } }
  local y = array.new { true, false }

  it("round-trips arrays, keeping the given order", function()
    for _, opts in ipairs { { level = 0 }, { level = 6 }, { level = 9, engine = "zlib" },
                          { level = 6, engine = "zlib", threads = 2 }, { level = 12 } } do
      local decoded = assert(npz.decode(npz.encode({ { "y", y }, { "X", X } }, opts)))
      assert.are.same({ "y", "X" }, { decoded[1], decoded[2] })
      assert.is_true(decoded.X == X)
      assert.is_true(decoded.y == y)
    end
  end)

  it("sorts the names of a plain table", function()
    local decoded = assert(npz.decode(npz.encode { y = y, X = X }))
    assert.are.same({ "X", "y" }, { decoded[1], decoded[2] })
  end)

  it("writes numpy's exact bytes with zlib at level 6", function()
    local bytes = npz.encode({ { "X", array.arange(3) }, { "y", y } }, { level = 6, engine = "zlib" })
    assert.are.equal(380, #bytes)
    assert.are.equal("PK\3\4", bytes:sub(1, 4))
  end)

  it("returns nil and a message for malformed input", function()
    local ok, err = npz.decode "not an archive"
    assert.is_nil(ok)
    assert.are.equal("not a zip archive (no end of central directory)", err)
    local bytes = npz.encode { X = X }
    ok, err = npz.decode(bytes, { max_bytes = 10 })
    assert.is_nil(ok)
    assert.are.equal("archive inflates past the limit of 10 bytes", err)
    ok, err = npz.decode(npz.encode { X = array.zeros { 1, 1, 1 } }, { max_dims = 2 })
    assert.is_nil(ok)
    assert.are.equal("member 'X.npy': array has more than 2 dimensions", err)
  end)

  it("rejects misuse", function()
    assert.has_error(function() npz.encode { X = 1 } end, "bad argument #1 to 'encode' ('X' is not an array)")
    assert.has_error(function() npz.encode({ X = X }, { level = 13 }) end)
    assert.has_error(function() npz.encode({ X = X }, { engine = "gzip" }) end)
    assert.has_error(function() npz.encode({ X = X }, { threads = 0 }) end)
    assert.has_error(function() npz.decode("", { max_dims = 40 }) end)
  end)

  it("saves and loads files, .npz and .npy", function()
    local dir = os.tmpname()
    assert(npz.save(dir .. ".npz", { X = X, y = y }))
    local loaded = assert(npz.load(dir .. ".npz"))
    assert.is_true(loaded.X == X and loaded.y == y)
    assert(npz.save_npy(dir .. ".npy", X))
    assert.is_true(assert(npz.load(dir .. ".npy")) == X)
    assert.is_true(npz.decode_npy(npz.encode_npy(y)) == y)
    local none, err = npz.load(dir .. ".missing")
    assert.is_nil(none)
    assert.matches("No such file or directory", err)
    os.remove(dir .. ".npz")
    os.remove(dir .. ".npy")
    os.remove(dir)
  end)

  it("documents its default limits", function()
    assert.are.same({ max_bytes = 1 << 30, max_members = 1024, max_dims = 32 }, npz.default_limits())
  end)
end)
