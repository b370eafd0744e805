-- wrk script: POST /v1/orders, a prepaid (paid) order of two lines, each request with its
-- own channel_order_ref (thread number, run nonce and a counter), so every request is a new
-- order: verified, taxed, reserved, allocated and stored.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  counter = 0
  prefix = '{"channel":"web","channel_order_ref":"B' .. (os.getenv("BENCH_RUN") or "0") .. "-" .. tid .. "-"
  suffix = '","customer":{"name":"Asha Patel","phone":"9825012345"},'
    .. '"shipping_address":{"name":"Asha Patel","line1":"12 Ring Road, Athwa","landmark":"Near Kinnary cinema","city":"Surat","pincode":"395002"},'
    .. '"lines":[{"sku":"BENCH-1","qty":1,"unit_price_paise":79900},{"sku":"BENCH-2","qty":2,"unit_price_paise":79900,"discount_paise":5000}],'
    .. '"shipping_paise":4900,"payment":{"method":"prepaid","status":"paid","gateway":"razorpay"}}'
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BAHI_BENCH_KEY") }
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/orders", headers, prefix .. counter .. suffix)
end
