-- regression.lua: a challenge written without a template. Anonymizers train a regressor
-- on the diabetes data (442 patients, 10 features, disease progression after one year);
-- their predictions for the held-out patients are scored by RMSE, MAE and R².
local anomed = require "anomed"
local csv = require "anomed.csv"
local server = require "anomed.server"

local here = arg[0]:match "^(.*)/" or "."
local X, y = csv.load(here .. "/data/diabetes.csv", { target = "progression" })

-- a seeded 80/20 split: the same rows on every machine, and what numpy gives for seed 7
local rows = anomed.rng.new(7):permutation(#X)
local cut = math.floor(0.8 * #X)
local train, test = rows:slice(0, cut), rows:slice(cut)
local y_test = y:take(test)

server.json("/", { message = "Challenge server is alive!" })
server.arrays("/data/training", { { "X", X:take(train) }, { "y", y:take(train) } })
server.arrays("/data/test", { { "X", X:take(test) } })

-- an extra route: what the challenge is about
server.json("/info", {
  task = "regression", target = "progression", features = #X:get(0), training_rows = #train,
  test_rows = #test, metrics = { "rmse", "mae", "r2" },
})

server.utility("/utility/regression", { params = { "anonymizer" } }, function(prediction)
  local e, why = anomed.metrics.errors(prediction, y_test)
  if not e then server.error(400, "Bad prediction", why) end
  return { rmse = math.sqrt(e.sse / e.n), mae = e.sae / e.n, r2 = 1 - e.sse / e.sst }
end)
