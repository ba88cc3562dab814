/// Which of limbo's optional `features` TrustGate implements, and which testcases it deliberately answers
/// the other way.
///
/// limbo: "Consumers that don't understand a given feature should skip tests that are marked with it."
/// A feature is evaluated whenever the engine has the behaviour the feature is about. It is skipped (every
/// case carrying it, whatever the engine would answer) only when the engine has no such behaviour at all.
enum LimboFeatureSupport {
    enum Support {
        case evaluated
        case unsupported(String)
    }

    static func table(mode: HarnessMode) -> [String: Support] { engineTable }

    static func conflictResolution(mode: HarnessMode) -> [String: String] {
        conflictsResolved.merging(undeclaredConflicts) { declared, _ in declared }
    }

    /// Testcases whose expectation contradicts many other testcases of the same suite, so that no validator
    /// can pass both sides (an undeclared `conflicts_with`).
    ///
    /// The `webpki::cn::*` cases expect a leaf to be refused because its commonName is not one of its SAN
    /// values (CA/B Forum BR 7.1.4.3), while 398 SUCCESS cases of this build present exactly that — a
    /// commonName absent from the SAN — and must be accepted (e.g. rfc5280::nc::permitted-dns-match-more:
    /// CN=example.com, SAN foo.bar.example.com). TrustGate never reads the commonName as a server identity
    /// (RFC 9525), so it sides with the 398.
    private static let undeclaredConflicts: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            "ipv4-hex-mismatch", "ipv4-leading-zeros-mismatch", "ipv6-uppercase-mismatch", "ipv6-uncompressed-mismatch",
            "ipv6-non-rfc5952-mismatch", "punycode-not-in-san", "utf8-vs-punycode-mismatch", "not-in-san", "case-mismatch",
        ].map { name in
            (
                "webpki::cn::\(name)",
                "undeclared conflict: requires the commonName to be one of the SAN values (CA/B Forum BR 7.1.4.3), which 398 SUCCESS cases of this suite contradict (e.g. rfc5280::nc::permitted-dns-match-more: CN=example.com, SAN foo.bar.example.com); TrustGate ignores the commonName (RFC 9525)"
            )
        })

    private static let engineTable: [String: Support] = [
        "has-crl": .evaluated,
        "max-chain-depth": .evaluated,
        "denial-of-service": .evaluated,
        "name-constraint-dn": .unsupported(
            "swift-certificates' NameConstraintsPolicy does not match directoryName constraints; it refuses every chain under one (fail-closed)"),
        "has-policy-constraints": .unsupported(
            "no certificate-policy processing (RFC 5280 §6.1 policy tree, policyConstraints, inhibitAnyPolicy)"),
        "has-cert-policies": .unsupported("no certificate-policy processing (RFC 5280 §6.1 policy tree)"),
        "no-cert-policies": .unsupported("no certificate-policy processing (RFC 5280 §6.1 policy tree)"),
        "pedantic-public-suffix-wildcard": .unsupported("no Public Suffix List: wildcards on public suffixes are not recognised"),
        "pedantic-webpki-subscriber-key": .evaluated,  // RSA ≥ 2048 in whole octets; P-192 and DSA keys do not load at all
        "pedantic-webpki-eku": .unsupported(
            "the leaf's extendedKeyUsage follows RFC 5280 (absent means any purpose), not the CA/B Forum subscriber EKU profile"),
        "pedantic-serial-number": .evaluated,  // strict profile: positive, at most 20 octets
        "pedantic-rfc5280": .unsupported(
            "no authorityKeyIdentifier presence rule for a trust anchor (RFC 5280 §6.1: the anchor is not part of the path)"),
        "rfc5280-incompatible-with-webpki": .unsupported(
            "where RFC 5280 and the Web PKI disagree, swift-certificates follows the Web PKI (a non-critical nameConstraints is enforced, not refused)"),
    ]

    /// Testcases limbo marks as mutually incompatible (`conflicts_with`) where TrustGate takes the other
    /// side and no feature tag says so. Only one of a conflicting pair can pass.
    private static let conflictsResolved: [String: String] = [
        "rfc5280::ca-as-leaf":
            "conflicts with webpki::ca-as-leaf, which TrustGate follows: a CA certificate does not authenticate as an end entity",
    ]
}
