/*
 * Unit tests of the table spec (table_value.c: from a resource value) and the stack
 * template (table_template.c): defaults, TTL switched off under its old name,
 * determinism, the ownership marker, import mode (no Outputs, always Retain), stack tags
 * without empty values, reading a deployed template back (JSON and YAML), the retained
 * template of a move, and validity for cfn-lint (run on the rendered files).
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

#include "table_template.h"
#include "table_value.h"

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
s_render(const struct table_spec *s, enum table_template_mode mode, struct tpd_buf *text) {
    tpd_buf_init(text, 0);
    struct table_template_options o = {mode, NULL};
    assert_int_equal(table_template_render(s, &o, text, NULL), TPD_OK);
    json_error_t je;
    json_t *j = json_loads(tpd_buf_cstr(text), 0, &je);
    assert_non_null(j);
    return j;
}

static void test_defaults_and_template(void **state) {
    (void)state;
    struct tfv *v = s_value(true, false);
    struct table_spec s;
    assert_int_equal(table_value_to_spec(v, NULL, &s, NULL), TPD_OK);
    assert_string_equal(s.stack_name, "firefly-registration-keys");
    assert_true(s.deletion_protection); /* default on */
    assert_false(s.pitr);
    assert_true(s.ttl.enabled);
    assert_string_equal(s.tags[0].key, "app");

    struct tpd_buf text;
    json_t *t = s_render(&s, TABLE_TEMPLATE_FULL, &text);
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
    json_t *t2 = s_render(&s, TABLE_TEMPLATE_FULL, &again);
    assert_true(tpd_span_eq(tpd_buf_span(&text), tpd_buf_span(&again)));

    /* The ownership marker names the table. */
    json_t *marker = json_object_get(json_object_get(table, "Metadata"), TABLE_TEMPLATE_MARKER);
    assert_string_equal(
        json_string_value(json_object_get(marker, "Table")), "firefly_registration.keys");

    /* Import mode: no Outputs, and always DeletionPolicy Retain (the configured policy comes
     * with the follow-up update; a failure in between must not leave a deleting stack). */
    struct tpd_buf imp;
    json_t *t3 = s_render(&s, TABLE_TEMPLATE_IMPORT, &imp);
    assert_null(json_object_get(t3, "Outputs"));
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(t3, "Resources"), "Table"), "DeletionPolicy")),
        "Retain");

    json_decref(t);
    json_decref(t2);
    json_decref(t3);
    tpd_buf_clear(&text);
    tpd_buf_clear(&again);
    tpd_buf_clear(&imp);
    table_spec_clear(&s);
    tfv_free(v);
}

static void test_ttl_removed_keeps_name(void **state) {
    (void)state;
    struct tfv *prior = s_value(true, false);
    struct tfv *now = s_value(false, true);
    struct table_spec s;
    assert_int_equal(table_value_to_spec(now, prior, &s, NULL), TPD_OK);
    assert_string_equal(s.ttl.attribute, "expires_at");
    assert_false(s.ttl.enabled);
    struct tpd_buf text;
    json_t *t = s_render(&s, TABLE_TEMPLATE_FULL, &text);
    json_t *p =
        json_object_get(json_object_get(json_object_get(t, "Resources"), "Table"), "Properties");
    json_t *ttl = json_object_get(p, "TimeToLiveSpecification");
    assert_string_equal(json_string_value(json_object_get(ttl, "AttributeName")), "expires_at");
    assert_true(json_is_false(json_object_get(ttl, "Enabled")));
    json_t *pt = json_object_get(p, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 5);
    json_decref(t);
    tpd_buf_clear(&text);
    table_spec_clear(&s);

    /* Never configured: no TimeToLiveSpecification at all. */
    assert_int_equal(table_value_to_spec(now, NULL, &s, NULL), TPD_OK);
    assert_null(s.ttl.attribute);
    table_spec_clear(&s);
    tfv_free(prior);
    tfv_free(now);
}

static void test_default_stack_name(void **state) {
    (void)state;
    char *n = table_spec_default_stack_name("my_table.v2");
    assert_string_equal(n, "my-table-v2");
    free(n);
    n = table_spec_default_stack_name("1table");
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
            struct table_spec s;
            assert_int_equal(table_value_to_spec(variants[i], NULL, &s, NULL), TPD_OK);
            struct tpd_buf text;
            tpd_buf_init(&text, 0);
            struct table_template_options o = {
                (enum table_template_mode)mode, mode ? "MyTable" : NULL};
            assert_int_equal(table_template_render(&s, &o, &text, NULL), TPD_OK);
            char path[256];
            snprintf(path, sizeof path, "%s/t%zu-%d.json", dir, i, mode);
            FILE *f = fopen(path, "w");
            assert_non_null(f);
            fwrite(text.ptr, 1, text.len, f);
            fclose(f);
            tpd_buf_clear(&text);
            table_spec_clear(&s);
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

/* Stack tags leave out empty values (CloudFormation wants 1-256 characters); the table
 * gets every tag through the template (DynamoDB allows empty values). */
static void test_stack_tags(void **state) {
    (void)state;
    struct tfv *v = s_value(false, false);
    tfv_map_set(tfv_get_mut(v, "tags"), "note", tfv_new_string(""));
    struct table_spec s;
    assert_int_equal(table_value_to_spec(v, NULL, &s, NULL), TPD_OK);
    assert_int_equal(s.tag_count, 3);
    struct tpd_kv *tags = NULL;
    size_t n = 0;
    assert_int_equal(table_template_stack_tags(&s, &tags, &n), TPD_OK);
    assert_int_equal(n, 2);
    assert_null(tpd_kv_find(tags, n, "note"));
    assert_string_equal(tpd_kv_find(tags, n, "app"), "firefly");
    tpd_kv_array_free(tags, n);
    struct tpd_buf text;
    json_t *t = s_render(&s, TABLE_TEMPLATE_FULL, &text);
    json_t *tt = json_object_get(
        json_object_get(json_object_get(json_object_get(t, "Resources"), "Table"), "Properties"),
        "Tags");
    assert_int_equal(json_array_size(tt), 3);
    json_decref(t);
    tpd_buf_clear(&text);
    table_spec_clear(&s);
    tfv_free(v);
}

/* A rendered template reads back as ours; a logical id of the stack's own is kept. */
static void test_read_back_own(void **state) {
    (void)state;
    struct tfv *v = s_value(true, false);
    struct table_spec s;
    assert_int_equal(table_value_to_spec(v, NULL, &s, NULL), TPD_OK);
    s.retain_on_destroy = true;
    struct tpd_buf text;
    tpd_buf_init(&text, 0);
    struct table_template_options o = {TABLE_TEMPLATE_FULL, "OrdersTable"};
    assert_int_equal(table_template_render(&s, &o, &text, NULL), TPD_OK);
    struct template_facts f;
    assert_int_equal(table_template_read(tpd_buf_span(&text), &f, NULL), TPD_OK);
    assert_true(f.read);
    assert_true(f.marked);
    assert_string_equal(f.marked_table, "firefly_registration.keys");
    assert_string_equal(f.logical_id, "OrdersTable");
    assert_string_equal(f.deletion_policy, "Retain");
    assert_int_equal(f.resource_count, 1);
    assert_false(f.has_transform);
    template_facts_clear(&f);

    /* The retained variant of a move: same template, Retain, and a Metadata change. */
    s.retain_on_destroy = false;
    tpd_buf_reset(&text);
    o.logical_id = NULL;
    assert_int_equal(table_template_render(&s, &o, &text, NULL), TPD_OK);
    struct tpd_buf ret;
    tpd_buf_init(&ret, 0);
    assert_int_equal(
        table_template_retained(tpd_buf_span(&text), "Table", "moving to stack b", &ret, NULL),
        TPD_OK);
    assert_int_equal(table_template_read(tpd_buf_span(&ret), &f, NULL), TPD_OK);
    assert_string_equal(f.deletion_policy, "Retain");
    assert_true(f.marked);
    template_facts_clear(&f);
    assert_non_null(strstr(tpd_buf_cstr(&ret), "moving to stack b"));
    assert_non_null(strstr(tpd_buf_cstr(&ret), "\"Outputs\""));
    tpd_buf_clear(&ret);
    tpd_buf_clear(&text);
    table_spec_clear(&s);
    tfv_free(v);
}

/* Templates written by people: YAML with short-form tags, no marker, other resources,
 * no DeletionPolicy (Delete for a table), a Transform; the legacy description. */
static void test_read_foreign(void **state) {
    (void)state;
    static const char yaml[] =
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Parameters:\n  Name: {Type: String}\n"
        "Resources:\n"
        "  Queue:\n    Type: AWS::SQS::Queue\n"
        "  Keys:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n"
        "    Properties:\n      TableName: !Ref Name\n      Arn: !GetAtt Queue.Arn\n"
        "      BillingMode: PAY_PER_REQUEST\n";
    struct template_facts f;
    assert_int_equal(table_template_read(tpd_span_cstr(yaml), &f, NULL), TPD_OK);
    assert_false(f.marked);
    assert_false(f.legacy);
    assert_string_equal(f.logical_id, "Keys");
    assert_string_equal(f.deletion_policy, "Retain");
    assert_int_equal(f.resource_count, 2);
    template_facts_clear(&f);

    static const char json[] =
        "{\"Transform\": \"AWS::Serverless-2016-10-31\", \"Resources\": {\"T\": {\"Type\": "
        "\"AWS::DynamoDB::Table\"}}}";
    assert_int_equal(table_template_read(tpd_span_cstr(json), &f, NULL), TPD_OK);
    assert_true(f.has_transform);
    assert_string_equal(f.deletion_policy, "Delete");
    template_facts_clear(&f);

    static const char legacy[] =
        "{\"Description\": \"" TABLE_TEMPLATE_DESCRIPTION "\", \"Resources\": {\"Table\": "
        "{\"Type\": \"AWS::DynamoDB::Table\", \"DeletionPolicy\": \"Delete\"}}}";
    assert_int_equal(table_template_read(tpd_span_cstr(legacy), &f, NULL), TPD_OK);
    assert_true(f.legacy);
    assert_false(f.marked);
    template_facts_clear(&f);

    assert_int_equal(table_template_read(tpd_span_cstr("{not json"), &f, NULL), TPD_E_PARSE);
    assert_int_equal(table_template_read(tpd_span_cstr("- a\n- b\n"), &f, NULL), TPD_E_PARSE);
    /* An alias bomb stops at the node limit instead of eating memory. */
    struct tpd_buf bomb;
    tpd_buf_init(&bomb, 0);
    tpd_buf_append_cstr(&bomb, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (int c = 'b'; c <= 'k'; c++) {
        tpd_buf_printf(
            &bomb,
            "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
            c,
            c,
            c - 1,
            c - 1,
            c - 1,
            c - 1,
            c - 1,
            c - 1,
            c - 1,
            c - 1,
            c - 1,
            c - 1);
    }
    assert_int_equal(table_template_read(tpd_buf_span(&bomb), &f, NULL), TPD_E_TOO_LARGE);
    tpd_buf_clear(&bomb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_template),
        cmocka_unit_test(test_ttl_removed_keeps_name),
        cmocka_unit_test(test_default_stack_name),
        cmocka_unit_test(test_stack_tags),
        cmocka_unit_test(test_read_back_own),
        cmocka_unit_test(test_read_foreign),
        cmocka_unit_test(test_cfn_lint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
