public import Foundation

/// Why a `trustgate pki` operation failed. Messages are written for the person at the terminal.
public struct PKIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        // MARK: Problems with what the user asked for (CLI exit code 2)
        public static let invalidKeyAlgorithm = Code(description: "invalidKeyAlgorithm")

        public static let rsaKeyTooSmall = Code(description: "rsaKeyTooSmall")

        public static let unsupportedKey = Code(description: "unsupportedKey")

        public static let invalidProfile = Code(description: "invalidProfile")

        public static let invalidSerialNumber = Code(description: "invalidSerialNumber")

        public static let invalidDate = Code(description: "invalidDate")

        public static let invalidValidity = Code(description: "invalidValidity")

        public static let certificateWouldOutliveIssuer = Code(description: "certificateWouldOutliveIssuer")

        public static let invalidSubjectAlternativeName = Code(description: "invalidSubjectAlternativeName")

        public static let invalidExtendedKeyUsage = Code(description: "invalidExtendedKeyUsage")

        public static let invalidRevocationReason = Code(description: "invalidRevocationReason")

        public static let invalidName = Code(description: "invalidName")

        public static let subjectAndAlternativeNamesEmpty = Code(description: "subjectAndAlternativeNamesEmpty")

        public static let fileExists = Code(description: "fileExists")

        public static let certificateAuthorityExists = Code(description: "certificateAuthorityExists")

        public static let notACertificateAuthority = Code(description: "notACertificateAuthority")

        public static let malformedState = Code(description: "malformedState")

        public static let keyDoesNotMatchCertificate = Code(description: "keyDoesNotMatchCertificate")

        public static let serialNotIssued = Code(description: "serialNotIssued")

        public static let certificateNotIssuedByThisCA = Code(description: "certificateNotIssuedByThisCA")

        public static let unreadableFile = Code(description: "unreadableFile")

        // MARK: Failures of the machine (CLI exit code 1)
        public static let fileSystem = Code(description: "fileSystem")

        public static let cryptographicFailure = Code(description: "cryptographicFailure")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func invalidKeyAlgorithm(_ text: String) -> Self {
        Self(
            code: .invalidKeyAlgorithm,
            message: "unknown key type '\(text)'; use one of \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    public static func rsaKeyTooSmall(bits: Int) -> Self {
        Self(code: .rsaKeyTooSmall, message: "RSA keys of \(bits) bits are refused: use rsa-2048, rsa-3072 or rsa-4096")
    }

    public static func unsupportedKey(_ key: String) -> Self {
        Self(code: .unsupportedKey, message: "unsupported key type \(key)")
    }

    public static func invalidProfile(_ text: String) -> Self {
        Self(code: .invalidProfile, message: "unknown certificate type '\(text)'; use client or server")
    }

    public static func invalidSerialNumber(_ text: String) -> Self {
        Self(
            code: .invalidSerialNumber,
            message: "'\(text)' is not a serial number: expected hexadecimal digits, optionally separated by colons")
    }

    public static func invalidDate(_ text: String) -> Self {
        Self(
            code: .invalidDate,
            message: "'\(text)' is not an ISO 8601 date: use e.g. 2025-01-31T12:00:00Z or 2025-01-31")
    }

    public static func invalidValidity(_ reason: String) -> Self {
        Self(code: .invalidValidity, message: "invalid validity period: \(reason)")
    }

    public static func certificateWouldOutliveIssuer(notAfter: Date, issuerNotAfter: Date) -> Self {
        Self(
            code: .certificateWouldOutliveIssuer,
            message: "the certificate would be valid until \(PKIDate.format(notAfter)), after its issuing CA expires "
                + "(\(PKIDate.format(issuerNotAfter))); choose fewer days or an earlier --not-after"
        )
    }

    public static func invalidSubjectAlternativeName(kind: String, value: String, reason: String) -> Self {
        Self(code: .invalidSubjectAlternativeName, message: "invalid \(kind) '\(value)': \(reason)")
    }

    public static func invalidExtendedKeyUsage(_ text: String) -> Self {
        Self(
            code: .invalidExtendedKeyUsage,
            message: "unknown extended key usage '\(text)'; use clientAuth, serverAuth, codeSigning, emailProtection, "
                + "timeStamping, ocspSigning or a dotted OID such as 1.3.6.1.5.5.7.3.2"
        )
    }

    public static func invalidRevocationReason(_ text: String) -> Self {
        Self(
            code: .invalidRevocationReason,
            message: "unknown revocation reason '\(text)'; use one of "
                + CertificateRevocationListBuilder.Reason.selectable.map(\.name).joined(separator: ", ")
        )
    }

    public static func invalidName(_ text: String, reason: String) -> Self {
        Self(code: .invalidName, message: "invalid distinguished name '\(text)': \(reason)")
    }

    public static var subjectAndAlternativeNamesEmpty: Self {
        Self(
            code: .subjectAndAlternativeNamesEmpty,
            message: "the certificate would identify nothing: give a subject (--cn or --subject) or at least one "
                + "subject alternative name (--dns, --uri, --email, --ip)"
        )
    }

    public static func fileExists(path: String) -> Self {
        Self(code: .fileExists, message: "\(path) already exists; not overwriting it (use --force to replace it)")
    }

    public static func certificateAuthorityExists(directory: String) -> Self {
        Self(
            code: .certificateAuthorityExists,
            message: "\(directory) already holds a CA; not overwriting it (use --force to replace it)")
    }

    public static func notACertificateAuthority(directory: String, reason: String) -> Self {
        Self(
            code: .notACertificateAuthority,
            message: "\(directory) is not a usable CA directory: \(reason) (create one with `trustgate pki init-ca --dir \(directory)`)")
    }

    public static func malformedState(path: String, reason: String) -> Self {
        Self(code: .malformedState, message: "\(path) is damaged: \(reason)")
    }

    public static func keyDoesNotMatchCertificate(keyPath: String, certificatePath: String) -> Self {
        Self(
            code: .keyDoesNotMatchCertificate,
            message: "the private key \(keyPath) does not belong to the certificate \(certificatePath)")
    }

    public static func serialNotIssued(_ serial: String) -> Self {
        Self(code: .serialNotIssued, message: "serial \(serial) was not issued by this CA")
    }

    public static func certificateNotIssuedByThisCA(subject: String, issuer: String, issuingCA: String) -> Self {
        Self(
            code: .certificateNotIssuedByThisCA,
            message: "the certificate '\(subject)' was issued by '\(issuer)', not by this CA ('\(issuingCA)')")
    }

    public static func unreadableFile(path: String, reason: String) -> Self {
        Self(code: .unreadableFile, message: "cannot read \(path): \(reason)")
    }

    public static func fileSystem(path: String, operation: String, reason: String) -> Self {
        Self(code: .fileSystem, message: "cannot \(operation) \(path): \(reason)")
    }

    public static func cryptographicFailure(_ reason: String) -> Self {
        Self(code: .cryptographicFailure, message: "cryptographic operation failed: \(reason)")
    }

/// Whether the failure comes from the input (the command line, or the files it names) rather than the system.
    public var isInputError: Bool {
        code != .fileSystem && code != .cryptographicFailure
    }
}
