import X509

/// API Management semantics: a certificate passes when it satisfies every top-level claim (`require`)
/// and, if any `identities` are listed, every claim of at least one of them.
public struct IdentityRequirement: Sendable, Hashable {
    public var required: IdentityClaims
    public var identities: [IdentityClaims]

    public init(required: IdentityClaims = IdentityClaims(), identities: [IdentityClaims] = []) {
        self.required = required
        self.identities = identities
    }

    public var isEmpty: Bool { required.isEmpty && identities.isEmpty }

    public func rejection(for identity: CertificateIdentity) -> CertificateRejection? {
        var problems: [String] = []
        let failedRequired = required.failedClaims(identity)
        if !failedRequired.isEmpty {
            problems.append("required \(failedRequired.joined(separator: ", ")) did not match")
        }
        if !identities.isEmpty {
            let failures = identities.map { $0.failedClaims(identity) }
            if !failures.contains(where: \.isEmpty) {
                // Name the closest entry (fewest failed claims): that is what an operator needs to fix.
                let closest = failures.enumerated().min { $0.element.count < $1.element.count }
                if let closest {
                    problems.append("no allowed identity matched (closest, entry \(closest.offset + 1): \(closest.element.joined(separator: ", ")) did not match)")
                }
            }
        }
        guard !problems.isEmpty else { return nil }
        return .init(.identityMismatch, "client certificate identity is not allowed: " + problems.joined(separator: "; "))
    }
}
