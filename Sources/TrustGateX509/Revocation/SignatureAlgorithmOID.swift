import SwiftASN1
import X509

/// Maps a signature `AlgorithmIdentifier` to swift-certificates' `Certificate.SignatureAlgorithm`.
///
/// swift-certificates' own `SignatureAlgorithm(algorithmIdentifier:)` is internal, so CRL signatures (which
/// swift-certificates does not know about) need this mapping to reach the public
/// `Certificate.PublicKey.isValidSignature(_:for:signatureAlgorithm:)`.
///
/// Parameters are checked as the RFCs require, so that an identifier we accept means exactly one thing:
/// ECDSA (RFC 5758 §3.2) and Ed25519 (RFC 8410 §3) MUST omit them; the PKCS #1 v1.5 RSA algorithms carry NULL,
/// and RFC 4055 §5 asks verifiers to accept an absent NULL as well.
enum SignatureAlgorithmOID {
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    static let sha1WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 5]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

    private static let derNull: [UInt8] = [0x05, 0x00]

    /// The swift-certificates algorithm for `oid` with the DER-encoded `parameters` (nil when absent),
    /// or nil when the algorithm is unknown or its parameters are not the ones the algorithm allows.
    static func signatureAlgorithm(
        oid: ASN1ObjectIdentifier,
        parameters: ArraySlice<UInt8>?
    ) -> Certificate.SignatureAlgorithm? {
        switch oid {
        case ecdsaWithSHA256:
            return parameters == nil ? .ecdsaWithSHA256 : nil
        case ecdsaWithSHA384:
            return parameters == nil ? .ecdsaWithSHA384 : nil
        case ecdsaWithSHA512:
            return parameters == nil ? .ecdsaWithSHA512 : nil
        case ed25519:
            return parameters == nil ? .ed25519 : nil
        case sha1WithRSAEncryption:
            return hasNullOrAbsentParameters(parameters) ? .sha1WithRSAEncryption : nil
        case sha256WithRSAEncryption:
            return hasNullOrAbsentParameters(parameters) ? .sha256WithRSAEncryption : nil
        case sha384WithRSAEncryption:
            return hasNullOrAbsentParameters(parameters) ? .sha384WithRSAEncryption : nil
        case sha512WithRSAEncryption:
            return hasNullOrAbsentParameters(parameters) ? .sha512WithRSAEncryption : nil
        default:
            return nil
        }
    }

    private static func hasNullOrAbsentParameters(_ parameters: ArraySlice<UInt8>?) -> Bool {
        guard let parameters else { return true }
        return parameters.elementsEqual(derNull)
    }
}
