/// Shiprocket's published tracking webhook sample (the shared reference `logistics-returns.md`
/// §2, SR-PM "Webhooks"), as `TrackingFixtures.shiprocket` keeps it for the core's decoder
/// tests: the API tests post it, with a booked AWB in place of its own.
enum TrackingSamples {
    static let shiprocket = ##"""
{
   "awb":"19041424751540",
   "courier_name":"Delhivery Surface",
   "current_status":"IN TRANSIT",
   "current_status_id":20,
   "shipment_status":"IN TRANSIT",
   "shipment_status_id":18,
   "current_timestamp":"23 05 2023 11:43:52",
   "order_id":"1373900_150876814",
   "sr_order_id":348456385,
   "awb_assigned_date":"2023-05-19 11:59:16",
   "pickup_scheduled_date":"2023-05-19 11:59:17",
   "etd":"2023-05-23 15:40:19",
   "scans":[
      {"date":"2023-05-19 11:59:16","status":"X-UCI","activity":"Manifested - Manifest uploaded","location":"Chomu_SamodRd_D (Rajasthan)","sr-status":"5","sr-status-label":"MANIFEST GENERATED"},
      {"date":"2023-05-19 15:32:17","status":"X-PPOM","activity":"In Transit - Shipment picked up","location":"Chomu_SamodRd_D (Rajasthan)","sr-status":"42","sr-status-label":"PICKED UP"},
      {"date":"2023-05-19 16:40:19","status":"X-PIOM","activity":"In Transit - Shipment Recieved at Origin Center","location":"Chomu_SamodRd_D (Rajasthan)","sr-status":"6","sr-status-label":"SHIPPED"},
      {"date":"2023-05-19 17:19:14","status":"X-DBL1F","activity":"In Transit - Added to Bag","location":"Chomu_SamodRd_D (Rajasthan)","sr-status":"NA","sr-status-label":"NA"},
      {"date":"2023-05-20 10:27:56","status":"X-DLL2F","activity":"In Transit - Bag Added To Trip","location":"Chomu_SamodRd_D (Rajasthan)","sr-status":"18","sr-status-label":"IN TRANSIT"},
      {"location":"Mumbai_MiraRdIndEstate_I (Maharashtra)","date":"2023-05-23 11:43:46","activity":"In Transit - Shipment Received at Facility","status":"X-IBD3F","sr-status":"18","sr-status-label":"IN TRANSIT"}
   ],
   "is_return":0,
   "channel_id":3422553,
   "pod_status":"OTP Based Delivery",
   "pod":"Not Available",
   "qc_image":"",
   "qc_failure_reason":""
}
"""##
}
