/*
 * Unit tests of drift (what differs between the live table and the configuration, and
 * how it is repaired) and of the adoption preview built on it: each setting, TTL's
 * rules (enable, disable under the live name, rename refused, changes in transition),
 * tags (set, change, remove, aws:* left alone), and the texts the plan shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "adoption.h"
#include "drift.h"
#include "tpd_alloc.h"

static void s_base(struct table_spec *s) {
    memset(s, 0, sizeof(*s));
    s->name = tpd_strdup("T");
    s->stack_name = tpd_strdup("stk");
    s->hash.name = tpd_strdup("id");
    s->hash.type = tpd_strdup("S");
    s->deletion_protection = true;
}

static void s_tags(struct table_spec *s, const char *const *kv, size_t n) {
    s->tags = tpd_calloc(n ? n : 1, sizeof(*s->tags));
    for (size_t i = 0; i < n; i++) {
        s->tags[i].key = tpd_strdup(kv[2 * i]);
        s->tags[i].value = tpd_strdup(kv[2 * i + 1]);
    }
    s->tag_count = n;
}

static void s_live(struct table_live *t) {
    memset(t, 0, sizeof(*t));
    t->exists = true;
    s_base(&t->spec);
    free(t->spec.stack_name);
    t->spec.stack_name = NULL;
    t->ttl_status = tpd_strdup("DISABLED");
    t->tags_read = true;
    t->item_count = 12;
}

static void s_ttl_live(struct table_live *t, const char *status, const char *attr) {
    free(t->ttl_status);
    t->ttl_status = tpd_strdup(status);
    free(t->spec.ttl.attribute);
    t->spec.ttl.attribute = attr ? tpd_strdup(attr) : NULL;
    t->spec.ttl.enabled = attr != NULL;
}

static void test_settings(void **state) {
    (void)state;
    struct table_spec w;
    struct table_live l;
    struct drift_plan p;
    s_base(&w);
    s_live(&l);
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(drift_plan_empty(&p));
    drift_plan_clear(&p);

    /* protection off outside; PROVISIONED 7/3 live and on-demand wanted; PITR on live. */
    l.spec.deletion_protection = false;
    l.spec.provisioned = true;
    l.spec.read_capacity = 7;
    l.spec.write_capacity = 3;
    l.spec.pitr = true;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.protection && p.protection_to);
    assert_true(p.billing && p.billing_mode_changes && !p.provisioned_to);
    assert_true(p.pitr && !p.pitr_to);
    struct tpd_text b;
    tpd_text_init(&b, 0);
    drift_describe(&p, &l, &b);
    assert_false(tpd_text_failed(&b));
    assert_non_null(strstr(
        tpd_text_cstr(&b), "billing mode: PROVISIONED (7 read, 3 write) -> PAY_PER_REQUEST"));
    assert_non_null(strstr(tpd_text_cstr(&b), "deletion protection: off -> on"));
    assert_non_null(strstr(tpd_text_cstr(&b), "point-in-time recovery: on -> off"));
    assert_non_null(strstr(tpd_text_cstr(&b), "discards the recovery window"));
    tpd_text_clear(&b);
    drift_plan_clear(&p);

    /* Only the capacities differ: no billing mode in the update. */
    w.provisioned = true;
    w.read_capacity = 7;
    w.write_capacity = 5;
    l.spec.deletion_protection = true;
    l.spec.pitr = false;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.billing && !p.billing_mode_changes && p.provisioned_to);
    assert_int_equal(p.write_capacity_to, 5);
    assert_false(p.protection || p.pitr);
    drift_plan_clear(&p);

    /* The recovery period: DynamoDB's 35 matches a configuration without one; another
     * period shows as "period: 7 -> 35 days"; switching on with a period names it. */
    w.pitr = l.spec.pitr = true;
    l.spec.pitr_days = 35;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_false(p.pitr);
    drift_plan_clear(&p);
    l.spec.pitr_days = 7;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.pitr && p.pitr_to);
    assert_int_equal(p.pitr_days_to, 35);
    tpd_text_init(&b, 0);
    drift_describe(&p, &l, &b);
    assert_non_null(strstr(tpd_text_cstr(&b), "point-in-time recovery period: 7 -> 35 days\n"));
    tpd_text_clear(&b);
    drift_plan_clear(&p);
    w.pitr_days = 3;
    l.spec.pitr_days = 35;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    tpd_text_init(&b, 0);
    drift_describe(&p, &l, &b);
    assert_non_null(strstr(tpd_text_cstr(&b), "period: 35 -> 3 days (restore points older"));
    tpd_text_clear(&b);
    drift_plan_clear(&p);
    l.spec.pitr = false;
    l.spec.pitr_days = 0;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    tpd_text_init(&b, 0);
    drift_describe(&p, &l, &b);
    assert_non_null(strstr(tpd_text_cstr(&b), "point-in-time recovery: off -> on (3-day period)"));
    tpd_text_clear(&b);
    drift_plan_clear(&p);
    table_spec_clear(&w);
    table_live_clear(&l);
}

static void test_ttl(void **state) {
    (void)state;
    static const struct {
        const char *want_attr; /* NULL: TTL never configured */
        bool want_enabled;
        const char *live_status;
        const char *live_attr;
        enum drift_ttl expect;
        const char *attr; /* the attribute of the call */
    } rows[] = {
        {NULL, false, "ENABLED", "x", DRIFT_TTL_NONE, NULL}, /* not managed */
        {"x", true, "ENABLED", "x", DRIFT_TTL_NONE, NULL},
        {"x", true, "ENABLING", "x", DRIFT_TTL_NONE, NULL},
        {"x", true, "DISABLED", NULL, DRIFT_TTL_ENABLE, "x"},
        {"x", false, "DISABLED", NULL, DRIFT_TTL_NONE, NULL},
        {"x", false, "ENABLED", "x", DRIFT_TTL_DISABLE, "x"},
        /* switching off names the attribute TTL is on, whatever the configuration says */
        {"x", false, "ENABLED", "old", DRIFT_TTL_DISABLE, "old"},
        /* an enabled TTL cannot move: never done automatically */
        {"x", true, "ENABLED", "old", DRIFT_TTL_RENAME, "old"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct table_spec w;
        struct table_live l;
        struct drift_plan p;
        s_base(&w);
        s_live(&l);
        w.ttl.attribute = rows[i].want_attr ? tpd_strdup(rows[i].want_attr) : NULL;
        w.ttl.enabled = rows[i].want_enabled;
        s_ttl_live(&l, rows[i].live_status, rows[i].live_attr);
        assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
        if (p.ttl != rows[i].expect) {
            print_message("row %zu: %d, want %d\n", i, p.ttl, rows[i].expect);
        }
        assert_int_equal(p.ttl, rows[i].expect);
        if (rows[i].attr) {
            assert_string_equal(p.ttl_attribute, rows[i].attr);
        }
        drift_plan_clear(&p);
        table_spec_clear(&w);
        table_live_clear(&l);
    }
}

static void test_tags(void **state) {
    (void)state;
    struct table_spec w;
    struct table_live l;
    struct drift_plan p;
    s_base(&w);
    s_live(&l);
    static const char *const want[] = {"app", "firefly", "note", "", "tier", "1"};
    static const char *const live[] = {
        "app", "old", "aws:cloudformation:stack-name", "stk", "extra", "x", "tier", "1"};
    s_tags(&w, want, 3);
    s_tags(&l.spec, live, 4);
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_int_equal(p.tags_set_count, 2);
    assert_string_equal(p.tags_set[0].key, "app");
    assert_string_equal(p.tags_set[0].value, "firefly");
    assert_string_equal(p.tags_set[1].key, "note");
    assert_string_equal(p.tags_set[1].value, "");
    assert_int_equal(p.tags_remove_count, 1); /* aws:* is AWS's, never removed */
    assert_string_equal(p.tags_remove[0], "extra");
    drift_plan_clear(&p);
    /* Tags not read (a path that does not manage them): no tag repair. */
    l.tags_read = false;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(drift_plan_empty(&p));
    drift_plan_clear(&p);
    table_spec_clear(&w);
    table_live_clear(&l);
}

static void test_adoption_review(void **state) {
    (void)state;
    struct table_spec w;
    struct table_live l;
    struct adoption_report r;
    s_base(&w);
    s_live(&l);

    /* Nothing changes: said plainly. */
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_string_equal(tpd_buf_cstr(&r.summary), "Existing table will be adopted into a stack");
    assert_non_null(strstr(tpd_buf_cstr(&r.detail), "12 items"));
    assert_non_null(strstr(tpd_buf_cstr(&r.detail), "no setting changes"));
    adoption_report_clear(&r);

    /* TTL on another attribute: refused with the recipe. */
    w.ttl.attribute = tpd_strdup("expires_at");
    w.ttl.enabled = true;
    s_ttl_live(&l, "ENABLED", "old_ttl");
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_string_equal(r.refusal.attr, "ttl");
    assert_non_null(
        strstr(tpd_buf_cstr(&r.refusal.detail), "ttl = { attribute_name = \"old_ttl\" }"));
    adoption_report_clear(&r);

    /* TTL still switching off, and the configuration wants it on: refused. */
    s_ttl_live(&l, "DISABLING", NULL);
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_non_null(strstr(tpd_buf_cstr(&r.refusal.detail), "DISABLING"));
    adoption_report_clear(&r);

    /* ENABLING on the configured attribute: nothing to change, fine. */
    s_ttl_live(&l, "ENABLING", "expires_at");
    assert_int_equal(adoption_review(ADOPTION_TAKE_OVER, &w, &l, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_string_equal(tpd_buf_cstr(&r.summary), "Existing stack and table will be taken over");
    adoption_report_clear(&r);

    /* TTL off live: the preview says it will be enabled. */
    s_ttl_live(&l, "DISABLED", NULL);
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_non_null(
        strstr(tpd_buf_cstr(&r.detail), "time to live: DISABLED -> enabled on \"expires_at\""));
    adoption_report_clear(&r);
    table_spec_clear(&w);
    table_live_clear(&l);
}

/* A GSI (or LSI) on key, projection ALL, capacities r/w. */
static void
s_add_index(struct table_spec *s, bool gsi, const char *name, const char *key, int64_t cap) {
    struct table_index **v = gsi ? &s->gsis : &s->lsis;
    size_t *n = gsi ? &s->gsi_count : &s->lsi_count;
    *v = tpd_realloc(*v, (*n + 1) * sizeof(**v));
    struct table_index *x = &(*v)[(*n)++];
    memset(x, 0, sizeof(*x));
    x->name = tpd_strdup(name);
    if (gsi) {
        x->hash.name = tpd_strdup(key);
        x->hash.type = tpd_strdup("S");
    } else {
        x->hash.name = tpd_strdup("id");
        x->hash.type = tpd_strdup("S");
        x->range.name = tpd_strdup(key);
        x->range.type = tpd_strdup("N");
    }
    x->projection = tpd_strdup("ALL");
    x->read_capacity = x->write_capacity = cap;
    x->status = tpd_strdup("ACTIVE");
    table_index_array_sort(*v, *n);
}

static const char *
s_describe(const struct drift_plan *p, const struct table_live *l, struct tpd_text *b) {
    tpd_text_clear(b);
    drift_describe(p, l, b);
    assert_false(tpd_text_failed(b));
    return tpd_text_cstr(b);
}

static void test_indexes_and_table_features(void **state) {
    (void)state;
    struct table_spec w;
    struct table_live l;
    struct drift_plan p;
    struct tpd_text b;
    tpd_text_init(&b, 0);
    s_base(&w);
    s_live(&l);
    s_add_index(&w, true, "by_status", "status", 0);
    s_add_index(&w, true, "by_owner", "owner", 0);
    s_add_index(&l.spec, true, "by_status", "status", 0);
    s_add_index(&l.spec, true, "by_extra", "extra", 0);
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_false(drift_plan_empty(&p)); /* by_owner missing: created */
    assert_int_equal(p.gsi_missing_count, 1);
    assert_string_equal(p.gsi_missing[0].name, "by_owner");
    assert_int_equal(p.gsi_extra_count, 1); /* never deleted by a repair */
    assert_string_equal(p.gsi_extra[0], "by_extra");
    assert_false(p.lsi_differs);
    assert_non_null(
        strstr(s_describe(&p, &l, &b), "  - index by_owner: created (partition key owner (S)"));
    drift_plan_clear(&p);

    /* Redefined, and capacities of a provisioned table. */
    free(l.spec.gsis[1].projection);
    l.spec.gsis[1].projection = tpd_strdup("KEYS_ONLY"); /* by_status */
    w.provisioned = l.spec.provisioned = true;
    w.gsis[0].read_capacity = 5; /* by_owner */
    s_add_index(&l.spec, true, "by_owner", "owner", 2);
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_int_equal(p.gsi_missing_count, 0);
    assert_int_equal(p.gsi_changed_count, 1);
    assert_string_equal(p.gsi_changed[0], "by_status");
    assert_int_equal(p.gsi_capacity_count, 1);
    assert_int_equal(p.gsi_capacity[0].read_capacity, 5);
    assert_non_null(strstr(
        s_describe(&p, &l, &b), "  - index by_owner capacity: 2 read, 2 write -> 5 read, 0 write"));
    drift_plan_clear(&p);
    w.provisioned = l.spec.provisioned = false;

    /* LSIs: any difference is one only a new table makes. */
    s_add_index(&w, false, "by_total", "total", 0);
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.lsi_differs);
    drift_plan_clear(&p);
    s_add_index(&l.spec, false, "by_total", "total", 0);
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_false(p.lsi_differs);
    drift_plan_clear(&p);

    /* Stream, encryption, class, on-demand, contributor insights. */
    w.stream_view_type = tpd_strdup("NEW_IMAGE");
    l.spec.stream_view_type = tpd_strdup("KEYS_ONLY");
    w.sse = true; /* the AWS managed key: matches any KMS key DynamoDB reports */
    l.spec.sse = true;
    l.spec.sse_kms_key = tpd_strdup("arn:aws:kms:us-east-1:123456789012:key/abc");
    l.spec.table_class = tpd_strdup("STANDARD_INFREQUENT_ACCESS");
    w.on_demand_read = 50;
    l.spec.contributor_insights = true;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.stream);
    assert_string_equal(p.stream_to, "NEW_IMAGE");
    assert_false(p.sse);
    assert_true(p.table_class);
    assert_string_equal(p.table_class_to, "STANDARD");
    assert_true(p.on_demand);
    assert_true(p.insights && !p.insights_to);
    const char *t = s_describe(&p, &l, &b);
    assert_non_null(strstr(t, "  - stream: KEYS_ONLY -> NEW_IMAGE (the current stream stops"));
    assert_non_null(strstr(t, "  - table class: STANDARD_INFREQUENT_ACCESS -> STANDARD\n"));
    assert_non_null(
        strstr(t, "  - on-demand throughput: no limit -> at most 50 read request units"));
    assert_non_null(strstr(t, "  - contributor insights: on -> off\n"));
    drift_plan_clear(&p);

    /* A customer managed key must be the one in use; none wanted: the AWS owned key. */
    w.sse_kms_key = tpd_strdup("arn:aws:kms:us-east-1:123456789012:key/other");
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.sse && p.sse_to);
    assert_string_equal(p.sse_key_to, "arn:aws:kms:us-east-1:123456789012:key/other");
    drift_plan_clear(&p);
    w.sse = false;
    assert_int_equal(drift_compute(&w, &l, &p), TPD_OK);
    assert_true(p.sse && !p.sse_to);
    assert_non_null(strstr(
        s_describe(&p, &l, &b),
        "  - encryption: KMS key arn:aws:kms:us-east-1:123456789012:key/abc -> AWS owned key"));
    drift_plan_clear(&p);
    tpd_text_clear(&b);
    table_spec_clear(&w);
    table_live_clear(&l);
}

static void test_adoption_refusals(void **state) {
    (void)state;
    struct table_spec w;
    struct table_live l;
    struct adoption_report r;
    s_base(&w);
    s_live(&l);
    /* The live table has an index, a stream, a class, a key, limits, insights the
     * configuration leaves out: refused, each named with its HCL. */
    s_add_index(&l.spec, true, "by_status", "status", 0);
    l.spec.stream_view_type = tpd_strdup("NEW_IMAGE");
    l.spec.table_class = tpd_strdup("STANDARD_INFREQUENT_ACCESS");
    l.spec.sse = true;
    l.spec.sse_kms_key = tpd_strdup("arn:aws:kms:us-east-1:123456789012:key/abc");
    l.spec.on_demand_write = 40;
    l.spec.contributor_insights = true;
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_string_equal(
        tpd_buf_cstr(&r.refusal.summary),
        "Configuration leaves out features of the existing table");
    const char *d = tpd_buf_cstr(&r.refusal.detail);
    assert_non_null(strstr(
        d,
        "{ name = \"by_status\", hash_key = { name = \"status\", type = \"S\" }, "
        "projection_type = \"ALL\" }"));
    assert_non_null(strstr(d, "stream = { view_type = \"NEW_IMAGE\" }"));
    assert_non_null(strstr(d, "table_class = \"STANDARD_INFREQUENT_ACCESS\""));
    assert_non_null(strstr(
        d,
        "server_side_encryption = { kms_key_arn = "
        "\"arn:aws:kms:us-east-1:123456789012:key/abc\" }"));
    assert_non_null(strstr(d, "on_demand_throughput = { max_write_request_units = 40 }"));
    assert_non_null(strstr(d, "contributor_insights = true"));
    assert_non_null(strstr(d, "Nothing was changed"));
    adoption_report_clear(&r);

    /* Declared (the AWS managed key matches the reported key): adopted, nothing changes. */
    s_add_index(&w, true, "by_status", "status", 0);
    w.stream_view_type = tpd_strdup("NEW_IMAGE");
    w.table_class = tpd_strdup("STANDARD_INFREQUENT_ACCESS");
    w.table_class_set = w.insights_set = true;
    w.sse = true;
    w.on_demand_write = 40;
    w.contributor_insights = true;
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_non_null(strstr(tpd_buf_cstr(&r.detail), "no setting changes"));
    adoption_report_clear(&r);

    /* The class set explicitly to STANDARD is a change asked for, not one left out. */
    free(w.table_class);
    w.table_class = NULL;
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_non_null(
        strstr(tpd_buf_cstr(&r.detail), "table class: STANDARD_INFREQUENT_ACCESS -> STANDARD"));
    adoption_report_clear(&r);
    w.table_class = tpd_strdup("STANDARD_INFREQUENT_ACCESS");

    /* Index changes that take several updates are listed in the preview. */
    s_add_index(&w, true, "by_owner", "owner", 0);
    s_add_index(&w, true, "by_total", "total", 0);
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_non_null(strstr(tpd_buf_cstr(&r.detail), "the indexes change in 2 updates"));
    assert_non_null(strstr(tpd_buf_cstr(&r.detail), "  1. create index by_owner"));
    adoption_report_clear(&r);

    /* What the resource cannot express: refused, listed. */
    l.replicas = tpd_strdup("eu-west-1");
    l.spec.kinesis_arn = tpd_strdup("arn:aws:kinesis:us-east-1:123456789012:stream/s");
    l.kinesis = tpd_strdup("arn:aws:kinesis:us-east-1:123456789012:stream/s2");
    l.gsi_insights = tpd_strdup("by_status");
    l.spec.gsis[0].on_demand_read = 10;
    assert_int_equal(adoption_review(ADOPTION_TAKE_OVER, &w, &l, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_string_equal(
        tpd_buf_cstr(&r.refusal.summary), "Table has features this resource cannot manage");
    d = tpd_buf_cstr(&r.refusal.detail);
    assert_non_null(strstr(d, "replicas of a global table (in eu-west-1)"));
    assert_non_null(strstr(d, "more than one Kinesis streaming destination: arn:aws:kinesis"));
    assert_non_null(strstr(d, "contributor insights on index by_status"));
    assert_non_null(strstr(d, "on-demand throughput limits on index by_status"));
    assert_non_null(strstr(d, "stream/s, arn:aws:kinesis:us-east-1:123456789012:stream/s2"));
    adoption_report_clear(&r);
    free(l.replicas);
    free(l.kinesis);
    free(l.spec.kinesis_arn);
    free(l.gsi_insights);
    l.replicas = l.kinesis = l.gsi_insights = l.spec.kinesis_arn = NULL;

    /* A resource policy the configuration leaves out: refused with what to add; the same
     * document written otherwise is no change; another one is previewed. */
    l.spec.gsis[0].on_demand_read = 0;
    l.features_read = true;
    l.spec.resource_policy = tpd_strdup("{\"Version\": \"2012-10-17\", \"Statement\": []}");
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_non_null(strstr(
        tpd_buf_cstr(&r.refusal.detail),
        "a resource policy; add: resource_policy = jsonencode(...) of its document, which is "
        "{\"Statement\":[],\"Version\":\"2012-10-17\"}"));
    adoption_report_clear(&r);
    w.resource_policy = tpd_strdup("{\"Statement\":[],\"Version\":\"2012-10-17\"}");
    struct drift_plan dp;
    assert_int_equal(drift_compute(&w, &l, &dp), TPD_OK);
    assert_false(dp.policy);
    drift_plan_clear(&dp);
    free(w.resource_policy);
    w.resource_policy = tpd_strdup("{\"Statement\":[{\"Effect\":\"Deny\"}]}");
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_non_null(strstr(
        tpd_buf_cstr(&r.detail),
        "resource policy: a policy -> the configured policy (PutResourcePolicy replaces it)"));
    adoption_report_clear(&r);
    /* Not read: not compared. */
    l.features_read = false;
    assert_int_equal(drift_compute(&w, &l, &dp), TPD_OK);
    assert_false(dp.policy);
    drift_plan_clear(&dp);
    free(w.resource_policy);
    free(l.spec.resource_policy);
    w.resource_policy = l.spec.resource_policy = NULL;
    l.spec.gsis[0].on_demand_read = 0;

    /* Other LSIs than the table's: refused (they exist only from creation). */
    s_add_index(&w, false, "by_size", "size", 0);
    assert_int_equal(adoption_review(ADOPTION_IMPORT, &w, &l, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_string_equal(r.refusal.attr, "local_secondary_indexes");
    adoption_report_clear(&r);
    table_spec_clear(&w);
    table_live_clear(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_adoption_review),
        cmocka_unit_test(test_indexes_and_table_features),
        cmocka_unit_test(test_adoption_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
