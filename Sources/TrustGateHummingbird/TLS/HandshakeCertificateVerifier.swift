import NIOCore
import NIOSSL
import TrustGateX509

/// NIOSSL's custom verification callback (with metadata), judging the presented chain with a
/// ``CertificatePolicy`` and recording the verdict on the connection.
///
/// The handshake completes whatever the verdict, so the request gets a 403 problem+json naming the reason
/// (far more useful to a client than a TLS alert). Only a certificate that cannot even be read fails the
/// handshake: a certificate that was sent must never pass for "none presented". A cached verdict answers
/// synchronously on the event loop; a cold one is computed off the loop and the handshake resumes when it
/// is ready. An accepted chain is also returned as NIOSSL metadata, so `NIOSSLHandler.peerValidatedCertificateChain`
/// works for code that asks the handler directly.
struct HandshakeCertificateVerifier: Sendable {
    let policy: CertificatePolicy

    func callback(recordingInto capture: HandshakeCertificateCapture) -> NIOSSLCustomVerificationCallbackWithMetadata {
        let policy = self.policy
        return { certificates, promise in
            var ders: [[UInt8]] = []
            ders.reserveCapacity(certificates.count)
            for certificate in certificates {
                guard let der = try? certificate.toDERBytes() else {
                    promise.succeed(.failed)
                    return
                }
                ders.append(der)
            }
            let presented = PresentedCertificateChain(derCertificates: ders)
            if let verdict = policy.cachedVerdict(presented) {
                Self.finish(presented, verdict, capture: capture, promise: promise)
                return
            }
            let eventLoop = promise.futureResult.eventLoop
            Task {
                let verdict = await policy.evaluate(presented)
                eventLoop.execute { Self.finish(presented, verdict, capture: capture, promise: promise) }
            }
        }
    }

    private static func finish(
        _ presented: PresentedCertificateChain,
        _ verdict: CertificateVerdict,
        capture: HandshakeCertificateCapture,
        promise: EventLoopPromise<NIOSSLVerificationResultWithMetadata>
    ) {
        capture.store(ClientCertificateRecord(chain: presented, verdict: verdict))
        var validated: NIOSSL.ValidatedCertificateChain?
        if case .accepted(let accepted) = verdict,
           let chain = try? accepted.chain.map({ try NIOSSLCertificate(bytes: $0.derBytes, format: .der) }),
           !chain.isEmpty
        {
            validated = NIOSSL.ValidatedCertificateChain(chain)
        }
        promise.succeed(.certificateVerified(VerificationMetadata(validated)))
    }
}
