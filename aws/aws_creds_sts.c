/*
 * aws_creds_sts: STS AssumeRole (Query API, Version 2011-06-15) on top of a source
 * provider. The response's AssumeRoleResult/Credentials carries AccessKeyId,
 * SecretAccessKey, SessionToken and Expiration; the cache above refreshes them
 * before they expire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_query.h"
#include "aws_time.h"
#include "aws_xml.h"
#include "tpd_alloc.h"

struct s_sts {
    struct aws_creds_provider base;
    struct aws_client *client;
    struct aws_creds_provider *source;
    char *role_arn;
    char *session_name;
    char *external_id;
    int duration_s;
};

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_sts *s = p->impl;
    struct aws_query q;
    aws_query_init(&q, "AssumeRole", "2011-06-15");
    aws_query_add(&q, "RoleArn", s->role_arn);
    aws_query_add(&q, "RoleSessionName", s->session_name);
    aws_query_add(&q, "ExternalId", s->external_id);
    char dur[32];
    if (s->duration_s > 0) {
        snprintf(dur, sizeof(dur), "%d", s->duration_s);
        aws_query_add(&q, "DurationSeconds", dur);
    }
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    struct aws_xml_node *root = NULL;
    enum tpd_code rc = q.rc;
    if (rc) {
        tpd_err_set(err, rc, "AssumeRole: %s", tpd_code_str(rc));
        goto done;
    }
    rc = aws_client_call_with(
        s->client, AWS_SVC_STS, "AssumeRole", tpd_buf_span(&q.body), s->source, &resp, err);
    if (rc) {
        tpd_err_prefix(err, "assume role %s: ", s->role_arn);
        if (err && rc != TPD_E_STOPPED) {
            err->code = TPD_E_CREDENTIALS;
        }
        rc = rc == TPD_E_STOPPED ? rc : TPD_E_CREDENTIALS;
        goto done;
    }
    rc = aws_xml_parse(tpd_buf_span(&resp.body), &root, err);
    if (rc) {
        tpd_err_prefix(err, "AssumeRole response: ");
        goto done;
    }
    const struct aws_xml_node *cr = aws_xml_path(root, "AssumeRoleResult/Credentials");
    const char *ak = aws_xml_text(cr, "AccessKeyId");
    const char *sk = aws_xml_text(cr, "SecretAccessKey");
    const char *tok = aws_xml_text(cr, "SessionToken");
    const char *exp = aws_xml_text(cr, "Expiration");
    int64_t exp_s = 0;
    if (!ak || !*ak || !sk || !*sk || !tok || (exp && aws_parse_iso8601(exp, &exp_s) != TPD_OK)) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "AssumeRole %s: the response lacks usable Credentials",
            s->role_arn);
        goto done;
    }
    rc = aws_creds_set(out, ak, sk, tok, exp_s);
    out->source = "STS AssumeRole";
    if (rc) {
        tpd_err_set(err, rc, "AssumeRole: %s", tpd_code_str(rc));
    }
done:
    if (root) {
        /* wipe secrets held by the tree */
        const struct aws_xml_node *cr2 = aws_xml_path(root, "AssumeRoleResult/Credentials");
        for (const struct aws_xml_node *k = cr2 ? cr2->first_child : NULL; k; k = k->next) {
            if (k->text.ptr) {
                memset(k->text.ptr, 0, k->text.len);
            }
        }
    }
    aws_xml_free(root);
    tpd_buf_clear_secure(&resp.body);
    aws_http_response_clear(&resp);
    aws_query_clear(&q);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_sts *s = p->impl;
    aws_creds_provider_free(s->source);
    free(s->role_arn);
    free(s->session_name);
    free(s->external_id);
    free(s);
}

struct aws_creds_provider *aws_creds_sts_new(
    struct aws_client *c,
    struct aws_creds_provider *source,
    const struct aws_assume_role_options *o) {
    struct s_sts *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        aws_creds_provider_free(source);
        return NULL;
    }
    s->client = c;
    s->source = source;
    s->role_arn = tpd_strdup(o->role_arn);
    s->session_name = tpd_strdup(
        o->session_name && *o->session_name ? o->session_name : "terraform-provider-dynamodb");
    s->external_id = o->external_id && *o->external_id ? tpd_strdup(o->external_id) : NULL;
    s->duration_s = o->duration_s;
    s->base = (struct aws_creds_provider){s_get, s_destroy, "STS AssumeRole", s};
    if (!s->role_arn || !s->session_name) {
        s_destroy(&s->base);
        return NULL;
    }
    return &s->base;
}
