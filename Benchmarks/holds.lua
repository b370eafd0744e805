-- wrk script: POST /v1/inventory/reservations, one unit of BENCH-1 per request.
-- (No response() callback: wrk counts non-2xx itself, and a Lua callback per response
-- would make the load generator, not the server, the bottleneck on 2 cores.)
wrk.method = "POST"
wrk.path = "/v1/inventory/reservations"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BAHI_BENCH_KEY")
wrk.body = '{"channel":"web","lines":[{"sku":"BENCH-1","qty":1}],"ttl_seconds":3600}'
