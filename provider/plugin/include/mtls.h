/*
 * mtls: go-plugin AutoMTLS for the plugin side.
 *
 * When Terraform sets PLUGIN_CLIENT_CERT (its own ephemeral self-signed certificate,
 * PEM), the plugin makes an ephemeral key and self-signed certificate, announces the
 * certificate in the handshake line, serves TLS with it, and requires the client to
 * present exactly the host's certificate (the only trusted root).
 * Without PLUGIN_CLIENT_CERT (Terraform run with TF_DISABLE_PLUGIN_TLS) the plugin
 * serves plaintext and the handshake certificate field is empty.
 * Source: hashicorp/go-plugin mtls.go (generateCert), server.go (Serve: the
 * PLUGIN_CLIENT_CERT branch), client.go (the host verifies ServerName "localhost").
 *
 * Ownership: struct tfp_cert owns its three buffers; tfp_cert_clear wipes the key
 * bytes before freeing them. Credentials returned by tfp_mtls_server_credentials are
 * owned by the caller (grpc_server_credentials_release); gRPC copies the PEM strings,
 * so the cert may be cleared once the server is bound.
 * Threads: no shared state; OpenSSL 3 is thread-safe for these calls.
 */
#ifndef TPD_MTLS_H
#define TPD_MTLS_H

#include "tpd_buf.h"
#include "tpd_err.h"

struct grpc_server_credentials;

/* Environment variable carrying the host certificate (go-plugin EnvPluginClientCert... name). */
#define TFP_ENV_CLIENT_CERT "PLUGIN_CLIENT_CERT"

/* An ephemeral identity: certificate (PEM and DER) and private key (PEM, secret). */
struct tfp_cert {
    struct tpd_buf cert_pem;
    struct tpd_buf cert_der;
    struct tpd_buf key_pem;
};

/*
 * Generate an ECDSA P-256 key and a self-signed certificate: CN=localhost, SAN
 * DNS:localhost, basicConstraints CA:TRUE (critical), keyUsage digitalSignature,
 * keyEncipherment, keyAgreement, keyCertSign (critical), extendedKeyUsage serverAuth,
 * clientAuth, random 128-bit serial, valid from now-30s for 30 years (go-plugin: now-30s
 * to +262980h). The PEM/DER strings are NUL-terminated in their buffers.
 * Returns TPD_OK; on failure TPD_E_TLS with err holding OpenSSL's reason, *c zeroed.
 */
enum tpd_code tfp_cert_generate(struct tfp_cert *c, struct tpd_err *err);

/* Free the buffers, overwriting the private key first. Safe on a zeroed struct. */
void tfp_cert_clear(struct tfp_cert *c);

/*
 * Check that pem holds at least one parseable X.509 certificate (to give a clear error
 * for a broken PLUGIN_CLIENT_CERT instead of a TLS failure later).
 */
enum tpd_code tfp_mtls_check_pem_cert(struct tpd_span pem, struct tpd_err *err);

/*
 * Server credentials. With a server cert: TLS with that identity, client certificate
 * required and verified against client_ca_pem (must be non-empty; the host's cert).
 * server == NULL: insecure (plaintext) credentials.
 * Returns TPD_OK with *out set (caller releases); TPD_E_TLS / TPD_E_INVALID otherwise.
 */
enum tpd_code tfp_mtls_server_credentials(
    const struct tfp_cert *server,
    struct tpd_span client_ca_pem,
    struct grpc_server_credentials **out,
    struct tpd_err *err);

#endif
