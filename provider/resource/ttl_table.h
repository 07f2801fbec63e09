/*
 * ttl_table: the dynamodb_ttl_table resource: read (refresh), plan, apply (create,
 * update, import path, destroy) and import. Called by provider.c with values
 * decoded against schema_ttl_table(); see provider.h for ownership of in/out values.
 */
#ifndef TPD_TTL_TABLE_H
#define TPD_TTL_TABLE_H

#include "provider_internal.h"

void ttl_table_read(
    struct tfp_provider *p,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

void ttl_table_plan(
    struct tfp_provider *p,
    const struct tfv *prior_state,
    const struct tfv *proposed_new_state,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned_state,
    struct tfp_path_list *requires_replace,
    struct tpd_buf *planned_private,
    struct diag_list *diags);

void ttl_table_apply(
    struct tfp_provider *p,
    const struct tfv *prior_state,
    const struct tfv *planned_state,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

void ttl_table_import(
    struct tfp_provider *p,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

#endif
