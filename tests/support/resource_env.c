/* The resource tests' harness over the fake world: resource_env.h. */
#include "resource_env.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan_claims.h"
#include "provider.h"
#include "tpd_log.h"
#include "ttl_table.h"

int renv_setup(void **state) {
    struct renv *e = calloc(1, sizeof(*e));
    if (!e) {
        return -1;
    }
    tpd_log_set_level(TPD_LOG_OFF);
    e->fc = fc_new();
    diag_list_init(&e->diags);
    tpd_buf_init(&e->priv, 0);
    *state = e;
    return 0;
}

int renv_teardown(void **state) {
    struct renv *e = *state;
    diag_list_clear(&e->diags);
    tpd_buf_clear(&e->priv);
    plan_claims_free(e->claims);
    fc_free(e->fc);
    free(e);
    return 0;
}

void renv_reset(struct renv *e) {
    diag_list_clear(&e->diags);
    diag_list_init(&e->diags);
    tpd_buf_reset(&e->priv);
}

void renv_dump(const struct renv *e) {
    for (size_t i = 0; i < e->diags.count; i++) {
        print_message(
            "diag %d: %s: %s\n",
            e->diags.items[i].severity,
            e->diags.items[i].summary,
            e->diags.items[i].detail);
    }
}

bool renv_has_diag(const struct renv *e, enum diag_severity sev, const char *text) {
    for (size_t i = 0; i < e->diags.count; i++) {
        const struct diag *d = &e->diags.items[i];
        if (d->severity == sev &&
            ((d->summary && strstr(d->summary, text)) || (d->detail && strstr(d->detail, text)))) {
            return true;
        }
    }
    return false;
}

bool renv_errors(const struct renv *e) {
    if (diag_list_has_errors(&e->diags)) {
        renv_dump(e);
        return true;
    }
    return false;
}

struct tfv *renv_apply(
    struct renv *e, const struct tfv *prior, const struct tfv *planned, struct tpd_span priv) {
    struct tfv *out = NULL;
    struct tfv *null = tfv_new_null();
    assert_non_null(null);
    renv_reset(e);
    ttl_table_apply(
        &e->fc->ops,
        prior ? prior : null,
        planned ? planned : null,
        planned ? planned : null,
        priv,
        &out,
        &e->priv,
        &e->diags);
    tfv_free(null);
    return out;
}

struct tfv *renv_plan_with(
    struct renv *e,
    const struct cloud_ops *ops,
    const struct tfv *prior,
    const struct tfv *proposed,
    struct tpd_span priv,
    size_t *replace_count) {
    struct tfv *planned = NULL;
    struct tfv *null = tfv_new_null();
    assert_non_null(null);
    struct provider_path_list rr = {0};
    renv_reset(e);
    ttl_table_plan(
        ops,
        e->claims,
        prior ? prior : null,
        proposed ? proposed : null,
        proposed ? proposed : null,
        priv,
        &planned,
        &rr,
        &e->priv,
        &e->diags);
    if (replace_count) {
        *replace_count = rr.count;
    }
    provider_path_list_clear(&rr);
    tfv_free(null);
    return planned;
}

struct tfv *renv_plan(
    struct renv *e, const struct tfv *prior, const struct tfv *proposed, struct tpd_span priv) {
    return renv_plan_with(e, &e->fc->ops, prior, proposed, priv, NULL);
}

struct tpd_span renv_no_priv(void) {
    return tpd_span_cstr("");
}

struct tpd_span renv_keep_priv(const struct renv *e, struct tpd_buf *b) {
    tpd_buf_init(b, 0);
    assert_int_equal(tpd_buf_append_span(b, tpd_buf_span(&e->priv)), TPD_OK);
    return tpd_buf_span(b);
}

struct tfv *renv_key(const char *name) {
    struct tfv *k = tfv_new_object();
    assert_non_null(k);
    assert_int_equal(tfv_map_set(k, "name", tfv_new_string(name)), TPD_OK);
    assert_int_equal(tfv_map_set(k, "type", tfv_new_string("S")), TPD_OK);
    return k;
}

struct tfv *renv_gsi_list(const char *const *names) {
    struct tfv *l = tfv_new_list();
    assert_non_null(l);
    for (size_t i = 0; names[i]; i++) {
        struct tfv *g = tfv_new_object();
        assert_non_null(g);
        assert_int_equal(tfv_map_set(g, "name", tfv_new_string(names[i])), TPD_OK);
        assert_int_equal(tfv_map_set(g, "hash_key", renv_key(names[i] + 4)), TPD_OK);
        assert_int_equal(tfv_map_set(g, "range_key", tfv_new_null()), TPD_OK);
        assert_int_equal(tfv_map_set(g, "projection_type", tfv_new_null()), TPD_OK);
        assert_int_equal(tfv_map_set(g, "non_key_attributes", tfv_new_null()), TPD_OK);
        assert_int_equal(tfv_map_set(g, "read_capacity", tfv_new_null()), TPD_OK);
        assert_int_equal(tfv_map_set(g, "write_capacity", tfv_new_null()), TPD_OK);
        assert_int_equal(tfv_list_append(l, g), TPD_OK);
    }
    return l;
}
