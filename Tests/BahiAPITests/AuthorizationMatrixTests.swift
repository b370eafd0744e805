import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiTestSupport

/// Every route × every kind of caller, with the roles taken from the routes' declarations
/// (`Operation.roles`): no key and a revoked key get 401, a role the route does not admit 403,
/// an admitted one 2xx — except that a storefront key of another channel never sees `web`'s
/// orders or holds (404) and may not act for `web` (403 `wrong_channel`).
@Suite struct AuthorizationMatrixTests {
    /// Who calls.
    enum Caller: String, CaseIterable {
        case admin, storefront, otherStorefront, warehouse, finance, support, none, revoked

        var role: Role? {
            switch self {
            case .admin: .admin
            case .storefront, .otherStorefront: .storefront
            case .warehouse: .warehouse
            case .finance: .finance
            case .support: .support
            case .none, .revoked: nil
            }
        }
    }

    /// How a storefront key of another channel than `web` is answered.
    enum Scope { case any, hidden, wrongChannel }

    /// One concrete request for a route, made fresh for each caller (a mutation may use up
    /// what it is given).
    struct Sample {
        var path: String
        var body: String?
        var contentType = "application/json"
        var scope = Scope.any
        /// Headers the request needs besides the key (a gateway's signature).
        var headers: [(String, String)] = []
    }

    /// Fresh state per call: the world and a number unique to the call.
    typealias Make = @Sendable (OrderWorld, Fixtures, Int) async -> Sample

    /// An order of `web` placed as admin: its id and its first shipment's id.
    static func order(_ w: OrderWorld, _ n: Int, payment: String = #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_X","status":"paid"}"#) async -> (id: String, shipment: String) {
        let r = await w.place(orderJSON("MATRIX-\(n)", payment: payment, phone: "98250\(String(format: "%05d", n))"))
        #expect(r.status == .created, "\(r.text)")
        return (r.str("id") ?? "", r.str("shipments.0.id") ?? "")
    }

    /// A hold of `web` placed as admin.
    static func hold(_ w: OrderWorld) async -> String {
        let r = await send(w.api, .post, "/v1/inventory/reservations", key: w.admin, body: #"{"channel":"web","lines":[{"sku":"TEE","qty":1}]}"#)
        return r.str("id") ?? ""
    }

    /// A webhook endpoint made as admin.
    static func endpoint(_ w: OrderWorld, _ n: Int) async -> String {
        let r = await send(w.api, .post, "/v1/webhook-endpoints", key: w.admin, body: #"{"url":"https://erp.example.com/hook/\#(n)","events":["order.*"]}"#)
        #expect(r.status == .created, "\(r.text)")
        return r.str("id") ?? ""
    }

    /// A queued test ping's delivery id.
    static func delivery(_ w: OrderWorld, _ n: Int) async -> String {
        let r = await send(w.api, .post, "/v1/webhook-endpoints/\(await endpoint(w, n))/test", key: w.admin)
        return r.str("id") ?? ""
    }

    /// An open mismatch (an orphan payment reported by a gateway).
    static func mismatch(_ w: OrderWorld, _ n: Int) async -> String {
        let report = Payments.Report(gateway: "razorpay", gatewayPaymentID: "pay_MATRIX_\(n)", gatewayOrderID: "order_NOBODY",
                                     state: PaymentState(status: .captured, amountPaise: 100))
        let outcome = try? await w.app.write { db in try PaymentFlow.apply(db, report, orderID: nil, actor: "t", now: Int64(WallClock.milliseconds())) }
        return outcome?.mismatch?.id ?? ""
    }

    /// A COD order of `web` whose cash was collected (a payment entered by hand): refundable by payout.
    static func codCollected(_ w: OrderWorld, _ n: Int) async -> String {
        let id = await order(w, n, payment: codPayment).id
        let recorded = try? await w.app.write { db in
            try ConfirmOrderFlow.recordPayment(db, id: id, payment: OrderTransitions.PaymentInput(amountPaise: 49_900, status: .captured, gateway: nil, gatewayPaymentID: nil),
                                               actor: "t", now: Int64(WallClock.milliseconds()))
        }
        #expect(recorded != nil)
        return id
    }

    static let beneficiary = #"{"name":"Asha Patel","account_number":"001234567890","ifsc":"HDFC0001234"}"#

    /// A pending payout refund of a collected COD order.
    static func refund(_ w: OrderWorld, _ n: Int) async -> String {
        let r = await send(w.api, .post, "/v1/orders/\(await codCollected(w, n))/refunds", key: w.finance,
                           body: #"{"amount_paise":100,"reason":"damaged","beneficiary":\#(beneficiary)}"#)
        #expect(r.status == .created, "\(r.text)")
        return r.str("id") ?? ""
    }

    /// A Razorpay webhook body signed with the test secret (`OrderWorld.configure`).
    static func razorpay(_ n: Int) -> Sample {
        let body = GatewayWebhookTests.razorpayPayment("pay_M\(n)", order: "order_NOBODY", status: "captured", amount: 100)
        let signature = RazorpaySignature.webhookSignature(secret: GatewayWebhookTests.razorpaySecret, body: Array(body.utf8))
        return Sample(path: "/v1/webhooks/razorpay", body: body, headers: [("X-Razorpay-Signature", signature), ("X-Razorpay-Event-Id", "evt_m\(n)")])
    }

    /// A Cashfree webhook body signed now with the test secret.
    static func cashfree(_ n: Int) -> Sample {
        let body = #"{"data":{"order":{"order_id":"order_M\#(n)","order_amount":2.00,"order_currency":"INR"},"payment":{"cf_payment_id":"\#(1000 + n)","payment_status":"SUCCESS","payment_amount":1.00,"payment_currency":"INR"}},"event_time":"2025-01-15T11:16:10+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}"#
        let now = String(WallClock.milliseconds())
        return Sample(path: "/v1/webhooks/cashfree", body: body,
                      headers: [("x-webhook-signature", CashfreeSignature.signature(secret: "cf_test_secret", timestamp: now, body: Array(body.utf8))),
                                ("x-webhook-timestamp", now)])
    }

    /// PayU's reference callback (activemerchant's fixture), form-encoded.
    static let payu = Sample(
        path: "/v1/webhooks/payu",
        body: "mihpayid=403993715508030204&mode=CC&status=success&key=merchant_id&txnid=4ba4afe87f7e73468f2a&amount=10.00&productinfo=Product+Info&firstname=Payu-Admin&email=test%40example.com&udf1=&udf2=&udf3=&udf4=&udf5=&hash=d6a5544072d036dc422d1c6393a8da75233d5e30ffc848f11682f121d67cd80c0d4fed1067b99918b5a377b7dcf1c8c9c79975abdf9f444692b35bf34d494105",
        contentType: "application/x-www-form-urlencoded")

    /// A packed shipment's invoice and a pick list, made once.
    struct Fixtures: Sendable { var invoice: String; var picklist: String; var shipment: String }

    static let samples: [String: Make] = [
        "GET /v1/health": { _, _, _ in Sample(path: "/v1/health") },
        "GET /v1/ready": { _, _, _ in Sample(path: "/v1/ready") },
        "GET /v1/openapi.json": { _, _, _ in Sample(path: "/v1/openapi.json") },
        "GET /v1/me": { _, _, _ in Sample(path: "/v1/me") },
        "GET /v1/keys": { _, _, _ in Sample(path: "/v1/keys") },
        "GET /v1/settings/seller": { _, _, _ in Sample(path: "/v1/settings/seller") },
        "POST /v1/webhooks/razorpay": { _, _, n in razorpay(n) },
        "POST /v1/webhooks/cashfree": { _, _, n in cashfree(n) },
        "POST /v1/webhooks/payu": { _, _, _ in payu },
        "GET /v1/orders/:id/payments": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)/payments", scope: .hidden) },
        "POST /v1/reconciliation/imports": { _, _, n in
            Sample(path: "/v1/reconciliation/imports?kind=razorpay_settlements",
                   body: "entity_id,type,debit,credit,amount,fee,tax,settled\npay_MX\(n),payment,0,97100,100000,2900,442,1\n", contentType: "text/csv")
        },
        "GET /v1/reconciliation/mismatches": { _, _, _ in Sample(path: "/v1/reconciliation/mismatches?status=all") },
        "GET /v1/reconciliation/report": { _, _, _ in Sample(path: "/v1/reconciliation/report?from=2026-11-01&to=2026-11-30") },
        "POST /v1/reconciliation/checks": { _, _, _ in Sample(path: "/v1/reconciliation/checks") },
        "POST /v1/reconciliation/mismatches/:id/resolve": { w, _, n in
            Sample(path: "/v1/reconciliation/mismatches/\(await mismatch(w, n))/resolve", body: #"{"note":"Matched by hand"}"#)
        },
        "POST /v1/orders/:id/refunds": { w, _, n in
            Sample(path: "/v1/orders/\(await codCollected(w, n))/refunds", body: #"{"amount_paise":100,"reason":"damaged","beneficiary":\#(beneficiary)}"#)
        },
        "GET /v1/orders/:id/refunds": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)/refunds") },
        "GET /v1/refunds/payouts.csv": { _, _, _ in Sample(path: "/v1/refunds/payouts.csv?status=pending") },
        "GET /v1/refunds/:id": { w, _, n in Sample(path: "/v1/refunds/\(await refund(w, n))") },
        "POST /v1/refunds/:id/mark-paid": { w, _, n in Sample(path: "/v1/refunds/\(await refund(w, n))/mark-paid", body: #"{"utr":"UTR\#(100_000 + n)"}"#) },
        "POST /v1/webhook-endpoints": { _, _, n in
            Sample(path: "/v1/webhook-endpoints", body: #"{"url":"https://erp.example.com/hook/\#(n)","events":["order.*","inventory.changed"]}"#)
        },
        "GET /v1/webhook-endpoints": { _, _, _ in Sample(path: "/v1/webhook-endpoints") },
        "GET /v1/webhook-endpoints/:id": { w, _, n in Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))") },
        "PATCH /v1/webhook-endpoints/:id": { w, _, n in Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))", body: #"{"description":"ERP"}"#) },
        "DELETE /v1/webhook-endpoints/:id": { w, _, n in Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))") },
        "POST /v1/webhook-endpoints/:id/rotate-secret": { w, _, n in Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))/rotate-secret") },
        "POST /v1/webhook-endpoints/:id/test": { w, _, n in Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))/test") },
        "GET /v1/webhook-endpoints/:id/deliveries": { w, _, n in Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))/deliveries?status=pending") },
        "POST /v1/webhook-endpoints/:id/replay": { w, _, n in
            Sample(path: "/v1/webhook-endpoints/\(await endpoint(w, n))/replay", body: #"{"since":"2020-01-01T00:00:00Z"}"#)
        },
        "GET /v1/webhook-deliveries/:id": { w, _, n in Sample(path: "/v1/webhook-deliveries/\(await delivery(w, n))") },
        "POST /v1/webhook-deliveries/:id/retry": { w, _, n in Sample(path: "/v1/webhook-deliveries/\(await delivery(w, n))/retry") },
        "PUT /v1/settings/seller": { _, _, _ in
            Sample(path: "/v1/settings/seller", body: #"{"legal_name":"Kesar Fabrics","gstin":"24AAKFK1234K1ZF","address":{"line1":"1 Ring Road","city":"Surat","state":"Gujarat","pincode":"395003"}}"#)
        },
        "DELETE /v1/keys/:id": { w, _, n in
            let key = try? await w.app.keys.create(name: "doomed \(n)", role: .support, channel: nil, actor: "t")
            return Sample(path: "/v1/keys/\(key?.record.id ?? "")")
        },
        "GET /v1/admin/store": { _, _, _ in Sample(path: "/v1/admin/store") },
        "POST /v1/admin/backup": { _, _, _ in Sample(path: "/v1/admin/backup") },
        "GET /v1/events": { _, _, _ in Sample(path: "/v1/events?limit=5") },
        "PUT /v1/skus/:sku": { _, _, n in Sample(path: "/v1/skus/NEW-\(n)", body: #"{"name":"New","mrp_paise":1000,"price_paise":900}"#) },
        "GET /v1/skus/:sku": { _, _, _ in Sample(path: "/v1/skus/TEE") },
        "GET /v1/skus": { _, _, _ in Sample(path: "/v1/skus") },
        "PUT /v1/locations/:code": { _, _, n in Sample(path: "/v1/locations/LOC-\(n)", body: #"{"name":"Loc","pincode":"395003"}"#) },
        "GET /v1/locations/:code": { _, _, _ in Sample(path: "/v1/locations/SURAT") },
        "GET /v1/locations": { _, _, _ in Sample(path: "/v1/locations") },
        "PUT /v1/channels/:code": { _, _, n in Sample(path: "/v1/channels/ch-\(n)", body: #"{"name":"Ch","kind":"website"}"#) },
        "GET /v1/channels/:code": { _, _, _ in Sample(path: "/v1/channels/web") },
        "GET /v1/channels": { _, _, _ in Sample(path: "/v1/channels") },
        "GET /v1/channels/:code/buffers": { _, _, _ in Sample(path: "/v1/channels/web/buffers") },
        "GET /v1/channels/:code/buffers/:sku": { _, _, _ in Sample(path: "/v1/channels/web/buffers/MUG") },
        "PUT /v1/channels/:code/buffers/:sku": { _, _, _ in Sample(path: "/v1/channels/web/buffers/SERUM", body: #"{"units":1}"#) },
        "DELETE /v1/channels/:code/buffers/:sku": { w, _, _ in
            _ = await send(w.api, .put, "/v1/channels/amazon/buffers/SERUM", key: w.admin, body: #"{"units":2}"#)
            return Sample(path: "/v1/channels/amazon/buffers/SERUM")
        },
        "POST /v1/inventory/reservations": { _, _, _ in Sample(path: "/v1/inventory/reservations", body: #"{"channel":"web","lines":[{"sku":"TEE","qty":1}]}"#, scope: .wrongChannel) },
        "GET /v1/inventory/reservations/:id": { w, _, _ in Sample(path: "/v1/inventory/reservations/\(await hold(w))", scope: .hidden) },
        "DELETE /v1/inventory/reservations/:id": { w, _, _ in Sample(path: "/v1/inventory/reservations/\(await hold(w))", scope: .hidden) },
        "POST /v1/inventory/movements": { _, _, _ in Sample(path: "/v1/inventory/movements", body: #"{"sku":"TEE","location":"SURAT","kind":"receive","qty":1}"#) },
        "GET /v1/inventory/audit": { _, _, _ in Sample(path: "/v1/inventory/audit") },
        "GET /v1/inventory/changes": { _, _, _ in Sample(path: "/v1/inventory/changes?channel=web", scope: .wrongChannel) },
        "GET /v1/inventory/reorder": { _, _, _ in Sample(path: "/v1/inventory/reorder") },
        "GET /v1/inventory": { _, _, _ in Sample(path: "/v1/inventory") },
        "GET /v1/inventory/:sku": { _, _, _ in Sample(path: "/v1/inventory/TEE") },
        "GET /v1/inventory/:sku/movements": { _, _, _ in Sample(path: "/v1/inventory/TEE/movements") },
        "POST /v1/inventory/import": { _, _, _ in Sample(path: "/v1/inventory/import?mode=delta", body: "sku,location,delta\nTEE,SURAT,1\n", contentType: "text/csv") },
        "GET /v1/inventory/export": { _, _, _ in Sample(path: "/v1/inventory/export") },
        "POST /v1/skus/import": { _, _, n in Sample(path: "/v1/skus/import", body: "sku,name,mrp_paise,price_paise\nCSV-\(n),Csv,1000,900\n", contentType: "text/csv") },
        "GET /v1/skus/export": { _, _, _ in Sample(path: "/v1/skus/export") },
        "POST /v1/orders": { _, _, n in Sample(path: "/v1/orders", body: orderJSON("NEW-\(n)", phone: "98251\(String(format: "%05d", n))"), scope: .wrongChannel) },
        "GET /v1/orders": { _, _, _ in Sample(path: "/v1/orders") },
        "GET /v1/orders/:id": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)", scope: .hidden) },
        "GET /v1/orders/:id/history": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)/history", scope: .hidden) },
        "POST /v1/orders/:id/confirm": { w, _, n in
            let id = await order(w, n).id
            _ = await w.post("/v1/orders/\(id)/hold", #"{"reason":"other"}"#)
            return Sample(path: "/v1/orders/\(id)/confirm", body: "{}")
        },
        "POST /v1/orders/:id/hold": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)/hold", body: #"{"reason":"other"}"#) },
        "POST /v1/orders/:id/cancel": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)/cancel", body: #"{"reason":"customer"}"#, scope: .hidden) },
        "POST /v1/orders/:id/edit": { w, _, n in Sample(path: "/v1/orders/\(await order(w, n).id)/edit", body: #"{"version":1,"shipping_paise":100}"#) },
        "POST /v1/orders/:id/payments": { w, _, n in
            Sample(path: "/v1/orders/\(await order(w, n, payment: pendingPayment).id)/payments", body: #"{"amount_paise":49900}"#)
        },
        "GET /v1/fulfilment/queue": { _, _, _ in Sample(path: "/v1/fulfilment/queue") },
        "POST /v1/picklists": { w, _, n in
            Sample(path: "/v1/picklists", body: #"{"location":"SURAT","shipment_ids":["\#(await order(w, n).shipment)"]}"#)
        },
        "GET /v1/picklists/:id": { _, f, _ in Sample(path: "/v1/picklists/\(f.picklist)") },
        "GET /v1/shipments/:id": { _, f, _ in Sample(path: "/v1/shipments/\(f.shipment)") },
        "POST /v1/shipments/:id/pack": { w, _, n in Sample(path: "/v1/shipments/\(await order(w, n).shipment)/pack", body: packJSON(["TEE"])) },
        "GET /v1/invoices/:id": { _, f, _ in Sample(path: "/v1/invoices/\(f.invoice)") },
        "PUT /v1/couriers/:code": { _, _, n in Sample(path: "/v1/couriers/c-\(n)", body: CourierTests.courier()) },
        "GET /v1/couriers/:code": { w, _, n in
            _ = await CourierTests.put(w, "r-\(n)", CourierTests.courier())
            return Sample(path: "/v1/couriers/r-\(n)")
        },
        "GET /v1/couriers": { _, _, _ in Sample(path: "/v1/couriers") },
        "POST /v1/couriers/:code/serviceability": { w, _, n in
            _ = await CourierTests.put(w, "s-\(n)", CourierTests.courier())
            return Sample(path: "/v1/couriers/s-\(n)/serviceability", body: CourierTests.suratGuwahati, contentType: "text/csv")
        },
        "POST /v1/quotes": { _, _, _ in
            Sample(path: "/v1/quotes", body: #"{"from_pincode":"395003","to_pincode":"781001","weight_g":700,"length_mm":300,"width_mm":250,"height_mm":40}"#)
        },
        "GET /v1/shipments/:id/quotes": { _, f, _ in Sample(path: "/v1/shipments/\(f.shipment)/quotes") },
        "POST /v1/couriers/:code/waybills": { w, _, n in
            _ = await CourierTests.put(w, "w-\(n)", BookingTests.courier("waybill_pool"))
            return Sample(path: "/v1/couriers/w-\(n)/waybills", body: #"{"awbs":["MATRIX\#(String(format: "%06d", n))"]}"#)
        },
        "POST /v1/shipments/:id/book": { w, _, n in
            Sample(path: "/v1/shipments/\(await packed(w, n))/book", body: #"{"courier":"matrix","awb":"MATRIX\#(String(format: "%06d", n))"}"#)
        },
        "POST /v1/shipments/:id/cancel-booking": { w, _, n in Sample(path: "/v1/shipments/\(await booked(w, n))/cancel-booking", body: "{}") },
        "GET /v1/shipments/:id/label": { w, _, n in Sample(path: "/v1/shipments/\(await booked(w, n))/label") },
        "POST /v1/webhooks/shiprocket": { _, _, n in
            Sample(path: "/v1/webhooks/shiprocket", body: TrackingFixtures.shiprocket.replacingOccurrences(of: "19041424751540", with: "MATRIXSR\(n)"),
                   headers: [("x-api-key", "sr_test_token")])
        },
        "POST /v1/webhooks/courier-push": { _, _, n in
            Sample(path: "/v1/webhooks/courier-push", body: TrackingFixtures.shiprocket.replacingOccurrences(of: "19041424751540", with: "MATRIXCP\(n)"),
                   headers: [("x-api-key", "sr_test_token")])
        },
        "POST /v1/webhooks/delhivery": { _, _, n in
            Sample(path: "/v1/webhooks/delhivery",
                   body: #"{"Shipment":{"Status":{"Status":"In Transit","StatusDateTime":"2026-12-01T10:00:00","StatusType":"UD","StatusLocation":"Surat"},"NSLCode":"X-PIOM","AWB":"MATRIXDL\#(n)"}}"#,
                   headers: [("x-api-key", "dl_test_token")])
        },
        "POST /v1/shipments/:id/tracking": { w, _, n in
            Sample(path: "/v1/shipments/\(await booked(w, n))/tracking", body: #"{"status":"in_transit","at":"2026-12-01T10:00:00+05:30"}"#)
        },
        "GET /v1/shipments/:id/tracking": { w, _, n in Sample(path: "/v1/shipments/\(await booked(w, n))/tracking") },
        "GET /v1/tracking/parked": { _, _, _ in Sample(path: "/v1/tracking/parked") },
        "GET /v1/couriers/performance": { _, _, _ in Sample(path: "/v1/couriers/performance?to_pincode=781001") },
        "GET /v1/ndr": { _, _, _ in Sample(path: "/v1/ndr?status=all") },
        "POST /v1/shipments/:id/ndr-action": { w, _, n in
            let shipment = await booked(w, n)
            let r = await w.post("/v1/shipments/\(shipment)/tracking", #"{"status":"undelivered","at":"2026-12-01T10:00:00+05:30"}"#)
            #expect(r.status == .ok, "\(r.text)")
            return Sample(path: "/v1/shipments/\(shipment)/ndr-action", body: #"{"action":"reattempt","note":"Call first"}"#)
        },
        "POST /v1/manifests": { w, _, n in
            Sample(path: "/v1/manifests", body: #"{"courier":"matrix","location":"SURAT","shipment_ids":["\#(await booked(w, n))"]}"#)
        },
        "GET /v1/manifests": { _, _, _ in Sample(path: "/v1/manifests?courier=matrix") },
        "GET /v1/manifests/:id": { w, _, n in Sample(path: "/v1/manifests/\(await manifested(w, n).manifest)") },
        "POST /v1/manifests/:id/handover": { w, _, n in
            let made = await manifested(w, n)
            return Sample(path: "/v1/manifests/\(made.manifest)/handover", body: #"{"scanned_awbs":["\#(made.awb)"]}"#)
        },
        "POST /v1/shipments/:id/rto-receive": { w, _, n in
            let made = await manifested(w, n)
            _ = await w.post("/v1/manifests/\(made.manifest)/handover", #"{"scanned_awbs":["\#(made.awb)"]}"#)
            try? await ManifestTests.returned(w, made.shipment)
            return Sample(path: "/v1/shipments/\(made.shipment)/rto-receive", body: #"{"lines":[{"sku":"TEE","qty":1,"condition":"good"}]}"#)
        },
    ]

    /// A booked shipment on a manifest of its own: the manifest, the shipment and its AWB.
    static func manifested(_ w: OrderWorld, _ n: Int) async -> (manifest: String, shipment: String, awb: String) {
        let shipment = await booked(w, n)
        let made = await w.post("/v1/manifests", #"{"courier":"matrix","location":"SURAT","shipment_ids":["\#(shipment)"]}"#)
        #expect(made.status == .created, "\(made.text)")
        return (made.str("id") ?? "", shipment, "BOOKED\(String(format: "%06d", n))")
    }

    /// A packed shipment of a new order, and the manual courier `matrix` serving Surat (made once).
    static func packed(_ w: OrderWorld, _ n: Int) async -> String {
        if await CourierTests.put(w, "matrix", BookingTests.courier("manual")).status == .created {
            _ = await CourierTests.upload(w, "matrix", "pincode,prepaid,cod,pickup,oda,embargo\n395003,Y,Y,Y,N,N\n")
        }
        let shipment = await order(w, n).shipment
        _ = await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE"]))
        return shipment
    }

    /// A shipment booked with `matrix` by hand.
    static func booked(_ w: OrderWorld, _ n: Int) async -> String {
        let shipment = await packed(w, n)
        let r = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"matrix","awb":"BOOKED\#(String(format: "%06d", n))"}"#)
        #expect(r.status == .ok, "\(r.text)")
        return shipment
    }

    /// A packed order (with its invoice) and a pick list.
    static func fixtures(_ w: OrderWorld) async -> Fixtures {
        let made = await order(w, 99_999)
        let list = await send(w.api, .post, "/v1/picklists", key: w.admin, body: #"{"location":"SURAT","shipment_ids":["\#(made.shipment)"]}"#)
        let pack = await w.post("/v1/shipments/\(made.shipment)/pack", packJSON(["TEE"]))
        return Fixtures(invoice: pack.str("invoice.id") ?? "", picklist: list.str("id") ?? "", shipment: made.shipment)
    }

    @Test func everyRouteTimesEveryCaller() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 100_000)
            _ = await send(w.api, .put, "/v1/channels/web/buffers/MUG", key: w.admin, body: #"{"units":1}"#)
            let fixed = await Self.fixtures(w)
            let keys = w.app.keys
            let support = try await keys.create(name: "support", role: .support, channel: nil, actor: "t").secret
            let revoked = try await keys.create(name: "revoked", role: .admin, channel: nil, actor: "t")
            try await keys.revoke(id: revoked.record.id, actor: "t")
            w.app.authenticator.invalidateCache()
            let secrets: [Caller: String] = [.admin: w.admin, .storefront: w.web, .otherStorefront: w.amazon, .warehouse: w.warehouse,
                                            .finance: w.finance, .support: support, .revoked: revoked.secret]

            var n = 0
            var checked = 0
            for op in w.api.operations {
                let label = "\(op.method.rawValue) \(op.path)"
                guard let make = Self.samples[label] else {
                    Issue.record("no sample request for \(label): add one to AuthorizationMatrixTests.samples")
                    continue
                }
                for caller in Caller.allCases {
                    n += 1
                    let sample = await make(w, fixed, n)
                    var headers: [(String, String)] = []
                    if sample.body != nil { headers.append(("Content-Type", sample.contentType)) }
                    headers += sample.headers
                    let response = await send(w.api, op.method, sample.path, key: secrets[caller], headers: headers, body: sample.body)
                    let status = response.status.code
                    var expected: String
                    switch (op.roles, caller.role) {
                    case (nil, _):
                        expected = "2xx"
                    case (_, nil):
                        expected = "401"
                    case (let roles?, let role?) where !roles.contains(role):
                        expected = "403"
                    case (_, .storefront?) where caller == .otherStorefront && sample.scope == .hidden:
                        expected = "404"
                    case (_, .storefront?) where caller == .otherStorefront && sample.scope == .wrongChannel:
                        expected = "403"
                    default:
                        expected = "2xx"
                    }
                    // On PostgreSQL the online backup is pg_dump's: an admitted caller is told so.
                    if expected == "2xx", label == "POST /v1/admin/backup", w.app.store.dialect == .postgres { expected = "501" }
                    let ok = expected == "2xx" ? (200..<300).contains(status) : String(status) == expected
                    #expect(ok, "\(label) as \(caller.rawValue): expected \(expected), got \(status) \(response.text.prefix(300))")
                    if expected == "403", caller == .otherStorefront, sample.scope == .wrongChannel { #expect(response.code == "wrong_channel") }
                    checked += 1
                }
            }
            #expect(checked == w.api.operations.count * Caller.allCases.count)
        }
    }

    @Test func storefrontKeysNeverSeeAnotherChannelsOrdersOrHolds() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            let placed = await Self.order(w, 1)
            let hold = await Self.hold(w)
            // amazon's key: not in its list, not readable, not cancellable, not releasable.
            let list = await w.get("/v1/orders", key: w.amazon)
            #expect(list.status == .ok && !list.text.contains(placed.id))
            #expect(await w.get("/v1/orders?channel=web", key: w.amazon).status == .forbidden)
            #expect(await w.get("/v1/orders/\(placed.id)", key: w.amazon).status == .notFound)
            #expect(await w.get("/v1/orders/\(placed.id)/history", key: w.amazon).status == .notFound)
            #expect(await w.post("/v1/orders/\(placed.id)/cancel", #"{"reason":"customer"}"#, key: w.amazon).status == .notFound)
            #expect(await w.get("/v1/inventory/reservations/\(hold)", key: w.amazon).status == .notFound)
            #expect(await send(w.api, .delete, "/v1/inventory/reservations/\(hold)", key: w.amazon).status == .notFound)
            // web's own key sees both.
            #expect(await w.get("/v1/orders", key: w.web).text.contains(placed.id))
            #expect(await w.get("/v1/orders/\(placed.id)", key: w.web).status == .ok)
            #expect(await w.get("/v1/inventory/reservations/\(hold)", key: w.web).status == .ok)
        }
    }
}
