// swift-tools-version:6.0
// Bahi: an order-management server for Indian D2C sellers.
// No Swift package dependencies: the toolchain plus system C libraries (libsqlite3, libcrypto, libssl, libpq).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Bahi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bahi", targets: ["bahi"]),
        .library(name: "BahiHTTP", targets: ["BahiHTTP"]),
    ],
    targets: [
        // System libraries, each with a module map, a shim header, pkg-config and an apt provider.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // libssl for BahiHTTP's TLS client (links libcrypto too); wrappers for OpenSSL's macros.
        .systemLibrary(
            name: "CTLS",
            pkgConfig: "libssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),

        // GNU-only socket calls (accept4) that Swift's Glibc module leaves out: a header, no library.
        .systemLibrary(name: "CSystem"),

        // JSON reading and writing, strict (RFC 8259), shared by every layer above.
        .target(name: "BahiJSON", swiftSettings: strict),
        // HTTP/1.1 server and client (TLS through libssl): knows nothing about orders.
        .target(name: "BahiHTTP", dependencies: ["CSystem", "CTLS", "BahiJSON"], swiftSettings: strict),
        // The stores (SQLite, PostgreSQL): know no domain word.
        .target(name: "BahiStore", dependencies: ["CSQLite", "CPostgres", "CSystem"], swiftSettings: strict),
        // Domain services.
        .target(name: "BahiCore", dependencies: ["BahiStore", "BahiJSON", "CCrypto"], swiftSettings: strict),
        // Routes, DTOs, middleware.
        .target(name: "BahiAPI", dependencies: ["BahiCore", "BahiStore", "BahiHTTP", "BahiJSON"], swiftSettings: strict),
        // The command-line entry point: serve, version, ...
        .executableTarget(name: "bahi", dependencies: ["BahiAPI", "BahiHTTP", "BahiJSON", "BahiCore", "BahiStore"], swiftSettings: strict),
        // A realistic large store written through the domain's flows (`BahiBench seed`, Benchmarks/scale.sh).
        .target(name: "BahiSeed", dependencies: ["BahiCore", "BahiStore"], swiftSettings: strict),
        .executableTarget(name: "BahiBench", dependencies: ["BahiStore", "BahiCore", "BahiHTTP", "BahiJSON", "BahiSeed"], swiftSettings: strict),

        // A blocking loopback client and helpers shared by the live tests.
        .target(name: "BahiTestSupport", path: "Tests/BahiTestSupport", swiftSettings: strict),
        .testTarget(name: "BahiHTTPTests", dependencies: ["BahiHTTP", "BahiJSON", "BahiTestSupport", "CTLS"], swiftSettings: strict),
        .testTarget(name: "BahiStoreTests", dependencies: ["BahiStore", "BahiCore"], swiftSettings: strict),
        .testTarget(name: "BahiCoreTests", dependencies: ["BahiCore", "BahiJSON", "BahiStore", "BahiTestSupport", "BahiSeed"], swiftSettings: strict),
        .testTarget(name: "BahiAPITests", dependencies: ["BahiAPI", "BahiHTTP", "BahiCore", "BahiStore", "BahiJSON", "BahiTestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
