/* Tests of provider/mtls: the generated certificate read back with OpenSSL. */
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mtls.h"
#include "plugin_fixture.h"

static X509 *s_parse_der(const struct tfp_cert *c) {
    const unsigned char *p = c->cert_der.ptr;
    X509 *x = d2i_X509(NULL, &p, (long)c->cert_der.len);
    assert_non_null(x);
    return x;
}

static void test_certificate_fields(void **state) {
    (void)state;
    struct tfp_cert c;
    struct tpd_err err = {0};
    assert_int_equal(tfp_cert_generate(&c, &err), TPD_OK);
    assert_non_null(strstr(tpd_buf_cstr(&c.cert_pem), "-----BEGIN CERTIFICATE-----"));
    assert_non_null(strstr(tpd_buf_cstr(&c.key_pem), "PRIVATE KEY-----"));
    X509 *x = s_parse_der(&c);

    /* Subject CN=localhost, self-issued, self-signed. */
    char cn[64] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "localhost");
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
    EVP_PKEY *pub = X509_get0_pubkey(x);
    assert_int_equal(X509_verify(x, pub), 1);

    /* ECDSA P-256. */
    assert_true(EVP_PKEY_is_a(pub, "EC"));
    char group[32] = "";
    size_t glen = 0;
    assert_int_equal(
        EVP_PKEY_get_utf8_string_param(
            pub, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen),
        1);
    assert_string_equal(group, "prime256v1");

    /* SAN DNS:localhost, host check as the Go client does with ServerName localhost. */
    assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
    GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_non_null(sans);
    assert_int_equal(sk_GENERAL_NAME_num(sans), 1);
    GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, 0);
    assert_int_equal(gn->type, GEN_DNS);
    assert_string_equal((const char *)ASN1_STRING_get0_data(gn->d.dNSName), "localhost");
    GENERAL_NAMES_free(sans);

    /* CA:TRUE, key usages and extended key usages as go-plugin's generateCert. */
    assert_int_equal(X509_check_ca(x), 1);
    uint32_t ku = X509_get_key_usage(x);
    assert_true(ku & KU_DIGITAL_SIGNATURE);
    assert_true(ku & KU_KEY_ENCIPHERMENT);
    assert_true(ku & KU_KEY_AGREEMENT);
    assert_true(ku & KU_KEY_CERT_SIGN);
    uint32_t xku = X509_get_extended_key_usage(x);
    assert_true(xku & XKU_SSL_SERVER);
    assert_true(xku & XKU_SSL_CLIENT);
    assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
    assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);

    /* Validity: starts about 30 s in the past, lasts years. */
    time_t now = time(NULL);
    time_t t = now - 25;
    assert_true(X509_cmp_time(X509_get0_notBefore(x), &t) < 0);
    t = now - 40;
    assert_true(X509_cmp_time(X509_get0_notBefore(x), &t) > 0);
    t = now + (time_t)10 * 365 * 24 * 3600;
    assert_true(X509_cmp_time(X509_get0_notAfter(x), &t) > 0);

    /* The PEM key matches the certificate. */
    BIO *bio = BIO_new_mem_buf(c.key_pem.ptr, (int)c.key_pem.len);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(key);
    assert_int_equal(X509_check_private_key(x, key), 1);
    EVP_PKEY_free(key);

    /* Each run makes a new identity (ephemeral). */
    struct tfp_cert c2;
    assert_int_equal(tfp_cert_generate(&c2, &err), TPD_OK);
    assert_false(
        c.cert_der.len == c2.cert_der.len &&
        memcmp(c.cert_der.ptr, c2.cert_der.ptr, c.cert_der.len) == 0);
    tfp_cert_clear(&c2);

    X509_free(x);
    tfp_cert_clear(&c);
    assert_null(c.key_pem.ptr);
    tfp_cert_clear(&c); /* idempotent */
}

static void test_check_pem(void **state) {
    (void)state;
    struct tfp_cert c;
    struct tpd_err err = {0};
    assert_int_equal(tfp_cert_generate(&c, &err), TPD_OK);
    assert_int_equal(tfp_mtls_check_pem_cert(tpd_buf_span(&c.cert_pem), &err), TPD_OK);
    assert_int_equal(tfp_mtls_check_pem_cert(TPD_SPAN_LIT("not a cert"), &err), TPD_E_TLS);
    assert_non_null(strstr(err.msg, "not a PEM X.509 certificate"));
    tpd_err_clear(&err);
    assert_int_equal(tfp_mtls_check_pem_cert((struct tpd_span){NULL, 0}, &err), TPD_E_INVALID);
    tpd_err_clear(&err);
    tfp_cert_clear(&c);
}

static void test_server_credentials(void **state) {
    (void)state;
    struct tfp_cert server, client;
    struct tpd_err err = {0};
    struct grpc_server_credentials *creds = NULL;
    grpc_init();
    assert_int_equal(tfp_cert_generate(&server, &err), TPD_OK);
    assert_int_equal(tfp_cert_generate(&client, &err), TPD_OK);
    assert_int_equal(
        tfp_mtls_server_credentials(&server, tpd_buf_span(&client.cert_pem), &creds, &err), TPD_OK);
    assert_non_null(creds);
    grpc_server_credentials_release(creds);
    /* Insecure (TF_DISABLE_PLUGIN_TLS). */
    assert_int_equal(
        tfp_mtls_server_credentials(NULL, (struct tpd_span){NULL, 0}, &creds, &err), TPD_OK);
    assert_non_null(creds);
    grpc_server_credentials_release(creds);
    /* A broken host certificate is refused before gRPC sees it. */
    assert_int_equal(
        tfp_mtls_server_credentials(&server, TPD_SPAN_LIT("garbage"), &creds, &err), TPD_E_TLS);
    assert_null(creds);
    tpd_err_clear(&err);
    tfp_cert_clear(&server);
    tfp_cert_clear(&client);
    grpc_shutdown_blocking();
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_fields),
        cmocka_unit_test(test_check_pem),
        cmocka_unit_test(test_server_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
