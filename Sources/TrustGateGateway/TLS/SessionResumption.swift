import CTrustGateBoringSSLShims
import NIOSSL

/// Applies a listener's `tls.session_tickets` to a host's context: tickets on or off, their lifetime, and the
/// operator's ticket keys (nginx's `ssl_session_ticket_key` files) so that gateways behind one load balancer
/// resume each other's sessions and rotate keys together.
///
/// Without key files BoringSSL makes a random key per context and rotates it every 48 hours
/// (`SSL_DEFAULT_TICKET_KEY_ROTATION_INTERVAL`); a reload builds new contexts, hence new keys, so sessions
/// from before a reload are not resumed. BoringSSL's default lifetime is 7,200 s; TrustGate's is one hour.
///
/// Resumption never skips judgement: every request on a resumed session is judged by the host's current
/// policy (revocation, validity), from the chain recorded at the full handshake or the ticket's leaf.
enum SessionResumption {
    struct UnavailableError: Error, CustomStringConvertible {
        var description: String {
            "this build of swift-nio-ssl does not expose its SSL_CTX: session ticket settings cannot be applied"
        }
    }

    static func apply(_ settings: SessionTicketSettings, to context: NIOSSLContext) throws {
        guard let pointer = BoringSSLPointers.context(of: context).map({ UnsafeMutableRawPointer($0) }) else {
            throw UnavailableError()
        }
        guard settings.enabled else {
            trustgate_disable_session_tickets(pointer)
            return
        }
        trustgate_set_session_lifetime(pointer, UInt32(min(settings.lifetime, SessionTicketSettings.maximumLifetime)))
        guard !settings.keys.isEmpty else { return }
        var bytes: [UInt8] = []
        var lengths: [Int] = []
        for key in settings.keys {
            bytes += key.bytes
            lengths.append(key.bytes.count)
        }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let installed = bytes.withUnsafeBufferPointer { keyBytes in
            lengths.withUnsafeBufferPointer { keyLengths in
                trustgate_set_session_ticket_keys(pointer, keyBytes.baseAddress, keyLengths.baseAddress, keyLengths.count)
            }
        }
        guard installed == 1 else { throw UnavailableError() }
    }

    /// What `context` does now (for tests and `--check-config`): tickets issued, and how many operator keys.
    static func state(of context: NIOSSLContext) -> (ticketsEnabled: Bool, operatorKeys: Int)? {
        guard let pointer = BoringSSLPointers.context(of: context) else { return nil }
        let raw = UnsafeRawPointer(pointer)
        return (trustgate_session_tickets_enabled(raw) == 1, Int(trustgate_session_ticket_key_count(raw)))
    }
}
