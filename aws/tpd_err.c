/*
 * tpd_err: error codes (X-macro table) and the error context struct.
 */
#include "tpd_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_buf.h"

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

static char *s_vformat(const char *fmt, va_list ap) {
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_ERROR_MSG);
    if (tpd_buf_vprintf(&b, fmt, ap) != TPD_OK) {
        tpd_buf_clear(&b);
        return NULL;
    }
    return tpd_buf_detach(&b);
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

static char *s_dup(const char *s) {
    if (!s) {
        return NULL;
    }
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n + 1);
    }
    return p;
}

void tpd_err_set_aws(
    struct tpd_err *err,
    int http_status,
    const char *aws_code,
    const char *request_id) {
    if (!err) {
        return;
    }
    err->http_status = http_status;
    if (aws_code) {
        free(err->aws_code);
        err->aws_code = s_dup(aws_code);
    }
    if (request_id) {
        free(err->request_id);
        err->request_id = s_dup(request_id);
    }
}

enum tpd_code tpd_err_prefix(struct tpd_err *err, const char *fmt, ...) {
    if (!err) {
        return TPD_OK;
    }
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_ERROR_MSG);
    va_list ap;
    va_start(ap, fmt);
    enum tpd_code rc = tpd_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == TPD_OK && err->msg) {
        rc = tpd_buf_append_cstr(&b, err->msg);
    }
    if (rc == TPD_OK) {
        free(err->msg);
        err->msg = tpd_buf_detach(&b);
    }
    tpd_buf_clear(&b);
    return err->code;
}

void tpd_err_move(struct tpd_err *dst, struct tpd_err *src) {
    tpd_err_clear(dst);
    *dst = *src;
    tpd_err_init(src);
}

bool tpd_err_is_aws(const struct tpd_err *err, const char *aws_code) {
    return err && err->aws_code && aws_code && strcmp(err->aws_code, aws_code) == 0;
}
