/* aws_errors: AWS error bodies (JSON 1.0 and Query XML) into struct tpd_err. */
#include "aws_errors.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aws_quota.h"
#include "aws_retry.h"
#include "aws_xml.h"
#include "tpd_alloc.h"

static enum tpd_code s_code_for(const char *aws_code) {
    if (!aws_code) {
        return TPD_E_AWS;
    }
    if (aws_retry_is_throttle_code(aws_code)) {
        return TPD_E_THROTTLED;
    }
    if (strcmp(aws_code, "ResourceNotFoundException") == 0 ||
        strcmp(aws_code, "TableNotFoundException") == 0 ||
        strcmp(aws_code, "ChangeSetNotFound") == 0 ||
        strcmp(aws_code, "ChangeSetNotFoundException") == 0) {
        return TPD_E_NOT_FOUND;
    }
    return TPD_E_AWS;
}

static const char *s_status_name(int s) {
    switch (s) {
        case 400:
            return "BadRequest";
        case 403:
            return "Forbidden";
        case 404:
            return "NotFound";
        case 413:
            return "RequestEntityTooLarge";
        case 500:
            return "InternalServerError";
        case 502:
            return "BadGateway";
        case 503:
            return "ServiceUnavailable";
        case 504:
            return "GatewayTimeout";
        default:
            return NULL;
    }
}

static enum tpd_code s_finish(
    const char *op,
    int http_status,
    const char *code,
    const char *msg,
    const char *request_id,
    struct tpd_err *err) {
    enum tpd_code rc = s_code_for(code);
    if (!code) {
        code = s_status_name(http_status);
    }
    tpd_err_set(
        err,
        rc,
        "%s: %s%s%s (HTTP %d)",
        op,
        code ? code : "error",
        msg && *msg ? ": " : "",
        msg ? msg : "",
        http_status);
    if (tpd_err_set_aws(err, http_status, code, request_id) != TPD_OK || (err && !err->msg)) {
        /* The code drives what happens next (not found, retry): never half of it. */
        return tpd_err_set(err, TPD_E_NOMEM, "%s: out of memory reading the error", op);
    }
    if (err) {
        err->retryable = rc == TPD_E_THROTTLED || http_status >= 500;
    }
    return rc;
}

/* Printable prefix of a body for "not JSON/XML" messages: at most S_SNIPPET bytes. */
#define S_SNIPPET 80
static void s_snippet(struct tpd_span body, char *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < body.len && n + 1 < cap && n < S_SNIPPET; i++) {
        uint8_t c = body.ptr[i];
        out[n++] = (char)((c >= 32 && c < 127) ? c : '.');
    }
    out[n] = '\0';
}

enum tpd_code aws_error_from_json(
    const char *op,
    int http_status,
    struct tpd_span body,
    const char *request_id,
    struct tpd_err *err) {
    json_error_t je;
    json_t *root = body.len ? json_loadb((const char *)body.ptr, body.len, 0, &je) : NULL;
    if (!root && body.len && body.ptr[0] == '<') {
        /* Gateways and emulators (moto's auth layer) may answer a JSON API in XML. */
        return aws_error_from_query_xml(op, http_status, body, request_id, err);
    }
    if (!root || !json_is_object(root)) {
        char snip[S_SNIPPET + 1];
        s_snippet(body, snip, sizeof(snip));
        json_decref(root);
        enum tpd_code rc = s_finish(
            op,
            http_status,
            NULL,
            body.len ? "unparseable error body" : "empty error body",
            request_id,
            err);
        if (body.len) {
            tpd_err_prefix(err, "(body: \"%s\") ", snip);
        }
        return rc;
    }
    const char *type = json_string_value(json_object_get(root, "__type"));
    const char *msg = json_string_value(json_object_get(root, "message"));
    if (!msg) {
        msg = json_string_value(json_object_get(root, "Message"));
    }
    char *code = NULL;
    if (type) {
        const char *h = strrchr(type, '#');
        const char *start = h ? h + 1 : type;
        size_t len = strcspn(start, ":");
        code = tpd_strndup(start, len);
        if (!code) {
            json_decref(root);
            return tpd_err_set(err, TPD_E_NOMEM, "%s: out of memory reading the error", op);
        }
    }
    enum tpd_code rc = s_finish(op, http_status, code && *code ? code : NULL, msg, request_id, err);
    if (rc == TPD_E_THROTTLED && code && strcmp(code, "LimitExceededException") == 0) {
        /* DynamoDB's quotas share the code with its concurrency limit: a quota is not
         * throttling, and nothing should wait it out (aws_quota.h). */
        struct aws_quota q;
        aws_quota_classify("dynamodb", code, msg, &q);
        if (q.kind == AWS_QUOTA_EXCEEDED) {
            rc = TPD_E_AWS;
            if (err) {
                err->code = rc;
                err->retryable = false;
            }
        }
    }
    free(code);
    json_decref(root);
    return rc;
}

enum tpd_code aws_error_from_query_xml(
    const char *op,
    int http_status,
    struct tpd_span body,
    const char *request_id,
    struct tpd_err *err) {
    struct aws_xml_node *root = NULL;
    struct tpd_err perr;
    tpd_err_init(&perr);
    enum tpd_code prc = aws_xml_parse(body, &root, &perr);
    if (prc == TPD_E_NOMEM) {
        tpd_err_move(err, &perr);
        return tpd_err_prefix(err, "%s: reading the error: ", op);
    }
    if (prc != TPD_OK) {
        tpd_err_clear(&perr);
        if (body.len && body.ptr[0] == '{') {
            /* An emulator (moto) may pass a JSON error from another service through. */
            return aws_error_from_json(op, http_status, body, request_id, err);
        }
        char snip[S_SNIPPET + 1];
        s_snippet(body, snip, sizeof(snip));
        enum tpd_code rc = s_finish(
            op,
            http_status,
            NULL,
            body.len ? "unparseable error body" : "empty error body",
            request_id,
            err);
        if (body.len) {
            tpd_err_prefix(err, "(body: \"%s\") ", snip);
        }
        tpd_err_clear(&perr);
        return rc;
    }
    const struct aws_xml_node *e = aws_xml_child(root, "Error");
    if (!e) {
        e = aws_xml_path(root, "Errors/Error");
    }
    const char *code = e ? aws_xml_text(e, "Code") : NULL;
    const char *msg = e ? aws_xml_text(e, "Message") : NULL;
    const char *rid = aws_xml_text(root, "RequestId");
    if (!rid || !*rid) {
        rid = aws_xml_text(root, "RequestID");
    }
    enum tpd_code rc = s_finish(
        op,
        http_status,
        code && *code ? code : NULL,
        msg,
        request_id ? request_id : (rid && *rid ? rid : NULL),
        err);
    if (rc == TPD_E_THROTTLED && code && strcmp(code, "LimitExceededException") == 0) {
        /* CloudFormation's LimitExceededException is an account quota, not throttling. */
        rc = TPD_E_AWS;
        if (err) {
            err->code = rc;
            err->retryable = false;
        }
    }
    aws_xml_free(root);
    return rc;
}
