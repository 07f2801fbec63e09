/*
 * ttl_table: the dynamodb_ttl_table resource — read (refresh), plan, apply and import.
 * Called by provider.c with values decoded against the resource schema (schema.c) and
 * the shared cloud handle; see provider.h for the ownership of in/out values.
 *
 * Each call decodes its values once (request.h), gathers facts through the cloud_ops
 * seam (gather.h), decides once (decide.h: an action plan), and then renders the plan
 * (ttl_table_plan.c) or carries it out (ttl_table_apply.c, execute.h); the state it
 * returns is built from what AWS reports afterwards (table_value.h). Refresh is
 * ttl_table_read.c, import ttl_table_import.c; shared pieces in ttl_table_common.c.
 *
 * Threads: every function may run on many threads at once (one resource each).
 */
#ifndef TPD_TTL_TABLE_H
#define TPD_TTL_TABLE_H

#include "cloud_ops.h"
#include "diag.h"
#include "plan_claims.h"
#include "provider.h"
#include "tfv.h"
#include "tpd_buf.h"

void ttl_table_read(
    const struct cloud_ops *ops,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

/* claims (may be NULL): the tables the other resources of this plan claim. */
void ttl_table_plan(
    const struct cloud_ops *ops,
    struct plan_claims *claims,
    const struct tfv *prior_state,
    const struct tfv *proposed_new_state,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned_state,
    struct provider_path_list *requires_replace,
    struct tpd_buf *planned_private,
    struct diag_list *diags);

void ttl_table_apply(
    const struct cloud_ops *ops,
    const struct tfv *prior_state,
    const struct tfv *planned_state,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

void ttl_table_import(
    const struct cloud_ops *ops,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

#endif
