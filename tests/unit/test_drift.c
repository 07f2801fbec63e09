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
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    drift_describe(&p, &l, &b);
    assert_non_null(
        strstr(tpd_buf_cstr(&b), "billing mode: PROVISIONED (7 read, 3 write) -> PAY_PER_REQUEST"));
    assert_non_null(strstr(tpd_buf_cstr(&b), "deletion protection: off -> on"));
    assert_non_null(strstr(tpd_buf_cstr(&b), "point-in-time recovery: on -> off"));
    assert_non_null(strstr(tpd_buf_cstr(&b), "discards the recovery window"));
    tpd_buf_clear(&b);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_adoption_review),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
