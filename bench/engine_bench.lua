-- engine_bench.lua: the challenge bench/engine_bench.py serves: GET /, a static array
-- route (10000 x 20 float64 + labels) and a POST utility route (accuracy of 10000 labels).
local anomed = require "anomed"
local server = require "anomed.server"

local g = anomed.rng.new(1)
local X = g:random(10000 * 20):reshape { 10000, 20 }
local y = g:integers(0, 3, 10000)

server.json("/", { message = "Challenge server is alive!" })
server.arrays("/data/training", { { "X", X }, { "y", y } })
server.utility("/utility", {}, function(prediction)
  local matches, why = anomed.metrics.row_matches(prediction, y)
  if not matches then server.error(400, "Bad prediction", why) end
  return { accuracy = matches / #y }
end)
