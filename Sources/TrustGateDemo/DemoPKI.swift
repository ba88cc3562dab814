public import Foundation
import TrustGateX509
import X509

/// The throwaway PKI of `trustgate demo` (and of the gateway's end-to-end tests), kept in one directory:
///
/// ```
/// DIR/ca/                        the CA (root + intermediate, keys, state.json), as `trustgate pki init-ca` makes it
/// DIR/ca.pem                     the root: the trust anchor of the policy
/// DIR/server.pem, server.key     localhost, 127.0.0.1, ::1 (chain: leaf, intermediate)
/// DIR/client.pem, client.key     CN=demo-client, URI spiffe://demo.trustgate/client, clientAuth (EC P-256)
/// DIR/client-rsa.pem, .key       the same names with an RSA 2048 key: MSAL signs client assertions with RSA only
/// DIR/client-expired.pem, .key   validity ended a day ago
/// DIR/client-revoked.pem, .key   valid, but on the intermediate's CRL
/// DIR/intermediate-crl.pem       the intermediate's CRL (covers the client certificates)
/// DIR/root-crl.pem               the root's CRL (covers the intermediate)
/// DIR/policy.yaml                trust ca.pem, revocation chain with both CRLs, require_crl, clientAuth
/// DIR/store.key, tokens.db       the token service's store key (0600) and registration store
///                                (written by `DemoTokenService.prepare`, not here)
/// ```
///
/// Every issuer is the intermediate; leaf files hold the leaf then the intermediate, as a TLS peer sends them.
/// Keys are 0600 and the directory 0700. Nothing here should ever be trusted outside the demo.
public struct DemoPKI: Sendable {
    /// Absolute path of the directory.
    public let directory: String

    /// How long the certificates a demo uses must still be valid, and its CRLs still current, to be reused.
    public static let reuseMargin: TimeInterval = 86_400
    static let caValidityDays = 3650
    static let leafValidityDays = 365
    static let crlValidityDays = 30

    public var caDirectory: String { path("ca") }
    public var caFile: String { path("ca.pem") }
    public var serverCertificateFile: String { path("server.pem") }
    public var serverKeyFile: String { path("server.key") }
    public var clientCertificateFile: String { path("client.pem") }
    public var clientKeyFile: String { path("client.key") }
    public var clientRSACertificateFile: String { path("client-rsa.pem") }
    public var clientRSAKeyFile: String { path("client-rsa.key") }
    public var expiredCertificateFile: String { path("client-expired.pem") }
    public var expiredKeyFile: String { path("client-expired.key") }
    public var revokedCertificateFile: String { path("client-revoked.pem") }
    public var revokedKeyFile: String { path("client-revoked.key") }
    public var intermediateCRLFile: String { path("intermediate-crl.pem") }
    public var rootCRLFile: String { path("root-crl.pem") }
    /// The intermediate's CRL (the client certificates) and the root's (the intermediate): `chain` mode with
    /// `require_crl` needs a CRL for every issuer on the path.
    public var crlFiles: [String] { [intermediateCRLFile, rootCRLFile] }
    public var policyFile: String { path("policy.yaml") }
    /// The token service's SQLite registration store.
    public var tokenStoreFile: String { path("tokens.db") }
    /// The key that encrypts the token service's signing keys in the store (base64, 0600).
    public var tokenStoreKeyFile: String { path("store.key") }

    /// The client's SPIFFE ID, for identity rules in demo routes.
    public static let clientURI = "spiffe://demo.trustgate/client"
    public static let clientCommonName = "demo-client"

    private init(directory: String) {
        self.directory = directory
    }

    private func path(_ name: String) -> String {
        directory + "/" + name
    }

    /// Returns the PKI in `directory`, creating it when it is missing, incomplete, inconsistent, or when a
    /// certificate the demo relies on (CA, server, client, revoked client) ends within ``reuseMargin``.
    /// A reused PKI keeps its files byte for byte, except CRLs whose nextUpdate falls within the margin,
    /// which are signed again (with the next CRL number).
    public static func prepare(in directory: String, now: Date = Date()) throws -> DemoPKI {
        let pki = DemoPKI(directory: absolutePath(directory))
        if let authority = pki.reusableAuthority(now: now) {
            try pki.refreshCRLs(of: authority, now: now)
            return pki
        }
        try pki.generate(now: now)
        return pki
    }

    private static func absolutePath(_ path: String) -> String {
        let base = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: base).standardizedFileURL.path
    }

    // MARK: Creating

    private func generate(now: Date) throws {
        try SecureFileWriter.createPrivateDirectory(directory)
        // Written last, so an interrupted run is never mistaken for a finished PKI.
        try? FileManager.default.removeItem(atPath: policyFile)

        let day: TimeInterval = 86_400
        // Backdated so the expired client certificate lies within its issuers' validity.
        let caValidity = try ValidityPeriod(
            notBefore: now.addingTimeInterval(-60 * day), notAfter: now.addingTimeInterval(Double(Self.caValidityDays) * day))
        let organization = "TrustGate Demo"
        let authority = try CertificateAuthority.create(
            in: caDirectory,
            options: .init(
                rootSubject: try DistinguishedName {
                    OrganizationName(organization)
                    CommonName("TrustGate Demo Root CA")
                },
                validity: caValidity,
                intermediateSubject: try DistinguishedName {
                    OrganizationName(organization)
                    CommonName("TrustGate Demo Intermediate CA")
                }),
            overwrite: true)

        // An hour back: a peer whose clock is a little behind still accepts the certificates.
        let current = try ValidityPeriod(
            notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(Double(Self.leafValidityDays) * day))
        let expired = try ValidityPeriod(notBefore: now.addingTimeInterval(-30 * day), notAfter: now.addingTimeInterval(-day))

        let server = try authority.issue(
            IssuanceRequest(
                profile: .server,
                subject: try DistinguishedName {
                    OrganizationName(organization)
                    CommonName("localhost")
                },
                subjectAlternativeNames: [
                    try SubjectAlternativeNameText.dnsName("localhost"),
                    try SubjectAlternativeNameText.ipAddress("127.0.0.1"),
                    try SubjectAlternativeNameText.ipAddress("::1"),
                ],
                validity: current),
            now: now)
        let client = try issueClient(Self.clientCommonName, validity: current, authority: authority, now: now)
        let rsaClient = try issueClient(Self.clientCommonName, validity: current, authority: authority, now: now, keyAlgorithm: .rsa2048)
        let expiredClient = try issueClient("demo-client-expired", validity: expired, authority: authority, now: now)
        let revokedClient = try issueClient("demo-client-revoked", validity: current, authority: authority, now: now)
        _ = try authority.revoke(certificate: revokedClient.certificate, reason: .keyCompromise, at: now)

        try write(server, certificateFile: serverCertificateFile, keyFile: serverKeyFile)
        try write(client, certificateFile: clientCertificateFile, keyFile: clientKeyFile)
        try write(rsaClient, certificateFile: clientRSACertificateFile, keyFile: clientRSAKeyFile)
        try write(expiredClient, certificateFile: expiredCertificateFile, keyFile: expiredKeyFile)
        try write(revokedClient, certificateFile: revokedCertificateFile, keyFile: revokedKeyFile)
        try SecureFileWriter.write(
            try PEMSerialization.certificates([authority.root]), to: caFile, mode: SecureFileWriter.publicMode, overwrite: true)
        try writeCRL(of: authority, signer: .issuingCA, to: intermediateCRLFile, now: now)
        try writeCRL(of: authority, signer: .root, to: rootCRLFile, now: now)
        try SecureFileWriter.write(policyText, to: policyFile, mode: SecureFileWriter.publicMode, overwrite: true)
    }

    private func issueClient(
        _ commonName: String, validity: ValidityPeriod, authority: CertificateAuthority, now: Date,
        keyAlgorithm: KeyAlgorithm = .default
    ) throws -> IssuedCertificate {
        try authority.issue(
            IssuanceRequest(
                profile: .client,
                subject: try DistinguishedName {
                    OrganizationName("TrustGate Demo")
                    CommonName(commonName)
                },
                subjectAlternativeNames: [try SubjectAlternativeNameText.uri(Self.clientURI)],
                extendedKeyUsages: [.clientAuth],
                validity: validity,
                keyAlgorithm: keyAlgorithm),
            now: now)
    }

    private func write(_ issued: IssuedCertificate, certificateFile: String, keyFile: String) throws {
        try SecureFileWriter.write(
            try PEMSerialization.privateKey(issued.privateKey), to: keyFile, mode: SecureFileWriter.privateMode, overwrite: true)
        try SecureFileWriter.write(
            try PEMSerialization.certificates(issued.chain), to: certificateFile, mode: SecureFileWriter.publicMode, overwrite: true)
    }

    private func writeCRL(of authority: CertificateAuthority, signer: CertificateAuthority.CRLSigner, to file: String, now: Date) throws {
        // thisUpdate an hour back, like the certificates: verifiers refuse a CRL from the future.
        let crl = try authority.makeCRL(
            thisUpdate: now.addingTimeInterval(-3600),
            nextUpdate: now.addingTimeInterval(Double(Self.crlValidityDays) * 86_400),
            signer: signer)
        try SecureFileWriter.write(crl.pemString, to: file, mode: SecureFileWriter.publicMode, overwrite: true)
    }

    /// Relative paths: they resolve against the policy file, so the directory can be moved as a whole.
    private var policyText: String {
        """
        # The certificate policy of `trustgate demo`, for the throwaway PKI in this directory.
        # Never trust ca.pem, or use these keys, outside the demo.
        trust:
          anchors: [ca.pem]
          intermediates: [ca/\(CertificateAuthority.intermediateCertificateFile)]
        usage:
          require_client_auth: true
        revocation:
          mode: chain
          crls: [intermediate-crl.pem, root-crl.pem]
          require_crl: true

        """
    }

    // MARK: Reusing

    /// The CA when every file is there and consistent with it and the certificates the demo needs stay valid
    /// for ``reuseMargin``; `nil` means "make a new PKI".
    private func reusableAuthority(now: Date) -> CertificateAuthority? {
        let files = [
            caFile, serverCertificateFile, serverKeyFile, clientCertificateFile, clientKeyFile,
            clientRSACertificateFile, clientRSAKeyFile, expiredCertificateFile, expiredKeyFile, revokedCertificateFile, revokedKeyFile, policyFile,
        ] + crlFiles
        guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }),
              let authority = try? CertificateAuthority.load(from: caDirectory),
              let intermediate = authority.intermediate,
              authority.rootPrivateKey != nil,
              (try? CertificateDecoder.certificates(contentsOfFile: caFile)) == [authority.root]
        else { return nil }
        let horizon = now.addingTimeInterval(Self.reuseMargin)
        guard authority.root.notValidAfter >= horizon, intermediate.notValidAfter >= horizon else { return nil }

        let leaves: [(certificate: String, key: String, mustStayValid: Bool)] = [
            (serverCertificateFile, serverKeyFile, true),
            (clientCertificateFile, clientKeyFile, true),
            (clientRSACertificateFile, clientRSAKeyFile, true),
            (revokedCertificateFile, revokedKeyFile, true),
            (expiredCertificateFile, expiredKeyFile, false),
        ]
        for leaf in leaves {
            guard let chain = try? CertificateDecoder.certificates(contentsOfFile: leaf.certificate),
                  chain.count == 2, chain[1] == intermediate,
                  let keyText = try? String(contentsOfFile: leaf.key, encoding: .utf8),
                  let key = try? Certificate.PrivateKey(pemEncoded: keyText),
                  key.publicKey == chain[0].publicKey
            else { return nil }
            if leaf.mustStayValid, chain[0].notValidAfter < horizon { return nil }
        }
        return authority
    }

    /// Signs a new CRL where the current one is unreadable or its nextUpdate falls within ``reuseMargin``.
    private func refreshCRLs(of authority: CertificateAuthority, now: Date) throws {
        let horizon = now.addingTimeInterval(Self.reuseMargin)
        for (file, signer) in [(intermediateCRLFile, CertificateAuthority.CRLSigner.issuingCA), (rootCRLFile, .root)] {
            let lists = (try? CertificateRevocationList.load(contentsOfFile: file)) ?? []
            let current = lists.count == 1 && (lists[0].nextUpdate.map { $0 >= horizon } ?? false)
            if !current {
                try writeCRL(of: authority, signer: signer, to: file, now: now)
            }
        }
    }
}
