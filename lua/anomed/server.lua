-- anomed.server: what a challenge script declares while it loads. Routes by method and
-- exact path; building blocks like the Python library's (static JSON, static arrays,
-- array providers with a bounded cache, utility evaluation); responses and HTTP errors.
local array = require "anomed.array"
local new_cache = require "anomed.cache"
local errors = require "anomed.errors"
local hash = require "anomed.hash"
local http = require "anomed.http"
local json = require "anomed.json"
local npz = require "anomed.npz"
local new_request = require "anomed.request"

local server = {}

local NPZ_TYPE = "application/octet-stream"
local JSON_TYPE = "application/json"

local Response = {}

--- A response: status, content type and body bytes.
function server.response(status, content_type, body)
  return setmetatable({ status = status, content_type = content_type, body = body }, Response)
end

function server.json_response(value, status)
  return server.response(status or 200, JSON_TYPE, json.encode(value))
end

--- arrays as an npz: {{name, array}, ...} keeps the order, {name = array} sorts names.
function server.npz_response(arrays, status)
  return server.response(status or 200, NPZ_TYPE, npz.encode(arrays))
end

-- What a handler returns: a response, a table (JSON, 200), or a status and a table.
local function to_response(result, second)
  if getmetatable(result) == Response then return result end
  if math.type(result) == "integer" then return server.json_response(second, result) end
  if type(result) == "table" then return server.json_response(result) end
  error("a handler must return a response, a table, or a status and a table", 0)
end

--- route(method, path, handler): handler(req) runs per request in a worker.
function server.route(method, path, handler)
  http.route(method, path, function(req)
    local response = to_response(handler(new_request(req)))
    return response.status, response.content_type, response.body
  end)
end

--- GET path answers value as JSON, encoded once.
function server.json(path, value)
  http.static("GET", path, 200, JSON_TYPE, json.encode(value))
end

--- GET path answers arrays as npz, encoded once now and then served from C. The
--- challenge's fingerprint covers the arrays themselves, not their compressed bytes.
function server.arrays(path, arrays)
  local digest = hash.sha256(npz.encode(arrays, { level = 0 }))
  http.static("GET", path, 200, NPZ_TYPE, npz.encode(arrays), digest)
end

local function cache_key(names, params)
  local parts = {}
  for i, name in ipairs(names) do parts[i] = params[name] end
  return table.concat(parts, "\0")
end

--- GET path answers provider(params, req) (arrays) as npz. options.params: the required
--- query parameters, which key a per-worker cache of options.cache (64) encoded answers.
function server.provider(path, options, provider)
  local names, cache = options.params or {}, new_cache(options.cache or 64)
  server.route("GET", path, function(req)
    local params = req:params(names)
    local key = cache_key(names, params)
    local body = cache.get(key)
    if not body then
      body = npz.encode(provider(params, req))
      cache.put(key, body)
    end
    return server.response(200, NPZ_TYPE, body)
  end)
end

--- metrics, when it is a non-empty table of name = number; raises otherwise, naming who
--- returned it ("the evaluator").
function server.check_metrics(metrics, who)
  who = who or "the evaluator"
  if type(metrics) ~= "table" or next(metrics) == nil then error(who .. " must return a table of numbers", 0) end
  for name, value in pairs(metrics) do
    if type(name) ~= "string" or type(value) ~= "number" then
      error(string.format("%s returned %s = %s; metrics are name = number", who, tostring(name), tostring(value)), 0)
    end
  end
  return metrics
end

--- POST path: the body is an npz with an array named options.array ("prediction");
--- evaluator(prediction, params, req) returns {metric = number}; answered 201 as JSON.
function server.utility(path, options, evaluator)
  local names, array_name = options.params or {}, options.array or "prediction"
  server.route("POST", path, function(req)
    local params = req:params(names)
    local arrays = req:arrays { array_name }
    return 201, server.check_metrics(evaluator(arrays[array_name], params, req))
  end)
end

server.error = errors.raise
server.errors = errors

--- The engine's settings: host, port, workers, state_dir, script, limits.
server.config = http.config

-- Arrays are plain anomed.array values; re-exported for scripts that need only this module.
server.array = array

return server
