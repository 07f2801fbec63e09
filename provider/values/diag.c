/*
 * diag: diagnostics list (see diag.h). Allocation failures while recording a
 * diagnostic drop that diagnostic's text but never its severity: an error must not
 * turn into silence.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_buf.h"

void diag_list_init(struct diag_list *l) {
    memset(l, 0, sizeof(*l));
}

void diag_list_clear(struct diag_list *l) {
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].summary);
        free(l->items[i].detail);
        tfv_path_clear(&l->items[i].path);
    }
    free(l->items);
    diag_list_init(l);
}

bool diag_list_has_errors(const struct diag_list *l) {
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i].severity == DIAG_ERROR) {
            return true;
        }
    }
    return false;
}

static struct diag *
s_push(struct diag_list *l, enum diag_severity sev, const struct tfv_path *path) {
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        struct diag *items = tpd_realloc(l->items, cap * sizeof(*items));
        if (!items) {
            return NULL;
        }
        l->items = items;
        l->cap = cap;
    }
    struct diag *d = &l->items[l->count++];
    memset(d, 0, sizeof(*d));
    d->severity = sev;
    if (path && tfv_path_copy(&d->path, path) == TPD_OK) {
        d->has_path = true;
    }
    return d;
}

void diag_add(
    struct diag_list *l,
    enum diag_severity sev,
    const struct tfv_path *path,
    const char *summary,
    const char *detail_fmt,
    ...) {
    struct diag *d = s_push(l, sev, path);
    if (!d) {
        return;
    }
    d->summary = tpd_span_strdup(tpd_span_cstr(summary));
    if (detail_fmt) {
        struct tpd_buf b;
        tpd_buf_init(&b, TPD_MAX_ERROR_MSG * 4);
        va_list ap;
        va_start(ap, detail_fmt);
        enum tpd_code rc = tpd_buf_vprintf(&b, detail_fmt, ap);
        va_end(ap);
        d->detail = rc == TPD_OK ? tpd_buf_detach(&b) : NULL;
        tpd_buf_clear(&b);
    }
}

void diag_add_err(
    struct diag_list *l,
    const struct tfv_path *path,
    const char *summary,
    const struct tpd_err *err) {
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_ERROR_MSG * 4);
    enum tpd_code rc = tpd_buf_append_cstr(
        &b, err && err->msg ? err->msg : tpd_code_str(err ? err->code : TPD_E_INTERNAL));
    if (!rc && err && err->aws_code) {
        /* AWS errors carry code and message; the request id helps AWS support. */
        rc = tpd_buf_printf(&b, "\n\nAWS error code: %s", err->aws_code);
        if (!rc && err->http_status) {
            rc = tpd_buf_printf(&b, " (HTTP %d)", err->http_status);
        }
    }
    if (!rc && err && err->request_id && *err->request_id) {
        rc = tpd_buf_printf(&b, "\nRequest ID: %s", err->request_id);
    }
    /* A failed append leaves b as it was: the diagnostic then carries what was built. */
    (void)rc;
    diag_add(l, DIAG_ERROR, path, summary, "%s", tpd_buf_cstr(&b));
    tpd_buf_clear(&b);
}
