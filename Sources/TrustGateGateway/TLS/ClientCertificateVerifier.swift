import NIOCore
import NIOSSL
import TrustGateX509

/// Bridges BoringSSL's certificate callback to ``CertificatePolicy``.
///
/// The verdict is recorded on the connection and, unless the host rejects in the handshake, the handshake
/// is allowed to complete either way: the request then gets a 403 whose `reason` tells the client what is
/// wrong — far more useful than a TLS alert. A cached verdict answers synchronously; a cold one is computed
/// off the event loop and the handshake resumes when it is ready.
enum ClientCertificateVerifier {
    static func callback(for connection: DownstreamConnectionState, host: HostRuntime, metrics: GatewayMetrics) -> NIOSSLCustomVerificationCallback {
        { certificates, promise in
            connection.verificationRan = true
            var ders: [[UInt8]] = []
            ders.reserveCapacity(certificates.count)
            for certificate in certificates {
                guard let der = try? certificate.toDERBytes() else {
                    // A certificate that was sent but cannot be read must never pass as "none presented"
                    // (optional mode would let it through): the handshake fails.
                    metrics.recordVerdict(RejectionCode.malformed.rawValue)
                    connection.handshakeRefusal = RejectionCode.malformed.rawValue
                    promise.succeed(.failed)
                    return
                }
                ders.append(der)
            }
            let presented = PresentedCertificateChain(derCertificates: ders)
            connection.presentedChain = presented
            host.presentedChains.remember(presented)

            // Behind a trusted TLS terminator the TLS client is the proxy: its certificate is checked
            // against the proxy pins at request time, not against the client policy.
            guard !connection.certificateIdentifiesProxy, let policy = host.policy else {
                promise.succeed(.certificateVerified)
                return
            }
            if let verdict = policy.cachedVerdict(presented) {
                finish(verdict)
                return
            }
            let eventLoop = promise.futureResult.eventLoop
            Task {
                let verdict = await policy.evaluate(presented)
                eventLoop.execute { finish(verdict) }
            }

            func finish(_ verdict: CertificateVerdict) {
                if host.rejectInHandshake && !verdict.isAccepted {
                    // Counted once as a handshake failure (by the observer) and here as the verdict it was.
                    let code = verdict.codes.first?.rawValue ?? "malformed"
                    metrics.recordVerdict(code)
                    connection.handshakeRefusal = code
                    promise.succeed(.failed)
                } else {
                    promise.succeed(.certificateVerified)
                }
            }
        }
    }
}
