import SwiftASN1
import X509

/// The leaf must be usable for the purpose the policy serves (clientAuth for client certificates):
/// either it has no extendedKeyUsage extension (RFC 5280: no restriction) or the extension lists the
/// purpose. `anyExtendedKeyUsage` is not accepted, as in the Web PKI validators: a certificate meant
/// for clients says so.
struct KeyPurposeCheck: ChainCheck {
    let purpose: ExtendedKeyUsage.Usage

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [.X509ExtensionID.extendedKeyUsage] }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        guard let leaf = chain.first else { return [] }
        let usage: ExtendedKeyUsage?
        do {
            usage = try leaf.extensions.extendedKeyUsage
        } catch {
            return [.init(.malformed, "\(chainRole(0, of: chain.count)) has a malformed extendedKeyUsage extension")]
        }
        guard let usage else { return [] }
        if usage.contains(purpose) { return [] }
        let listed = usage.map { String(describing: $0) }.joined(separator: ", ")
        return [.init(.ekuMismatch, "certificate \(leaf.verdictName) is not valid for \(purpose) (extendedKeyUsage: \(listed.isEmpty ? "empty" : listed))")]
    }
}
