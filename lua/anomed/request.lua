-- anomed.request: what a handler can ask of a request: req.method, req.path, req.query,
-- req.headers (lower-case names), req.body, and the checks that answer the contract's 400s.
local errors = require "anomed.errors"
local npz = require "anomed.npz"
local http = require "anomed.http"

local Request = {}
Request.__index = Request

local limits = { max_bytes = http.config().max_decompressed, max_members = 64, max_dims = 32 }

--- The query parameter name; 400 "Missing parameter" when absent.
function Request:param(name)
  local value = self.query[name]
  if value == nil then errors.missing_parameter(name) end
  return value
end

--- A query parameter that must be one of allowed.
function Request:choice(name, allowed)
  local value = self:param(name)
  for _, a in ipairs(allowed) do
    if value == a then return value end
  end
  errors.invalid_parameter(name, allowed)
end

--- The required parameters as a table {name = value}.
function Request:params(names)
  local values = {}
  for _, name in ipairs(names or {}) do values[name] = self:param(name) end
  return values
end

--- The body as npz arrays holding every name in required; 400 "Malformed request." when
--- the body is not an npz (or inflates past the limit) or lacks an array.
function Request:arrays(required)
  local arrays = npz.decode(self.body, limits)
  for _, name in ipairs(required) do
    if not arrays or not arrays[name] then
      errors.malformed(string.format("Expected a NumPy array with name '%s'.", name))
    end
  end
  return arrays
end

--- Gives a plain request table (as the engine builds it) the methods above.
return function(req)
  local headers = {}
  for k, v in pairs(req.headers) do headers[k:lower()] = v end
  req.headers = headers
  return setmetatable(req, Request)
end
