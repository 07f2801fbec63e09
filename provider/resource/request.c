/*
 * request: Terraform values -> typed request (see request.h).
 */
#include "request.h"

#include <stdlib.h>
#include <string.h>

#include "table_value.h"
#include "tpd_alloc.h"
#include "ttl_plan.h"

static bool s_copy(char **dst, const char *src) {
    *dst = src ? tpd_strdup(src) : NULL;
    return !src || *dst;
}

const char *request_stack_name(const struct tfv *v, char **owned) {
    *owned = NULL;
    const char *s = tfv_get_str(v, "stack_name");
    if (s) {
        return s;
    }
    const char *name = tfv_get_str(v, "name");
    *owned = name ? table_spec_default_stack_name(name) : NULL;
    return *owned;
}

static void s_prior_clear(struct request_prior *p) {
    free(p->name);
    free(p->stack_name);
    free(p->stack_id);
    free(p->owner_id);
    free(p->arn);
    memset(p, 0, sizeof(*p));
}

void request_clear(struct request *r) {
    s_prior_clear(&r->prior);
    table_spec_clear(&r->want);
    resource_private_clear(&r->priv);
    restore_spec_clear(&r->restore);
    memset(r, 0, sizeof(*r));
}

static enum tpd_code s_prior(const struct tfv *v, struct request_prior *p, struct tpd_err *err) {
    char *owned = NULL;
    const char *stack = request_stack_name(v, &owned);
    p->present = true;
    bool ok = s_copy(&p->name, tfv_get_str(v, "name")) && s_copy(&p->stack_name, stack) &&
              s_copy(&p->stack_id, tfv_get_str(v, "stack_id")) &&
              s_copy(&p->owner_id, tfv_get_str(v, "owner_id")) &&
              s_copy(&p->arn, tfv_get_str(v, "arn"));
    free(owned);
    if (!ok) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (!p->name) {
        return tpd_err_set(err, TPD_E_INVALID, "the state has no table name");
    }
    tfv_get_bool(v, "retain_on_destroy", &p->retain_on_destroy);
    /* A null or unknown value in state counts as protected: when in doubt, do not delete. */
    p->protection = true;
    tfv_get_bool(v, "deletion_protection_enabled", &p->protection);
    p->features = tfv_get_str(v, "resource_policy") ||
                  !tfv_is_null(tfv_get(v, "kinesis_streaming_destination"));
    return TPD_OK;
}

enum tpd_code request_decode(
    const struct tfv *prior,
    const struct tfv *planned,
    struct tpd_span private_bytes,
    struct request *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    resource_private_decode(private_bytes, &out->priv);
    bool has_prior = !tfv_is_null(prior), has_planned = !tfv_is_null(planned);
    out->op = !has_prior ? REQUEST_CREATE : has_planned ? REQUEST_UPDATE : REQUEST_DESTROY;
    enum tpd_code rc = TPD_OK;
    if (has_prior) {
        rc = s_prior(prior, &out->prior, err);
    }
    if (!rc && has_planned) {
        rc = table_value_to_spec(planned, prior, &out->want, err);
    }
    if (!rc && out->op == REQUEST_CREATE) {
        rc = restore_spec_decode(planned, &out->restore);
        if (rc) {
            rc = tpd_err_set(
                err,
                rc,
                rc == TPD_E_NOMEM ? "out of memory" : "restore is not known yet, or not valid");
        }
    }
    static const char *const kinds[] = {"create", "update", "delete"};
    out->timeout_ns = ttl_plan_timeout_ns(has_planned ? planned : prior, kinds[out->op]);
    out->explicit_destroy = out->priv.explicit_destroy;
    out->claim.owner_id = out->prior.owner_id;
    out->claim.stack_id = out->prior.stack_id;
    out->claim.replacing_owner = out->op == REQUEST_CREATE ? out->priv.replacing_owner : NULL;
    out->claim.replacing_stack_id = out->op == REQUEST_CREATE ? out->priv.replacing_stack_id : NULL;
    return rc;
}
