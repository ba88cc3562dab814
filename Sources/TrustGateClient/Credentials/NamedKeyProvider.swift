import TrustGateX509

/// Resolves named keys (B2C's policy keys) to their values. The store-backed one is ``StoreNamedKeys``; tests and
/// programs with their own secret storage can supply another.
public protocol NamedKeyProvider: Sendable {
    /// The secret stored as `name`.
    func secret(named name: String) async throws -> [UInt8]
    /// The certificate and private key stored as `name`.
    func certificate(named name: String) async throws -> CertificateBundle
}
