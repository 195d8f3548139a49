-- anomed: the library a challenge script requires; one table with every module.
return {
  array = require "anomed.array",
  npz = require "anomed.npz",
  rng = require "anomed.rng",
  hash = require "anomed.hash",
  time = require "anomed.time",
  metrics = require "anomed.metrics",
}
