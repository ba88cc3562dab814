#include "CTrustGateBoringSSLShims.h"

// Declared here rather than through swift-nio-ssl's headers: CNIOBoringSSL is not a product other packages
// may import. The prototypes match BoringSSL's (`SSL_CTX *` is passed as an opaque pointer).
extern int CNIOBoringSSL_SSL_CTX_set_session_cache_mode(void *ctx, int mode);
extern int CNIOBoringSSL_SSL_CTX_get_session_cache_mode(const void *ctx);

int trustgate_disable_internal_session_cache(void *ssl_ctx) {
    int mode = TRUSTGATE_SSL_SESS_CACHE_SERVER | TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL;
    CNIOBoringSSL_SSL_CTX_set_session_cache_mode(ssl_ctx, mode);
    return CNIOBoringSSL_SSL_CTX_get_session_cache_mode(ssl_ctx);
}

int trustgate_session_cache_mode(const void *ssl_ctx) {
    return CNIOBoringSSL_SSL_CTX_get_session_cache_mode(ssl_ctx);
}
