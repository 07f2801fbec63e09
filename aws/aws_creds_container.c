/*
 * aws_creds_container: ECS/EKS container credentials (botocore ContainerProvider).
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is appended to http://169.254.170.2;
 * AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or point at a loopback or the
 * container hosts (169.254.170.2, 169.254.170.23, fd00:ec2::23, localhost).
 * Authorization comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (preferred) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. 2 s timeouts, 3 attempts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_creds.h"
#include "aws_http.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

struct s_container {
    struct aws_creds_provider base;
    struct aws_http_transport *t;
};

static bool s_allowed_host(const char *host_port) {
    static const char *const hosts[] = {
        "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost", "[::1]"};
    size_t hl = strcspn(host_port, host_port[0] == '[' ? "]" : ":");
    if (host_port[0] == '[' && host_port[hl] == ']') {
        hl++;
    }
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (strlen(hosts[i]) == hl && strncasecmp(host_port, hosts[i], hl) == 0) {
            return true;
        }
    }
    return hl >= 4 && strncmp(host_port, "127.", 4) == 0;
}

static enum tpd_code s_read_token(struct tpd_buf *tok, struct tpd_err *err) {
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (file && *file) {
        FILE *f = fopen(file, "rb");
        if (!f) {
            return tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s",
                file);
        }
        enum tpd_code rc = tpd_buf_read_stream(tok, f);
        fclose(f);
        while (tok->len && (tok->ptr[tok->len - 1] == '\n' || tok->ptr[tok->len - 1] == '\r')) {
            tok->ptr[--tok->len] = '\0';
        }
        return rc ? tpd_err_set(
                        err,
                        rc,
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
                        file,
                        rc == TPD_E_TOO_LARGE ? "token too large" : tpd_code_str(rc))
                  : TPD_OK;
    }
    const char *v = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    return v ? tpd_buf_append_cstr(tok, v) : TPD_OK;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_container *c = p->impl;
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    struct tpd_buf url, host, path, tok;
    tpd_buf_init(&url, TPD_MAX_URL);
    tpd_buf_init(&host, TPD_MAX_URL);
    tpd_buf_init(&path, TPD_MAX_URL);
    tpd_buf_init(&tok, TPD_MAX_TOKEN);
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    enum tpd_code rc = TPD_OK;
    if (rel && *rel) {
        rc = tpd_buf_printf(&url, "http://169.254.170.2%s", rel);
    } else if (full && *full) {
        rc = tpd_buf_append_cstr(&url, full);
        if (!rc) {
            rc = aws_http_url_host_path(full, &host, &path, err);
            if (rc) {
                tpd_err_prefix(err, "AWS_CONTAINER_CREDENTIALS_FULL_URI: ");
                rc = err ? (err->code = TPD_E_CREDENTIALS) : TPD_E_CREDENTIALS;
                goto done;
            }
            if (strncasecmp(full, "https://", 8) != 0 && !s_allowed_host(tpd_buf_cstr(&host))) {
                rc = tpd_err_set(
                    err,
                    TPD_E_CREDENTIALS,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback/container "
                    "host, "
                    "not %s",
                    tpd_buf_cstr(&host));
                goto done;
            }
        }
    } else {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not "
            "set");
        goto done;
    }
    if (rc || (rc = s_read_token(&tok, err)) != TPD_OK) {
        if (rc == TPD_E_NOMEM || rc == TPD_E_TOO_LARGE) {
            tpd_err_set(err, rc, "container credentials: %s", tpd_code_str(rc));
        }
        goto done;
    }
    struct aws_http_kv hdr[2] = {
        {"Accept", "application/json"}, {"Authorization", tpd_buf_cstr(&tok)}};
    struct aws_http_request req = {
        "GET",
        tpd_buf_cstr(&url),
        hdr,
        tok.len ? 2 : 1,
        {NULL, 0},
        2000,
        2000,
        0,
        NULL,
        tpd_deadline()};
    for (int attempt = 1; attempt <= 3; attempt++) {
        aws_http_response_clear(&resp);
        aws_http_response_init(&resp);
        rc = aws_http_send(c->t, &req, &resp, err);
        if (rc == TPD_OK && resp.status == 200) {
            break;
        }
        if (rc == TPD_OK) {
            rc = tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "container credentials endpoint answered HTTP %d",
                resp.status);
            if (resp.status < 500) {
                break;
            }
        }
    }
    if (rc) {
        tpd_err_prefix(err, "container credentials: ");
        if (err) {
            err->code = TPD_E_CREDENTIALS;
        }
        rc = TPD_E_CREDENTIALS;
        goto done;
    }
    rc = aws_creds_from_json(tpd_buf_span(&resp.body), "container credentials", out, err);
done:
    aws_http_response_clear(&resp);
    tpd_buf_clear_secure(&resp.body);
    tpd_buf_clear(&url);
    tpd_buf_clear(&host);
    tpd_buf_clear(&path);
    tpd_buf_clear_secure(&tok);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    free(p->impl);
}

struct aws_creds_provider *aws_creds_container_new(struct aws_http_transport *t) {
    struct s_container *c = tpd_calloc(1, sizeof(*c));
    if (!c) {
        return NULL;
    }
    c->t = t;
    c->base = (struct aws_creds_provider){s_get, s_destroy, "container endpoint", c};
    return &c->base;
}
