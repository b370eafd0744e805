/// CSV as RFC 4180 defines it, for imports and exports that merchants open in spreadsheets.
///
/// Why hand-written and strict: an import that guesses (trimming quotes, accepting a stray
/// quote mid-field, silently dropping a short row) turns a damaged file into wrong stock
/// counts. The reader therefore accepts exactly RFC 4180 — fields separated by `,`, records
/// ended by CRLF or LF, a field in `"` quotes may hold commas, line breaks and `""` for a quote
/// — plus two things real spreadsheets produce: a UTF-8 byte-order mark (ignored) and empty
/// lines (skipped, though still counted as rows so row numbers match what a person sees).
/// Anything else is a `CSVError` naming the row and line.
///
/// Formula injection: a cell beginning with `=`, `+`, `-`, `@`, tab or carriage return is run
/// as a formula by Excel, LibreOffice and Google Sheets when the file is opened, so a SKU name
/// such as `=HYPERLINK(…)` in an export could attack whoever opens it. `CSVWriter` therefore
/// writes such a text cell with a leading `'` (which spreadsheets show as "this is text"), and
/// `CSV.unneutralised` removes exactly that `'` when the file comes back, so export → import
/// round-trips byte for byte. Numbers written with `CSVWriter.append(_: Int64)` are never
/// prefixed: a plain integer such as `-5` cannot be a formula.
public enum CSV {
    /// The characters that make a spreadsheet read a cell as a formula (OWASP's list).
    static func isFormulaTrigger(_ byte: UInt8) -> Bool {
        byte == 0x3D || byte == 0x2B || byte == 0x2D || byte == 0x40 || byte == 0x09 || byte == 0x0D  // = + - @ TAB CR
    }

    /// True if `text` starts with zero or more `'` and then a formula trigger: the cells the
    /// writer prefixes. Including leading apostrophes makes the prefix reversible: a text that
    /// already starts `'=` is written `''=` and read back as `'=`.
    static func needsNeutralising(_ text: String) -> Bool {
        for byte in text.utf8 {
            if byte == 0x27 { continue }  // '
            return isFormulaTrigger(byte)
        }
        return false
    }

    /// The text as the writer puts it in a cell: prefixed with `'` if a spreadsheet would
    /// otherwise run it as a formula.
    public static func neutralised(_ text: String) -> String {
        needsNeutralising(text) ? "'" + text : text
    }

    /// The inverse of `neutralised`: a cell of one or more `'` followed by a formula trigger
    /// loses its first `'`. Imports apply it to every cell, so a file Bahi exported (or a
    /// spreadsheet user who typed `'-5` to keep a number as text) reads back as meant. A cell
    /// such as `'quoted'` is left alone.
    public static func unneutralised(_ text: String) -> String {
        guard text.utf8.first == 0x27, needsNeutralising(text) else { return text }
        return String(text.dropFirst())
    }

    /// Parses a whole file whose first record is the header and whose every record has the
    /// header's number of fields (a "ragged" record is an error naming its row).
    ///
    /// Imports use `CSVReader` instead, to report a ragged record as that row's error and go
    /// on; this is for callers that want all or nothing.
    public static func parse(_ bytes: [UInt8]) throws(CSVError) -> (header: [String], records: [CSVRecord]) {
        var reader = CSVReader(bytes)
        guard let header = try reader.next() else { throw CSVError(.missingHeader, row: 1, line: 1) }
        var records: [CSVRecord] = []
        while let record = try reader.next() {
            guard record.fields.count == header.fields.count else {
                throw CSVError(.raggedRow(expected: header.fields.count, found: record.fields.count), row: record.row, line: record.line)
            }
            records.append(record)
        }
        return (header.fields, records)
    }
}

/// Why a CSV file could not be read, and where: `row` counts records as a spreadsheet shows
/// them (the header is row 1), `line` counts physical lines (they differ when a quoted field
/// holds a line break), so the message works in both a spreadsheet and a text editor.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Reason: Sendable, Equatable {
        /// A quoted field is still open at the end of the file.
        case unterminatedQuote
        /// A `"` inside a field that did not start with one (quote the whole field and
        /// double the quote: `"5"" screen"`).
        case quoteInUnquotedField
        /// Something other than `,` or a line break follows a closing quote.
        case textAfterClosingQuote
        /// A carriage return not followed by a line feed outside quotes (old Mac line ends).
        case bareCarriageReturn
        /// Bytes that are not UTF-8 (save the file as "CSV UTF-8").
        case invalidUTF8
        /// A record whose field count differs from the header's.
        case raggedRow(expected: Int, found: Int)
        /// The file has no header row (it is empty or holds only empty lines).
        case missingHeader
    }

    /// What is wrong.
    public var reason: Reason
    /// The spreadsheet row (the header is row 1).
    public var row: Int
    /// The physical line.
    public var line: Int

    /// An error at a place in the file.
    public init(_ reason: Reason, row: Int, line: Int) {
        self.reason = reason
        self.row = row
        self.line = line
    }

    /// A sentence for a person: what, where, and how to fix it.
    public var description: String {
        let place = row == line ? "row \(row)" : "row \(row) (line \(line))"
        switch reason {
        case .unterminatedQuote: return "\(place): a quoted field is never closed; every opening \" needs a closing \"."
        case .quoteInUnquotedField: return "\(place): a \" appears inside a field that is not quoted; quote the field and double the \" (\"5\"\" screen\")."
        case .textAfterClosingQuote: return "\(place): text follows a closing quote; a quoted field must end at a comma or a line break."
        case .bareCarriageReturn: return "\(place): a carriage return without a line feed; save the file with CRLF or LF line endings."
        case .invalidUTF8: return "\(place): the file is not UTF-8; save it as \"CSV UTF-8\"."
        case .raggedRow(let expected, let found): return "\(place): \(found) field\(found == 1 ? "" : "s") where the header has \(expected)."
        case .missingHeader: return "The file is empty; it needs a header row naming the columns."
        }
    }
}

/// One record: its fields and where it is in the file.
public struct CSVRecord: Sendable, Equatable {
    /// The spreadsheet row number (the header is row 1; empty lines count).
    public var row: Int
    /// The physical line the record starts on.
    public var line: Int
    /// The cells, unquoted, exactly as written (no trimming, formula guard kept).
    public var fields: [String]

    /// A record at a place in the file.
    public init(row: Int, line: Int, fields: [String]) {
        self.row = row
        self.line = line
        self.fields = fields
    }
}

/// Reads records one at a time, so an import can report each row and a large file is never
/// held twice as `String`s. See `CSV` for the dialect.
public struct CSVReader {
    private let bytes: [UInt8]
    private var position: Int
    private var row = 0
    private var line = 1

    private static let quote: UInt8 = 0x22
    private static let comma: UInt8 = 0x2C
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    /// A reader over a whole file's bytes; a leading UTF-8 byte-order mark is skipped.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// How far through the input the reader is, 0…1: for progress while parsing.
    public var fractionRead: Double { bytes.isEmpty ? 1 : Double(position) / Double(bytes.count) }

    /// The next non-empty record, or nil at the end of the file.
    public mutating func next() throws(CSVError) -> CSVRecord? {
        let count = bytes.count
        while position < count {
            row += 1
            let startLine = line
            // An empty line is skipped but counted as a row.
            if bytes[position] == Self.lf {
                position += 1
                line += 1
                continue
            }
            if bytes[position] == Self.cr {
                guard position + 1 < count, bytes[position + 1] == Self.lf else { throw CSVError(.bareCarriageReturn, row: row, line: line) }
                position += 2
                line += 1
                continue
            }
            var fields: [String] = []
            while true {
                if position < count, bytes[position] == Self.quote {
                    fields.append(try quotedField(startLine: startLine))
                    if position < count, bytes[position] != Self.comma, bytes[position] != Self.lf, bytes[position] != Self.cr {
                        throw CSVError(.textAfterClosingQuote, row: row, line: line)
                    }
                } else {
                    let start = position
                    while position < count {
                        let byte = bytes[position]
                        if byte == Self.comma || byte == Self.lf || byte == Self.cr { break }
                        if byte == Self.quote { throw CSVError(.quoteInUnquotedField, row: row, line: line) }
                        position += 1
                    }
                    fields.append(try decode(bytes[start..<position]))
                }
                // Here position is at EOF, a comma or a line break.
                guard position < count else { break }
                let byte = bytes[position]
                if byte == Self.comma {
                    position += 1
                    continue
                }
                if byte == Self.cr {
                    guard position + 1 < count, bytes[position + 1] == Self.lf else { throw CSVError(.bareCarriageReturn, row: row, line: line) }
                    position += 1
                }
                position += 1  // the LF
                line += 1
                break
            }
            return CSVRecord(row: row, line: startLine, fields: fields)
        }
        return nil
    }

    /// A field starting at the opening quote; leaves `position` just after the closing one.
    private mutating func quotedField(startLine: Int) throws(CSVError) -> String {
        let count = bytes.count
        position += 1
        var segment = position
        var text: [UInt8] = []
        while true {
            guard position < count else { throw CSVError(.unterminatedQuote, row: row, line: startLine) }
            let byte = bytes[position]
            if byte == Self.quote {
                if position + 1 < count, bytes[position + 1] == Self.quote {
                    text.append(contentsOf: bytes[segment...position])  // keeps one of the two quotes
                    position += 2
                    segment = position
                    continue
                }
                text.append(contentsOf: bytes[segment..<position])
                position += 1
                return try decode(text[...])
            }
            if byte == Self.lf { line += 1 }
            position += 1
        }
    }

    private func decode(_ slice: ArraySlice<UInt8>) throws(CSVError) -> String {
        if slice.allSatisfy({ $0 < 0x80 }) { return String(decoding: slice, as: UTF8.self) }
        guard let text = String(validating: slice, as: UTF8.self) else { throw CSVError(.invalidUTF8, row: row, line: line) }
        return text
    }
}

/// Builds a CSV file in memory: RFC 4180 with CRLF line ends, quoting only where needed,
/// text cells neutralised against formula injection (see `CSV`).
public struct CSVWriter: Sendable {
    /// The file so far.
    public private(set) var bytes: [UInt8] = []
    private var atRowStart = true

    /// An empty file; `capacity` avoids regrowing a large export.
    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends a whole row of text cells.
    public mutating func row(_ fields: [String]) {
        for field in fields { append(field) }
        endRow()
    }

    /// Appends a text cell: neutralised if a spreadsheet would run it, quoted if it holds a
    /// comma, a quote, a line break, or leading or trailing spaces (which some tools trim).
    public mutating func append(_ text: String) {
        separate()
        let value = CSV.neutralised(text)
        let utf8 = value.utf8
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || utf8.first == 0x20 || utf8.last == 0x20
        guard needsQuotes else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    /// Appends an integer cell, never prefixed: an integer cannot be a formula.
    public mutating func append(_ number: Int64) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
    }

    /// Appends `true` or `false`.
    public mutating func append(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    /// Ends the current row with CRLF.
    public mutating func endRow() {
        bytes.append(0x0D)
        bytes.append(0x0A)
        atRowStart = true
    }

    private mutating func separate() {
        if !atRowStart { bytes.append(0x2C) }
        atRowStart = false
    }
}
