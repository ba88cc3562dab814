/// Why certificates, a certificate bundle or a private key could not be loaded.
///
/// Every case carries what a user needs to fix the input; `description` is a complete sentence fragment that is
/// safe to print (it never contains key material or passwords).
public enum CertificateLoadingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input was empty or held only whitespace.
    case emptyInput
    /// The input was not in any of the recognised forms (PEM, DER, base64 DER, URL-escaped PEM, RFC 9440).
    case unrecognizedFormat
    /// The input was well-formed but held no certificate. `foundPEMTypes` lists the PEM block types that were found.
    case noCertificate(foundPEMTypes: [String])
    /// A PEM block was malformed (missing END line, bad base64 body, ...).
    case malformedPEM(type: String, reason: String)
    /// Text that should have been base64 (a header value, an RFC 9440 byte sequence, a PEM body) was not.
    case invalidBase64(context: String)
    /// Percent-escaped text (nginx `$ssl_client_escaped_cert`) had an invalid escape sequence.
    case invalidPercentEncoding
    /// An RFC 9440 byte sequence list was malformed.
    case invalidByteSequence(reason: String)
    /// DER data ended before the length its header announced.
    case truncatedDER(expected: Int, available: Int)
    /// Bytes that are not part of any certificate followed DER data.
    case trailingData(byteCount: Int)
    /// The bytes at `index` (0-based, in input order) are DER but not a valid X.509 certificate.
    case malformedCertificate(index: Int, reason: String)
    /// An extension of a certificate could not be decoded.
    case malformedExtension(name: String, reason: String)

    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read.
    case fileNotReadable(path: String, reason: String)
    /// The file is larger than any certificate, key or bundle this loader accepts.
    case fileTooLarge(path: String, byteCount: Int, limit: Int)

    /// The input is PKCS#12 / PFX, which needs a password to open.
    case pkcs12PasswordRequired
    /// The PKCS#12 password is wrong (its integrity MAC does not verify).
    case pkcs12WrongPassword
    /// The input is not a well-formed PKCS#12 file.
    case pkcs12Malformed(reason: String)
    /// The PKCS#12 file uses a feature that is not supported (public-key integrity mode, an unknown cipher, ...).
    case pkcs12Unsupported(reason: String)
    /// PKCS#12 input was given where only certificates are accepted.
    case pkcs12NotAccepted

    /// No private key was found. `foundPEMTypes` lists the PEM block types that were found.
    case noPrivateKey(foundPEMTypes: [String])
    /// The private key is encrypted and no password was given.
    case privateKeyPasswordRequired
    /// The encrypted private key could not be decrypted with the given password.
    case privateKeyDecryptionFailed
    /// The private key's encoding is malformed.
    case malformedPrivateKey(reason: String)
    /// The private key is of a type or size that is not supported.
    case unsupportedPrivateKey(reason: String)
    /// The private key does not belong to any of the certificates it was loaded with.
    case privateKeyMismatch

    public var description: String {
        switch self {
        case .emptyInput:
            return "the input is empty"
        case .unrecognizedFormat:
            return "the input is not a certificate in any recognised form (PEM, DER, base64 DER, URL-escaped PEM, RFC 9440 byte sequence)"
        case .noCertificate(let types) where types.isEmpty:
            return "the input holds no certificate"
        case .noCertificate(let types):
            return "the input holds no certificate (found PEM blocks: \(types.joined(separator: ", ")))"
        case .malformedPEM(let type, let reason):
            return "malformed PEM block '\(type)': \(reason)"
        case .invalidBase64(let context):
            return "invalid base64 in \(context)"
        case .invalidPercentEncoding:
            return "invalid percent-encoding in URL-escaped PEM"
        case .invalidByteSequence(let reason):
            return "malformed RFC 9440 byte sequence: \(reason)"
        case .truncatedDER(let expected, let available):
            return "truncated DER: the header announces \(expected) bytes but only \(available) are present"
        case .trailingData(let count):
            return "\(count) unexpected byte(s) after the last certificate"
        case .malformedCertificate(let index, let reason):
            return "certificate #\(index + 1) is not a valid X.509 certificate: \(reason)"
        case .malformedExtension(let name, let reason):
            return "malformed \(name) extension: \(reason)"
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .fileNotReadable(let path, let reason):
            return "\(path): cannot read the file: \(reason)"
        case .fileTooLarge(let path, let count, let limit):
            return "\(path): the file is too large (\(count) bytes; the limit is \(limit))"
        case .pkcs12PasswordRequired:
            return "the input is PKCS#12 / PFX and needs a password"
        case .pkcs12WrongPassword:
            return "the PKCS#12 / PFX password is incorrect"
        case .pkcs12Malformed(let reason):
            return "malformed PKCS#12 / PFX: \(reason)"
        case .pkcs12Unsupported(let reason):
            return "unsupported PKCS#12 / PFX: \(reason)"
        case .pkcs12NotAccepted:
            return "the input is PKCS#12 / PFX, which is not accepted here; export the certificates as PEM or DER"
        case .noPrivateKey(let types) where types.isEmpty:
            return "the input holds no private key"
        case .noPrivateKey(let types):
            return "the input holds no private key (found PEM blocks: \(types.joined(separator: ", ")))"
        case .privateKeyPasswordRequired:
            return "the private key is encrypted and needs a password"
        case .privateKeyDecryptionFailed:
            return "the private key could not be decrypted: wrong password or corrupt data"
        case .malformedPrivateKey(let reason):
            return "malformed private key: \(reason)"
        case .unsupportedPrivateKey(let reason):
            return "unsupported private key: \(reason)"
        case .privateKeyMismatch:
            return "the private key does not match any of the certificates"
        }
    }
}
