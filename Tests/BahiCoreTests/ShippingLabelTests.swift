import Testing
import BahiCore

@Suite struct ShippingLabelTests {
    static let buyer = OrderAddress(name: "Asha Verma", line1: "12, Gopal Bari", line2: "Ajmer Road", landmark: "Hotel Kanak",
                                    city: "Jaipur", state: "Rajastan", pincode: "302001", phone: "+919876543210")
    static let seller = SellerProfile.Address(line1: "Unit 4, Peenya Industrial Area", line2: "", city: "Bengaluru", state: .karnataka, pincode: "560058")

    func label(awb: String = "1234567890123", shipTo: ShippingLabel.Address = .init(buyer), payment: ShippingLabel.Payment = .cod(paise: 149_900),
               package: Packing.Package = .init(weightG: 700, lengthMM: 300, widthMM: 250, heightMM: 40), invoice: String = "INV/2627/00042") throws -> ShippingLabel {
        try ShippingLabel(awb: awb, courier: "Delhivery", shipTo: shipTo, returnTo: .init(name: "Kesar Naturals", phone: "+918041234567", Self.seller),
                          payment: payment, package: package, invoiceNumber: invoice, orderReference: "#1042")
    }

    @Test func pageIsFourBySixInches() throws {
        let html = try label().html
        #expect(html.hasPrefix("<!doctype html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("@page { size: 4in 6in; margin: 0; }"))
        #expect(html.contains("width: 4in; height: 6in;"))
        #expect(!html.contains("A4"))
        #expect(html.contains("<title>Label 1234567890123</title>"))
    }

    @Test func barcodeIsTheAWBInline() throws {
        let label = try label()
        #expect(label.awb == "1234567890123")
        #expect(label.barcode == (try Code128("1234567890123")))
        #expect(label.html.contains("<div class=\"barcode\"><svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(label.html.contains(label.barcode.svg(moduleWidth: 0.5, barHeight: 18, unit: .mm)))
        // A long AWB is drawn narrower so it stays on the label.
        let long = try self.label(awb: "SHIPMENT-REFERENCE-0042-X")
        #expect(long.html.contains(long.barcode.svg(moduleWidth: 0.25, barHeight: 18, unit: .mm)))
        #expect(throws: Code128Error.unprintable(offset: 3, scalar: 0x0A)) { try self.label(awb: "AWB\n42") }
        #expect(throws: Code128Error.empty) { try self.label(awb: "") }
    }

    @Test func everyTextIsEscaped() throws {
        var to = ShippingLabel.Address(Self.buyer)
        to.name = "<script>alert('x')</script>"
        to.lines = ["Flat 3 & 4", "\"Shanti\" Niwas"]
        let html = try label(shipTo: to, invoice: "INV<1>").html
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("Flat 3 &amp; 4<br>&quot;Shanti&quot; Niwas"))
        #expect(html.contains("<td>INV&lt;1&gt;</td>"))
    }

    @Test func paymentLine() throws {
        #expect(ShippingLabel.Payment.cod(paise: 149_900).line == "COD: collect ₹1,499.00")
        #expect(ShippingLabel.Payment.cod(paise: 12_345_600).line == "COD: collect ₹1,23,456.00")
        #expect(ShippingLabel.Payment.cod(paise: 50).line == "COD: collect ₹0.50")
        #expect(ShippingLabel.Payment.prepaid.line == "PREPAID")
        #expect(try label().html.contains("<div class=\"payment cod\">COD: collect ₹1,499.00</div>"))
        #expect(try label(payment: .prepaid).html.contains("<div class=\"payment\">PREPAID</div>"))
    }

    @Test func weightAndDimensions() throws {
        let cases: [(Int64, String)] = [(700, "0.70 kg"), (1000, "1.00 kg"), (1231, "1.24 kg"), (5, "0.01 kg"), (0, "0.00 kg"), (25_000, "25.00 kg"), (-3, "0.00 kg")]
        for (grams, text) in cases {
            #expect(try label(package: .init(weightG: grams, lengthMM: 0, widthMM: 0, heightMM: 0)).weightLine == text, "\(grams) g")
        }
        let label = try label()
        #expect(label.dimensionsLine == "30 × 25 × 4 cm")
        #expect(try self.label(package: .init(weightG: 1, lengthMM: 305, widthMM: 45, heightMM: 7)).dimensionsLine == "30.5 × 4.5 × 0.7 cm")
        #expect(label.html.contains("<td>0.70 kg</td>") && label.html.contains("<td>30 × 25 × 4 cm</td>"))
    }

    @Test func addressesAsPrinted() throws {
        let to = ShippingLabel.Address(Self.buyer)
        // The pincode's state, not the buyer's spelling; the landmark as invoices print it.
        #expect(to == ShippingLabel.Address(name: "Asha Verma", lines: ["12, Gopal Bari", "Ajmer Road", "near Hotel Kanak"], city: "Jaipur",
                                            state: "Rajasthan", pincode: "302001", phone: "+919876543210"))
        let html = try label().html
        #expect(html.contains("<p class=\"name\">Asha Verma</p><p>12, Gopal Bari<br>Ajmer Road<br>near Hotel Kanak<br>Jaipur, Rajasthan<br><span class=\"pin\">PIN 302001</span><br>Phone +919876543210</p>"))
        // The seller's empty second line is left out.
        #expect(html.contains("<h2>If undelivered, return to</h2><p class=\"name\">Kesar Naturals</p><p>Unit 4, Peenya Industrial Area<br>Bengaluru, Karnataka<br><span class=\"pin\">PIN 560058</span><br>Phone +918041234567</p>"))
        #expect(html.contains("<td>#1042</td>") && html.contains("<div class=\"courier\">Delhivery</div>"))
    }
}
