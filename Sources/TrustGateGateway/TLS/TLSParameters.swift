import CTrustGateBoringSSLShims
import NIOSSL

/// The cipher suites, key-exchange groups and signature algorithms a listener's ``TLSProfile`` puts in force,
/// set explicitly on every context rather than left to swift-nio-ssl's defaults — which offer four static-RSA
/// suites (no forward secrecy: one leaked server key decrypts every recorded session), CBC suites (testssl
/// flags LUCKY13), and list `rsa_pkcs1_sha1` and `ecdsa_sha1` in TLS 1.2's CertificateRequest and accept a
/// client's CertificateVerify signed with them (RFC 9155: implementations MUST NOT).
///
/// TLS 1.3's suites are BoringSSL's fixed three (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305): all AEAD, all
/// forward secret; BoringSSL offers no way to change them and none is needed.
struct TLSParameters: Equatable {
    let profile: TLSProfile
    let minimumVersion: TLSVersion
    /// TLS 1.2 suites, in the server's order of preference.
    let cipherSuites: [NIOTLSCipher]
    let curves: [NIOTLSCurve]
    /// What a client may sign its CertificateVerify with, as listed in the CertificateRequest.
    let verifySignatureAlgorithms: [SignatureAlgorithm]
    /// What the gateway may sign its own handshake with.
    let signingSignatureAlgorithms: [SignatureAlgorithm]

    init(_ tls: ListenerTLSConfiguration) {
        profile = tls.profile
        minimumVersion = tls.effectiveMinimumVersion == .tls13 ? .tlsv13 : .tlsv12
        cipherSuites = profile == .compatible ? Self.aeadSuites + Self.cbcSuites : Self.aeadSuites
        curves = Self.curves
        verifySignatureAlgorithms = Self.signatureAlgorithms
        signingSignatureAlgorithms = Self.signatureAlgorithms
    }

    /// Mozilla "intermediate": ECDHE with AES-GCM or ChaCha20-Poly1305, ECDSA certificates' suites first.
    static let aeadSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// `compatible` adds ECDHE with AES-CBC (HMAC-SHA1 as the record MAC, which RFC 9155 does not concern:
    /// it forbids SHA-1 *signatures*). Still forward secret; never static RSA.
    static let cbcSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    ]

    /// X25519, P-256, P-384 (Mozilla's list); P-521 and X448 are not offered (X448 BoringSSL lacks).
    static let curves: [NIOTLSCurve] = [.x25519, .secp256r1, .secp384r1]

    /// ECDSA with the hash matching its curve, RSA-PSS, RSA PKCS#1 v1.5 with SHA-2 (BoringSSL uses PKCS#1 in
    /// TLS 1.2 only, as RFC 8446 §4.2.3 requires for 1.3's CertificateVerify), Ed25519. No SHA-1, no MD5.
    /// P-521 is listed so that a client key the policy accepts can always sign; it weakens nothing.
    static let signatureAlgorithms: [SignatureAlgorithm] = [
        .ecdsaSecp256R1Sha256, .ecdsaSecp384R1Sha384, .ecdsaSecp521R1Sha512,
        .rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512,
        .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512,
        .ed25519,
    ]

    /// Applies the lists to a server configuration.
    func apply(to configuration: inout TLSConfiguration) {
        configuration.minimumTLSVersion = minimumVersion
        configuration.cipherSuiteValues = cipherSuites
        configuration.curves = curves
        configuration.verifySignatureAlgorithms = verifySignatureAlgorithms
        configuration.signingSignatureAlgorithms = signingSignatureAlgorithms
    }

    struct UnavailableError: Error, CustomStringConvertible {
        var description: String { "this build of swift-nio-ssl does not expose its SSL_CTX: the server's cipher order cannot be set" }
    }

    /// What only the built context can take: the server's suite order decides, not the client's (nginx's
    /// `ssl_prefer_server_ciphers on`; testssl reports a server without an order as a MEDIUM finding).
    static func finish(_ context: NIOSSLContext) throws {
        guard let pointer = BoringSSLPointers.context(of: context) else { throw UnavailableError() }
        trustgate_prefer_server_cipher_order(UnsafeMutableRawPointer(pointer))
    }

    /// Whether `context` uses the server's order (nil: the pointer could not be found).
    static func prefersServerOrder(_ context: NIOSSLContext) -> Bool? {
        BoringSSLPointers.context(of: context).map { trustgate_prefers_server_cipher_order(UnsafeRawPointer($0)) == 1 }
    }

    // MARK: - Names, for `serve --check-config`

    var cipherSuiteNames: [String] {
        (minimumVersion == .tlsv13 ? [] : cipherSuites.map(Self.name(of:))) + ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    }

    var curveNames: [String] {
        curves.map { curve in
            switch curve {
            case .x25519: "X25519"
            case .secp256r1: "P-256"
            case .secp384r1: "P-384"
            default: "0x" + String(curve.rawValue, radix: 16)
            }
        }
    }

    var signatureAlgorithmNames: [String] {
        verifySignatureAlgorithms.map { algorithm in
            switch algorithm {
            case .ecdsaSecp256R1Sha256: "ecdsa_secp256r1_sha256"
            case .ecdsaSecp384R1Sha384: "ecdsa_secp384r1_sha384"
            case .ecdsaSecp521R1Sha512: "ecdsa_secp521r1_sha512"
            case .rsaPssRsaeSha256: "rsa_pss_rsae_sha256"
            case .rsaPssRsaeSha384: "rsa_pss_rsae_sha384"
            case .rsaPssRsaeSha512: "rsa_pss_rsae_sha512"
            case .rsaPkcs1Sha256: "rsa_pkcs1_sha256 (TLS 1.2)"
            case .rsaPkcs1Sha384: "rsa_pkcs1_sha384 (TLS 1.2)"
            case .rsaPkcs1Sha512: "rsa_pkcs1_sha512 (TLS 1.2)"
            case .ed25519: "ed25519"
            default: "0x" + String(algorithm.rawValue, radix: 16)
            }
        }
    }

    /// The IANA name of a TLS 1.2 suite this type offers.
    static func name(of suite: NIOTLSCipher) -> String {
        switch suite {
        case .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        case .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        case .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        case .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        case .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        case .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
        case .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        case .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
        case .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        case .TLS_AES_128_GCM_SHA256: "TLS_AES_128_GCM_SHA256"
        case .TLS_AES_256_GCM_SHA384: "TLS_AES_256_GCM_SHA384"
        case .TLS_CHACHA20_POLY1305_SHA256: "TLS_CHACHA20_POLY1305_SHA256"
        default: "0x" + String(suite.rawValue, radix: 16)
        }
    }
}
