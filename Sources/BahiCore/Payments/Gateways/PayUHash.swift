/// PayU India's hashes: lowercase hex SHA-512 over `|`-joined fields with the merchant's salt.
///
/// Why fields "as posted": PayU hashes the strings it sends, so `amount` must stay `"10.00"` —
/// a value re-formatted from a number (`10.0`, `10`) hashes differently. The form is decoded
/// (`FormURLEncoded`) and its values used verbatim; nothing else is read before the hash is
/// checked. The salt is the secret; several may be given during a rotation.
public enum PayUHash {
    /// The reverse (response) hash PayU posts in `hash` with a callback, under `salt`:
    /// `sha512([additionalCharges|]SALT|status||||||udf5|udf4|udf3|udf2|udf1|email|firstname|productinfo|amount|txnid|key)`.
    /// An absent field hashes as empty. `additionalCharges` leads only when posted non-empty
    /// (as PayU's Node SDK does); PayU's field list also spells it `additional_charges`, which
    /// is read when the camel-case one is absent.
    public static func reverseHash(form: [(name: String, value: String)], salt: String) -> String {
        Digest.hex(reverseDigest(form: form, salt: salt))
    }

    /// The request hash a payment form is posted to PayU with:
    /// `sha512(key|txnid|amount|productinfo|firstname|email|udf1|…|udf5||||||SALT)`. Here so
    /// the checkout side and the callback side share one definition of PayU's field order.
    public static func requestHash(
        key: String, txnid: String, amount: String, productinfo: String, firstname: String, email: String,
        udf: [String] = [], salt: String
    ) -> String {
        let udfs = (0..<5).map { $0 < udf.count ? udf[$0] : "" }
        let fields = [key, txnid, amount, productinfo, firstname, email] + udfs + ["", "", "", "", "", salt]
        return Digest.hex(Digest.sha512(Array(fields.joined(separator: "|").utf8)))
    }

    /// Nil (genuine) when the posted `key` is `merchantKey` and the posted `hash` is the
    /// reverse hash of the form under any of `salts`; otherwise why not.
    public static func verify(form: [(name: String, value: String)], merchantKey: String, salts: [String]) -> GatewaySignatureRejection? {
        guard let posted = field("hash", in: form), !posted.isEmpty else { return .missingSignature }
        guard let given = Digest.bytes(hex: posted), given.count == 64 else { return .malformedSignature }
        // The key is public (it is in the checkout form), but a callback for another account is
        // not ours to act on even if that account's salt happened to match.
        guard field("key", in: form) == merchantKey else { return .merchantKeyMismatch }
        return GatewaySignatureRejection.check(given, secrets: salts) { salt in reverseDigest(form: form, salt: salt) }
    }

    private static func reverseDigest(form: [(name: String, value: String)], salt: String) -> [UInt8] {
        func value(_ name: String) -> String { field(name, in: form) ?? "" }
        var fields: [String] = []
        let charges = field("additionalCharges", in: form) ?? field("additional_charges", in: form) ?? ""
        if !charges.isEmpty { fields.append(charges) }
        fields += [salt, value("status"), "", "", "", "", ""]
        fields += ["udf5", "udf4", "udf3", "udf2", "udf1", "email", "firstname", "productinfo", "amount", "txnid", "key"].map(value)
        return Digest.sha512(Array(fields.joined(separator: "|").utf8))
    }

    /// The first value posted under `name`.
    static func field(_ name: String, in form: [(name: String, value: String)]) -> String? {
        form.first { $0.name == name }?.value
    }
}
