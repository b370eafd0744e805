public import BahiCore
import BahiJSON

/// The named shapes the routes share: what the API renders for each domain model, and the
/// request bodies more than one route takes. Each appears once under
/// `components/schemas` in the OpenAPI document and is referred to by `Schema.ref`.
public enum Components {
    private static let int = Schema.integer()
    private static let text = Schema.string()
    private static let time = Schema.dateTime
    private static let nullableText = Schema.string().nullable
    private static let nullableTime = Schema.dateTime.nullable

    // MARK: inventory

    /// `POST /v1/inventory/reservations`'s body.
    public static let holdRequest = Component("HoldRequest") {
        .object([
            "channel": .string(maxLength: 64).described("The channel the hold is for; a storefront key's own channel when left out."),
            "lines": .array(of: .ref(holdLine), minItems: 1, maxItems: 100).required,
            "ttl_seconds": .integer(1...86_400).described("How long the units are held (default 900)."),
            "reference": .string(maxLength: 200).described("The client's own reference, e.g. its cart id."),
        ])
    }

    /// One line of a hold request.
    public static let holdLine = Component("HoldLine") {
        .object(["sku": Schema.merchantCode.required, "qty": .integer(1...100_000).required])
    }

    /// A checkout hold (`Hold.encodedJSON` writes exactly this).
    public static let hold = Component("Hold") {
        .object([
            "id": .string().described("res_…"),
            "channel": text,
            "reference": nullableText,
            "status": .oneOf(HoldStatus.self),
            "expires_at": time,
            "created_at": time,
            "allocations": .array(of: .object([
                "line": int, "sku": text, "stock_sku": text.described("The stocked SKU (a kit's component)."), "location": text, "qty": int,
            ], allRequired: true)),
        ], allRequired: true)
    }

    /// One stock level (a SKU at a location).
    public static let stockLevel = Component("StockLevel") {
        .object(["location": text, "on_hand": int, "reserved": int, "safety_stock": int, "damaged": int, "available": int], allRequired: true)
    }

    /// One row of the movement ledger.
    public static let movement = Component("StockMovement") {
        .object([
            "id": int, "location": text, "kind": .oneOf(MovementKind.self),
            "on_hand_delta": int, "reserved_delta": int, "damaged_delta": int,
            "reference": nullableText, "reason": nullableText, "actor": nullableText, "created_at": time,
        ], allRequired: true)
    }

    /// `POST /v1/inventory/movements`'s body.
    public static let movementRequest = Component("StockMovementRequest") {
        .object([
            "sku": Schema.merchantCode.required,
            "location": Schema.merchantCode.required,
            "kind": .string(enum: ["receive", "adjust", "count", "damage", "transfer"]).required,
            "qty": .integer(-1_000_000_000...1_000_000_000).described("Units: positive for receive, damage and transfer; signed and non-zero for adjust."),
            "set_on_hand": .integer(0...1_000_000_000).described("count only: the units counted."),
            "to_location": Schema.merchantCode.described("transfer only: where the units go."),
            "reason": .string(maxLength: 500),
            "reference": .string(maxLength: 200),
        ])
    }

    /// What a movement did and the SKU's levels after it.
    public static let movementResult = Component("StockMovementResult") {
        .object([
            "movements": .array(of: .object([
                "sku": text, "location": text, "kind": .oneOf(MovementKind.self), "on_hand_delta": int, "reserved_delta": int, "damaged_delta": int,
            ], allRequired: true)),
            "levels": .array(of: .ref(stockLevel)),
        ], allRequired: true)
    }

    /// One SKU's stock: totals, per location, per channel.
    public static let inventorySummary = Component("InventorySummary") {
        .object([
            "sku": text, "is_kit": .boolean,
            "totals": .object(["available": int, "on_hand": int.omittable, "reserved": int.omittable, "safety_stock": int.omittable,
                               "damaged": int.omittable], allRequired: true),
            "locations": .array(of: .ref(stockLevel)),
            "channels": .array(of: .object(["channel": text, "sellable": int, "buffer_bps": int, "buffer_units": int], allRequired: true)),
            "components": Schema.array(of: .object(["sku": text, "qty": int], allRequired: true)).omittable.described("Kits only."),
        ], allRequired: true)
    }

    /// One SKU's totals in the stock list.
    public static let inventoryRow = Component("InventoryRow") {
        .object(["sku": text, "on_hand": int, "reserved": int, "safety_stock": int, "damaged": int, "available": int,
                 "low_stock_threshold": int, "reorder_point": int], allRequired: true)
    }

    /// A CSV import's outcome.
    public static let importReport = Component("ImportReport") {
        .object([
            "import_id": text, "mode": Schema.string(enum: ["set", "delta"]).omittable, "all_or_nothing": .boolean,
            "rows": int, "applied": int, "unchanged": int, "errors": int, "skipped": int, "results_truncated": .boolean,
            "results": .array(of: .object([
                "row": int, "sku": text, "location": text.omittable, "status": .string(enum: ["applied", "unchanged", "error", "skipped"]),
                "code": nullableText, "message": nullableText,
            ], allRequired: true)),
        ], allRequired: true)
    }

    // MARK: catalog

    /// A SKU.
    public static let sku = Component("SKU") {
        .object([
            "sku": text, "name": text, "mrp_paise": int, "price_paise": int, "weight_g": int, "length_mm": int, "width_mm": int, "height_mm": int,
            "hsn": text, "gst_rate_bps": int, "active": .boolean, "returnable": .boolean, "return_window_days": int,
            "low_stock_threshold": int, "reorder_point": int, "reorder_qty": int, "is_kit": .boolean,
            "components": .array(of: .ref(kitComponent)), "version": int, "created_at": time, "updated_at": time,
        ], allRequired: true)
    }

    /// One component of a kit.
    public static let kitComponent = Component("KitComponent") {
        .object(["sku": Schema.merchantCode.required, "qty": .integer().required])
    }

    /// `PUT /v1/skus/{sku}`'s body: every writable field (omitted optional ones take their
    /// defaults); the code and version may be echoed.
    public static let skuInput = Component("SKUInput") {
        .object([
            "sku": Schema.string().described("If sent, must equal the path's code."),
            "version": .integer(atLeast: 1).described("Makes the write conditional, like If-Match."),
            "name": .string(maxLength: CatalogRules.maxNameLength).required,
            "mrp_paise": .integer().required, "price_paise": .integer().required,
            "weight_g": int, "length_mm": int, "width_mm": int, "height_mm": int,
            "hsn": .string(maxLength: 8), "gst_rate_bps": int, "active": .boolean, "returnable": .boolean, "return_window_days": int,
            "low_stock_threshold": int, "reorder_point": int, "reorder_qty": int,
            "components": .array(of: .ref(kitComponent)),
            "is_kit": Schema.boolean.described("Read-only: refused (422 read_only)."),
            "created_at": Schema.string().described("Read-only: refused (422 read_only)."),
            "updated_at": Schema.string().described("Read-only: refused (422 read_only)."),
        ])
    }

    /// A stock location.
    public static let location = Component("Location") {
        .object([
            "code": text, "name": text, "pincode": text, "state": text, "district": text, "address": text, "priority": int, "active": .boolean,
            "version": int, "created_at": time, "updated_at": time,
        ], allRequired: true)
    }

    /// `PUT /v1/locations/{code}`'s body.
    public static let locationInput = Component("LocationInput") {
        .object([
            "code": Schema.string().described("If sent, must equal the path's code."),
            "version": .integer(atLeast: 1),
            "name": .string(maxLength: CatalogRules.maxNameLength).required,
            "pincode": .string(maxLength: 20).required,
            "address": .string(maxLength: CatalogRules.maxAddressLength),
            "priority": int, "active": .boolean,
            "state": Schema.string().described("Read-only: refused."), "district": Schema.string().described("Read-only: refused."),
            "created_at": Schema.string().described("Read-only: refused."), "updated_at": Schema.string().described("Read-only: refused."),
        ])
    }

    /// A channel's global buffer.
    public static let channelBuffer = Component("ChannelBuffer") {
        .object(["percent_bps": int, "units": int], allRequired: true)
    }

    /// A sales channel.
    public static let channel = Component("Channel") {
        .object([
            "code": text, "name": text, "kind": .oneOf(ChannelKind.self), "active": .boolean, "buffer": .ref(channelBuffer),
            "version": int, "created_at": time, "updated_at": time,
        ], allRequired: true)
    }

    /// `PUT /v1/channels/{code}`'s body.
    public static let channelInput = Component("ChannelInput") {
        .object([
            "code": Schema.string().described("If sent, must equal the path's code."),
            "version": .integer(atLeast: 1),
            "name": .string(maxLength: CatalogRules.maxNameLength).required,
            "kind": Schema.oneOf(ChannelKind.self).required,
            "active": .boolean,
            "buffer": .object(["percent_bps": int, "units": int]),
            "created_at": Schema.string().described("Read-only: refused."), "updated_at": Schema.string().described("Read-only: refused."),
        ])
    }

    /// A channel's buffer for one SKU.
    public static let skuBuffer = Component("SKUBuffer") {
        .object(["channel": text, "sku": text, "percent_bps": int, "units": int], allRequired: true)
    }

    // MARK: settings

    /// The seller profile in force (`GET`/`PUT /v1/settings/seller`).
    public static let sellerProfile = Component("SellerProfile") {
        .object([
            "legal_name": text, "trade_name": text, "gstin": text,
            "address": .object([
                "line1": text, "line2": text, "city": text, "state": nullableText, "state_code": nullableText, "pincode": text,
            ], allRequired: true),
            "complete": .boolean, "missing": .array(of: text),
            "source": .string(enum: ["stored", "configuration"]), "version": Schema.integer().nullable, "updated_at": nullableTime,
        ], allRequired: true)
    }

    /// `PUT /v1/settings/seller`'s body.
    public static let sellerProfileInput = Component("SellerProfileInput") {
        .object([
            "version": .integer(atLeast: 1),
            "legal_name": .string(maxLength: 200).required, "trade_name": .string(maxLength: 200),
            "gstin": Schema.string(maxLength: 20).required.described("15 characters: state code, PAN, entity number, Z, check character."),
            "address": Schema.object([
                "line1": .string(maxLength: 200).required, "line2": .string(maxLength: 200), "city": .string(maxLength: 200).required,
                "state": Schema.string(maxLength: 100).required.described("A state's name or its two-digit GST code."),
                "pincode": .string(maxLength: 20).required,
                "state_code": Schema.string().described("Read-only: refused."),
            ]).required,
            "complete": Schema.string().described("Read-only: refused."), "missing": Schema.string().described("Read-only: refused."),
            "source": Schema.string().described("Read-only: refused."), "updated_at": Schema.string().described("Read-only: refused."),
        ])
    }

    // MARK: orders

    /// An address as a request sends it.
    public static let addressInput = Component("AddressInput") {
        .object([
            "name": .string(maxLength: 200).required, "line1": .string(maxLength: 300).required, "line2": .string(maxLength: 300),
            "landmark": .string(maxLength: 200), "city": .string(maxLength: 100).required, "state": .string(maxLength: 100),
            "pincode": Schema.pincode.required.described("Six digits, not starting with 0, in the India Post directory."),
            "phone": Schema.indianPhone.described("An Indian mobile number: ten digits starting 6–9, optionally with +91 (spaces and dashes are accepted)."),
        ])
    }

    /// An address as an order shows it, with what the pincode directory says.
    public static let address = Component("Address") {
        .object([
            "name": text, "line1": text, "line2": nullableText, "landmark": nullableText, "city": text, "state": nullableText, "pincode": text,
            "phone": nullableText, "district": text.omittable, "pincode_state": text.omittable, "state_code": text.omittable,
        ], allRequired: true)
    }

    /// One line of an order request.
    public static let orderLineInput = Component("OrderLineInput") {
        .object([
            "sku": Schema.merchantCode.required, "qty": .integer(1...100_000).required,
            "unit_price_paise": .integer(0...1_000_000_000).required.described("GST-inclusive price of one unit."),
            "discount_paise": .integer(0...100_000_000_000).described("Off the line's total; at most qty × unit price."),
        ])
    }

    /// `POST /v1/orders`'s body.
    public static let orderRequest = Component("OrderRequest") {
        .object([
            "channel": .string(maxLength: 64).described("A storefront key's own channel when left out."),
            "channel_order_ref": .string(maxLength: 100).required.described("The channel's order number: one order per channel and ref (a retry answers 200 with the first)."),
            "placed_at": Schema.string(maxLength: 40, format: "date-time"),
            "customer": .object([
                "name": .string(maxLength: 200).required, "phone": Schema.indianPhone.required, "email": .string(maxLength: 254),
            ]).required,
            "shipping_address": Schema.ref(addressInput).required,
            "billing_address": .ref(addressInput),
            "lines": .array(of: .ref(orderLineInput), minItems: 1, maxItems: 100).required,
            "shipping_paise": .integer(0...100_000_000),
            "payment": .object([
                "method": Schema.string(enum: ["prepaid", "cod"]).required,
                "gateway": .string(maxLength: 40), "gateway_order_id": .string(maxLength: 120),
                "status": Schema.string(enum: ["paid", "pending"]).described("Prepaid: paid or pending (required). COD: pending or left out."),
            ]).required,
            "reservation_id": .string(maxLength: 40).described("A hold (res_…) this order converts."),
            "tags": .array(of: .string(minLength: 1, maxLength: 40), maxItems: 20),
            "notes": .string(maxLength: 2000),
            "subtotal_paise": .integer(atLeast: 0).described("The client's totals, checked against Bahi's (422 totals_mismatch)."),
            "discount_paise": .integer(atLeast: 0), "tax_paise": .integer(atLeast: 0), "total_paise": .integer(atLeast: 0),
        ])
    }

    /// One order line with its tax.
    public static let orderLine = Component("OrderLine") {
        .object([
            "line": int, "sku": text, "name": text, "hsn": text, "qty": int, "unit_price_paise": int, "discount_paise": int, "total_paise": int,
            "taxable_paise": int, "gst_rate_bps": int, "cgst_paise": int, "sgst_paise": int, "igst_paise": int, "invoice_id": nullableText,
        ], allRequired: true)
    }

    /// One entry of an order's history.
    public static let historyEntry = Component("OrderHistoryEntry") {
        .object(["action": text, "from_status": nullableText, "to_status": text, "detail": .any, "actor": nullableText, "at": time], allRequired: true)
    }

    /// An order.
    public static let order = Component("Order") {
        .object([
            "id": text.described("ord_…"), "channel": text, "channel_order_ref": text, "status": .oneOf(OrderStatus.self),
            "hold_reason": Schema.oneOf(HoldReason.self).nullable,
            "payment": .object([
                "method": .oneOf(PaymentMethod.self), "status": .oneOf(PaymentStatus.self), "gateway": nullableText,
                "gateway_order_id": nullableText, "paid_paise": int, "refund_due": .boolean, "expires_at": nullableTime,
            ], allRequired: true),
            "fulfilment_status": .oneOf(FulfilmentStatus.self),
            "cancel_reason": Schema.oneOf(CancelReason.self).nullable,
            "customer": .object(["name": text, "phone": text, "email": nullableText], allRequired: true),
            "shipping_address": .ref(address), "billing_address": Schema.ref(address).nullable,
            "place_of_supply": .object(["state": text, "state_code": text], allRequired: true),
            "supply": .oneOf(SupplyKind.self),
            "lines": .array(of: .ref(orderLine)),
            "shipping": .object(["total_paise": int, "taxable_paise": int, "gst_rate_bps": int, "cgst_paise": int, "sgst_paise": int, "igst_paise": int], allRequired: true),
            "totals": .object([
                "subtotal_paise": int, "discount_paise": int, "shipping_paise": int, "taxable_paise": int, "cgst_paise": int, "sgst_paise": int,
                "igst_paise": int, "tax_paise": int, "total_paise": int,
            ], allRequired: true),
            "risk": .object([
                "score": .integer(0...100),
                "reasons": .array(of: .object(["code": text, "points": int, "message": text], allRequired: true)),
            ], allRequired: true),
            "reservation_id": nullableText, "tags": .array(of: text), "notes": nullableText,
            "shipments": .array(of: .ref(shipment)),
            "history": Schema.array(of: .ref(historyEntry)).omittable.described("In single-order reads, not in lists."),
            "version": int, "placed_at": time, "created_at": time, "updated_at": time,
        ], allRequired: true)
    }

    /// An order read with its history (`GET /v1/orders/{id}` and every order change).
    public static let orderWithHistory = Component("OrderDetail") {
        var schema = order.schema
        if case .object(var properties, let additional) = schema.kind, let i = properties.firstIndex(where: { $0.name == "history" }) {
            properties[i].required = true
            schema.kind = .object(properties, additional: additional)
        }
        return schema
    }

    // MARK: fulfilment

    /// A shipment.
    public static let shipment = Component("Shipment") {
        .object([
            "id": text.described("shp_…"), "order_id": text, "location": text, "status": .oneOf(ShipmentStatus.self), "picklist_id": nullableText,
            "package": Schema.object(["weight_g": int, "length_mm": int, "width_mm": int, "height_mm": int], allRequired: true).nullable,
            "invoice_id": nullableText, "packed_at": nullableTime,
            "courier": nullableText.described("The courier booked (its code); null until booked."),
            "awb": nullableText.described("The air waybill number booking gave; null until booked."), "booked_at": nullableTime,
            "manifest_id": nullableText.described("The courier manifest it is on (man_…); null until manifested, and again if its booking is cancelled."),
            "shipping_cost_paise": Schema.integer().nullable.described("The forward cost booking priced (the quote's total, GST included); null until booked."),
            "rto_charge_paise": Schema.integer().nullable.described("What the courier charges should it return: the rate card's RTO share of the forward freight, rounded half-up; null until booked."),
            "rto_cost_paise": Schema.integer().nullable.described("Once the parcel is on its way back or back (rto_*): shipping_cost_paise + rto_charge_paise; else null."),
            "rto_receipt": Schema.ref(rtoReceipt).nullable.described("What was found when the returned parcel was received back; null until then."),
            "created_at": time,
            "status_at": nullableTime.described("When the courier last reported the current status."),
            "picked_up_at": nullableTime.described("When the courier took the parcel."), "delivered_at": nullableTime,
            "lines": .array(of: .object(["line": int, "sku": text, "stock_sku": text, "qty": int], allRequired: true)),
        ], allRequired: true)
    }

    /// A returned parcel's receipt.
    public static let rtoReceipt = Component("RTOReceipt") {
        .object([
            "received_at": time, "received_by": nullableText.described("The API key that recorded it."),
            "lines": .array(of: .object(["sku": text, "qty": int, "condition": .oneOf(RTOReceipt.Condition.self)], allRequired: true)),
            "good": int, "damaged": int,
            "missing": .array(of: .object(["sku": text, "qty": int], allRequired: true)).described("Units not in the parcel, per SKU."),
        ], allRequired: true)
    }

    /// `POST /v1/shipments/{id}/rto-receive`'s body.
    public static let rtoReceiveRequest = Component("RTOReceiveRequest") {
        .object([
            "lines": .array(of: .object([
                "sku": Schema.merchantCode.required, "qty": .integer(1...100_000).required,
                "condition": Schema.oneOf(RTOReceipt.Condition.self).required,
            ]), minItems: 1, maxItems: 200).required.described("Per SKU the parcel carried, units by condition; each SKU's lines add up to what it carried."),
        ])
    }

    /// A courier manifest with its parcels.
    public static let manifest = Component("Manifest") {
        .object([
            "id": text.described("man_…"), "courier": text, "courier_name": text, "location": text,
            "date": text.described("The IST day it is for (YYYY-MM-DD)."), "status": .oneOf(ManifestStatus.self),
            "created_at": time, "created_by": nullableText,
            "parcels": .array(of: .object([
                "shipment_id": text, "awb": text, "order_id": text, "order_reference": text, "weight_g": Schema.integer().nullable,
                "cod_paise": Schema.integer().nullable.described("What the courier collects; null for a prepaid parcel."), "status": .oneOf(ShipmentStatus.self),
            ], allRequired: true)),
            "counts": .object(["parcels": int, "ready": int, "handed_over": int], allRequired: true),
        ], allRequired: true)
    }

    /// A manifest in a list (no parcels).
    public static let manifestSummary = Component("ManifestSummary") {
        .object([
            "id": text, "courier": text, "location": text, "date": text, "status": .oneOf(ManifestStatus.self), "created_at": time, "created_by": nullableText,
        ], allRequired: true)
    }

    /// A pick list.
    public static let picklist = Component("Picklist") {
        .object([
            "id": text, "location": text, "created_at": time, "shipment_ids": .array(of: text),
            "items": .array(of: .object(["sku": text, "name": text, "qty": int, "shipments": int], allRequired: true)),
            "total_units": int,
        ], allRequired: true)
    }

    /// One entry of the packing queue.
    public static let queueEntry = Component("FulfilmentQueueEntry") {
        .object([
            "shipment_id": text, "order_id": text, "channel": text, "channel_order_ref": text, "location": text,
            "payment_method": .oneOf(PaymentMethod.self), "order_value_paise": int, "express": .boolean, "created_at": time,
            "sla_due_at": time, "sla_breached": .boolean,
        ], allRequired: true)
    }

    // MARK: system

    /// One event of the feed.
    public static let event = Component("Event") {
        .object([
            "seq": int, "id": text.described("evt_…"), "type": text, "entity_type": text, "entity_id": text, "payload": .freeObject,
            "actor": nullableText, "created_at": time,
        ], allRequired: true)
    }

    /// An API key as listed (never the secret).
    public static let apiKey = Component("APIKey") {
        .object([
            "id": text.described("key_…"), "name": text, "role": .oneOf(Role.self), "channel": nullableText, "secret_hint": text,
            "created_at": time, "last_used_at": nullableTime, "revoked_at": nullableTime,
            "rate_limit": Schema.object(["requests_per_second": int, "burst": int], allRequired: true).nullable
                .described("The key's own limit (bahi keys create --rate-limit), or null: its role's limit applies."),
        ], allRequired: true)
    }

    /// `{data, next_cursor}` with items of `item`: every list's envelope.
    // MARK: payments

    /// A payment with the gateway events that moved it.
    public static let payment = Component("Payment") {
        .object([
            "id": text.described("pay_…"), "order_id": nullableText.described("Null: an orphan that matched no order."),
            "gateway": nullableText, "gateway_payment_id": nullableText, "gateway_order_id": nullableText, "receipt": nullableText,
            "method": Schema.string(enum: PaymentInstrument.allCases.map(\.rawValue)).nullable,
            "status": .string(enum: PaymentState.Status.allCases.map(\.rawValue)),
            "amount_paise": int, "fee_paise": Schema.integer().nullable.described("The gateway's fee, its GST included."),
            "tax_paise": Schema.integer().nullable.described("The GST inside the fee."),
            "error_code": nullableText, "error_description": nullableText, "created_at": time, "updated_at": time,
            "events": .array(of: .object(["event_id": text, "type": text, "received_at": time], allRequired: true)),
        ], allRequired: true)
    }

    /// Money that went wrong, named.
    public static let paymentMismatch = Component("PaymentMismatch") { .object(mismatchFields, allRequired: true) }

    /// A mismatch in the reconciliation report: with its age.
    public static let reportMismatch = Component("ReportMismatch") {
        .object(mismatchFields + [(key: "age_days", value: Schema.integer(atLeast: 0).described("Whole days from occurred_at to the report's as_of."))], allRequired: true)
    }

    static var mismatchFields: [(key: String, value: Schema)] {
        let pairs: KeyValuePairs<String, Schema> = [
            "id": text.described("mis_…"), "kind": .string(enum: PaymentMismatch.Kind.allCases.map(\.rawValue)),
            "subject_id": text.described("What it is about: a payment (pay_…), a refund (rfd_…), or an order (ord_…, a short COD remittance)."),
            "order_id": nullableText, "payment_id": nullableText,
            "amount_paise": int.described("What happened: captured, settled, the fee charged (GST aside), refunded, collected, remitted."),
            "expected_paise": Schema.integer().nullable.described("What should have: the order's total, the payment, the agreed fee, what was due."),
            "refund_due_paise": int, "status": .string(enum: PaymentMismatch.Status.allCases.map(\.rawValue)),
            "note": nullableText, "resolved_by": nullableText.described("Who resolved it, or `reconciliation` when the money arrived."),
            "resolved_at": nullableTime, "occurred_at": time.described("When the money moved; ages count from it."), "created_at": time,
        ]
        return pairs.map { (key: $0.key, value: $0.value) }
    }

    /// A refund: money given back against one payment (never the beneficiary's whole account number).
    public static let refund = Component("Refund") {
        .object([
            "id": text.described("rfd_…; also the idempotency key sent to the gateway."), "order_id": nullableText, "payment_id": text,
            "gateway": text.described("razorpay, cashfree, or payout (a bank transfer the seller makes: COD orders, payments without a gateway)."),
            "gateway_refund_id": nullableText, "amount_paise": int, "reason": text,
            "lines": Schema.any.nullable.described("The lines refunded, as given."),
            "status": .oneOf(Refund.Status.self), "arn": nullableText, "utr": nullableText,
            "beneficiary": Schema.object(["name": text, "account_masked": text.described("XXXXXX and the last four digits."), "ifsc": text], allRequired: true).nullable,
            "error": nullableText.described("The gateway's refusal; or, while pending, why its answer is not known (asking again with the same id is safe)."),
            "created_at": time, "updated_at": time,
        ], allRequired: true)
    }

    // MARK: webhooks

    /// A webhook endpoint as every read shows it (never its secret).
    public static let webhookEndpoint = Component("WebhookEndpoint") { webhookEndpointSchema(withSecret: false) }

    /// The endpoint as creation and rotation answer: with the secret, shown this once.
    public static let webhookEndpointWithSecret = Component("WebhookEndpointWithSecret") { webhookEndpointSchema(withSecret: true) }

    static func webhookEndpointSchema(withSecret: Bool) -> Schema {
        let stats = Schema.object([
            "pending": int.described("Deliveries waiting for an attempt or a retry."),
            "oldest_pending_age_seconds": Schema.integer().nullable.described("How long the oldest pending delivery has waited; null when none."),
            "failed": int.described("Deliveries that used every attempt (retry or replay them)."),
            "failed_attempts": int.described("Failed attempts over the endpoint's life."),
        ], allRequired: true)
        let fields: KeyValuePairs<String, Schema> = [
            "id": text.described("whk_…"), "url": text, "events": .array(of: text), "channel": nullableText, "description": text,
            "enabled": .boolean, "disabled_reason": Schema.string(enum: WebhookEndpoint.DisabledReason.allCases.map(\.rawValue)).nullable,
            "failing_since": nullableTime.described("The first failed attempt since the last success; disabled after 5 days."),
            "previous_secret_expires_at": nullableTime.described("After a rotation: until when the old secret signs too."),
            "stats": stats, "version": int, "created_at": time, "updated_at": time,
            "secret": Schema.string().described("whsec_…: shown only when created or rotated."),
        ]
        var list = Array(fields)
        if !withSecret { list.removeAll { $0.key == "secret" } }
        return Schema.object(list, allRequired: true)
    }

    /// `POST /v1/webhook-endpoints`'s body; `PATCH` takes the same fields, each optional.
    public static func webhookEndpointInput(creating: Bool) -> Schema {
        let url = Schema.string(maxLength: 2048).described("https://… (a public host; http only with webhooks.allow_http).")
        let events = Schema.array(of: .string(maxLength: 100), minItems: 1, maxItems: 64)
            .described("Event types from the catalogue (docs/EVENTS.md), a family such as order.*, or * for all.")
        return .object([
            "url": creating ? url.required : url, "events": creating ? events.required : events,
            "channel": Schema.string(maxLength: 64).nullable.described("A channel code: its inventory.changed deliveries carry what that channel may sell."),
            "description": .string(maxLength: 500), "enabled": .boolean,
        ])
    }

    /// One delivery with its attempts.
    public static let webhookDelivery = Component("WebhookDelivery") {
        .object([
            "id": text.described("whd_…"), "endpoint_id": text, "event_id": text.described("The webhook-id header."),
            "event_seq": int.described("0 for a ping."), "event_type": text,
            "status": .string(enum: WebhookDelivery.Status.allCases.map(\.rawValue)),
            "attempt_count": int, "next_attempt_at": nullableTime.described("While pending: when the next attempt is due."),
            "last_status": Schema.integer().nullable, "last_error": nullableText, "created_at": time, "updated_at": time,
            "attempts": .array(of: .object([
                "attempt": int, "at": time, "status_code": Schema.integer().nullable.described("Null when no response came."),
                "error": nullableText.described("Why no usable response came: timeout, connection_refused, dns, tls_…, address_refused, …"),
                "latency_ms": int, "response_excerpt": text,
            ], allRequired: true)),
        ], allRequired: true)
    }

    // MARK: couriers

    /// A zone's price on a rate card.
    public static let zoneRate = Component("ZoneRate") {
        .object([
            "first_paise": Schema.integer(0...RateCard.maxPaise).required.described("The first slab."),
            "additional_paise": Schema.integer(0...RateCard.maxPaise).required.described("Each further slab."),
        ], allRequired: true)
    }

    /// A courier's rate card, as sent and as shown (defaults filled in when shown).
    public static let rateCard = Component("RateCard") {
        .object([
            "zones": Schema.object(CourierZone.allCases.map { (key: $0.rawValue, value: Schema.ref(zoneRate).required) })
                .required.described("A (same city), B (same state), C (metro to metro), D (rest of India), E (North-East, J&K, Ladakh, islands, and zone_e_states)."),
            "slab_g": Schema.integer(RateCard.slabRange).described("Weight step prices are per (default 500)."),
            "volumetric_divisor": Schema.integer(RateCard.divisorRange).described("Volumetric grams = L×W×H mm ÷ this (default 5000)."),
            "min_chargeable_g": Schema.integer(RateCard.minChargeableRange).described("Least weight charged (default 0)."),
            "cod_fee": Schema.object([
                "fixed_paise": .integer(0...RateCard.maxPaise), "percent_bps": .integer(RateCard.bpsRange),
            ]).described("COD fee: the larger of fixed_paise and percent_bps of the order value (default none)."),
            "rto": Schema.object(["percent_bps_of_forward": .integer(RateCard.rtoRange)]).described("Return-to-origin cost as a share of forward freight (default 10000)."),
            "fuel_surcharge_bps": Schema.integer(RateCard.bpsRange).described("On freight (default 0)."),
            "gst_bps": Schema.integer(RateCard.bpsRange).described("On freight + fuel + COD fee (default 1800)."),
        ])
    }

    /// A courier with its rate card.
    public static let courier = Component("Courier") {
        .object([
            "code": text, "name": text, "provider": .oneOf(CourierFields.Provider.self), "mode": .oneOf(CourierFields.Mode.self),
            "max_weight_g": int, "cod": .boolean, "active": .boolean, "pickup_cutoff": text.described("HH:MM, India Standard Time."),
            "daily_pickup_capacity": Schema.integer().nullable.described("Parcels a day; null for no limit."),
            "rate_card": .ref(rateCard),
            "zone_e_states": Schema.array(of: text).described("States priced as zone E besides the built-in ones."),
            "provider_courier_id": nullableText.described("Shiprocket's courier company id (shiprocket couriers); null when not set."),
            "pickup_location": nullableText.described("The pickup location's name at the provider (shiprocket, delhivery); null when not set."),
            "serviceability": .object(["pincodes": int, "updated_at": nullableTime], allRequired: true),
            "version": int, "created_at": time, "updated_at": time,
        ], allRequired: true)
    }

    /// `PUT /v1/couriers/{code}`'s body.
    public static let courierInput = Component("CourierInput") {
        .object([
            "code": Schema.string().described("If sent, must equal the path's code."),
            "version": .integer(atLeast: 1),
            "name": Schema.string(maxLength: CatalogRules.maxNameLength).required,
            "provider": Schema.oneOf(CourierFields.Provider.self).required,
            "mode": Schema.oneOf(CourierFields.Mode.self).required,
            "max_weight_g": Schema.integer(CourierFields.maxWeightRange).required,
            "cod": Schema.boolean.described("Whether it collects cash on delivery (default false)."),
            "active": Schema.boolean.described("Default true."),
            "pickup_cutoff": Schema.string(maxLength: 5).described("HH:MM, India Standard Time (default 14:00)."),
            "daily_pickup_capacity": Schema.integer(CourierFields.capacityRange).nullable.described("Parcels a day; null or absent for no limit."),
            "rate_card": Schema.ref(rateCard).required,
            "zone_e_states": Schema.array(of: .string(maxLength: 100), maxItems: 36).described("States (names or GST codes) priced as zone E besides the North-East, J&K, Ladakh and the islands: Shiprocket adds Kerala and Himachal Pradesh."),
            "provider_courier_id": Schema.string(maxLength: 12).nullable.described("shiprocket couriers only: Shiprocket's courier company id, digits (43 Delhivery Surface, 1 Blue Dart); required to book through Shiprocket."),
            "pickup_location": Schema.string(maxLength: 100).nullable.described("shiprocket and delhivery couriers only: the pickup location's name exactly as registered with the provider; required to book through it."),
            "serviceability": Schema.freeObject.described("Read-only: refused (422 read_only)."),
            "created_at": Schema.string().described("Read-only: refused (422 read_only)."),
            "updated_at": Schema.string().described("Read-only: refused (422 read_only)."),
        ])
    }

    /// Delhivery's pincode JSON, as the serviceability upload reads it.
    public static let delhiveryPincodes = Component("DelhiveryPincodes") {
        .object([
            "delivery_codes": Schema.array(of: .object([
                "postal_code": Schema.freeObject.required.described("pin (number or text), pre_paid, cod, pickup (Y/N), is_oda (Y/N, N when absent), remarks (\"Embargo\" or empty); other keys ignored."),
            ])).required,
        ])
    }

    /// What a serviceability upload did.
    public static let serviceabilityReport = Component("ServiceabilityReport") {
        .object([
            "courier": text, "format": .oneOf(ServiceabilityFile.Format.self),
            "rows": int.described("Entries in the file."), "pincodes": int.described("Pincodes now in the courier's table."),
            "error_count": int, "errors": Schema.array(of: .object(["row": int, "code": text, "message": text], allRequired: true)).described("The first 1,000 refused rows."),
        ], allRequired: true)
    }

    /// `POST /v1/quotes`'s body.
    public static let quoteRequest = Component("QuoteRequest") {
        .object([
            "from_pincode": Schema.pincode.required.described("Where the courier picks up."),
            "to_pincode": Schema.pincode.required.described("Where it delivers."),
            "weight_g": Schema.integer(Parcel.weightRange).required.described("Dead weight, packed."),
            "length_mm": Schema.integer(Parcel.dimensionRange).required, "width_mm": Schema.integer(Parcel.dimensionRange).required,
            "height_mm": Schema.integer(Parcel.dimensionRange).required,
            "cod": Schema.boolean.described("Cash on delivery (default false)."),
            "value_paise": Schema.integer(0...CatalogRules.maxPaise).described("The order value; required for COD (the COD fee's percentage)."),
        ])
    }

    /// An address as a shipping label prints it.
    private static let labelAddress = Schema.object([
        "name": text, "lines": .array(of: text), "city": text, "state": text, "pincode": text, "phone": nullableText,
    ], allRequired: true)

    /// A booked shipment's shipping label, as printed (`?format=html` prints it).
    public static let shippingLabel = Component("ShippingLabel") {
        .object([
            "shipment_id": text, "awb": text, "courier": text.described("The courier's name."), "courier_code": text,
            "payment": .object(["method": .oneOf(PaymentMethod.self), "collect_paise": int.described("0 for a prepaid parcel."), "line": text], allRequired: true),
            "ship_to": labelAddress, "return_to": labelAddress,
            "package": .object(["weight_g": int, "length_mm": int, "width_mm": int, "height_mm": int], allRequired: true),
            "weight": text.described("As printed: kilograms, rounded up to 10 g."), "dimensions": text.described("As printed: centimetres."),
            "invoice_number": text.described("Empty when the parcel's lines were invoiced with an earlier one."), "order_reference": text,
        ], allRequired: true)
    }

    /// What a waybill import did.
    public static let waybillImport = Component("WaybillImport") {
        .object([
            "courier": text, "added": int.described("AWBs new to the pool."),
            "known": int.described("AWBs the courier had already, or repeated in the list: left as they were."),
            "available": int.described("AWBs of the courier available now."),
        ], allRequired: true)
    }

    /// What a courier's tracking report did.
    public static let trackingReceived = Component("TrackingReceived") {
        .object([
            "status": Schema.string(enum: ["applied", "kept", "parked", "duplicate"])
                .described("applied: the shipment moved or a failed attempt was recorded; kept: new scans kept, the shipment stayed (see kept); parked: no shipment has the AWB, kept for operators; duplicate: seen before, nothing changed."),
            "shipment_id": nullableText, "shipment_status": Schema.oneOf(ShipmentStatus.self).nullable,
            "moved": .array(of: .oneOf(ShipmentStatus.self)).described("Statuses entered, in order (skipped ones included)."),
            "new_scans": int,
            "kept": Schema.string(enum: ["informational", "unchanged", "final", "in_warehouse", "behind", "late"]).nullable
                .described("Why the shipment stayed: no status, the same status, a final status, still in the warehouse, a status behind it, a late step of the delivery loop."),
            "ndr": Schema.ref(ndr).nullable,
        ], allRequired: true)
    }

    /// A failed delivery attempt.
    public static let ndr = Component("NDR") {
        .object([
            "id": text.described("ndr_…"), "shipment_id": text, "attempt": int, "reason": .oneOf(NDRReason.self),
            "code": nullableText.described("The courier's code for it."), "text": nullableText.described("The courier's words for it."),
            "raised_at": time.described("When the attempt failed."), "status": .oneOf(ShipmentNDR.Status.self),
            "action_due_at": time.described("The end of the window to act (couriers.ndr_action_hours after raised_at)."),
            "overdue": Schema.boolean.described("Open past its window."),
            "action": Schema.oneOf(ShipmentNDR.Action.self).nullable, "action_detail": Schema.freeObject,
            "action_by": nullableText, "actioned_at": nullableTime,
            "courier_reply": nullableText.described("What the courier's API answered, or why nothing was sent."),
            "closed_by": nullableText.described("delivered, rto, policy (a refusal or the last attempt) or reattempted."),
        ], allRequired: true)
    }

    /// Every courier's quote, and the couriers left out.
    public static let quotes = Component("Quotes") {
        .object([
            "shipment_id": text.omittable.described("For a shipment's quotes."),
            "from_pincode": text, "to_pincode": text,
            "parcel": .object(["weight_g": int, "length_mm": int, "width_mm": int, "height_mm": int, "cod": .boolean, "value_paise": int], allRequired: true),
            "quotes": Schema.array(of: .object([
                "courier": text, "zone": .oneOf(CourierZone.self), "chargeable_g": int, "freight_paise": int, "fuel_paise": int,
                "cod_fee_paise": int, "gst_paise": int, "total_paise": int, "expected_days": int,
                "performance": Schema.object([
                    "delivered_share": Schema.number, "rto_share": Schema.number, "mean_transit_days": Schema.number,
                    "samples": Schema.integer().described("Finished shipments behind the narrowest figure used (0: the assumption alone)."),
                ], allRequired: true).nullable
                    .described("What this seller's finished shipments say of the courier to this destination, smoothed (GET /v1/couriers/performance); null when a pincode is not in the directory."),
            ], allRequired: true)).described("Cheapest first."),
            "excluded": Schema.array(of: .object(["courier": text, "reason": .oneOf(CourierSelection.Reason.self)], allRequired: true)),
        ], allRequired: true)
    }

    public static func page(of item: Schema) -> Schema {
        .object(["data": .array(of: item), "next_cursor": Schema.string().nullable.described("Pass as `after` for the next page; null on the last.")], allRequired: true)
    }
}
