/*
 * mtls: ephemeral certificate and gRPC server credentials for go-plugin AutoMTLS.
 *
 * The certificate mirrors go-plugin's mtls.go generateCert: self-signed, CN and SAN
 * "localhost" (the host verifies ServerName "localhost"), CA:TRUE so that the host can
 * use it directly as the single root of its pool, both server and client auth usages.
 * go-plugin uses P-521; P-256 is accepted by Go's TLS stack and is faster to generate
 * (verified with Terraform 1.11 on this machine, docs/plugin-protocol.md §2 and §8).
 * Built only with OpenSSL 3 non-deprecated APIs (EVP_PKEY_Q_keygen, X509V3 helpers).
 */
#include "mtls.h"

#include <grpc/grpc_security.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

/* 30 years, close to go-plugin's 262980 hours. */
#define S_VALIDITY_SECONDS ((long)30 * 365 * 24 * 3600)
/* Start a little in the past to tolerate small clock differences (go-plugin: -30s). */
#define S_BACKDATE_SECONDS 30L

/* Fill err with the reason at the top of OpenSSL's error queue, then empty the queue. */
static enum tpd_code s_tls_error(struct tpd_err *err, const char *what) {
    unsigned long e = ERR_get_error();
    char reason[256] = "unknown OpenSSL error";
    if (e != 0) {
        ERR_error_string_n(e, reason, sizeof(reason));
    }
    ERR_clear_error();
    return tpd_err_set(err, TPD_E_TLS, "%s: %s", what, reason);
}

static enum tpd_code s_add_ext(X509 *x, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) {
        return TPD_E_TLS;
    }
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? TPD_OK : TPD_E_TLS;
}

/* Append the whole content of a memory BIO to out. */
static enum tpd_code s_bio_to_buf(BIO *bio, struct tpd_buf *out) {
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0) {
        return TPD_E_TLS;
    }
    return tpd_buf_append(out, data, (size_t)n);
}

static enum tpd_code s_random_serial(X509 *x) {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        return TPD_E_TLS;
    }
    raw[0] &= 0x7f; /* positive */
    BIGNUM *bn = BN_bin2bn(raw, (int)sizeof(raw), NULL);
    if (bn == NULL) {
        return TPD_E_TLS;
    }
    ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    if (serial == NULL) {
        return TPD_E_TLS;
    }
    int ok = X509_set_serialNumber(x, serial);
    ASN1_INTEGER_free(serial);
    return ok ? TPD_OK : TPD_E_TLS;
}

enum tpd_code tfp_cert_generate(struct tfp_cert *c, struct tpd_err *err) {
    memset(c, 0, sizeof(*c));
    tpd_buf_init(&c->cert_pem, 0);
    tpd_buf_init(&c->cert_der, 0);
    tpd_buf_init(&c->key_pem, 0);

    enum tpd_code rc = TPD_E_TLS;
    const char *step = "generating the key";
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL;

    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (key == NULL) {
        goto done;
    }
    step = "building the certificate";
    x = X509_new();
    if (x == NULL || !X509_set_version(x, 2) || s_random_serial(x) != TPD_OK) {
        goto done;
    }
    if (!X509_gmtime_adj(X509_getm_notBefore(x), -S_BACKDATE_SECONDS) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), S_VALIDITY_SECONDS)) {
        goto done;
    }
    X509_NAME *name = X509_get_subject_name(x);
    if (!X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) ||
        !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key)) {
        goto done;
    }
    step = "adding certificate extensions";
    if (s_add_ext(x, NID_basic_constraints, "critical,CA:TRUE") != TPD_OK ||
        s_add_ext(
            x,
            NID_key_usage,
            "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign") != TPD_OK ||
        s_add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth") != TPD_OK ||
        s_add_ext(x, NID_subject_alt_name, "DNS:localhost") != TPD_OK ||
        s_add_ext(x, NID_subject_key_identifier, "hash") != TPD_OK) {
        goto done;
    }
    step = "signing the certificate";
    if (X509_sign(x, key, EVP_sha256()) == 0) {
        goto done;
    }

    step = "encoding the certificate";
    int der_len = i2d_X509(x, &der);
    if (der_len <= 0 || tpd_buf_append(&c->cert_der, der, (size_t)der_len) != TPD_OK) {
        goto done;
    }
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_X509(bio, x) || s_bio_to_buf(bio, &c->cert_pem) != TPD_OK) {
        goto done;
    }
    BIO_free(bio);
    step = "encoding the key";
    /* BIO_s_secmem keeps the key's PEM text in OpenSSL's secure heap when it has one. */
    bio = BIO_new(BIO_s_secmem());
    if (bio == NULL || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) ||
        s_bio_to_buf(bio, &c->key_pem) != TPD_OK) {
        goto done;
    }
    rc = TPD_OK;

done:
    if (rc != TPD_OK) {
        s_tls_error(err, step);
        tfp_cert_clear(c);
    }
    OPENSSL_free(der);
    BIO_free(bio); /* a secmem BIO cleanses its buffer when freed */
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

void tfp_cert_clear(struct tfp_cert *c) {
    tpd_buf_clear(&c->cert_pem);
    tpd_buf_clear(&c->cert_der);
    tpd_buf_clear_secure(&c->key_pem);
}

enum tpd_code tfp_mtls_check_pem_cert(struct tpd_span pem, struct tpd_err *err) {
    if (pem.len == 0 || pem.len > INT32_MAX) {
        return tpd_err_set(err, TPD_E_INVALID, "%s is empty", TFP_ENV_CLIENT_CERT);
    }
    BIO *bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
    if (bio == NULL) {
        return s_tls_error(err, "reading " TFP_ENV_CLIENT_CERT);
    }
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (x == NULL) {
        s_tls_error(err, "parsing " TFP_ENV_CLIENT_CERT);
        return tpd_err_prefix(err, "the host certificate is not a PEM X.509 certificate: ");
    }
    X509_free(x);
    return TPD_OK;
}

enum tpd_code tfp_mtls_server_credentials(
    const struct tfp_cert *server,
    struct tpd_span client_ca_pem,
    struct grpc_server_credentials **out,
    struct tpd_err *err) {
    *out = NULL;
    if (server == NULL) {
        *out = grpc_insecure_server_credentials_create();
        return *out ? TPD_OK : tpd_err_set(err, TPD_E_INTERNAL, "insecure credentials");
    }
    enum tpd_code rc = tfp_mtls_check_pem_cert(client_ca_pem, err);
    if (rc != TPD_OK) {
        return rc;
    }
    /* gRPC wants NUL-terminated PEM strings; the span may not be terminated. */
    char *ca = tpd_span_strdup(client_ca_pem);
    if (ca == NULL) {
        return tpd_err_set(err, TPD_E_NOMEM, "copying the host certificate");
    }
    grpc_ssl_pem_key_cert_pair pair = {
        .private_key = tpd_buf_cstr(&server->key_pem),
        .cert_chain = tpd_buf_cstr(&server->cert_pem),
    };
    /* The config copies all strings (grpc ssl_credentials.cc). Only the host's certificate
     * is trusted, and the client must present one that chains to it: go-plugin's server
     * sets ClientAuth = RequireAndVerifyClientCert with ClientCAs = {host cert}. */
    grpc_ssl_server_certificate_config *cfg =
        grpc_ssl_server_certificate_config_create(ca, &pair, 1);
    free(ca);
    if (cfg == NULL) {
        return tpd_err_set(err, TPD_E_TLS, "creating the TLS certificate config");
    }
    grpc_ssl_server_credentials_options *opts =
        grpc_ssl_server_credentials_create_options_using_config(
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, cfg);
    if (opts == NULL) {
        return tpd_err_set(err, TPD_E_TLS, "creating the TLS server options");
    }
    *out = grpc_ssl_server_credentials_create_with_options(opts); /* takes opts */
    if (*out == NULL) {
        return tpd_err_set(err, TPD_E_TLS, "creating the TLS server credentials");
    }
    return TPD_OK;
}
