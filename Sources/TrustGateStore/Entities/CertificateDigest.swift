import TrustGateJOSE
import TrustGateX509

/// A certificate thumbprint to look a registered certificate up by: the `x5t#S256` or `x5t` of an assertion's
/// header, or the SHA-256 of a certificate presented over TLS.
public enum CertificateDigest: Sendable, Hashable {
    case sha1([UInt8])
    case sha256([UInt8])

    /// `x5t#S256` as clients send it: base64url, with or without `=` padding (MSAL Python pads, CA-15).
    public init?(x5tS256 text: String) {
        guard let bytes = Self.decodeThumbprint(text), bytes.count == 32 else { return nil }
        self = .sha256(bytes)
    }

    /// `x5t` (SHA-1), padded or not.
    public init?(x5t text: String) {
        guard let bytes = Self.decodeThumbprint(text), bytes.count == 20 else { return nil }
        self = .sha1(bytes)
    }

    /// Hex as Windows and OpenSSL show thumbprints (40 digits SHA-1, 64 SHA-256; colons and spaces ignored).
    public init?(hex text: String) {
        guard let bytes = CertificateFingerprints.bytes(fromHex: CertificateFingerprints.normalizedHex(text)) else { return nil }
        switch bytes.count {
        case 20: self = .sha1(bytes)
        case 32: self = .sha256(bytes)
        default: return nil
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .sha1(let bytes), .sha256(let bytes): return bytes
        }
    }

    private static func decodeThumbprint(_ text: String) -> [UInt8]? {
        var trimmed = Substring(text)
        while trimmed.last == "=" { trimmed.removeLast() }
        return Base64URL.decode(trimmed)
    }
}
