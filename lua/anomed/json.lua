-- anomed.json: encodes Lua values as JSON for responses. Floats keep every digit (the
-- shortest form that reads back exactly) and print as floats ("1.0"), as Python's json
-- does; NaN and infinities are written as Python writes them.
local json = {}

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function encode_float(x)
  if x ~= x then return "NaN" end
  if x == math.huge then return "Infinity" end
  if x == -math.huge then return "-Infinity" end
  local s
  for precision = 15, 17 do
    s = string.format("%." .. precision .. "g", x)
    if tonumber(s) == x then break end
  end
  if not s:find "[%.eni]" then s = s .. ".0" end
  return s
end

local function is_list(t)
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

local encode_value

local function encode_table(t, seen)
  if seen[t] then error("cannot encode a table that contains itself", 0) end
  seen[t] = true
  local parts = {}
  if is_list(t) then
    for i = 1, #t do parts[i] = encode_value(t[i], seen) end
    seen[t] = nil
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then error("cannot encode a table with a " .. type(k) .. " key", 0) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do parts[i] = encode_string(k) .. ": " .. encode_value(t[k], seen) end
  seen[t] = nil
  return "{" .. table.concat(parts, ", ") .. "}"
end

function encode_value(v, seen)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then return math.type(v) == "integer" and tostring(v) or encode_float(v) end
  if t == "string" then return encode_string(v) end
  if t == "table" then return encode_table(v, seen) end
  error("cannot encode a " .. t .. " as JSON", 0)
end

--- The JSON text of v (tables with keys 1..n are arrays, others objects with sorted keys).
function json.encode(v)
  return encode_value(v, {})
end

return json
