public import Foundation
import SwiftASN1
public import X509

/// A CA kept in a directory:
///
/// ```
/// DIR/root.pem            root certificate (self-signed)
/// DIR/root.key            its PKCS#8 private key, mode 0600 (may be taken offline once an intermediate exists)
/// DIR/intermediate.pem    optional intermediate, signed by the root; when present it is the issuing CA
/// DIR/intermediate.key    its private key, mode 0600
/// DIR/state.json          issued serials, revocations, last CRL number (see ``CAState``)
/// ```
///
/// Leaves and CRLs are signed by the *issuing* CA: the intermediate when there is one, the root otherwise.
public struct CertificateAuthority: Sendable {
    public static let rootCertificateFile = "root.pem"
    public static let rootKeyFile = "root.key"
    public static let intermediateCertificateFile = "intermediate.pem"
    public static let intermediateKeyFile = "intermediate.key"

    /// The default root name when none is given.
    public static let defaultRootCommonName = "TrustGate Root CA"
    /// The common name of the intermediate when no name is given; the root's other attributes (O, C, …) are kept.
    public static let defaultIntermediateCommonName = "TrustGate Intermediate CA"

    public let directory: String
    public let root: Certificate
    public let intermediate: Certificate?
    /// The private key of ``issuingCertificate``.
    public let issuingPrivateKey: Certificate.PrivateKey
    /// The root's private key; `nil` when root.key has been taken offline (only possible with an intermediate).
    public let rootPrivateKey: Certificate.PrivateKey?

    /// The CA that signs leaves and CRLs.
    public var issuingCertificate: Certificate { intermediate ?? root }

    /// The certificates between a leaf and the root (not the root): what goes after the leaf in a chain file.
    public var intermediates: [Certificate] { intermediate.map { [$0] } ?? [] }

    // MARK: Creating

    /// How to create a CA.
    public struct Options: Sendable {
        public var rootSubject: DistinguishedName
        public var keyAlgorithm: KeyAlgorithm
        public var validity: ValidityPeriod
        /// `nil`: no intermediate; the root issues leaves itself.
        public var intermediateSubject: DistinguishedName?
        /// `nil`: the root's period. Must end no later than the root's.
        public var intermediateValidity: ValidityPeriod?

        public init(
            rootSubject: DistinguishedName,
            keyAlgorithm: KeyAlgorithm = .default,
            validity: ValidityPeriod,
            intermediateSubject: DistinguishedName? = nil,
            intermediateValidity: ValidityPeriod? = nil
        ) {
            self.rootSubject = rootSubject
            self.keyAlgorithm = keyAlgorithm
            self.validity = validity
            self.intermediateSubject = intermediateSubject
            self.intermediateValidity = intermediateValidity
        }
    }

    /// Creates a root (and optionally an intermediate) in `directory`, which is created with mode 0700 if needed.
    ///
    /// An existing CA in the directory is only replaced with `overwrite` (then its state is reset too).
    public static func create(in directory: String, options: Options, overwrite: Bool = false) throws(PKIError) -> CertificateAuthority {
        guard !options.rootSubject.isEmpty else {
            throw PKIError.invalidName("", reason: "the root CA needs a subject name")
        }
        if let intermediateSubject = options.intermediateSubject {
            guard !intermediateSubject.isEmpty else {
                throw PKIError.invalidName("", reason: "the intermediate CA needs a subject name")
            }
            guard intermediateSubject != options.rootSubject else {
                throw PKIError.invalidName(
                    intermediateSubject.displayString, reason: "the intermediate must not have the root's name")
            }
        }
        let files = [rootCertificateFile, rootKeyFile, intermediateCertificateFile, intermediateKeyFile, CAState.fileName]
            .map { directory + "/" + $0 }
        if !overwrite, files.contains(where: SecureFileWriter.fileExists) {
            throw PKIError.certificateAuthorityExists(directory: directory)
        }
        try SecureFileWriter.createPrivateDirectory(directory)

        let rootKey = try options.keyAlgorithm.generatePrivateKey()
        let rootRequest = IssuanceRequest(
            profile: .rootCA(pathLength: options.intermediateSubject == nil ? 0 : 1),
            subject: options.rootSubject,
            validity: options.validity,
            keyAlgorithm: options.keyAlgorithm)
        let root = try rootRequest.makeCertificate(
            serialNumber: SerialNumberText.random(),
            subjectKey: rootKey.publicKey,
            issuer: options.rootSubject,
            issuerKey: rootKey,
            authorityKeyIdentifier: nil)

        var intermediate: (certificate: Certificate, key: Certificate.PrivateKey)?
        if let intermediateSubject = options.intermediateSubject {
            let validity = options.intermediateValidity ?? options.validity
            guard validity.notAfter <= options.validity.notAfter else {
                throw PKIError.certificateWouldOutliveIssuer(notAfter: validity.notAfter, issuerNotAfter: options.validity.notAfter)
            }
            let key = try options.keyAlgorithm.generatePrivateKey()
            let request = IssuanceRequest(
                profile: .intermediateCA(pathLength: 0),
                subject: intermediateSubject,
                validity: validity,
                keyAlgorithm: options.keyAlgorithm)
            let certificate = try request.makeCertificate(
                serialNumber: SerialNumberText.random(),
                subjectKey: key.publicKey,
                issuer: root.subject,
                issuerKey: rootKey,
                authorityKeyIdentifier: keyIdentifier(of: root))
            intermediate = (certificate, key)
        }

        try SecureFileWriter.write(PEMSerialization.privateKey(rootKey), to: files[1], mode: SecureFileWriter.privateMode, overwrite: overwrite)
        try SecureFileWriter.write(PEMSerialization.certificates([root]), to: files[0], mode: SecureFileWriter.publicMode, overwrite: overwrite)
        if let intermediate {
            try SecureFileWriter.write(PEMSerialization.privateKey(intermediate.key), to: files[3], mode: SecureFileWriter.privateMode, overwrite: overwrite)
            try SecureFileWriter.write(PEMSerialization.certificates([intermediate.certificate]), to: files[2], mode: SecureFileWriter.publicMode, overwrite: overwrite)
        } else {
            // A replaced CA without intermediate must not pick up the old one's files.
            unlink(files[2])
            unlink(files[3])
        }
        try CAState().save(to: directory)

        return CertificateAuthority(
            directory: directory,
            root: root,
            intermediate: intermediate?.certificate,
            issuingPrivateKey: intermediate?.key ?? rootKey,
            rootPrivateKey: rootKey)
    }

    private init(
        directory: String, root: Certificate, intermediate: Certificate?,
        issuingPrivateKey: Certificate.PrivateKey, rootPrivateKey: Certificate.PrivateKey?
    ) {
        self.rootPrivateKey = rootPrivateKey
        self.directory = directory
        self.root = root
        self.intermediate = intermediate
        self.issuingPrivateKey = issuingPrivateKey
    }

    // MARK: Loading

    /// Opens the CA in `directory`, checking that each key belongs to its certificate and the intermediate
    /// (if any) was signed by the root. The root key is only needed when there is no intermediate.
    public static func load(from directory: String) throws(PKIError) -> CertificateAuthority {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PKIError.notACertificateAuthority(directory: directory, reason: "no such directory")
        }
        let rootPath = directory + "/" + rootCertificateFile
        guard SecureFileWriter.fileExists(rootPath) else {
            throw PKIError.notACertificateAuthority(directory: directory, reason: "\(rootCertificateFile) is missing")
        }
        let root = try readCertificate(rootPath)
        _ = try CAState.load(from: directory)

        let intermediatePath = directory + "/" + intermediateCertificateFile
        if SecureFileWriter.fileExists(intermediatePath) {
            let intermediate = try readCertificate(intermediatePath)
            guard intermediate.issuer == root.subject, root.publicKey.isValidSignature(intermediate.signature, for: intermediate) else {
                throw PKIError.notACertificateAuthority(
                    directory: directory, reason: "\(intermediateCertificateFile) was not signed by \(rootCertificateFile)")
            }
            let key = try readKey(directory + "/" + intermediateKeyFile, for: intermediate, certificatePath: intermediatePath, directory: directory)
            let rootKeyPath = directory + "/" + rootKeyFile
            let rootKey = SecureFileWriter.fileExists(rootKeyPath)
                ? try readKey(rootKeyPath, for: root, certificatePath: rootPath, directory: directory)
                : nil
            return CertificateAuthority(
                directory: directory, root: root, intermediate: intermediate, issuingPrivateKey: key, rootPrivateKey: rootKey)
        }
        let key = try readKey(directory + "/" + rootKeyFile, for: root, certificatePath: rootPath, directory: directory)
        return CertificateAuthority(
            directory: directory, root: root, intermediate: nil, issuingPrivateKey: key, rootPrivateKey: key)
    }

    private static func readCertificate(_ path: String) throws(PKIError) -> Certificate {
        let text = try readText(path)
        do {
            return try Certificate(pemEncoded: text)
        } catch {
            throw PKIError.unreadableFile(path: path, reason: "not a PEM certificate (\(error))")
        }
    }

    private static func readKey(
        _ path: String, for certificate: Certificate, certificatePath: String, directory: String
    ) throws(PKIError) -> Certificate.PrivateKey {
        guard SecureFileWriter.fileExists(path) else {
            throw PKIError.notACertificateAuthority(directory: directory, reason: "\((path as NSString).lastPathComponent) is missing")
        }
        let text = try readText(path)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: text)
        } catch {
            throw PKIError.unreadableFile(path: path, reason: "not a PEM private key (\(error))")
        }
        guard key.publicKey == certificate.publicKey else {
            throw PKIError.keyDoesNotMatchCertificate(keyPath: path, certificatePath: certificatePath)
        }
        return key
    }

    static func readText(_ path: String) throws(PKIError) -> String {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else {
                throw PKIError.unreadableFile(path: path, reason: "not text")
            }
            return text
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError.unreadableFile(path: path, reason: "\((error as NSError).localizedDescription)")
        }
    }

    // MARK: Issuing

    /// Issues a client or server certificate with a new key, records its serial, and returns it with its chain.
    ///
    /// Serials are 16 random bytes, unique among the ones this CA recorded.
    public func issue(_ request: IssuanceRequest, now: Date = Date()) throws(PKIError) -> IssuedCertificate {
        switch request.profile {
        case .client, .server: break
        default: throw PKIError.invalidProfile(request.profile.description)
        }
        let issuer = issuingCertificate
        guard request.validity.notAfter <= issuer.notValidAfter else {
            throw PKIError.certificateWouldOutliveIssuer(notAfter: request.validity.notAfter, issuerNotAfter: issuer.notValidAfter)
        }
        let key = try request.keyAlgorithm.generatePrivateKey()
        let authorityKeyIdentifier = Self.keyIdentifier(of: issuer)
        let certificate = try CAState.update(in: directory) { (state: inout CAState) throws(PKIError) -> Certificate in
            var serial = SerialNumberText.random()
            while state.isIssued(SerialNumberText.hex(serial)) { serial = SerialNumberText.random() }
            let certificate = try request.makeCertificate(
                serialNumber: serial,
                subjectKey: key.publicKey,
                issuer: issuer.subject,
                issuerKey: issuingPrivateKey,
                authorityKeyIdentifier: authorityKeyIdentifier)
            state.issued.append(.init(
                serialNumber: SerialNumberText.hex(serial),
                subject: request.subject.rfc4514String,
                profile: request.profile.description,
                notBefore: request.validity.notBefore,
                notAfter: request.validity.notAfter,
                issuedAt: PKIDate.truncated(now)))
            return certificate
        }
        return IssuedCertificate(certificate: certificate, privateKey: key, chain: [certificate] + intermediates)
    }

    // MARK: Revoking

    public enum RevocationOutcome: Sendable, Hashable {
        case revoked(CAState.RevocationRecord)
        /// The serial was already revoked; the earlier record is kept unchanged.
        case alreadyRevoked(CAState.RevocationRecord)
    }

    /// Records the revocation of a serial this CA issued (with `requireIssued: false`, of any serial — for
    /// certificates issued before the state was kept, or by another tool with this CA's key).
    ///
    /// The intermediate's own serial is recorded for the root's CRL (see ``makeCRL(thisUpdate:nextUpdate:signer:)``).
    public func revoke(
        serialNumber: Certificate.SerialNumber,
        reason: CertificateRevocationListBuilder.Reason? = nil,
        at date: Date = Date(),
        requireIssued: Bool = true
    ) throws(PKIError) -> RevocationOutcome {
        let hex = SerialNumberText.hex(serialNumber)
        if let intermediate, SerialNumberText.hex(intermediate.serialNumber) == hex {
            return try record(hex, reason: reason, at: date, requireIssued: false, signer: .root)
        }
        return try record(hex, reason: reason, at: date, requireIssued: requireIssued, signer: .issuingCA)
    }

    /// Records the revocation of `certificate`, which must have been signed by this CA: by the issuing CA (a leaf),
    /// or by the root when the root is not the issuing CA (the intermediate).
    public func revoke(
        certificate: Certificate,
        reason: CertificateRevocationListBuilder.Reason? = nil,
        at date: Date = Date()
    ) throws(PKIError) -> RevocationOutcome {
        let hex = SerialNumberText.hex(certificate.serialNumber)
        // The signature proves this CA issued it, recorded or not.
        if Self.isSigned(certificate, by: issuingCertificate) {
            return try record(hex, reason: reason, at: date, requireIssued: false, signer: .issuingCA)
        }
        if intermediate != nil, certificate != root, Self.isSigned(certificate, by: root) {
            return try record(hex, reason: reason, at: date, requireIssued: false, signer: .root)
        }
        throw PKIError.certificateNotIssuedByThisCA(
            subject: certificate.subject.displayString,
            issuer: certificate.issuer.displayString,
            issuingCA: issuingCertificate.subject.displayString)
    }

    private static func isSigned(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        certificate.issuer == issuer.subject && issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    private func record(
        _ hex: String, reason: CertificateRevocationListBuilder.Reason?, at date: Date, requireIssued: Bool, signer: CRLSigner
    ) throws(PKIError) -> RevocationOutcome {
        try CAState.update(in: directory) { (state: inout CAState) throws(PKIError) -> RevocationOutcome in
            let list = signer == .root && intermediate != nil ? state.rootRevoked : state.revoked
            if let existing = list.first(where: { $0.serialNumber == hex }) { return .alreadyRevoked(existing) }
            guard !requireIssued || state.isIssued(hex) else { throw PKIError.serialNotIssued(hex) }
            let record = CAState.RevocationRecord(serialNumber: hex, revokedAt: PKIDate.truncated(date), reason: reason)
            if signer == .root && intermediate != nil {
                state.rootRevoked.append(record)
            } else {
                state.revoked.append(record)
            }
            return .revoked(record)
        }
    }

    // MARK: CRLs

    /// A signed CRL of the issuing CA.
    public struct GeneratedCRL: Sendable {
        public let derBytes: [UInt8]
        public let crlNumber: UInt64
        public let thisUpdate: Date
        public let nextUpdate: Date
        public let revokedCount: Int

        public var pemString: String { PEMSerialization.certificateRevocationList(derBytes) }
    }

    /// Makes the next CRL: every recorded revocation, `thisUpdate = now`, `nextUpdate = now + validity`, and the
    /// next CRL number (taken under the state lock, so numbers only ever increase).
    public func makeCRL(validity: TimeInterval, now: Date = Date(), signer: CRLSigner = .issuingCA) throws(PKIError) -> GeneratedCRL {
        guard validity >= 1 else { throw PKIError.invalidValidity("the CRL must be valid for at least one second") }
        return try makeCRL(thisUpdate: now, nextUpdate: now.addingTimeInterval(validity), signer: signer)
    }

    /// Which of the CA's certificates signs a CRL.
    public enum CRLSigner: Sendable, Hashable {
        /// The issuing CA (the intermediate, or the root when there is none): covers the leaves.
        case issuingCA
        /// The root: covers the intermediate. The same as `issuingCA` when there is no intermediate.
        case root
    }

    /// Makes the next CRL with explicit dates — in the past too, to make a stale CRL for tests (`crl_stale`).
    public func makeCRL(thisUpdate: Date, nextUpdate: Date, signer: CRLSigner = .issuingCA) throws(PKIError) -> GeneratedCRL {
        let thisUpdate = PKIDate.truncated(thisUpdate)
        let nextUpdate = PKIDate.truncated(nextUpdate)
        guard nextUpdate > thisUpdate else {
            throw PKIError.invalidValidity("the CRL's nextUpdate (\(PKIDate.format(nextUpdate))) must be after its thisUpdate (\(PKIDate.format(thisUpdate)))")
        }
        let isRootList = signer == .root && intermediate != nil
        let issuer = isRootList ? root : issuingCertificate
        let key: Certificate.PrivateKey
        if isRootList {
            guard let rootPrivateKey else {
                throw PKIError.notACertificateAuthority(
                    directory: directory, reason: "\(Self.rootKeyFile) is needed to sign the root's CRL but is not there")
            }
            key = rootPrivateKey
        } else {
            key = issuingPrivateKey
        }
        return try CAState.update(in: directory) { (state: inout CAState) throws(PKIError) -> GeneratedCRL in
            let number = (isRootList ? state.lastRootCRLNumber : state.lastCRLNumber) + 1
            var entries: [CertificateRevocationListBuilder.Entry] = []
            for record in isRootList ? state.rootRevoked : state.revoked {
                guard let serial = try? SerialNumberText.parse(record.serialNumber) else {
                    throw PKIError.malformedState(path: directory + "/" + CAState.fileName,
                                                  reason: "revoked serial '\(record.serialNumber)' is not hexadecimal")
                }
                entries.append(.init(serialNumber: serial, revocationDate: record.revokedAt, reason: record.reason))
            }
            let builder = CertificateRevocationListBuilder(
                issuerCertificate: issuer, thisUpdate: thisUpdate, nextUpdate: nextUpdate, crlNumber: number, entries: entries)
            let der = try builder.signed(with: key)
            if isRootList {
                state.lastRootCRLNumber = number
            } else {
                state.lastCRLNumber = number
            }
            return GeneratedCRL(derBytes: der, crlNumber: number, thisUpdate: thisUpdate, nextUpdate: nextUpdate, revokedCount: entries.count)
        }
    }

    /// The CA's current state (issued and revoked serials).
    public func state() throws(PKIError) -> CAState {
        try CAState.load(from: directory)
    }

    /// The key identifier of `certificate`: its SubjectKeyIdentifier, or the RFC 5280 SHA-1 of its key if it has none.
    static func keyIdentifier(of certificate: Certificate) -> [UInt8] {
        if let ski = try? certificate.extensions.subjectKeyIdentifier {
            return Array(ski.keyIdentifier)
        }
        return Array(SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier)
    }
}
