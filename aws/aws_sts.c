/*
 * aws_sts: AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity over an
 * aws_sts_caller (Query API, Version 2011-06-15; shapes from botocore's
 * data/sts/2011-06-15/service-2.json). See aws_sts.h.
 */
#include "aws_sts.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_query.h"
#include "aws_time.h"
#include "aws_xml.h"
#include "tpd_alloc.h"

#define S_VERSION "2011-06-15"

/* Wipe every text under n (credentials, tokens) before the tree is freed. */
static void s_wipe(const struct aws_xml_node *n) {
    for (; n; n = n->next) {
        if (n->text.ptr) {
            OPENSSL_cleanse(n->text.ptr, n->text.len);
        }
        s_wipe(n->first_child);
    }
}

enum tpd_code aws_sts_parse_credentials(
    struct tpd_span xml,
    const char *result,
    const char *what,
    struct aws_creds *out,
    struct tpd_err *err) {
    struct aws_xml_node *root = NULL;
    enum tpd_code rc = aws_xml_parse(xml, &root, err);
    if (rc) {
        tpd_err_prefix(err, "%s response: ", what);
        return rc;
    }
    const struct aws_xml_node *res = aws_xml_child(root, result);
    const struct aws_xml_node *cr = aws_xml_child(res, "Credentials");
    const char *ak = aws_xml_text(cr, "AccessKeyId");
    const char *sk = aws_xml_text(cr, "SecretAccessKey");
    const char *tok = aws_xml_text(cr, "SessionToken");
    const char *exp = aws_xml_text(cr, "Expiration");
    int64_t exp_s = 0;
    if (!ak || !*ak || !sk || !*sk || !tok || !*tok) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "%s: the response lacks %s/Credentials with AccessKeyId, SecretAccessKey and "
            "SessionToken",
            what,
            result);
    } else if (!exp || aws_parse_iso8601(exp, &exp_s) != TPD_OK || exp_s <= 0) {
        rc = tpd_err_set(
            err, TPD_E_CREDENTIALS, "%s: the response's Expiration is missing or malformed", what);
    } else {
        rc = aws_creds_set(out, ak, sk, tok, exp_s);
        if (rc) {
            tpd_err_set(err, rc, "%s: %s", what, tpd_code_str(rc));
        }
    }
    s_wipe(root);
    aws_xml_free(root);
    return rc;
}

/* Send and parse; the request body may hold a token: it is wiped by the caller. */
static enum tpd_code s_fetch(
    const struct aws_sts_caller *sts,
    const char *op,
    const char *result,
    const char *role_arn,
    struct aws_query *q,
    const struct aws_creds *signer,
    struct aws_creds *out,
    struct tpd_err *err) {
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    enum tpd_code rc = q->rc;
    if (rc) {
        rc = tpd_err_set(err, rc, "%s %s: %s", op, role_arn, tpd_code_str(rc));
        goto done;
    }
    rc = sts->call(sts->ctx, op, tpd_buf_span(&q->body), signer, &resp, err);
    if (rc) {
        tpd_err_prefix(err, "%s %s: ", op, role_arn);
        if (rc != TPD_E_STOPPED && rc != TPD_E_NOMEM) {
            rc = TPD_E_CREDENTIALS;
            if (err) {
                err->code = rc;
            }
        }
        goto done;
    }
    rc = aws_sts_parse_credentials(tpd_buf_span(&resp.body), result, op, out, err);
    if (rc) {
        tpd_err_prefix(err, "role %s: ", role_arn);
        if (err && rc != TPD_E_NOMEM) {
            err->code = TPD_E_CREDENTIALS;
        }
        rc = rc == TPD_E_NOMEM ? rc : TPD_E_CREDENTIALS;
    }
done:
    tpd_buf_clear_secure(&resp.body);
    aws_http_response_clear(&resp);
    return rc;
}

enum tpd_code aws_sts_assume_role(
    const struct aws_sts_caller *sts,
    const struct aws_creds *source,
    const struct aws_assume_role_options *o,
    struct aws_creds *out,
    struct tpd_err *err) {
    struct aws_query q;
    aws_query_init(&q, "AssumeRole", S_VERSION);
    aws_query_add(&q, "RoleArn", o->role_arn);
    aws_query_add(
        &q,
        "RoleSessionName",
        o->session_name && *o->session_name ? o->session_name : AWS_STS_DEFAULT_SESSION_NAME);
    if (o->external_id && *o->external_id) {
        aws_query_add(&q, "ExternalId", o->external_id);
    }
    if (o->duration_s > 0) {
        char dur[TPD_MAX_LABEL];
        snprintf(dur, sizeof(dur), "%d", o->duration_s);
        aws_query_add(&q, "DurationSeconds", dur);
    }
    if (o->policy && *o->policy) {
        aws_query_add(&q, "Policy", o->policy);
    }
    enum tpd_code rc =
        s_fetch(sts, "AssumeRole", "AssumeRoleResult", o->role_arn, &q, source, out, err);
    if (rc == TPD_OK) {
        out->source = "STS AssumeRole";
    }
    aws_query_clear(&q);
    return rc;
}

enum tpd_code aws_sts_assume_role_with_web_identity(
    const struct aws_sts_caller *sts,
    const char *role_arn,
    const char *session_name,
    struct tpd_span token,
    struct aws_creds *out,
    struct tpd_err *err) {
    char *tok = tpd_span_strdup(token);
    if (!tok) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    struct aws_query q;
    aws_query_init(&q, "AssumeRoleWithWebIdentity", S_VERSION);
    aws_query_add(&q, "RoleArn", role_arn);
    aws_query_add(
        &q,
        "RoleSessionName",
        session_name && *session_name ? session_name : AWS_STS_DEFAULT_SESSION_NAME);
    aws_query_add(&q, "WebIdentityToken", tok);
    OPENSSL_cleanse(tok, token.len);
    free(tok);
    enum tpd_code rc = s_fetch(
        sts,
        "AssumeRoleWithWebIdentity",
        "AssumeRoleWithWebIdentityResult",
        role_arn,
        &q,
        NULL,
        out,
        err);
    if (rc == TPD_OK) {
        out->source = "STS AssumeRoleWithWebIdentity";
    }
    tpd_buf_clear_secure(&q.body);
    aws_query_clear(&q);
    return rc;
}

enum tpd_code aws_sts_parse_caller_identity(
    struct tpd_span xml, char **account, char **arn, struct tpd_err *err) {
    *account = NULL;
    *arn = NULL;
    struct aws_xml_node *root = NULL;
    enum tpd_code rc = aws_xml_parse(xml, &root, err);
    if (rc) {
        tpd_err_prefix(err, "GetCallerIdentity response: ");
        return rc;
    }
    const struct aws_xml_node *r = aws_xml_child(root, "GetCallerIdentityResult");
    const char *acct = aws_xml_text(r, "Account");
    bool ok = acct && strlen(acct) == 12;
    for (const char *p = acct; ok && *p; p++) {
        ok = isdigit((unsigned char)*p);
    }
    if (!ok) {
        rc = tpd_err_set(
            err, TPD_E_PARSE, "GetCallerIdentity response: no 12-digit Account in the answer");
    } else {
        *account = tpd_strdup(acct);
        *arn = aws_xml_dup(r, "Arn"); /* optional: only used in messages */
        if (!*account) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
    aws_xml_free(root);
    if (rc) {
        free(*account);
        free(*arn);
        *account = *arn = NULL;
    }
    return rc;
}

enum tpd_code aws_sts_get_caller_identity(
    const struct aws_sts_caller *sts,
    const struct aws_creds *creds,
    char **account,
    char **arn,
    struct tpd_err *err) {
    *account = *arn = NULL;
    struct aws_query q;
    aws_query_init(&q, "GetCallerIdentity", S_VERSION);
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    enum tpd_code rc = q.rc;
    if (rc) {
        rc = tpd_err_set(err, rc, "GetCallerIdentity: %s", tpd_code_str(rc));
    } else {
        rc = sts->call(sts->ctx, "GetCallerIdentity", tpd_buf_span(&q.body), creds, &resp, err);
    }
    if (!rc) {
        rc = aws_sts_parse_caller_identity(tpd_buf_span(&resp.body), account, arn, err);
    }
    aws_http_response_clear(&resp);
    aws_query_clear(&q);
    return rc;
}
