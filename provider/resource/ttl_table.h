/*
 * ttl_table: the dynamodb_ttl_table resource — read (refresh), plan, apply and import.
 * Called by provider.c with values decoded against the resource schema (schema.c) and
 * the shared cloud handle; see provider.h for the ownership of in/out values.
 *
 * Each call gathers facts (cloud.h), decides with pure functions (ownership.h,
 * adoption.h, drift.h, ttl_plan.h) and then acts; the state it returns is built from
 * what AWS reports afterwards (table_value.h). The files: ttl_table_read.c,
 * ttl_table_plan.c, ttl_table_apply.c, ttl_table_import.c, with the shared pieces in
 * ttl_table_common.c.
 *
 * Threads: every function may run on many threads at once (one resource each).
 */
#ifndef TPD_TTL_TABLE_H
#define TPD_TTL_TABLE_H

#include "cloud.h"
#include "diag.h"
#include "provider.h"
#include "tfv.h"
#include "tpd_buf.h"

void ttl_table_read(
    struct cloud *c,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

void ttl_table_plan(
    struct cloud *c,
    const struct tfv *prior_state,
    const struct tfv *proposed_new_state,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned_state,
    struct tfp_path_list *requires_replace,
    struct tpd_buf *planned_private,
    struct diag_list *diags);

void ttl_table_apply(
    struct cloud *c,
    const struct tfv *prior_state,
    const struct tfv *planned_state,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

void ttl_table_import(
    struct cloud *c,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

#endif
