/// What a 4×6 inch shipping label shows, and the printable page.
///
/// Why its own value and not a courier's PDF: every Indian courier accepts a seller-printed label
/// with the AWB as Code 128, and the sizes warehouses print on (4×6 inch thermal rolls) are the
/// same for all of them, so one label serves every courier and needs no call back to one. Why
/// HTML: as for invoices, any browser prints it at its true size (`@page { size: 4in 6in }`),
/// no library needed. It holds only what is printed; booking (which gives the AWB) builds it.
public struct ShippingLabel: Sendable {
    /// An address as a label prints it: who, where, and a phone the delivery agent can call.
    public struct Address: Sendable, Equatable {
        public var name: String
        /// The street lines, in order; empty ones are left out when printed.
        public var lines: [String]
        public var city: String
        /// The state's name.
        public var state: String
        /// Six digits: what the courier's sorters route by, so it is printed large.
        public var pincode: String
        public var phone: String?

        /// An address by its parts.
        public init(name: String, lines: [String], city: String, state: String, pincode: String, phone: String? = nil) {
            self.name = name
            self.lines = lines
            self.city = city
            self.state = state
            self.pincode = pincode
            self.phone = phone
        }

        /// The buyer's shipping address. The state is the pincode's in the India Post directory
        /// (as intake decides it), the buyer's own text only when the pincode is not there; a
        /// landmark is printed as "near …", as invoices do.
        public init(_ address: OrderAddress) {
            let state = PincodeDirectory.lookup(address.pincode)?.stateCode.name ?? address.state ?? ""
            self.init(name: address.name, lines: [address.line1, address.line2, address.landmarkLine].compactMap { $0 },
                      city: address.city, state: state, pincode: address.pincode, phone: address.phone)
        }

        /// The seller's pickup address, where a parcel that cannot be delivered comes back to
        /// (the profile's address holds no name or phone, so they are given here).
        public init(name: String, phone: String?, _ address: SellerProfile.Address) {
            self.init(name: name, lines: [address.line1, address.line2], city: address.city, state: address.state?.name ?? "",
                      pincode: address.pincode, phone: phone)
        }
    }

    /// Whether the delivery agent collects money: the first thing they look for on a parcel.
    public enum Payment: Sendable, Equatable {
        /// Paid already: nothing to collect.
        case prepaid
        /// Cash on delivery: the amount to collect, in paise.
        case cod(paise: Int64)

        /// "PREPAID", or "COD: collect ₹1,499.00" with Indian digit grouping (₹1,23,456.00).
        public var line: String {
            switch self {
            case .prepaid: "PREPAID"
            case .cod(let paise): "COD: collect " + PrintableHTML.rupees(paise)
            }
        }
    }

    /// The AWB as a Code 128 symbol (its `text` is the AWB).
    public let barcode: Code128
    /// The courier's name as the seller calls it ("Delhivery", "Blue Dart").
    public var courier: String
    /// The buyer.
    public var shipTo: Address
    /// The seller's return address.
    public var returnTo: Address
    public var payment: Payment
    /// The parcel as weighed and measured at packing.
    public var package: Packing.Package
    /// The GST invoice's number (couriers ask for it on the label for e-way bills and claims).
    public var invoiceNumber: String
    /// The order's reference as the seller knows it (the channel's order number).
    public var orderReference: String

    /// A label for the parcel with `awb`; refused with `Code128Error` when the AWB cannot be a
    /// Code 128 symbol (empty, not printable ASCII, too long), since a label without a scannable
    /// AWB is no label.
    public init(awb: String, courier: String, shipTo: Address, returnTo: Address, payment: Payment, package: Packing.Package,
                invoiceNumber: String, orderReference: String) throws(Code128Error) {
        barcode = try Code128(awb)
        self.courier = courier
        self.shipTo = shipTo
        self.returnTo = returnTo
        self.payment = payment
        self.package = package
        self.invoiceNumber = invoiceNumber
        self.orderReference = orderReference
    }

    /// The air waybill number.
    public var awb: String { barcode.text }

    /// The weight in kilograms with two decimals, rounded up to the next 10 g so a label never
    /// states less than the parcel weighs (a courier reweighs, and an understated weight is a
    /// weight dispute): 700 g → "0.70 kg", 1,231 g → "1.24 kg".
    public var weightLine: String {
        let grams = max(package.weightG, 0)
        let tens = grams / 10 + (grams % 10 > 0 ? 1 : 0)
        return "\(tens / 100).\(tens % 100 < 10 ? "0" : "")\(tens % 100) kg"
    }

    /// Length × width × height in centimetres, as couriers take them: "30 × 25 × 4 cm", a part
    /// centimetre as one decimal ("4.5").
    public var dimensionsLine: String {
        func cm(_ mm: Int64) -> String {
            let mm = max(mm, 0)
            return mm % 10 == 0 ? "\(mm / 10)" : "\(mm / 10).\(mm % 10)"
        }
        return "\(cm(package.lengthMM)) × \(cm(package.widthMM)) × \(cm(package.heightMM)) cm"
    }

    /// The module width, in millimetres, the barcode is drawn at: the widest of 0.5, 0.375 and
    /// 0.25 mm (4, 3 and 2 dots of a 203 dpi thermal printer, so every bar is whole dots) whose
    /// symbol fits `barcodeMaxWidthMM`; a longer AWB is narrowed to fit.
    var moduleWidthMM: Double {
        let modules = Double(barcode.moduleCount + 2 * Code128.quietZone)
        return [0.5, 0.375, 0.25].first { modules * $0 <= Self.barcodeMaxWidthMM } ?? Self.barcodeMaxWidthMM / modules
    }

    /// The printable width for the barcode on a 4-inch (101.6 mm) label with 3 mm margins.
    static let barcodeMaxWidthMM = 94.0

    /// The label as a complete HTML document one 4×6 inch page long: the courier and the payment
    /// line at the top, the AWB barcode, the ship-to address with its pincode large, the
    /// parcel's weight, dimensions, invoice and order, and the return address at the foot. Every
    /// text is HTML-escaped.
    public var html: String {
        let e = PrintableHTML.escape
        func address(_ a: Address) -> String {
            let place = [a.city, a.state].filter { !$0.isEmpty }.map(e).joined(separator: ", ")
            let lines = (a.lines.filter { !$0.isEmpty }.map(e) + [place]).joined(separator: "<br>")
            let phone = a.phone.map { "<br>Phone \(e($0))" } ?? ""
            return "<p class=\"name\">\(e(a.name))</p><p>\(lines)<br><span class=\"pin\">PIN \(e(a.pincode))</span>\(phone)</p>"
        }
        let paymentClass = payment == .prepaid ? "payment" : "payment cod"
        let body = """
            <div class="label">
            <div class="top"><div class="courier">\(e(courier))</div><div class="\(paymentClass)">\(e(payment.line))</div></div>
            <div class="barcode">\(barcode.svg(moduleWidth: moduleWidthMM, barHeight: 18, unit: .mm))</div>
            <div class="to"><h2>Deliver to</h2>\(address(shipTo))</div>
            <table><tr><td class="k">Weight</td><td>\(e(weightLine))</td><td class="k">Size</td><td>\(e(dimensionsLine))</td></tr>
            <tr><td class="k">Invoice</td><td>\(e(invoiceNumber))</td><td class="k">Order</td><td>\(e(orderReference))</td></tr></table>
            <div class="from"><h2>If undelivered, return to</h2>\(address(returnTo))</div>
            </div>
            """
        return PrintableHTML.page(title: "Label \(awb)", body: body, style: Self.style)
    }

    /// A 4×6 inch page with no printer margin (thermal label printers print edge to edge), the
    /// parts stacked in a column, the COD line reversed out (white on black) so it cannot be missed.
    static let style = """
        @page { size: 4in 6in; margin: 0; }
        html, body { margin: 0; padding: 0; }
        body { font: 9pt/1.25 system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; color: #000; }
        .label { box-sizing: border-box; width: 4in; height: 6in; padding: 3mm; display: flex; flex-direction: column; gap: 2mm; overflow: hidden; break-after: page; }
        .top { display: flex; justify-content: space-between; align-items: center; gap: 2mm; border-bottom: 0.4mm solid #000; padding-bottom: 1.5mm; }
        .courier { font-size: 14pt; font-weight: 700; }
        .payment { font-size: 12pt; font-weight: 700; border: 0.5mm solid #000; padding: 1mm 2mm; white-space: nowrap; }
        .cod { background: #000; color: #fff; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .barcode { text-align: center; }
        .barcode svg { max-width: 100%; height: auto; }
        h2 { font-size: 7pt; text-transform: uppercase; letter-spacing: 0.05em; margin: 0 0 0.5mm; }
        p { margin: 0; }
        .to { flex: 1; border: 0.4mm solid #000; padding: 2mm; font-size: 11pt; }
        .name { font-weight: 700; }
        .to .name { font-size: 13pt; }
        .pin { font-size: 14pt; font-weight: 700; }
        .from .pin { font-size: 9pt; }
        table { border-collapse: collapse; width: 100%; }
        td { border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; }
        td.k { font-size: 7pt; text-transform: uppercase; width: 14%; }
        .from { font-size: 8pt; border-top: 0.4mm dashed #000; padding-top: 1.5mm; }
        """
}
