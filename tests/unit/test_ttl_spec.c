/*
 * Unit tests of the desired-table spec and the CloudFormation template renderer:
 * defaults, TTL switched off under its old name, determinism, import mode without
 * Outputs, and validity for cfn-lint (run on the rendered files when installed).
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ttl_spec.h"

static struct tfv *s_value(bool with_ttl, bool provisioned) {
    struct tfv *o = tfv_new_object();
    tfv_map_set(o, "name", tfv_new_string("firefly_registration.keys"));
    struct tfv *hk = tfv_new_object();
    tfv_map_set(hk, "name", tfv_new_string("registration_key"));
    tfv_map_set(hk, "type", tfv_new_string("S"));
    tfv_map_set(o, "hash_key", hk);
    struct tfv *rk = tfv_new_object();
    tfv_map_set(rk, "name", tfv_new_string("created_at"));
    tfv_map_set(rk, "type", tfv_new_string("N"));
    tfv_map_set(o, "range_key", rk);
    if (with_ttl) {
        struct tfv *ttl = tfv_new_object();
        tfv_map_set(ttl, "attribute_name", tfv_new_string("expires_at"));
        tfv_map_set(ttl, "enabled", tfv_new_null());
        tfv_map_set(o, "ttl", ttl);
    }
    if (provisioned) {
        tfv_map_set(o, "billing_mode", tfv_new_string("PROVISIONED"));
        tfv_map_set(o, "read_capacity", tfv_new_int(5));
        tfv_map_set(o, "write_capacity", tfv_new_int(7));
    }
    struct tfv *tags = tfv_new_map();
    tfv_map_set(tags, "zeta", tfv_new_string("last"));
    tfv_map_set(tags, "app", tfv_new_string("firefly"));
    tfv_map_set(o, "tags", tags);
    return o;
}

static json_t *
s_render(const struct ttl_spec *s, enum cfn_template_mode mode, struct tpd_buf *text) {
    tpd_buf_init(text, 0);
    assert_int_equal(cfn_template_render(s, mode, text, NULL), TPD_OK);
    json_error_t je;
    json_t *j = json_loads(tpd_buf_cstr(text), 0, &je);
    assert_non_null(j);
    return j;
}

static void test_defaults_and_template(void **state) {
    (void)state;
    struct tfv *v = s_value(true, false);
    struct ttl_spec s;
    assert_int_equal(ttl_spec_from_value(v, NULL, &s, NULL), TPD_OK);
    assert_string_equal(s.stack_name, "firefly-registration-keys");
    assert_true(s.deletion_protection); /* default on */
    assert_false(s.pitr);
    assert_true(s.ttl_enabled);
    assert_string_equal(s.tags[0].key, "app");

    struct tpd_buf text;
    json_t *t = s_render(&s, CFN_TEMPLATE_FULL, &text);
    json_t *table = json_object_get(json_object_get(t, "Resources"), "Table");
    assert_string_equal(json_string_value(json_object_get(table, "DeletionPolicy")), "Delete");
    json_t *p = json_object_get(table, "Properties");
    assert_string_equal(json_string_value(json_object_get(p, "BillingMode")), "PAY_PER_REQUEST");
    assert_null(json_object_get(p, "ProvisionedThroughput"));
    assert_true(json_is_true(json_object_get(p, "DeletionProtectionEnabled")));
    json_t *ttl = json_object_get(p, "TimeToLiveSpecification");
    assert_string_equal(json_string_value(json_object_get(ttl, "AttributeName")), "expires_at");
    assert_true(json_is_true(json_object_get(ttl, "Enabled")));
    assert_int_equal(json_array_size(json_object_get(p, "KeySchema")), 2);
    json_t *out = json_object_get(json_object_get(t, "Outputs"), "TableArn");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "Export"), "Name")),
        "firefly-registration-keys-TableArn");

    /* Same spec, same bytes. */
    struct tpd_buf again;
    json_t *t2 = s_render(&s, CFN_TEMPLATE_FULL, &again);
    assert_true(tpd_span_eq(tpd_buf_span(&text), tpd_buf_span(&again)));

    /* Import mode: no Outputs, DeletionPolicy present. */
    struct tpd_buf imp;
    json_t *t3 = s_render(&s, CFN_TEMPLATE_IMPORT, &imp);
    assert_null(json_object_get(t3, "Outputs"));
    assert_non_null(json_object_get(
        json_object_get(json_object_get(t3, "Resources"), "Table"), "DeletionPolicy"));

    json_decref(t);
    json_decref(t2);
    json_decref(t3);
    tpd_buf_clear(&text);
    tpd_buf_clear(&again);
    tpd_buf_clear(&imp);
    ttl_spec_clear(&s);
    tfv_free(v);
}

static void test_ttl_removed_keeps_name(void **state) {
    (void)state;
    struct tfv *prior = s_value(true, false);
    struct tfv *now = s_value(false, true);
    struct ttl_spec s;
    assert_int_equal(ttl_spec_from_value(now, prior, &s, NULL), TPD_OK);
    assert_string_equal(s.ttl_attribute, "expires_at");
    assert_false(s.ttl_enabled);
    struct tpd_buf text;
    json_t *t = s_render(&s, CFN_TEMPLATE_FULL, &text);
    json_t *p =
        json_object_get(json_object_get(json_object_get(t, "Resources"), "Table"), "Properties");
    json_t *ttl = json_object_get(p, "TimeToLiveSpecification");
    assert_string_equal(json_string_value(json_object_get(ttl, "AttributeName")), "expires_at");
    assert_true(json_is_false(json_object_get(ttl, "Enabled")));
    json_t *pt = json_object_get(p, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 5);
    json_decref(t);
    tpd_buf_clear(&text);
    ttl_spec_clear(&s);

    /* Never configured: no TimeToLiveSpecification at all. */
    assert_int_equal(ttl_spec_from_value(now, NULL, &s, NULL), TPD_OK);
    assert_null(s.ttl_attribute);
    ttl_spec_clear(&s);
    tfv_free(prior);
    tfv_free(now);
}

static void test_default_stack_name(void **state) {
    (void)state;
    char *n = ttl_spec_default_stack_name("my_table.v2");
    assert_string_equal(n, "my-table-v2");
    free(n);
    n = ttl_spec_default_stack_name("1table");
    assert_string_equal(n, "t-1table");
    free(n);
}

/* cfn-lint (installed with the test tools) must accept every template we render. */
static void test_cfn_lint(void **state) {
    (void)state;
    if (system("command -v cfn-lint >/dev/null 2>&1") != 0) {
        skip();
    }
    struct tfv *variants[] = {s_value(true, false), s_value(false, true), s_value(true, true)};
    char dir[] = "/tmp/tpd-cfnlint-XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < 3; i++) {
        for (int mode = 0; mode < 2; mode++) {
            struct ttl_spec s;
            assert_int_equal(ttl_spec_from_value(variants[i], NULL, &s, NULL), TPD_OK);
            struct tpd_buf text;
            tpd_buf_init(&text, 0);
            assert_int_equal(
                cfn_template_render(&s, (enum cfn_template_mode)mode, &text, NULL), TPD_OK);
            char path[256];
            snprintf(path, sizeof path, "%s/t%zu-%d.json", dir, i, mode);
            FILE *f = fopen(path, "w");
            assert_non_null(f);
            fwrite(text.ptr, 1, text.len, f);
            fclose(f);
            tpd_buf_clear(&text);
            ttl_spec_clear(&s);
        }
        tfv_free(variants[i]);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cfn-lint --regions us-east-1 -- %s/*.json", dir);
    int rc = system(cmd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(rc, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_template),
        cmocka_unit_test(test_ttl_removed_keeps_name),
        cmocka_unit_test(test_default_stack_name),
        cmocka_unit_test(test_cfn_lint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
