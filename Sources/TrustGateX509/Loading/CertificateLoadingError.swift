/// Why certificates, a certificate bundle or a private key could not be loaded.
///
/// Every error says what a user needs to fix the input; `description` is a complete sentence fragment that is
/// safe to print (it never contains key material or passwords).
public struct CertificateLoadingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The input was empty or held only whitespace.
        public static let emptyInput = Code(description: "emptyInput")

        /// The input was not in any of the recognised forms (PEM, DER, base64 DER, URL-escaped PEM, RFC 9440).
        public static let unrecognizedFormat = Code(description: "unrecognizedFormat")

        /// The input was well-formed but held no certificate. `foundPEMTypes` lists the PEM block types that were found.
        public static let noCertificate = Code(description: "noCertificate")

        /// A PEM block was malformed (missing END line, bad base64 body, ...).
        public static let malformedPEM = Code(description: "malformedPEM")

        /// Text that should have been base64 (a header value, an RFC 9440 byte sequence, a PEM body) was not.
        public static let invalidBase64 = Code(description: "invalidBase64")

        /// Percent-escaped text (nginx `$ssl_client_escaped_cert`) had an invalid escape sequence.
        public static let invalidPercentEncoding = Code(description: "invalidPercentEncoding")

        /// An RFC 9440 byte sequence list was malformed.
        public static let invalidByteSequence = Code(description: "invalidByteSequence")

        /// DER data ended before the length its header announced.
        public static let truncatedDER = Code(description: "truncatedDER")

        /// Bytes that are not part of any certificate followed DER data.
        public static let trailingData = Code(description: "trailingData")

        /// The bytes at `index` (0-based, in input order) are DER but not a valid X.509 certificate.
        public static let malformedCertificate = Code(description: "malformedCertificate")

        /// An extension of a certificate could not be decoded.
        public static let malformedExtension = Code(description: "malformedExtension")

        /// The file does not exist.
        public static let fileNotFound = Code(description: "fileNotFound")

        /// The file exists but could not be read.
        public static let fileNotReadable = Code(description: "fileNotReadable")

        /// The file is larger than any certificate, key or bundle this loader accepts.
        public static let fileTooLarge = Code(description: "fileTooLarge")

        /// The input is PKCS#12 / PFX, which needs a password to open.
        public static let pkcs12PasswordRequired = Code(description: "pkcs12PasswordRequired")

        /// The PKCS#12 password is wrong (its integrity MAC does not verify).
        public static let pkcs12WrongPassword = Code(description: "pkcs12WrongPassword")

        /// The input is not a well-formed PKCS#12 file.
        public static let pkcs12Malformed = Code(description: "pkcs12Malformed")

        /// The PKCS#12 file uses a feature that is not supported (public-key integrity mode, an unknown cipher, ...).
        public static let pkcs12Unsupported = Code(description: "pkcs12Unsupported")

        /// PKCS#12 input was given where only certificates are accepted.
        public static let pkcs12NotAccepted = Code(description: "pkcs12NotAccepted")

        /// No private key was found. `foundPEMTypes` lists the PEM block types that were found.
        public static let noPrivateKey = Code(description: "noPrivateKey")

        /// The private key is encrypted and no password was given.
        public static let privateKeyPasswordRequired = Code(description: "privateKeyPasswordRequired")

        /// The encrypted private key could not be decrypted with the given password.
        public static let privateKeyDecryptionFailed = Code(description: "privateKeyDecryptionFailed")

        /// The private key's encoding is malformed.
        public static let malformedPrivateKey = Code(description: "malformedPrivateKey")

        /// The private key is of a type or size that is not supported.
        public static let unsupportedPrivateKey = Code(description: "unsupportedPrivateKey")

        /// The private key does not belong to any of the certificates it was loaded with.
        public static let privateKeyMismatch = Code(description: "privateKeyMismatch")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String
    /// Where in TrustGate the error was made (`#fileID`, `#line`): for a maintainer; not part of `==`.
    public let file: String
    public let line: UInt

    public var description: String { message }

    /// The reason a factory was given, so that one loader can restate another's error in its own terms (the
    /// PKCS#12 reader says why a key in the file is unsupported).
    let reason: String?

    init(code: Code, message: String, reason: String? = nil, file: String, line: UInt) {
        (self.code, self.message, self.reason, self.file, self.line) = (code, message, reason, file, line)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    public static func emptyInput(file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .emptyInput, message: "the input is empty", file: file, line: line)
    }

    public static func unrecognizedFormat(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .unrecognizedFormat,
            message: "the input is not a certificate in any recognised form (PEM, DER, base64 DER, URL-escaped PEM, RFC 9440 byte sequence)",
            file: file, line: line)
    }

    public static func noCertificate(foundPEMTypes: [String], file: String = #fileID, line: UInt = #line) -> Self {
        let found = foundPEMTypes.isEmpty ? "" : " (found PEM blocks: \(foundPEMTypes.joined(separator: ", ")))"
        return Self(code: .noCertificate, message: "the input holds no certificate" + found, file: file, line: line)
    }

    public static func malformedPEM(type: String, reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .malformedPEM, message: "malformed PEM block '\(type)': \(reason)", file: file, line: line)
    }

    public static func invalidBase64(context: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidBase64, message: "invalid base64 in \(context)", file: file, line: line)
    }

    public static func invalidPercentEncoding(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .invalidPercentEncoding,
            message: "invalid percent-encoding in URL-escaped PEM",
            file: file, line: line)
    }

    public static func invalidByteSequence(reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidByteSequence, message: "malformed RFC 9440 byte sequence: \(reason)", file: file, line: line)
    }

    public static func truncatedDER(expected: Int, available: Int, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .truncatedDER,
            message: "truncated DER: the header announces \(expected) bytes but only \(available) are present",
            file: file, line: line)
    }

    public static func trailingData(byteCount count: Int, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .trailingData,
            message: "\(count) unexpected byte(s) after the last certificate",
            file: file, line: line)
    }

    public static func malformedCertificate(
        index: Int,
        reason: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .malformedCertificate,
            message: "certificate #\(index + 1) is not a valid X.509 certificate: \(reason)",
            file: file, line: line)
    }

    public static func malformedExtension(
        name: String,
        reason: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(code: .malformedExtension, message: "malformed \(name) extension: \(reason)", file: file, line: line)
    }

    public static func fileNotFound(path: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .fileNotFound, message: "\(path): no such file", file: file, line: line)
    }

    public static func fileNotReadable(
        path: String,
        reason: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(code: .fileNotReadable, message: "\(path): cannot read the file: \(reason)", file: file, line: line)
    }

    public static func fileTooLarge(
        path: String,
        byteCount count: Int,
        limit: Int,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .fileTooLarge,
            message: "\(path): the file is too large (\(count) bytes; the limit is \(limit))",
            file: file, line: line)
    }

    public static func pkcs12PasswordRequired(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .pkcs12PasswordRequired,
            message: "the input is PKCS#12 / PFX and needs a password",
            file: file, line: line)
    }

    public static func pkcs12WrongPassword(file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .pkcs12WrongPassword, message: "the PKCS#12 / PFX password is incorrect", file: file, line: line)
    }

    public static func pkcs12Malformed(reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .pkcs12Malformed, message: "malformed PKCS#12 / PFX: \(reason)", file: file, line: line)
    }

    public static func pkcs12Unsupported(reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .pkcs12Unsupported, message: "unsupported PKCS#12 / PFX: \(reason)", file: file, line: line)
    }

    public static func pkcs12NotAccepted(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .pkcs12NotAccepted,
            message: "the input is PKCS#12 / PFX, which is not accepted here; export the certificates as PEM or DER",
            file: file, line: line)
    }

    public static func noPrivateKey(foundPEMTypes: [String], file: String = #fileID, line: UInt = #line) -> Self {
        let found = foundPEMTypes.isEmpty ? "" : " (found PEM blocks: \(foundPEMTypes.joined(separator: ", ")))"
        return Self(code: .noPrivateKey, message: "the input holds no private key" + found, file: file, line: line)
    }

    public static func privateKeyPasswordRequired(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .privateKeyPasswordRequired,
            message: "the private key is encrypted and needs a password",
            file: file, line: line)
    }

    public static func privateKeyDecryptionFailed(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .privateKeyDecryptionFailed,
            message: "the private key could not be decrypted: wrong password or corrupt data",
            file: file, line: line)
    }

    public static func malformedPrivateKey(reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .malformedPrivateKey, message: "malformed private key: \(reason)", file: file, line: line)
    }

    public static func unsupportedPrivateKey(reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .unsupportedPrivateKey,
            message: "unsupported private key: \(reason)", reason: reason,
            file: file, line: line)
    }

    public static func privateKeyMismatch(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .privateKeyMismatch,
            message: "the private key does not match any of the certificates",
            file: file, line: line)
    }
}
