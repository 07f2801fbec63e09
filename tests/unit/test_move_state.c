/*
 * Unit tests of the `moved` mapping (provider/resource/private/move_state.h): aws_dynamodb_table
 * states that hashicorp/aws 5.100.0 wrote (tests/vectors/aws_dynamodb_table/, captured
 * against the emulator) mapped to the table they describe and to this resource's state and
 * private bytes; and every refusal, on the captured states with one attribute changed the
 * way hashicorp/aws would write it (replicas, import_table, restores, a recovery period,
 * index limits, attributes of a newer provider, damaged states, other sources).
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "move_state.h"
#include "resource_private.h"
#include "test_util.h"
#include "tpd_limits.h"
#include "tpd_log.h"

#define VECTORS TPD_TEST_DATA_DIR "/vectors/aws_dynamodb_table/"

static char *s_vector(const char *name) {
    char path[512];
    snprintf(path, sizeof(path), VECTORS "%s.json", name);
    char *text = tt_read_file(path, NULL);
    assert_non_null(text);
    return text;
}

static bool s_has(const struct diag_list *d, enum diag_severity sev, const char *text) {
    for (size_t i = 0; i < d->count; i++) {
        if (d->items[i].severity == sev &&
            ((d->items[i].summary && strstr(d->items[i].summary, text)) ||
             (d->items[i].detail && strstr(d->items[i].detail, text)))) {
            return true;
        }
    }
    return false;
}

static void s_dump(const struct diag_list *d) {
    for (size_t i = 0; i < d->count; i++) {
        print_message(
            "diag %d: %s: %s\n", d->items[i].severity, d->items[i].summary, d->items[i].detail);
    }
}

static bool s_parse(const char *json, struct table_live *t, struct diag_list *d) {
    return move_state_parse_aws(tpd_span_cstr(json), t, d);
}

/* A captured state with one top-level attribute set to value (JSON text), re-serialised. */
static char *s_variant(const char *vector, const char *attr, const char *value) {
    char *text = s_vector(vector);
    json_t *root = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(root);
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    assert_int_equal(json_object_set_new(root, attr, v), 0);
    char *out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    assert_non_null(out);
    return out;
}

/* ---- mapping of the captured states -------------------------------------------------- */

static void test_full_state(void **state) {
    (void)state;
    char *json = s_vector("full");
    struct table_live t;
    struct diag_list d;
    diag_list_init(&d);
    bool ok = s_parse(json, &t, &d);
    s_dump(&d);
    assert_true(ok);
    assert_int_equal(d.count, 0);
    const struct table_spec *s = &t.spec;
    assert_string_equal(s->name, "cap-full");
    assert_string_equal(t.arn, "arn:aws:dynamodb:us-east-1:123456789012:table/cap-full");
    assert_string_equal(t.status, "ACTIVE");
    assert_string_equal(s->hash.name, "pk");
    assert_string_equal(s->hash.type, "S");
    assert_string_equal(s->range.name, "sk");
    assert_string_equal(s->range.type, "N");
    assert_false(s->provisioned);
    assert_int_equal(s->read_capacity, 0);
    assert_string_equal(s->ttl.attribute, "expires_at");
    assert_true(s->ttl.enabled);
    assert_string_equal(t.ttl_status, "ENABLED");
    assert_true(s->pitr);
    assert_true(s->deletion_protection);
    assert_string_equal(s->stream_view_type, "NEW_AND_OLD_IMAGES");
    assert_non_null(t.stream_arn);
    assert_non_null(strstr(t.stream_arn, "table/cap-full/stream/"));
    assert_true(s->sse);
    assert_non_null(s->sse_kms_key);
    assert_non_null(strstr(s->sse_kms_key, "arn:aws:kms:us-east-1:123456789012:key/"));
    assert_string_equal(s->table_class, "STANDARD_INFREQUENT_ACCESS");
    assert_int_equal(s->tag_count, 2);
    assert_string_equal(s->tags[0].key, "app");
    assert_string_equal(s->tags[0].value, "firefly");
    assert_string_equal(s->tags[1].key, "team");
    assert_int_equal(s->gsi_count, 1);
    const struct table_index *g = &s->gsis[0];
    assert_string_equal(g->name, "by-status");
    assert_string_equal(g->hash.name, "status");
    assert_string_equal(g->hash.type, "S");
    assert_string_equal(g->range.name, "sk");
    assert_string_equal(g->range.type, "N");
    assert_string_equal(g->projection, "INCLUDE");
    assert_int_equal(g->non_key_count, 2);
    assert_string_equal(g->non_key[0], "owner");
    assert_string_equal(g->non_key[1], "payload");
    assert_int_equal(g->read_capacity, 0);
    assert_int_equal(s->lsi_count, 1);
    const struct table_index *l = &s->lsis[0];
    assert_string_equal(l->name, "by-lsk");
    assert_string_equal(l->hash.name, "pk");
    assert_string_equal(l->hash.type, "S");
    assert_string_equal(l->range.name, "lsk");
    assert_string_equal(l->projection, "KEYS_ONLY");
    assert_int_equal(l->non_key_count, 0);
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
}

static void test_minimal_state(void **state) {
    (void)state;
    char *json = s_vector("minimal");
    struct table_live t;
    struct diag_list d;
    diag_list_init(&d);
    assert_true(s_parse(json, &t, &d));
    const struct table_spec *s = &t.spec;
    assert_string_equal(s->name, "cap-minimal");
    assert_string_equal(s->hash.type, "B");
    assert_null(s->range.name);
    /* TTL never configured: hashicorp/aws writes [{attribute_name = "", enabled = false}]. */
    assert_null(s->ttl.attribute);
    assert_string_equal(t.ttl_status, "DISABLED");
    assert_false(s->pitr);
    assert_false(s->sse);
    assert_null(s->stream_view_type);
    assert_null(t.stream_arn);
    assert_null(s->table_class);
    assert_false(s->deletion_protection);
    assert_int_equal(s->tag_count, 0);
    assert_int_equal(s->gsi_count + s->lsi_count, 0);
    assert_int_equal(s->on_demand_read + s->on_demand_write, 0);
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
}

static void test_provisioned_state(void **state) {
    (void)state;
    char *json = s_vector("provisioned");
    struct table_live t;
    struct diag_list d;
    diag_list_init(&d);
    assert_true(s_parse(json, &t, &d));
    const struct table_spec *s = &t.spec;
    assert_true(s->provisioned);
    assert_int_equal(s->read_capacity, 5);
    assert_int_equal(s->write_capacity, 7);
    assert_string_equal(s->hash.type, "N");
    assert_int_equal(s->gsi_count, 1);
    assert_string_equal(s->gsis[0].hash.name, "g");
    assert_null(s->gsis[0].range.name); /* hashicorp/aws writes range_key = "" */
    assert_string_equal(s->gsis[0].projection, "ALL");
    assert_int_equal(s->gsis[0].read_capacity, 2);
    assert_int_equal(s->gsis[0].write_capacity, 3);
    assert_null(s->ttl.attribute);
    assert_true(s->sse);
    assert_string_equal(
        s->sse_kms_key,
        "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555");
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
}

static void test_on_demand_state(void **state) {
    (void)state;
    char *json = s_vector("on_demand");
    struct table_live t;
    struct diag_list d;
    diag_list_init(&d);
    assert_true(s_parse(json, &t, &d));
    assert_int_equal(t.spec.on_demand_read, 100);
    assert_int_equal(t.spec.on_demand_write, 50);
    assert_string_equal(t.spec.stream_view_type, "KEYS_ONLY");
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
}

/* tags_all holds the provider's default_tags too: what the table carries. */
static void test_tags_all_wins(void **state) {
    (void)state;
    char *json = s_variant(
        "minimal", "tags_all", "{\"env\":\"prod\",\"aws:cloudformation:stack-name\":\"x\"}");
    struct table_live t;
    struct diag_list d;
    diag_list_init(&d);
    assert_true(s_parse(json, &t, &d));
    assert_int_equal(t.spec.tag_count, 1);
    assert_string_equal(t.spec.tags[0].key, "env");
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
}

/* ---- the whole move --------------------------------------------------------------------- */

static struct move_request s_request(const char *json) {
    return (struct move_request){
        .source_provider = "registry.terraform.io/hashicorp/aws",
        .source_type = "aws_dynamodb_table",
        .source_schema_version = 1,
        .source_state_json = tpd_span_cstr(json),
        .target_type = "dynamodb_ttl_table",
    };
}

static void test_run_produces_an_imported_state(void **state) {
    (void)state;
    char *json = s_vector("full");
    struct move_request req = s_request(json);
    struct tfv *st = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    struct diag_list d;
    diag_list_init(&d);
    move_state_run(&req, &st, &priv, &d);
    s_dump(&d);
    assert_non_null(st);
    assert_false(diag_list_has_errors(&d));
    assert_true(s_has(&d, DIAG_WARNING, "adopts it into the stack_name of the configuration"));
    assert_true(s_has(&d, DIAG_WARNING, "\"cap-full\""));
    /* As an import of a table in no stack writes it (ttl_table_import.c). */
    assert_true(tfv_is_null(tfv_get(st, "stack_id")));
    assert_string_equal(tfv_get_str(st, "stack_name"), "cap-full");
    assert_string_equal(tfv_get_str(st, "id"), "cap-full");
    assert_string_equal(tfv_get_str(st, "name"), "cap-full");
    bool b = true;
    assert_true(tfv_get_bool(st, "retain_on_destroy", &b) && !b);
    assert_true(tfv_get_bool(st, "deletion_protection_enabled", &b) && b);
    assert_true(tfv_get_bool(st, "point_in_time_recovery", &b) && b);
    assert_string_equal(tfv_get_str(st, "billing_mode"), "PAY_PER_REQUEST");
    assert_string_equal(tfv_get_str(tfv_get(st, "ttl"), "attribute_name"), "expires_at");
    assert_true(tfv_is_null(tfv_get(tfv_get(st, "ttl"), "enabled")));
    assert_string_equal(tfv_get_str(st, "ttl_status"), "ENABLED");
    assert_string_equal(tfv_get_str(st, "table_class"), "STANDARD_INFREQUENT_ACCESS");
    assert_string_equal(tfv_get_str(tfv_get(st, "range_key"), "type"), "N");
    assert_string_equal(tfv_get_str(tfv_get(st, "stream"), "view_type"), "NEW_AND_OLD_IMAGES");
    assert_string_equal(tfv_get_str(tfv_get(st, "tags"), "team"), "data");
    assert_true(tfv_is_null(tfv_get(st, "timeouts")));
    const struct tfv *gsis = tfv_get(st, "global_secondary_indexes");
    assert_non_null(gsis);
    assert_int_equal(gsis->kind, TFV_LIST);
    assert_int_equal(gsis->u.list.count, 1);
    assert_string_equal(tfv_get_str(gsis->u.list.items[0], "name"), "by-status");
    /* The private bytes an import writes: imported, the protection hashicorp/aws applied. */
    struct resource_private p;
    resource_private_decode(tpd_buf_span(&priv), &p);
    assert_true(p.imported);
    assert_true(p.protection_known);
    assert_true(p.protection_applied);
    resource_private_clear(&p);
    tfv_free(st);
    tpd_buf_clear(&priv);
    diag_list_clear(&d);
    free(json);
}

/* Older hosts send the configuration address provider["..."] (with a module path and an
 * alias when there are any); hosts lowercase the address. */
static void test_source_addresses(void **state) {
    (void)state;
    const char *ok[] = {
        "registry.terraform.io/hashicorp/aws",
        "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "module.db.provider[\"registry.terraform.io/hashicorp/aws\"].west",
        "Registry.Terraform.io/HashiCorp/AWS",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char *p = move_state_source_provider(ok[i]);
        assert_non_null(p);
        assert_string_equal(p, MOVE_STATE_AWS_PROVIDER);
        free(p);
    }
    char *p = move_state_source_provider("provider[\"registry.terraform.io/hashicorp/aws");
    assert_null(p);
    p = move_state_source_provider("registry.terraform.io/hashicorp/awscc");
    assert_string_equal(p, "registry.terraform.io/hashicorp/awscc");
    free(p);
}

static void s_run_refused(const struct move_request *req, const char *const *want) {
    struct tfv *st = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    struct diag_list d;
    diag_list_init(&d);
    move_state_run(req, &st, &priv, &d);
    if (st) {
        fail_msg("moved, wanted a refusal saying \"%s\"", want[0]);
    }
    assert_true(diag_list_has_errors(&d));
    for (size_t i = 0; want[i]; i++) {
        if (!s_has(&d, DIAG_ERROR, want[i])) {
            s_dump(&d);
            fail_msg("no error saying \"%s\"", want[i]);
        }
    }
    assert_false(s_has(&d, DIAG_WARNING, "Table moved"));
    tpd_buf_clear(&priv);
    diag_list_clear(&d);
}

static void test_unknown_sources_are_refused(void **state) {
    (void)state;
    char *json = s_vector("minimal");
    struct move_request req = s_request(json);
    req.source_provider = "registry.terraform.io/hashicorp/awscc";
    req.source_type = "awscc_dynamodb_table";
    s_run_refused(
        &req,
        (const char *const[]){
            "Unsupported move source",
            "registry.terraform.io/hashicorp/aws's aws_dynamodb_table only",
            "\"awscc_dynamodb_table\" of registry.terraform.io/hashicorp/awscc",
            "docs/migrating.md",
            NULL});
    req = s_request(json);
    req.source_type = "aws_dynamodb_table_item";
    s_run_refused(&req, (const char *const[]){"\"aws_dynamodb_table_item\"", NULL});
    req = s_request(json);
    req.source_schema_version = 0;
    s_run_refused(&req, (const char *const[]){"schema version 0", "import", NULL});
    req = s_request(json);
    req.source_schema_version = 2;
    s_run_refused(&req, (const char *const[]){"schema version 2", NULL});
    req = s_request(json);
    req.target_type = "dynamodb_other";
    s_run_refused(&req, (const char *const[]){"Unknown resource type", NULL});
    free(json);
}

/* One captured state changed as hashicorp/aws writes the attribute: refused, naming why
 * and what to do. */
static void s_refused_variant(
    const char *vector, const char *attr, const char *value, const char *const *want) {
    char *json = s_variant(vector, attr, value);
    struct move_request req = s_request(json);
    s_run_refused(&req, want);
    free(json);
}

static void test_what_cannot_be_mapped_is_refused(void **state) {
    (void)state;
    const char *import_recipe = "terraform state rm aws_dynamodb_table.NAME";
    s_refused_variant(
        "full",
        "replica",
        "[{\"region_name\":\"eu-west-1\",\"kms_key_arn\":\"\",\"propagate_tags\":false},"
        "{\"region_name\":\"us-west-2\"}]",
        (const char *const[]){
            "Cannot move this table to dynamodb_ttl_table",
            "\"cap-full\"",
            "replicas in eu-west-1, us-west-2",
            "keep it in hashicorp/aws",
            NULL});
    s_refused_variant(
        "minimal",
        "import_table",
        "[{\"input_format\":\"CSV\",\"s3_bucket_source\":[{\"bucket\":\"b\"}]}]",
        (const char *const[]){"import_table", import_recipe, NULL});
    s_refused_variant(
        "minimal",
        "restore_source_name",
        "\"cap-source\"",
        (const char *const[]){"restore_source_name", import_recipe, NULL});
    s_refused_variant(
        "minimal",
        "restore_source_table_arn",
        "\"arn:aws:dynamodb:us-east-1:123456789012:table/x\"",
        (const char *const[]){"restore_source_table_arn", NULL});
    s_refused_variant(
        "minimal",
        "restore_date_time",
        "\"2026-01-02T03:04:05Z\"",
        (const char *const[]){"restore_date_time", NULL});
    s_refused_variant(
        "minimal",
        "restore_to_latest_time",
        "true",
        (const char *const[]){"restore_to_latest_time", NULL});
    s_refused_variant(
        "full",
        "point_in_time_recovery",
        "[{\"enabled\":true,\"recovery_period_in_days\":40}]",
        (const char *const[]){"recovery_period_in_days of 1 to 35", NULL});
    s_refused_variant(
        "provisioned",
        "global_secondary_index",
        "[{\"hash_key\":\"g\",\"name\":\"g-idx\",\"non_key_attributes\":[],"
        "\"on_demand_throughput\":[{\"max_read_request_units\":10,\"max_write_request_units\":"
        "0}],\"projection_type\":\"ALL\",\"range_key\":\"\",\"read_capacity\":2,"
        "\"write_capacity\":3}]",
        (const char *const[]){"\"g-idx\" has on-demand throughput limits", NULL});
    /* Attributes of a newer hashicorp/aws that are set are named; unset ones are ignored. */
    s_refused_variant(
        "minimal",
        "warm_throughput",
        "[{\"read_units_per_second\":12000,\"write_units_per_second\":4000}]",
        (const char *const[]){
            "sets warm_throughput, which this provider does not know",
            "drop it",
            import_recipe,
            NULL});
    s_refused_variant(
        "full",
        "global_secondary_index",
        "[{\"hash_key\":\"status\",\"name\":\"by-status\",\"projection_type\":\"ALL\","
        "\"warm_throughput\":[{\"read_units_per_second\":1}]}]",
        (const char *const[]){"global_secondary_index sets warm_throughput", NULL});
    char *json = s_variant("minimal", "warm_throughput", "[]");
    struct table_live t;
    struct diag_list d;
    diag_list_init(&d);
    assert_true(s_parse(json, &t, &d));
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
    /* A recovery period maps to recovery_period_in_days (it was refused before). */
    json = s_variant(
        "full", "point_in_time_recovery", "[{\"enabled\":true,\"recovery_period_in_days\":7}]");
    diag_list_init(&d);
    assert_true(s_parse(json, &t, &d));
    assert_true(t.spec.pitr);
    assert_int_equal(t.spec.pitr_days, 7);
    table_live_clear(&t);
    diag_list_clear(&d);
    free(json);
}

static void test_damaged_states_are_refused(void **state) {
    (void)state;
    const char *shape = "the state is not one hashicorp/aws writes";
    s_refused_variant("full", "hash_key", "\"nokey\"", (const char *const[]){"\"nokey\"", NULL});
    s_refused_variant(
        "full", "hash_key", "\"\"", (const char *const[]){"hash_key is not set", NULL});
    s_refused_variant(
        "full", "billing_mode", "\"FREE\"", (const char *const[]){shape, "billing_mode", NULL});
    s_refused_variant(
        "full",
        "attribute",
        "[{\"name\":\"pk\",\"type\":\"X\"},{\"name\":\"sk\",\"type\":\"N\"}]",
        (const char *const[]){"S, N or B", NULL});
    s_refused_variant(
        "full",
        "ttl",
        "[{\"attribute_name\":\"\",\"enabled\":true}]",
        (const char *const[]){"ttl", NULL});
    s_refused_variant("full", "ttl", "[{},{}]", (const char *const[]){"at most one block", NULL});
    s_refused_variant(
        "full", "stream_view_type", "\"ALL\"", (const char *const[]){"stream_view_type", NULL});
    s_refused_variant(
        "full", "table_class", "\"GLACIER\"", (const char *const[]){"table_class", NULL});
    s_refused_variant(
        "full", "name", "\"a\"", (const char *const[]){"name is not a DynamoDB table name", NULL});
    s_refused_variant("full", "tags_all", "{\"a\":1}", (const char *const[]){"tags_all", NULL});
    s_refused_variant(
        "provisioned", "read_capacity", "-1", (const char *const[]){"read_capacity", NULL});
    s_refused_variant(
        "provisioned", "read_capacity", "0", (const char *const[]){"1 or more", NULL});
    s_refused_variant(
        "full",
        "local_secondary_index",
        "[{\"name\":\"x\",\"projection_type\":\"ALL\"}]",
        (const char *const[]){"local_secondary_index", NULL});
    const char *texts[] = {"", "[]", "{", "null", "{\"name\":\"abc\",\"name\":\"abd\"}"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct move_request req = s_request(texts[i]);
        s_run_refused(&req, (const char *const[]){"Cannot move", NULL});
    }
    /* Larger than TPD_MAX_MOVED_STATE: refused before parsing. */
    size_t n = TPD_MAX_MOVED_STATE + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[n] = '\0';
    struct move_request req = s_request(big);
    s_run_refused(&req, (const char *const[]){"more than the 1048576 this provider reads", NULL});
    free(big);
}

int main(void) {
    tpd_log_set_level(TPD_LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_state),
        cmocka_unit_test(test_minimal_state),
        cmocka_unit_test(test_provisioned_state),
        cmocka_unit_test(test_on_demand_state),
        cmocka_unit_test(test_tags_all_wins),
        cmocka_unit_test(test_run_produces_an_imported_state),
        cmocka_unit_test(test_source_addresses),
        cmocka_unit_test(test_unknown_sources_are_refused),
        cmocka_unit_test(test_what_cannot_be_mapped_is_refused),
        cmocka_unit_test(test_damaged_states_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
