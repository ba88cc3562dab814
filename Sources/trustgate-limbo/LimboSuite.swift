import Foundation

/// The x509-limbo suite as read from stdin (`limbo-schema.json`, schema version 1).
///
/// Enumerated fields (features, key usages, EKUs, signature algorithms) are kept as strings: a newer suite
/// may add values, and an unknown value must make one testcase skip with a clear reason, not make the
/// whole suite undecodable.
struct LimboSuite: Decodable {
    let version: Int
    let testcases: [LimboTestcase]
}

struct LimboTestcase: Decodable, Sendable {
    enum ValidationKind: String, Decodable, Sendable {
        case client = "CLIENT"
        case server = "SERVER"
    }

    enum ExpectedResult: String, Decodable, Sendable {
        case success = "SUCCESS"
        case failure = "FAILURE"
    }

    let id: String
    let features: [String]
    let description: String
    let validationKind: ValidationKind
    let trustedCerts: [String]
    let untrustedIntermediates: [String]
    let peerCertificate: String
    /// RFC 3339 date-time, or nil for "now".
    let validationTime: String?
    let signatureAlgorithms: [String]
    let keyUsage: [String]
    let extendedKeyUsage: [String]
    let expectedResult: ExpectedResult
    let expectedPeerName: LimboPeerName?
    let expectedPeerNames: [LimboPeerName]
    let maxChainDepth: Int?
    let crls: [String]

    enum CodingKeys: String, CodingKey {
        case id, features, description, crls
        case validationKind = "validation_kind"
        case trustedCerts = "trusted_certs"
        case untrustedIntermediates = "untrusted_intermediates"
        case peerCertificate = "peer_certificate"
        case validationTime = "validation_time"
        case signatureAlgorithms = "signature_algorithms"
        case keyUsage = "key_usage"
        case extendedKeyUsage = "extended_key_usage"
        case expectedResult = "expected_result"
        case expectedPeerName = "expected_peer_name"
        case expectedPeerNames = "expected_peer_names"
        case maxChainDepth = "max_chain_depth"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        // Optional-with-default in the schema: absent and null both mean the default.
        features = try container.decodeIfPresent([String].self, forKey: .features) ?? []
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        validationKind = try container.decode(ValidationKind.self, forKey: .validationKind)
        trustedCerts = try container.decode([String].self, forKey: .trustedCerts)
        untrustedIntermediates = try container.decode([String].self, forKey: .untrustedIntermediates)
        peerCertificate = try container.decode(String.self, forKey: .peerCertificate)
        validationTime = try container.decodeIfPresent(String.self, forKey: .validationTime)
        signatureAlgorithms = try container.decodeIfPresent([String].self, forKey: .signatureAlgorithms) ?? []
        keyUsage = try container.decodeIfPresent([String].self, forKey: .keyUsage) ?? []
        extendedKeyUsage = try container.decodeIfPresent([String].self, forKey: .extendedKeyUsage) ?? []
        expectedResult = try container.decode(ExpectedResult.self, forKey: .expectedResult)
        expectedPeerName = try container.decodeIfPresent(LimboPeerName.self, forKey: .expectedPeerName)
        expectedPeerNames = try container.decodeIfPresent([LimboPeerName].self, forKey: .expectedPeerNames) ?? []
        maxChainDepth = try container.decodeIfPresent(Int.self, forKey: .maxChainDepth)
        crls = try container.decodeIfPresent([String].self, forKey: .crls) ?? []
    }
}

/// A subject name of the peer (`PeerName`): kind is "RFC822", "DNS" or "IP".
struct LimboPeerName: Decodable, Sendable, CustomStringConvertible {
    let kind: String
    let value: String

    var description: String { "\(kind):\(value)" }
}
