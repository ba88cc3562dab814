#ifndef C_TRUSTGATE_BORINGSSL_SHIMS_H
#define C_TRUSTGATE_BORINGSSL_SHIMS_H

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

#endif
