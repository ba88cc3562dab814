import SwiftASN1
public import X509

/// What a certificate is for, and therefore which extensions it carries.
///
/// | profile | basicConstraints (critical) | keyUsage (critical) | extKeyUsage |
/// |---|---|---|---|
/// | root / intermediate CA | CA:true, pathLen | keyCertSign, cRLSign | – |
/// | client | CA:false | digitalSignature | clientAuth |
/// | server | CA:false | digitalSignature (+ keyEncipherment for RSA: TLS 1.2 RSA key exchange) | serverAuth |
/// | self-signed (Key Vault's default policy) | CA:false | digitalSignature (+ keyEncipherment for RSA) | serverAuth, clientAuth |
///
/// Every certificate gets a SubjectKeyIdentifier; every certificate with a different issuer an AuthorityKeyIdentifier.
/// The SubjectAlternativeName is critical when the subject is empty (RFC 5280 §4.2.1.6), as in SPIFFE X.509-SVIDs.
public enum IssuanceProfile: Sendable, Hashable, CustomStringConvertible {
    case rootCA(pathLength: Int?)
    case intermediateCA(pathLength: Int?)
    case client
    case server
    case selfSigned

    /// `client` or `server`: the profiles `pki issue` offers.
    public init(parsing text: String) throws(PKIError) {
        switch text.lowercased() {
        case "client", "clientauth": self = .client
        case "server", "serverauth": self = .server
        default: throw PKIError.invalidProfile(text)
        }
    }

    public var description: String {
        switch self {
        case .rootCA: return "root CA"
        case .intermediateCA: return "intermediate CA"
        case .client: return "client"
        case .server: return "server"
        case .selfSigned: return "self-signed"
        }
    }

    public var isCertificateAuthority: Bool {
        switch self {
        case .rootCA, .intermediateCA: return true
        case .client, .server, .selfSigned: return false
        }
    }

    /// The extended key usages used when the request does not name its own.
    public var defaultExtendedKeyUsages: [ExtendedKeyUsage.Usage] {
        switch self {
        case .rootCA, .intermediateCA: return []
        case .client: return [.clientAuth]
        case .server: return [.serverAuth]
        case .selfSigned: return [.serverAuth, .clientAuth]
        }
    }

    /// The extensions of a certificate of this profile.
    ///
    /// - Parameters:
    ///   - subjectKey: the certified public key (hashed into the SubjectKeyIdentifier).
    ///   - authorityKeyIdentifier: the issuer's key identifier; `nil` for self-signed certificates.
    ///   - subjectAlternativeNames: the SAN entries, in order.
    ///   - extendedKeyUsages: `nil` for the profile's default; empty for no EKU extension at all.
    ///   - subjectIsEmpty: whether the subject DN is empty, which makes the SAN extension critical.
    public func extensions(
        subjectKey: Certificate.PublicKey,
        authorityKeyIdentifier: [UInt8]?,
        subjectAlternativeNames: [GeneralName],
        extendedKeyUsages: [ExtendedKeyUsage.Usage]?,
        subjectIsEmpty: Bool
    ) throws(PKIError) -> Certificate.Extensions {
        let isRSA = KeyAlgorithm(of: subjectKey)?.isRSA ?? false
        let usages = extendedKeyUsages ?? defaultExtendedKeyUsages
        do {
            var extensions = Certificate.Extensions()
            switch self {
            case .rootCA(let pathLength), .intermediateCA(let pathLength):
                try extensions.append(Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: pathLength), critical: true))
                try extensions.append(Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true))
            case .client:
                try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
                try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
            case .server, .selfSigned:
                try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
                try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: isRSA), critical: true))
            }
            if !usages.isEmpty {
                try extensions.append(Certificate.Extension(ExtendedKeyUsage(usages), critical: false))
            }
            try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: subjectKey), critical: false))
            if let authorityKeyIdentifier {
                try extensions.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier[...]), critical: false))
            }
            if !subjectAlternativeNames.isEmpty {
                let names = SubjectAlternativeNames(subjectAlternativeNames)
                try extensions.append(try Certificate.Extension(names, critical: subjectIsEmpty))
            } else if subjectIsEmpty {
                throw PKIError.subjectAndAlternativeNamesEmpty
            }
            return extensions
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError.invalidValidity("cannot build the certificate's extensions: \(error)")
        }
    }

    /// `clientAuth`, `serverAuth`, `codeSigning`, `emailProtection`, `timeStamping`, `ocspSigning`, `any`
    /// (case-insensitive), or a dotted OID.
    public static func extendedKeyUsage(parsing text: String) throws(PKIError) -> ExtendedKeyUsage.Usage {
        switch text.lowercased() {
        case "clientauth", "client": return .clientAuth
        case "serverauth", "server": return .serverAuth
        case "codesigning": return .codeSigning
        case "emailprotection": return .emailProtection
        case "timestamping": return .timeStamping
        case "ocspsigning": return .ocspSigning
        case "any", "anyextendedkeyusage": return .any
        default:
            let isDotted = text.split(separator: ".", omittingEmptySubsequences: false).count >= 2
                && text.allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) }
                && text.count <= 200
            guard isDotted, let oid = try? ASN1ObjectIdentifier(dotRepresentation: text) else {
                throw PKIError.invalidExtendedKeyUsage(text)
            }
            return ExtendedKeyUsage.Usage(oid: oid)
        }
    }
}
