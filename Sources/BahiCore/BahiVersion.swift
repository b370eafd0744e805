/// The product's version, reported by `bahi version` and `GET /v1/health`.
public enum BahiVersion {
    public static let current = "0.1.0"
}
