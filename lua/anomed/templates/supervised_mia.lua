-- anomed.templates.supervised_mia: the supervised-learning challenge with a membership
-- inference threat model (../shared/spec/supervised-mia-routes.md). An author gives three
-- datasets, two evaluators and L; this declares all nine routes of the contract.
local array = require "anomed.array"
local new_cache = require "anomed.cache"
local datasets = require "anomed.datasets"
local hash = require "anomed.hash"
local evaluations = require "anomed.evaluations"
local ledger = require "anomed.ledger"
local npz = require "anomed.npz"
local rng = require "anomed.rng"
local server = require "anomed.server"

local template = {}

local SPLITS = { "tuning", "validation" }

-- The seed the author gave, or the one drawn on the first start and kept in the ledger.
local function challenge_seed(seed)
  if seed ~= nil then return seed end
  return ledger.claim("seed", rng.random_seed())
end

local function check_dataset(ds, name)
  if type(ds) ~= "table" then error(name .. " must be a dataset {X = ..., y = ...}", 0) end
  datasets.memory(ds.X, ds.y, name)
end

local function warn_shared_rows(training, validation)
  local seen, shared = {}, 0
  for i = 0, #training.X - 1 do seen[training.X:get(i):bytes()] = true end
  for i = 0, #validation.X - 1 do
    if seen[validation.X:get(i):bytes()] then shared = shared + 1 end
  end
  if shared > 0 then
    io.stderr:write(string.format("anomed-lua: warning: %d validation rows also appear in the training data\n", shared))
  end
end

-- The attack-evaluation set of (anonymizer, deanonymizer, split), exactly as the contract
-- derives it: every cut seeded with SHA-256(anonymizer .. deanonymizer). The cuts work on
-- row numbers; only the 2L chosen rows are copied.
local function attack_set(c, anonymizer, deanonymizer, split)
  local h = { bytes = hash.sha256(anonymizer .. deanonymizer) }
  local function pick(pool)
    local tune, val = datasets.partition_rows(#pool.X, 0.5, h)
    local candidates = split == "tuning" and tune or val
    local chosen = datasets.partition_rows(#candidates, c.L, h)
    return candidates:take(chosen)
  end
  local m, nm = pick(c.members_rest), pick(c.non_members_rest)
  local perm = rng.from_bytes(h.bytes):permutation(2 * c.L)
  local memberships = array.concat { array.full(c.L, true), array.full(c.L, false) }
  return {
    X = array.concat({ c.members_rest.X:take(m), c.non_members_rest.X:take(nm) }):take(perm),
    y = array.concat({ c.members_rest.y:take(m), c.non_members_rest.y:take(nm) }):take(perm),
    memberships = memberships:take(perm),
  }
end

-- Attack sets with their encoded answers, in a bounded cache per worker.
local function attack_sets(c, size)
  local cache = new_cache(size)
  return function(anonymizer, deanonymizer, split)
    local key = table.concat({ anonymizer, deanonymizer, split }, "\0")
    local set = cache.get(key)
    if not set then
      set = attack_set(c, anonymizer, deanonymizer, split)
      set.npz = npz.encode { { "X", set.X }, { "y", set.y } }
      cache.put(key, set)
    end
    return set
  end
end

local function check_sizes(c)
  local smallest = math.huge
  for _, part in ipairs { c.members_rest, c.non_members_rest } do
    local first = math.floor(0.5 * #part.X)
    smallest = math.min(smallest, first, #part.X - first)
  end
  if smallest < c.L then
    error(string.format("mia_evaluation_length %d is too large: the smallest attack pool has %d rows "
      .. "(training and validation each give a quarter of their rows per split)", c.L, smallest), 0)
  end
end

local function check_evaluator(evaluator, name, prediction, truth)
  if type(evaluator) ~= "function" then error(name .. " must be a function", 0) end
  server.check_metrics(evaluator(prediction, truth), name)
end

local function declare_routes(c)
  local xy = function(ds) return { { "X", ds.X }, { "y", ds.y } } end
  server.json("/", { message = "Challenge server is alive!" })
  server.arrays("/data/anonymizer/training", xy(c.training))
  server.arrays("/data/anonymizer/tuning", xy(datasets.discard_targets(c.tuning)))
  server.arrays("/data/anonymizer/validation", xy(datasets.discard_targets(c.validation)))
  server.arrays("/data/deanonymizer/members", xy(c.members))
  server.arrays("/data/deanonymizer/non-members", xy(c.non_members))
  local sets = attack_sets(c, c.cache)
  server.route("GET", "/data/attack-success-evaluation", function(req)
    local anonymizer, deanonymizer = req:param "anonymizer", req:param "deanonymizer"
    local set = sets(anonymizer, deanonymizer, req:choice("data_split", SPLITS))
    return server.response(200, "application/octet-stream", set.npz)
  end)
  -- both evaluation routes: evaluate, record in the ledger (once for validation), answer
  local function evaluation_route(kind, params, evaluate)
    server.utility("/utility/" .. kind, { params = params }, function(prediction, p, req)
      local split = req:choice("data_split", SPLITS)
      local metrics = server.check_metrics(evaluate(prediction, p, split))
      evaluations.record(kind, p, split, metrics)
      return metrics
    end)
  end
  evaluation_route("anonymizer", { "anonymizer" }, function(prediction, _, split)
    return c.anonymizer_evaluator(prediction, split == "tuning" and c.tuning.y or c.validation.y)
  end)
  evaluation_route("deanonymizer", { "anonymizer", "deanonymizer" }, function(prediction, p, split)
    return c.mia_evaluator(prediction, sets(p.anonymizer, p.deanonymizer, split).memberships)
  end)
end

--- Declares the challenge. options: training, tuning, validation (datasets),
--- anonymizer_evaluator(prediction, truth), mia_evaluator(prediction, memberships),
--- mia_evaluation_length (L), seed (optional; drawn once and kept in the ledger),
--- cache (attack sets kept per worker, 128). Returns the derived sets, for inspection.
function template.serve(options)
  for _, name in ipairs { "training", "tuning", "validation" } do check_dataset(options[name], name) end
  local L = options.mia_evaluation_length
  if math.type(L) ~= "integer" or L < 1 then error("mia_evaluation_length must be a positive integer", 0) end
  local c = {
    training = options.training, tuning = options.tuning, validation = options.validation,
    anonymizer_evaluator = options.anonymizer_evaluator, mia_evaluator = options.mia_evaluator,
    L = L, seed = challenge_seed(options.seed), cache = options.cache or 128,
  }
  c.members, c.members_rest = datasets.partition(c.training, 0.5, c.seed)
  c.non_members, c.non_members_rest = datasets.partition(c.validation, 0.5, c.seed)
  check_sizes(c)
  warn_shared_rows(c.training, c.validation)
  check_evaluator(c.anonymizer_evaluator, "anonymizer_evaluator", c.tuning.y, c.tuning.y)
  local sample = attack_set(c, "", "", "tuning")
  check_evaluator(c.mia_evaluator, "mia_evaluator", sample.memberships, sample.memberships)
  declare_routes(c)
  return c
end

return template
