/*
 * tpd_text: human text with a sticky error (see tpd_text.h).
 */
#include "tpd_text.h"

#include <stdio.h>

void tpd_text_init(struct tpd_text *t, size_t max) {
    tpd_buf_init(&t->buf, max);
    t->rc = TPD_OK;
}

void tpd_text_clear(struct tpd_text *t) {
    tpd_buf_clear(&t->buf);
    t->rc = TPD_OK;
}

void tpd_text_fail(struct tpd_text *t, enum tpd_code rc) {
    if (t->rc == TPD_OK) {
        t->rc = rc;
    }
}

void tpd_text_append_span(struct tpd_text *t, struct tpd_span s) {
    if (t->rc == TPD_OK) {
        t->rc = tpd_buf_append_span(&t->buf, s);
    }
}

void tpd_text_append(struct tpd_text *t, const char *s) {
    tpd_text_append_span(t, tpd_span_cstr(s));
}

void tpd_text_vprintf(struct tpd_text *t, const char *fmt, va_list ap) {
    if (t->rc == TPD_OK) {
        t->rc = tpd_buf_vprintf(&t->buf, fmt, ap);
    }
}

void tpd_text_printf(struct tpd_text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tpd_text_vprintf(t, fmt, ap);
    va_end(ap);
}

void tpd_text_append_text(struct tpd_text *t, const struct tpd_text *src) {
    tpd_text_fail(t, src->rc);
    tpd_text_append_span(t, tpd_buf_span(&src->buf));
}

bool tpd_text_failed(const struct tpd_text *t) {
    return t->rc != TPD_OK;
}

bool tpd_text_is_empty(const struct tpd_text *t) {
    return t->buf.len == 0 && t->rc == TPD_OK;
}

const char *tpd_text_cstr(const struct tpd_text *t) {
    return tpd_buf_cstr(&t->buf);
}

const char *tpd_text_cstr_or(const struct tpd_text *t, const char *lost) {
    return t->rc == TPD_OK ? tpd_buf_cstr(&t->buf) : lost;
}

size_t tpd_text_len(const struct tpd_text *t) {
    return t->buf.len;
}

enum tpd_code tpd_text_finish(struct tpd_text *t, struct tpd_buf *out) {
    enum tpd_code rc = t->rc;
    if (rc == TPD_OK) {
        rc = tpd_buf_append_span(out, tpd_buf_span(&t->buf));
    }
    tpd_text_clear(t);
    return rc;
}
