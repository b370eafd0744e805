-- wrk script for Benchmarks/tracking.sh: each request is one Shiprocket tracking push from
-- $PUSHES_FILE (one JSON body per line), sent with the seller's token in x-api-key
-- ($PUSH_TOKEN); thread t of T sends lines t, t+T, t+2T, … so each line is sent once (the
-- file's own duplicates are the redelivered pushes).
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local lines = {}
local n = 0
local count = 2
local headers = {}
function init(args)
  for line in io.lines(os.getenv("PUSHES_FILE")) do
    n = n + 1
    lines[n] = line
  end
  count = tonumber(os.getenv("WRK_THREADS") or "2")
  headers = { ["Content-Type"] = "application/json", ["x-api-key"] = os.getenv("PUSH_TOKEN") }
  i = tid + 1
end

function request()
  -- Past the end of the file (a run longer than the seeded pushes) every line is a resend:
  -- tracking.sh sizes the file so that does not happen, and its check would fail if it did.
  local body = lines[i] or lines[1]
  i = i + count
  return wrk.format("POST", "/v1/webhooks/shiprocket", headers, body)
end
