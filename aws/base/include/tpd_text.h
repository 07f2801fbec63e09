/*
 * tpd_text: a builder of human text (diagnostic details, summaries, refusal reasons,
 * previews) with a sticky error.
 *
 * Such text is built by many appends in a row, through helpers that describe one part
 * each. Checking every append would bury the text under error paths; ignoring them would
 * silently truncate a message under memory pressure. A tpd_text records the first
 * failure instead: once an append failed, every later append does nothing, and the one
 * check at the end (tpd_text_failed, or the result of tpd_text_finish) reports it, so that
 * the caller says "out of memory" rather than showing a truncated message.
 * Data that matters (templates, requests, state, private bytes) is built with the checked
 * tpd_buf appends (tpd_buf.h), never with this.
 *
 * Ownership: the text owns its buffer; tpd_text_clear frees it, tpd_text_finish moves the
 * contents out and frees it. A zeroed struct is an empty text with the default limit.
 * Threads: a text belongs to one thread.
 */
#ifndef TPD_TEXT_H
#define TPD_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "tpd_buf.h"
#include "tpd_err.h"

struct tpd_text {
    struct tpd_buf buf; /* the text so far; after a failure, what came before it */
    enum tpd_code rc;   /* the first failure; TPD_OK while none */
};

/* An empty text of at most max bytes (0: TPD_MAX_DEFAULT). Allocates nothing. */
void tpd_text_init(struct tpd_text *t, size_t max);
/* Free the contents and forget any failure: the text is empty again, same max. */
void tpd_text_clear(struct tpd_text *t);

/* Appends: nothing once the text failed; a failing append (TPD_E_NOMEM,
 * TPD_E_TOO_LARGE) records its code and leaves the text as it was. */
void tpd_text_append(struct tpd_text *t, const char *s);
void tpd_text_append_span(struct tpd_text *t, struct tpd_span s);
void tpd_text_printf(struct tpd_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tpd_text_vprintf(struct tpd_text *t, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Append the contents of src; a failed src fails t with src's code (a part lost is the
 * whole text lost). */
void tpd_text_append_text(struct tpd_text *t, const struct tpd_text *src);
/* Record a failure met while computing a part of the text (no-op for TPD_OK). */
void tpd_text_fail(struct tpd_text *t, enum tpd_code rc);

bool tpd_text_failed(const struct tpd_text *t);
/* Nothing was appended: len 0 and no failure. A failed text is never empty (what was
 * lost may have been anything), so that a decision taken on "something was found"
 * (a refusal) still holds under memory pressure. */
bool tpd_text_is_empty(const struct tpd_text *t);
/* The contents as a C string ("" when empty). Borrowed: valid until the text changes. */
const char *tpd_text_cstr(const struct tpd_text *t);
size_t tpd_text_len(const struct tpd_text *t);
/* The contents, or lost (a static text saying so) when the text failed: for text that
 * goes on where its loss is said (a log line, an error's detail). Borrowed. */
const char *tpd_text_cstr_or(const struct tpd_text *t, const char *lost);

/*
 * The one check at the end: append the text to out (checked, within out's max) and
 * clear t. Returns TPD_OK, t's first failure (out then unchanged), or the failure of
 * the append to out. t is empty afterwards in every case.
 */
enum tpd_code tpd_text_finish(struct tpd_text *t, struct tpd_buf *out) TPD_MUST_CHECK;

#endif
