// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "TrustGate",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TrustGateX509", targets: ["TrustGateX509"]),
        .library(name: "TrustGateGateway", targets: ["TrustGateGateway"]),
        .executable(name: "trustgate", targets: ["trustgate"]),
        .executable(name: "trustgate-limbo", targets: ["trustgate-limbo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // 4.x: jwt-kit 5 (token service, later) requires it; swift-certificates accepts it.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
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
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "TrustGateGateway",
            dependencies: ["TrustGateX509"]
        ),
        .executableTarget(
            name: "trustgate",
            dependencies: [
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .executableTarget(
            name: "trustgate-policy-bench",
            dependencies: [
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Benchmarks/PolicyBenchmark"
        ),
        .testTarget(
            name: "TrustGateGatewayTests",
            dependencies: ["TrustGateGateway"]
        ),
        .testTarget(
            name: "TrustGateX509Tests",
            dependencies: [
                "TrustGateX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ]
)
