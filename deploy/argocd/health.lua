-- Argo CD health check for azo's (and ASO's) *.azure.com kinds. Argo CD runs it with the object in `obj` (Lua 5.1
-- semantics, gopher-lua). It reads ASO's Ready condition and the generation it describes:
--   Healthy      Ready True for the object's current generation
--   Progressing  no status yet, a newer generation not reconciled yet, a write or delete under way, a retry (Warning)
--   Degraded     Ready False with severity Error: retrying alone will not fix it (a bad spec, a refused request)
--   Missing      reconcile-policy skip and the resource does not exist in Azure (AzureResourceNotFound)
-- Tested under Debian's lua5.1 and lua5.4 against statuses the operator wrote (test/e2e/gitops-health.test.ts).
local hs = { status = "Progressing", message = "Waiting for the operator to report" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local ready = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    ready = condition
  end
end
if ready == nil then
  return hs
end
local generation = obj.metadata.generation
local observed = ready.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.message = "Generation " .. tostring(generation) .. " is not reconciled yet (last: " .. tostring(observed) .. ")"
  return hs
end
local text = ready.reason or ""
if ready.message ~= nil and ready.message ~= "" then
  text = text .. ": " .. ready.message
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or ""
elseif ready.reason == "AzureResourceNotFound" then
  hs.status = "Missing"
  hs.message = text
elseif ready.severity == "Error" then
  hs.status = "Degraded"
  hs.message = text
else
  hs.message = text
end
return hs
