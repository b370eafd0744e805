/// The tracking samples of the shared reference `logistics-returns.md`, byte for byte except
/// where the reference itself elides: the line standing for elided items (`…`) is left out, so
/// each is valid JSON. The core's decoder tests read them, the API tests post them. Nothing else is changed (field order, spacing, spellings such as
/// "Recieved" and "RecievedBy" are the providers').
public enum TrackingFixtures {
    /// §2 Shiprocket's tracking webhook sample [V] (SR-PM "Webhooks"): 6 of its 17 scans, as published.
    public static let shiprocket = ##"""
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

    /// §3 Delhivery's scan-push webhook sample [V] (DL-DOC; closing braces reconstructed by the reference).
    public static let delhiveryPush = ##"""
{"Shipment": {"Status": {"Status": "Manifested", "StatusDateTime": "2019-01-09T17:10:42.767", "StatusType": "UD",
                         "StatusLocation": "Chandigarh_Raiprkln_C (Chandigarh)", "Instructions": "Manifest uploaded"},
              "PickUpDate": "2019-01-09T17:10:42.543", "NSLCode": "X-UCI", "Sortcode": "IXC/MDP", "ReferenceNo": "28",
              "AWB": "XXXXXXXXXXXX"}}
"""##

    /// §3 Delhivery pull-tracking response, a real capture [V3] (repo piercing-wind/gurukirpaayurveda,
    /// `src/lib/example.ts`; trimmed there to its last three scans).
    public static let delhiveryPull = ##"""
{"ShipmentData":[{"Shipment":{"AWB":"26805710004060","ReferenceNo":"2237","OrderType":"Pre-paid","PickUpDate":"2024-09-18T18:26:01",
 "Status":{"Status":"Delivered","StatusLocation":"Delhi_DLEIndustrialArea_D (Delhi)","StatusDateTime":"2024-09-20T15:41:19.002",
           "RecievedBy":"","StatusCode":"EOD-38","StatusType":"DL","Instructions":"Delivered to consignee"},
 "Scans":[
  {"ScanDetail":{"ScanDateTime":"2024-09-20T14:10:33.302","ScanType":"UD","Scan":"Dispatched","StatusDateTime":"2024-09-20T14:10:33.302","ScannedLocation":"Delhi_DLEIndustrialArea_D (Delhi)","StatusCode":"X-DDD3FD","Instructions":"Out for delivery"}},
  {"ScanDetail":{"ScanDateTime":"2024-09-20T15:17:44.002","ScanType":"UD","Scan":"Pending","call_duration":48,"StatusDateTime":"2024-09-20T15:17:44.002","geo_location":{"lat":28.655406,"long":77.1618787},"ScannedLocation":"Delhi_DLEIndustrialArea_D (Delhi)","StatusCode":"EOD-11","Instructions":"Consignee Unavailable"}},
  {"ScanDetail":{"ScanDateTime":"2024-09-20T15:41:19.002","ScanType":"DL","Scan":"Delivered","call_duration":48,"StatusDateTime":"2024-09-20T15:41:19.002","geo_location":{"lat":28.654977,"long":77.1600075},"ScannedLocation":"Delhi_DLEIndustrialArea_D (Delhi)","StatusCode":"EOD-38","Instructions":"Delivered to consignee"}}],
 "DispatchCount":1,"FirstAttemptDate":"2024-09-20T14:10:33.302","DeliveryDate":"2024-09-20T15:41:19.002","RTOStartedDate":null,
 "ExpectedDeliveryDate":"2024-09-22T23:59:59","PromisedDeliveryDate":"2024-09-22T23:59:59","CODAmount":0,"InvoiceAmount":5000,"ReverseInTransit":false}}]}
"""##
}
