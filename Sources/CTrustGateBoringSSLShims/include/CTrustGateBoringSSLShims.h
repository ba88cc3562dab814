#ifndef C_TRUSTGATE_BORINGSSL_SHIMS_H
#define C_TRUSTGATE_BORINGSSL_SHIMS_H

#include <stddef.h>
#include <stdint.h>

// BoringSSL settings TrustGate needs that swift-nio-ssl does not expose. The functions forward to the
// BoringSSL copy linked in through swift-nio-ssl (symbols prefixed CNIOBoringSSL_), so no second TLS library
// is built or linked.

/// Turns off the server's internal session cache of `ssl_ctx` (an `SSL_CTX *`): sessions are neither
/// stored nor looked up by session ID; ticket resumption (TLS 1.2 and 1.3) is unaffected. Returns the new mode.
int trustgate_disable_internal_session_cache(void *ssl_ctx);

/// The session cache mode bits of `ssl_ctx` (an `SSL_CTX *`).
int trustgate_session_cache_mode(const void *ssl_ctx);

/// Bits of the mode, as BoringSSL defines them.
#define TRUSTGATE_SSL_SESS_CACHE_SERVER 0x0002
#define TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL 0x0300

// MARK: - Cipher suites

/// The server's order of cipher suites decides (TLS 1.2 and 1.3), not the client's.
void trustgate_prefer_server_cipher_order(void *ssl_ctx);

/// Whether the server's order decides.
int trustgate_prefers_server_cipher_order(const void *ssl_ctx);

// MARK: - Session tickets

/// Issues no session tickets (TLS 1.2 and TLS 1.3): with the internal cache off, no session resumes.
void trustgate_disable_session_tickets(void *ssl_ctx);

/// Whether `ssl_ctx` issues session tickets.
int trustgate_session_tickets_enabled(const void *ssl_ctx);

/// How long sessions resume, in seconds: TLS 1.2 tickets (`SSL_CTX_set_timeout`, also the ticket's lifetime
/// hint) and TLS 1.3 tickets (`SSL_CTX_set_session_psk_dhe_timeout`).
void trustgate_set_session_lifetime(void *ssl_ctx, uint32_t seconds);

/// Installs ticket keys in nginx's `ssl_session_ticket_key` layouts: `count` keys, key i `lengths[i]` bytes
/// (48: name[16] AES-128[16] HMAC[16]; 80: name[16] HMAC[32] AES-256[32]), concatenated in `keys`. The first
/// encrypts new tickets (AES-CBC + HMAC-SHA256, as BoringSSL's own keys); every key decrypts, and a ticket
/// decrypted with another than the first is renewed under the first. The keys are copied (and wiped when the
/// context is freed). Returns 1 on success, 0 on bad arguments or allocation failure.
int trustgate_set_session_ticket_keys(void *ssl_ctx, const uint8_t *keys, const size_t *lengths, size_t count);

/// The number of ticket keys installed on `ssl_ctx` with `trustgate_set_session_ticket_keys` (0: BoringSSL's
/// own random keys).
size_t trustgate_session_ticket_key_count(const void *ssl_ctx);

// MARK: - A connection's negotiated parameters

/// The negotiated cipher suite's IANA number of `ssl` (an `SSL *`), 0 before the handshake.
uint16_t trustgate_ssl_cipher_id(const void *ssl);

/// The negotiated protocol version of `ssl` (0x0303 TLS 1.2, 0x0304 TLS 1.3).
uint16_t trustgate_ssl_version(const void *ssl);

/// 1 when `ssl` resumed a session (an abbreviated handshake), else 0.
int trustgate_ssl_session_reused(const void *ssl);

#endif
