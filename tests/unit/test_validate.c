/*
 * Unit tests of validation: every rule gives an error with the right attribute
 * path; valid configurations and unknown values give none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
        cmocka_unit_test(test_provider_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
