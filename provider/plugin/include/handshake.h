/*
 * handshake: the go-plugin start-up contract between Terraform and this process.
 *
 * Terraform starts the provider with TF_PLUGIN_MAGIC_COOKIE (a constant that says
 * "you were started by Terraform"), PLUGIN_PROTOCOL_VERSIONS (the application protocol
 * versions it speaks, "5,6"), and optionally PLUGIN_UNIX_SOCKET_DIR. The plugin listens
 * on a unix socket and prints exactly one line on stdout:
 *
 *     CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT       e.g. 1|6|unix|/tmp/x/plugin.sock|grpc|MIIB...
 *
 * CERT is the DER of the server certificate in base64 with the standard alphabet and no
 * padding (Go's base64.RawStdEncoding), empty without TLS.
 * Source: hashicorp/go-plugin server.go (Serve, protocolVersion, serverListener_unix)
 * and client.go (Start, which parses the line).
 *
 * The functions here are pure (formatting, negotiation) or touch only the filesystem
 * (socket directory), so they are unit-tested without a server.
 * Threads: all functions are safe to call from any thread (no shared state).
 */
#ifndef TPD_HANDSHAKE_H
#define TPD_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tpd_buf.h"
#include "tpd_err.h"

/* Terraform's handshake config (internal/plugin: Handshake in Terraform's plugin package). */
#define TFP_MAGIC_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define TFP_MAGIC_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
/* go-plugin's own protocol version: field 1 of the line. */
#define TFP_CORE_PROTOCOL_VERSION 1

/*
 * True when value (the TF_PLUGIN_MAGIC_COOKIE environment value, may be NULL) is the
 * magic cookie.
 */
bool tfp_handshake_cookie_ok(const char *value);

/* The message printed to stderr when the cookie is missing (static string). */
const char *tfp_handshake_not_a_plugin_message(void);

/*
 * Choose the application protocol version: the highest version present both in
 * host_versions (PLUGIN_PROTOCOL_VERSIONS: comma-separated decimal integers, spaces
 * around items allowed) and in ours[0..n_ours).
 * A NULL or empty host_versions means the host did not say; go-plugin then uses the
 * plugin's default (the first of ours[] here).
 * Returns TPD_OK with *out set; TPD_E_INVALID when an item is not a number or no
 * version is common (err says which versions each side speaks). *out is 0 on failure.
 */
enum tpd_code tfp_handshake_negotiate(
    const char *host_versions, const int *ours, size_t n_ours, int *out, struct tpd_err *err);

/*
 * Append base64 with the standard alphabet and no '=' padding (RawStdEncoding).
 * Returns TPD_OK, or TPD_E_NOMEM / TPD_E_TOO_LARGE with out unchanged.
 */
enum tpd_code tfp_base64_raw_std(struct tpd_span data, struct tpd_buf *out);

/*
 * Append the handshake line (with its trailing '\n') for a unix socket at socket_path
 * and the server certificate DER (empty span: no TLS, empty last field).
 * Returns TPD_OK, TPD_E_INVALID if socket_path contains '|' or a newline (the host
 * splits on '|'), or TPD_E_NOMEM.
 */
enum tpd_code tfp_handshake_format(
    int app_version,
    const char *socket_path,
    struct tpd_span cert_der,
    struct tpd_buf *out,
    struct tpd_err *err);

/* Write line to f and flush. Returns TPD_OK or TPD_E_IO. */
enum tpd_code tfp_handshake_write(FILE *f, struct tpd_span line, struct tpd_err *err);

/*
 * A private directory (mode 0700, from mkdtemp) holding the listening socket, so that
 * no other local user can connect to or replace it.
 * Both strings are owned by the struct; a zeroed struct is empty.
 */
struct tfp_socket_dir {
    char *dir;  /* e.g. /tmp/tpd-plugin.Ab12Cd */
    char *path; /* dir + "/plugin.sock" */
};

/*
 * Create the directory under parent; a NULL parent means PLUGIN_UNIX_SOCKET_DIR, else
 * TMPDIR, else /tmp (go-plugin's order). Fails with TPD_E_TOO_LARGE when the socket
 * path would not fit a sockaddr_un, TPD_E_IO when mkdtemp fails (err has errno text).
 * On failure *d is left zeroed.
 */
enum tpd_code
tfp_socket_dir_create(const char *parent, struct tfp_socket_dir *d, struct tpd_err *err);

/* Unlink the socket (if any), remove the directory, free the strings. Safe on zeroed. */
void tfp_socket_dir_remove(struct tfp_socket_dir *d);

#endif
