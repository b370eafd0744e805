/// Why a delivery attempt failed (an NDR, non-delivery report), in the few words Bahi acts on.
///
/// Why normalise: each courier has its own codes (Delhivery's NSL codes `EOD-11`, `EOD-6`, …)
/// and every aggregator its own texts ("Customer Asked For Future Delivery"), and third-party
/// tables disagree on some codes' meanings. What Bahi does next depends only on a few classes:
/// a refusal goes back (RTO) at once, an unreachable buyer gets a message with a new-number
/// prompt, a bad address asks for a corrected one, a date request waits. The courier's own
/// code and text are kept beside the reason (`TrackingUpdate.NDR`), so nothing is lost.
public enum NDRReason: String, Sendable, CaseIterable {
    case customerUnavailable = "customer_unavailable"
    case refused
    case addressIssue = "address_issue"
    case codNotReady = "cod_not_ready"
    case rescheduleRequested = "reschedule_requested"
    case outOfDeliveryArea = "out_of_delivery_area"
    case other

    /// The reason a courier's `code` and `text` describe. The text is read first: it is the
    /// courier's own words for this attempt, where a code's meaning is what a third-party table
    /// says (the reference warns they disagree); the code decides when the text says nothing
    /// recognisable; else `other`.
    public static func normalise(code: String?, text: String?) -> NDRReason {
        if let text, let reason = fromText(text) { return reason }
        if let code, let known = delhiveryCodes.first(where: { $0.code == code.uppercased() }) { return known.reason }
        return .other
    }

    /// Delhivery's NSL codes for failed attempts whose meaning the published mapping tables
    /// share (reference §4); the docs print them.
    public static let delhiveryCodes: [(code: String, meaning: String, reason: NDRReason)] = [
        ("EOD-11", "consignee unavailable", .customerUnavailable),
        ("EOD-3", "delivery rescheduled", .rescheduleRequested),
        ("EOD-6", "refused / cancelled the order", .refused),
        ("EOD-40", "payment or amount dispute", .codNotReady),
        ("EOD-69", "wants an open delivery", .other),
        ("EOD-74", "bad or incomplete address", .addressIssue),
        ("EOD-86", "not attempted", .other),
        ("EOD-104", "entry restricted", .addressIssue),
        ("DLYDC-132", "out of delivery area (ODA)", .outOfDeliveryArea),
        ("ST-108", "maximum attempts reached", .other),
        ("EOD-106", "maximum attempts reached", .other),
        ("EOD-777", "reverse pickup: QC failed", .other),
    ]

    /// Phrases that name each reason in couriers' and aggregators' texts, tried in this order
    /// (a refusal or a cash problem outranks "not available"; ODA before "delivery").
    static let phrases: [(reason: NDRReason, phrases: [String])] = [
        (.refused, ["refus", "reject", "cancel", "not interested", "not want", "dont want", "doesnt want", "no longer want"]),
        (.codNotReady, ["cash not ready", "cod not ready", "cod amount", "amount not ready", "payment not ready", "no cash",
                        "amount dispute", "payment dispute", "price dispute"]),
        (.rescheduleRequested, ["future delivery", "reschedul", "another day", "later date", "defer", "next day", "delivery on"]),
        (.outOfDeliveryArea, [" oda ", "out of delivery area", "outside delivery area", "non serviceable", "not serviceable"]),
        (.customerUnavailable, ["unavailable", "not available", "not reachable", "unreachable", "not contactable", "not responding",
                                "no response", "door locked", "premises closed", "office closed", "shop closed", "not at home",
                                "switched off", "nobody"]),
        (.addressIssue, ["address", "pincode", "pin code", "landmark", "entry restricted", "entry not allowed", "no entry"]),
    ]

    /// The reason `text` names, or nil. Compared in lower case with punctuation as spaces
    /// (apostrophes dropped: "doesn't" is "doesnt"), so "Customer Not Available/Contactable" and
    /// "customer not available - contactable" agree.
    static func fromText(_ text: String) -> NDRReason? {
        let words = text.lowercased().filter { $0 != "'" && $0 != "\u{2019}" }.map { $0.isLetter || $0.isNumber ? $0 : " " }
        let normal = " " + String(words).split(separator: " ").joined(separator: " ") + " "
        return phrases.first { entry in entry.phrases.contains { normal.contains($0) } }?.reason
    }
}
