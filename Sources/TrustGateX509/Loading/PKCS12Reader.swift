import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Reads PKCS#12 / PFX files (RFC 7292): OpenSSL 3's default (PBES2, PBKDF2, AES-256-CBC), `-legacy`
/// (RC2-40 / 3DES), and the files Windows and Java write.
///
/// The structure, the integrity MAC, plain bags and the certificate bags are handled here; the ciphers are
/// BoringSSL's, reached through NIOSSL:
/// - shrouded key bags are decrypted as PKCS#8 "ENCRYPTED PRIVATE KEY" through `NIOSSLPrivateKey`;
/// - encrypted content (where the certificates usually are) through `NIOSSLPKCS12Bundle`. That initializer stops
///   the process (`fatalError`) when a file parses but lacks a private key or a certificate matching it — a
///   certificates-only PFX or a Java trust store would crash us. So it is never given the user's file: it gets a
///   small PFX built here, holding the one encrypted content plus a throwaway key and its certificate, which makes
///   both always present. Its MAC is computed with the same password, so BoringSSL decrypts the content as it would
///   have in the original file.
enum PKCS12Reader {
    private static let dataOID = "1.2.840.113549.1.7.1"
    private static let signedDataOID = "1.2.840.113549.1.7.2"
    private static let envelopedDataOID = "1.2.840.113549.1.7.3"
    private static let encryptedDataOID = "1.2.840.113549.1.7.6"
    private static let keyBagOID = "1.2.840.113549.1.12.10.1.1"
    private static let shroudedKeyBagOID = "1.2.840.113549.1.12.10.1.2"
    private static let certBagOID = "1.2.840.113549.1.12.10.1.3"
    private static let safeContentsBagOID = "1.2.840.113549.1.12.10.1.6"
    private static let x509CertificateOID = "1.2.840.113549.1.9.22.1"
    private static let pbmac1OID = "1.2.840.113549.1.5.14"

    private struct Contents {
        var certificates = [Certificate]()
        var keys = [Certificate.PrivateKey]()
    }

    private struct Context {
        let password: String
        /// The password encoding the file's MAC verified with (BMPString, or empty for the empty password).
        let macPassword: [UInt8]
    }

    static func read(_ bytes: [UInt8], password: String) throws(CertificateLoadingError) -> CertificateBundle {
        guard PKCS12Detection.isPKCS12(bytes[...]) else {
            throw .pkcs12Malformed(reason: "the input is not a PKCS#12 / PFX file")
        }
        let contentInfos: [ASN1Node]
        let context: Context
        do {
            let pfx = try children(BER.parse(bytes))
            guard pfx.count >= 2, try Int(berEncoded: pfx[0]) == 3 else {
                throw CertificateLoadingError.pkcs12Malformed(reason: "the version is not 3")
            }
            let (contentType, content) = try contentInfo(pfx[1])
            if contentType == signedDataOID {
                throw CertificateLoadingError.pkcs12Unsupported(reason: "public-key integrity mode (signed PFX)")
            }
            guard contentType == dataOID, let content else {
                throw CertificateLoadingError.pkcs12Malformed(reason: "the authenticated safe is not 'data'")
            }
            let authenticatedSafe = try octetString(content)
            guard pfx.count >= 3 else {
                throw CertificateLoadingError.pkcs12Unsupported(reason: "the file has no integrity MAC")
            }
            let macPassword = try verifyMAC(pfx[2], password: password, data: authenticatedSafe)
            context = Context(password: password, macPassword: macPassword)
            contentInfos = try children(BER.parse(authenticatedSafe))
        } catch let error as CertificateLoadingError {
            throw error
        } catch {
            throw .pkcs12Malformed(reason: ErrorText.reason(error))
        }

        var contents = Contents()
        for info in contentInfos {
            let contentType: String
            let content: ASN1Node?
            do {
                (contentType, content) = try contentInfo(info)
            } catch {
                throw .pkcs12Malformed(reason: ErrorText.reason(error))
            }
            switch contentType {
            case dataOID:
                guard let content else { continue }
                let safeContents: [UInt8]
                do {
                    safeContents = try octetString(content)
                } catch {
                    throw .pkcs12Malformed(reason: ErrorText.reason(error))
                }
                try readSafeContents(safeContents, context: context, into: &contents, depth: 0)
            case encryptedDataOID:
                contents.certificates += try decryptWithBoringSSL(info, context: context)
            case envelopedDataOID:
                throw .pkcs12Unsupported(reason: "public-key privacy mode (enveloped data)")
            default:
                throw .pkcs12Unsupported(reason: "content type \(contentType)")
            }
        }
        return try assemble(contents)
    }

    /// The leaf — the last certificate matching the key, as OpenSSL picks it — first, then the others in file order.
    private static func assemble(_ contents: Contents) throws(CertificateLoadingError) -> CertificateBundle {
        guard contents.keys.count <= 1 else {
            throw .pkcs12Unsupported(reason: "the file holds \(contents.keys.count) private keys")
        }
        var certificates = contents.certificates
        let key = contents.keys.first
        guard !certificates.isEmpty || key != nil else { throw .noCertificate(foundPEMTypes: []) }
        if let key, !certificates.isEmpty {
            guard let leafIndex = certificates.lastIndex(where: key.matches) else { throw .privateKeyMismatch() }
            let leaf = certificates.remove(at: leafIndex)
            certificates.insert(leaf, at: 0)
        }
        return CertificateBundle(certificates: certificates, privateKey: key)
    }

    // MARK: - Integrity

    /// Verifies the MAC and returns the password encoding that verified it.
    private static func verifyMAC(_ macData: ASN1Node, password: String, data: [UInt8]) throws -> [UInt8] {
        let fields = try children(macData)
        guard fields.count >= 2 else { throw CertificateLoadingError.pkcs12Malformed(reason: "incomplete MAC data") }
        let digestInfo = try children(fields[0])
        guard digestInfo.count == 2 else { throw CertificateLoadingError.pkcs12Malformed(reason: "malformed MAC") }
        let algorithm = try children(digestInfo[0])
        guard let algorithmNode = algorithm.first else {
            throw CertificateLoadingError.pkcs12Malformed(reason: "malformed MAC algorithm")
        }
        let algorithmOID = try ASN1ObjectIdentifier(berEncoded: algorithmNode).description
        guard let digest = PKCS12Integrity.Digest(oid: algorithmOID) else {
            if algorithmOID == pbmac1OID {
                throw CertificateLoadingError.pkcs12Unsupported(reason: "PBMAC1 integrity (OpenSSL -pbmac1_pbkdf2)")
            }
            throw CertificateLoadingError.pkcs12Unsupported(reason: "MAC digest \(algorithmOID)")
        }
        let expected = try octetString(digestInfo[1])
        let salt = try octetString(fields[1])
        let iterations = fields.count >= 3 ? try Int(berEncoded: fields[2]) : 1
        guard iterations >= 1, iterations <= PKCS12Integrity.maximumIterations else {
            throw CertificateLoadingError.pkcs12Unsupported(reason: "MAC iteration count \(iterations)")
        }
        // An empty password is encoded as {0, 0} by most tools and as no bytes by some; OpenSSL and BoringSSL try
        // both, and so do we.
        var candidates = [PKCS12Integrity.bmpPassword(password)]
        if password.isEmpty { candidates.append([]) }
        for candidate in candidates {
            let mac = PKCS12Integrity.mac(
                digest: digest, password: candidate, salt: salt, iterations: iterations, data: data)
            if PKCS12Integrity.equal(mac, expected) { return candidate }
        }
        throw CertificateLoadingError.pkcs12WrongPassword()
    }

    // MARK: - Bags

    private static func readSafeContents(
        _ bytes: [UInt8],
        context: Context,
        into contents: inout Contents,
        depth: Int
    ) throws(CertificateLoadingError) {
        guard depth < 4 else { throw .pkcs12Malformed(reason: "safe contents nested too deeply") }
        let bags: [ASN1Node]
        do {
            bags = try children(BER.parse(bytes))
        } catch {
            throw .pkcs12Malformed(reason: ErrorText.reason(error))
        }
        for bag in bags {
            let bagType: String
            let value: ASN1Node
            do {
                let fields = try children(bag)
                guard fields.count >= 2 else {
                    throw CertificateLoadingError.pkcs12Malformed(reason: "a safe bag has no value")
                }
                bagType = try ASN1ObjectIdentifier(berEncoded: fields[0]).description
                value = try explicitContent(fields[1])
            } catch let error as CertificateLoadingError {
                throw error
            } catch {
                throw .pkcs12Malformed(reason: ErrorText.reason(error))
            }
            switch bagType {
            case keyBagOID:
                contents.keys.append(try PrivateKeyDecoder.fromDER(Array(value.encodedBytes), password: nil))
            case shroudedKeyBagOID:
                do {
                    contents.keys.append(
                        try PrivateKeyDecoder.decryptPKCS8(Array(value.encodedBytes), password: context.password))
                } catch where error.code == .privateKeyDecryptionFailed {
                    throw .pkcs12Unsupported(reason: "the private key's encryption could not be undone (unsupported cipher or corrupt data)")
                } catch where error.code == .unsupportedPrivateKey {
                    throw .pkcs12Unsupported(reason: error.reason ?? error.message)
                }
            case certBagOID:
                contents.certificates.append(try certificate(inCertBag: value, index: contents.certificates.count))
            case safeContentsBagOID:
                try readSafeContents(Array(value.encodedBytes), context: context, into: &contents, depth: depth + 1)
            default:
                continue  // CRL and secret bags carry nothing TrustGate uses.
            }
        }
    }

    private static func certificate(inCertBag bag: ASN1Node, index: Int) throws(CertificateLoadingError) -> Certificate {
        let der: [UInt8]
        do {
            let fields = try children(bag)
            guard fields.count >= 2 else { throw CertificateLoadingError.pkcs12Malformed(reason: "empty certificate bag") }
            let type = try ASN1ObjectIdentifier(berEncoded: fields[0]).description
            guard type == x509CertificateOID else {
                throw CertificateLoadingError.pkcs12Unsupported(reason: "certificate type \(type)")
            }
            der = try octetString(try explicitContent(fields[1]))
        } catch let error as CertificateLoadingError {
            throw error
        } catch {
            throw .pkcs12Malformed(reason: ErrorText.reason(error))
        }
        return try CertificateDecoder.certificate(der[...], index: index)
    }

    // MARK: - Encrypted content, through BoringSSL

    private static func decryptWithBoringSSL(
        _ encryptedContentInfo: ASN1Node,
        context: Context
    ) throws(CertificateLoadingError) -> [Certificate] {
        let probe = try ProbeIdentity.shared.get()
        let probeBags = DERWriter.sequence(
            DERWriter.sequence(
                DERWriter.oid(keyBagOID) + DERWriter.explicit0(probe.keyDER)
            )
                + DERWriter.sequence(
                    DERWriter.oid(certBagOID)
                        + DERWriter.explicit0(
                            DERWriter.sequence(
                                DERWriter.oid(x509CertificateOID)
                                    + DERWriter.explicit0(DERWriter.octetString(probe.certificateDER))
                            )
                        )
                )
        )
        let authenticatedSafe = DERWriter.sequence(
            Array(encryptedContentInfo.encodedBytes)
                + DERWriter.sequence(DERWriter.oid(dataOID) + DERWriter.explicit0(DERWriter.octetString(probeBags)))
        )
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let mac = PKCS12Integrity.mac(
            digest: .sha256, password: context.macPassword, salt: salt, iterations: 1, data: authenticatedSafe)
        let macData = DERWriter.sequence(
            DERWriter.sequence(
                DERWriter.sequence(DERWriter.oid("2.16.840.1.101.3.4.2.1") + DERWriter.null)
                    + DERWriter.octetString(mac)
            ) + DERWriter.octetString(salt) + DERWriter.integer(1)
        )
        let pfx = DERWriter.sequence(
            DERWriter.integer(3)
                + DERWriter.sequence(
                    DERWriter.oid(dataOID) + DERWriter.explicit0(DERWriter.octetString(authenticatedSafe)))
                + macData
        )

        let bundle: NIOSSLPKCS12Bundle
        do {
            bundle = try NIOSSLPKCS12Bundle(buffer: pfx, passphrase: Array(context.password.utf8))
        } catch {
            throw classify(error)
        }
        var certificates = [Certificate]()
        for nioCertificate in bundle.certificateChain {
            let der: [UInt8]
            do {
                der = try nioCertificate.toDERBytes()
            } catch {
                throw .pkcs12Malformed(reason: "a certificate could not be re-encoded")
            }
            if der == probe.certificateDER { continue }
            certificates.append(try CertificateDecoder.certificate(der[...], index: certificates.count))
        }
        return certificates
    }

    /// Maps BoringSSL's error stack (reason names such as INCORRECT_PASSWORD) to typed errors.
    static func classify(_ error: any Error) -> CertificateLoadingError {
        let text = String(describing: error)
        let reasons = text.components(separatedBy: "OPENSSL_internal:").dropFirst().map {
            String($0.prefix(while: { $0 != " " && $0 != "]" && $0 != ")" && $0 != "," }))
        }
        if reasons.contains("INCORRECT_PASSWORD") || reasons.contains("BAD_DECRYPT") {
            return .pkcs12WrongPassword()
        }
        if reasons.contains("MULTIPLE_PRIVATE_KEYS_IN_PKCS12") {
            return .pkcs12Unsupported(reason: "a private key inside encrypted content")
        }
        if reasons.contains(where: { $0.contains("UNKNOWN") || $0.contains("UNSUPPORTED") }) {
            return .pkcs12Unsupported(reason: reasons.joined(separator: ", "))
        }
        return .pkcs12Malformed(reason: reasons.isEmpty ? text : reasons.joined(separator: ", "))
    }

    // MARK: - BER navigation

    private static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else {
            throw ASN1Error.invalidASN1Object(reason: "expected a constructed element")
        }
        return Array(nodes)
    }

    /// ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY OPTIONAL }
    private static func contentInfo(_ node: ASN1Node) throws -> (String, ASN1Node?) {
        let fields = try children(node)
        guard let typeNode = fields.first else { throw ASN1Error.invalidASN1Object(reason: "empty ContentInfo") }
        let type = try ASN1ObjectIdentifier(berEncoded: typeNode).description
        guard fields.count >= 2 else { return (type, nil) }
        return (type, try explicitContent(fields[1]))
    }

    private static func explicitContent(_ node: ASN1Node) throws -> ASN1Node {
        guard node.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
            let inner = try children(node).first
        else { throw ASN1Error.invalidASN1Object(reason: "expected an [0] EXPLICIT value") }
        return inner
    }

    /// The contents of an OCTET STRING, primitive or (BER) constructed from segments.
    private static func octetString(_ node: ASN1Node) throws -> [UInt8] {
        switch node.content {
        case .primitive(let bytes):
            return Array(bytes)
        case .constructed(let segments):
            var bytes = [UInt8]()
            for segment in segments { bytes += try octetString(segment) }
            return bytes
        }
    }
}

/// A throwaway EC key and self-signed certificate, made once per process, that `PKCS12Reader` adds to the helper
/// PFX it gives BoringSSL (see there).
struct ProbeIdentity: Sendable {
    let keyDER: [UInt8]
    let certificateDER: [UInt8]

    static let shared: Result<ProbeIdentity, CertificateLoadingError> = {
        do {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName { CommonName("TrustGate PKCS#12 probe") }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: Date(timeIntervalSince1970: 0),
                notValidAfter: Date(timeIntervalSince1970: 86_400),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: Certificate.Extensions(),
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
            return .success(ProbeIdentity(keyDER: Array(key.derRepresentation), certificateDER: certificate.derBytes))
        } catch {
            return .failure(.pkcs12Unsupported(reason: "internal probe certificate: \(ErrorText.reason(error))"))
        }
    }()
}

/// Minimal DER writer for the helper PFX.
enum DERWriter {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var bytes = [tag]
        let count = content.count
        if count < 0x80 {
            bytes.append(UInt8(count))
        } else {
            var length = [UInt8]()
            var remaining = count
            while remaining > 0 {
                length.insert(UInt8(remaining & 0xFF), at: 0)
                remaining >>= 8
            }
            bytes.append(0x80 | UInt8(length.count))
            bytes += length
        }
        return bytes + content
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { tlv(0x30, content) }
    static func octetString(_ content: [UInt8]) -> [UInt8] { tlv(0x04, content) }
    static func explicit0(_ content: [UInt8]) -> [UInt8] { tlv(0xA0, content) }
    static let null: [UInt8] = [0x05, 0x00]

    static func integer(_ value: UInt8) -> [UInt8] {
        value < 0x80 ? [0x02, 0x01, value] : [0x02, 0x02, 0x00, value]
    }

    static func oid(_ dotted: String) -> [UInt8] {
        var serializer = DER.Serializer()
        // Only called with the constant OIDs above, which are valid.
        guard let oid = try? ASN1ObjectIdentifier(dotRepresentation: dotted), (try? serializer.serialize(oid)) != nil
        else { return [] }
        return serializer.serializedBytes
    }
}
