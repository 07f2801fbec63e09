/*
 * rpc5: tfplugin5.Provider handlers, as far as they differ from protocol 6.
 *
 * Follows hashicorp/terraform docs/plugin-protocol/tfplugin5.8.proto (our copy:
 * proto/tfplugin5.proto). Compared message by message with proto/tfplugin6.proto, every
 * RPC but two has the same request and response on the wire: the same field numbers,
 * types and labels, sub-messages alike. Those RPCs are served by the rpc6.c handlers
 * (rpc6_shared.h); tests/unit/test_rpc5.c compares the generated descriptors of each
 * pair recursively, and checks that each v5 method is served by the handler of the v6
 * method it is paired with. Request {fields} | Response {fields}, v6 name after "=":
 *   GetMetadata {} | {1 server_capabilities, 2 diagnostics, 3 data_sources, 4 resources,
 *     5 functions, 6 ephemeral_resources}
 *   ValidateResourceTypeConfig = ValidateResourceConfig, ValidateDataSourceConfig =
 *     ValidateDataResourceConfig, ValidateEphemeralResourceConfig {1 type_name, 2 config} |
 *     {1 diagnostics}
 *   UpgradeResourceState {1 type_name, 2 version, 3 raw_state} | {1 upgraded_state,
 *     2 diagnostics}
 *   Configure = ConfigureProvider {1 terraform_version, 2 config, 3 client_capabilities} |
 *     {1 diagnostics}
 *   ReadResource {1 type_name, 2 current_state, 3 private, 4 provider_meta,
 *     5 client_capabilities} | {1 new_state, 2 diagnostics, 3 private, 4 deferred}
 *   PlanResourceChange {1 type_name, 2 prior_state, 3 proposed_new_state, 4 config,
 *     5 prior_private, 6 provider_meta, 7 client_capabilities} | {1 planned_state,
 *     2 requires_replace, 3 planned_private, 4 diagnostics, 5 legacy_type_system, 6 deferred}
 *   ApplyResourceChange {1 type_name, 2 prior_state, 3 planned_state, 4 config,
 *     5 planned_private, 6 provider_meta} | {1 new_state, 2 private, 3 diagnostics,
 *     4 legacy_type_system}
 *   ImportResourceState {1 type_name, 2 id, 3 client_capabilities} | {1 imported_resources
 *     {1 type_name, 2 state, 3 private}, 2 diagnostics, 3 deferred}
 *   MoveResourceState {1 source_provider_address, 2 source_type_name,
 *     3 source_schema_version, 4 source_state, 5 target_type_name, 6 source_private} |
 *     {1 target_state, 2 diagnostics, 3 target_private}
 *   ReadDataSource {1 type_name, 2 config, 3 provider_meta, 4 client_capabilities} |
 *     {1 state, 2 diagnostics, 3 deferred}
 *   OpenEphemeralResource {1 type_name, 2 config, 3 client_capabilities} | {1 diagnostics,
 *     2 renew_at, 3 result, 4 private, 5 deferred}
 *   RenewEphemeralResource {1 type_name, 2 private} | {1 diagnostics, 2 renew_at, 3 private}
 *   CloseEphemeralResource {1 type_name, 2 private} | {1 diagnostics}
 *   GetFunctions {} | {1 functions, 2 diagnostics}
 *   CallFunction {1 name, 2 arguments} | {1 result, 2 error}
 *   Stop = StopProvider {} | {1 Error}
 *   Sub-messages: DynamicValue {1 msgpack, 2 json}, Diagnostic {1 severity, 2 summary,
 *     3 detail, 4 attribute}, AttributePath {1 steps {oneof 1 attribute_name,
 *     2 element_key_string, 3 element_key_int}}, RawState {1 json, 2 flatmap},
 *     ClientCapabilities {1 deferral_allowed, 2 write_only_attributes_allowed},
 *     ServerCapabilities {1 plan_destroy, 2 get_provider_schema_optional,
 *     3 move_resource_state}, Deferred {1 reason}, Timestamp {1 seconds, 2 nanos},
 *     FunctionError {1 text, 2 function_argument}, Function {1..7}; enums the same values.
 * Handled here: GetSchema = GetProviderSchema (same fields, but Schema.Attribute is
 * {.., 10 write_only} in v5 and {.., 10 nested_type, 11 write_only} in v6: nested
 * attributes go as plain attributes of the cty object type), and PrepareProviderConfig
 * ~ ValidateProviderConfig (request {1 config}; response {1 prepared_config,
 * 2 diagnostics} in v5, {2 diagnostics} in v6).
 */
#include "rpc5.h"

#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "rpc6_shared.h"
#include "rpc_common.h"
#include "schema.h"
#include "tfplugin5.pb-c.h"
#include "tfv.h"

/* A message built by rpc6.c in a field of a tfplugin5 message of the same wire format
 * (table above): protobuf-c packs a sub-message through the descriptor in its own base,
 * so it is encoded as the tfplugin5 one would be; nothing reads it as the v5 type. */
#define S_V5(T5, m6) ((T5)(void *)(m6))

/* ---- schema --------------------------------------------------------------------- */

/*
 * The cty JSON type of a protocol 6 nested attribute, for protocol 5 where it is a plain
 * attribute: ["object",{name: type, ...},[optional names]] wrapped in the collection of
 * the nesting mode. Optional attributes of the object are listed as optional object
 * attributes (cty's JSON form of ObjectWithOptionalAttrs), so that Terraform accepts
 * configurations that leave them out, as it does for nested attributes; the computed ones
 * of the data source, which no configuration sets, are plain. Values of the type are
 * plain objects with every attribute present, exactly as in protocol 6. Attribute names are
 * identifiers from our own schema tables and need no JSON escaping.
 */
static enum tpd_code s_attr_type_json(const struct schema_attr *at, struct tpd_buf *out);

static enum tpd_code s_object_type_json(const struct schema_object *o, struct tpd_buf *out) {
    const char *wrap = NULL;
    switch (o->nesting) {
        case SCHEMA_NEST_LIST:
            wrap = "list";
            break;
        case SCHEMA_NEST_SET:
            wrap = "set";
            break;
        case SCHEMA_NEST_MAP:
            wrap = "map";
            break;
        case SCHEMA_NEST_SINGLE:
        case SCHEMA_NEST_GROUP:
            break;
    }
    enum tpd_code rc = TPD_OK;
    if (wrap != NULL) {
        rc = tpd_buf_printf(out, "[\"%s\",", wrap);
    }
    if (rc == TPD_OK) {
        rc = tpd_buf_append_cstr(out, "[\"object\",{");
    }
    for (size_t i = 0; rc == TPD_OK && i < o->attr_count; i++) {
        rc = tpd_buf_printf(out, "%s\"%s\":", i ? "," : "", o->attrs[i].name);
        if (rc == TPD_OK) {
            rc = s_attr_type_json(&o->attrs[i], out);
        }
    }
    if (rc == TPD_OK) {
        rc = tpd_buf_append_cstr(out, "}");
    }
    bool first = true;
    for (size_t i = 0; rc == TPD_OK && i < o->attr_count; i++) {
        if (o->attrs[i].optional) {
            rc = tpd_buf_printf(out, "%s\"%s\"", first ? ",[" : ",", o->attrs[i].name);
            first = false;
        }
    }
    if (rc == TPD_OK && !first) {
        rc = tpd_buf_append_cstr(out, "]");
    }
    if (rc == TPD_OK) {
        rc = tpd_buf_append_cstr(out, wrap != NULL ? "]]" : "]");
    }
    return rc;
}

static enum tpd_code s_attr_type_json(const struct schema_attr *at, struct tpd_buf *out) {
    return at->nested ? s_object_type_json(at->nested, out) : tfv_type_to_json(at->type, out);
}

static Tfplugin5__Schema__Attribute *s_attr_msg(struct rpc_arena *a, const struct schema_attr *at) {
    Tfplugin5__Schema__Attribute *m = rpc_alloc(a, 1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    tfplugin5__schema__attribute__init(m);
    m->name = (char *)at->name;
    m->description = (char *)rpc_str(at->description);
    m->description_kind = TFPLUGIN5__STRING_KIND__MARKDOWN;
    m->required = at->required;
    m->optional = at->optional;
    m->computed = at->computed;
    m->sensitive = at->sensitive;
    /* No nested_type in protocol 5: nested attributes travel as object types. */
    struct tpd_buf t;
    tpd_buf_init(&t, 1 << 20);
    if (s_attr_type_json(at, &t) != TPD_OK) {
        a->failed = true;
    }
    m->type = rpc_take_bytes(a, &t);
    tpd_buf_clear(&t);
    return m;
}

static Tfplugin5__Schema__Block *s_block_msg(struct rpc_arena *a, const struct schema_block *b) {
    Tfplugin5__Schema__Block *m = rpc_alloc(a, 1, sizeof(*m));
    Tfplugin5__Schema__Attribute **attrs = rpc_alloc(a, b->attr_count, sizeof(*attrs));
    Tfplugin5__Schema__NestedBlock **nested = rpc_alloc(a, b->block_type_count, sizeof(*nested));
    if (m == NULL || attrs == NULL || nested == NULL) {
        return NULL;
    }
    tfplugin5__schema__block__init(m);
    m->version = b->version;
    m->description = (char *)rpc_str(b->description);
    m->description_kind = TFPLUGIN5__STRING_KIND__MARKDOWN;
    for (size_t i = 0; i < b->attr_count; i++) {
        attrs[i] = s_attr_msg(a, &b->attrs[i]);
    }
    m->n_attributes = b->attr_count;
    m->attributes = attrs;
    for (size_t i = 0; i < b->block_type_count; i++) {
        const struct schema_block_type *bt = &b->block_types[i];
        Tfplugin5__Schema__NestedBlock *nb = rpc_alloc(a, 1, sizeof(*nb));
        if (nb == NULL) {
            return NULL;
        }
        tfplugin5__schema__nested_block__init(nb);
        nb->type_name = (char *)bt->type_name;
        nb->block = s_block_msg(a, bt->block);
        nb->nesting = (Tfplugin5__Schema__NestedBlock__NestingMode)bt->nesting;
        nb->min_items = bt->min_items;
        nb->max_items = bt->max_items;
        nested[i] = nb;
    }
    m->n_block_types = b->block_type_count;
    m->block_types = nested;
    return m;
}

static Tfplugin5__Schema *s_schema_msg(struct rpc_arena *a, const struct schema_block *b) {
    Tfplugin5__Schema *m = rpc_alloc(a, 1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    tfplugin5__schema__init(m);
    m->version = b->version;
    m->block = s_block_msg(a, b);
    return m;
}

static void s_get_schema(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    (void)ctx;
    RPC_UNPACK(
        Tfplugin5__GetProviderSchema__Request,
        tfplugin5__get_provider_schema__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    Tfplugin5__GetProviderSchema__Response resp = TFPLUGIN5__GET_PROVIDER_SCHEMA__RESPONSE__INIT;
    Tfplugin5__GetProviderSchema__Response__ResourceSchemasEntry entry =
        TFPLUGIN5__GET_PROVIDER_SCHEMA__RESPONSE__RESOURCE_SCHEMAS_ENTRY__INIT;
    Tfplugin5__GetProviderSchema__Response__ResourceSchemasEntry *entries[1] = {&entry};
    Tfplugin5__GetProviderSchema__Response__DataSourceSchemasEntry ds_entry =
        TFPLUGIN5__GET_PROVIDER_SCHEMA__RESPONSE__DATA_SOURCE_SCHEMAS_ENTRY__INIT;
    Tfplugin5__GetProviderSchema__Response__DataSourceSchemasEntry *ds_entries[1] = {&ds_entry};
    entry.key = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    entry.value = s_schema_msg(&a, schema_ttl_table());
    ds_entry.key = (char *)SCHEMA_DATA_TTL_TABLE;
    ds_entry.value = s_schema_msg(&a, schema_ttl_table_data());
    resp.provider = s_schema_msg(&a, schema_provider());
    resp.n_resource_schemas = 1;
    resp.resource_schemas = entries;
    resp.n_data_source_schemas = 1;
    resp.data_source_schemas = ds_entries;
    resp.server_capabilities = S_V5(Tfplugin5__ServerCapabilities *, rpc6_caps_msg(&a));
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- provider configuration ----------------------------------------------------- */

/* PrepareProviderConfig: validation, and the configuration Terraform uses from now on.
 * This provider inserts no defaults at this point (provider_configure applies them), so the
 * prepared configuration is the one Terraform sent. Hosts of protocol 5 before 0.15
 * configured the provider with prepared_config; an absent one would be a null config.
 * The request is ValidateProviderConfig.Request on the wire, and is read as that. */
static void s_prepare_provider_config(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ValidateProviderConfig__Request,
        tfplugin6__validate_provider_config__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *config = NULL;
    Tfplugin6__DynamicValue *prepared = req->config; /* undecodable: hand back what was sent */
    const struct tfv_type *type = schema_provider()->type;
    if (rpc6_decode(req->config, type, "provider configuration", &config, &diags)) {
        provider_validate_provider_config(ctx, config, &diags);
        prepared = rpc6_encode(&a, config, type, "prepared provider configuration", &diags);
    }
    Tfplugin5__PrepareProviderConfig__Response resp =
        TFPLUGIN5__PREPARE_PROVIDER_CONFIG__RESPONSE__INIT;
    resp.prepared_config = S_V5(Tfplugin5__DynamicValue *, prepared);
    resp.diagnostics =
        S_V5(Tfplugin5__Diagnostic **, rpc6_diags_msg(&a, &diags, &resp.n_diagnostics));
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(config);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- table ---------------------------------------------------------------------- */

#define S_M(name, fn)                                                                              \
    { "/tfplugin5.Provider/" name, fn }

static const struct tfp_method s_methods[] = {
    S_M("GetMetadata", rpc6_get_metadata),
    S_M("GetSchema", s_get_schema),
    S_M("PrepareProviderConfig", s_prepare_provider_config),
    S_M("ValidateResourceTypeConfig", rpc6_validate_resource_config),
    S_M("ValidateDataSourceConfig", rpc6_validate_data_resource_config),
    S_M("UpgradeResourceState", rpc6_upgrade_resource_state),
    S_M("Configure", rpc6_configure_provider),
    S_M("ReadResource", rpc6_read_resource),
    S_M("PlanResourceChange", rpc6_plan_resource_change),
    S_M("ApplyResourceChange", rpc6_apply_resource_change),
    S_M("ImportResourceState", rpc6_import_resource_state),
    S_M("MoveResourceState", rpc6_move_resource_state),
    S_M("ReadDataSource", rpc6_read_data_source),
    S_M("ValidateEphemeralResourceConfig", rpc6_validate_ephemeral_resource_config),
    S_M("OpenEphemeralResource", rpc6_open_ephemeral_resource),
    S_M("RenewEphemeralResource", rpc6_renew_ephemeral_resource),
    S_M("CloseEphemeralResource", rpc6_close_ephemeral_resource),
    S_M("GetFunctions", rpc6_get_functions),
    S_M("CallFunction", rpc6_call_function),
    S_M("Stop", rpc6_stop_provider),
};

const struct tfp_method *rpc5_methods(size_t *count) {
    *count = sizeof(s_methods) / sizeof(s_methods[0]);
    return s_methods;
}
