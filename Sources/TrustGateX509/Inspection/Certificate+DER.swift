import SwiftASN1
public import X509

extension Certificate {
    /// The certificate's DER encoding.
    ///
    /// swift-certificates keeps the original bytes of the TBSCertificate, the signature algorithm and the signature,
    /// so for a parsed certificate this is byte-for-byte what was received, and thumbprints computed from it match
    /// those of other tools.
    public var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(self)
        } catch {
            // Serializing a certificate only appends its stored raw byte slices; there is nothing that can fail.
            // Should that ever change, an empty result makes every comparison and thumbprint fail closed.
            return []
        }
        return serializer.serializedBytes
    }

    /// Whether the subject and the issuer are the same name (RFC 5280 §6.1: "self-issued").
    public var isSelfIssued: Bool {
        self.subject == self.issuer
    }

    /// Whether the certificate is self-issued and its signature verifies with its own public key.
    ///
    /// A self-issued certificate signed by another key (a CA's key-rollover certificate) is not self-signed.
    public var isSelfSigned: Bool {
        self.isSelfIssued && self.publicKey.isValidSignature(self.signature, for: self)
    }
}
