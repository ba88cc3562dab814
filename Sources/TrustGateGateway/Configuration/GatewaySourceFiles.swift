import Foundation
import TrustGateConfiguration
import TrustGateX509

/// The files a configuration read, in the order they were first read, each once: what hot reload watches.
struct GatewaySourceFiles {
    private(set) var paths: [String] = []
    private var seen: Set<String> = []

    mutating func add(_ path: String) {
        let normalised = URL(fileURLWithPath: path).standardizedFileURL.path
        if seen.insert(normalised).inserted { paths.append(normalised) }
    }

    /// Every path in a file-or-list value (`anchors: [a.pem, dir/]`); a directory counts as itself.
    mutating func addPaths(in node: ConfigurationNode?) {
        guard let node, let items = try? node.list() else { return }
        for item in items {
            if let path = try? item.path() { add(path) }
        }
    }

    // MARK: Certificate policy

    // The policy schema's keys, as CertificatePolicyConfiguration reads them. Walking happens only after that
    // parse succeeded, so these sets cannot refuse anything; should the schema grow, a section this walk does
    // not know is skipped (its files are then missed, never wrongly reported).
    private static let trustKeys: Set<String> = ["anchors", "intermediates", "max_depth", "profile"]
    private static let revocationKeys: Set<String> = ["mode", "crls", "require_crl", "stale_crl"]
    private static let claimKeys = CertificatePolicyConfiguration.claimKeys
    private static let pinKeys: Set<String> = ["thumbprint", "spki_sha256", "certificate"]

    /// The certificate and CRL files a policy section (already parsed successfully) names.
    mutating func addPolicyFiles(_ node: ConfigurationNode) {
        guard let root = try? node.mapping(allowedKeys: CertificatePolicyConfiguration.topLevelKeys) else { return }
        if let trust = root["trust"], let map = try? trust.mapping(allowedKeys: Self.trustKeys) {
            addPaths(in: map["anchors"])
            addPaths(in: map["intermediates"])
        }
        if let revocation = root["revocation"], let map = try? revocation.mapping(allowedKeys: Self.revocationKeys) {
            addPaths(in: map["crls"])
        }
        if let identity = root["identity"] {
            addIdentityFiles(identity)
        }
        if let pinned = root["pinned_self_signed"], let entries = try? pinned.list() {
            for entry in entries {
                if let map = try? entry.mapping(allowedKeys: Self.pinKeys) { addPaths(in: map["certificate"]) }
            }
        }
    }

    /// The certificate files an identity section names (`certificate:` claims, `allowed_certificates`).
    mutating func addIdentityFiles(_ node: ConfigurationNode) {
        guard let map = try? node.mapping(allowedKeys: Self.claimKeys.union(["identities", "allowed_certificates"])) else { return }
        addPaths(in: map["certificate"])
        addPaths(in: map["allowed_certificates"])
        if let identities = map["identities"], let entries = try? identities.list() {
            for entry in entries {
                if let entryMap = try? entry.mapping(allowedKeys: Self.claimKeys) { addPaths(in: entryMap["certificate"]) }
            }
        }
    }
}
