-- engine_fixture.lua: a challenge with one route for each behaviour the engine tests check.
local array = require "anomed.array"
local server = require "anomed.server"

local ANSWER = 1 -- the engine test edits this line in a copy, then sends SIGHUP

server.json("/", { message = "Challenge server is alive!" })
server.arrays("/data", { { "X", array.arange(12):reshape { 4, 3 } }, { "y", array.new { true, false, true, false } } })
server.route("GET", "/answer", function() return { answer = ANSWER, pid = tonumber(io.open("/proc/self/stat"):read("n")) } end)
server.route("GET", "/boom", function() error("kaboom") end)
server.route("GET", "/loop", function() while true do end end)
server.route("GET", "/swallow", function()
  while true do pcall(function() while true do end end) end -- a pcall must not swallow the stop
end)
server.route("GET", "/hog", function()
  local t = {}
  for i = 1, 1e6 do t[i] = string.rep("x", 1 << 20) .. i end -- a new megabyte each time
end)
server.route("GET", "/teapot", function() server.error(418, "I'm a teapot", "Short and stout.") end)
server.route("GET", "/late", function() server.route("GET", "/new", function() end) end)
server.route("POST", "/echo", function(req)
  return { bytes = #req.body, query = req.query, agent = req.headers["user-agent"] }
end)

local calls = 0
server.provider("/provided", { params = { "seed" }, cache = 2 }, function(params)
  calls = calls + 1
  return { { "X", array.full(3, tonumber(params.seed)) }, { "calls", array.full({}, calls) } }
end)

server.utility("/utility", { params = { "anonymizer", "data_split" } }, function(prediction, params, req)
  req:choice("data_split", { "tuning", "validation" })
  if prediction.dtype ~= "int64" then server.error(400, "Bad prediction", "expected int64") end
  return { count = prediction.size, first = prediction.size > 0 and prediction:get(0) or -1 }
end)
