-- anomed.datasets: a dataset is {X = array, y = array} with one row of y per row of X.
-- Sources (memory, npz, CSV) and the seeded cuts the AnoMed contract is defined by.
local array = require "anomed.array"
local csv = require "anomed.csv"
local npz = require "anomed.npz"
local rng = require "anomed.rng"

local datasets = {}

--- A dataset from arrays; X and y must have the same number of rows.
function datasets.memory(X, y, name)
  name = name or "dataset"
  if not array.isarray(X) or not array.isarray(y) then error(name .. ": X and y must be arrays", 2) end
  if X.ndim == 0 or y.ndim == 0 or #X ~= #y then
    error(string.format("%s: X has %d rows but y has %d", name, X.ndim > 0 and #X or 0, y.ndim > 0 and #y or 0), 2)
  end
  return { X = X, y = y }
end

--- A dataset from an npz file; options.X and options.y name the members ("X", "y").
function datasets.npz(path, options)
  options = options or {}
  local arrays, err = npz.load(path)
  if not arrays then error(err, 2) end
  local x_name, y_name = options.X or "X", options.y or "y"
  if not arrays[x_name] or not arrays[y_name] then
    error(string.format("%s: needs members %q and %q", path, x_name, y_name), 2)
  end
  return datasets.memory(arrays[x_name], arrays[y_name], path)
end

--- A dataset from a CSV file with a header row; options.target names the target column,
--- options.features the feature columns (default: all the others). See anomed.csv.
function datasets.csv(path, options)
  local X, y = csv.load(path, options)
  return datasets.memory(X, y, path)
end

--- The dataset without its targets: y becomes an empty float64 array of shape (0,).
function datasets.discard_targets(ds)
  return { X = ds.X, y = array.zeros(0) }
end

-- a seed: an integer or decimal string, or a generator factory for raw digest bytes
local function generator(seed)
  if type(seed) == "table" and seed.bytes then return rng.from_bytes(seed.bytes) end
  return rng.new(seed)
end

local function rows(ds, index)
  return { X = ds.X:take(index), y = ds.y:take(index) }
end

--- The row numbers of the contract's partition of n rows: permuted by
--- default_rng(seed).permutation(n), the first k, then the rest (int64 arrays). k is a
--- count, or a fraction f for floor(f * n). seed is an integer, a decimal string, or
--- {bytes = digest} (the digest read as one big-endian integer).
function datasets.partition_rows(n, k, seed)
  if math.type(k) ~= "integer" then k = math.floor(k * n) end
  if k < 0 or k > n then error(string.format("cannot take %d of %d rows", k, n), 3) end
  local perm = generator(seed):permutation(n)
  return perm:slice(0, k), perm:slice(k)
end

--- The contract's partition of a dataset (see partition_rows): two datasets.
function datasets.partition(ds, k, seed)
  local first, second = datasets.partition_rows(#ds.X, k, seed)
  return rows(ds, first), rows(ds, second)
end

--- Cuts ds into parts with one permutation: sizes are counts or fractions of n (the last
--- part may be omitted: it gets the rest). Returns the parts in order.
function datasets.split(ds, sizes, seed)
  local n, perm, parts, start = #ds.X, generator(seed):permutation(#ds.X), {}, 0
  for i, size in ipairs(sizes) do
    local count = math.type(size) == "integer" and size or math.floor(size * n)
    if start + count > n then error(string.format("part %d does not fit: %d rows in all", i, n), 2) end
    parts[i] = rows(ds, perm:slice(start, start + count))
    start = start + count
  end
  if start < n then parts[#parts + 1] = rows(ds, perm:slice(start)) end
  return table.unpack(parts)
end

return datasets
