-- large_challenge.lua: a generated 200000 x 50 float64 supervised MIA challenge (70/15/15,
-- L = 1000) for bench/template_bench.py.
local anomed = require "anomed"
local datasets = require "anomed.datasets"
local evaluators = require "anomed.evaluators"

local g = anomed.rng.new(2024)
local all = datasets.memory(g:random(200000 * 50):reshape { 200000, 50 }, g:integers(0, 2, 200000))
local training, tuning, validation = datasets.split(all, { 0.7, 0.15 }, 7)

require("anomed.templates.supervised_mia").serve {
  training = training, tuning = tuning, validation = validation,
  anonymizer_evaluator = evaluators.strict_accuracy, mia_evaluator = evaluators.mia,
  mia_evaluation_length = 1000, seed = 42,
}
