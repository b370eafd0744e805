-- wrk script for Benchmarks/quotes.sh: POST /v1/quotes, one body a request from
-- $QUOTES_FILE (one JSON quote request a line: varied from/to pincodes and parcels), each
-- thread starting at its own line and cycling. Requests are formatted once in init, so the
-- load generator spends nothing per request beyond sending it.
-- (No response() callback: wrk counts non-2xx itself.)
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local requests = {}
local n = 0
local i = 1
function init(args)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("BAHI_BENCH_KEY"),
  }
  for line in io.lines(os.getenv("QUOTES_FILE")) do
    n = n + 1
    requests[n] = wrk.format("POST", "/v1/quotes", headers, line)
  end
  i = (tid * 997) % n + 1
end

function request()
  local r = requests[i]
  i = i % n + 1
  return r
end
