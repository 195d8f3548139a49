-- iris.lua: the AnoMed seed challenge. Anonymizers classify Fisher's iris flowers;
-- deanonymizers try to tell which flowers the anonymizer was trained on.
local datasets = require "anomed.datasets"
local evaluators = require "anomed.evaluators"
local supervised_mia = require "anomed.templates.supervised_mia"

-- 150 flowers: four measurements (cm) and the species (0 setosa, 1 versicolor, 2 virginica)
local here = arg[0]:match "^(.*)/" or "."
local iris = datasets.csv(here .. "/data/iris.csv", { target = "species" })

-- 70% to train on; the rest in halves to tune on and to validate with
local training, rest = datasets.partition(iris, 0.7, 42)
local tuning, validation = datasets.partition(rest, 0.5, 42)

supervised_mia.serve {
  training = training,
  tuning = tuning,
  validation = validation,
  anonymizer_evaluator = evaluators.strict_accuracy, -- fraction of exactly right labels
  mia_evaluator = evaluators.mia,                    -- acc, tpr, fpr of membership guesses
  mia_evaluation_length = 5,                         -- 5 members + 5 non-members per attack set
  seed = 42,
}
