// OpenSSL's libssl (with the libcrypto it needs), as Debian's libssl-dev installs it, for
// BahiHTTP's TLS client. OpenSSL spells several calls as function-like macros over
// SSL_ctrl/SSL_CTX_ctrl, which Swift cannot import: each is wrapped here as a static inline
// function. No library of our own, no C target.
#ifndef BAHI_CTLS_SHIM_H
#define BAHI_CTLS_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/opensslv.h>

/// SSL_CTX_set_min_proto_version (a macro over SSL_CTX_ctrl). Returns 1 on success.
static inline int bahi_tls_ctx_set_min_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

/// SSL_set_tlsext_host_name (a macro over SSL_ctrl): the SNI name. Returns 1 on success.
static inline int bahi_tls_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

#endif
