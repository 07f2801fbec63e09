/*
 * provider: the provider instance behind the RPC layer, independent of protobuf.
 *
 * The RPC layer (rpc6.c) decodes each request (DynamicValue -> struct tfv with the
 * schema's types), calls one of these functions, and encodes the result. Values
 * passed in are borrowed for the call; values returned through `struct tfv **out`
 * are new trees the caller frees with tfv_free (NULL means a null value). Private
 * data is opaque bytes the provider round-trips through Terraform.
 *
 * Threads: Terraform calls these concurrently (up to 10 operations at once, more
 * for refresh). Configure happens before resource calls. provider_stop may be
 * called from any thread at any time and makes every in-flight wait return
 * promptly with an error diagnostic.
 */
#ifndef TPD_PROVIDER_H
#define TPD_PROVIDER_H

#include <stdint.h>

#include "diag.h"
#include "tfv.h"
#include "tpd_buf.h"

struct provider;

/* New unconfigured provider; NULL on no memory. Free with provider_free. */
struct provider *provider_new(void);
void provider_free(struct provider *p);

/* StopProvider: flag every in-flight operation to stop. */
void provider_stop(struct provider *p);

void provider_validate_provider_config(
    struct provider *p, const struct tfv *config, struct diag_list *diags);

void provider_validate_resource_config(
    struct provider *p, const char *type_name, const struct tfv *config, struct diag_list *diags);

void provider_configure(struct provider *p, const struct tfv *config, struct diag_list *diags);

/* UpgradeResourceState from the JSON raw state (any older version) to the current schema. */
void provider_upgrade_resource_state(
    struct provider *p,
    const char *type_name,
    int64_t version,
    struct tpd_span raw_json,
    struct tfv **out,
    struct diag_list *diags);

void provider_read_resource(
    struct provider *p,
    const char *type_name,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

/* requires_replace: out-list of attribute paths (caller clears each and frees array). */
struct provider_path_list {
    struct tfv_path *paths;
    size_t count;
};
void provider_path_list_clear(struct provider_path_list *l);

void provider_plan_resource_change(
    struct provider *p,
    const char *type_name,
    const struct tfv *prior_state,
    const struct tfv *proposed_new_state,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned_state,
    struct provider_path_list *requires_replace,
    struct tpd_buf *planned_private,
    struct diag_list *diags);

void provider_apply_resource_change(
    struct provider *p,
    const char *type_name,
    const struct tfv *prior_state,
    const struct tfv *planned_state,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

/* ImportResourceState: id is "TABLE" or "STACK/TABLE". *state is a partial state
 * (Terraform then calls ReadResource with it). */
void provider_import_resource_state(
    struct provider *p,
    const char *type_name,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

/* MoveResourceState: the state of another provider's resource (a `moved` block) as this
 * resource's (move_state.h). Needs no configured provider: Terraform calls it before
 * ConfigureProvider. *state is NULL when the move is refused. */
struct provider_move_request {
    const char *source_provider_address;
    const char *source_type_name;
    int64_t source_schema_version;
    struct tpd_span source_state_json;
    const char *target_type_name;
};
void provider_move_resource_state(
    struct provider *p,
    const struct provider_move_request *req,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

/* ValidateDataResourceConfig and ReadDataSource of the data sources (schema_data_source). */
void provider_validate_data_source_config(
    struct provider *p, const char *type_name, const struct tfv *config, struct diag_list *diags);
void provider_read_data_source(
    struct provider *p,
    const char *type_name,
    const struct tfv *config,
    struct tfv **state,
    struct diag_list *diags);

#endif
