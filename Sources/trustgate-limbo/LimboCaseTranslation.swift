import Foundation
import SwiftASN1
import TrustGateX509
import X509

/// One limbo testcase expressed as a TrustGate policy, the chain a client would present, and the time.
struct TranslatedCase {
    let settings: CertificatePolicySettings
    let presented: PresentedCertificateChain
    let time: Date
    /// Inputs TrustGate could not take as given (an unparseable trust anchor, a rejected CRL): reported
    /// in the result's context, since they shape the verdict.
    let notes: [String]
    /// Why the harness's own policies (peer name, key usage) refused candidate chains.
    let policyLog: PolicyFailureLog
}

/// How the harness runs (reserved for options that change the translation; none today).
struct HarnessMode: Sendable {}

/// Maps the limbo schema onto ``CertificatePolicySettings``; throws ``TranslationSkip`` for what the
/// engine cannot express.
enum LimboCaseTranslation {
    /// `max_chain_depth: null` means no limit; this is far above any chain the engine accepts anyway
    /// (it refuses more than 16 presented certificates).
    static let unlimitedDepth = 64

    static func translate(_ testcase: LimboTestcase, mode: HarnessMode) throws(TranslationSkip) -> TranslatedCase {
        try checkFeatures(testcase.features, mode: mode)
        if let reason = LimboFeatureSupport.conflictResolution(mode: mode)[testcase.id] {
            throw TranslationSkip(reason)
        }
        if !testcase.signatureAlgorithms.isEmpty {
            throw TranslationSkip("signature_algorithms constraint (\(testcase.signatureAlgorithms.joined(separator: ", "))): the engine has no signature-algorithm allow-list")
        }
        var notes: [String] = []

        let peerDER = try certificateDER(testcase.peerCertificate, role: "peer_certificate")
        let intermediateDERs = try testcase.untrustedIntermediates.enumerated().map { (index, pem) throws(TranslationSkip) in
            try certificateDER(pem, role: "untrusted_intermediates[\(index)]")
        }

        var anchors: [Certificate] = []
        var pins = PinnedCertificates()
        for (index, pem) in testcase.trustedCerts.enumerated() {
            let der = try certificateDER(pem, role: "trusted_certs[\(index)]")
            do {
                anchors.append(try Certificate(derEncoded: der))
            } catch {
                // A gateway would refuse to load such a trust store; here the anchor just does not exist.
                notes.append("trusted_certs[\(index)] is not a certificate swift-certificates can parse (\(error)); not trusted")
                continue
            }
            // A trusted self-signed peer is trusted directly: TrustGate expresses that by pinning it.
            if der == peerDER, let prints = try? CertificateFingerprints(derBytes: der) {
                pins = PinnedCertificates(thumbprints: pins.thumbprints.union([prints.sha256Hex]))
            }
        }

        var settings = CertificatePolicySettings(
            trustAnchors: anchors,
            intermediates: [],
            maxDepth: try maxDepth(testcase.maxChainDepth),
            clockSkew: 0,
            requiredKeyPurpose: try keyPurpose(testcase),
            pinnedSelfSigned: pins
        )

        if !testcase.crls.isEmpty {
            var crls: [CertificateRevocationList] = []
            for (index, pem) in testcase.crls.enumerated() {
                do {
                    crls += try CertificateRevocationList.parseAll(Array(pem.utf8))
                } catch {
                    notes.append("crls[\(index)] rejected by the CRL parser: \(error)")
                }
            }
            settings.crls = crls
            // A suite that hands over CRLs asks for revocation checking of the peer (OpenSSL's
            // X509_V_FLAG_CRL_CHECK): its status must be established from a valid CRL of its issuer.
            settings.revocation = RevocationSettings(mode: .leaf, requireCRL: true, staleCRL: .fail)
        }

        let log = PolicyFailureLog()
        var callerPolicy = LimboCallerPolicy(keyUsage: try requiredKeyUsage(testcase.keyUsage), log: log)
        switch testcase.validationKind {
        case .server:
            if let name = testcase.expectedPeerName {
                callerPolicy.serverIdentity = try PeerNameMapping.serverIdentityPolicy(for: name)
                callerPolicy.serverHostname = name.kind == "DNS" ? name.value : nil
            }
        case .client:
            settings.identity = try PeerNameMapping.clientIdentity(for: testcase.expectedPeerNames)
        }
        if callerPolicy.hasRequirements {
            settings.additionalPolicy = AdditionalVerifierPolicy(callerPolicy)
        }

        return TranslatedCase(
            settings: settings,
            presented: PresentedCertificateChain(derCertificates: [peerDER] + intermediateDERs),
            time: try validationTime(testcase.validationTime),
            notes: notes,
            policyLog: log
        )
    }

    // MARK: - Fields

    static func checkFeatures(_ features: [String], mode: HarnessMode) throws(TranslationSkip) {
        let table = LimboFeatureSupport.table(mode: mode)
        for feature in features {
            guard let support = table[feature] else {
                throw TranslationSkip("unknown limbo feature '\(feature)'")
            }
            if case .unsupported(let reason) = support {
                throw TranslationSkip("unsupported feature '\(feature)': \(reason)")
            }
        }
    }

    /// The DER inside one PEM certificate block. Bytes that are not a certificate are still passed on:
    /// refusing them is the engine's job.
    static func certificateDER(_ pem: String, role: String) throws(TranslationSkip) -> [UInt8] {
        do {
            let document = try PEMDocument(pemString: pem)
            guard document.discriminator == "CERTIFICATE" else {
                throw TranslationSkip("\(role) is a PEM '\(document.discriminator)' block, not a CERTIFICATE")
            }
            return document.derBytes
        } catch let skip as TranslationSkip {
            throw skip
        } catch {
            throw TranslationSkip("\(role) is not readable PEM: \(error)")
        }
    }

    /// limbo counts intermediates ("a maximum chain depth of 0: there may not be any intermediates");
    /// TrustGate's maxDepth counts every CA certificate above the leaf, anchor included.
    static func maxDepth(_ limboDepth: Int?) throws(TranslationSkip) -> Int {
        guard let limboDepth else { return unlimitedDepth }
        guard limboDepth >= 0 else { throw TranslationSkip("negative max_chain_depth \(limboDepth)") }
        return min(limboDepth, unlimitedDepth) + 1
    }

    /// The key purpose the leaf must allow. A SERVER case validates a TLS server certificate, so an empty
    /// list means serverAuth, as in every limbo harness (pyca's server verifier, Go's default
    /// ExtKeyUsageServerAuth, webpki's server_auth); a CLIENT case means clientAuth.
    static func keyPurpose(_ testcase: LimboTestcase) throws(TranslationSkip) -> ExtendedKeyUsage.Usage? {
        let listed = testcase.extendedKeyUsage
        if listed.isEmpty {
            return testcase.validationKind == .server ? .serverAuth : .clientAuth
        }
        guard listed.count == 1, let name = listed.first else {
            throw TranslationSkip("extended_key_usage lists \(listed.count) purposes (\(listed.joined(separator: ", "))); the engine requires exactly one")
        }
        switch name {
        case "serverAuth": return .serverAuth
        case "clientAuth": return .clientAuth
        case "codeSigning": return .codeSigning
        case "emailProtection": return .emailProtection
        case "timeStamping": return .timeStamping
        case "OCSPSigning": return .ocspSigning
        case "anyExtendedKeyUsage": return .any
        default:
            throw TranslationSkip("extended_key_usage '\(name)' is not a purpose the engine knows")
        }
    }

    static func requiredKeyUsage(_ names: [String]) throws(TranslationSkip) -> LeafKeyUsagePolicy? {
        guard !names.isEmpty else { return nil }
        var usages: [LeafKeyUsagePolicy.Usage] = []
        for name in names {
            guard let usage = LeafKeyUsagePolicy.Usage(rawValue: name) else {
                throw TranslationSkip("key_usage '\(name)' is not an X.509 key usage")
            }
            usages.append(usage)
        }
        return LeafKeyUsagePolicy(required: usages)
    }

    /// RFC 3339 date-time, with or without fractional seconds (the suite has both, e.g. `…T23:59:59.999+00:00`).
    static func validationTime(_ text: String?) throws(TranslationSkip) -> Date {
        guard let text else { return Date() }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        throw TranslationSkip("validation_time '\(text)' is not an RFC 3339 date-time")
    }
}
