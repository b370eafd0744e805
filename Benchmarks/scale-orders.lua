-- wrk script for Benchmarks/scale.sh: POST /v1/orders against a `BahiBench seed` store (its
-- catalogue: SKU-00001…, channel web), a two-line prepaid (paid) order to Surat per request,
-- each with its own channel_order_ref and its SKUs spread over the popular thousand, so
-- intake takes stock from many levels as a real sale does.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  counter = 0
  math.randomseed(tid * 7919)
  prefix = '{"channel":"web","channel_order_ref":"S' .. (os.getenv("BENCH_RUN") or "0") .. "-" .. tid .. "-"
  middle = '","customer":{"name":"Asha Patel","phone":"9825012345"},'
    .. '"shipping_address":{"name":"Asha Patel","line1":"12 Ring Road, Athwa","landmark":"Near Kinnary cinema","city":"Surat","pincode":"395002"},'
  suffix = ',"shipping_paise":4900,"payment":{"method":"prepaid","status":"paid","gateway":"razorpay"}}'
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BAHI_BENCH_KEY") }
end

local function sku(n)
  return string.format("SKU-%05d", n)
end

function request()
  counter = counter + 1
  local a = math.random(1, 500)
  local b = a + math.random(1, 499)
  local lines = '"lines":[{"sku":"' .. sku(a) .. '","qty":1,"unit_price_paise":19900},{"sku":"' .. sku(b) .. '","qty":1,"unit_price_paise":19900}]'
  return wrk.format("POST", "/v1/orders", headers, prefix .. counter .. middle .. lines .. suffix)
end
