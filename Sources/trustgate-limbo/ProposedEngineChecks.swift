import SwiftASN1
import TrustGateX509
import X509

/// Chain rules proposed for TrustGate's engine (docs/CONFORMANCE.md, "Proposed engine changes"),
/// prototyped here so their effect on the suite can be measured before they are adopted.
///
/// Off by default: the harness reports the engine as it is. `--proposed-engine-checks` adds these rules
/// through the engine's `additionalPolicy` hook, where a refusal steers path building exactly like one of
/// the engine's own `ChainCheck`s would. Each finding starts with the rule's id (P1…).
///
/// Written in the engine's `ChainCheck` shape (chain in, every finding out) so that adopting a rule is a
/// move into `Policy/` plus a `RejectionCode`.
struct ProposedEngineChecks: Sendable {
    /// The purpose the leaf must serve (the engine's `requiredKeyPurpose`).
    let purpose: ExtendedKeyUsage.Usage?

    /// More (names × constraints) comparisons than this in one chain is refused outright (P15), as Go
    /// (`VerifyOptions.MaxConstraintComparisions`) and rustls-webpki do.
    static let nameConstraintComparisonBudget = 250_000
    /// RFC 5280 §4.1.2.2.
    static let maxSerialNumberOctets = 20

    /// Findings for a candidate chain (leaf first, trust anchor last), in rule order.
    func findings(for chain: [Certificate]) -> [String] {
        guard let leaf = chain.first else { return [] }
        var found: [String] = []
        let issuers = chain.dropFirst()
        let anchorIndex = chain.count - 1

        for (index, certificate) in chain.enumerated() {
            let role = index == 0 ? "leaf" : (index == anchorIndex ? "trust anchor" : "intermediate #\(index)")
            found += Self.malformedExtensions(certificate, role: role)  // P12
            if index < anchorIndex || chain.count == 1 {
                found += Self.serialNumberFindings(certificate, role: role)  // P10
            }
            found += Self.emptySubjectFindings(certificate, role: role)  // P6
            found += Self.keyFindings(certificate, role: role)  // P17
            found += Self.authorityKeyIdentifierFindings(certificate, role: role)  // P22
        }

        // P1: an issuer's extendedKeyUsage constrains the leaf's purpose (EKU "chaining", as Go, NSS,
        // rustls-webpki and pyca apply it).
        if let purpose {
            for (offset, issuer) in issuers.enumerated() {
                if let usage = try? issuer.extensions.extendedKeyUsage, !usage.contains(purpose), !usage.contains(.any) {
                    found.append("P1 issuer #\(offset + 1) extendedKeyUsage does not allow \(purpose)")
                }
            }
        }
        for (offset, issuer) in issuers.enumerated() {
            let position = offset + 1
            // P2: RFC 5280 §6.1.4(n): an issuer's keyUsage, when present, must assert keyCertSign.
            if let usage = try? issuer.extensions.keyUsage, !usage.keyCertSign {
                found.append("P2 issuer #\(position) keyUsage lacks keyCertSign")
            }
            // P7: RFC 5280 §4.1.2.6: a CA's subject must not be empty.
            if issuer.subject.isEmpty {
                found.append("P7 issuer #\(position) has an empty subject")
            }
            // P8: RFC 5280 §4.2.1.9: CAs mark basicConstraints critical.
            if let basic = issuer.extensions[oid: .X509ExtensionID.basicConstraints], !basic.critical {
                found.append("P8 issuer #\(position) basicConstraints is not critical")
            }
            // P9b: RFC 5280 §4.2.1.2: CA certificates carry a subjectKeyIdentifier.
            if issuer.version == .v3, issuer.extensions[oid: .X509ExtensionID.subjectKeyIdentifier] == nil {
                found.append("P9 issuer #\(position) has no subjectKeyIdentifier")
            }
            // P13: RFC 5280 §4.2.1.10 / CABF 7.1.2.5.2: a nameConstraints extension must constrain something,
            // and a dNSName constraint is a domain name, not ".domain".
            if let constraints = try? issuer.extensions.nameConstraints {
                if constraints.permittedSubtrees.isEmpty && constraints.excludedSubtrees.isEmpty {
                    found.append("P13 issuer #\(position) nameConstraints has no subtrees")
                }
                let dnsConstraints = Array(constraints.permittedDNSDomains) + Array(constraints.excludedDNSDomains)
                if dnsConstraints.contains(where: { $0.hasPrefix(".") }) {
                    found.append("P13 issuer #\(position) has a dNSName constraint with a leading period")
                }
                // P14: a wildcard SAN may match a name the CA excludes (CVE-2025-61727).
                for excluded in constraints.excludedDNSDomains {
                    if let wildcard = Self.wildcardDNSNames(leaf).first(where: { Self.wildcard($0, canMatchWithin: excluded) }) {
                        found.append("P14 leaf SAN \(wildcard) can match '\(excluded)', excluded by issuer #\(position)")
                    }
                }
            }
        }

        // P9a: RFC 5280 §4.2.1.1: every certificate of the path names its issuer's key. The trust anchor is
        // not part of the path (RFC 5280 §6.1): it may be a cross-signed CA with no AKI.
        for (index, certificate) in chain.enumerated() where index < anchorIndex && certificate.version == .v3 {
            let keyIdentifier = (try? certificate.extensions.authorityKeyIdentifier)?.flatMap { $0.keyIdentifier }
            if keyIdentifier == nil {
                found.append("P9 certificate #\(index) has no authorityKeyIdentifier keyIdentifier")
            }
        }

        let leafIsCA: Bool
        if case .some(.isCertificateAuthority) = try? leaf.extensions.basicConstraints { leafIsCA = true } else { leafIsCA = false }
        // P3: RFC 5280 §4.2.1.3: keyCertSign only with cA.
        if let usage = try? leaf.extensions.keyUsage, usage.keyCertSign, !leafIsCA {
            found.append("P3 leaf keyUsage asserts keyCertSign without basicConstraints cA")
        }
        // P4: a CA certificate does not authenticate as an end entity (CABF 7.1.2.7.8; webpki, pyca).
        if leafIsCA, chain.count > 1 {
            found.append("P4 leaf is a CA certificate (basicConstraints cA=TRUE)")
        }
        // P5: RFC 5280 §4.2.1.10: nameConstraints only in CA certificates.
        if !leafIsCA, leaf.extensions[oid: .X509ExtensionID.nameConstraints] != nil {
            found.append("P5 leaf carries nameConstraints but is not a CA")
        }
        // P11: end-entity and intermediate certificates are X.509 v3 (CABF 7.1.1; webpki).
        for (index, certificate) in chain.enumerated() where index < anchorIndex && certificate.version != .v3 {
            found.append("P11 certificate #\(index) is not X.509 v3")
        }
        // P15: bound name-constraint work (quadratic in names × constraints).
        let constraintCount = issuers.reduce(0) { total, issuer in
            guard let constraints = try? issuer.extensions.nameConstraints else { return total }
            return total + constraints.permittedSubtrees.count + constraints.excludedSubtrees.count
        }
        if constraintCount > 0 {
            let nameCount = ((try? leaf.extensions.subjectAlternativeNames)??.count ?? 0) + leaf.subject.reduce(0) { $0 + $1.count }
            if nameCount * constraintCount > Self.nameConstraintComparisonBudget {
                found.append("P15 \(nameCount) names × \(constraintCount) name constraints exceeds the comparison budget \(Self.nameConstraintComparisonBudget)")
            }
        }
        return found
    }

    // MARK: - Rules on one certificate

    /// P12: every extension TrustGate or swift-certificates understands must decode, whether or not a rule
    /// consults it (a malformed authorityInformationAccess is as suspect as a malformed SAN).
    static func malformedExtensions(_ certificate: Certificate, role: String) -> [String] {
        let extensions = certificate.extensions
        var found: [String] = []
        func decode(_ name: String, _ body: () throws -> Void) {
            do { try body() } catch { found.append("P12 \(role) has a malformed \(name) extension") }
        }
        decode("basicConstraints") { _ = try extensions.basicConstraints }
        decode("keyUsage") { _ = try extensions.keyUsage }
        decode("extendedKeyUsage") { _ = try extensions.extendedKeyUsage }
        decode("subjectAltName") { _ = try extensions.subjectAlternativeNames }
        decode("authorityKeyIdentifier") { _ = try extensions.authorityKeyIdentifier }
        decode("subjectKeyIdentifier") { _ = try extensions.subjectKeyIdentifier }
        decode("nameConstraints") { _ = try extensions.nameConstraints }
        decode("authorityInformationAccess") { _ = try extensions.authorityInformationAccess }
        return found
    }

    /// P10: RFC 5280 §4.1.2.2: a positive integer of at most 20 octets. (A negative serial does not get
    /// this far: swift-asn1 refuses the certificate when it is parsed.)
    static func serialNumberFindings(_ certificate: Certificate, role: String) -> [String] {
        let bytes = certificate.serialNumber.bytes
        if bytes.count > maxSerialNumberOctets { return ["P10 \(role) serial number is longer than 20 octets"] }
        if bytes.allSatisfy({ $0 == 0 }) { return ["P10 \(role) serial number is zero"] }
        return []
    }

    /// P6: RFC 5280 §4.2.1.6: with an empty subject, the identity is in a critical subjectAltName.
    static func emptySubjectFindings(_ certificate: Certificate, role: String) -> [String] {
        guard certificate.subject.isEmpty else { return [] }
        guard let san = certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName] else {
            return ["P6 \(role) has an empty subject and no subjectAltName"]
        }
        return san.critical ? [] : ["P6 \(role) has an empty subject and a non-critical subjectAltName"]
    }

    /// P17: RSA moduli of at least 2048 bits, in whole octets (CA/B Forum 6.1.5; smaller keys already fail
    /// to load in swift-crypto).
    static func keyFindings(_ certificate: Certificate, role: String) -> [String] {
        guard let bits = rsaModulusBits(certificate.publicKey) else { return [] }
        if bits < 2048 || bits % 8 != 0 { return ["P17 \(role) has a \(bits)-bit RSA key"] }
        return []
    }

    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]

    /// The modulus size of an RSA key, read from its SubjectPublicKeyInfo (RFC 8017 RSAPublicKey); nil for
    /// other key types.
    static func rsaModulusBits(_ key: Certificate.PublicKey) -> Int? {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(key)
            let spki = try DER.parse(serializer.serializedBytes)
            return try DER.sequence(spki, identifier: .sequence) { nodes -> Int? in
                let algorithm = try DER.sequence(try nodes.next(or: "algorithm"), identifier: .sequence) { fields in
                    let oid = try ASN1ObjectIdentifier(derEncoded: try fields.next(or: "algorithm OID"))
                    while fields.next() != nil {}  // parameters (NULL)
                    return oid
                }
                let keyBits = try ASN1BitString(derEncoded: try nodes.next(or: "subjectPublicKey"))
                guard algorithm == rsaEncryption else { return nil }
                let rsaKey = try DER.parse(keyBits.bytes)
                return try DER.sequence(rsaKey, identifier: .sequence) { integers in
                    let modulus = try ArraySlice<UInt8>(derEncoded: try integers.next(or: "modulus"))
                    _ = integers.next()  // publicExponent
                    guard let first = modulus.first else { return 0 }
                    return modulus.count * 8 - first.leadingZeroBitCount
                }
            }
        } catch {
            return nil
        }
    }

    /// P22: RFC 5280 §4.2.1.1: an authorityKeyIdentifier carries a keyIdentifier, which on a self-signed
    /// certificate is its own subjectKeyIdentifier; authorityCertIssuer and authorityCertSerialNumber come
    /// together or not at all. (A CA/B Forum root may not carry the last two at all; not required here, as
    /// OpenSSL's `authorityKeyIdentifier = keyid:always,issuer:always` produces them.)
    static func authorityKeyIdentifierFindings(_ certificate: Certificate, role: String) -> [String] {
        guard let aki = try? certificate.extensions.authorityKeyIdentifier else { return [] }
        guard let keyIdentifier = aki.keyIdentifier else {
            return ["P22 \(role) authorityKeyIdentifier has no keyIdentifier"]
        }
        if (aki.authorityCertIssuer == nil) != (aki.authorityCertSerialNumber == nil) {
            return ["P22 \(role) authorityKeyIdentifier has only one of authorityCertIssuer and authorityCertSerialNumber"]
        }
        if certificate.isSelfIssued, let ski = try? certificate.extensions.subjectKeyIdentifier,
            ski.keyIdentifier != keyIdentifier, certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        {
            return ["P22 self-signed \(role) authorityKeyIdentifier differs from its subjectKeyIdentifier"]
        }
        return []
    }

    static func wildcardDNSNames(_ leaf: Certificate) -> [String] {
        guard let names = try? leaf.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            if case .dnsName(let value) = name, value.hasPrefix("*.") { return value.lowercased() }
            return nil
        }
    }

    /// Whether `*.parent` could stand for a name in the subtree `constraint`: the constraint is one label
    /// under `parent` (the wildcard matches exactly that label).
    static func wildcard(_ wildcard: String, canMatchWithin constraint: String) -> Bool {
        let parent = wildcard.dropFirst(2)
        let constraint = constraint.lowercased()
        guard constraint.hasSuffix("." + parent) else { return false }
        let label = constraint.dropLast(parent.count + 1)
        return !label.isEmpty && !label.contains(".")
    }
}

extension ASN1NodeCollection.Iterator {
    /// The next node, or a decoding error naming the missing field.
    fileprivate mutating func next(or field: String) throws -> ASN1Node {
        guard let node = next() else {
            throw ASN1Error.invalidASN1Object(reason: "SubjectPublicKeyInfo: missing \(field)")
        }
        return node
    }
}
