/*
 * Unit tests of repair_plan (provider/resource/repair_plan.c): the ordered DynamoDB calls
 * that set a table back to its configuration — the order, the capacities an index needs
 * when the table switches to PROVISIONED, the refusal of a TTL rename, and the attribute
 * definitions an index creation carries. The differences come from drift_compute, as in
 * execute.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "repair_plan.h"

static char *s_dup(const char *s) {
    return s ? strdup(s) : NULL;
}

static void s_key(struct table_key *k, const char *name, const char *type) {
    k->name = s_dup(name);
    k->type = s_dup(type);
}

/* A GSI on hash (type S), with range (type N) when not NULL; *x is zeroed. */
static void s_gsi(struct table_index *x, const char *name, const char *hash, const char *range) {
    x->name = s_dup(name);
    s_key(&x->hash, hash, "S");
    if (range) {
        s_key(&x->range, range, "N");
    }
    x->projection = s_dup("ALL");
}

/* Table t (key id S), PAY_PER_REQUEST, nothing else. */
static void s_spec(struct table_spec *s) {
    memset(s, 0, sizeof(*s));
    s->name = s_dup("t");
    s_key(&s->hash, "id", "S");
}

static void s_live(struct table_live *t) {
    memset(t, 0, sizeof(*t));
    t->exists = true;
    s_spec(&t->spec);
    t->arn = s_dup("arn:aws:dynamodb:us-east-1:123456789012:table/t");
    t->status = s_dup("ACTIVE");
    t->ttl_status = s_dup("DISABLED");
    t->tags_read = true;
}

static void
s_tags(struct table_spec *s, const char *k1, const char *v1, const char *k2, const char *v2) {
    s->tags = calloc(2, sizeof(*s->tags));
    s->tags[s->tag_count].key = s_dup(k1);
    s->tags[s->tag_count++].value = s_dup(v1);
    if (k2) {
        s->tags[s->tag_count].key = s_dup(k2);
        s->tags[s->tag_count++].value = s_dup(v2);
    }
}

/* The plan for want over live; the steps' `what` joined by "; ". */
static enum tpd_code s_build(
    const struct table_spec *want,
    const struct table_live *live,
    struct repair_plan *p,
    struct tpd_err *err,
    char *whats,
    size_t cap) {
    struct drift_plan d = {0};
    assert_int_equal(drift_compute(want, live, &d), TPD_OK);
    enum tpd_code rc = repair_plan_build(&d, live, want, p, err);
    drift_plan_clear(&d);
    size_t n = 0;
    whats[0] = 0;
    for (size_t i = 0; i < p->count && n < cap; i++) {
        n += (size_t)snprintf(whats + n, cap - n, "%s%s", i ? "; " : "", p->steps[i].what);
    }
    return rc;
}

/* Protection turning on goes first, so the table is safe as early as possible; one
 * UpdateTable per change; another stream view type disables the old stream first; TTL
 * last. */
static void test_order_protection_on(void **state) {
    (void)state;
    struct table_live live;
    struct table_spec want;
    s_live(&live);
    s_spec(&want);
    live.spec.stream_view_type = s_dup("NEW_IMAGE");
    s_tags(&live.spec, "a", "1", "old", "x");
    want.deletion_protection = true;
    want.provisioned = true;
    want.read_capacity = 5;
    want.write_capacity = 4;
    want.gsis = calloc(1, sizeof(*want.gsis));
    s_gsi(&want.gsis[want.gsi_count++], "gsi_b", "b", NULL);
    want.stream_view_type = s_dup("KEYS_ONLY");
    want.sse = true;
    want.sse_kms_key = s_dup("arn:aws:kms:us-east-1:123456789012:key/k1");
    want.table_class = s_dup("STANDARD_INFREQUENT_ACCESS");
    want.pitr = true;
    want.contributor_insights = true;
    s_tags(&want, "a", "2", NULL, NULL);
    want.ttl.attribute = s_dup("expires");
    want.ttl.enabled = true;
    struct repair_plan p;
    struct tpd_err err = {0};
    char whats[1024];
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(
        whats,
        "switching deletion protection on; setting the billing mode and capacity; creating a "
        "missing index; disabling the stream; enabling the stream; setting the encryption key; "
        "setting the table class; setting point-in-time recovery; setting contributor insights; "
        "setting tags; removing tags; setting Time to Live");
    assert_string_equal(p.table, "t");
    assert_string_equal(p.arn, live.arn);
    const struct repair_step *s = p.steps;
    assert_int_equal(s[0].deletion_protection, REPAIR_ON);
    assert_string_equal(s[1].billing_mode, "PROVISIONED");
    assert_int_equal(s[1].read_capacity, 5);
    assert_int_equal(s[1].write_capacity, 4);
    assert_string_equal(s[2].index.name, "gsi_b");
    assert_int_equal(s[3].stream, REPAIR_OFF);
    assert_int_equal(s[4].stream, REPAIR_ON);
    assert_string_equal(s[4].stream_view_type, "KEYS_ONLY");
    assert_int_equal(s[5].sse, REPAIR_ON);
    assert_string_equal(s[5].sse_kms_key, want.sse_kms_key);
    assert_string_equal(s[6].table_class, "STANDARD_INFREQUENT_ACCESS");
    assert_true(s[7].on && s[8].on);
    assert_int_equal(s[9].tag_count, 1);
    assert_string_equal(s[9].tags[0].value, "2");
    assert_int_equal(s[10].key_count, 1);
    assert_string_equal(s[10].keys[0], "old");
    assert_true(s[11].on);
    assert_string_equal(s[11].ttl_attribute, "expires");
    repair_plan_clear(&p);
    table_spec_clear(&want);
    table_live_clear(&live);
    tpd_err_clear(&err);
}

/* Protection turning off goes after every other UpdateTable (the table stays protected
 * while it changes); TTL still last. */
static void test_order_protection_off(void **state) {
    (void)state;
    struct table_live live;
    struct table_spec want;
    s_live(&live);
    s_spec(&want);
    live.spec.deletion_protection = true;
    live.spec.ttl.attribute = s_dup("expires");
    live.spec.ttl.enabled = true;
    free(live.ttl_status);
    live.ttl_status = s_dup("ENABLED");
    want.on_demand_read = 100;
    want.ttl.attribute = s_dup("expires");
    want.ttl.enabled = false;
    want.pitr = true;
    struct repair_plan p;
    struct tpd_err err = {0};
    char whats[512];
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(
        whats,
        "setting on-demand throughput limits; switching deletion protection off; setting "
        "point-in-time recovery; setting Time to Live");
    assert_true(p.steps[0].on_demand);
    assert_int_equal(p.steps[0].on_demand_read, 100);
    assert_int_equal(p.steps[0].on_demand_write, -1); /* no limit */
    assert_int_equal(p.steps[1].deletion_protection, REPAIR_OFF);
    assert_false(p.steps[3].on);
    assert_string_equal(p.steps[3].ttl_attribute, "expires");
    repair_plan_clear(&p);
    table_spec_clear(&want);
    table_live_clear(&live);
    tpd_err_clear(&err);
}

/* Switching to PROVISIONED needs a capacity for every index: the configured one, else the
 * table's. Capacities alone (no switch) are one step of their own. */
static void test_capacities_on_switch_to_provisioned(void **state) {
    (void)state;
    struct table_live live;
    struct table_spec want;
    s_live(&live);
    s_spec(&want);
    live.spec.gsis = calloc(2, sizeof(*live.spec.gsis));
    s_gsi(&live.spec.gsis[0], "g_a", "a", NULL);
    s_gsi(&live.spec.gsis[1], "g_b", "b", NULL);
    live.spec.gsi_count = 2;
    for (size_t i = 0; i < 2; i++) {
        live.spec.gsis[i].status = s_dup("ACTIVE");
    }
    want.provisioned = true;
    want.read_capacity = 7;
    want.write_capacity = 3;
    want.gsis = calloc(2, sizeof(*want.gsis));
    s_gsi(&want.gsis[0], "g_a", "a", NULL);
    s_gsi(&want.gsis[1], "g_b", "b", NULL);
    want.gsi_count = 2;
    want.gsis[0].read_capacity = 5;
    want.gsis[0].write_capacity = 6;
    struct repair_plan p;
    struct tpd_err err = {0};
    char whats[512];
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(whats, "setting the billing mode and capacity");
    const struct repair_step *s = &p.steps[0];
    assert_string_equal(s->billing_mode, "PROVISIONED");
    assert_int_equal(s->read_capacity, 7);
    assert_int_equal(s->write_capacity, 3);
    assert_int_equal(s->gsi_capacity_count, 2);
    assert_string_equal(s->gsi_capacity[0].name, "g_a");
    assert_int_equal(s->gsi_capacity[0].read_capacity, 5);
    assert_int_equal(s->gsi_capacity[0].write_capacity, 6);
    assert_string_equal(s->gsi_capacity[1].name, "g_b");
    assert_int_equal(s->gsi_capacity[1].read_capacity, 7);
    assert_int_equal(s->gsi_capacity[1].write_capacity, 3);
    repair_plan_clear(&p);
    /* Already PROVISIONED: only index capacities change, in a step of their own. */
    live.spec.provisioned = true;
    live.spec.read_capacity = 7;
    live.spec.write_capacity = 3;
    for (size_t i = 0; i < 2; i++) {
        live.spec.gsis[i].read_capacity = 7;
        live.spec.gsis[i].write_capacity = 3;
    }
    want.gsis[1].read_capacity = 7;
    want.gsis[1].write_capacity = 3;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(whats, "setting the capacity of indexes");
    assert_null(p.steps[0].billing_mode);
    assert_int_equal(p.steps[0].gsi_capacity_count, 1);
    assert_string_equal(p.steps[0].gsi_capacity[0].name, "g_a");
    assert_int_equal(p.steps[0].gsi_capacity[0].read_capacity, 5);
    repair_plan_clear(&p);
    table_spec_clear(&want);
    table_live_clear(&live);
    tpd_err_clear(&err);
}

/* An enabled TTL cannot move to another attribute: refused, naming the two steps. */
static void test_ttl_rename_refused(void **state) {
    (void)state;
    struct table_live live;
    struct table_spec want;
    s_live(&live);
    s_spec(&want);
    live.spec.ttl.attribute = s_dup("old_at");
    live.spec.ttl.enabled = true;
    free(live.ttl_status);
    live.ttl_status = s_dup("ENABLED");
    want.ttl.attribute = s_dup("new_at");
    want.ttl.enabled = true;
    want.deletion_protection = true; /* other changes do not make the rename go through */
    struct repair_plan p;
    struct tpd_err err = {0};
    char whats[256];
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_E_FAILED);
    assert_int_equal(p.count, 0);
    assert_non_null(strstr(err.msg, "enabled on \"old_at\", not \"new_at\""));
    assert_non_null(strstr(err.msg, "in two steps"));
    assert_non_null(
        strstr(err.msg, "set ttl = { attribute_name = \"old_at\", enabled = false } and apply"));
    repair_plan_clear(&p);
    table_spec_clear(&want);
    table_live_clear(&live);
    tpd_err_clear(&err);
}

/* "name:type, ..." of a step's attribute definitions. */
static void s_defs(const struct repair_step *s, char *out, size_t cap) {
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < s->attr_def_count && n < cap; i++) {
        n += (size_t)snprintf(
            out + n, cap - n, "%s%s:%s", i ? ", " : "", s->attr_defs[i].key, s->attr_defs[i].value);
    }
}

/* Each creation carries the definitions of every key of the table, of its indexes, of the
 * indexes created before it, and its own (UpdateTable replaces the definitions with what
 * the request carries). */
static void test_indexes_attribute_definitions(void **state) {
    (void)state;
    struct table_live live;
    s_live(&live);
    s_key(&live.spec.range, "ts", "N");
    live.spec.provisioned = true;
    live.spec.gsis = calloc(1, sizeof(*live.spec.gsis));
    s_gsi(&live.spec.gsis[0], "g_a", "a", NULL);
    live.spec.gsi_count = 1;
    struct table_index xs[2] = {0};
    s_gsi(&xs[0], "g_b", "b", NULL);
    s_gsi(&xs[1], "g_c", "c", "ts");
    xs[0].read_capacity = xs[0].write_capacity = 2;
    struct repair_plan p;
    struct tpd_err err = {0};
    assert_int_equal(repair_plan_indexes(&live, xs, 2, &p, &err), TPD_OK);
    assert_int_equal(p.count, 2);
    char defs[256];
    s_defs(&p.steps[0], defs, sizeof defs);
    assert_string_equal(defs, "id:S, ts:N, a:S, b:S");
    s_defs(&p.steps[1], defs, sizeof defs);
    assert_string_equal(defs, "id:S, ts:N, a:S, b:S, c:S");
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(p.steps[i].kind, REPAIR_CREATE_INDEX);
        assert_string_equal(p.steps[i].what, "creating an index again");
        assert_true(p.steps[i].provisioned);
    }
    assert_string_equal(p.steps[0].index.name, "g_b");
    assert_int_equal(p.steps[0].index.read_capacity, 2);
    assert_string_equal(p.steps[1].index.range.name, "ts");
    repair_plan_clear(&p);
    /* Two types for one attribute: refused, naming it. */
    table_index_clear(&xs[1]);
    s_gsi(&xs[1], "g_c", "c", "a"); /* a as N, but g_a has it as S */
    assert_int_not_equal(repair_plan_indexes(&live, xs, 2, &p, &err), TPD_OK);
    assert_non_null(err.msg);
    assert_non_null(strstr(err.msg, "attribute a is a key with type S"));
    assert_int_equal(p.count, 0);
    repair_plan_clear(&p);
    table_index_clear(&xs[0]);
    table_index_clear(&xs[1]);
    table_live_clear(&live);
    tpd_err_clear(&err);
}

/* The recovery period: a period changed outside Terraform is set back with
 * UpdateContinuousBackups carrying the configured period (35 when not configured); a
 * table with recovery off and no period configured needs nothing. */
static void test_pitr_period(void **state) {
    (void)state;
    struct table_live live;
    struct table_spec want;
    s_live(&live);
    s_spec(&want);
    struct repair_plan p;
    struct tpd_err err = {0};
    char whats[256];
    live.spec.pitr = want.pitr = true;
    live.spec.pitr_days = 35;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_int_equal(p.count, 0); /* not configured = DynamoDB's 35 */
    repair_plan_clear(&p);
    live.spec.pitr_days = 7;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(whats, "setting point-in-time recovery");
    assert_int_equal(p.steps[0].kind, REPAIR_PITR);
    assert_true(p.steps[0].on);
    assert_int_equal(p.steps[0].pitr_days, 35);
    repair_plan_clear(&p);
    want.pitr_days = 14;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_int_equal(p.steps[0].pitr_days, 14);
    repair_plan_clear(&p);
    /* Switching off never carries a period (DynamoDB refuses one). */
    want.pitr = false;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_false(p.steps[0].on);
    assert_int_equal(p.steps[0].pitr_days, 0);
    repair_plan_clear(&p);
    table_spec_clear(&want);
    table_live_clear(&live);
}

/* Kinesis: another stream disables the old destination first; the same stream with another
 * precision is one update; the destination is compared only when it was read. Warm
 * throughput: raised where lower, never lowered (drift says so: warm_lower). */
static void test_kinesis_and_warm(void **state) {
    (void)state;
    struct table_live live;
    struct table_spec want;
    s_live(&live);
    s_spec(&want);
    struct repair_plan p;
    struct tpd_err err = {0};
    char whats[256];
    live.features_read = true;
    live.spec.kinesis_arn = s_dup("arn:aws:kinesis:us-east-1:123456789012:stream/a");
    live.spec.kinesis_precision = s_dup("MILLISECOND");
    want.kinesis_arn = s_dup("arn:aws:kinesis:us-east-1:123456789012:stream/b");
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(
        whats, "disabling the Kinesis destination; enabling the Kinesis destination");
    assert_string_equal(p.steps[0].kinesis_arn, live.spec.kinesis_arn);
    assert_string_equal(p.steps[1].kinesis_arn, want.kinesis_arn);
    assert_string_equal(p.steps[1].kinesis_precision, "MILLISECOND");
    repair_plan_clear(&p);
    free(want.kinesis_arn);
    want.kinesis_arn = s_dup(live.spec.kinesis_arn);
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_int_equal(p.count, 0); /* MILLISECOND is the default */
    repair_plan_clear(&p);
    want.kinesis_precision = s_dup("MICROSECOND");
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(whats, "setting the Kinesis destination's precision");
    assert_string_equal(p.steps[0].kinesis_precision, "MICROSECOND");
    repair_plan_clear(&p);
    live.features_read = false;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_int_equal(p.count, 0);
    repair_plan_clear(&p);

    live.spec.warm_read = 12000;
    live.spec.warm_write = 4000;
    want.warm_read = 15000;
    assert_int_equal(s_build(&want, &live, &p, &err, whats, sizeof whats), TPD_OK);
    assert_string_equal(whats, "raising the warm throughput");
    assert_int_equal(p.steps[0].warm_read, 15000);
    assert_int_equal(p.steps[0].warm_write, 0); /* not managed: not sent */
    repair_plan_clear(&p);
    want.warm_read = 10000;
    struct drift_plan d;
    assert_int_equal(drift_compute(&want, &live, &d), TPD_OK);
    assert_true(d.warm_lower && !d.warm);
    drift_plan_clear(&d);
    table_spec_clear(&want);
    table_live_clear(&live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_protection_on),
        cmocka_unit_test(test_pitr_period),
        cmocka_unit_test(test_kinesis_and_warm),
        cmocka_unit_test(test_order_protection_off),
        cmocka_unit_test(test_capacities_on_switch_to_provisioned),
        cmocka_unit_test(test_ttl_rename_refused),
        cmocka_unit_test(test_indexes_attribute_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
