/*
 * rpc6: tfplugin6.Provider handlers: protobuf-c messages <-> provider.h calls.
 *
 * Follows hashicorp/terraform docs/plugin-protocol/tfplugin6.8.proto (our copy:
 * proto/tfplugin6.proto) and object-wire-format.md for DynamicValue.
 *
 * Every handler has the same shape: unpack the request (malformed bytes are an
 * INVALID_ARGUMENT status, the only non-OK status we send; everything the user can
 * cause is a diagnostic), decode values, call the provider, build the response from
 * memory owned by a per-call arena (struct rpc_arena) and the call's own buffers, pack,
 * free. Responses point into diag lists and value buffers that live until the pack.
 *
 * The handlers and helpers named rpc6_* are shared with protocol 5 (rpc6_shared.h):
 * rpc5.c serves them under the tfplugin5 method names, whose messages are the same on
 * the wire. The others (GetProviderSchema, ValidateProviderConfig) are protocol 6 only.
 */
#include "rpc6.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "provider.h"
#include "rpc6_shared.h"
#include "rpc_common.h"
#include "schema.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"
#include "tpd_log.h"
#include "tpd_text.h"

/* ---- paths and diagnostics ------------------------------------------------------ */

/* AttributePath message for p; step strings are borrowed from p. */
static Tfplugin6__AttributePath *s_path_msg(struct rpc_arena *a, const struct tfv_path *p) {
    Tfplugin6__AttributePath *m = rpc_alloc(a, 1, sizeof(*m));
    Tfplugin6__AttributePath__Step *steps = rpc_alloc(a, p->count, sizeof(*steps));
    Tfplugin6__AttributePath__Step **ptrs = rpc_alloc(a, p->count, sizeof(*ptrs));
    if (m == NULL || steps == NULL || ptrs == NULL) {
        return NULL;
    }
    tfplugin6__attribute_path__init(m);
    for (size_t i = 0; i < p->count; i++) {
        Tfplugin6__AttributePath__Step *s = &steps[i];
        tfplugin6__attribute_path__step__init(s);
        switch (p->steps[i].kind) {
            case TFV_STEP_ATTR:
                s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
                s->attribute_name = p->steps[i].name;
                break;
            case TFV_STEP_KEY_STRING:
                s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
                s->element_key_string = p->steps[i].name;
                break;
            case TFV_STEP_KEY_INT:
                s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
                s->element_key_int = p->steps[i].index;
                break;
        }
        ptrs[i] = s;
    }
    m->n_steps = p->count;
    m->steps = ptrs;
    return m;
}

/* Diagnostic messages for l (strings borrowed from l). */
Tfplugin6__Diagnostic **rpc6_diags_msg(struct rpc_arena *a, const struct diag_list *l, size_t *n) {
    *n = 0;
    if (l->count == 0) {
        return NULL;
    }
    Tfplugin6__Diagnostic *items = rpc_alloc(a, l->count, sizeof(*items));
    Tfplugin6__Diagnostic **ptrs = rpc_alloc(a, l->count, sizeof(*ptrs));
    if (items == NULL || ptrs == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < l->count; i++) {
        const struct diag *d = &l->items[i];
        tfplugin6__diagnostic__init(&items[i]);
        items[i].severity = d->severity == DIAG_WARNING ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING
                                                        : TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
        items[i].summary = d->summary ? d->summary : (char *)"";
        items[i].detail = d->detail ? d->detail : (char *)"";
        if (d->has_path && d->path.count > 0) {
            items[i].attribute = s_path_msg(a, &d->path);
        }
        ptrs[i] = &items[i];
    }
    *n = l->count;
    return ptrs;
}

/* ---- values --------------------------------------------------------------------- */

/*
 * Decode a DynamicValue (absent or empty: null). Terraform sends msgpack; json is
 * accepted because the protocol allows it. A failure adds an error diagnostic.
 */
bool rpc6_decode(
    const Tfplugin6__DynamicValue *dv,
    const struct tfv_type *type,
    const char *what,
    struct tfv **out,
    struct diag_list *diags) {
    *out = NULL;
    if (dv == NULL || (dv->msgpack.len == 0 && dv->json.len == 0)) {
        return true;
    }
    struct tpd_err err = {0};
    enum tpd_code rc;
    if (dv->msgpack.len > 0) {
        rc = tfv_decode_msgpack(
            (struct tpd_span){dv->msgpack.data, dv->msgpack.len}, type, out, &err);
    } else {
        rc = tfv_decode_json((struct tpd_span){dv->json.data, dv->json.len}, type, out, &err);
    }
    if (rc != TPD_OK) {
        tpd_err_prefix(&err, "decoding %s: ", what);
        diag_add_err(diags, NULL, "Invalid value from Terraform", &err);
    }
    tpd_err_clear(&err);
    return rc == TPD_OK;
}

/* Encode v (NULL: null) as a msgpack DynamicValue owned by the arena. */
Tfplugin6__DynamicValue *rpc6_encode(
    struct rpc_arena *a,
    const struct tfv *v,
    const struct tfv_type *type,
    const char *what,
    struct diag_list *diags) {
    Tfplugin6__DynamicValue *dv = rpc_alloc(a, 1, sizeof(*dv));
    if (dv == NULL) {
        return NULL;
    }
    tfplugin6__dynamic_value__init(dv);
    struct tpd_buf buf;
    tpd_buf_init(&buf, TPD_MAX_DEFAULT);
    struct tpd_err err = {0};
    if (tfv_encode_msgpack(v, type, &buf, &err) != TPD_OK) {
        tpd_err_prefix(&err, "encoding %s: ", what);
        diag_add_err(diags, NULL, "Provider produced a value it cannot encode", &err);
        tpd_buf_reset(&buf);
        if (tfv_encode_msgpack(NULL, type, &buf, NULL) != TPD_OK) {
            tpd_buf_reset(&buf); /* out of memory: an empty value, the diagnostic says why */
        }
    }
    tpd_err_clear(&err);
    dv->msgpack = rpc_take_bytes(a, &buf);
    tpd_buf_clear(&buf);
    return dv;
}

/* Block of a managed resource type, or an error diagnostic. */
static const struct schema_block *s_resource(const char *type_name, struct diag_list *diags) {
    const struct schema_block *b = schema_resource(rpc_str(type_name));
    if (b == NULL) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Unknown resource type",
            "The provider \"dynamodb\" has no resource type named \"%s\"; it supports %s.",
            rpc_str(type_name),
            SCHEMA_RESOURCE_TTL_TABLE);
    }
    return b;
}

/* ---- schema --------------------------------------------------------------------- */

static Tfplugin6__Schema__Object *s_object_msg(struct rpc_arena *a, const struct schema_object *o);

static Tfplugin6__Schema__Attribute *s_attr_msg(struct rpc_arena *a, const struct schema_attr *at) {
    Tfplugin6__Schema__Attribute *m = rpc_alloc(a, 1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    tfplugin6__schema__attribute__init(m);
    m->name = (char *)at->name;
    m->description = (char *)rpc_str(at->description);
    m->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
    m->required = at->required;
    m->optional = at->optional;
    m->computed = at->computed;
    m->sensitive = at->sensitive;
    if (at->nested) {
        /* Protocol 6 nested attribute: type stays empty, nested_type describes it. */
        m->nested_type = s_object_msg(a, at->nested);
    } else {
        struct tpd_buf t;
        tpd_buf_init(&t, 1 << 20);
        if (tfv_type_to_json(at->type, &t) != TPD_OK) {
            a->failed = true;
        }
        m->type = rpc_take_bytes(a, &t);
        tpd_buf_clear(&t);
    }
    return m;
}

static Tfplugin6__Schema__Attribute **
s_attrs_msg(struct rpc_arena *a, const struct schema_attr *attrs, size_t n) {
    Tfplugin6__Schema__Attribute **ptrs = rpc_alloc(a, n, sizeof(*ptrs));
    for (size_t i = 0; ptrs && i < n; i++) {
        ptrs[i] = s_attr_msg(a, &attrs[i]);
    }
    return ptrs;
}

static Tfplugin6__Schema__Object *s_object_msg(struct rpc_arena *a, const struct schema_object *o) {
    Tfplugin6__Schema__Object *m = rpc_alloc(a, 1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    tfplugin6__schema__object__init(m);
    m->n_attributes = o->attr_count;
    m->attributes = s_attrs_msg(a, o->attrs, o->attr_count);
    /* Object nesting has no GROUP; schema_nesting uses the same numbers otherwise. */
    m->nesting = o->nesting == SCHEMA_NEST_GROUP
                     ? TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__SINGLE
                     : (Tfplugin6__Schema__Object__NestingMode)o->nesting;
    return m;
}

static Tfplugin6__Schema__Block *s_block_msg(struct rpc_arena *a, const struct schema_block *b) {
    Tfplugin6__Schema__Block *m = rpc_alloc(a, 1, sizeof(*m));
    Tfplugin6__Schema__NestedBlock **nested = rpc_alloc(a, b->block_type_count, sizeof(*nested));
    if (m == NULL || nested == NULL) {
        return NULL;
    }
    tfplugin6__schema__block__init(m);
    m->version = b->version;
    m->description = (char *)rpc_str(b->description);
    m->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
    m->n_attributes = b->attr_count;
    m->attributes = s_attrs_msg(a, b->attrs, b->attr_count);
    for (size_t i = 0; i < b->block_type_count; i++) {
        const struct schema_block_type *bt = &b->block_types[i];
        Tfplugin6__Schema__NestedBlock *nb = rpc_alloc(a, 1, sizeof(*nb));
        if (nb == NULL) {
            return NULL;
        }
        tfplugin6__schema__nested_block__init(nb);
        nb->type_name = (char *)bt->type_name;
        nb->block = s_block_msg(a, bt->block);
        nb->nesting = (Tfplugin6__Schema__NestedBlock__NestingMode)bt->nesting;
        nb->min_items = bt->min_items;
        nb->max_items = bt->max_items;
        nested[i] = nb;
    }
    m->n_block_types = b->block_type_count;
    m->block_types = nested;
    return m;
}

static Tfplugin6__Schema *s_schema_msg(struct rpc_arena *a, const struct schema_block *b) {
    Tfplugin6__Schema *m = rpc_alloc(a, 1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    tfplugin6__schema__init(m);
    m->version = b->version;
    m->block = s_block_msg(a, b);
    return m;
}

/* Capabilities announced in GetMetadata and GetProviderSchema. */
Tfplugin6__ServerCapabilities *rpc6_caps_msg(struct rpc_arena *a) {
    Tfplugin6__ServerCapabilities *c = rpc_alloc(a, 1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    tfplugin6__server_capabilities__init(c);
    /* We refuse destroys of protected tables at plan time, so we need the destroy plan
     * call (docs/plugin-protocol.md §5; docs/resource.md "Plan"). The schema is cheap: no
     * need to let Terraform cache it. */
    c->plan_destroy = true;
    c->get_provider_schema_optional = false;
    /* MoveResourceState takes `moved` blocks from hashicorp/aws's aws_dynamodb_table
     * (provider/resource/private/move_state.h). */
    c->move_resource_state = true;
    return c;
}

/* ---- provider information ------------------------------------------------------- */

void rpc6_get_metadata(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    (void)ctx;
    RPC_UNPACK(Tfplugin6__GetMetadata__Request, tfplugin6__get_metadata__request, reply, in, req);
    struct rpc_arena a = {0};
    Tfplugin6__GetMetadata__Response resp = TFPLUGIN6__GET_METADATA__RESPONSE__INIT;
    Tfplugin6__GetMetadata__ResourceMetadata res = TFPLUGIN6__GET_METADATA__RESOURCE_METADATA__INIT;
    Tfplugin6__GetMetadata__ResourceMetadata *resources[1] = {&res};
    Tfplugin6__GetMetadata__DataSourceMetadata ds =
        TFPLUGIN6__GET_METADATA__DATA_SOURCE_METADATA__INIT;
    Tfplugin6__GetMetadata__DataSourceMetadata *data_sources[1] = {&ds};
    res.type_name = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    ds.type_name = (char *)SCHEMA_DATA_TTL_TABLE;
    resp.server_capabilities = rpc6_caps_msg(&a);
    resp.n_resources = 1;
    resp.resources = resources;
    resp.n_data_sources = 1;
    resp.data_sources = data_sources;
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

static void s_get_provider_schema(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    (void)ctx;
    RPC_UNPACK(
        Tfplugin6__GetProviderSchema__Request,
        tfplugin6__get_provider_schema__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    Tfplugin6__GetProviderSchema__Response resp = TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__INIT;
    Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry entry =
        TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__RESOURCE_SCHEMAS_ENTRY__INIT;
    Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *entries[1] = {&entry};
    Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry ds_entry =
        TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__DATA_SOURCE_SCHEMAS_ENTRY__INIT;
    Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry *ds_entries[1] = {&ds_entry};
    entry.key = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    entry.value = s_schema_msg(&a, schema_ttl_table());
    ds_entry.key = (char *)SCHEMA_DATA_TTL_TABLE;
    ds_entry.value = s_schema_msg(&a, schema_ttl_table_data());
    resp.provider = s_schema_msg(&a, schema_provider());
    resp.n_resource_schemas = 1;
    resp.resource_schemas = entries;
    resp.n_data_source_schemas = 1;
    resp.data_source_schemas = ds_entries;
    resp.server_capabilities = rpc6_caps_msg(&a);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- provider configuration ----------------------------------------------------- */

static void s_validate_provider_config(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
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
    if (rpc6_decode(
            req->config, schema_provider()->type, "provider configuration", &config, &diags)) {
        provider_validate_provider_config(ctx, config, &diags);
    }
    Tfplugin6__ValidateProviderConfig__Response resp =
        TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__RESPONSE__INIT;
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(config);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_configure_provider(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ConfigureProvider__Request,
        tfplugin6__configure_provider__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *config = NULL;
    TPD_DEBUG("ConfigureProvider from Terraform %s", rpc_str(req->terraform_version));
    if (rpc6_decode(
            req->config, schema_provider()->type, "provider configuration", &config, &diags)) {
        provider_configure(ctx, config, &diags);
    }
    Tfplugin6__ConfigureProvider__Response resp = TFPLUGIN6__CONFIGURE_PROVIDER__RESPONSE__INIT;
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(config);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- managed resources ---------------------------------------------------------- */

void rpc6_validate_resource_config(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ValidateResourceConfig__Request,
        tfplugin6__validate_resource_config__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *config = NULL;
    const struct schema_block *b = s_resource(req->type_name, &diags);
    if (b && rpc6_decode(req->config, b->type, "resource configuration", &config, &diags)) {
        provider_validate_resource_config(ctx, req->type_name, config, &diags);
    }
    Tfplugin6__ValidateResourceConfig__Response resp =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__RESPONSE__INIT;
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(config);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_upgrade_resource_state(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__UpgradeResourceState__Request,
        tfplugin6__upgrade_resource_state__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *state = NULL;
    Tfplugin6__UpgradeResourceState__Response resp =
        TFPLUGIN6__UPGRADE_RESOURCE_STATE__RESPONSE__INIT;
    const struct schema_block *b = s_resource(req->type_name, &diags);
    if (b) {
        if (req->raw_state && req->raw_state->json.len > 0) {
            provider_upgrade_resource_state(
                ctx, req->type_name, req->version, rpc_span(req->raw_state->json), &state, &diags);
        } else if (req->raw_state && req->raw_state->n_flatmap > 0) {
            /* Flatmap state predates Terraform 0.12; this provider never wrote it. */
            diag_add(
                &diags,
                DIAG_ERROR,
                NULL,
                "Unsupported state format",
                "The state of this %s is in the legacy flatmap format, which this provider "
                "never wrote. Remove it from state and import it again.",
                req->type_name);
        }
        resp.upgraded_state = rpc6_encode(&a, state, b->type, "upgraded state", &diags);
    }
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(state);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_read_resource(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(Tfplugin6__ReadResource__Request, tfplugin6__read_resource__request, reply, in, req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *current = NULL, *new_state = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, TPD_MAX_DEFAULT);
    Tfplugin6__ReadResource__Response resp = TFPLUGIN6__READ_RESOURCE__RESPONSE__INIT;
    const struct schema_block *b = s_resource(req->type_name, &diags);
    if (b && rpc6_decode(req->current_state, b->type, "current state", &current, &diags)) {
        provider_read_resource(
            ctx, req->type_name, current, rpc_span(req->private_), &new_state, &priv, &diags);
        resp.new_state = rpc6_encode(&a, new_state, b->type, "new state", &diags);
        resp.private_ = rpc_bytes(&a, &priv);
    } else if (b) {
        /* Could not decode: hand back what Terraform sent so state is not lost. */
        resp.new_state = req->current_state;
        resp.private_ = req->private_;
    }
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tpd_buf_clear(&priv);
    tfv_free(current);
    tfv_free(new_state);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_plan_resource_change(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__PlanResourceChange__Request,
        tfplugin6__plan_resource_change__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *prior = NULL, *proposed = NULL, *config = NULL, *planned = NULL;
    struct provider_path_list replace = {0};
    struct tpd_buf priv;
    tpd_buf_init(&priv, TPD_MAX_DEFAULT);
    Tfplugin6__PlanResourceChange__Response resp = TFPLUGIN6__PLAN_RESOURCE_CHANGE__RESPONSE__INIT;
    const struct schema_block *b = s_resource(req->type_name, &diags);
    if (b && rpc6_decode(req->prior_state, b->type, "prior state", &prior, &diags) &&
        rpc6_decode(req->proposed_new_state, b->type, "proposed new state", &proposed, &diags) &&
        rpc6_decode(req->config, b->type, "configuration", &config, &diags)) {
        provider_plan_resource_change(
            ctx,
            req->type_name,
            prior,
            proposed,
            config,
            rpc_span(req->prior_private),
            &planned,
            &replace,
            &priv,
            &diags);
        resp.planned_state = rpc6_encode(&a, planned, b->type, "planned state", &diags);
        resp.planned_private = rpc_bytes(&a, &priv);
        if (replace.count > 0) {
            resp.requires_replace = rpc_alloc(&a, replace.count, sizeof(*resp.requires_replace));
            for (size_t i = 0; resp.requires_replace && i < replace.count; i++) {
                resp.requires_replace[i] = s_path_msg(&a, &replace.paths[i]);
            }
            resp.n_requires_replace = resp.requires_replace ? replace.count : 0;
        }
    }
    resp.legacy_type_system = false; /* only for the legacy Go SDK (proto comment) */
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tpd_buf_clear(&priv);
    provider_path_list_clear(&replace);
    tfv_free(prior);
    tfv_free(proposed);
    tfv_free(config);
    tfv_free(planned);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_apply_resource_change(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ApplyResourceChange__Request,
        tfplugin6__apply_resource_change__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *prior = NULL, *planned = NULL, *config = NULL, *new_state = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, TPD_MAX_DEFAULT);
    Tfplugin6__ApplyResourceChange__Response resp =
        TFPLUGIN6__APPLY_RESOURCE_CHANGE__RESPONSE__INIT;
    const struct schema_block *b = s_resource(req->type_name, &diags);
    if (b && rpc6_decode(req->prior_state, b->type, "prior state", &prior, &diags) &&
        rpc6_decode(req->planned_state, b->type, "planned state", &planned, &diags) &&
        rpc6_decode(req->config, b->type, "configuration", &config, &diags)) {
        provider_apply_resource_change(
            ctx,
            req->type_name,
            prior,
            planned,
            config,
            rpc_span(req->planned_private),
            &new_state,
            &priv,
            &diags);
        resp.new_state = rpc6_encode(&a, new_state, b->type, "new state", &diags);
        resp.private_ = rpc_bytes(&a, &priv);
    } else if (b) {
        /* Nothing was done: the object is as it was before. */
        resp.new_state = req->prior_state;
    }
    resp.legacy_type_system = false;
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tpd_buf_clear(&priv);
    tfv_free(prior);
    tfv_free(planned);
    tfv_free(config);
    tfv_free(new_state);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_import_resource_state(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ImportResourceState__Request,
        tfplugin6__import_resource_state__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *state = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, TPD_MAX_DEFAULT);
    Tfplugin6__ImportResourceState__Response resp =
        TFPLUGIN6__IMPORT_RESOURCE_STATE__RESPONSE__INIT;
    Tfplugin6__ImportResourceState__ImportedResource res =
        TFPLUGIN6__IMPORT_RESOURCE_STATE__IMPORTED_RESOURCE__INIT;
    Tfplugin6__ImportResourceState__ImportedResource *list[1] = {&res};
    const struct schema_block *b = s_resource(req->type_name, &diags);
    if (b) {
        provider_import_resource_state(
            ctx, req->type_name, rpc_str(req->id), &state, &priv, &diags);
        if (state != NULL && !diag_list_has_errors(&diags)) {
            res.type_name = req->type_name;
            res.state = rpc6_encode(&a, state, b->type, "imported state", &diags);
            res.private_ = rpc_bytes(&a, &priv);
            resp.n_imported_resources = 1;
            resp.imported_resources = list;
        }
    }
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tpd_buf_clear(&priv);
    tfv_free(state);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_move_resource_state(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__MoveResourceState__Request,
        tfplugin6__move_resource_state__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *state = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, TPD_MAX_DEFAULT);
    Tfplugin6__MoveResourceState__Response resp = TFPLUGIN6__MOVE_RESOURCE_STATE__RESPONSE__INIT;
    const struct schema_block *b = s_resource(req->target_type_name, &diags);
    if (b) {
        /* source_state is JSON only (the proto says so: no provider that moves state
         * writes flatmap). */
        struct provider_move_request m = {
            .source_provider_address = rpc_str(req->source_provider_address),
            .source_type_name = rpc_str(req->source_type_name),
            .source_schema_version = req->source_schema_version,
            .source_state_json =
                req->source_state ? rpc_span(req->source_state->json) : (struct tpd_span){0},
            .target_type_name = rpc_str(req->target_type_name),
        };
        provider_move_resource_state(ctx, &m, &state, &priv, &diags);
        if (state != NULL && !diag_list_has_errors(&diags)) {
            resp.target_state = rpc6_encode(&a, state, b->type, "moved state", &diags);
            resp.target_private = rpc_bytes(&a, &priv);
        }
    }
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tpd_buf_clear(&priv);
    tfv_free(state);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- data sources --------------------------------------------------------------- */

/* Block of a data source type, or an error diagnostic. */
static const struct schema_block *s_data_source(const char *type_name, struct diag_list *diags) {
    const struct schema_block *b = schema_data_source(rpc_str(type_name));
    if (b == NULL) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Unknown data source",
            "The provider \"dynamodb\" has no data source named \"%s\"; it has %s.",
            rpc_str(type_name),
            SCHEMA_DATA_TTL_TABLE);
    }
    return b;
}

void rpc6_validate_data_resource_config(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ValidateDataResourceConfig__Request,
        tfplugin6__validate_data_resource_config__request,
        reply,
        in,
        req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *config = NULL;
    const struct schema_block *b = s_data_source(req->type_name, &diags);
    if (b && rpc6_decode(req->config, b->type, "data source configuration", &config, &diags)) {
        provider_validate_data_source_config(ctx, req->type_name, config, &diags);
    }
    Tfplugin6__ValidateDataResourceConfig__Response resp =
        TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__RESPONSE__INIT;
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(config);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_read_data_source(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(
        Tfplugin6__ReadDataSource__Request, tfplugin6__read_data_source__request, reply, in, req);
    struct rpc_arena a = {0};
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *config = NULL, *state = NULL;
    Tfplugin6__ReadDataSource__Response resp = TFPLUGIN6__READ_DATA_SOURCE__RESPONSE__INIT;
    const struct schema_block *b = s_data_source(req->type_name, &diags);
    if (b && rpc6_decode(req->config, b->type, "data source configuration", &config, &diags)) {
        provider_read_data_source(ctx, req->type_name, config, &state, &diags);
        if (state != NULL) {
            resp.state = rpc6_encode(&a, state, b->type, "data source state", &diags);
        }
    }
    resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);
    rpc_pack(&resp.base, &a, reply);
    rpc_arena_free(&a);
    tfv_free(config);
    tfv_free(state);
    diag_list_clear(&diags);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- features this provider does not have ------------------------------------- */

static void s_no_such(struct diag_list *diags, const char *kind, const char *type_name) {
    diag_add(
        diags,
        DIAG_ERROR,
        NULL,
        "Unsupported type",
        "The provider \"dynamodb\" has no %s named \"%s\"; it has no %ss at all.",
        kind,
        rpc_str(type_name),
        kind);
}

/* Handlers whose response is only diagnostics: one per request type, sharing a body. */
#define S_DIAG_ONLY(fn, Req, req_lc, Resp, RESP_INIT, kind)                                        \
    void fn(void *ctx, struct tpd_span in, struct tfp_reply *reply) {                              \
        (void)ctx;                                                                                 \
        RPC_UNPACK(Req, req_lc, reply, in, req);                                                   \
        struct rpc_arena a = {0};                                                                  \
        struct diag_list diags;                                                                    \
        diag_list_init(&diags);                                                                    \
        s_no_such(&diags, kind, req->type_name);                                                   \
        Resp resp = RESP_INIT;                                                                     \
        resp.diagnostics = rpc6_diags_msg(&a, &diags, &resp.n_diagnostics);                        \
        rpc_pack(&resp.base, &a, reply);                                                           \
        rpc_arena_free(&a);                                                                        \
        diag_list_clear(&diags);                                                                   \
        protobuf_c_message_free_unpacked(&req->base, NULL);                                        \
    }

S_DIAG_ONLY(
    rpc6_validate_ephemeral_resource_config,
    Tfplugin6__ValidateEphemeralResourceConfig__Request,
    tfplugin6__validate_ephemeral_resource_config__request,
    Tfplugin6__ValidateEphemeralResourceConfig__Response,
    TFPLUGIN6__VALIDATE_EPHEMERAL_RESOURCE_CONFIG__RESPONSE__INIT,
    "ephemeral resource")
S_DIAG_ONLY(
    rpc6_open_ephemeral_resource,
    Tfplugin6__OpenEphemeralResource__Request,
    tfplugin6__open_ephemeral_resource__request,
    Tfplugin6__OpenEphemeralResource__Response,
    TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__RESPONSE__INIT,
    "ephemeral resource")
S_DIAG_ONLY(
    rpc6_renew_ephemeral_resource,
    Tfplugin6__RenewEphemeralResource__Request,
    tfplugin6__renew_ephemeral_resource__request,
    Tfplugin6__RenewEphemeralResource__Response,
    TFPLUGIN6__RENEW_EPHEMERAL_RESOURCE__RESPONSE__INIT,
    "ephemeral resource")
S_DIAG_ONLY(
    rpc6_close_ephemeral_resource,
    Tfplugin6__CloseEphemeralResource__Request,
    tfplugin6__close_ephemeral_resource__request,
    Tfplugin6__CloseEphemeralResource__Response,
    TFPLUGIN6__CLOSE_EPHEMERAL_RESOURCE__RESPONSE__INIT,
    "ephemeral resource")

/* Terraform calls GetFunctions on every provider: answer "no functions", no error. */
void rpc6_get_functions(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    (void)ctx;
    RPC_UNPACK(Tfplugin6__GetFunctions__Request, tfplugin6__get_functions__request, reply, in, req);
    struct rpc_arena a = {0};
    Tfplugin6__GetFunctions__Response resp = TFPLUGIN6__GET_FUNCTIONS__RESPONSE__INIT;
    rpc_pack(&resp.base, &a, reply);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

void rpc6_call_function(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    (void)ctx;
    RPC_UNPACK(Tfplugin6__CallFunction__Request, tfplugin6__call_function__request, reply, in, req);
    struct rpc_arena a = {0};
    struct tpd_text text;
    tpd_text_init(&text, TPD_MAX_ERROR_MSG);
    tpd_text_printf(
        &text, "The provider \"dynamodb\" has no function named \"%s\".", rpc_str(req->name));
    Tfplugin6__CallFunction__Response resp = TFPLUGIN6__CALL_FUNCTION__RESPONSE__INIT;
    Tfplugin6__FunctionError ferr = TFPLUGIN6__FUNCTION_ERROR__INIT;
    ferr.text = (char *)tpd_text_cstr_or(
        &text, "The provider \"dynamodb\" has no function of the name called.");
    resp.error = &ferr;
    rpc_pack(&resp.base, &a, reply);
    tpd_text_clear(&text);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- stop ----------------------------------------------------------------------- */

void rpc6_stop_provider(void *ctx, struct tpd_span in, struct tfp_reply *reply) {
    RPC_UNPACK(Tfplugin6__StopProvider__Request, tfplugin6__stop_provider__request, reply, in, req);
    struct rpc_arena a = {0};
    TPD_INFO("StopProvider: stopping in-flight operations");
    provider_stop(ctx);
    Tfplugin6__StopProvider__Response resp = TFPLUGIN6__STOP_PROVIDER__RESPONSE__INIT;
    resp.error = (char *)""; /* empty: stopped */
    rpc_pack(&resp.base, &a, reply);
    protobuf_c_message_free_unpacked(&req->base, NULL);
}

/* ---- table ---------------------------------------------------------------------- */

#define S_M(name, fn)                                                                              \
    { "/tfplugin6.Provider/" name, fn }

static const struct tfp_method s_methods[] = {
    S_M("GetMetadata", rpc6_get_metadata),
    S_M("GetProviderSchema", s_get_provider_schema),
    S_M("ValidateProviderConfig", s_validate_provider_config),
    S_M("ValidateResourceConfig", rpc6_validate_resource_config),
    S_M("ValidateDataResourceConfig", rpc6_validate_data_resource_config),
    S_M("UpgradeResourceState", rpc6_upgrade_resource_state),
    S_M("ConfigureProvider", rpc6_configure_provider),
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
    S_M("StopProvider", rpc6_stop_provider),
};

const struct tfp_method *rpc6_methods(size_t *count) {
    *count = sizeof(s_methods) / sizeof(s_methods[0]);
    return s_methods;
}
