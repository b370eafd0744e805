import BahiJSON

/// A request to a courier provider's API, as plain data: method, URL, headers, body. Core
/// builds it (`ShiprocketAPI`, `DelhiveryAPI`, `CourierNDRInstruction`) and reads the answer;
/// BahiAPI sends it outside any transaction (`CourierGateways`), so each provider's wire
/// format is pure code with its own tests and Core never touches the network.
///
/// The headers carry credentials (a bearer token, a static API token) and a login body the
/// password: never log a request.
public struct CourierProviderRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: Method = .post, url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// `base` and `path` joined by exactly one slash.
    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        var path = Substring(path)
        while path.hasPrefix("/") { path.removeFirst() }
        return base + "/" + path
    }

    /// A POST of `object` as JSON.
    static func json(_ url: String, _ object: JSONObject, headers: [(name: String, value: String)]) -> CourierProviderRequest {
        CourierProviderRequest(url: url, headers: headers + [("Content-Type", "application/json"), ("Accept", "application/json")],
                               body: JSONValue.object(object).encoded())
    }

    /// Form encoding of one value (`application/x-www-form-urlencoded`): unreserved bytes as
    /// they are, a space as `+`, every other byte `%XX`.
    static func formEncoded(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(byte)
            case 0x20: out.append(0x2B)
            default: out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func segment(_ text: String) -> String {
        formEncoded(text).replacingAll("+", with: "%20")
    }
}
