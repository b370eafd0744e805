import BahiCore
import BahiJSON

// Shipping labels as the API shows them (`Components.shippingLabel`): the fields the printed
// label shows, so a warehouse system can print its own layout from the same facts.

extension ShippingLabel.Address {
    var json: JSONValue {
        .object([
            "name": .string(name), "lines": .array(lines.filter { !$0.isEmpty }.map(JSONValue.string)), "city": .string(city),
            "state": .string(state), "pincode": .string(pincode), "phone": .optional(phone),
        ])
    }
}

extension ShippingLabel {
    /// The label of `shipment` (booked: its courier code is set).
    func json(shipment: Shipment) -> JSONValue {
        let (method, collect): (PaymentMethod, Int64) = switch payment {
        case .prepaid: (.prepaid, 0)
        case .cod(let paise): (.cod, paise)
        }
        return .object([
            "shipment_id": .string(shipment.id), "awb": .string(awb), "courier": .string(courier), "courier_code": .string(shipment.courier ?? ""),
            "payment": .object(["method": .string(method.rawValue), "collect_paise": .int(collect), "line": .string(payment.line)]),
            "ship_to": shipTo.json, "return_to": returnTo.json,
            "package": .object(["weight_g": .int(package.weightG), "length_mm": .int(package.lengthMM), "width_mm": .int(package.widthMM),
                                "height_mm": .int(package.heightMM)]),
            "weight": .string(weightLine), "dimensions": .string(dimensionsLine),
            "invoice_number": .string(invoiceNumber), "order_reference": .string(orderReference),
        ])
    }
}
