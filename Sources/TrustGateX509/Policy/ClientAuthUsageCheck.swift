import SwiftASN1
import X509

/// The leaf must be usable for TLS client authentication: either it has no extendedKeyUsage extension
/// (RFC 5280: no restriction) or the extension lists id-kp-clientAuth. `anyExtendedKeyUsage` is not
/// accepted, as in the Web PKI validators: a certificate meant for clients says so.
struct ClientAuthUsageCheck: ChainCheck {
    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [.X509ExtensionID.extendedKeyUsage] }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        guard let leaf = chain.first else { return [] }
        let usage: ExtendedKeyUsage?
        do {
            usage = try leaf.extensions.extendedKeyUsage
        } catch {
            return [.init(.malformed, "client certificate has a malformed extendedKeyUsage extension")]
        }
        guard let usage else { return [] }
        if usage.contains(.clientAuth) { return [] }
        let listed = usage.map { String(describing: $0) }.joined(separator: ", ")
        return [.init(.ekuMismatch, "client certificate \(leaf.verdictName) is not valid for client authentication (extendedKeyUsage: \(listed.isEmpty ? "empty" : listed))")]
    }
}
