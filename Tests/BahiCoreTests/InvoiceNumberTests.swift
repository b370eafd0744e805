import Testing
import BahiCore

@Suite struct InvoiceNumberTests {
    /// The DomainError `body` throws, or nil when it succeeds (or throws anything else).
    private func rejection(_ body: () throws -> Void) -> DomainError? {
        do { try body() } catch let error as DomainError { return error } catch { return nil }
        return nil
    }

    @Test func financialYearBoundariesAreInIST() {
        // 2027-03-31T18:29:59.999Z is 23:59:59.999 on 31 March IST: still FY 2026-27.
        #expect(FinancialYear.containing(milliseconds: 1_806_517_799_999).startYear == 2026)
        // 2027-03-31T18:30:00Z is midnight, 1 April 2027 IST: FY 2027-28 (in UTC it is still March).
        #expect(FinancialYear.containing(milliseconds: 1_806_517_800_000).startYear == 2027)
        // 2026-04-01T00:00:00Z is 05:30 IST on 1 April: FY 2026-27.
        #expect(FinancialYear.containing(milliseconds: 1_775_001_600_000).startYear == 2026)
        // 2026-01-01T00:00:00Z: January belongs to the year that began the April before.
        #expect(FinancialYear.containing(milliseconds: 1_767_225_600_000).startYear == 2025)
        // 2000-03-31T18:30:00Z: a leap-century year's boundary.
        #expect(FinancialYear.containing(milliseconds: 954_527_400_000).startYear == 2000)
        #expect(FinancialYear.containing(milliseconds: 954_527_399_999).startYear == 1999)
    }

    @Test func financialYearNamesAndBounds() {
        let fy = FinancialYear(startYear: 2026)
        #expect(fy.label == "2026-27")
        #expect(fy.short == "2627")
        #expect(FinancialYear(startYear: 2099).label == "2099-00")
        #expect(FinancialYear(startYear: 2099).short == "9900")
        #expect(FinancialYear(startYear: 2008).short == "0809")
        // 2026-03-31T18:30:00Z and 2027-03-31T18:30:00Z.
        #expect(fy.startMilliseconds == 1_774_981_800_000)
        #expect(fy.endMilliseconds == 1_806_517_800_000)
        #expect(FinancialYear.containing(milliseconds: fy.startMilliseconds) == fy)
        #expect(FinancialYear.containing(milliseconds: fy.endMilliseconds - 1) == fy)
        #expect(FinancialYear.containing(milliseconds: fy.endMilliseconds) == fy.next)
        #expect(fy < fy.next)
    }

    @Test func formats() throws {
        let fy = FinancialYear(startYear: 2026)
        #expect(try InvoiceNumber.format(prefix: "INV", year: fy, sequence: 1) == "INV/2627/00001")
        #expect(try InvoiceNumber.format(prefix: "INV", year: fy, sequence: 42) == "INV/2627/00042")
        #expect(try InvoiceNumber.format(prefix: "B2C-MH", year: fy, sequence: 7) == "B2C-MH/2627/0007")
        #expect(try InvoiceNumber.format(prefix: "A/B", year: fy, sequence: 99_999) == "A/B/2627/99999")
        // Past five digits the number grows while it fits in 16 characters.
        #expect(try InvoiceNumber.format(prefix: "INV", year: fy, sequence: 1_234_567) == "INV/2627/1234567")
        #expect(try InvoiceNumber.format(prefix: "S", year: fy, sequence: 999_999_999) == "S/2627/999999999")
        // An 8-character prefix leaves two digits.
        #expect(try InvoiceNumber.format(prefix: "ABCDEFGH", year: fy, sequence: 7) == "ABCDEFGH/2627/07")
        for n: Int64 in [1, 9, 10, 99_999, 100_000] {
            #expect(InvoiceNumber.isValid(try InvoiceNumber.format(prefix: "INV", year: fy, sequence: n)))
        }
    }

    @Test func seriesExhaustion() {
        let fy = FinancialYear(startYear: 2026)
        let full = rejection { _ = try InvoiceNumber.format(prefix: "INV", year: fy, sequence: 10_000_000) }
        #expect(full?.code == .invoiceSeriesExhausted)
        let long = rejection { _ = try InvoiceNumber.format(prefix: "ABCDEFGH", year: fy, sequence: 100) }
        #expect(long?.code.rawValue == "invoice_series_exhausted")
        let max = rejection { _ = try InvoiceNumber.format(prefix: "I", year: fy, sequence: .max) }
        #expect(max?.code.rawValue == "invoice_series_exhausted")
        #expect(InvoiceNumber.capacity(prefix: "INV") == 9_999_999)
        #expect(InvoiceNumber.capacity(prefix: "ABCDE") == 99_999)
        #expect(InvoiceNumber.capacity(prefix: "ABCDEFGH") == 99)
        #expect(InvoiceNumber.capacity(prefix: "bad prefix") == 0)
    }

    @Test func rejectsSequenceBelowOne() {
        for n: Int64 in [0, -1, .min] {
            let e = rejection { _ = try InvoiceNumber.format(prefix: "INV", year: FinancialYear(startYear: 2026), sequence: n) }
            #expect(e?.code == .validationFailed && e?.problems.first?.field == "sequence")
        }
    }

    @Test func prefixes() {
        for ok in ["I", "INV", "inv-26", "A/B", "12345678", "B2C-MH"] {
            #expect(rejection { try InvoiceNumber.validatePrefix(ok) } == nil)
        }
        for bad in ["", "ABCDEFGHI", "IN V", "INV_1", "INV.", "ИНВ", "INV#", "₹"] {
            let e = rejection { try InvoiceNumber.validatePrefix(bad) }
            #expect(e?.code == .validationFailed && e?.problems.first?.field == "invoice_prefix", "\(bad)")
            let viaFormat = rejection { _ = try InvoiceNumber.format(prefix: bad, year: FinancialYear(startYear: 2026), sequence: 1) }
            #expect(viaFormat?.code == .validationFailed)
        }
    }

    @Test func validity() {
        #expect(InvoiceNumber.isValid("INV/2627/00001"))
        #expect(InvoiceNumber.isValid("1234567890123456"))
        #expect(!InvoiceNumber.isValid("12345678901234567"))
        #expect(!InvoiceNumber.isValid(""))
        #expect(!InvoiceNumber.isValid("INV 2627"))
        #expect(!InvoiceNumber.isValid("INV_2627"))
        #expect(!InvoiceNumber.isValid("इनव/1"))
    }
}
