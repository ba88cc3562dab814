import SwiftASN1
public import X509

/// The certificates a client presented, as DER, leaf first, exactly as received.
///
/// Kept as bytes (not parsed certificates) so the verdict cache can be consulted before any parsing.
public struct PresentedCertificateChain: Sendable {
    public let derCertificates: [[UInt8]]

    public init(derCertificates: [[UInt8]]) {
        self.derCertificates = derCertificates
    }

    public init(_ certificates: [Certificate]) {
        self.derCertificates = certificates.map(\.derBytes)
    }

    public var isEmpty: Bool { derCertificates.isEmpty }
}

extension PresentedCertificateChain: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.derCertificates == rhs.derCertificates
    }

    /// Hashes the lengths and the last bytes of each certificate — its signature, which differs between
    /// any two certificates — instead of every byte: a cache probe costs nanoseconds, and equality still
    /// compares the full bytes, so a crafted hash collision can only cost a probe, never a wrong verdict.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(derCertificates.count)
        for der in derCertificates {
            hasher.combine(der.count)
            der.suffix(32).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
