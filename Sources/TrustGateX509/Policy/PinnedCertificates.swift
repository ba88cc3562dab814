import X509

/// Self-signed client certificates accepted on purpose (ASP.NET's `AllowedCertificateTypes = SelfSigned`,
/// but only for the listed certificates): by thumbprint (SHA-1 or SHA-256) or by SPKI SHA-256.
public struct PinnedCertificates: Sendable, Hashable {
    public var thumbprints: Set<String>
    public var spkiSHA256: Set<[UInt8]>

    public init(thumbprints: Set<String> = [], spkiSHA256: Set<[UInt8]> = []) {
        self.thumbprints = Set(thumbprints.map(CertificateFingerprints.normalizedHex))
        self.spkiSHA256 = spkiSHA256
    }

    public var isEmpty: Bool { thumbprints.isEmpty && spkiSHA256.isEmpty }

    func contains(_ fingerprints: CertificateFingerprints) -> Bool {
        thumbprints.contains(fingerprints.sha1Hex) || thumbprints.contains(fingerprints.sha256Hex)
            || spkiSHA256.contains(fingerprints.spkiSHA256)
    }
}
