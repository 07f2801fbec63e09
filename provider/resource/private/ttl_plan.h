/*
 * ttl_plan: the pure part of PlanResourceChange for dynamodb_ttl_table: defaults,
 * computed values, replacement paths, and the refusals that need no AWS call
 * (destroy or replacement of a protected table, TTL rename while enabled).
 * The checks that need AWS reads (ownership, adoption) live in ttl_table_plan.c.
 *
 * Ownership: inputs borrowed; *planned is a new tree (NULL for a destroy) the caller
 * frees; requires_replace paths are appended and owned by the list.
 * Threads: pure.
 */
#ifndef TPD_TTL_PLAN_H
#define TPD_TTL_PLAN_H

#include "diag.h"
#include "provider.h"
#include "tfv.h"

enum ttl_plan_kind {
    TTL_PLAN_CREATE,
    TTL_PLAN_UPDATE,
    TTL_PLAN_REPLACE,
    TTL_PLAN_DESTROY,
    TTL_PLAN_NOOP
};

enum ttl_plan_kind ttl_plan_compute(
    const struct tfv *prior,
    const struct tfv *proposed,
    const struct tfv *config,
    struct tfv **planned,
    struct provider_path_list *requires_replace,
    struct diag_list *diags);

/* Whether a prior state's table may not be deleted: deletion protection on (or unknown),
 * and, for a destroy (not a replacement), retain_on_destroy off. */
/* The refusal of a destroy or replacement ("destroyed", "replaced") of a protected table,
 * on deletion_protection_enabled, naming the in-place update that lifts it (and, with
 * retain_hint, retain_on_destroy). */
void ttl_plan_protected_refusal(
    struct diag_list *diags, const char *table, const char *what, bool retain_hint);

bool ttl_plan_prior_protected(const struct tfv *prior, bool for_replacement);

/* Fill schema defaults for null optional+computed attributes of a resource value. */
enum tpd_code ttl_plan_set_defaults(struct tfv *v);

/* Default timeouts in nanoseconds: 30 minutes each. kind is "create"/"update"/"delete". */
int64_t ttl_plan_timeout_ns(const struct tfv *state, const char *kind);

#endif
