import Crypto
import _CryptoExtras
import SwiftASN1
public import X509

/// The PEM text `trustgate pki` writes: certificates, CRLs, and private keys as unencrypted PKCS#8.
public enum PEMSerialization {
    /// Concatenated `CERTIFICATE` blocks, in the given order.
    public static func certificates(_ certificates: [Certificate]) throws(PKIError) -> String {
        var text = ""
        for certificate in certificates {
            do {
                text += try certificate.serializeAsPEM().pemString + "\n"
            } catch {
                throw PKIError.cryptographicFailure("cannot encode certificate: \(error)")
            }
        }
        return text
    }

    /// One `X509 CRL` block.
    public static func certificateRevocationList(_ derBytes: [UInt8]) -> String {
        PEMDocument(type: "X509 CRL", derBytes: derBytes).pemString + "\n"
    }

    /// The key as a `PRIVATE KEY` (PKCS#8) block.
    ///
    /// swift-certificates writes RSA keys as PKCS#1 (`RSA PRIVATE KEY`); they are re-encoded so that every key file
    /// `pki` writes has the same, algorithm-neutral form.
    public static func privateKey(_ key: Certificate.PrivateKey) throws(PKIError) -> String {
        do {
            let document = try key.serializeAsPEM()
            switch document.discriminator {
            case "PRIVATE KEY":
                return document.pemString + "\n"
            case "RSA PRIVATE KEY":
                return try _RSA.Signing.PrivateKey(derRepresentation: document.derBytes).pkcs8PEMRepresentation + "\n"
            default:
                throw PKIError.unsupportedKey(document.discriminator)
            }
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError.cryptographicFailure("cannot encode private key: \(error)")
        }
    }
}
