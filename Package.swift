// swift-tools-version:6.1
import PackageDescription

// Every Swift target compiles with the upcoming features Hummingbird 2 uses, so that a leak fails to compile: a
// module used in a public declaration must be imported `public`, a member is visible only where its module is
// imported, and an existential is written `any`.
// https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
let existentialAny: SwiftSetting = .enableUpcomingFeature("ExistentialAny")
// https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
let memberImportVisibility: SwiftSetting = .enableUpcomingFeature("MemberImportVisibility")
// https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
let internalImportsByDefault: SwiftSetting = .enableUpcomingFeature("InternalImportsByDefault")
let swiftSettings: [SwiftSetting] = [existentialAny, memberImportVisibility, internalImportsByDefault]

let package = Package(
    name: "TrustGate",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TrustGateX509", targets: ["TrustGateX509"]),
        .library(name: "TrustGateConfiguration", targets: ["TrustGateConfiguration"]),
        .library(name: "TrustGateGateway", targets: ["TrustGateGateway"]),
        .library(name: "TrustGateJOSE", targets: ["TrustGateJOSE"]),
        .library(name: "TrustGateAuth", targets: ["TrustGateAuth"]),
        .library(name: "TrustGateHummingbird", targets: ["TrustGateHummingbird"]),
        .library(name: "TrustGateStore", targets: ["TrustGateStore"]),
        .library(name: "TrustGateTokens", targets: ["TrustGateTokens"]),
        .library(name: "TrustGateTokensHummingbird", targets: ["TrustGateTokensHummingbird"]),
        .library(name: "TrustGateClient", targets: ["TrustGateClient"]),
        .executable(name: "trustgate", targets: ["trustgate"]),
        .executable(name: "trustgate-limbo", targets: ["trustgate-limbo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // 4.x: jwt-kit 5 (token service, later) requires it; swift-certificates accepts it.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The gateway's data path is plain SwiftNIO: HTTP/1.1 and HTTP/2 codecs, no web framework in between.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // JWKS fetching (TrustGateAuth) and, later, the calling side (TrustGateClient).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Only for TrustGateHummingbird (the middleware for Swift services) and the example service; the
        // gateway itself stays on plain SwiftNIO.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Already in the graph through Hummingbird; named because TrustGateTokensHummingbird speaks its types.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already in the graph through Hummingbird; named because its channel API speaks Logger and
        // ServiceLifecycle runs the test servers.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "TrustGateX509",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The YAML reader with file:line errors and the certificate-policy schema every front end shares; apart
        // from TrustGateX509 so that a user of the policy engine alone does not pull in Yams.
        .target(
            name: "TrustGateConfiguration",
            dependencies: [
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // A BoringSSL setting swift-nio-ssl does not expose (see Sources/TrustGateGateway/TLS/InternalSessionCache.swift).
        .target(name: "CTrustGateBoringSSLShims"),
        .target(
            name: "TrustGateGateway",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateX509",
                "TrustGateAuth",
                "TrustGateTokens",
                "TrustGateStore",
                "CTrustGateBoringSSLShims",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TrustGateJOSE",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "TrustGateAuth",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateX509",
                "TrustGateJOSE",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // SQLite for TrustGateStore: the system library (Debian: libsqlite3-dev), one file, WAL.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "TrustGateStore",
            dependencies: [
                "CSQLite",
                "TrustGateX509",
                "TrustGateJOSE",
                "TrustGateAuth",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "TrustGateTokens",
            dependencies: [
                "TrustGateStore",
                "TrustGateJOSE",
                "TrustGateAuth",
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // The token service's Hummingbird route set, apart so that the core (and the gateway, and the CLI) never
        // link Hummingbird.
        .target(
            name: "TrustGateTokensHummingbird",
            dependencies: [
                "TrustGateTokens",
                "TrustGateHummingbird",
                "TrustGateAuth",
                "TrustGateX509",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TrustGateClient",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateJOSE",
                "TrustGateX509",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "TrustGateHummingbird",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateAuth",
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "LoyaltyAPI",
            dependencies: [
                "TrustGateHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "TrustGateAuth",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/LoyaltyAPI/Sources"
        ),
        // `trustgate demo`'s pieces (and the gateway tests' upstream): a throwaway PKI, the demo's token-service
        // registrations, its gateway configuration, an echoing HTTP/1.1 upstream. Not part of any library.
        .target(
            name: "TrustGateDemo",
            dependencies: [
                "TrustGateX509",
                "TrustGateStore",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "trustgate",
            dependencies: [
                "TrustGateDemo",
                "TrustGateConfiguration",
                "TrustGateX509",
                "TrustGateGateway",
                "TrustGateAuth",
                "TrustGateStore",
                "TrustGateClient",
                "TrustGateJOSE",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "trustgate-limbo",
            dependencies: [
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Token issuance timed end to end; run by trustgate-policy-bench, smoke-tested by TrustGateTokensTests.
        .target(
            name: "TrustGateTokenBenchmark",
            dependencies: [
                "TrustGateTokens",
                "TrustGateStore",
                "TrustGateJOSE",
                "TrustGateAuth",
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Benchmarks/TokenBenchmark"
        ),
        .executableTarget(
            name: "trustgate-policy-bench",
            dependencies: [
                "TrustGateTokenBenchmark",
                "TrustGateX509",
                "TrustGateGateway",
                "TrustGateTokens",
                "TrustGateStore",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Benchmarks/PolicyBenchmark"
        ),
        .executableTarget(
            name: "trustgate-load",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/LoadGenerator",
            exclude: ["README.md"]
        ),
        .testTarget(
            name: "TrustGateGatewayTests",
            dependencies: [
                "TrustGateDemo",
                "TrustGateConfiguration",
                "TrustGateGateway",
                "TrustGateX509",
                "TrustGateAuth",
                "TrustGateJOSE",
                "TrustGateStore",
                "TrustGateTokens",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TrustGateJOSETests",
            dependencies: [
                "TrustGateJOSE",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "TrustGateAuthTests",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateAuth",
                "TrustGateJOSE",
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "TrustGateHummingbirdTests",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateHummingbird",
                "TrustGateAuth",
                "TrustGateJOSE",
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TrustGateStoreTests",
            dependencies: [
                "TrustGateStore",
                "TrustGateX509",
                "TrustGateJOSE",
                "TrustGateAuth",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "TrustGateTokensTests",
            dependencies: [
                "TrustGateTokenBenchmark",
                "TrustGateTokens",
                "TrustGateStore",
                "TrustGateJOSE",
                "TrustGateAuth",
                "TrustGateX509",
                "TrustGateHummingbird",
                "TrustGateTokensHummingbird",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TrustGateClientTests",
            dependencies: [
                // StoreNamedKeys, the store-backed NamedKeyProvider, is the CLI's (the client knows no store).
                "trustgate",
                "TrustGateConfiguration",
                "TrustGateClient",
                "TrustGateJOSE",
                "TrustGateX509",
                "TrustGateStore",
                "TrustGateAuth",
                "TrustGateHummingbird",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TrustGateX509Tests",
            dependencies: [
                "TrustGateConfiguration",
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CTrustGateBoringSSLShims" {
    // TrustGateGateway: all but MemberImportVisibility for now. With it, `sin_addr` / `sin6_addr` in
    // TLS/DownstreamConnectionState.swift resolve to NIO's internal CNIOLinux shim (it includes the C headers
    // non-modularly), which is no product to import; that file's code changes with the TLS work (issue 21).
    let settings = target.name == "TrustGateGateway" ? [existentialAny, internalImportsByDefault] : swiftSettings
    target.swiftSettings = (target.swiftSettings ?? []) + settings
}
