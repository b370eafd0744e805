import Testing
import BahiCore

@Suite struct PrintableHTMLTests {
    @Test func escapesMarkupAndQuotes() {
        #expect(PrintableHTML.escape(#"<script>alert("x")</script>"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        #expect(PrintableHTML.escape("Tom & Jerry's") == "Tom &amp; Jerry&#39;s")
        #expect(PrintableHTML.escape("&amp;") == "&amp;amp;")
        #expect(PrintableHTML.escape("श्री गणेश, ₹499 🙏") == "श्री गणेश, ₹499 🙏")
        #expect(PrintableHTML.escape("") == "")
    }

    @Test func pageIsACompleteDocument() {
        let html = PrintableHTML.page(title: "Invoice <INV/2627/00001>", body: "<h1>Tax invoice</h1>")
        #expect(html.hasPrefix("<!doctype html>\n<html lang=\"en\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("<title>Invoice &lt;INV/2627/00001&gt;</title>"))
        #expect(html.contains("<body>\n<h1>Tax invoice</h1>\n</body>"))
        #expect(html.contains("@page"))
        #expect(html.contains("@media print"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func pageTakesAnotherPapersStyle() {
        let label = PrintableHTML.page(title: "Label", body: "<p>x</p>", style: "@page { size: 4in 6in; margin: 0; }")
        #expect(label.contains("<style>\n@page { size: 4in 6in; margin: 0; }\n</style>"))
        #expect(!label.contains("A4"))
        #expect(PrintableHTML.page(title: "Invoice", body: "").contains("<style>\n" + PrintableHTML.a4Style + "\n</style>"))
    }

    @Test func rupeesUseIndianGrouping() {
        #expect(PrintableHTML.rupees(0) == "₹0.00")
        #expect(PrintableHTML.rupees(5) == "₹0.05")
        #expect(PrintableHTML.rupees(99) == "₹0.99")
        #expect(PrintableHTML.rupees(100) == "₹1.00")
        #expect(PrintableHTML.rupees(99_900) == "₹999.00")
        #expect(PrintableHTML.rupees(100_000) == "₹1,000.00")
        #expect(PrintableHTML.rupees(9_999_999) == "₹99,999.99")
        #expect(PrintableHTML.rupees(10_000_000) == "₹1,00,000.00")
        #expect(PrintableHTML.rupees(12_345_678) == "₹1,23,456.78")
        #expect(PrintableHTML.rupees(123_456_789) == "₹12,34,567.89")
        #expect(PrintableHTML.rupees(1_000_000_000) == "₹1,00,00,000.00")
        #expect(PrintableHTML.rupees(-12_345_678) == "−₹1,23,456.78")
        #expect(PrintableHTML.rupees(-1) == "−₹0.01")
        // 9223372036854775807 paise = ₹92,233,720,368,547,758.07 grouped the Indian way.
        #expect(PrintableHTML.rupees(.max) == "₹92,23,37,20,36,85,47,758.07")
        #expect(PrintableHTML.rupees(.min) == "−₹92,23,37,20,36,85,47,758.08")
    }
}
