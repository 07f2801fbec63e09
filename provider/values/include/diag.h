/*
 * diag: Terraform diagnostics collected during one RPC.
 *
 * A struct diag_list owns its diagnostics (strings and paths). The RPC layer turns
 * them into tfplugin Diagnostic messages. Errors from the AWS layer (struct tpd_err)
 * become diagnostics with their AWS error code, message and request id in the detail.
 * Threads: a list belongs to one call; no locking.
 */
#ifndef TPD_DIAG_H
#define TPD_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "tfv.h"
#include "tpd_err.h"

enum diag_severity { DIAG_ERROR = 1, DIAG_WARNING = 2 }; /* tfplugin numbering */

struct diag {
    enum diag_severity severity;
    char *summary;
    char *detail;
    struct tfv_path path; /* empty: not tied to an attribute */
    bool has_path;
};

struct diag_list {
    struct diag *items;
    size_t count;
    size_t cap;
};

void diag_list_init(struct diag_list *l);
void diag_list_clear(struct diag_list *l);
bool diag_list_has_errors(const struct diag_list *l);

/* Add a diagnostic; path may be NULL (copied otherwise). detail is printf-style. */
void diag_add(
    struct diag_list *l,
    enum diag_severity sev,
    const struct tfv_path *path,
    const char *summary,
    const char *detail_fmt,
    ...) __attribute__((format(printf, 5, 6)));

/* Add an error diagnostic for a failure of the AWS layer (code, message, request id). */
void diag_add_err(
    struct diag_list *l,
    const struct tfv_path *path,
    const char *summary,
    const struct tpd_err *err);

#endif
