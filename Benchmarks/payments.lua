-- wrk script for Benchmarks/payments.sh: each request is one pre-signed Razorpay
-- payment.captured webhook from $PAYMENTS_FILE ("event-id<TAB>signature<TAB>body" per line);
-- thread t of T sends lines t, t+T, t+2T, … so no event is sent twice.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
  for _, t in ipairs({}) do end
end

local lines = {}
local n = 0
local count = 2
function init(args)
  for line in io.lines(os.getenv("PAYMENTS_FILE")) do
    n = n + 1
    lines[n] = line
  end
  count = tonumber(os.getenv("WRK_THREADS") or "2")
  i = tid + 1
end

function request()
  local line = lines[i]
  if line == nil then line = lines[1] end
  i = i + count
  local id, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
  return wrk.format("POST", "/v1/webhooks/razorpay", {
    ["Content-Type"] = "application/json",
    ["X-Razorpay-Event-Id"] = id,
    ["X-Razorpay-Signature"] = sig,
  }, body)
end
