public import TrustGateX509

/// Where a client certificate and its private key come from: a named certificate key in the store (a PFX added
/// with `trustgate keys add-pfx`), a PFX file with its password, or PEM files (the key in the certificate file
/// or its own file, encrypted or not). `.bundle` is for code that loaded the identity itself.
public enum ClientIdentitySource: Sendable, CustomStringConvertible {
    case namedKey(String)
    case pfxFile(path: String, password: SecretReference?)
    case pemFiles(certificate: String, privateKey: String?, password: SecretReference?)
    case bundle(CertificateBundle)

    public var description: String {
        switch self {
        case .namedKey(let name): return "named key '\(name)'"
        case .pfxFile(let path, _): return "PFX file \(path)"
        case .pemFiles(let certificate, let key, _): return key.map { "certificate \(certificate) with key \($0)" } ?? "certificate \(certificate)"
        case .bundle: return "a certificate given in code"
        }
    }

    /// Named keys this source needs from the store.
    public var namedKeyNames: [String] {
        switch self {
        case .namedKey(let name): return [name]
        case .pfxFile(_, let password), .pemFiles(_, _, let password): return password?.namedKeyName.map { [$0] } ?? []
        case .bundle: return []
        }
    }
}
