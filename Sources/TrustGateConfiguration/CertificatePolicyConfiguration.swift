import Foundation
public import TrustGateX509
public import X509

/// Reads the YAML certificate-policy schema (documented in the README) into ``CertificatePolicySettings``,
/// loading every referenced certificate and CRL file once.
///
/// The same schema is embedded per route by the gateway; `parse(_:)` takes the node of that section.
public enum CertificatePolicyConfiguration {
    public static let topLevelKeys: Set<String> = ["trust", "validity", "usage", "revocation", "identity", "pinned_self_signed", "cache"]

    public static func load(contentsOfFile path: String) throws -> CertificatePolicySettings {
        try parse(ConfigurationNode.load(contentsOfFile: path))
    }

    public static func parse(_ node: ConfigurationNode) throws -> CertificatePolicySettings {
        let root = try node.mapping(allowedKeys: topLevelKeys)
        var settings = CertificatePolicySettings()

        if let trust = root["trust"] {
            let map = try trust.mapping(allowedKeys: ["anchors", "intermediates", "max_depth", "profile"])
            if let profile = map["profile"] { settings.profile = try profile.oneOf(CertificateProfile.self) }
            if let anchors = map["anchors"] { settings.trustAnchors = try certificates(from: anchors) }
            if let intermediates = map["intermediates"] { settings.intermediates = try certificates(from: intermediates) }
            if let depth = map["max_depth"] { settings.maxDepth = try depth.integer(in: 1...16) }
        }
        if let validity = root["validity"] {
            let map = try validity.mapping(allowedKeys: ["clock_skew"])
            if let skew = map["clock_skew"] { settings.clockSkew = try skew.duration(max: 86_400) }
        }
        if let usage = root["usage"] {
            let map = try usage.mapping(allowedKeys: ["require_client_auth"])
            if let flag = map["require_client_auth"] { settings.requiredKeyPurpose = try flag.bool() ? .clientAuth : nil }
        }
        if let revocation = root["revocation"] {
            let map = try revocation.mapping(allowedKeys: ["mode", "crls", "require_crl", "stale_crl"])
            if let mode = map["mode"] { settings.revocation.mode = try mode.oneOf(RevocationSettings.Mode.self) }
            if let require = map["require_crl"] { settings.revocation.requireCRL = try require.bool() }
            if let stale = map["stale_crl"] { settings.revocation.staleCRL = try stale.oneOf(RevocationSettings.StaleCRLHandling.self) }
            if let crls = map["crls"] {
                settings.crls = try revocationLists(from: crls, requireCRLNumber: settings.profile == .strict)
                try checkSignatures(of: settings.crls, knownIssuers: settings.trustAnchors + settings.intermediates, node: crls)
            }
            if settings.revocation.mode != .off, settings.crls.isEmpty, settings.revocation.requireCRL {
                throw revocation.error("require_crl is true but no CRLs are configured: every certificate would be refused")
            }
        }
        if let identity = root["identity"] {
            settings.identity = try identityRequirement(identity)
        }
        if let pinned = root["pinned_self_signed"] {
            settings.pinnedSelfSigned = try pinnedCertificates(pinned)
        }
        if let cache = root["cache"] {
            let map = try cache.mapping(allowedKeys: ["ttl"])
            if let ttl = map["ttl"] { settings.cacheTTL = try ttl.duration(max: 86_400) }
        }
        if settings.trustAnchors.isEmpty, settings.pinnedSelfSigned.isEmpty {
            throw node.error("no trust anchors (trust.anchors) and no pinned self-signed certificates: no certificate could ever be accepted")
        }
        return settings
    }

    // MARK: - Files

    static let certificateExtensions: Set<String> = ["pem", "crt", "cer", "der", "cert"]

    /// Certificates from a list of files and directories (a directory contributes every *.pem, *.crt,
    /// *.cer, *.der in it — the "uploaded CA certificates" folder).
    public static func certificates(from node: ConfigurationNode) throws -> [Certificate] {
        var result: [Certificate] = []
        for item in try node.list() {
            for file in try files(at: item) {
                do {
                    result += try CertificateDecoder.certificates(contentsOfFile: file)
                } catch {
                    throw item.error("\(file): \(error)")
                }
            }
        }
        return result
    }

    /// CRLs from files. Under the strict profile a CRL without a cRLNumber (RFC 5280 §5.2.3: conforming
    /// CAs MUST include it) is refused here, loudly, rather than ignored at evaluation time.
    static func revocationLists(from node: ConfigurationNode, requireCRLNumber: Bool) throws -> [CertificateRevocationList] {
        var result: [CertificateRevocationList] = []
        for item in try node.list() {
            let file = try item.path()
            let loaded: [CertificateRevocationList]
            do {
                loaded = try CertificateRevocationList.load(contentsOfFile: file)
            } catch {
                throw item.error("\(file): \(error)")
            }
            if requireCRLNumber, loaded.contains(where: { $0.crlNumber == nil }) {
                throw item.error("\(file): the CRL has no cRLNumber extension (RFC 5280 §5.2.3); set trust.profile: compatible to accept it")
            }
            result += loaded
        }
        return result
    }

    /// A CRL whose issuer is configured but did not sign it would be ignored at every evaluation, which
    /// silently turns revocation off for that CA: refuse it here instead. (A CRL of an intermediate that only
    /// clients send is checked when it is first used.)
    static func checkSignatures(of crls: [CertificateRevocationList], knownIssuers: [Certificate], node: ConfigurationNode) throws {
        for crl in crls {
            let named = knownIssuers.filter { $0.subject == crl.issuer }
            guard !named.isEmpty else { continue }
            if !named.contains(where: { crl.isSignatureValid(signedBy: $0) && CertificateRevocationList.keyUsageAllowsCRLSigning($0) }) {
                throw node.error("the CRL of '\(crl.issuer.displayString)' is not validly signed by the configured CA of that name (wrong CA key, or its keyUsage lacks cRLSign)")
            }
        }
    }

    private static func files(at item: ConfigurationNode) throws -> [String] {
        let path = try item.path()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw item.error("\(path) does not exist")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let matching = names.filter { !$0.hasPrefix(".") && certificateExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
        guard !matching.isEmpty else { throw item.error("the directory \(path) holds no certificate files (*.pem, *.crt, *.cer, *.der)") }
        return matching.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    // MARK: - Identity

    /// The claim keys of an identity requirement (and of each of its `identities` entries); the gateway's
    /// source-file walk reads the same keys.
    public static let claimKeys: Set<String> = [
        "thumbprint", "serial_number", "common_name", "subject", "dns_name", "uri", "email", "ip",
        "issuer_subject", "issuer_thumbprint", "spki_sha256", "certificate",
    ]

    public static func identityRequirement(_ node: ConfigurationNode) throws -> IdentityRequirement {
        let map = try node.mapping(allowedKeys: claimKeys.union(["identities", "allowed_certificates"]))
        var requirement = IdentityRequirement()
        requirement.required = try claims(map)
        if let identities = map["identities"] {
            for entry in try identities.list() {
                let entryMap = try entry.mapping(allowedKeys: claimKeys)
                let entryClaims = try claims(entryMap)
                if entryClaims.isEmpty { throw entry.error("an identity entry needs at least one claim") }
                requirement.identities.append(entryClaims)
            }
        }
        if let allowed = map["allowed_certificates"] {
            // "Uploaded certificates": each file becomes an identity matching its SHA-256 thumbprint.
            for certificate in try certificates(from: allowed) {
                var entry = IdentityClaims()
                entry.thumbprint = CertificateFingerprints(certificate).sha256Hex
                requirement.identities.append(entry)
            }
        }
        return requirement
    }

    static func claims(_ map: ConfigurationMapping) throws -> IdentityClaims {
        var claims = IdentityClaims()
        if let node = map["thumbprint"] { claims.thumbprint = try thumbprint(node) }
        if let node = map["certificate"] {
            guard claims.thumbprint == nil else { throw node.error("give either thumbprint or certificate, not both") }
            let certificates = try certificates(from: node)
            guard certificates.count == 1 else { throw node.error("expected exactly one certificate, found \(certificates.count)") }
            claims.thumbprint = CertificateFingerprints(certificates[0]).sha256Hex
        }
        if let node = map["serial_number"] {
            let hex = CertificateFingerprints.normalizedHex(try node.nonEmptyString())
            guard hex.allSatisfy(\.isHexDigit) else { throw node.error("expected a hexadecimal serial number") }
            claims.serialNumber = hex
        }
        if let node = map["common_name"] { claims.commonName = try node.nonEmptyString() }
        if let node = map["subject"] { claims.subject = try distinguishedName(node) }
        if let node = map["dns_name"] { claims.dnsName = try node.nonEmptyString() }
        if let node = map["uri"] { claims.uri = try node.nonEmptyString() }
        if let node = map["email"] { claims.email = try node.nonEmptyString() }
        if let node = map["ip"] {
            guard let bytes = IPAddressText.bytes(try node.nonEmptyString()) else { throw node.error("expected an IPv4 or IPv6 address") }
            claims.ipAddress = bytes
        }
        if let node = map["issuer_subject"] { claims.issuerSubject = try distinguishedName(node) }
        if let node = map["issuer_thumbprint"] { claims.issuerThumbprint = try thumbprint(node) }
        if let node = map["spki_sha256"] { claims.spkiSHA256 = try spkiHash(node) }
        return claims
    }

    static func thumbprint(_ node: ConfigurationNode) throws -> String {
        let hex = CertificateFingerprints.normalizedHex(try node.nonEmptyString())
        guard hex.allSatisfy(\.isHexDigit), hex.count == 40 || hex.count == 64 else {
            throw node.error("expected a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint")
        }
        return hex
    }

    static func distinguishedName(_ node: ConfigurationNode) throws -> DistinguishedName {
        do {
            return try DistinguishedName(parsing: try node.nonEmptyString())
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw node.error("not a distinguished name: \(error)")
        }
    }

    /// SPKI SHA-256 pins as Envoy writes them (base64) or as hex.
    static func spkiHash(_ node: ConfigurationNode) throws -> [UInt8] {
        let text = try node.nonEmptyString()
        if let bytes = CertificateFingerprints.bytes(fromHex: text), bytes.count == 32 { return bytes }
        if let data = Data(base64Encoded: text), data.count == 32 { return Array(data) }
        throw node.error("expected the base64 (or hex) SHA-256 of a SubjectPublicKeyInfo, 32 bytes")
    }

    static func pinnedCertificates(_ node: ConfigurationNode) throws -> PinnedCertificates {
        var pinned = PinnedCertificates()
        for entry in try node.list() {
            let map = try entry.mapping(allowedKeys: ["thumbprint", "spki_sha256", "certificate"])
            guard map.order.count == 1 else { throw entry.error("each pin has exactly one of: thumbprint, spki_sha256, certificate") }
            if let value = map["thumbprint"] { pinned.thumbprints.insert(try thumbprint(value)) }
            if let value = map["spki_sha256"] { pinned.spkiSHA256.insert(try spkiHash(value)) }
            if let value = map["certificate"] {
                for certificate in try certificates(from: value) {
                    pinned.thumbprints.insert(CertificateFingerprints(certificate).sha256Hex)
                }
            }
        }
        return pinned
    }
}
