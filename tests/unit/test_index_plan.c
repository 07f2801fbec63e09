/*
 * Unit tests of the GSI sequencing as a pure function (provider/resource/index_plan.c):
 * desired vs deployed -> the next stack update. Tables of cases (one change, a swap, a
 * redefinition, several creations, capacities with them), a walk over each case checking
 * that every template differs from the one before by exactly one index creation or
 * deletion and that the walk ends with the configuration; the plan's text; and the
 * reconciliation with what the table has (deleted outside Terraform: re-created; added or
 * changed outside Terraform: refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "index_plan.h"
#include "tpd_alloc.h"

/* An index: "name:key[:projection]", key type S, capacities r/w. */
static void s_index(struct table_index *x, const char *spec, int64_t r, int64_t w) {
    memset(x, 0, sizeof(*x));
    char *copy = tpd_strdup(spec);
    char *save = NULL;
    char *name = strtok_r(copy, ":", &save);
    char *key = strtok_r(NULL, ":", &save);
    char *proj = strtok_r(NULL, ":", &save);
    x->name = tpd_strdup(name);
    x->hash.name = tpd_strdup(key);
    x->hash.type = tpd_strdup("S");
    x->projection = tpd_strdup(proj ? proj : "ALL");
    x->read_capacity = r;
    x->write_capacity = w;
    free(copy);
}

/* An array of indexes from a NULL-terminated list of specs (sorted, as specs hold them). */
static struct table_index *s_indexes(size_t *n, const char *const *specs, int64_t cap) {
    size_t k = 0;
    while (specs[k]) {
        k++;
    }
    struct table_index *v = tpd_calloc(k ? k : 1, sizeof(*v));
    for (size_t i = 0; i < k; i++) {
        s_index(&v[i], specs[i], cap, cap);
    }
    table_index_array_sort(v, k);
    *n = k;
    return v;
}

static void s_want(struct table_spec *w, const char *const *specs, bool provisioned, int64_t cap) {
    memset(w, 0, sizeof(*w));
    w->name = tpd_strdup("orders");
    w->hash.name = tpd_strdup("id");
    w->hash.type = tpd_strdup("S");
    w->provisioned = provisioned;
    w->read_capacity = w->write_capacity = provisioned ? 9 : 0;
    w->gsis = s_indexes(&w->gsi_count, specs, cap);
}

/* "a,b" from an index array. */
static void s_names(const struct table_index *v, size_t n, char *out, size_t cap) {
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strncat(out, i ? "," : "", cap - strlen(out) - 1);
        strncat(out, v[i].name, cap - strlen(out) - 1);
    }
}

/* Creations plus deletions between two index sets (by name and definition). */
static size_t
s_ops(const struct table_index *a, size_t na, const struct table_index *b, size_t nb) {
    size_t ops = 0;
    for (size_t i = 0; i < na; i++) {
        const struct table_index *x = table_index_find(b, nb, a[i].name);
        ops += !x || !table_index_same_definition(x, &a[i]);
    }
    for (size_t i = 0; i < nb; i++) {
        const struct table_index *x = table_index_find(a, na, b[i].name);
        ops += !x || !table_index_same_definition(x, &b[i]);
    }
    return ops;
}

/*
 * Walk from deployed to want; "steps" is the expected sequence of step texts, e.g.
 * "-a" (delete a), "+b" (create b), "=a,b" (final, with these indexes). Each template
 * differs from the one before by at most one creation or deletion.
 */
static void s_walk(
    const char *const *deployed_specs,
    const char *const *want_specs,
    const char *const *steps,
    size_t expect_updates) {
    struct table_spec w;
    s_want(&w, want_specs, false, 0);
    size_t nd = 0;
    struct table_index *cur = s_indexes(&nd, deployed_specs, 0);
    assert_int_equal(gsi_update_count(cur, nd, &w), expect_updates);
    size_t nsteps = 0;
    while (steps[nsteps]) {
        nsteps++;
    }
    assert_int_equal(nsteps, expect_updates);
    bool final = false;
    for (size_t i = 0; i < nsteps && !final; i++) {
        struct gsi_step st;
        assert_int_equal(gsi_next_step(cur, nd, &w, &st), TPD_OK);
        assert_true(s_ops(cur, nd, st.gsis, st.gsi_count) <= 1);
        char got[256];
        char names[200];
        s_names(st.gsis, st.gsi_count, names, sizeof names);
        if (st.kind == GSI_STEP_FINAL) {
            snprintf(got, sizeof got, "=%s", names);
            /* The final step is the last one expected. */
            assert_int_equal(i + 1, nsteps);
        } else {
            snprintf(got, sizeof got, "%c%s", st.kind == GSI_STEP_DELETE ? '-' : '+', st.name);
            assert_int_equal(st.remaining, expect_updates - i - 1);
        }
        assert_string_equal(got, steps[i]);
        table_index_array_free(cur, nd);
        cur = st.gsis;
        nd = st.gsi_count;
        st.gsis = NULL;
        st.gsi_count = 0;
        final = st.kind == GSI_STEP_FINAL;
        gsi_step_clear(&st);
    }
    assert_true(final);
    /* The walk ends with the configuration. */
    assert_int_equal(s_ops(cur, nd, w.gsis, w.gsi_count), 0);
    table_index_array_free(cur, nd);
    table_spec_clear(&w);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

static void test_next_step_table(void **state) {
    (void)state;
    /* Nothing, one creation, one deletion: one update. */
    s_walk(L("a:x"), L("a:x"), L("=a"), 1);
    s_walk(NONE, L("a:x"), L("=a"), 1);
    s_walk(L("a:x"), NONE, L("="), 1);
    /* A swap: delete, then create (two stack updates). */
    s_walk(L("a:x"), L("b:y"), L("-a", "=b"), 2);
    /* A redefinition (other key or projection): delete, then create again. */
    s_walk(L("a:x"), L("a:y"), L("-a", "=a"), 2);
    s_walk(L("a:x:ALL"), L("a:x:KEYS_ONLY"), L("-a", "=a"), 2);
    /* Several: deletions first, by name; then creations, by name. */
    s_walk(NONE, L("c:z", "a:x", "b:y"), L("+a", "+b", "=a,b,c"), 3);
    s_walk(L("a:x", "b:y", "c:z"), L("b:y"), L("-a", "=b"), 2);
    s_walk(L("a:x", "b:y"), L("b:q", "c:z", "d:w"), L("-a", "-b", "+b", "+c", "=b,c,d"), 5);
}

/* Capacity changes of the indexes that stay go with the first update. */
static void test_capacities_with_the_first_update(void **state) {
    (void)state;
    struct table_spec w;
    s_want(&w, L("a:x", "c:z"), true, 7);
    size_t nd = 0;
    struct table_index *d = s_indexes(&nd, L("a:x", "b:y"), 3);
    struct gsi_step st;
    assert_int_equal(gsi_next_step(d, nd, &w, &st), TPD_OK);
    assert_int_equal(st.kind, GSI_STEP_DELETE);
    assert_string_equal(st.name, "b");
    assert_int_equal(st.gsi_count, 1);
    assert_string_equal(st.gsis[0].name, "a");
    assert_int_equal(st.gsis[0].read_capacity, 7);
    gsi_step_clear(&st);
    table_index_array_free(d, nd);

    /* An index waiting for its deletion without capacities (the table was on demand)
     * gets the table's in a template of a PROVISIONED table. */
    d = s_indexes(&nd, L("a:x", "b:y", "e:v"), 0);
    assert_int_equal(gsi_next_step(d, nd, &w, &st), TPD_OK);
    assert_int_equal(st.kind, GSI_STEP_DELETE);
    assert_string_equal(st.name, "b");
    const struct table_index *e = table_index_find(st.gsis, st.gsi_count, "e");
    assert_non_null(e);
    assert_int_equal(e->read_capacity, 9);
    assert_int_equal(table_index_find(st.gsis, st.gsi_count, "a")->read_capacity, 7);
    gsi_step_clear(&st);
    table_index_array_free(d, nd);

    /* Capacity changes alone: one update. */
    d = s_indexes(&nd, L("a:x", "c:z"), 3);
    assert_int_equal(gsi_update_count(d, nd, &w), 1);
    assert_int_equal(gsi_next_step(d, nd, &w, &st), TPD_OK);
    assert_int_equal(st.kind, GSI_STEP_FINAL);
    assert_int_equal(st.gsis[0].read_capacity, 7);
    gsi_step_clear(&st);
    table_index_array_free(d, nd);
    table_spec_clear(&w);
}

static void test_describe_steps(void **state) {
    (void)state;
    struct table_spec w;
    s_want(&w, L("a:y", "b:z"), false, 0);
    size_t nd = 0;
    struct table_index *d = s_indexes(&nd, L("a:x"), 0);
    struct tpd_text b;
    tpd_text_init(&b, 0);
    gsi_describe_steps(d, nd, &w, &b);
    assert_false(tpd_text_failed(&b));
    const char *t = tpd_text_cstr(&b);
    assert_non_null(strstr(t, "  1. delete index a: it is redefined, from partition key x (S)"));
    assert_non_null(strstr(t, "to partition key y (S)"));
    assert_non_null(strstr(t, "  2. create index a (partition key y (S), projection ALL)\n"));
    assert_non_null(
        strstr(t, "  3. create index b (partition key z (S), projection ALL), with the other "));
    tpd_text_clear(&b);
    /* One update: nothing to say. */
    gsi_describe_steps(w.gsis, w.gsi_count, &w, &b);
    assert_true(tpd_text_is_empty(&b));
    tpd_text_clear(&b);
    table_index_array_free(d, nd);
    table_spec_clear(&w);
}

static void test_reconcile(void **state) {
    (void)state;
    size_t nd = 0, nl = 0;
    struct table_index *d = s_indexes(&nd, L("a:x", "b:y"), 0);
    struct table_index *l = s_indexes(&nl, L("b:y"), 0);
    struct gsi_reconcile r;
    /* Deleted outside Terraform: re-created from the template's definition. */
    assert_int_equal(gsi_reconcile("orders", d, nd, l, nl, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_int_equal(r.recreate_count, 1);
    assert_string_equal(r.recreate[0]->name, "a");
    gsi_reconcile_clear(&r);
    table_index_array_free(l, nl);

    /* Added outside Terraform: refused, naming it and what to do. */
    l = s_indexes(&nl, L("a:x", "b:y", "c:z"), 0);
    assert_int_equal(gsi_reconcile("orders", d, nd, l, nl, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_string_equal(r.refusal.attr, "global_secondary_indexes");
    assert_non_null(strstr(tpd_buf_cstr(&r.refusal.detail), "c (partition key z (S)"));
    assert_non_null(strstr(tpd_buf_cstr(&r.refusal.detail), "Nothing was changed"));
    assert_non_null(strstr(tpd_buf_cstr(&r.refusal.detail), "stack_name"));
    gsi_reconcile_clear(&r);
    table_index_array_free(l, nl);

    /* Changed outside Terraform (another projection): refused. */
    l = s_indexes(&nl, L("a:x:KEYS_ONLY", "b:y"), 0);
    assert_int_equal(gsi_reconcile("orders", d, nd, l, nl, &r), TPD_OK);
    assert_true(r.refusal.refused);
    assert_non_null(strstr(
        tpd_buf_cstr(&r.refusal.detail),
        "on the table: partition key x (S), "
        "projection KEYS_ONLY"));
    gsi_reconcile_clear(&r);
    table_index_array_free(l, nl);

    /* In step: nothing. */
    assert_int_equal(gsi_reconcile("orders", d, nd, d, nd, &r), TPD_OK);
    assert_false(r.refusal.refused);
    assert_int_equal(r.recreate_count, 0);
    gsi_reconcile_clear(&r);
    table_index_array_free(d, nd);
}

/* Out of memory while writing the refusal of an index added outside Terraform: still a
 * refusal (its lost text in refusal.rc), never "nothing to refuse". Every allocation from
 * the n-th on fails, for each n until a run meets no injected failure. Before the text
 * builder, a failure of the first append to the list of extra indexes left it empty, and
 * gsi_reconcile answered TPD_OK without a refusal. */
static void test_reconcile_out_of_memory(void **state) {
    (void)state;
    size_t nd = 0, nl = 0;
    struct table_index *d = s_indexes(&nd, L("a:x"), 0);
    struct table_index *l = s_indexes(&nl, L("a:x", "c:z"), 0);
    bool refused_without_text = false;
    for (unsigned long n = 1;; n++) {
        struct gsi_reconcile r;
        tpd_alloc_fail_at(n, true);
        enum tpd_code rc = gsi_reconcile("orders", d, nd, l, nl, &r);
        bool injected = tpd_alloc_failed();
        tpd_alloc_fail_at(0, false);
        if (rc == TPD_OK) {
            assert_true(r.refusal.refused);
            assert_string_equal(r.refusal.attr, "global_secondary_indexes");
            if (r.refusal.rc) {
                assert_int_equal(r.refusal.rc, TPD_E_NOMEM);
                refused_without_text = true;
            } else {
                assert_non_null(strstr(tpd_buf_cstr(&r.refusal.detail), "c (partition key z (S)"));
            }
        } else {
            assert_int_equal(rc, TPD_E_NOMEM);
        }
        gsi_reconcile_clear(&r);
        if (!injected) {
            assert_int_equal(rc, TPD_OK);
            assert_int_equal(r.refusal.rc, TPD_OK);
            break;
        }
    }
    assert_true(refused_without_text);
    table_index_array_free(l, nl);
    table_index_array_free(d, nd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_step_table),
        cmocka_unit_test(test_capacities_with_the_first_update),
        cmocka_unit_test(test_describe_steps),
        cmocka_unit_test(test_reconcile),
        cmocka_unit_test(test_reconcile_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
