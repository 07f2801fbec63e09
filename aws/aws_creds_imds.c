/*
 * aws_creds_imds: EC2 instance metadata, IMDSv2 only (botocore utils.py
 * InstanceMetadataFetcher): PUT /latest/api/token (TTL header) → token;
 * GET /latest/meta-data/iam/security-credentials/ → role name;
 * GET …/<role> → JSON credentials. 1 s timeouts, one attempt: off EC2 the chain
 * must fail fast. Any failure here means "not on EC2" (TPD_E_NOT_FOUND) unless the
 * service answered with credentials that do not parse.
 */
#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_http.h"
#include "tpd_alloc.h"

struct s_imds {
    struct aws_creds_provider base;
    struct aws_http_transport *t;
};

static enum tpd_code s_call(
    struct aws_http_transport *t,
    const char *method,
    const char *base,
    const char *path,
    const struct aws_http_kv *h,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    struct tpd_buf url;
    tpd_buf_init(&url, TPD_MAX_URL);
    size_t bl = strlen(base);
    enum tpd_code rc = tpd_buf_append(&url, base, bl && base[bl - 1] == '/' ? bl - 1 : bl);
    rc = rc ? rc : tpd_buf_append_cstr(&url, path);
    if (rc) {
        tpd_buf_clear(&url);
        return tpd_err_set(err, rc, "IMDS URL: %s", tpd_code_str(rc));
    }
    struct aws_http_request req = {
        method, tpd_buf_cstr(&url), h, 1, {NULL, 0}, 1000, 1000, 0, NULL, tpd_deadline()};
    aws_http_response_clear(resp);
    aws_http_response_init(resp);
    rc = aws_http_send(t, &req, resp, err);
    if (!rc && resp->status != 200) {
        rc =
            tpd_err_set(err, TPD_E_HTTP, "IMDS %s %s answered HTTP %d", method, path, resp->status);
    }
    tpd_buf_clear(&url);
    return rc;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_imds *m = p->impl;
    const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
    if (dis && (strcmp(dis, "true") == 0 || strcmp(dis, "TRUE") == 0 || strcmp(dis, "True") == 0)) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "disabled by AWS_EC2_METADATA_DISABLED");
    }
    const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base || !*base) {
        const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        base =
            mode && strcmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
    }
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    struct tpd_buf token, role, path;
    tpd_buf_init(&token, TPD_MAX_SECRET);
    tpd_buf_init(&role, TPD_MAX_NAME);
    tpd_buf_init(&path, TPD_MAX_URL);
    struct tpd_err e;
    tpd_err_init(&e);
    enum tpd_code rc;
    struct aws_http_kv ttl = {"x-aws-ec2-metadata-token-ttl-seconds", "21600"};
    rc = s_call(m->t, "PUT", base, "/latest/api/token", &ttl, &resp, &e);
    if (rc) {
        goto unavailable;
    }
    rc = tpd_buf_append_span(&token, tpd_buf_span(&resp.body));
    struct aws_http_kv th = {"x-aws-ec2-metadata-token", tpd_buf_cstr(&token)};
    rc = rc ? rc
            : s_call(
                  m->t, "GET", base, "/latest/meta-data/iam/security-credentials/", &th, &resp, &e);
    if (rc) {
        goto unavailable;
    }
    /* First line is the role name. */
    size_t n = 0;
    while (n < resp.body.len && resp.body.ptr[n] != '\n' && resp.body.ptr[n] != '\r') {
        n++;
    }
    if (n == 0) {
        tpd_err_set(&e, TPD_E_NOT_FOUND, "no IAM role attached to the instance");
        goto unavailable;
    }
    rc = tpd_buf_append(&role, resp.body.ptr, n);
    rc = rc ? rc
            : tpd_buf_printf(
                  &path, "/latest/meta-data/iam/security-credentials/%s", tpd_buf_cstr(&role));
    rc = rc ? rc : s_call(m->t, "GET", base, tpd_buf_cstr(&path), &th, &resp, &e);
    if (rc) {
        goto unavailable;
    }
    rc = aws_creds_from_json(tpd_buf_span(&resp.body), "EC2 instance metadata", out, err);
    goto done;
unavailable:
    rc = tpd_err_set(
        err,
        TPD_E_NOT_FOUND,
        "EC2 instance metadata at %s not available: %s",
        base,
        e.msg ? e.msg : "error");
done:
    tpd_err_clear(&e);
    tpd_buf_clear_secure(&resp.body);
    aws_http_response_clear(&resp);
    tpd_buf_clear_secure(&token);
    tpd_buf_clear(&role);
    tpd_buf_clear(&path);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    free(p->impl);
}

struct aws_creds_provider *aws_creds_imds_new(struct aws_http_transport *t) {
    struct s_imds *m = tpd_calloc(1, sizeof(*m));
    if (!m) {
        return NULL;
    }
    m->t = t;
    m->base = (struct aws_creds_provider){s_get, s_destroy, "EC2 instance metadata (IMDSv2)", m};
    return &m->base;
}
