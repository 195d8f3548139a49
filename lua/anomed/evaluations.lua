-- anomed.evaluations: records every evaluation in the ledger before it is answered:
-- tuning evaluations freely, the validation (final) one once per anonymizer, or per
-- anonymizer and deanonymizer pair; with a platform configured, each is also queued for
-- delivery in the same transaction.
local errors = require "anomed.errors"
local http = require "anomed.http"
local json = require "anomed.json"
local ledger = require "anomed.ledger"

local evaluations = {}

local platform = http.config().platform
local secret = os.getenv "ANOMED_SECRET" or ""

local function outbox(entry, kind, params, data_split, metrics)
  if platform == "" then return end
  entry.outbox_url = "http://" .. platform .. "/submissions/" .. kind .. "-evaluation-results"
  local body = { secret = secret, anonymizer = params.anonymizer, deanonymizer = params.deanonymizer,
                 data_split = data_split }
  for name, value in pairs(metrics) do body[name] = value end
  entry.outbox_body = json.encode(body)
end

local function refuse(kind, params, held)
  local who = kind == "anonymizer" and string.format('anonymizer "%s"', params.anonymizer)
    or string.format('deanonymizer "%s" against anonymizer "%s"', params.deanonymizer, params.anonymizer)
  errors.raise(409, "Already evaluated", string.format(
    "The validation evaluation of %s was accepted at %s (evaluation %d); the final evaluation is accepted once.",
    who, held.time, held.id))
end

--- Records metrics of kind ("anonymizer" or "deanonymizer") for params (anonymizer,
--- deanonymizer) and data_split; a second validation evaluation is answered 409.
--- Returns the evaluation's id.
function evaluations.record(kind, params, data_split, metrics)
  local claim = nil
  if data_split == "validation" then
    claim = json.encode { kind, params.anonymizer, kind == "deanonymizer" and params.deanonymizer or nil }
  end
  local entry = {
    route = "/utility/" .. kind, anonymizer = params.anonymizer,
    deanonymizer = kind == "deanonymizer" and params.deanonymizer or nil,
    data_split = data_split, metrics = json.encode(metrics), claim = claim,
  }
  outbox(entry, kind, params, data_split, metrics)
  local id, held = ledger.record(entry)
  if not id then refuse(kind, params, held) end
  return id
end

return evaluations
