-- library_spec.lua: the Lua library over the C modules: json, errors, csv, datasets,
-- evaluators, and route declaration through anomed.server.
local array = require "anomed.array"
local datasets = require "anomed.datasets"
local errors = require "anomed.errors"
local evaluators = require "anomed.evaluators"
local json = require "anomed.json"

local function http_error_of(fn)
  local ok, err = pcall(fn)
  assert.is_false(ok)
  assert.is_true(errors.is_http_error(err), tostring(err))
  return err
end

describe("anomed.json", function()
  it("encodes values as Python's json would", function()
    assert.are.equal('{"a": 1, "b": [true, false, "x"], "c": 0.30000000000000004, "d": 1.0}',
      json.encode { a = 1, b = { true, false, "x" }, c = 0.1 + 0.2, d = 1.0 })
    assert.are.equal('"tab\\tquote\\"\\u0001"', json.encode "tab\tquote\"\1")
    assert.are.equal("[NaN, Infinity, -Infinity]", json.encode { 0 / 0, math.huge, -math.huge })
    assert.are.equal("{}", json.encode {})
    assert.has_error(function() json.encode { f = print } end, "cannot encode a function as JSON")
  end)
end)

describe("anomed.errors", function()
  it("builds the contract's errors", function()
    local e = http_error_of(function() errors.missing_parameter "anonymizer" end)
    assert.are.same({ 400, "Missing parameter", 'The "anonymizer" parameter is required.' },
      { e.status, e.title, e.description })
    assert.are.equal('400 Malformed request.: x', tostring(errors.new(400, "Malformed request.", "x")))
    assert.has_error(function() errors.new(200, "ok", "ok") end)
  end)
end)

describe("anomed.csv and anomed.datasets", function()
  local path = os.tmpname()
  before_each(function()
    local f = assert(io.open(path, "w"))
    f:write("a,b,label\n1,2.5,0\n3,4,1\n5,6,1\n")
    f:close()
  end)
  after_each(function() os.remove(path) end)

  it("loads a CSV as X (float64) and y (int64 when integral)", function()
    local ds = datasets.csv(path, { target = "label" })
    assert.are.same({ { 1, 2.5 }, { 3, 4 }, { 5, 6 } }, ds.X:tolist())
    assert.are.equal("float64", ds.X.dtype)
    assert.are.equal("int64", ds.y.dtype)
    assert.are.same({ { 2.5 }, { 4 }, { 6 } }, datasets.csv(path, { target = "label", features = { "b" } }).X:tolist())
    assert.has_error(function() datasets.csv(path, { target = "nope" }) end)
  end)

  it("partitions exactly as numpy's default_rng(seed).shuffle(arange(n))", function()
    local ds = datasets.memory(array.arange(10), array.arange(10))
    local first, second = datasets.partition(ds, 0.3, 42) -- permutation(10) = 5 6 0 7 3 2 4 9 1 8
    assert.are.same({ 5, 6, 0 }, first.X:totable())
    assert.are.same({ 7, 3, 2, 4, 9, 1, 8 }, second.y:totable())
    local a, b, c = datasets.split(ds, { 2, 0.5 }, 42)
    assert.are.same({ { 5, 6 }, { 0, 7, 3, 2, 4 }, { 9, 1, 8 } }, { a.X:totable(), b.X:totable(), c.X:totable() })
    assert.has_error(function() datasets.memory(array.zeros(3), array.zeros(2), "t") end, "t: X has 3 rows but y has 2")
    assert.are.same({ 0 }, datasets.discard_targets(ds).y.shape)
  end)
end)

describe("anomed.evaluators", function()
  it("scores strict accuracy row by row", function()
    local truth = array.new { { 1, 0 }, { 0, 1 }, { 1, 1 } }
    assert.are.same({ accuracy = 2 / 3 }, evaluators.strict_accuracy(array.new { { 1, 0 }, { 0, 1 }, { 1, 0 } }, truth))
    local e = http_error_of(function() evaluators.strict_accuracy(array.new({ { 1, 0 } }, "int32"), truth) end)
    assert.are.equal("prediction has dtype int32, expected int64", e.description)
    http_error_of(function() evaluators.strict_accuracy(array.new { { 1, 0 } }, truth) end)
  end)

  it("scores membership guesses with fpr = fp / (fp + tn)", function()
    local truth = array.new { true, true, false, false }
    assert.are.same({ acc = 0.5, tpr = 0.5, fpr = 0.5 }, evaluators.mia(array.new { true, false, true, false }, truth))
    http_error_of(function() evaluators.mia(array.new { 1, 0, 1, 0 }, truth) end)
    http_error_of(function() evaluators.mia(array.zeros(0, "bool"), truth) end)
  end)
end)

describe("anomed.server", function()
  it("declares routes while the challenge loads", function()
    local server = require "anomed.server"
    local http = require "anomed.http"
    server.json("/spec-json", { ok = true })
    server.route("POST", "/spec-route", function() return {} end)
    local declared = {}
    for _, r in ipairs(http.routes()) do declared[r[1] .. " " .. r[2]] = r[3] end
    assert.are.equal("static", declared["GET /spec-json"])
    assert.are.equal("lua", declared["POST /spec-route"])
    assert.has_error(function() server.json("/spec-json", {}) end, "route declared twice: GET /spec-json")
    assert.has_error(function() http.route("BREW", "/x", print) end)
  end)
end)

describe("anomed.evaluations and anomed.ledger", function()
  it("records evaluations and accepts a validation evaluation once", function()
    local evaluations = require "anomed.evaluations"
    local ledger = require "anomed.ledger"
    local who = "spec-" .. os.time() .. "-" .. math.random(1 << 30)
    local first = evaluations.record("anonymizer", { anonymizer = who }, "validation", { accuracy = 0.5 })
    assert.is_true(math.type(first) == "integer")
    local e = http_error_of(function()
      evaluations.record("anonymizer", { anonymizer = who }, "validation", { accuracy = 1.0 })
    end)
    assert.are.equal(409, e.status)
    assert.matches("evaluation " .. first, e.description)
    assert.are.equal(first + 1, evaluations.record("anonymizer", { anonymizer = who }, "tuning", { accuracy = 1.0 }))
    assert.are.equal(ledger.claim("spec-key-" .. who, "a"), "a")
    assert.are.equal(ledger.claim("spec-key-" .. who, "b"), "a")
  end)
end)

describe("anomed.cache", function()
  it("keeps the most recently used entries", function()
    local cache = require "anomed.cache"(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert.are.equal(1, cache.get "a") -- a is now the most recent
    cache.put("c", 3)                  -- so b goes
    assert.are.same({ 1, nil, 3 }, { cache.get "a", cache.get "b", cache.get "c" })
    local none = require "anomed.cache"(0)
    none.put("x", 1)
    assert.is_nil(none.get "x")
  end)
end)
