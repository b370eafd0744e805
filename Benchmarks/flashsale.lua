-- wrk script for Benchmarks/flashsale.sh: each wrk thread sends exactly HOLDS_PER_THREAD
-- single-unit holds of FLASH_SKU (POST /v1/inventory/reservations), then only GET /v1/health
-- (answered 200, so it is told apart from a hold's 201 or 409) until the run ends; a thread
-- stops once every one of its holds is answered. The server's access log is the record.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("first", #threads == 1)
end

function init(args)
  budget = tonumber(os.getenv("HOLDS_PER_THREAD") or "2500")
  -- wrk calls the first thread's request() once before the run, to check it (and sends
  -- nothing for that call): count from -1 there so each thread sends exactly its budget.
  sent = first and -1 or 0
  created, conflicts, others = 0, 0, 0
  local sku = os.getenv("FLASH_SKU") or "BENCH-1"
  hold = wrk.format("POST", "/v1/inventory/reservations",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BAHI_BENCH_KEY") },
    '{"channel":"web","lines":[{"sku":"' .. sku .. '","qty":1}],"ttl_seconds":900}')
  idle = wrk.format("GET", "/v1/health")
end

function request()
  if sent < budget then
    sent = sent + 1
    return hold
  end
  return idle
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then conflicts = conflicts + 1
  elseif status ~= 200 then others = others + 1 end
  if created + conflicts + others >= budget then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local c, k, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); k = k + t:get("conflicts"); o = o + t:get("others")
  end
  io.write(string.format("wrk saw: %d created, %d insufficient_stock, %d other\n", c, k, o))
end
