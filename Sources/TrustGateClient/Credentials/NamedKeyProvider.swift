public import TrustGateX509

/// Resolves named keys (B2C's policy keys) to their values. TrustGate's store is one provider (the CLI wires it:
/// `StoreNamedKeys`); tests and programs with their own secret storage can supply another. The client itself knows
/// no store.
public protocol NamedKeyProvider: Sendable {
    /// The secret stored as `name`.
    func secret(named name: String) async throws -> [UInt8]
    /// The certificate and private key stored as `name`.
    func certificate(named name: String) async throws -> CertificateBundle
    /// What the user is told when `secret(named:)` or `certificate(named:)` threw `error` for `reference` (the
    /// reference as configured, e.g. `namedKey:rest-password`). A provider whose errors already name the key can
    /// say them alone; by default the reference comes first.
    func describe(_ error: any Error, reference: String) -> String
}

extension NamedKeyProvider {
    public func describe(_ error: any Error, reference: String) -> String {
        "\(reference): \(error)"
    }
}
