-- anomed.csv: numeric CSV files with a header row, as arrays. Integer columns become
-- int64, other numeric columns float64; quoted fields are not supported.
local array = require "anomed.array"

local csv = {}

local function split(line, path, number)
  if line:find '"' then error(string.format("%s:%d: quoted CSV fields are not supported", path, number), 0) end
  local fields = {}
  for field in (line .. ","):gmatch "([^,]*)," do fields[#fields + 1] = field:match "^%s*(.-)%s*$" end
  return fields
end

--- The header and the columns of path: names (a list) and columns[name] (a list of numbers).
function csv.read(path)
  local file, err = io.open(path)
  if not file then error(err, 0) end
  local names, columns, number = nil, {}, 0
  for line in file:lines() do
    number = number + 1
    line = line:gsub("\r$", "")
    if not names then
      names = split(line, path, number)
      for _, name in ipairs(names) do columns[name] = {} end
    elseif line ~= "" then
      local fields = split(line, path, number)
      if #fields ~= #names then
        file:close()
        error(string.format("%s:%d: %d fields, the header has %d", path, number, #fields, #names), 0)
      end
      for i, name in ipairs(names) do
        local value = tonumber(fields[i])
        if not value then
          file:close()
          error(string.format("%s:%d: %s is not a number (%q)", path, number, name, fields[i]), 0)
        end
        local column = columns[name]
        column[#column + 1] = value
      end
    end
  end
  file:close()
  if not names then error(path .. ": empty CSV file", 0) end
  return names, columns
end

local function column_dtype(values)
  for _, v in ipairs(values) do
    if math.type(v) ~= "integer" then return "float64" end
  end
  return "int64"
end

--- X (float64, rows x features) and y (int64 or float64) from path. options.target names
--- the target column; options.features the feature columns (default: all the others).
function csv.load(path, options)
  local names, columns = csv.read(path)
  local target = assert(options and options.target, "csv.load needs options.target")
  if not columns[target] then error(string.format("%s: no column %q", path, target), 0) end
  local features = options.features
  if not features then
    features = {}
    for _, name in ipairs(names) do
      if name ~= target then features[#features + 1] = name end
    end
  end
  local rows = {}
  for r = 1, #columns[target] do
    local row = {}
    for f, name in ipairs(features) do
      local column = columns[name] or error(string.format("%s: no column %q", path, name), 0)
      row[f] = column[r]
    end
    rows[r] = row
  end
  local X = #rows > 0 and array.new(rows, "float64") or array.zeros({ 0, #features })
  local y = array.new(columns[target], column_dtype(columns[target]))
  return X, y
end

return csv
