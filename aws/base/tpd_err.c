/*
 * tpd_err: error codes (X-macro table) and the error context struct.
 */
#include "tpd_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_limits.h"

#undef tpd_err_set /* the analyser's view of it (tpd_err.h); here is the function */

static const char *const s_names[] = {
#define TPD_X_NAME(name, text) #name,
    TPD_ERRORS(TPD_X_NAME)
#undef TPD_X_NAME
};

static const char *const s_texts[] = {
#define TPD_X_TEXT(name, text) text,
    TPD_ERRORS(TPD_X_TEXT)
#undef TPD_X_TEXT
};

const char *tpd_code_name(enum tpd_code code) {
    return (unsigned)code < TPD_CODE_COUNT ? s_names[code] : "E_UNKNOWN";
}

const char *tpd_code_str(enum tpd_code code) {
    return (unsigned)code < TPD_CODE_COUNT ? s_texts[code] : "unknown error";
}

void tpd_err_init(struct tpd_err *err) {
    memset(err, 0, sizeof(*err));
}

void tpd_err_clear(struct tpd_err *err) {
    if (!err) {
        return;
    }
    free(err->msg);
    free(err->aws_code);
    free(err->request_id);
    tpd_err_init(err);
}

/* Format into a heap string of at most TPD_MAX_ERROR_MSG bytes (longer text is cut:
 * an error message is for people, and a runaway one must not exhaust memory). */
__attribute__((format(printf, 1, 0))) static char *s_vformat(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return NULL;
    }
    size_t len = (size_t)n < TPD_MAX_ERROR_MSG ? (size_t)n : TPD_MAX_ERROR_MSG - 1;
    char *p = tpd_malloc(len + 1);
    if (p) {
        vsnprintf(p, len + 1, fmt, ap);
    }
    return p;
}

enum tpd_code tpd_err_set(struct tpd_err *err, enum tpd_code code, const char *fmt, ...) {
    if (!err) {
        return code;
    }
    tpd_err_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    err->msg = s_vformat(fmt, ap);
    va_end(ap);
    return code;
}

enum tpd_code tpd_err_set_aws(
    struct tpd_err *err, int http_status, const char *aws_code, const char *request_id) {
    if (!err) {
        return TPD_OK;
    }
    err->http_status = http_status;
    bool ok = true;
    if (aws_code) {
        free(err->aws_code);
        err->aws_code = tpd_strdup(aws_code);
        ok = err->aws_code != NULL;
    }
    if (request_id) {
        free(err->request_id);
        err->request_id = tpd_strdup(request_id);
        ok = ok && err->request_id != NULL;
    }
    return ok ? TPD_OK : TPD_E_NOMEM;
}

enum tpd_code tpd_err_prefix(struct tpd_err *err, const char *fmt, ...) {
    if (!err) {
        return TPD_OK;
    }
    va_list ap;
    va_start(ap, fmt);
    char *prefix = s_vformat(fmt, ap);
    va_end(ap);
    if (!prefix) {
        return err->code; /* no memory: keep the message as it was */
    }
    size_t a = strlen(prefix), b = err->msg ? strlen(err->msg) : 0;
    if (a + b >= TPD_MAX_ERROR_MSG) {
        b = a < TPD_MAX_ERROR_MSG - 1 ? TPD_MAX_ERROR_MSG - 1 - a : 0;
    }
    char *p = tpd_malloc(a + b + 1);
    if (p) {
        memcpy(p, prefix, a);
        if (b) {
            memcpy(p + a, err->msg, b);
        }
        p[a + b] = '\0';
        free(err->msg);
        err->msg = p;
    }
    free(prefix);
    return err->code;
}

void tpd_err_move(struct tpd_err *dst, struct tpd_err *src) {
    if (!dst) {
        tpd_err_clear(src);
        return;
    }
    tpd_err_clear(dst);
    *dst = *src;
    tpd_err_init(src);
}

enum tpd_code tpd_err_copy(struct tpd_err *dst, const struct tpd_err *src) {
    tpd_err_clear(dst);
    if (!dst || !src) {
        return TPD_OK;
    }
    dst->code = src->code;
    dst->http_status = src->http_status;
    dst->retryable = src->retryable;
    dst->aws_service = src->aws_service;
    dst->msg = src->msg ? tpd_strdup(src->msg) : NULL;
    dst->aws_code = src->aws_code ? tpd_strdup(src->aws_code) : NULL;
    dst->request_id = src->request_id ? tpd_strdup(src->request_id) : NULL;
    bool ok = (!src->msg || dst->msg) && (!src->aws_code || dst->aws_code) &&
              (!src->request_id || dst->request_id);
    return ok ? TPD_OK : TPD_E_NOMEM;
}

bool tpd_err_is_aws(const struct tpd_err *err, const char *aws_code) {
    return err && err->aws_code && aws_code && strcmp(err->aws_code, aws_code) == 0;
}
