#include "CTrustGateBoringSSLShims.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// Declared here rather than through swift-nio-ssl's headers: CNIOBoringSSL is not a product other packages
// may import. The prototypes match BoringSSL's (pointers to its types are passed as opaque pointers).
extern int CNIOBoringSSL_SSL_CTX_set_session_cache_mode(void *ctx, int mode);
extern int CNIOBoringSSL_SSL_CTX_get_session_cache_mode(const void *ctx);
extern uint32_t CNIOBoringSSL_SSL_CTX_set_options(void *ctx, uint32_t options);
extern uint32_t CNIOBoringSSL_SSL_CTX_get_options(const void *ctx);
extern uint32_t CNIOBoringSSL_SSL_CTX_set_timeout(void *ctx, uint32_t timeout);
extern void CNIOBoringSSL_SSL_CTX_set_session_psk_dhe_timeout(void *ctx, uint32_t timeout);
typedef int (*trustgate_ticket_key_cb)(void *ssl, uint8_t *key_name, uint8_t *iv, void *cipher_ctx, void *hmac_ctx, int encrypt);
extern int CNIOBoringSSL_SSL_CTX_set_tlsext_ticket_key_cb(void *ctx, trustgate_ticket_key_cb callback);
typedef void (*trustgate_ex_free)(void *parent, void *ptr, void *ad, int index, long argl, void *argp);
extern int CNIOBoringSSL_SSL_CTX_get_ex_new_index(long argl, void *argp, void *unused, void *dup_unused, trustgate_ex_free free_func);
extern int CNIOBoringSSL_SSL_CTX_set_ex_data(void *ctx, int idx, void *data);
extern void *CNIOBoringSSL_SSL_CTX_get_ex_data(const void *ctx, int idx);
extern void *CNIOBoringSSL_SSL_get_SSL_CTX(const void *ssl);
extern const void *CNIOBoringSSL_SSL_get_current_cipher(const void *ssl);
extern uint16_t CNIOBoringSSL_SSL_CIPHER_get_protocol_id(const void *cipher);
extern int CNIOBoringSSL_SSL_version(const void *ssl);
extern int CNIOBoringSSL_SSL_session_reused(const void *ssl);
extern int CNIOBoringSSL_RAND_bytes(uint8_t *buf, size_t len);
extern const void *CNIOBoringSSL_EVP_aes_128_cbc(void);
extern const void *CNIOBoringSSL_EVP_aes_256_cbc(void);
extern const void *CNIOBoringSSL_EVP_sha256(void);
extern int CNIOBoringSSL_EVP_EncryptInit_ex(void *ctx, const void *cipher, void *engine, const uint8_t *key, const uint8_t *iv);
extern int CNIOBoringSSL_EVP_DecryptInit_ex(void *ctx, const void *cipher, void *engine, const uint8_t *key, const uint8_t *iv);
extern int CNIOBoringSSL_HMAC_Init_ex(void *ctx, const void *key, size_t key_len, const void *md, void *engine);
extern void CNIOBoringSSL_OPENSSL_cleanse(void *ptr, size_t len);

#define TRUSTGATE_SSL_OP_NO_TICKET 0x00004000L
#define TRUSTGATE_SSL_OP_CIPHER_SERVER_PREFERENCE 0x00400000L

int trustgate_disable_internal_session_cache(void *ssl_ctx) {
    int mode = TRUSTGATE_SSL_SESS_CACHE_SERVER | TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL;
    CNIOBoringSSL_SSL_CTX_set_session_cache_mode(ssl_ctx, mode);
    return CNIOBoringSSL_SSL_CTX_get_session_cache_mode(ssl_ctx);
}

int trustgate_session_cache_mode(const void *ssl_ctx) {
    return CNIOBoringSSL_SSL_CTX_get_session_cache_mode(ssl_ctx);
}

void trustgate_prefer_server_cipher_order(void *ssl_ctx) {
    CNIOBoringSSL_SSL_CTX_set_options(ssl_ctx, TRUSTGATE_SSL_OP_CIPHER_SERVER_PREFERENCE);
}

int trustgate_prefers_server_cipher_order(const void *ssl_ctx) {
    return (CNIOBoringSSL_SSL_CTX_get_options(ssl_ctx) & TRUSTGATE_SSL_OP_CIPHER_SERVER_PREFERENCE) != 0;
}

void trustgate_disable_session_tickets(void *ssl_ctx) {
    CNIOBoringSSL_SSL_CTX_set_options(ssl_ctx, TRUSTGATE_SSL_OP_NO_TICKET);
}

int trustgate_session_tickets_enabled(const void *ssl_ctx) {
    return (CNIOBoringSSL_SSL_CTX_get_options(ssl_ctx) & TRUSTGATE_SSL_OP_NO_TICKET) == 0;
}

void trustgate_set_session_lifetime(void *ssl_ctx, uint32_t seconds) {
    CNIOBoringSSL_SSL_CTX_set_timeout(ssl_ctx, seconds);
    CNIOBoringSSL_SSL_CTX_set_session_psk_dhe_timeout(ssl_ctx, seconds);
}

// MARK: - Ticket keys

struct trustgate_ticket_key {
    uint8_t name[16];
    uint8_t hmac[32];
    uint8_t aes[32];
    size_t secret_length; // 16 (48-byte files: AES-128, 16-byte HMAC key) or 32 (80-byte files: AES-256)
};

struct trustgate_ticket_keys {
    size_t count;
    struct trustgate_ticket_key keys[];
};

static int ticket_keys_index = -1;
static pthread_once_t ticket_keys_once = PTHREAD_ONCE_INIT;

static void free_ticket_keys(void *parent, void *ptr, void *ad, int index, long argl, void *argp) {
    (void)parent; (void)ad; (void)index; (void)argl; (void)argp;
    struct trustgate_ticket_keys *keys = ptr;
    if (keys == NULL) return;
    CNIOBoringSSL_OPENSSL_cleanse(keys->keys, keys->count * sizeof(struct trustgate_ticket_key));
    free(keys);
}

static void make_ticket_keys_index(void) {
    ticket_keys_index = CNIOBoringSSL_SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_ticket_keys);
}

// BoringSSL's ticket key callback (see SSL_CTX_set_tlsext_ticket_key_cb): 1 = done, 0 = no ticket / unknown
// key (a full handshake follows), 2 = decrypted, renew under the current key, -1 = error.
static int ticket_key_callback(void *ssl, uint8_t *key_name, uint8_t *iv, void *cipher_ctx, void *hmac_ctx, int encrypt) {
    const struct trustgate_ticket_keys *keys = CNIOBoringSSL_SSL_CTX_get_ex_data(CNIOBoringSSL_SSL_get_SSL_CTX(ssl), ticket_keys_index);
    if (keys == NULL || keys->count == 0) return 0;
    if (encrypt) {
        const struct trustgate_ticket_key *key = &keys->keys[0];
        if (CNIOBoringSSL_RAND_bytes(iv, 16) != 1) return -1;
        memcpy(key_name, key->name, 16);
        const void *cipher = key->secret_length == 32 ? CNIOBoringSSL_EVP_aes_256_cbc() : CNIOBoringSSL_EVP_aes_128_cbc();
        if (CNIOBoringSSL_EVP_EncryptInit_ex(cipher_ctx, cipher, NULL, key->aes, iv) != 1) return -1;
        if (CNIOBoringSSL_HMAC_Init_ex(hmac_ctx, key->hmac, key->secret_length, CNIOBoringSSL_EVP_sha256(), NULL) != 1) return -1;
        return 1;
    }
    for (size_t index = 0; index < keys->count; index++) {
        const struct trustgate_ticket_key *key = &keys->keys[index];
        if (memcmp(key_name, key->name, 16) != 0) continue;
        const void *cipher = key->secret_length == 32 ? CNIOBoringSSL_EVP_aes_256_cbc() : CNIOBoringSSL_EVP_aes_128_cbc();
        if (CNIOBoringSSL_HMAC_Init_ex(hmac_ctx, key->hmac, key->secret_length, CNIOBoringSSL_EVP_sha256(), NULL) != 1) return -1;
        if (CNIOBoringSSL_EVP_DecryptInit_ex(cipher_ctx, cipher, NULL, key->aes, iv) != 1) return -1;
        return index == 0 ? 1 : 2;
    }
    return 0;
}

int trustgate_set_session_ticket_keys(void *ssl_ctx, const uint8_t *bytes, const size_t *lengths, size_t count) {
    if (ssl_ctx == NULL || bytes == NULL || lengths == NULL || count == 0 || count > 64) return 0;
    for (size_t index = 0; index < count; index++) {
        if (lengths[index] != 48 && lengths[index] != 80) return 0;
    }
    pthread_once(&ticket_keys_once, make_ticket_keys_index);
    if (ticket_keys_index < 0) return 0;
    struct trustgate_ticket_keys *keys = calloc(1, sizeof(struct trustgate_ticket_keys) + count * sizeof(struct trustgate_ticket_key));
    if (keys == NULL) return 0;
    keys->count = count;
    const uint8_t *source = bytes;
    for (size_t index = 0; index < count; index++) {
        struct trustgate_ticket_key *key = &keys->keys[index];
        size_t key_length = lengths[index];
        memcpy(key->name, source, 16);
        if (key_length == 48) {
            key->secret_length = 16;
            memcpy(key->aes, source + 16, 16);
            memcpy(key->hmac, source + 32, 16);
        } else {
            key->secret_length = 32;
            memcpy(key->hmac, source + 16, 32);
            memcpy(key->aes, source + 48, 32);
        }
        source += key_length;
    }
    void *previous = CNIOBoringSSL_SSL_CTX_get_ex_data(ssl_ctx, ticket_keys_index);
    if (CNIOBoringSSL_SSL_CTX_set_ex_data(ssl_ctx, ticket_keys_index, keys) != 1) {
        free_ticket_keys(NULL, keys, NULL, 0, 0, NULL);
        return 0;
    }
    free_ticket_keys(NULL, previous, NULL, 0, 0, NULL);
    return CNIOBoringSSL_SSL_CTX_set_tlsext_ticket_key_cb(ssl_ctx, ticket_key_callback);
}

size_t trustgate_session_ticket_key_count(const void *ssl_ctx) {
    if (ticket_keys_index < 0) return 0;
    const struct trustgate_ticket_keys *keys = CNIOBoringSSL_SSL_CTX_get_ex_data(ssl_ctx, ticket_keys_index);
    return keys == NULL ? 0 : keys->count;
}

// MARK: - A connection's negotiated parameters

uint16_t trustgate_ssl_cipher_id(const void *ssl) {
    const void *cipher = CNIOBoringSSL_SSL_get_current_cipher(ssl);
    return cipher == NULL ? 0 : CNIOBoringSSL_SSL_CIPHER_get_protocol_id(cipher);
}

uint16_t trustgate_ssl_version(const void *ssl) {
    return (uint16_t)CNIOBoringSSL_SSL_version(ssl);
}

int trustgate_ssl_session_reused(const void *ssl) {
    return CNIOBoringSSL_SSL_session_reused(ssl);
}
