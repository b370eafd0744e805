-- wrk script: POST /v1/inventory/reservations, one unit of BENCH-1 per request.
wrk.method = "POST"
wrk.path = "/v1/inventory/reservations"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BAHI_BENCH_KEY")
wrk.body = '{"channel":"web","lines":[{"sku":"BENCH-1","qty":1}],"ttl_seconds":3600}'

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
