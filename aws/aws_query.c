/* aws_query: Query-protocol form encoding (see aws_query.h). */
#include "aws_query.h"

#include <stdarg.h>

/* application/x-www-form-urlencoded as botocore writes it (urllib urlencode):
 * unreserved bytes kept, space as '+', everything else %XX. Emulators that
 * re-encode the parsed form before checking the signature (moto) need the same bytes. */
static enum tpd_code s_form_encode(struct tpd_buf *out, const char *s) {
    static const char digits[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        enum tpd_code rc;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            rc = tpd_buf_append_byte(out, c);
        } else if (c == ' ') {
            rc = tpd_buf_append_byte(out, '+');
        } else {
            char e[3] = {'%', digits[c >> 4], digits[c & 15]};
            rc = tpd_buf_append(out, e, 3);
        }
        if (rc) {
            return rc;
        }
    }
    return TPD_OK;
}

void aws_query_init(struct aws_query *q, const char *action, const char *version) {
    tpd_buf_init(&q->body, TPD_MAX_HTTP_BODY);
    q->rc = TPD_OK;
    aws_query_add(q, "Action", action);
    aws_query_add(q, "Version", version);
}

void aws_query_clear(struct aws_query *q) {
    tpd_buf_clear_secure(&q->body);
    q->rc = TPD_OK;
}

void aws_query_add(struct aws_query *q, const char *key, const char *value) {
    if (q->rc || !value) {
        return;
    }
    size_t mark = q->body.len;
    enum tpd_code rc = TPD_OK;
    if (q->body.len) {
        rc = tpd_buf_append_byte(&q->body, '&');
    }
    rc = rc ? rc : s_form_encode(&q->body, key);
    rc = rc ? rc : tpd_buf_append_byte(&q->body, '=');
    rc = rc ? rc : s_form_encode(&q->body, value);
    if (rc) {
        q->body.len = mark;
        if (q->body.ptr) {
            q->body.ptr[mark] = '\0';
        }
        q->rc = rc;
    }
}

void aws_query_addf(struct aws_query *q, const char *value, const char *key_fmt, ...) {
    if (q->rc || !value) {
        return;
    }
    struct tpd_buf key;
    tpd_buf_init(&key, TPD_MAX_NAME);
    va_list ap;
    va_start(ap, key_fmt);
    enum tpd_code rc = tpd_buf_vprintf(&key, key_fmt, ap);
    va_end(ap);
    if (rc) {
        q->rc = rc;
    } else {
        aws_query_add(q, tpd_buf_cstr(&key), value);
    }
    tpd_buf_clear(&key);
}

void aws_query_add_list(
    struct aws_query *q, const char *name, const char *const *items, size_t count) {
    if (count == 0) {
        aws_query_add(q, name, "");
        return;
    }
    for (size_t i = 0; i < count; i++) {
        aws_query_addf(q, items[i], "%s.member.%zu", name, i + 1);
    }
}
