-- anomed.errors: HTTP errors raised from Lua. The engine answers such an error object with
-- its status and the JSON {"title": ..., "description": ...}; any other error is a 500.
local errors = {}

local HttpError = {}
HttpError.__index = HttpError
HttpError.__tostring = function(e) return string.format("%d %s: %s", e.status, e.title, e.description) end

--- An error object for status (400..599), title and description.
function errors.new(status, title, description)
  assert(math.type(status) == "integer" and status >= 400 and status <= 599, "status must be 400..599")
  return setmetatable({ status = status, title = title, description = description }, HttpError)
end

--- Raises an HTTP error.
function errors.raise(status, title, description)
  error(errors.new(status, title, description), 0)
end

function errors.is_http_error(v)
  return getmetatable(v) == HttpError
end

--- The contract's errors.
function errors.missing_parameter(name)
  errors.raise(400, "Missing parameter", string.format('The "%s" parameter is required.', name))
end

function errors.invalid_parameter(name, allowed)
  errors.raise(400, "Invalid parameter",
    string.format('The "%s" parameter must be one of: %s.', name, table.concat(allowed, ", ")))
end

function errors.malformed(description)
  errors.raise(400, "Malformed request.", description)
end

return errors
