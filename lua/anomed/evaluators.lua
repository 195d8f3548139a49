-- anomed.evaluators: the built-in evaluators. A submission that does not fit (shape,
-- dtype, empty, not boolean) is answered 400 with the reason.
local metrics = require "anomed.metrics"
local errors = require "anomed.errors"

local evaluators = {}

local function reject(description)
  errors.raise(400, "Bad prediction", description)
end

--- Strict accuracy: the fraction of rows equal in every element (the reference's
--- strict_binary_accuracy). Prediction and truth must agree in shape and dtype.
function evaluators.strict_accuracy(prediction, truth)
  if prediction.dtype ~= truth.dtype then
    reject(string.format("prediction has dtype %s, expected %s", prediction.dtype, truth.dtype))
  end
  local matches, why = metrics.row_matches(prediction, truth)
  if not matches then reject(why) end
  if #truth == 0 then reject("empty prediction") end
  return { accuracy = matches / #truth }
end

--- Membership inference success: acc, tpr = tp / (tp + fn) and fpr = fp / (fp + tn).
function evaluators.mia(prediction, memberships)
  if prediction.dtype ~= "bool" then
    reject(string.format("memberships must be boolean, got %s", prediction.dtype))
  end
  if prediction.size == 0 then reject("empty membership prediction") end
  local c, why = metrics.confusion(prediction, memberships)
  if not c then reject(why) end
  local function ratio(a, b) return b > 0 and a / b or 0.0 end
  return {
    acc = ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
    tpr = ratio(c.tp, c.tp + c.fn),
    fpr = ratio(c.fp, c.fp + c.tn),
  }
end

return evaluators
