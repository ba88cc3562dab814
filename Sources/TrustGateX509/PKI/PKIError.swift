public import Foundation

/// Why a `trustgate pki` operation failed. Messages are written for the person at the terminal.
public enum PKIError: Error, CustomStringConvertible, Sendable, Hashable {
    // MARK: Problems with what the user asked for (CLI exit code 2)
    case invalidKeyAlgorithm(String)
    case rsaKeyTooSmall(bits: Int)
    case unsupportedKey(String)
    case invalidProfile(String)
    case invalidSerialNumber(String)
    case invalidDate(String)
    case invalidValidity(String)
    case certificateWouldOutliveIssuer(notAfter: Date, issuerNotAfter: Date)
    case invalidSubjectAlternativeName(kind: String, value: String, reason: String)
    case invalidExtendedKeyUsage(String)
    case invalidRevocationReason(String)
    case invalidName(String, reason: String)
    case subjectAndAlternativeNamesEmpty
    case fileExists(path: String)
    case certificateAuthorityExists(directory: String)
    case notACertificateAuthority(directory: String, reason: String)
    case malformedState(path: String, reason: String)
    case keyDoesNotMatchCertificate(keyPath: String, certificatePath: String)
    case serialNotIssued(String)
    case certificateNotIssuedByThisCA(subject: String, issuer: String, issuingCA: String)
    case unreadableFile(path: String, reason: String)

    // MARK: Failures of the machine (CLI exit code 1)
    case fileSystem(path: String, operation: String, reason: String)
    case cryptographicFailure(String)

    /// Whether the failure comes from the input (the command line, or the files it names) rather than the system.
    public var isInputError: Bool {
        switch self {
        case .fileSystem, .cryptographicFailure: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case .invalidKeyAlgorithm(let text):
            return "unknown key type '\(text)'; use one of \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))"
        case .rsaKeyTooSmall(let bits):
            return "RSA keys of \(bits) bits are refused: use rsa-2048, rsa-3072 or rsa-4096"
        case .unsupportedKey(let key):
            return "unsupported key type \(key)"
        case .invalidProfile(let text):
            return "unknown certificate type '\(text)'; use client or server"
        case .invalidSerialNumber(let text):
            return "'\(text)' is not a serial number: expected hexadecimal digits, optionally separated by colons"
        case .invalidDate(let text):
            return "'\(text)' is not an ISO 8601 date: use e.g. 2025-01-31T12:00:00Z or 2025-01-31"
        case .invalidValidity(let reason):
            return "invalid validity period: \(reason)"
        case .certificateWouldOutliveIssuer(let notAfter, let issuerNotAfter):
            return "the certificate would be valid until \(PKIDate.format(notAfter)), after its issuing CA expires "
                + "(\(PKIDate.format(issuerNotAfter))); choose fewer days or an earlier --not-after"
        case .invalidSubjectAlternativeName(let kind, let value, let reason):
            return "invalid \(kind) '\(value)': \(reason)"
        case .invalidExtendedKeyUsage(let text):
            return "unknown extended key usage '\(text)'; use clientAuth, serverAuth, codeSigning, emailProtection, "
                + "timeStamping, ocspSigning or a dotted OID such as 1.3.6.1.5.5.7.3.2"
        case .invalidRevocationReason(let text):
            return "unknown revocation reason '\(text)'; use one of "
                + CertificateRevocationListBuilder.Reason.selectable.map(\.name).joined(separator: ", ")
        case .invalidName(let text, let reason):
            return "invalid distinguished name '\(text)': \(reason)"
        case .subjectAndAlternativeNamesEmpty:
            return "the certificate would identify nothing: give a subject (--cn or --subject) or at least one "
                + "subject alternative name (--dns, --uri, --email, --ip)"
        case .fileExists(let path):
            return "\(path) already exists; not overwriting it (use --force to replace it)"
        case .certificateAuthorityExists(let directory):
            return "\(directory) already holds a CA; not overwriting it (use --force to replace it)"
        case .notACertificateAuthority(let directory, let reason):
            return "\(directory) is not a usable CA directory: \(reason) (create one with `trustgate pki init-ca --dir \(directory)`)"
        case .malformedState(let path, let reason):
            return "\(path) is damaged: \(reason)"
        case .keyDoesNotMatchCertificate(let keyPath, let certificatePath):
            return "the private key \(keyPath) does not belong to the certificate \(certificatePath)"
        case .serialNotIssued(let serial):
            return "serial \(serial) was not issued by this CA"
        case .certificateNotIssuedByThisCA(let subject, let issuer, let issuingCA):
            return "the certificate '\(subject)' was issued by '\(issuer)', not by this CA ('\(issuingCA)')"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .fileSystem(let path, let operation, let reason):
            return "cannot \(operation) \(path): \(reason)"
        case .cryptographicFailure(let reason):
            return "cryptographic operation failed: \(reason)"
        }
    }
}
