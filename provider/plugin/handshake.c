/*
 * handshake: magic cookie, protocol negotiation, the handshake line, the socket dir.
 *
 * Follows hashicorp/go-plugin server.go: the plugin refuses to run without the magic
 * cookie (a human started it), negotiates the highest common application protocol,
 * listens on a fresh unix socket and announces it on stdout. The base64 of the
 * certificate is unpadded because the host decodes it with base64.RawStdEncoding.
 */
#include "handshake.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tpd_alloc.h"
#include "tpd_text.h"

#define S_SOCKET_NAME "plugin.sock"

bool tfp_handshake_cookie_ok(const char *value) {
    return value != NULL && strcmp(value, TFP_MAGIC_COOKIE_VALUE) == 0;
}

const char *tfp_handshake_not_a_plugin_message(void) {
    /* Same meaning as go-plugin's message for a missing cookie. */
    return "This binary is a plugin. These are not meant to be executed directly.\n"
           "Please execute the program that consumes these plugins, which will\n"
           "load any plugins automatically (terraform-provider-dynamodb is a\n"
           "Terraform provider: run `terraform init` with it installed).\n";
}

/* Parse one decimal item [begin, end) with optional surrounding blanks. */
static bool s_parse_version(const char *begin, const char *end, int *out) {
    while (begin < end && (*begin == ' ' || *begin == '\t')) {
        begin++;
    }
    while (end > begin && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    if (begin == end || end - begin > 9) {
        return false;
    }
    int v = 0;
    for (const char *c = begin; c < end; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        v = v * 10 + (*c - '0');
    }
    *out = v;
    return true;
}

enum tpd_code tfp_handshake_negotiate(
    const char *host_versions, const int *ours, size_t n_ours, int *out, struct tpd_err *err) {
    *out = 0;
    if (n_ours == 0) {
        return tpd_err_set(err, TPD_E_INVALID, "no plugin protocol versions configured");
    }
    if (host_versions == NULL || host_versions[0] == '\0') {
        *out = ours[0];
        return TPD_OK;
    }
    int best = 0;
    const char *p = host_versions;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        int v = 0;
        if (!s_parse_version(p, end, &v)) {
            return tpd_err_set(
                err,
                TPD_E_INVALID,
                "PLUGIN_PROTOCOL_VERSIONS=\"%s\" is not a comma-separated list of integers",
                host_versions);
        }
        for (size_t i = 0; i < n_ours; i++) {
            if (ours[i] == v && v > best) {
                best = v;
            }
        }
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    if (best == 0) {
        struct tpd_text mine;
        tpd_text_init(&mine, 256);
        for (size_t i = 0; i < n_ours; i++) {
            tpd_text_printf(&mine, "%s%d", i ? "," : "", ours[i]);
        }
        const char *list = tpd_text_cstr_or(&mine, "(out of memory listing them)");
        tpd_err_set(
            err,
            TPD_E_INVALID,
            "incompatible plugin protocol: Terraform speaks versions %s, this provider speaks %s; "
            "use a Terraform release that supports protocol %s",
            host_versions,
            list,
            list);
        tpd_text_clear(&mine);
        return TPD_E_INVALID;
    }
    *out = best;
    return TPD_OK;
}

enum tpd_code tfp_base64_raw_std(struct tpd_span data, struct tpd_buf *out) {
    if (data.len == 0) {
        return TPD_OK;
    }
    size_t groups = data.len / 3 + (data.len % 3 != 0);
    size_t enc_len = 0;
    if (!tpd_size_mul(groups, 4, &enc_len) || data.len > INT_MAX) {
        return TPD_E_TOO_LARGE;
    }
    uint8_t *tmp = tpd_malloc(enc_len + 1);
    if (tmp == NULL) {
        return TPD_E_NOMEM;
    }
    /* EVP_EncodeBlock writes standard-alphabet base64 with padding and a NUL. */
    int n = EVP_EncodeBlock(tmp, data.ptr, (int)data.len);
    size_t len = n > 0 ? (size_t)n : 0;
    while (len > 0 && tmp[len - 1] == '=') {
        len--;
    }
    enum tpd_code rc = tpd_buf_append(out, tmp, len);
    free(tmp);
    return rc;
}

enum tpd_code tfp_handshake_format(
    int app_version,
    const char *socket_path,
    struct tpd_span cert_der,
    struct tpd_buf *out,
    struct tpd_err *err) {
    if (socket_path == NULL || socket_path[0] == '\0' || strpbrk(socket_path, "|\r\n")) {
        return tpd_err_set(err, TPD_E_INVALID, "socket path unusable in a handshake line");
    }
    size_t start = out->len;
    enum tpd_code rc = tpd_buf_printf(
        out, "%d|%d|unix|%s|grpc|", TFP_CORE_PROTOCOL_VERSION, app_version, socket_path);
    if (rc == TPD_OK) {
        rc = tfp_base64_raw_std(cert_der, out);
    }
    if (rc == TPD_OK) {
        rc = tpd_buf_append_byte(out, '\n');
    }
    if (rc != TPD_OK) {
        out->len = start;
        if (out->ptr) {
            out->ptr[start] = '\0';
        }
        return tpd_err_set(err, rc, "formatting the handshake line: %s", tpd_code_str(rc));
    }
    return TPD_OK;
}

enum tpd_code tfp_handshake_write(FILE *f, struct tpd_span line, struct tpd_err *err) {
    if (fwrite(line.ptr, 1, line.len, f) != line.len || fflush(f) != 0) {
        return tpd_err_set(err, TPD_E_IO, "writing the handshake line: %s", strerror(errno));
    }
    return TPD_OK;
}

enum tpd_code
tfp_socket_dir_create(const char *parent, struct tfp_socket_dir *d, struct tpd_err *err) {
    d->dir = NULL;
    d->path = NULL;
    if (parent == NULL || parent[0] == '\0') {
        parent = getenv("PLUGIN_UNIX_SOCKET_DIR");
    }
    if (parent == NULL || parent[0] == '\0') {
        parent = getenv("TMPDIR");
    }
    if (parent == NULL || parent[0] == '\0') {
        parent = "/tmp";
    }
    struct tpd_buf dir, path;
    tpd_buf_init(&dir, PATH_MAX);
    tpd_buf_init(&path, PATH_MAX);
    enum tpd_code rc = tpd_buf_printf(&dir, "%s/tpd-plugin.XXXXXX", parent);
    if (rc != TPD_OK) {
        tpd_err_set(err, rc, "socket directory name under %s: %s", parent, tpd_code_str(rc));
        goto done;
    }
    /* The socket path must fit sockaddr_un.sun_path including its NUL. */
    struct sockaddr_un sa;
    if (dir.len + 1 + strlen(S_SOCKET_NAME) + 1 > sizeof(sa.sun_path)) {
        rc = tpd_err_set(
            err,
            TPD_E_TOO_LARGE,
            "unix socket directory %s is too long for a socket path (max %zu bytes); set "
            "PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter directory",
            parent,
            sizeof(sa.sun_path) - 1);
        goto done;
    }
    /* mkdtemp creates the directory with mode 0700. */
    if (mkdtemp((char *)dir.ptr) == NULL) {
        rc = tpd_err_set(
            err, TPD_E_IO, "creating a socket directory in %s: %s", parent, strerror(errno));
        goto done;
    }
    rc = tpd_buf_printf(&path, "%s/%s", tpd_buf_cstr(&dir), S_SOCKET_NAME);
    if (rc != TPD_OK) {
        (void)rmdir(tpd_buf_cstr(&dir));
        tpd_err_set(err, rc, "socket path: %s", tpd_code_str(rc));
        goto done;
    }
    d->dir = tpd_buf_detach(&dir);
    d->path = tpd_buf_detach(&path);
    if (d->dir == NULL || d->path == NULL) {
        tfp_socket_dir_remove(d);
        rc = tpd_err_set(err, TPD_E_NOMEM, "socket path: out of memory");
    }
done:
    tpd_buf_clear(&dir);
    tpd_buf_clear(&path);
    return rc;
}

void tfp_socket_dir_remove(struct tfp_socket_dir *d) {
    if (d->path) {
        (void)unlink(d->path);
    }
    if (d->dir) {
        (void)rmdir(d->dir);
    }
    free(d->path);
    free(d->dir);
    d->path = NULL;
    d->dir = NULL;
}
