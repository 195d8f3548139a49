-- array_spec.lua: anomed.array from Lua: construction, access, row operations, casts, repr.
local array = require "anomed.array"

describe("anomed.array", function()
  describe("new", function()
    it("infers dtype and shape from nested tables", function()
      local a = array.new { { 1, 2, 3 }, { 4, 5, 6 } }
      assert.are.same({ 2, 3 }, a.shape)
      assert.are.equal("int64", a.dtype)
      assert.are.equal(6, a.size)
      assert.are.equal(2, a.ndim)
      assert.are.equal(2, #a)
      assert.are.equal("float64", array.new({ 1, 2.5 }).dtype)
      assert.are.equal("bool", array.new({ true, false }).dtype)
      assert.are.equal("U3", array.new({ "a", "héé" }).dtype)
      assert.are.equal("complex128", array.new({ { re = 1, im = 2 } }).dtype)
      assert.are.equal("float64", array.new({}).dtype)
    end)

    it("takes an explicit dtype", function()
      for _, dtype in ipairs { "int8", "int16", "int32", "uint8", "uint16", "uint32", "uint64",
                               "float16", "float32", "complex64" } do
        local a = array.new({ 1, 2 }, dtype)
        assert.are.equal(dtype, a.dtype)
        assert.are.same({ 1, 2 }, dtype:match "complex" and { a:get(0).re, a:get(1).re } or a:totable())
      end
      assert.are.same({ "ab", "cd" }, array.new({ "abc", "cdef" }, "S2"):totable())
    end)

    it("rejects ragged and mixed input", function()
      assert.has_error(function() array.new { { 1, 2 }, { 3 } } end,
        "bad argument #1 to 'new' (rows have different lengths)")
      assert.has_error(function() array.new { 1, true } end,
        "bad argument #1 to 'new' (mixed element types (booleans, numbers and strings do not mix))")
      assert.has_error(function() array.new({ 1 }, "float128") end,
        "bad argument #2 to 'new' (unknown dtype 'float128')")
      assert.has_error(function() array.new({ 300 }, "int8") end,
        "value out of range for int8")
      assert.has_error(function() array.new({ 0 / 0 }, "int64") end,
        "NaN cannot be converted to an integer")
    end)

    it("copies an array, optionally casting", function()
      local a = array.new { 1, 2 }
      local b = array.new(a)
      b:set(0, 9)
      assert.are.equal(1, a:get(0))
      assert.are.equal("float32", array.new(a, "float32").dtype)
    end)
  end)

  it("builds zeros, full and arange like numpy", function()
    assert.are.same({ 0, 0, 0 }, array.zeros(3, "int32"):totable())
    assert.are.same({ 2, 0 }, array.zeros { 2, 0 }.shape)
    assert.are.same({ 7, 7 }, array.full(2, 7):totable())
    assert.are.equal("int64", array.full(2, 7).dtype)
    assert.are.same({ true, true }, array.full(2, true):totable())
    assert.are.same({ 0, 1, 2, 3 }, array.arange(4):totable())
    assert.are.same({ 2, 5, 8 }, array.arange(2, 10, 3):totable())
    assert.are.same({ 0, 0.5, 1 }, array.arange(0, 1.5, 0.5):totable())
    assert.are.equal("float32", array.arange(3, "float32").dtype)
    assert.are.same({}, array.arange(5, 1):totable())
  end)

  describe("elements", function()
    it("reads and writes with 0-based, negative-aware indices", function()
      local a = array.zeros({ 2, 3 }, "int64")
      a:set(1, 2, 42)
      a:set(-2, -1, 7)
      assert.are.equal(42, a:get(1, 2))
      assert.are.equal(7, a:get(0, 2))
      assert.are.same({ 0, 0, 42 }, a:get(1):totable())
      assert.has_error(function() a:get(2, 0) end,
        "bad argument #1 to 'get' (index 2 out of range 0..1 for axis 0)")
      assert.has_error(function() a:set(0, 99) end)
    end)

    it("round-trips every dtype's values", function()
      assert.are.equal(0.099975586, tonumber(string.format("%.9f", array.new({ 0.1 }, "float16"):get(0))))
      assert.are.equal(math.maxinteger, array.new({ math.maxinteger }):get(0))
      assert.are.equal(2 ^ 64 - 1, array.new({ -1 }, "int64"):astype("uint64"):get(0))
      local c = array.new({ { re = 1.5, im = -2 } }, "complex64"):get(0)
      assert.are.same({ re = 1.5, im = -2 }, c)
      assert.are.equal("héllo", array.new({ "héllo" }):get(0))
      assert.has_error(function() array.new({ "\xff" }) end)
      assert.are.equal("a\0b", array.new({ "a\0b\0" }, "S4"):get(0))
    end)
  end)

  describe("row operations", function()
    local a = array.new { { 0, 1 }, { 2, 3 }, { 4, 5 }, { 6, 7 } }

    it("takes rows from a table or an integer array", function()
      assert.are.same({ { 6, 7 }, { 0, 1 } }, a:take({ 3, 0 }):tolist())
      assert.are.same({ { 2, 3 } }, a:take(array.new({ 1 }, "uint8")):tolist())
      assert.are.same({ 0, 2 }, a:take({}).shape)
      assert.has_error(function() a:take { 12 } end, "bad argument #1 to 'take' (row 12 out of range 0..3)")
    end)

    it("slices with Python's rules and shares the buffer", function()
      local s = a:slice(1, 3)
      assert.are.same({ { 2, 3 }, { 4, 5 } }, s:tolist())
      assert.are.same({ { 6, 7 } }, a:slice(-1):tolist())
      assert.are.same({ 0, 2 }, a:slice(3, 1).shape)
      local copy = a:copy()
      copy:slice(0, 1):set(0, 0, 99)
      assert.are.equal(99, copy:get(0, 0))
      assert.are.equal(0, a:get(0, 0))
    end)

    it("concatenates along axis 0", function()
      local c = array.concat { a:slice(0, 1), a:slice(3) }
      assert.are.same({ { 0, 1 }, { 6, 7 } }, c:tolist())
      assert.has_error(function() array.concat { a, array.zeros({ 1, 3 }, "int64") } end,
        "arrays differ in shape beyond axis 0")
      assert.has_error(function() array.concat { a, array.zeros { 1, 2 } } end,
        "arrays have different dtypes")
    end)

    it("reshapes as a view", function()
      assert.are.same({ { 0, 1, 2, 3 }, { 4, 5, 6, 7 } }, a:reshape({ 2, 4 }):tolist())
      assert.has_error(function() a:reshape { 3 } end)
    end)
  end)

  it("compares like numpy's array_equal, with dtype", function()
    assert.is_true(array.new { 1, 2 } == array.new { 1, 2 })
    assert.is_false(array.new { 1, 2 } == array.new { 1, 3 })
    assert.is_false(array.equal(array.new { 1, 2 }, array.new({ 1, 2 }, "int32")))
    assert.is_false(array.new { 0 / 0 } == array.new { 0 / 0 })
    assert.is_true(array.new { 0.0 } == array.new { -0.0 })
    assert.is_false(array.equal(array.new { 1 }, "x"))
  end)

  it("casts between numeric dtypes", function()
    assert.are.same({ 1, -2 }, array.new({ 1.9, -2.9 }):astype("int32"):totable())
    assert.are.same({ true, false }, array.new({ 2, 0 }):astype("bool"):totable())
    assert.has_error(function() array.new({ "a" }):astype("int8") end)
  end)

  it("prints like numpy's repr", function()
    assert.are.equal("array([1, 2, 3])", tostring(array.new { 1, 2, 3 }))
    assert.are.equal("array([[1, 2],\n       [3, 4]])", tostring(array.new { { 1, 2 }, { 3, 4 } }))
    assert.are.equal("array([0.5 , 1.  , 2.25])", tostring(array.new { 0.5, 1, 2.25 }))
    assert.are.equal("array([ True, False])", tostring(array.new { true, false }))
    assert.are.equal("array([1, 2], dtype=int32)", tostring(array.new({ 1, 2 }, "int32")))
    assert.are.equal("array(['a', 'bc'], dtype='<U2')", tostring(array.new { "a", "bc" }))
    assert.are.equal("array([], dtype=float64)", tostring(array.zeros(0)))
    assert.are.equal("array([], shape=(2, 0), dtype=float64)", tostring(array.zeros { 2, 0 }))
    assert.are.equal("array(5)", tostring(array.full({}, 5)))
    assert.are.equal("array([1.e-05, 1.e+00])", tostring(array.new { 1e-5, 1 }))
    assert.are.equal("array([   0,    1,    2, ..., 1997, 1998, 1999])", tostring(array.arange(2000)))
  end)

  it("reports sizes and raw bytes, and recognises arrays", function()
    local a = array.new({ 1, 258 }, "int16")
    assert.are.same({ 4, 2 }, { a.nbytes, a.itemsize })
    assert.are.equal(string.pack("<i2<i2", 1, 258), a:bytes())
    assert.is_true(array.isarray(a))
    assert.is_false(array.isarray({ 1, 2 }))
    assert.is_nil(a.no_such_field)
  end)

  it("releases arrays on close", function()
    local a <close> = array.zeros(4)
    assert.are.equal(4, #a)
  end)
end)
