/*
 * Unit tests of the pure planning rules: defaults, computed values known where they
 * do not change, replacement paths, protected destroy/replacement refused with the
 * attribute named, and the TTL rename explained as two steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tpd_alloc.h"
#include "ttl_plan.h"

static struct tfv *s_key(const char *name, const char *type) {
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "name", tfv_new_string(name));
    tfv_map_set(k, "type", tfv_new_string(type));
    return k;
}

static struct tfv *s_ttl(const char *name, bool enabled) {
    struct tfv *t = tfv_new_object();
    tfv_map_set(t, "attribute_name", tfv_new_string(name));
    tfv_map_set(t, "enabled", tfv_new_bool(enabled));
    return t;
}

static struct tfv *s_config(void) {
    struct tfv *o = tfv_new_object();
    tfv_map_set(o, "name", tfv_new_string("my_table"));
    tfv_map_set(o, "hash_key", s_key("id", "S"));
    tfv_map_set(o, "ttl", s_ttl("expires_at", true));
    return o;
}

/* A prior state as apply would have stored it. */
static struct tfv *s_state(bool protected_) {
    struct tfv *o = s_config();
    ttl_plan_set_defaults(o);
    tfv_map_set(o, "deletion_protection_enabled", tfv_new_bool(protected_));
    tfv_map_set(o, "id", tfv_new_string("my_table"));
    tfv_map_set(o, "arn", tfv_new_string("arn:aws:dynamodb:us-east-1:123456789012:table/my_table"));
    tfv_map_set(
        o,
        "stack_id",
        tfv_new_string("arn:aws:cloudformation:us-east-1:123456789012:stack/my-table/1"));
    tfv_map_set(o, "owner_id", tfv_new_string("0123456789abcdef0123456789abcdef"));
    tfv_map_set(o, "table_status", tfv_new_string("ACTIVE"));
    tfv_map_set(o, "ttl_status", tfv_new_string("ENABLED"));
    return o;
}

static void test_create_defaults(void **state) {
    (void)state;
    struct tfv *cfg = s_config();
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    assert_int_equal(ttl_plan_compute(NULL, cfg, cfg, &planned, &rr, &d), TTL_PLAN_CREATE);
    assert_int_equal(d.count, 0);
    assert_string_equal(tfv_get_str(planned, "stack_name"), "my-table");
    assert_string_equal(tfv_get_str(planned, "billing_mode"), "PAY_PER_REQUEST");
    assert_string_equal(tfv_get_str(planned, "id"), "my_table");
    bool b;
    assert_true(tfv_get_bool(planned, "deletion_protection_enabled", &b) && b);
    assert_true(tfv_is_unknown(tfv_get(planned, "arn")));
    assert_true(tfv_is_unknown(tfv_get(planned, "stack_id")));
    tfv_free(planned);
    tfv_free(cfg);
}

static void test_noop_and_inplace(void **state) {
    (void)state;
    struct tfv *prior = s_state(true);
    struct tfv *proposed = tfv_clone(prior);
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    assert_int_equal(ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_NOOP);
    assert_true(tfv_equal(prior, planned));
    tfv_free(planned);

    /* TTL switched off: in place, ttl_status unknown, arn stays known. */
    tfv_map_set(proposed, "ttl", s_ttl("expires_at", false));
    assert_int_equal(
        ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_UPDATE);
    assert_int_equal(d.count, 0);
    assert_int_equal(rr.count, 0);
    assert_true(tfv_is_unknown(tfv_get(planned, "ttl_status")));
    assert_string_equal(
        tfv_get_str(planned, "arn"), "arn:aws:dynamodb:us-east-1:123456789012:table/my_table");
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(prior);
}

/* A status still moving when the state was refreshed (TTL ENABLING, table UPDATING) is
 * another value once apply has waited: an update plans it unknown, a settled one stays
 * known. (Regression: tests/safety/repros/ttl-status-changes-during-apply.json, "Provider
 * produced inconsistent result".) */
/* A state of an earlier release has no owner id: the plan records one (an update in place,
 * owner_id known after apply), whatever else changes. */
static void test_legacy_state_records_owner(void **state) {
    (void)state;
    struct tfv *prior = s_state(true);
    tfv_map_set(prior, "owner_id", tfv_new_null());
    struct tfv *proposed = tfv_clone(prior);
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    assert_int_equal(
        ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_UPDATE);
    assert_int_equal(rr.count, 0);
    assert_true(tfv_is_unknown(tfv_get(planned, "owner_id")));
    assert_string_equal(
        tfv_get_str(planned, "stack_id"),
        "arn:aws:cloudformation:us-east-1:123456789012:stack/my-table/1");
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(prior);
    diag_list_clear(&d);
}

static void test_update_moving_statuses_unknown(void **state) {
    (void)state;
    struct tfv *prior = s_state(true);
    tfv_map_set(prior, "ttl_status", tfv_new_string("ENABLING"));
    tfv_map_set(prior, "table_status", tfv_new_string("UPDATING"));
    struct tfv *proposed = tfv_clone(prior);
    tfv_map_set(proposed, "point_in_time_recovery", tfv_new_bool(true));
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    assert_int_equal(
        ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_UPDATE);
    assert_true(tfv_is_unknown(tfv_get(planned, "ttl_status")));
    assert_true(tfv_is_unknown(tfv_get(planned, "table_status")));
    tfv_free(planned);
    /* Settled: both stay as refreshed. */
    tfv_map_set(prior, "ttl_status", tfv_new_string("ENABLED"));
    tfv_map_set(prior, "table_status", tfv_new_string("ACTIVE"));
    tfv_map_set(proposed, "ttl_status", tfv_new_string("ENABLED"));
    tfv_map_set(proposed, "table_status", tfv_new_string("ACTIVE"));
    assert_int_equal(
        ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_UPDATE);
    assert_string_equal(tfv_get_str(planned, "ttl_status"), "ENABLED");
    assert_string_equal(tfv_get_str(planned, "table_status"), "ACTIVE");
    tfv_free(planned);
    /* No change: nothing is applied, so nothing is unknown. */
    tfv_map_set(prior, "ttl_status", tfv_new_string("ENABLING"));
    tfv_free(proposed);
    proposed = tfv_clone(prior);
    assert_int_equal(ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_NOOP);
    assert_string_equal(tfv_get_str(planned, "ttl_status"), "ENABLING");
    assert_int_equal(d.count, 0);
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(prior);
}

static void test_replacement(void **state) {
    (void)state;
    struct tfv *prior = s_state(false);
    struct tfv *proposed = tfv_clone(prior);
    tfv_map_set(proposed, "hash_key", s_key("id", "N"));
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    assert_int_equal(
        ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_REPLACE);
    assert_int_equal(d.count, 0);
    assert_int_equal(rr.count, 1);
    assert_string_equal(rr.paths[0].steps[0].name, "hash_key");
    assert_true(tfv_is_unknown(tfv_get(planned, "arn")));
    tfv_free(planned);
    provider_path_list_clear(&rr);

    /* Same change on a protected table: refused, naming deletion_protection_enabled. */
    tfv_free(prior);
    prior = s_state(true);
    assert_int_equal(
        ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d), TTL_PLAN_REPLACE);
    assert_true(diag_list_has_errors(&d));
    assert_string_equal(d.items[0].path.steps[0].name, "deletion_protection_enabled");
    assert_non_null(strstr(d.items[0].detail, "deletion_protection_enabled = false"));
    tfv_free(planned);
    provider_path_list_clear(&rr);
    diag_list_clear(&d);
    tfv_free(proposed);
    tfv_free(prior);
}

static void test_destroy(void **state) {
    (void)state;
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    struct tfv *prior = s_state(true);
    assert_int_equal(ttl_plan_compute(prior, NULL, NULL, &planned, &rr, &d), TTL_PLAN_DESTROY);
    assert_null(planned);
    assert_true(diag_list_has_errors(&d));
    assert_non_null(strstr(d.items[0].detail, "my_table"));
    diag_list_clear(&d);
    tfv_free(prior);
    prior = s_state(false);
    assert_int_equal(ttl_plan_compute(prior, NULL, NULL, &planned, &rr, &d), TTL_PLAN_DESTROY);
    assert_int_equal(d.count, 0);
    tfv_free(prior);
}

static void test_ttl_rename(void **state) {
    (void)state;
    struct tfv *prior = s_state(true);
    struct tfv *proposed = tfv_clone(prior);
    tfv_map_set(proposed, "ttl", s_ttl("valid_until", true));
    struct tfv *planned = NULL;
    struct provider_path_list rr = {0};
    struct diag_list d;
    diag_list_init(&d);
    ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d);
    assert_true(diag_list_has_errors(&d));
    assert_non_null(strstr(d.items[0].detail, "enabled = false"));
    assert_string_equal(d.items[0].path.steps[0].name, "ttl");
    tfv_free(planned);
    diag_list_clear(&d);

    /* Renaming while disabled is fine. */
    tfv_map_set(prior, "ttl", s_ttl("expires_at", false));
    tfv_map_set(prior, "ttl_status", tfv_new_string("DISABLED"));
    ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d);
    assert_int_equal(d.count, 0);
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(prior);
}

static void test_timeouts(void **state) {
    (void)state;
    struct tfv *s = s_config();
    assert_true(ttl_plan_timeout_ns(s, "create") == 30LL * 60 * 1000000000LL);
    struct tfv *to = tfv_new_object();
    tfv_map_set(to, "delete", tfv_new_string("2m"));
    tfv_map_set(s, "timeouts", to);
    assert_true(ttl_plan_timeout_ns(s, "delete") == 120LL * 1000000000LL);
    tfv_free(s);
}

/* Out of memory anywhere in a replacement's plan: either the replacement is planned with
 * its RequiresReplace path, or the plan fails with a diagnostic and plans nothing — never
 * the change without the path that makes Terraform replace (issue 24: an allocation failure
 * at the path once dropped it and still planned). Each allocation fails in turn. */
static void test_replacement_out_of_memory(void **state) {
    (void)state;
    struct tfv *prior = s_state(false);
    struct tfv *proposed = tfv_clone(prior);
    assert_int_equal(tfv_map_set(proposed, "hash_key", s_key("pk", "S")), TPD_OK);
    size_t failures = 0;
    for (unsigned long n = 1;; n++) {
        struct tfv *planned = NULL;
        struct provider_path_list rr = {0};
        struct diag_list d;
        diag_list_init(&d);
        tpd_alloc_fail_at(n, false);
        enum ttl_plan_kind k = ttl_plan_compute(prior, proposed, proposed, &planned, &rr, &d);
        bool failed = tpd_alloc_failed();
        tpd_alloc_fail_at(0, false);
        if (!failed) {
            assert_int_equal(k, TTL_PLAN_REPLACE);
            assert_int_equal(rr.count, 1);
            tfv_free(planned);
            provider_path_list_clear(&rr);
            diag_list_clear(&d);
            break;
        }
        failures++;
        bool error = d.count > 0 && d.items[0].severity == DIAG_ERROR;
        if (k == TTL_PLAN_REPLACE && !error) {
            assert_non_null(planned);
            assert_int_equal(rr.count, 1);
            assert_int_equal(rr.paths[0].count, 1);
        } else {
            assert_true(error);
            assert_null(planned);
        }
        tfv_free(planned);
        provider_path_list_clear(&rr);
        diag_list_clear(&d);
    }
    assert_true(failures > 0);
    tfv_free(proposed);
    tfv_free(prior);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_defaults),
        cmocka_unit_test(test_noop_and_inplace),
        cmocka_unit_test(test_update_moving_statuses_unknown),
        cmocka_unit_test(test_legacy_state_records_owner),
        cmocka_unit_test(test_replacement),
        cmocka_unit_test(test_destroy),
        cmocka_unit_test(test_ttl_rename),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_replacement_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
