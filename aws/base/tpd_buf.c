/*
 * tpd_buf: owning growable buffer with a maximum, and borrowed spans.
 * Growth doubles capacity; every size computation is overflow-checked first.
 */
#include "tpd_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

struct tpd_span tpd_span_cstr(const char *s) {
    struct tpd_span sp = {(const uint8_t *)s, s ? strlen(s) : 0};
    return sp;
}

struct tpd_span tpd_buf_span(const struct tpd_buf *b) {
    struct tpd_span sp = {b->ptr, b->len};
    return sp;
}

bool tpd_span_eq(struct tpd_span a, struct tpd_span b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool tpd_span_eq_cstr(struct tpd_span a, const char *s) {
    return tpd_span_eq(a, tpd_span_cstr(s));
}

void tpd_buf_init(struct tpd_buf *b, size_t max) {
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void tpd_buf_clear(struct tpd_buf *b) {
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

void tpd_buf_clear_secure(struct tpd_buf *b) {
    if (b->ptr) {
        /* volatile stores so the compiler cannot drop the wipe of a buffer about to die */
        volatile uint8_t *p = b->ptr;
        for (size_t i = 0; i < b->cap; i++) {
            p[i] = 0;
        }
    }
    tpd_buf_clear(b);
}

void tpd_buf_reset(struct tpd_buf *b) {
    b->len = 0;
    if (b->ptr) {
        b->ptr[0] = '\0';
    }
}

bool tpd_size_add(size_t a, size_t b, size_t *out) {
    if (a > SIZE_MAX - b) {
        return false;
    }
    *out = a + b;
    return true;
}

bool tpd_size_mul(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) {
        return false;
    }
    *out = a * b;
    return true;
}

/* Make room for extra more bytes plus the trailing NUL. */
static enum tpd_code s_reserve(struct tpd_buf *b, size_t extra) {
    size_t max = b->max ? b->max : TPD_MAX_DEFAULT;
    size_t need;
    if (!tpd_size_add(b->len, extra, &need) || need > max) {
        return TPD_E_TOO_LARGE;
    }
    if (!tpd_size_add(need, 1, &need)) {
        return TPD_E_TOO_LARGE;
    }
    if (need <= b->cap) {
        return TPD_OK;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (!tpd_size_mul(cap, 2, &cap)) {
            cap = need;
            break;
        }
    }
    uint8_t *p = tpd_realloc(b->ptr, cap);
    if (!p) {
        return TPD_E_NOMEM;
    }
    b->ptr = p;
    b->cap = cap;
    return TPD_OK;
}

enum tpd_code tpd_buf_append(struct tpd_buf *b, const void *data, size_t len) {
    enum tpd_code rc = s_reserve(b, len);
    if (rc) {
        return rc;
    }
    if (len) {
        memcpy(b->ptr + b->len, data, len);
    }
    b->len += len;
    b->ptr[b->len] = '\0';
    return TPD_OK;
}

enum tpd_code tpd_buf_read_stream(struct tpd_buf *b, FILE *f) {
    size_t max = b->max ? b->max : TPD_MAX_DEFAULT;
    for (;;) {
        size_t room = max - b->len;
        if (room == 0) {
            return fgetc(f) == EOF ? (ferror(f) ? TPD_E_IO : TPD_OK) : TPD_E_TOO_LARGE;
        }
        size_t want = room < TPD_READ_CHUNK ? room : TPD_READ_CHUNK;
        enum tpd_code rc = s_reserve(b, want);
        if (rc) {
            return rc;
        }
        size_t n = fread(b->ptr + b->len, 1, want, f);
        b->len += n;
        b->ptr[b->len] = '\0';
        if (n < want) {
            return ferror(f) ? TPD_E_IO : TPD_OK;
        }
    }
}

enum tpd_code tpd_buf_append_span(struct tpd_buf *b, struct tpd_span s) {
    return tpd_buf_append(b, s.ptr, s.len);
}

enum tpd_code tpd_buf_append_cstr(struct tpd_buf *b, const char *s) {
    return tpd_buf_append(b, s, s ? strlen(s) : 0);
}

enum tpd_code tpd_buf_append_byte(struct tpd_buf *b, uint8_t c) {
    return tpd_buf_append(b, &c, 1);
}

enum tpd_code tpd_buf_vprintf(struct tpd_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return TPD_E_INVALID;
    }
    enum tpd_code rc = s_reserve(b, (size_t)n);
    if (rc) {
        return rc;
    }
    vsnprintf((char *)b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return TPD_OK;
}

enum tpd_code tpd_buf_printf(struct tpd_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    enum tpd_code rc = tpd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

enum tpd_code tpd_buf_set(struct tpd_buf *b, struct tpd_span s) {
    size_t old = b->len;
    b->len = 0;
    enum tpd_code rc = tpd_buf_append_span(b, s);
    if (rc) {
        b->len = old;
    }
    return rc;
}

const char *tpd_buf_cstr(const struct tpd_buf *b) {
    return b->ptr ? (const char *)b->ptr : "";
}

char *tpd_buf_detach(struct tpd_buf *b) {
    char *s = (char *)b->ptr;
    if (!s) {
        s = tpd_calloc(1, 1);
    }
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return s;
}

char *tpd_span_strdup(struct tpd_span s) {
    char *p = tpd_malloc(s.len + 1);
    if (!p) {
        return NULL;
    }
    if (s.len) {
        memcpy(p, s.ptr, s.len);
    }
    p[s.len] = '\0';
    return p;
}
