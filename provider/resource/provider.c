/*
 * provider: the provider instance (see provider.h): validation, configuration,
 * state upgrade, and dispatch of resource operations to ttl_table.c, of moves to
 * move_state.c and of the data source to ttl_table_data.c.
 */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "cloud.h"
#include "move_state.h"
#include "provider_internal.h"
#include "schema.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "ttl_table.h"
#include "ttl_table_data.h"
#include "validate.h"

struct provider *provider_new(void) {
    struct provider *p = tpd_calloc(1, sizeof(*p));
    if (!p) {
        return NULL;
    }
    p->claims = plan_claims_new();
    if (!p->claims) {
        free(p);
        return NULL;
    }
    tpd_stop_init(&p->stop);
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

void provider_free(struct provider *p) {
    if (!p) {
        return;
    }
    cloud_free(p->cloud);
    aws_client_free(p->aws);
    plan_claims_free(p->claims);
    provider_config_clear(&p->cfg);
    pthread_mutex_destroy(&p->mu);
    tpd_stop_clear(&p->stop);
    free(p);
}

void provider_stop(struct provider *p) {
    TPD_INFO("StopProvider: stopping every in-flight operation");
    tpd_stop_request(&p->stop);
}

void provider_path_list_clear(struct provider_path_list *l) {
    for (size_t i = 0; i < l->count; i++) {
        tfv_path_clear(&l->paths[i]);
    }
    free(l->paths);
    l->paths = NULL;
    l->count = 0;
}

static bool s_check_type(const char *type_name, struct diag_list *diags) {
    if (schema_resource(type_name)) {
        return true;
    }
    diag_add(
        diags,
        DIAG_ERROR,
        NULL,
        "Unknown resource type",
        "This provider has one resource type, \"%s\"; \"%s\" is not one of its types.",
        SCHEMA_RESOURCE_TTL_TABLE,
        type_name ? type_name : "");
    return false;
}

void provider_validate_provider_config(
    struct provider *p, const struct tfv *config, struct diag_list *diags) {
    (void)p;
    validate_provider_config(config, diags);
}

void provider_validate_resource_config(
    struct provider *p, const char *type_name, const struct tfv *config, struct diag_list *diags) {
    (void)p;
    if (s_check_type(type_name, diags)) {
        validate_ttl_table(config, diags);
    }
}

void provider_configure(struct provider *p, const struct tfv *config, struct diag_list *diags) {
    validate_provider_config(config, diags);
    if (diag_list_has_errors(diags)) {
        return;
    }
    provider_config_apply(p, config, diags);
}

void provider_upgrade_resource_state(
    struct provider *p,
    const char *type_name,
    int64_t version,
    struct tpd_span raw_json,
    struct tfv **out,
    struct diag_list *diags) {
    (void)p;
    *out = NULL;
    if (!s_check_type(type_name, diags)) {
        return;
    }
    const struct schema_block *b = schema_resource(type_name);
    if (version > b->version) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "State from a newer provider",
            "The state of this resource was written by schema version %lld; this provider knows "
            "versions up to %lld. Upgrade the provider.",
            (long long)version,
            (long long)b->version);
        return;
    }
    /* Version 0 is the only version so far: decoding with the current type drops
     * attributes that no longer exist and fills new ones with null. */
    struct tpd_err err = {0};
    if (tfv_decode_json(raw_json, b->type, out, &err) != TPD_OK) {
        diag_add_err(diags, NULL, "Cannot read the stored state", &err);
    }
    tpd_err_clear(&err);
}

void provider_read_resource(
    struct provider *p,
    const char *type_name,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *new_state = NULL;
    if (!s_check_type(type_name, diags)) {
        return;
    }
    struct cloud *c = provider_cloud(p, diags);
    if (!c) {
        *new_state = tfv_clone(current);
        return;
    }
    ttl_table_read(cloud_ops_of(c), current, private_in, new_state, private_out, diags);
}

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
    struct diag_list *diags) {
    *planned_state = NULL;
    if (!s_check_type(type_name, diags)) {
        return;
    }
    /* A destroy plan needs no AWS call; the others may read. */
    struct cloud *c = tfv_is_null(proposed_new_state) ? NULL : provider_cloud(p, diags);
    if (!c && !tfv_is_null(proposed_new_state)) {
        return;
    }
    ttl_table_plan(
        c ? cloud_ops_of(c) : NULL,
        p->claims,
        prior_state,
        proposed_new_state,
        config,
        prior_private,
        planned_state,
        requires_replace,
        planned_private,
        diags);
}

void provider_apply_resource_change(
    struct provider *p,
    const char *type_name,
    const struct tfv *prior_state,
    const struct tfv *planned_state,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *new_state = NULL;
    if (!s_check_type(type_name, diags)) {
        return;
    }
    struct cloud *c = provider_cloud(p, diags);
    if (!c) {
        *new_state = tfv_clone(prior_state);
        return;
    }
    ttl_table_apply(
        cloud_ops_of(c),
        prior_state,
        planned_state,
        config,
        planned_private,
        new_state,
        private_out,
        diags);
}

void provider_import_resource_state(
    struct provider *p,
    const char *type_name,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *state = NULL;
    if (!s_check_type(type_name, diags)) {
        return;
    }
    struct cloud *c = provider_cloud(p, diags);
    if (c) {
        ttl_table_import(cloud_ops_of(c), id, state, private_out, diags);
    }
}

void provider_move_resource_state(
    struct provider *p,
    const struct provider_move_request *req,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    (void)p; /* pure: Terraform moves state before it configures the provider */
    *state = NULL;
    if (!s_check_type(req->target_type_name, diags)) {
        return;
    }
    struct move_request m = {
        .source_provider = req->source_provider_address,
        .source_type = req->source_type_name,
        .source_schema_version = req->source_schema_version,
        .source_state_json = req->source_state_json,
        .target_type = req->target_type_name,
    };
    TPD_DEBUG(
        "MoveResourceState from %s %s (schema version %lld) to %s",
        req->source_provider_address ? req->source_provider_address : "?",
        req->source_type_name ? req->source_type_name : "?",
        (long long)req->source_schema_version,
        req->target_type_name);
    move_state_run(&m, state, private_out, diags);
}

static bool s_check_data_type(const char *type_name, struct diag_list *diags) {
    if (schema_data_source(type_name)) {
        return true;
    }
    diag_add(
        diags,
        DIAG_ERROR,
        NULL,
        "Unknown data source",
        "This provider has one data source, \"%s\"; \"%s\" is not one of its types.",
        SCHEMA_DATA_TTL_TABLE,
        type_name ? type_name : "");
    return false;
}

void provider_validate_data_source_config(
    struct provider *p, const char *type_name, const struct tfv *config, struct diag_list *diags) {
    (void)p;
    if (s_check_data_type(type_name, diags)) {
        ttl_table_data_validate(config, diags);
    }
}

void provider_read_data_source(
    struct provider *p,
    const char *type_name,
    const struct tfv *config,
    struct tfv **state,
    struct diag_list *diags) {
    *state = NULL;
    if (!s_check_data_type(type_name, diags)) {
        return;
    }
    struct cloud *c = provider_cloud(p, diags);
    if (c) {
        ttl_table_data_read(cloud_ops_of(c), config, state, diags);
    }
}

struct cloud *provider_cloud(struct provider *p, struct diag_list *diags) {
    pthread_mutex_lock(&p->mu);
    struct cloud *c = p->cloud;
    struct tpd_err err = {0};
    if (!c && p->configured) {
        /* Built under the lock once; later calls only read the pointer. Building makes no
         * network call, so holding the lock here blocks nobody for long. */
        p->aws = provider_aws_client_new(&p->cfg, &p->stop, &err);
        if (p->aws) {
            c = p->cloud = cloud_new(p->aws, &p->stop);
            if (!c) {
                tpd_err_set(&err, TPD_E_NOMEM, "out of memory");
                aws_client_free(p->aws);
                p->aws = NULL;
            }
        }
    }
    bool configured = p->configured;
    pthread_mutex_unlock(&p->mu);
    if (!c) {
        if (!configured) {
            diag_add(
                diags,
                DIAG_ERROR,
                NULL,
                "Provider not configured",
                "ConfigureProvider was not called before a resource operation.");
        } else {
            diag_add_err(diags, NULL, "Cannot set up the AWS client", &err);
        }
    }
    tpd_err_clear(&err);
    return c;
}
