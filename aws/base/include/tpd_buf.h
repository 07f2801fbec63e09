/*
 * tpd_buf: the one byte-buffer type of the project.
 *
 *   struct tpd_span  a borrowed view (pointer + length), passed by value, never freed.
 *   struct tpd_buf   an owning, growable buffer with a hard maximum size.
 *
 * Invariants of a tpd_buf:
 *   - a zeroed struct with max = 0 is an empty buffer with the default limit;
 *   - ptr is NULL or points to cap bytes, cap > len, and ptr[len] == '\0' so that
 *     the contents can be handed to C APIs; the length, not the NUL, is what counts;
 *   - a failed append leaves the buffer unchanged, so a single cleanup path can
 *     always call tpd_buf_clear().
 * Every size limit of the project is listed in tpd_limits.h (curl's DYN_* list idea).
 */
#ifndef TPD_BUF_H
#define TPD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tpd_alloc.h"
#include "tpd_err.h"
#include "tpd_limits.h"

/*
 * The appends are builders whose result must be checked (a failed append is lost data).
 * The check is on where a layer opts in with TPD_CHECK_BUF_RESULTS: every library of the
 * project and the executable do, in their CMakeLists.txt (tests and fuzz targets do not).
 * Human text built by many appends in a row goes through tpd_text.h, whose sticky error
 * is checked once at the end.
 */
#ifdef TPD_CHECK_BUF_RESULTS
#    define TPD_BUF_MUST_CHECK TPD_MUST_CHECK
#else
#    define TPD_BUF_MUST_CHECK
#endif

struct tpd_span {
    const uint8_t *ptr;
    size_t len;
};

#define TPD_SPAN_LIT(s) ((struct tpd_span){(const uint8_t *)(s), sizeof(s) - 1})

struct tpd_buf {
    uint8_t *ptr;
    size_t len;
    size_t cap;
    size_t max; /* 0 means TPD_MAX_DEFAULT */
};

/* Span over a NUL-terminated C string (NULL gives an empty span). Borrowed. */
struct tpd_span tpd_span_cstr(const char *s);
/* Span over the contents of a buffer. Borrowed: valid until the buffer changes. */
struct tpd_span tpd_buf_span(const struct tpd_buf *b);
bool tpd_span_eq(struct tpd_span a, struct tpd_span b);
bool tpd_span_eq_cstr(struct tpd_span a, const char *s);

/* Initialise an empty buffer with a maximum size. Allocates nothing, cannot fail. */
void tpd_buf_init(struct tpd_buf *b, size_t max);
/* Free the contents; the buffer is then empty and reusable with the same max. */
void tpd_buf_clear(struct tpd_buf *b);
/* Like tpd_buf_clear, but first overwrites the bytes (for secrets). */
void tpd_buf_clear_secure(struct tpd_buf *b);
/* Forget the contents without freeing (len = 0), keeping capacity. */
void tpd_buf_reset(struct tpd_buf *b);

/* Appends. Return TPD_OK, TPD_E_NOMEM or TPD_E_TOO_LARGE; on failure b is unchanged. */
enum tpd_code tpd_buf_append(struct tpd_buf *b, const void *data, size_t len) TPD_BUF_MUST_CHECK;
enum tpd_code tpd_buf_append_span(struct tpd_buf *b, struct tpd_span s) TPD_BUF_MUST_CHECK;
enum tpd_code tpd_buf_append_cstr(struct tpd_buf *b, const char *s) TPD_BUF_MUST_CHECK;
enum tpd_code tpd_buf_append_byte(struct tpd_buf *b, uint8_t c) TPD_BUF_MUST_CHECK;
enum tpd_code tpd_buf_printf(struct tpd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))) TPD_BUF_MUST_CHECK;
enum tpd_code tpd_buf_vprintf(struct tpd_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0))) TPD_BUF_MUST_CHECK;
/* Append everything f yields until its end, straight into the buffer (no fixed-size
 * array in between), TPD_READ_CHUNK bytes at a time. TPD_E_TOO_LARGE when there is more
 * than the maximum, TPD_E_IO on a read error, TPD_E_NOMEM; on failure b keeps what was
 * read before it. */
enum tpd_code tpd_buf_read_stream(struct tpd_buf *b, FILE *f) TPD_BUF_MUST_CHECK;
/* Replace the contents with a copy of s. */
enum tpd_code tpd_buf_set(struct tpd_buf *b, struct tpd_span s) TPD_BUF_MUST_CHECK;

/* The contents as a C string ("" when empty). Borrowed. */
const char *tpd_buf_cstr(const struct tpd_buf *b);

/*
 * Move the contents out as a NUL-terminated heap string the caller frees with free();
 * the buffer becomes empty. Returns NULL only if the buffer is empty and a 1-byte
 * allocation fails.
 */
char *tpd_buf_detach(struct tpd_buf *b) TPD_MUST_CHECK;

/* Heap copy of a span as a C string; caller frees with free(). NULL on no memory. */
char *tpd_span_strdup(struct tpd_span s) TPD_MUST_CHECK;

/* Checked size arithmetic: false on overflow (out untouched). */
bool tpd_size_add(size_t a, size_t b, size_t *out);
bool tpd_size_mul(size_t a, size_t b, size_t *out);

#endif
