/// How strictly certificates must follow the RFC 5280 profile beyond what path validation needs.
public enum CertificateProfile: String, Sendable, Hashable, CaseIterable {
    /// Every rule of ``CertificateProfileCheck``, as pyca/cryptography and rustls-webpki apply them. The
    /// default: fail closed.
    case strict
    /// Drops the rules that only police form (basicConstraints criticality, key identifiers, serial length,
    /// X.509 v1, authorityKeyIdentifier details, SAN criticality, CRLs without a cRLNumber) for private PKIs
    /// made by older tools. Every rule with a security meaning stays.
    case compatible
}
