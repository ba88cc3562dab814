import SwiftASN1
import X509

/// Bounds the number of CA certificates above the leaf, trust anchor included (OpenSSL's verify depth:
/// 1 means the leaf is signed directly by an anchor).
struct ChainDepthCheck: ChainCheck {
    let maxDepth: Int

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [] }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        let depth = chain.count - 1
        guard depth > maxDepth else { return [] }
        return [.init(.chainTooLong, "certificate chain has \(depth) CA certificates above the client certificate; at most \(maxDepth) allowed")]
    }
}
