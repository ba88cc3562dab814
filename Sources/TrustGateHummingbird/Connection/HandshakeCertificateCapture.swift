import Synchronization

/// Where the verification callback leaves a connection's certificate record for the channel's `handle`.
///
/// Written at most once, on the event loop, while the handshake waits for the verdict; read once, after
/// ALPN negotiation completed (which happens only after the handshake, so after the write). The mutex makes
/// that hand-over explicit to the compiler; it is taken twice per connection, never per request.
final class HandshakeCertificateCapture: Sendable {
    private let stored = Mutex<ClientCertificateRecord?>(nil)

    func store(_ record: ClientCertificateRecord) {
        stored.withLock { $0 = record }
    }

    var record: ClientCertificateRecord? {
        stored.withLock { $0 }
    }
}
