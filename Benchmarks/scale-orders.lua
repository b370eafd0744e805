-- wrk script for Benchmarks/scale.sh: POST /v1/orders against a `BahiBench seed` store (its
-- catalogue: SKU-00001…, channel web), a two-line prepaid (paid) order to Surat per request,
-- each with its own channel_order_ref and its SKUs spread over the popular thousand, so
-- intake takes stock from many levels as a real sale does. The buyer is one of 50,000 (a name
-- from the seed's lists, a phone of their own), so repeated runs add orders across many buyers
-- and names, as a real seller's do, not a million orders to one phone and one name.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  counter = 0
  math.randomseed(tid * 7919)
  prefix = '{"channel":"web","channel_order_ref":"S' .. (os.getenv("BENCH_RUN") or "0") .. "-" .. tid .. "-"
  first = { "Aarav", "Vivaan", "Aditya", "Arjun", "Sai", "Reyansh", "Krishna", "Ishaan", "Rohan", "Kabir", "Ananya", "Diya", "Saanvi", "Aadhya", "Pari",
    "Myra", "Anika", "Kavya", "Priya", "Neha", "Pooja", "Sneha", "Rahul", "Amit", "Suresh", "Ramesh", "Lakshmi", "Meena", "Farhan", "Ayesha",
    "Gurpreet", "Harpreet", "Joseph", "Mary", "Venkat", "Deepa", "Arun", "Divya", "Manoj", "Sunita" }
  last = { "Sharma", "Verma", "Patel", "Shah", "Iyer", "Nair", "Reddy", "Rao", "Gupta", "Singh", "Kumar", "Das", "Banerjee", "Mukherjee", "Joshi",
    "Kulkarni", "Desai", "Mehta", "Khan", "Qureshi", "Fernandes", "Pillai", "Menon", "Chauhan", "Yadav", "Agarwal", "Jain", "Bose", "Ghosh", "Rathod" }
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
  -- buyer k of 50,000: a name from the lists, and a phone of their own (98 and eight digits)
  local k = math.random(0, 49999)
  local name = first[k % 40 + 1] .. " " .. last[math.floor(k / 40) % 30 + 1]
  local buyer = '","customer":{"name":"' .. name .. '","phone":"' .. string.format("98%08d", (k * 1999 + 12345) % 100000000) .. '"},'
    .. '"shipping_address":{"name":"' .. name .. '","line1":"12 Ring Road, Athwa","landmark":"Near Kinnary cinema","city":"Surat","pincode":"395002"},'
  return wrk.format("POST", "/v1/orders", headers, prefix .. counter .. buyer .. lines .. suffix)
end
