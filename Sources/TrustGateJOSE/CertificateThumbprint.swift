import Crypto
public import Foundation

/// Certificate thumbprints as JOSE and RFC 8705 write them: base64url (no padding) of a digest of the DER.
public enum CertificateThumbprint {
    /// `x5t#S256` / `cnf.x5t#S256`.
    public static func sha256(certificateDER: some DataProtocol) -> String {
        Base64URL.encode(SHA256.hash(data: certificateDER))
    }

    /// `x5t` (SHA-1: only for matching what older clients send, never as a security decision on its own).
    public static func sha1(certificateDER: some DataProtocol) -> String {
        Base64URL.encode(Insecure.SHA1.hash(data: certificateDER))
    }
}
