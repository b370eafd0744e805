import BahiJSON

/// What the tracking decoders read beyond the payment gateways' needs, on the same reader
/// (`GatewayPayload`), so every failure names its field the same way: arrays of objects with
/// their index in the path, status numbers that are integers in one field and strings in the
/// next, and courier local times.
extension GatewayPayload {
    /// The objects of the array at `key`, each with its path (`scans[2]`); empty when the array
    /// is absent or `null` (a push may carry no history).
    func objects(_ key: String) throws(GatewayPayloadError) -> [GatewayPayload] {
        guard let value = present(key) else { return [] }
        guard case .array(let items) = value else { throw failure(key, expected: "an array of objects") }
        var found: [GatewayPayload] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path(key))[\(index)]"
            guard case .object(let inner) = item else {
                throw GatewayPayloadError(path: itemPath, expected: "an object", found: Self.describe(item))
            }
            found.append(GatewayPayload(object: inner, path: itemPath))
        }
        return found
    }

    /// A status number as text (`"18"`), written as an integer (`current_status_id: 20`) or as
    /// digits in a string (`"sr-status": "18"`); nil when absent, `null`, `""` or `"NA"`
    /// (Shiprocket's word for a scan its table has no status for).
    func statusNumber(_ key: String) throws(GatewayPayloadError) -> String? {
        switch present(key) {
        case nil:
            return nil
        case .string(let text)? where text.isEmpty || text.uppercased() == "NA":
            return nil
        case .string(let text)? where text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
            // `"018"` is the status 18: the table is keyed by the number's plain text.
            if let number = Int(text) { return String(number) }
        case .number(let number)?:
            if let integer = number.int64, integer >= 0 { return String(integer) }
        default:
            break
        }
        throw failure(key, expected: "a status number (an integer, digits in a string, or \"NA\")")
    }

    /// The time at `key`, read by `parse`; `layout` is said in the error.
    func time(_ key: String, layout: String, _ parse: (String) -> Int64?) throws(GatewayPayloadError) -> Int64 {
        guard let text = try optionalString(key), let time = parse(text) else {
            throw failure(key, expected: "a time \(layout) (IST)")
        }
        return time
    }
}
