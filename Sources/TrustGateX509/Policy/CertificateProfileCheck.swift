import SwiftASN1
import X509
import _CryptoExtras

/// RFC 5280 profile rules that swift-certificates' `RFC5280Policy` does not enforce, applied to every
/// candidate chain (leaf first, anchor last). Found by running the x509-limbo suite (docs/CONFORMANCE.md);
/// each rule names its source. Under the `compatible` profile only the rules with a security meaning run.
struct CertificateProfileCheck: ChainCheck {
    /// The purpose the leaf must serve; issuers' extendedKeyUsage must allow it too.
    let purpose: ExtendedKeyUsage.Usage?
    let profile: CertificateProfile

    static let maxSerialNumberOctets = 20

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [] }

    private var strict: Bool { profile == .strict }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        guard let leaf = chain.first else { return [] }
        var found: [CertificateRejection] = []
        let anchorIndex = chain.count - 1
        let count = chain.count

        for (index, certificate) in chain.enumerated() {
            // Built only when a rule fails: formatting names is costlier than the checks themselves.
            let name = { "\(chainRole(index, of: count)) \(certificate.verdictName)" }
            found += Self.malformedExtensions(certificate, name: name)
            found += Self.emptySubjectRejections(certificate, name: name, strict: strict)
            found += Self.keyRejections(certificate, name: name)
            if strict {
                if index < anchorIndex || count == 1 { found += Self.serialNumberRejections(certificate, name: name) }
                found += Self.authorityKeyIdentifierRejections(certificate, name: name, isAnchor: index == anchorIndex && count > 1)
            }
        }

        for (index, issuer) in chain.enumerated().dropFirst() {
            let name = { "\(chainRole(index, of: count)) \(issuer.verdictName)" }
            // EKU chaining (Go, NSS, rustls-webpki, pyca): an issuer's extendedKeyUsage bounds what it may issue for.
            if let purpose, let usage = try? issuer.extensions.extendedKeyUsage, !usage.contains(purpose), !usage.contains(.any) {
                found.append(.init(.ekuMismatch, "\(name()) is not allowed to issue certificates for \(purpose) (extendedKeyUsage: \(usage.map { String(describing: $0) }.joined(separator: ", ")))"))
            }
            // RFC 5280 §6.1.4 (n): an issuer's keyUsage, when present, must assert keyCertSign.
            if let usage = try? issuer.extensions.keyUsage, !usage.keyCertSign {
                found.append(.init(.untrustedIssuer, "\(name()) is not allowed to sign certificates (keyUsage lacks keyCertSign)"))
            }
            // RFC 5280 §4.1.2.6: a CA's subject is not empty.
            if issuer.subject.isEmpty {
                found.append(.init(.untrustedIssuer, "\(name()) is a CA with an empty subject"))
            }
            if strict {
                // RFC 5280 §4.2.1.9: CAs mark basicConstraints critical.
                if let basic = issuer.extensions[oid: .X509ExtensionID.basicConstraints], !basic.critical {
                    found.append(.init(.malformed, "\(name()) has a non-critical basicConstraints extension"))
                }
                // RFC 5280 §4.2.1.2: CA certificates carry a subjectKeyIdentifier.
                if issuer.version == .v3, issuer.extensions[oid: .X509ExtensionID.subjectKeyIdentifier] == nil {
                    found.append(.init(.malformed, "\(name()) has no subjectKeyIdentifier"))
                }
            }
            if let constraints = try? issuer.extensions.nameConstraints {
                // RFC 5280 §4.2.1.10: a nameConstraints extension constrains something; a dNSName constraint
                // is a domain name, not ".domain".
                if constraints.permittedSubtrees.isEmpty && constraints.excludedSubtrees.isEmpty {
                    found.append(.init(.malformed, "\(name()) has a nameConstraints extension without subtrees"))
                }
                let dnsConstraints = Array(constraints.permittedDNSDomains) + Array(constraints.excludedDNSDomains)
                if dnsConstraints.contains(where: { $0.hasPrefix(".") }) {
                    found.append(.init(.malformed, "\(name()) has a dNSName name constraint with a leading period"))
                }
                // A wildcard SAN can stand for a name the CA excludes (CVE-2025-61727).
                for excluded in constraints.excludedDNSDomains {
                    if let wildcard = Self.wildcardDNSNames(leaf).first(where: { Self.wildcard($0, canMatchWithin: excluded) }) {
                        found.append(.init(.untrustedIssuer, "client certificate name \(wildcard) can match '\(excluded)', which \(name()) excludes"))
                    }
                }
            }
        }

        if strict {
            // RFC 5280 §4.2.1.1: every certificate of the path names its issuer's key. The trust anchor is not
            // part of the path (§6.1): it may be a cross-signed CA without one.
            for (index, certificate) in chain.enumerated() where index < anchorIndex && certificate.version == .v3 {
                if (try? certificate.extensions.authorityKeyIdentifier)?.flatMap({ $0.keyIdentifier }) == nil {
                    found.append(.init(.malformed, "\(chainRole(index, of: count)) \(certificate.verdictName) has no authorityKeyIdentifier"))
                }
            }
            // CA/B Forum 7.1.1, rustls-webpki: leaf and intermediates are X.509 v3.
            for (index, certificate) in chain.enumerated() where index < anchorIndex && certificate.version != .v3 {
                found.append(.init(.malformed, "\(chainRole(index, of: count)) \(certificate.verdictName) is not an X.509 v3 certificate"))
            }
        }

        let leafIsCA: Bool
        if case .some(.isCertificateAuthority) = try? leaf.extensions.basicConstraints { leafIsCA = true } else { leafIsCA = false }
        // RFC 5280 §4.2.1.3: keyCertSign only with cA.
        if let usage = try? leaf.extensions.keyUsage, usage.keyCertSign, !leafIsCA {
            found.append(.init(.malformed, "client certificate \(leaf.verdictName) asserts keyCertSign without being a CA"))
        }
        // A CA certificate does not authenticate as an end entity (CA/B Forum 7.1.2.7.8; rustls-webpki, pyca).
        // A pinned self-signed certificate is judged on its own.
        if leafIsCA, count > 1 {
            found.append(.init(.ekuMismatch, "client certificate \(leaf.verdictName) is a CA certificate (basicConstraints cA=TRUE), not an end entity"))
        }
        // RFC 5280 §4.2.1.10: nameConstraints only in CA certificates.
        if !leafIsCA, leaf.extensions[oid: .X509ExtensionID.nameConstraints] != nil {
            found.append(.init(.malformed, "client certificate \(leaf.verdictName) carries nameConstraints but is not a CA"))
        }
        return found
    }

    // MARK: - Rules on one certificate

    /// Every extension TrustGate or swift-certificates understands must decode, whether or not a rule
    /// consults it (a malformed authorityInformationAccess is as suspect as a malformed SAN).
    static func malformedExtensions(_ certificate: Certificate, name: () -> String) -> [CertificateRejection] {
        let extensions = certificate.extensions
        var found: [CertificateRejection] = []
        func decode(_ extensionName: String, _ body: () throws -> Void) {
            do { try body() } catch { found.append(.init(.malformed, "\(name()) has a malformed \(extensionName) extension")) }
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

    /// RFC 5280 §4.1.2.2: a positive integer of at most 20 octets (a negative one fails to parse earlier).
    static func serialNumberRejections(_ certificate: Certificate, name: () -> String) -> [CertificateRejection] {
        let bytes = certificate.serialNumber.bytes
        if bytes.count > maxSerialNumberOctets { return [.init(.malformed, "\(name()) has a serial number longer than 20 octets")] }
        if bytes.allSatisfy({ $0 == 0 }) { return [.init(.malformed, "\(name()) has serial number zero")] }
        return []
    }

    /// RFC 5280 §4.2.1.6: with an empty subject, the identity is in a critical subjectAltName; with a
    /// subject, the subjectAltName SHOULD NOT be critical (strict profile only).
    static func emptySubjectRejections(_ certificate: Certificate, name: () -> String, strict: Bool) -> [CertificateRejection] {
        let san = certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName]
        if certificate.subject.isEmpty {
            guard let san else { return [.init(.malformed, "\(name()) has an empty subject and no subjectAltName")] }
            return san.critical ? [] : [.init(.malformed, "\(name()) has an empty subject and a non-critical subjectAltName")]
        }
        if strict, let san, san.critical {
            return [.init(.malformed, "\(name()) has a subject and yet marks subjectAltName critical")]
        }
        return []
    }

    /// RSA moduli of at least 2048 bits, in whole octets (CA/B Forum 6.1.5; smaller keys do not load at all).
    static func keyRejections(_ certificate: Certificate, name: () -> String) -> [CertificateRejection] {
        guard let bits = rsaModulusBits(certificate.publicKey) else { return [] }
        if bits < 2048 || bits % 8 != 0 { return [.init(.malformed, "\(name()) has a \(bits)-bit RSA key")] }
        return []
    }

    /// The modulus size of an RSA key; nil for other key types.
    static func rsaModulusBits(_ key: Certificate.PublicKey) -> Int? {
        _RSA.Signing.PublicKey(key)?.keySizeInBits
    }

    /// RFC 5280 §4.2.1.1: an authorityKeyIdentifier carries a keyIdentifier (equal to the subjectKeyIdentifier
    /// on a self-signed certificate); authorityCertIssuer and authorityCertSerialNumber come together or not at all,
    /// and not at all on a root.
    static func authorityKeyIdentifierRejections(_ certificate: Certificate, name: () -> String, isAnchor: Bool) -> [CertificateRejection] {
        guard let aki = try? certificate.extensions.authorityKeyIdentifier else { return [] }
        guard let keyIdentifier = aki.keyIdentifier else {
            return [.init(.malformed, "\(name()) has an authorityKeyIdentifier without keyIdentifier")]
        }
        // CA/B Forum BR 7.1.2.1.3: a root's authorityKeyIdentifier carries the keyIdentifier only (OpenSSL's
        // `authorityKeyIdentifier = keyid:always,issuer:always` adds issuer and serial; use the compatible profile).
        if isAnchor, certificate.isSelfIssued, aki.authorityCertIssuer != nil || aki.authorityCertSerialNumber != nil {
            return [.init(.malformed, "\(name()) is a root whose authorityKeyIdentifier names an issuer and serial, not only a key identifier")]
        }
        if (aki.authorityCertIssuer == nil) != (aki.authorityCertSerialNumber == nil) {
            return [.init(.malformed, "\(name()) has an authorityKeyIdentifier with only one of authorityCertIssuer and authorityCertSerialNumber")]
        }
        if certificate.isSelfIssued, let ski = try? certificate.extensions.subjectKeyIdentifier,
            ski.keyIdentifier != keyIdentifier, certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        {
            return [.init(.malformed, "\(name()) is self-signed with an authorityKeyIdentifier that differs from its subjectKeyIdentifier")]
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
