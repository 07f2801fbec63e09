/*
 * Unit tests of the data source dynamodb_ttl_table (provider/resource/private/ttl_table_data.h):
 * its value from the facts of a table (a struct table_live, as cloud_read_table fills it)
 * and the stack holding it, against the data source's schema type; and the validation of
 * its name. The reads themselves are cloud_read_table and cloud_find_owner, tested with the
 * resource; the whole call runs end to end in tests/e2e/test_data_source.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"
#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "ttl_table_data.h"

static char *s_dup(const char *s) {
    char *d = tpd_strdup(s);
    assert_non_null(d);
    return d;
}

/* A table with a sort key, TTL on, one GSI (KEYS_ONLY), a stream and a tag. */
static void s_table(struct table_live *t) {
    memset(t, 0, sizeof(*t));
    t->exists = true;
    t->spec.name = s_dup("t1");
    t->spec.hash.name = s_dup("pk");
    t->spec.hash.type = s_dup("S");
    t->spec.range.name = s_dup("sk");
    t->spec.range.type = s_dup("N");
    t->spec.deletion_protection = true;
    t->spec.ttl.attribute = s_dup("expires_at");
    t->spec.ttl.enabled = true;
    t->spec.stream_view_type = s_dup("NEW_IMAGE");
    t->spec.tags = tpd_calloc(1, sizeof(*t->spec.tags));
    assert_non_null(t->spec.tags);
    assert_int_equal(tpd_kv_set(&t->spec.tags[0], "app", "firefly"), TPD_OK);
    t->spec.tag_count = 1;
    t->spec.gsis = tpd_calloc(1, sizeof(*t->spec.gsis));
    assert_non_null(t->spec.gsis);
    t->spec.gsi_count = 1;
    t->spec.gsis[0].name = s_dup("by_status");
    t->spec.gsis[0].hash.name = s_dup("status");
    t->spec.gsis[0].hash.type = s_dup("S");
    t->spec.gsis[0].projection = s_dup("KEYS_ONLY");
    t->arn = s_dup("arn:aws:dynamodb:us-east-1:123456789012:table/t1");
    t->status = s_dup("ACTIVE");
    t->ttl_status = s_dup("ENABLED");
    t->stream_arn = s_dup("arn:aws:dynamodb:us-east-1:123456789012:table/t1/stream/x");
}

/* The value fits the data source's type (what the RPC layer encodes). */
static void s_encodes(const struct tfv *v) {
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    struct tpd_err err = {0};
    assert_int_equal(tfv_encode_msgpack(v, schema_ttl_table_data()->type, &b, &err), TPD_OK);
    tpd_err_clear(&err);
    tpd_buf_clear(&b);
}

static void test_value_of_a_table_in_a_stack(void **state) {
    (void)state;
    struct table_live t;
    s_table(&t);
    struct tfv *v = ttl_table_data_value(&t, "s1", "arn:aws:cloudformation:us-east-1:1:stack/s1/1");
    assert_non_null(v);
    s_encodes(v);
    assert_string_equal(tfv_get_str(v, "name"), "t1");
    assert_string_equal(tfv_get_str(v, "id"), "t1");
    assert_string_equal(tfv_get_str(v, "stack_name"), "s1");
    assert_string_equal(
        tfv_get_str(v, "stack_id"), "arn:aws:cloudformation:us-east-1:1:stack/s1/1");
    assert_string_equal(tfv_get_str(tfv_get(v, "range_key"), "type"), "N");
    /* Spelled out where the resource mirrors a configuration instead. */
    const struct tfv *ttl = tfv_get(v, "ttl");
    bool on = false;
    assert_string_equal(tfv_get_str(ttl, "attribute_name"), "expires_at");
    assert_true(tfv_get_bool(ttl, "enabled", &on) && on);
    assert_string_equal(tfv_get_str(v, "table_class"), "STANDARD");
    bool ci = true;
    assert_true(tfv_get_bool(v, "contributor_insights", &ci) && !ci);
    assert_string_equal(tfv_get_str(tfv_get(v, "tags"), "app"), "firefly");
    const struct tfv *g = tfv_get(v, "global_secondary_indexes");
    assert_int_equal(g->kind, TFV_LIST);
    assert_int_equal(g->u.list.count, 1);
    assert_string_equal(tfv_get_str(g->u.list.items[0], "projection_type"), "KEYS_ONLY");
    assert_string_equal(tfv_get_str(tfv_get(v, "stream"), "view_type"), "NEW_IMAGE");
    assert_non_null(tfv_get_str(v, "stream_arn"));
    assert_true(tfv_is_null(tfv_get(v, "read_capacity")));
    assert_true(tfv_is_null(tfv_get(v, "server_side_encryption")));
    /* Nothing of the resource's own (timeouts, retain_on_destroy) leaks in. */
    assert_null(tfv_get(v, "timeouts"));
    assert_null(tfv_get(v, "retain_on_destroy"));
    tfv_free(v);
    table_live_clear(&t);
}

static void test_value_of_a_table_in_no_stack(void **state) {
    (void)state;
    struct table_live t;
    s_table(&t);
    /* TTL off: DynamoDB reports no attribute name; no tags; the infrequent-access class. */
    free(t.spec.ttl.attribute);
    t.spec.ttl.attribute = NULL;
    t.spec.ttl.enabled = false;
    free(t.ttl_status);
    t.ttl_status = s_dup("DISABLED");
    tpd_kv_array_free(t.spec.tags, t.spec.tag_count);
    t.spec.tags = NULL;
    t.spec.tag_count = 0;
    t.spec.table_class = s_dup("STANDARD_INFREQUENT_ACCESS");
    struct tfv *v = ttl_table_data_value(&t, NULL, NULL);
    assert_non_null(v);
    s_encodes(v);
    assert_true(tfv_is_null(tfv_get(v, "stack_name")));
    assert_true(tfv_is_null(tfv_get(v, "stack_id")));
    const struct tfv *ttl = tfv_get(v, "ttl");
    bool on = true;
    assert_true(tfv_is_null(tfv_get(ttl, "attribute_name")));
    assert_true(tfv_get_bool(ttl, "enabled", &on) && !on);
    const struct tfv *tags = tfv_get(v, "tags");
    assert_int_equal(tags->kind, TFV_MAP);
    assert_int_equal(tags->u.map.count, 0);
    assert_string_equal(tfv_get_str(v, "table_class"), "STANDARD_INFREQUENT_ACCESS");
    tfv_free(v);
    table_live_clear(&t);
}

static void test_validate_name(void **state) {
    (void)state;
    struct tfv *cfg = tfv_new_object();
    struct diag_list d;
    diag_list_init(&d);
    tfv_map_set(cfg, "name", tfv_new_string("ok_name.1"));
    ttl_table_data_validate(cfg, &d);
    assert_int_equal(d.count, 0);
    tfv_map_set(cfg, "name", tfv_new_unknown());
    ttl_table_data_validate(cfg, &d);
    assert_int_equal(d.count, 0);
    tfv_map_set(cfg, "name", tfv_new_string("no"));
    ttl_table_data_validate(cfg, &d);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].summary, "Invalid table name");
    assert_true(d.items[0].has_path);
    assert_string_equal(d.items[0].path.steps[0].name, "name");
    assert_non_null(strstr(d.items[0].detail, "got \"no\""));
    diag_list_clear(&d);
    tfv_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_of_a_table_in_a_stack),
        cmocka_unit_test(test_value_of_a_table_in_no_stack),
        cmocka_unit_test(test_validate_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
