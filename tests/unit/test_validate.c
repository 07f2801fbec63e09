/*
 * Unit tests of validation: every rule gives an error with the right attribute
 * path; valid configurations and unknown values give none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

static struct tfv *s_key(const char *name, const char *type) {
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "name", tfv_new_string(name));
    tfv_map_set(k, "type", tfv_new_string(type));
    return k;
}

static struct tfv *s_valid_table(void) {
    struct tfv *o = tfv_new_object();
    tfv_map_set(o, "name", tfv_new_string("firefly-registration_keys.v1"));
    tfv_map_set(o, "hash_key", s_key("registration_key", "S"));
    struct tfv *ttl = tfv_new_object();
    tfv_map_set(ttl, "attribute_name", tfv_new_string("expires_at"));
    tfv_map_set(o, "ttl", ttl);
    struct tfv *to = tfv_new_object();
    tfv_map_set(to, "create", tfv_new_string("1h30m"));
    tfv_map_set(to, "delete", tfv_new_string("90s"));
    tfv_map_set(o, "timeouts", to);
    return o;
}

/* Validate, expect exactly one error whose path formats as want_path. */
static void s_expect_one_error(struct tfv *cfg, const char *want_path, bool provider) {
    struct diag_list d;
    diag_list_init(&d);
    if (provider) {
        validate_provider_config(cfg, &d);
    } else {
        validate_ttl_table(cfg, &d);
    }
    if (d.count != 1) {
        for (size_t i = 0; i < d.count; i++) {
            print_message("diag: %s: %s\n", d.items[i].summary, d.items[i].detail);
        }
    }
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].severity, DIAG_ERROR);
    assert_true(d.items[0].has_path);
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    tfv_path_format(&d.items[0].path, &b);
    assert_string_equal(tpd_buf_cstr(&b), want_path);
    assert_non_null(d.items[0].detail);
    tpd_buf_clear(&b);
    diag_list_clear(&d);
    tfv_free(cfg);
}

static void test_valid_table(void **state) {
    (void)state;
    struct tfv *cfg = s_valid_table();
    struct diag_list d;
    diag_list_init(&d);
    validate_ttl_table(cfg, &d);
    assert_int_equal(d.count, 0);
    /* Unknown values are skipped. */
    tfv_map_set(cfg, "name", tfv_new_unknown());
    tfv_map_set(cfg, "billing_mode", tfv_new_unknown());
    tfv_map_set(cfg, "read_capacity", tfv_new_int(5));
    validate_ttl_table(cfg, &d);
    assert_int_equal(d.count, 0);
    diag_list_clear(&d);
    tfv_free(cfg);
}

static void test_table_name_rules(void **state) {
    (void)state;
    const char *bad[] = {"", "ab", "has space", "sl/ash", "ünï"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tfv *c = s_valid_table();
        tfv_map_set(c, "name", tfv_new_string(bad[i]));
        s_expect_one_error(c, "name", false);
    }
    char longname[300];
    memset(longname, 'a', 256);
    longname[256] = 0;
    struct tfv *c = s_valid_table();
    tfv_map_set(c, "name", tfv_new_string(longname));
    s_expect_one_error(c, "name", false);
    longname[255] = 0;
    assert_true(validate_table_name(longname));

    c = s_valid_table();
    tfv_map_set(c, "stack_name", tfv_new_string("has_underscore"));
    s_expect_one_error(c, "stack_name", false);
    c = s_valid_table();
    tfv_map_set(c, "stack_name", tfv_new_string("1starts-with-digit"));
    s_expect_one_error(c, "stack_name", false);
}

static void test_key_rules(void **state) {
    (void)state;
    struct tfv *c = s_valid_table();
    tfv_map_set(c, "hash_key", s_key("id", "X"));
    s_expect_one_error(c, "hash_key", false);
    c = s_valid_table();
    tfv_map_set(c, "range_key", s_key("", "N"));
    s_expect_one_error(c, "range_key", false);
    c = s_valid_table();
    tfv_map_set(c, "range_key", s_key("registration_key", "N"));
    s_expect_one_error(c, "range_key", false);
}

static void test_billing_rules(void **state) {
    (void)state;
    struct tfv *c = s_valid_table();
    tfv_map_set(c, "billing_mode", tfv_new_string("ON_DEMAND"));
    s_expect_one_error(c, "billing_mode", false);
    c = s_valid_table();
    tfv_map_set(c, "read_capacity", tfv_new_int(5));
    s_expect_one_error(c, "read_capacity", false); /* capacity with PAY_PER_REQUEST */
    c = s_valid_table();
    tfv_map_set(c, "billing_mode", tfv_new_string("PROVISIONED"));
    tfv_map_set(c, "read_capacity", tfv_new_int(5));
    s_expect_one_error(c, "write_capacity", false); /* missing */
    c = s_valid_table();
    tfv_map_set(c, "billing_mode", tfv_new_string("PROVISIONED"));
    tfv_map_set(c, "read_capacity", tfv_new_int(-1));
    tfv_map_set(c, "write_capacity", tfv_new_int(1));
    s_expect_one_error(c, "read_capacity", false); /* negative */
    c = s_valid_table();
    tfv_map_set(c, "billing_mode", tfv_new_string("PROVISIONED"));
    tfv_map_set(c, "read_capacity", tfv_new_int(1));
    tfv_map_set(c, "write_capacity", tfv_new_double(2.5));
    s_expect_one_error(c, "write_capacity", false); /* fractional */
}

static void test_ttl_timeouts_tags(void **state) {
    (void)state;
    struct tfv *c = s_valid_table();
    struct tfv *ttl = tfv_new_object();
    tfv_map_set(ttl, "attribute_name", tfv_new_string(""));
    tfv_map_set(c, "ttl", ttl);
    s_expect_one_error(c, "ttl", false);

    /* ttl = { attribute_name = null, enabled = false } was planned as "+ ttl" forever. */
    c = s_valid_table();
    ttl = tfv_new_object();
    tfv_map_set(ttl, "attribute_name", tfv_new_null());
    tfv_map_set(ttl, "enabled", tfv_new_bool(false));
    tfv_map_set(c, "ttl", ttl);
    s_expect_one_error(c, "ttl", false);

    const char *bad[] = {"30", "abc", "-5m", "0s", "5 m", "m", "1y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = s_valid_table();
        struct tfv *to = tfv_new_object();
        tfv_map_set(to, "update", tfv_new_string(bad[i]));
        tfv_map_set(c, "timeouts", to);
        s_expect_one_error(c, "timeouts", false);
    }
    int64_t ns;
    assert_true(validate_parse_duration("1h30m", &ns));
    assert_true(ns == 5400LL * 1000000000LL);
    assert_true(validate_parse_duration("1.5h", &ns));
    assert_true(ns == 5400LL * 1000000000LL);
    assert_true(validate_parse_duration("250ms", &ns));
    assert_true(ns == 250LL * 1000000LL);

    c = s_valid_table();
    struct tfv *tags = tfv_new_map();
    tfv_map_set(tags, "aws:reserved", tfv_new_string("x"));
    tfv_map_set(c, "tags", tags);
    s_expect_one_error(c, "tags[\"aws:reserved\"]", false);
}

/* One GSI object: name, hash key (name, S), projection (NULL: left out), extra field. */
static struct tfv *s_gsi(const char *name, const char *key, const char *projection) {
    struct tfv *g = tfv_new_object();
    tfv_map_set(g, "name", tfv_new_string(name));
    tfv_map_set(g, "hash_key", s_key(key, "S"));
    tfv_map_set(g, "projection_type", projection ? tfv_new_string(projection) : tfv_new_null());
    return g;
}

static struct tfv *s_list(struct tfv *a, struct tfv *b) {
    struct tfv *l = tfv_new_list();
    if (a) {
        tfv_list_append(l, a);
    }
    if (b) {
        tfv_list_append(l, b);
    }
    return l;
}

static struct tfv *s_strset(size_t n, const char *prefix) {
    struct tfv *set = tfv_new_set();
    for (size_t i = 0; i < n; i++) {
        char b[32];
        snprintf(b, sizeof b, "%s%zu", prefix, i);
        tfv_list_append(set, tfv_new_string(b));
    }
    return set;
}

/* A table with every new feature, valid. */
static struct tfv *s_rich_table(void) {
    struct tfv *c = s_valid_table();
    tfv_map_set(c, "range_key", s_key("created_at", "N"));
    struct tfv *inc = s_gsi("by_status", "status", "INCLUDE");
    tfv_map_set(inc, "non_key_attributes", s_strset(3, "a"));
    tfv_map_set(inc, "range_key", s_key("created_at", "N"));
    tfv_map_set(c, "global_secondary_indexes", s_list(s_gsi("by.owner-1", "owner", NULL), inc));
    struct tfv *lsi = tfv_new_object();
    tfv_map_set(lsi, "name", tfv_new_string("by_total"));
    tfv_map_set(lsi, "range_key", s_key("total", "N"));
    tfv_map_set(lsi, "projection_type", tfv_new_string("KEYS_ONLY"));
    tfv_map_set(c, "local_secondary_indexes", s_list(lsi, NULL));
    struct tfv *st = tfv_new_object();
    tfv_map_set(st, "view_type", tfv_new_string("NEW_AND_OLD_IMAGES"));
    tfv_map_set(c, "stream", st);
    struct tfv *sse = tfv_new_object();
    tfv_map_set(
        sse,
        "kms_key_arn",
        tfv_new_string(
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
    tfv_map_set(c, "server_side_encryption", sse);
    tfv_map_set(c, "table_class", tfv_new_string("STANDARD_INFREQUENT_ACCESS"));
    struct tfv *od = tfv_new_object();
    tfv_map_set(od, "max_read_request_units", tfv_new_int(100));
    tfv_map_set(od, "max_write_request_units", tfv_new_null());
    tfv_map_set(c, "on_demand_throughput", od);
    tfv_map_set(c, "contributor_insights", tfv_new_bool(true));
    return c;
}

static struct tfv *s_gsis_of(struct tfv *c) {
    return tfv_get_mut(c, "global_secondary_indexes");
}

static void test_index_rules(void **state) {
    (void)state;
    struct tfv *c = s_rich_table();
    struct diag_list d;
    diag_list_init(&d);
    validate_ttl_table(c, &d);
    for (size_t i = 0; i < d.count; i++) {
        print_message("diag: %s: %s\n", d.items[i].summary, d.items[i].detail);
    }
    assert_int_equal(d.count, 0);
    tfv_free(c);

    /* Index names, keys, projections: the path is the list element. */
    c = s_rich_table();
    tfv_map_set(s_gsis_of(c)->u.list.items[1], "name", tfv_new_string("ab"));
    s_expect_one_error(c, "global_secondary_indexes[1]", false);
    c = s_rich_table();
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "hash_key", s_key("owner", "Q"));
    s_expect_one_error(c, "global_secondary_indexes[0]", false);
    c = s_rich_table();
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "projection_type", tfv_new_string("SOME"));
    s_expect_one_error(c, "global_secondary_indexes[0]", false);
    c = s_rich_table(); /* INCLUDE without attributes */
    tfv_map_set(s_gsis_of(c)->u.list.items[1], "non_key_attributes", tfv_new_null());
    s_expect_one_error(c, "global_secondary_indexes[1]", false);
    c = s_rich_table(); /* attributes without INCLUDE */
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "non_key_attributes", s_strset(1, "x"));
    s_expect_one_error(c, "global_secondary_indexes[0]", false);
    c = s_rich_table(); /* the same name twice, across GSIs and LSIs */
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "name", tfv_new_string("by_total"));
    s_expect_one_error(c, "local_secondary_indexes[0]", false);
    c = s_rich_table(); /* sort key = partition key of the index */
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "range_key", s_key("owner", "S"));
    s_expect_one_error(c, "global_secondary_indexes[0]", false);
    c = s_rich_table(); /* one attribute, two types (created_at is N in the table) */
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "hash_key", s_key("created_at", "S"));
    s_expect_one_error(c, "global_secondary_indexes[0]", false);
    c = s_rich_table(); /* more than 100 projected attributes over all indexes */
    tfv_map_set(s_gsis_of(c)->u.list.items[1], "non_key_attributes", s_strset(101, "a"));
    s_expect_one_error(c, "global_secondary_indexes", false);

    /* Capacities follow the table's billing. */
    c = s_rich_table();
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "read_capacity", tfv_new_int(5));
    s_expect_one_error(c, "global_secondary_indexes[0]", false);
    c = s_rich_table();
    tfv_map_set(c, "on_demand_throughput", tfv_new_null());
    tfv_map_set(c, "billing_mode", tfv_new_string("PROVISIONED"));
    tfv_map_set(c, "read_capacity", tfv_new_int(1));
    tfv_map_set(c, "write_capacity", tfv_new_int(1));
    for (size_t i = 0; i < 2; i++) {
        tfv_map_set(s_gsis_of(c)->u.list.items[i], "read_capacity", tfv_new_int(2));
        tfv_map_set(s_gsis_of(c)->u.list.items[i], "write_capacity", tfv_new_int(2));
    }
    tfv_map_set(s_gsis_of(c)->u.list.items[1], "write_capacity", tfv_new_null());
    s_expect_one_error(c, "global_secondary_indexes[1]", false);

    /* Limits: 20 GSIs, 5 LSIs; LSIs need the table's sort key. */
    c = s_rich_table();
    struct tfv *many = tfv_new_list();
    for (int i = 0; i < 21; i++) {
        char n[16];
        snprintf(n, sizeof n, "gsi_%02d", i);
        tfv_list_append(many, s_gsi(n, "owner", NULL));
    }
    tfv_map_set(c, "global_secondary_indexes", many);
    s_expect_one_error(c, "global_secondary_indexes", false);
    c = s_rich_table();
    tfv_map_set(c, "range_key", tfv_new_null());
    tfv_map_set(s_gsis_of(c)->u.list.items[1], "range_key", tfv_new_null());
    s_expect_one_error(c, "local_secondary_indexes", false);

    /* Stream, encryption, class, on-demand. */
    c = s_rich_table();
    struct tfv *st = tfv_new_object();
    tfv_map_set(st, "view_type", tfv_new_string("EVERYTHING"));
    tfv_map_set(c, "stream", st);
    s_expect_one_error(c, "stream", false);
    const char *bad_keys[] = {
        "alias/aws/dynamodb",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:123456789012:alias/mine",
        "arn:aws:kms:us-east-1:1234:key/x",
        "arn:aws:s3:us-east-1:123456789012:key/x"};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        c = s_rich_table();
        struct tfv *sse = tfv_new_object();
        tfv_map_set(sse, "kms_key_arn", tfv_new_string(bad_keys[i]));
        tfv_map_set(c, "server_side_encryption", sse);
        s_expect_one_error(c, "server_side_encryption", false);
    }
    c = s_rich_table();
    tfv_map_set(c, "table_class", tfv_new_string("COLD"));
    s_expect_one_error(c, "table_class", false);
    c = s_rich_table();
    tfv_map_set(tfv_get_mut(c, "on_demand_throughput"), "max_read_request_units", tfv_new_int(0));
    s_expect_one_error(c, "on_demand_throughput", false);
    c = s_rich_table();
    tfv_map_set(tfv_get_mut(c, "on_demand_throughput"), "max_read_request_units", tfv_new_null());
    s_expect_one_error(c, "on_demand_throughput", false); /* both null */

    /* Unknown values are skipped. */
    c = s_rich_table();
    tfv_map_set(s_gsis_of(c)->u.list.items[1], "non_key_attributes", tfv_new_unknown());
    tfv_map_set(s_gsis_of(c)->u.list.items[0], "projection_type", tfv_new_unknown());
    tfv_map_set(c, "local_secondary_indexes", tfv_new_unknown());
    diag_list_init(&d);
    validate_ttl_table(c, &d);
    assert_int_equal(d.count, 0);
    diag_list_clear(&d);
    tfv_free(c);
}

/* The properties of issue 25 (validate_features.c). */
static void test_feature_rules(void **state) {
    (void)state;
    struct tfv *c = s_valid_table();
    tfv_map_set(c, "point_in_time_recovery", tfv_new_bool(true));
    tfv_map_set(c, "recovery_period_in_days", tfv_new_int(7));
    struct diag_list d;
    diag_list_init(&d);
    validate_ttl_table(c, &d);
    assert_int_equal(d.count, 0);
    tfv_map_set(c, "point_in_time_recovery", tfv_new_unknown());
    validate_ttl_table(c, &d);
    assert_int_equal(d.count, 0);
    diag_list_clear(&d);
    tfv_map_set(c, "point_in_time_recovery", tfv_new_bool(true));
    tfv_map_set(c, "recovery_period_in_days", tfv_new_int(36));
    s_expect_one_error(c, "recovery_period_in_days", false);
    c = s_valid_table();
    tfv_map_set(c, "point_in_time_recovery", tfv_new_bool(true));
    tfv_map_set(c, "recovery_period_in_days", tfv_new_int(0));
    s_expect_one_error(c, "recovery_period_in_days", false);
    c = s_valid_table();
    tfv_map_set(c, "recovery_period_in_days", tfv_new_int(7)); /* recovery left out: off */
    s_expect_one_error(c, "recovery_period_in_days", false);
    c = s_valid_table();
    tfv_map_set(c, "point_in_time_recovery", tfv_new_bool(false));
    tfv_map_set(c, "recovery_period_in_days", tfv_new_int(7));
    s_expect_one_error(c, "recovery_period_in_days", false);
    /* resource_policy: a JSON object of at most 20480 bytes. */
    c = s_valid_table();
    tfv_map_set(c, "resource_policy", tfv_new_string("{\"Version\":\"2012-10-17\"}"));
    diag_list_init(&d);
    validate_ttl_table(c, &d);
    assert_int_equal(d.count, 0);
    diag_list_clear(&d);
    tfv_map_set(c, "resource_policy", tfv_new_string("{\"Version\":"));
    s_expect_one_error(c, "resource_policy", false);
    c = s_valid_table();
    tfv_map_set(c, "resource_policy", tfv_new_string("[1]"));
    s_expect_one_error(c, "resource_policy", false);
    c = s_valid_table();
    char big[20500];
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    big[sizeof big - 1] = 0;
    tfv_map_set(c, "resource_policy", tfv_new_string(big));
    s_expect_one_error(c, "resource_policy", false);
}

static void test_provider_rules(void **state) {
    (void)state;
    struct tfv *c = tfv_new_object();
    tfv_map_set(c, "access_key", tfv_new_string("AKID"));
    s_expect_one_error(c, "secret_key", true);

    c = tfv_new_object();
    tfv_map_set(c, "region", tfv_new_string("US East"));
    s_expect_one_error(c, "region", true);

    c = tfv_new_object();
    tfv_map_set(c, "max_retries", tfv_new_int(-1));
    s_expect_one_error(c, "max_retries", true);

    c = tfv_new_object();
    struct tfv *ep = tfv_new_object();
    tfv_map_set(ep, "dynamodb", tfv_new_string("not a url"));
    tfv_map_set(ep, "cloudformation", tfv_new_string("http://127.0.0.1:4566"));
    tfv_map_set(c, "endpoints", ep);
    s_expect_one_error(c, "endpoints", true);

    c = tfv_new_object();
    struct tfv *ar = tfv_new_object();
    tfv_map_set(ar, "role_arn", tfv_new_string("my-role"));
    tfv_map_set(c, "assume_role", ar);
    s_expect_one_error(c, "assume_role", true);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_table),
        cmocka_unit_test(test_table_name_rules),
        cmocka_unit_test(test_key_rules),
        cmocka_unit_test(test_billing_rules),
        cmocka_unit_test(test_ttl_timeouts_tags),
        cmocka_unit_test(test_index_rules),
        cmocka_unit_test(test_feature_rules),
        cmocka_unit_test(test_provider_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
