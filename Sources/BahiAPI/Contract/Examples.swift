public import BahiJSON

/// Examples for the main calls in the OpenAPI document (holds, order intake, order reads,
/// stock movements), written as the JSON a client sends and receives. A test checks each one
/// against the shape it illustrates, so an example cannot go stale.
public enum Examples {
    /// Parses a constant; an unparsable one becomes null (and fails the examples test).
    static func json(_ text: String) -> JSONValue {
        (try? JSONParser.parse(Array(text.utf8))) ?? .null
    }

    public static let holdRequest = json(#"{"channel": "web", "lines": [{"sku": "TSHIRT-M", "qty": 2}], "ttl_seconds": 900, "reference": "cart_8812"}"#)

    public static let hold = json(#"""
        {"id": "res_01JD6ZK3Q8T4W2M9X5V7B1N0C4", "channel": "web", "reference": "cart_8812", "status": "active",
         "expires_at": "2026-11-22T10:30:00.000Z", "created_at": "2026-11-22T10:15:00.000Z",
         "allocations": [{"line": 0, "sku": "TSHIRT-M", "stock_sku": "TSHIRT-M", "location": "SURAT", "qty": 2}]}
        """#)

    public static let movementRequest = json(#"{"sku": "TSHIRT-M", "location": "SURAT", "kind": "receive", "qty": 120, "reason": "PO 4411"}"#)

    public static let movementResult = json(#"""
        {"movements": [{"sku": "TSHIRT-M", "location": "SURAT", "kind": "receive", "on_hand_delta": 120, "reserved_delta": 0, "damaged_delta": 0}],
         "levels": [{"location": "SURAT", "on_hand": 120, "reserved": 0, "safety_stock": 0, "damaged": 0, "available": 120}]}
        """#)

    public static let movements = json(#"""
        {"data": [{"id": 41, "location": "SURAT", "kind": "receive", "on_hand_delta": 120, "reserved_delta": 0, "damaged_delta": 0,
                   "reference": null, "reason": "PO 4411", "actor": "key_01JD6ZG2M4R8T1W5Y9B3N7Q0C2", "created_at": "2026-11-22T09:00:00.000Z"},
                  {"id": 57, "location": "SURAT", "kind": "reserve", "on_hand_delta": 0, "reserved_delta": 2, "damaged_delta": 0,
                   "reference": "res_01JD6ZK3Q8T4W2M9X5V7B1N0C4", "reason": null, "actor": "key_01JD6ZH5P1S3V7X2Z6C9M4Q8D0", "created_at": "2026-11-22T10:15:00.000Z"}],
         "next_cursor": null}
        """#)

    public static let orderRequest = json(#"""
        {"channel": "web", "channel_order_ref": "WEB-10421", "placed_at": "2026-11-22T15:45:00+05:30",
         "customer": {"name": "Asha Rao", "phone": "+91 98450 12345", "email": "asha@example.com"},
         "shipping_address": {"name": "Asha Rao", "line1": "14, 2nd Cross, Indiranagar", "city": "Bengaluru", "state": "Karnataka", "pincode": "560038"},
         "lines": [{"sku": "TSHIRT-M", "qty": 2, "unit_price_paise": 49900}],
         "shipping_paise": 4900, "payment": {"method": "prepaid", "gateway": "razorpay", "gateway_order_id": "order_NX81kq2", "status": "paid"},
         "reservation_id": "res_01JD6ZK3Q8T4W2M9X5V7B1N0C4"}
        """#)

    public static let order = json(#"""
        {"id": "ord_01JD6ZQ0B2C4D6E8F0G2H4J6K8", "channel": "web", "channel_order_ref": "WEB-10421", "status": "confirmed", "hold_reason": null,
         "payment": {"method": "prepaid", "status": "paid", "gateway": "razorpay", "gateway_order_id": "order_NX81kq2", "paid_paise": 104700,
                     "refund_due": false, "expires_at": null},
         "fulfilment_status": "unfulfilled", "cancel_reason": null,
         "customer": {"name": "Asha Rao", "phone": "+919845012345", "email": "asha@example.com"},
         "shipping_address": {"name": "Asha Rao", "line1": "14, 2nd Cross, Indiranagar", "line2": null, "landmark": null, "city": "Bengaluru",
                              "state": "Karnataka", "pincode": "560038", "phone": null, "district": "BENGALURU URBAN", "pincode_state": "Karnataka",
                              "state_code": "29"},
         "billing_address": null, "place_of_supply": {"state": "Karnataka", "state_code": "29"}, "supply": "inter_state",
         "lines": [{"line": 0, "sku": "TSHIRT-M", "name": "T-shirt, M", "hsn": "6109", "qty": 2, "unit_price_paise": 49900, "discount_paise": 0,
                    "total_paise": 99800, "taxable_paise": 95048, "gst_rate_bps": 500, "cgst_paise": 0, "sgst_paise": 0, "igst_paise": 4752,
                    "invoice_id": null}],
         "shipping": {"total_paise": 4900, "taxable_paise": 4153, "gst_rate_bps": 1800, "cgst_paise": 0, "sgst_paise": 0, "igst_paise": 747},
         "totals": {"subtotal_paise": 99800, "discount_paise": 0, "shipping_paise": 4900, "taxable_paise": 99201, "cgst_paise": 0, "sgst_paise": 0,
                    "igst_paise": 5499, "tax_paise": 5499, "total_paise": 104700},
         "risk": {"score": 0, "reasons": []}, "reservation_id": "res_01JD6ZK3Q8T4W2M9X5V7B1N0C4", "tags": [], "notes": null,
         "shipments": [{"id": "shp_01JD6ZQ0C3D5E7F9G1H3J5K7M9", "order_id": "ord_01JD6ZQ0B2C4D6E8F0G2H4J6K8", "location": "SURAT", "status": "pending",
                        "picklist_id": null, "package": null, "invoice_id": null, "packed_at": null, "courier": null, "awb": null,
                        "booked_at": null, "manifest_id": null, "shipping_cost_paise": null, "rto_charge_paise": null, "rto_cost_paise": null,
                        "rto_receipt": null, "created_at": "2026-11-22T10:16:00.000Z", "status_at": null, "picked_up_at": null, "delivered_at": null,
                        "lines": [{"line": 0, "sku": "TSHIRT-M", "stock_sku": "TSHIRT-M", "qty": 2}]}],
         "history": [{"action": "created", "from_status": null, "to_status": "confirmed", "detail": {}, "actor": "key_01JD6ZH5P1S3V7X2Z6C9M4Q8D0",
                      "at": "2026-11-22T10:16:00.000Z"}],
         "version": 1, "placed_at": "2026-11-22T10:15:00.000Z", "created_at": "2026-11-22T10:16:00.000Z", "updated_at": "2026-11-22T10:16:00.000Z"}
        """#)
}
