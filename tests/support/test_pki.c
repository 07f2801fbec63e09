/* test_pki: see test_pki.h. */
#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool s_ext(X509 *x, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    bool ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

/* A certificate for key, named cn, signed by issuer_key (self-signed when issuer is
 * NULL). */
static X509 *
s_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long serial) {
    X509 *x = X509_new();
    bool ok =
        x && X509_set_version(x, 2) == 1 &&
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
        X509_gmtime_adj(X509_getm_notBefore(x), -60) &&
        X509_gmtime_adj(X509_getm_notAfter(x), 86400) && X509_set_pubkey(x, key) == 1 &&
        X509_NAME_add_entry_by_txt(
            X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) ==
            1 &&
        X509_set_issuer_name(
            x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x)) == 1;
    X509 *iss = issuer ? issuer : x;
    if (ok && !issuer) {
        ok = s_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE") &&
             s_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             s_ext(x, iss, NID_subject_key_identifier, "hash");
    } else if (ok) {
        ok = s_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") &&
             s_ext(x, iss, NID_key_usage, "critical,digitalSignature") &&
             s_ext(x, iss, NID_ext_key_usage, "serverAuth") &&
             s_ext(x, iss, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
             s_ext(x, iss, NID_subject_key_identifier, "hash") &&
             s_ext(x, iss, NID_authority_key_identifier, "keyid:always");
    }
    ok = ok && X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static char *s_bio_text(BIO *b) {
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *out = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (out) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    return out;
}

static char *s_cert_pem(X509 *x) {
    BIO *b = BIO_new(BIO_s_mem());
    char *s = b && PEM_write_bio_X509(b, x) == 1 ? s_bio_text(b) : NULL;
    BIO_free(b);
    return s;
}

static char *s_key_pem(EVP_PKEY *k) {
    BIO *b = BIO_new(BIO_s_mem());
    char *s =
        b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1 ? s_bio_text(b) : NULL;
    BIO_free(b);
    return s;
}

int tt_pki_make(struct tt_pki *p) {
    memset(p, 0, sizeof(*p));
    EVP_PKEY *ca_key = EVP_EC_gen("P-256");
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *ca = ca_key ? s_cert(ca_key, "tpd test CA", NULL, NULL, 1) : NULL;
    X509 *leaf = ca && key ? s_cert(key, "127.0.0.1", ca, ca_key, 2) : NULL;
    if (leaf) {
        p->ca_pem = s_cert_pem(ca);
        p->cert_pem = s_cert_pem(leaf);
        p->key_pem = s_key_pem(key);
    }
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    if (!p->ca_pem || !p->cert_pem || !p->key_pem) {
        tt_pki_clear(p);
        return -1;
    }
    return 0;
}

void tt_pki_clear(struct tt_pki *p) {
    free(p->ca_pem);
    free(p->cert_pem);
    free(p->key_pem);
    memset(p, 0, sizeof(*p));
}
