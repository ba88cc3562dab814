import TrustGateX509
import X509

/// How limbo's expected peer names become TrustGate identity rules.
enum PeerNameMapping {
    /// SERVER validation: `expected_peer_name` is the name the client connected to, checked by
    /// swift-certificates' `ServerIdentityPolicy` (RFC 6125: SAN dNSName / iPAddress, wildcards).
    static func serverIdentityPolicy(for name: LimboPeerName) throws(TranslationSkip) -> ServerIdentityPolicy {
        switch name.kind {
        case "DNS": return ServerIdentityPolicy(serverHostname: name.value, serverIP: nil)
        case "IP": return ServerIdentityPolicy(serverHostname: nil, serverIP: name.value)
        default: throw TranslationSkip("SERVER expected_peer_name of kind \(name.kind) has no ServerIdentityPolicy equivalent")
        }
    }

    /// CLIENT validation: `expected_peer_names` are the names the validated client certificate must carry,
    /// every one of them (the client *is* each of these names). In the suite every listed name is in the
    /// leaf's SAN, and the cases fail or pass on the chain's name constraints, so all-of is the reading that
    /// can only make TrustGate stricter than limbo, never laxer.
    ///
    /// `IdentityRequirement` holds one claim per name kind in `required`; a second name of the same kind goes
    /// into a single `identities` entry, since "required and any-of [one entry]" is "required and that entry".
    /// A third name of one kind cannot be expressed.
    static func clientIdentity(for names: [LimboPeerName]) throws(TranslationSkip) -> IdentityRequirement {
        var claimSets: [IdentityClaims] = [IdentityClaims(), IdentityClaims()]
        var used: [String: Int] = [:]
        for name in names {
            let slot = used[name.kind, default: 0]
            guard slot < claimSets.count else {
                throw TranslationSkip("CLIENT case lists more than \(claimSets.count) expected peer names of kind \(name.kind); IdentityRequirement can require at most \(claimSets.count) of one kind")
            }
            switch name.kind {
            case "RFC822":
                claimSets[slot].email = name.value
            case "DNS":
                claimSets[slot].dnsName = name.value
            case "IP":
                guard let bytes = IPAddressText.bytes(name.value) else {
                    throw TranslationSkip("CLIENT expected peer name IP:\(name.value) is not an IPv4/IPv6 address")
                }
                claimSets[slot].ipAddress = bytes
            default:
                throw TranslationSkip("CLIENT expected peer name of unknown kind \(name.kind)")
            }
            used[name.kind] = slot + 1
        }
        let second = claimSets[1]
        return IdentityRequirement(required: claimSets[0], identities: second.isEmpty ? [] : [second])
    }
}

/// A testcase the engine cannot be configured for, with the precise reason (the result's `context`).
struct TranslationSkip: Error, CustomStringConvertible {
    let reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}
