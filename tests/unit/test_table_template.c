/*
 * Unit tests of the table spec (table_value.c: from a resource value) and the stack
 * template (table_template.c): defaults, TTL switched off under its old name, encryption,
 * class and insights kept with their defaults once deployed,
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

#include "table_policy.h"
#include "table_template.h"
#include "table_value.h"
#include "tpd_alloc.h"

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

static struct tfv *s_keyv(const char *name, const char *type) {
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "name", tfv_new_string(name));
    tfv_map_set(k, "type", tfv_new_string(type));
    return k;
}

/* s_value with every feature: two GSIs (listed out of name order, one INCLUDE with its
 * attributes out of order, one with the projection left out), an LSI, a stream, KMS
 * encryption (a customer key, or the AWS managed one), the infrequent-access class,
 * on-demand limits (on demand only) and contributor insights. */
static struct tfv *s_rich_value(bool provisioned, bool customer_key) {
    struct tfv *o = s_value(true, provisioned);
    struct tfv *g1 = tfv_new_object();
    tfv_map_set(g1, "name", tfv_new_string("by_status"));
    tfv_map_set(g1, "hash_key", s_keyv("status", "S"));
    tfv_map_set(g1, "range_key", s_keyv("created_at", "N"));
    tfv_map_set(g1, "projection_type", tfv_new_string("INCLUDE"));
    struct tfv *nka = tfv_new_set();
    tfv_list_append(nka, tfv_new_string("total"));
    tfv_list_append(nka, tfv_new_string("currency"));
    tfv_map_set(g1, "non_key_attributes", nka);
    struct tfv *g0 = tfv_new_object();
    tfv_map_set(g0, "name", tfv_new_string("by_owner"));
    tfv_map_set(g0, "hash_key", s_keyv("owner", "S"));
    tfv_map_set(g0, "projection_type", tfv_new_null());
    if (provisioned) {
        tfv_map_set(g1, "read_capacity", tfv_new_int(3));
        tfv_map_set(g1, "write_capacity", tfv_new_int(2));
        tfv_map_set(g0, "read_capacity", tfv_new_int(4));
        tfv_map_set(g0, "write_capacity", tfv_new_int(1));
    }
    struct tfv *gl = tfv_new_list();
    tfv_list_append(gl, g1);
    tfv_list_append(gl, g0);
    tfv_map_set(o, "global_secondary_indexes", gl);
    struct tfv *l0 = tfv_new_object();
    tfv_map_set(l0, "name", tfv_new_string("by_size"));
    tfv_map_set(l0, "range_key", s_keyv("size", "N"));
    tfv_map_set(l0, "projection_type", tfv_new_string("KEYS_ONLY"));
    struct tfv *ll = tfv_new_list();
    tfv_list_append(ll, l0);
    tfv_map_set(o, "local_secondary_indexes", ll);
    struct tfv *st = tfv_new_object();
    tfv_map_set(st, "view_type", tfv_new_string("NEW_AND_OLD_IMAGES"));
    tfv_map_set(o, "stream", st);
    struct tfv *sse = tfv_new_object();
    tfv_map_set(
        sse,
        "kms_key_arn",
        customer_key ? tfv_new_string("arn:aws:kms:us-east-1:123456789012:key/k1")
                     : tfv_new_null());
    tfv_map_set(o, "server_side_encryption", sse);
    tfv_map_set(o, "table_class", tfv_new_string("STANDARD_INFREQUENT_ACCESS"));
    if (!provisioned) {
        struct tfv *od = tfv_new_object();
        tfv_map_set(od, "max_read_request_units", tfv_new_int(100));
        tfv_map_set(od, "max_write_request_units", tfv_new_null());
        tfv_map_set(o, "on_demand_throughput", od);
    }
    tfv_map_set(o, "contributor_insights", tfv_new_bool(true));
    tfv_map_set(o, "point_in_time_recovery", tfv_new_bool(true));
    tfv_map_set(o, "recovery_period_in_days", tfv_new_int(7));
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "stream_arn", tfv_new_string("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
    tfv_map_set(k, "approximate_creation_date_time_precision", tfv_new_string("MICROSECOND"));
    tfv_map_set(o, "kinesis_streaming_destination", k);
    struct tfv *w = tfv_new_object();
    tfv_map_set(w, "read_units_per_second", tfv_new_int(15000));
    tfv_map_set(w, "write_units_per_second", tfv_new_null());
    tfv_map_set(o, "warm_throughput", w);
    tfv_map_set(
        o,
        "resource_policy",
        tfv_new_string("{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
                       "\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}, "
                       "\"Action\": \"dynamodb:GetItem\", \"Resource\": \"*\"}]}"));
    return o;
}

static json_t *
s_render(const struct table_spec *s, enum table_template_mode mode, struct tpd_buf *text) {
    tpd_buf_init(text, 0);
    struct table_template_options o = {mode, NULL, NULL, NULL};
    assert_int_equal(table_template_render(s, &o, text, NULL), TPD_OK);
    json_error_t je;
    json_t *j = json_loads(tpd_buf_cstr(text), 0, &je);
    assert_non_null(j);
    return j;
}

/* s_render with the deployed template's facts. */
static json_t *s_render_after(
    const struct table_spec *s,
    enum table_template_mode mode,
    const struct template_facts *deployed,
    struct tpd_buf *text) {
    tpd_buf_init(text, 0);
    struct table_template_options o = {mode, NULL, NULL, deployed};
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

static json_t *s_props(json_t *t) {
    return json_object_get(json_object_get(json_object_get(t, "Resources"), "Table"), "Properties");
}

static void test_indexes_and_features(void **state) {
    (void)state;
    struct tfv *v = s_rich_value(true, true);
    struct table_spec s;
    assert_int_equal(table_value_to_spec(v, NULL, &s, NULL), TPD_OK);
    /* Indexes by name, attributes sorted, a left-out projection is ALL. */
    assert_int_equal(s.gsi_count, 2);
    assert_string_equal(s.gsis[0].name, "by_owner");
    assert_string_equal(s.gsis[0].projection, "ALL");
    assert_int_equal(s.gsis[0].read_capacity, 4);
    assert_string_equal(s.gsis[1].non_key[0], "currency");
    assert_int_equal(s.lsi_count, 1);
    assert_string_equal(s.lsis[0].hash.name, "registration_key"); /* the table's */
    assert_true(s.sse && s.table_class_set && s.insights_set);

    struct tpd_buf text;
    json_t *t = s_render(&s, TABLE_TEMPLATE_FULL, &text);
    json_t *p = s_props(t);
    /* The table's keys first, then the index keys by name, each once. */
    static const char *const defs[] = {"registration_key", "created_at", "owner", "size", "status"};
    json_t *ad = json_object_get(p, "AttributeDefinitions");
    assert_int_equal(json_array_size(ad), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(ad, i), "AttributeName")), defs[i]);
    }
    json_t *g = json_object_get(p, "GlobalSecondaryIndexes");
    assert_int_equal(json_array_size(g), 2);
    json_t *g1 = json_array_get(g, 1);
    assert_string_equal(json_string_value(json_object_get(g1, "IndexName")), "by_status");
    assert_int_equal(json_array_size(json_object_get(g1, "KeySchema")), 2);
    json_t *proj = json_object_get(g1, "Projection");
    assert_string_equal(json_string_value(json_object_get(proj, "ProjectionType")), "INCLUDE");
    assert_int_equal(json_array_size(json_object_get(proj, "NonKeyAttributes")), 2);
    assert_int_equal(
        json_integer_value(
            json_object_get(json_object_get(g1, "ProvisionedThroughput"), "ReadCapacityUnits")),
        3);
    json_t *l0 = json_array_get(json_object_get(p, "LocalSecondaryIndexes"), 0);
    assert_null(json_object_get(l0, "ProvisionedThroughput"));
    assert_string_equal(
        json_string_value(
            json_object_get(json_array_get(json_object_get(l0, "KeySchema"), 0), "AttributeName")),
        "registration_key");
    assert_string_equal(
        json_string_value(
            json_object_get(json_object_get(p, "StreamSpecification"), "StreamViewType")),
        "NEW_AND_OLD_IMAGES");
    json_t *sse = json_object_get(p, "SSESpecification");
    assert_true(json_is_true(json_object_get(sse, "SSEEnabled")));
    assert_string_equal(json_string_value(json_object_get(sse, "SSEType")), "KMS");
    assert_string_equal(
        json_string_value(json_object_get(sse, "KMSMasterKeyId")),
        "arn:aws:kms:us-east-1:123456789012:key/k1");
    assert_string_equal(
        json_string_value(json_object_get(p, "TableClass")), "STANDARD_INFREQUENT_ACCESS");
    assert_true(json_is_true(
        json_object_get(json_object_get(p, "ContributorInsightsSpecification"), "Enabled")));
    assert_null(json_object_get(p, "OnDemandThroughput")); /* PROVISIONED */
    json_t *pitr = json_object_get(p, "PointInTimeRecoverySpecification");
    assert_true(json_is_true(json_object_get(pitr, "PointInTimeRecoveryEnabled")));
    assert_int_equal(json_integer_value(json_object_get(pitr, "RecoveryPeriodInDays")), 7);
    json_t *doc = json_object_get(json_object_get(p, "ResourcePolicy"), "PolicyDocument");
    assert_true(json_is_object(doc)); /* an object, not a string */
    assert_string_equal(json_string_value(json_object_get(doc, "Version")), "2012-10-17");
    json_t *kin = json_object_get(p, "KinesisStreamSpecification");
    assert_string_equal(
        json_string_value(json_object_get(kin, "StreamArn")),
        "arn:aws:kinesis:us-east-1:123456789012:stream/s");
    assert_string_equal(
        json_string_value(json_object_get(kin, "ApproximateCreationDateTimePrecision")),
        "MICROSECOND");
    json_t *warm = json_object_get(p, "WarmThroughput");
    assert_int_equal(json_integer_value(json_object_get(warm, "ReadUnitsPerSecond")), 15000);
    assert_null(json_object_get(warm, "WriteUnitsPerSecond"));

    /* Read back: the deployed GSIs are what was rendered. */
    struct template_facts f;
    assert_int_equal(table_template_read(tpd_buf_span(&text), &f, NULL), TPD_OK);
    assert_true(f.gsis_read);
    assert_int_equal(f.gsi_count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_true(table_index_same_definition(&f.gsis[i], &s.gsis[i]));
        assert_true(table_index_same_capacity(&f.gsis[i], &s.gsis[i]));
    }
    template_facts_clear(&f);
    json_decref(t);
    tpd_buf_clear(&text);
    table_spec_clear(&s);
    tfv_free(v);

    /* On demand, the AWS managed key: no KMSMasterKeyId, limits rendered. */
    v = s_rich_value(false, false);
    assert_int_equal(table_value_to_spec(v, NULL, &s, NULL), TPD_OK);
    t = s_render(&s, TABLE_TEMPLATE_FULL, &text);
    p = s_props(t);
    assert_null(json_object_get(json_object_get(p, "SSESpecification"), "KMSMasterKeyId"));
    assert_int_equal(
        json_integer_value(
            json_object_get(json_object_get(p, "OnDemandThroughput"), "MaxReadRequestUnits")),
        100);
    assert_null(json_object_get(json_object_get(p, "OnDemandThroughput"), "MaxWriteRequestUnits"));
    assert_null(json_object_get(
        json_array_get(json_object_get(p, "GlobalSecondaryIndexes"), 0), "ProvisionedThroughput"));
    json_decref(t);
    tpd_buf_clear(&text);
    table_spec_clear(&s);
    tfv_free(v);

    /* A table with none of them renders none of them (templates from before are unchanged). */
    v = s_value(true, false);
    assert_int_equal(table_value_to_spec(v, NULL, &s, NULL), TPD_OK);
    t = s_render(&s, TABLE_TEMPLATE_FULL, &text);
    p = s_props(t);
    static const char *const absent[] = {
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "StreamSpecification",
        "SSESpecification",
        "TableClass",
        "OnDemandThroughput",
        "ContributorInsightsSpecification",
        "ResourcePolicy",
        "KinesisStreamSpecification",
        "WarmThroughput"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        assert_null(json_object_get(p, absent[i]));
    }
    assert_null(json_object_get(
        json_object_get(p, "PointInTimeRecoverySpecification"), "RecoveryPeriodInDays"));
    assert_int_equal(json_array_size(json_object_get(p, "AttributeDefinitions")), 2);
    json_decref(t);
    tpd_buf_clear(&text);
    table_spec_clear(&s);
    tfv_free(v);
}

/* Encryption, class and insights stay in the template, their defaults spelled out, once
 * the deployed template carries them: CloudFormation fails an update that drops
 * SSESpecification (docs/aws-behaviour.md §4.4). Tables that never had them keep their
 * template; an IMPORT template mirrors the table whatever was deployed. */
static void test_deployed_features_kept(void **state) {
    (void)state;
    struct tfv *plain = s_value(true, false);
    struct tfv *rich = s_rich_value(false, true);
    struct table_spec s, r;
    assert_int_equal(table_value_to_spec(plain, NULL, &s, NULL), TPD_OK);
    assert_int_equal(table_value_to_spec(rich, NULL, &r, NULL), TPD_OK);
    struct tpd_buf text;

    /* Rendered with every feature, read back: the facts say so. */
    json_t *t = s_render_after(&r, TABLE_TEMPLATE_FULL, NULL, &text);
    struct template_facts had;
    assert_int_equal(table_template_read(tpd_buf_span(&text), &had, NULL), TPD_OK);
    assert_true(had.sse_written && had.table_class_written && had.insights_written);
    json_decref(t);
    tpd_buf_clear(&text);

    /* Then the features switched off: each default explicitly. */
    t = s_render_after(&s, TABLE_TEMPLATE_FULL, &had, &text);
    json_t *p = s_props(t);
    json_t *sse = json_object_get(p, "SSESpecification");
    assert_non_null(sse);
    assert_int_equal(json_object_size(sse), 1);
    assert_true(json_is_false(json_object_get(sse, "SSEEnabled")));
    assert_string_equal(json_string_value(json_object_get(p, "TableClass")), "STANDARD");
    json_t *ci = json_object_get(p, "ContributorInsightsSpecification");
    assert_int_equal(json_object_size(ci), 1);
    assert_true(json_is_false(json_object_get(ci, "Enabled")));
    /* ... and that template, deployed, keeps them in the next one. */
    struct template_facts off;
    assert_int_equal(table_template_read(tpd_buf_span(&text), &off, NULL), TPD_OK);
    assert_true(off.sse_written && off.table_class_written && off.insights_written);
    json_decref(t);
    tpd_buf_clear(&text);
    t = s_render_after(&s, TABLE_TEMPLATE_FULL, &off, &text);
    assert_true(json_is_false(
        json_object_get(json_object_get(s_props(t), "SSESpecification"), "SSEEnabled")));
    json_decref(t);
    tpd_buf_clear(&text);

    /* Switched on again: the configured values, not the defaults. */
    t = s_render_after(&r, TABLE_TEMPLATE_FULL, &off, &text);
    p = s_props(t);
    assert_true(
        json_is_true(json_object_get(json_object_get(p, "SSESpecification"), "SSEEnabled")));
    assert_string_equal(
        json_string_value(json_object_get(p, "TableClass")), "STANDARD_INFREQUENT_ACCESS");
    assert_true(json_is_true(
        json_object_get(json_object_get(p, "ContributorInsightsSpecification"), "Enabled")));
    json_decref(t);
    tpd_buf_clear(&text);

    /* Never had them (nothing deployed, or a deployed template without them): absent, and
     * the same bytes as without deployed facts. */
    struct template_facts none;
    t = s_render_after(&s, TABLE_TEMPLATE_FULL, NULL, &text);
    assert_int_equal(table_template_read(tpd_buf_span(&text), &none, NULL), TPD_OK);
    assert_false(none.sse_written || none.table_class_written || none.insights_written);
    char *before = tpd_strdup(tpd_buf_cstr(&text));
    json_decref(t);
    tpd_buf_clear(&text);
    t = s_render_after(&s, TABLE_TEMPLATE_FULL, &none, &text);
    assert_string_equal(tpd_buf_cstr(&text), before);
    free(before);
    json_decref(t);
    tpd_buf_clear(&text);

    /* IMPORT: the mirror of the table, whatever was deployed. */
    t = s_render_after(&s, TABLE_TEMPLATE_IMPORT, &had, &text);
    p = s_props(t);
    assert_null(json_object_get(p, "SSESpecification"));
    assert_null(json_object_get(p, "TableClass"));
    assert_null(json_object_get(p, "ContributorInsightsSpecification"));
    json_decref(t);
    tpd_buf_clear(&text);

    /* A hand-written deployed template: any value of the property counts. */
    static const char yaml[] = "Resources:\n"
                               "  Table:\n    Type: AWS::DynamoDB::Table\n"
                               "    Properties:\n"
                               "      SSESpecification: {SSEEnabled: true}\n";
    struct template_facts hand;
    assert_int_equal(table_template_read(tpd_span_cstr(yaml), &hand, NULL), TPD_OK);
    assert_true(hand.sse_written);
    assert_false(hand.table_class_written || hand.insights_written);

    template_facts_clear(&hand);
    template_facts_clear(&none);
    template_facts_clear(&off);
    template_facts_clear(&had);
    table_spec_clear(&s);
    table_spec_clear(&r);
    tfv_free(plain);
    tfv_free(rich);
}

/* Deployed GSIs written by hand: YAML, capacities as strings, no Projection type given;
 * a list built with an intrinsic function is not read. */
static void test_read_deployed_indexes(void **state) {
    (void)state;
    static const char yaml[] =
        "Resources:\n"
        "  Table:\n    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n"
        "      AttributeDefinitions:\n"
        "        - {AttributeName: id, AttributeType: S}\n"
        "        - {AttributeName: at, AttributeType: N}\n"
        "      GlobalSecondaryIndexes:\n"
        "        - IndexName: by_at\n"
        "          KeySchema: [{AttributeName: at, KeyType: HASH}]\n"
        "          Projection: {NonKeyAttributes: [b, a], ProjectionType: INCLUDE}\n"
        "          ProvisionedThroughput: {ReadCapacityUnits: '5', WriteCapacityUnits: 6}\n"
        "        - IndexName: a_first\n"
        "          KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
        "          Projection: {}\n";
    struct template_facts f;
    assert_int_equal(table_template_read(tpd_span_cstr(yaml), &f, NULL), TPD_OK);
    assert_true(f.gsis_read);
    assert_int_equal(f.gsi_count, 2);
    assert_string_equal(f.gsis[0].name, "a_first");
    assert_string_equal(f.gsis[0].projection, "ALL");
    assert_string_equal(f.gsis[1].hash.type, "N");
    assert_string_equal(f.gsis[1].non_key[0], "a");
    assert_int_equal(f.gsis[1].read_capacity, 5);
    assert_int_equal(f.gsis[1].write_capacity, 6);
    template_facts_clear(&f);

    static const char intrinsic[] =
        "{\"Resources\": {\"Table\": {\"Type\": \"AWS::DynamoDB::Table\", \"Properties\": "
        "{\"GlobalSecondaryIndexes\": {\"Fn::If\": [\"C\", [], []]}}}}}";
    assert_int_equal(table_template_read(tpd_span_cstr(intrinsic), &f, NULL), TPD_OK);
    assert_false(f.gsis_read);
    template_facts_clear(&f);
    static const char ref_name[] =
        "{\"Resources\": {\"Table\": {\"Type\": \"AWS::DynamoDB::Table\", \"Properties\": "
        "{\"GlobalSecondaryIndexes\": [{\"IndexName\": {\"Ref\": \"N\"}, \"KeySchema\": "
        "[]}]}}}}";
    assert_int_equal(table_template_read(tpd_span_cstr(ref_name), &f, NULL), TPD_OK);
    assert_false(f.gsis_read);
    assert_true(f.read);
    template_facts_clear(&f);
    /* No GlobalSecondaryIndexes: read, none. */
    static const char none[] = "{\"Resources\": {\"Table\": {\"Type\": \"AWS::DynamoDB::Table\"}}}";
    assert_int_equal(table_template_read(tpd_span_cstr(none), &f, NULL), TPD_OK);
    assert_true(f.gsis_read);
    assert_int_equal(f.gsi_count, 0);
    template_facts_clear(&f);
}

/* The state from what DynamoDB reports: indexes in the reference's order (then the others
 * by name), null where the reference left a default out, the AWS managed key as null. */
static void test_state_from_live(void **state) {
    (void)state;
    struct tfv *ref = s_rich_value(false, false);
    tfv_map_set(ref, "table_class", tfv_new_null());
    tfv_map_set(ref, "contributor_insights", tfv_new_null());
    struct table_live l = {0};
    l.exists = true;
    assert_int_equal(table_value_to_spec(ref, NULL, &l.spec, NULL), TPD_OK);
    l.arn = tpd_strdup("arn:aws:dynamodb:us-east-1:123456789012:table/x");
    l.stream_arn = tpd_strdup("arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/1");
    l.spec.sse_kms_key = tpd_strdup("arn:aws:kms:us-east-1:123456789012:key/aws-managed");
    free(l.spec.table_class);
    l.spec.table_class = NULL; /* STANDARD */
    l.spec.contributor_insights = false;
    /* An index the reference does not have (e.g. created outside Terraform). */
    l.spec.gsis = tpd_realloc(l.spec.gsis, 3 * sizeof(*l.spec.gsis));
    assert_int_equal(table_index_copy(&l.spec.gsis[2], &l.spec.gsis[0]), TPD_OK);
    free(l.spec.gsis[2].name);
    l.spec.gsis[2].name = tpd_strdup("a_extra");
    l.spec.gsi_count = 3;
    table_index_array_sort(l.spec.gsis, 3);
    struct table_state_args a = {ref, &l, "stk", NULL, NULL, false};
    struct tfv *st = table_value_state(&a);
    assert_non_null(st);
    const struct tfv *g = tfv_get(st, "global_secondary_indexes");
    assert_int_equal(g->u.list.count, 3);
    assert_string_equal(tfv_get_str(g->u.list.items[0], "name"), "by_status");
    assert_string_equal(tfv_get_str(g->u.list.items[1], "name"), "by_owner");
    assert_string_equal(tfv_get_str(g->u.list.items[2], "name"), "a_extra");
    assert_true(tfv_is_null(tfv_get(g->u.list.items[1], "projection_type"))); /* left out */
    assert_string_equal(tfv_get_str(g->u.list.items[2], "projection_type"), "ALL");
    assert_true(tfv_is_null(tfv_get(g->u.list.items[0], "read_capacity")));
    assert_true(tfv_equal(
        tfv_get(g->u.list.items[0], "non_key_attributes"),
        tfv_get(tfv_get(ref, "global_secondary_indexes")->u.list.items[0], "non_key_attributes")));
    assert_true(tfv_is_null(tfv_get(tfv_get(st, "server_side_encryption"), "kms_key_arn")));
    assert_string_equal(tfv_get_str(st, "stream_arn"), l.stream_arn);
    assert_true(tfv_is_null(tfv_get(st, "table_class")));
    assert_true(tfv_is_null(tfv_get(st, "contributor_insights")));
    int64_t n = 0;
    assert_true(tfv_get_int(tfv_get(st, "on_demand_throughput"), "max_read_request_units", &n));
    assert_int_equal(n, 100);
    assert_true(tfv_get_int(st, "recovery_period_in_days", &n));
    assert_int_equal(n, 7);
    tfv_free(st);
    /* DynamoDB's default period where the reference left it out: null, no diff. */
    tfv_map_set(ref, "recovery_period_in_days", tfv_new_null());
    l.spec.pitr_days = 35;
    st = table_value_state(&a);
    assert_true(tfv_is_null(tfv_get(st, "recovery_period_in_days")));
    tfv_free(st);
    tfv_map_set(ref, "recovery_period_in_days", tfv_new_int(7));
    l.spec.pitr_days = 7;

    /* No reference (an import): what DynamoDB has, spelled out. */
    a.ref = NULL;
    l.spec.contributor_insights = true;
    st = table_value_state(&a);
    assert_string_equal(
        tfv_get_str(tfv_get(st, "server_side_encryption"), "kms_key_arn"), l.spec.sse_kms_key);
    assert_true(tfv_is_null(tfv_get(st, "table_class"))); /* STANDARD: the default */
    bool on = false;
    assert_true(tfv_get_bool(st, "contributor_insights", &on) && on);
    assert_string_equal(
        tfv_get_str(tfv_get(st, "global_secondary_indexes")->u.list.items[0], "name"), "a_extra");
    tfv_free(st);
    table_live_clear(&l);
    tfv_free(ref);
}

/* Resource policies compare as JSON: key order and whitespace do not count, array order
 * and values do (table_policy.h). */
static void test_policy_equality(void **state) {
    (void)state;
    assert_true(table_policy_equal(NULL, NULL));
    assert_false(table_policy_equal("{}", NULL));
    assert_true(table_policy_equal(
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": "
        "\"a\"}]}",
        "{\"Statement\":[{\"Action\":\"a\",\"Effect\":\"Allow\"}],\"Version\":\"2012-10-17\"}"));
    assert_false(table_policy_equal(
        "{\"Statement\":[{\"Action\":[\"a\",\"b\"]}]}",
        "{\"Statement\":[{\"Action\":[\"b\",\"a\"]}]}"));
    assert_false(table_policy_equal("{\"A\":1}", "{\"A\":2}"));
    assert_false(table_policy_equal("{not json", "{not  json"));
    assert_true(table_policy_equal("{not json", "{not json"));
    char *c = table_policy_canonical("{ \"b\" : 1, \"a\" : [ 2 ] }");
    assert_string_equal(c, "{\"a\":[2],\"b\":1}");
    free(c);
    assert_null(table_policy_canonical("[1]"));
    assert_null(table_policy_canonical("{\"a\":1,\"a\":2}")); /* duplicate keys */
}

/* cfn-lint (installed with the test tools) must accept every template we render. */
static void test_cfn_lint(void **state) {
    (void)state;
    if (system("command -v cfn-lint >/dev/null 2>&1") != 0) {
        skip();
    }
    struct tfv *variants[] = {
        s_value(true, false),
        s_value(false, true),
        s_value(true, true),
        s_rich_value(true, true),
        s_rich_value(false, false)};
    size_t nvar = sizeof variants / sizeof variants[0];
    char dir[] = "/tmp/tpd-cfnlint-XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < nvar; i++) {
        for (int mode = 0; mode < 2; mode++) {
            struct table_spec s;
            assert_int_equal(table_value_to_spec(variants[i], NULL, &s, NULL), TPD_OK);
            struct tpd_buf text;
            tpd_buf_init(&text, 0);
            /* Mode FULL after a template that had encryption, class and insights: their
             * defaults spelled out ({SSEEnabled: false}, STANDARD, {Enabled: false}). */
            struct template_facts had = {
                .sse_written = true, .table_class_written = true, .insights_written = true};
            struct table_template_options o = {
                (enum table_template_mode)mode, mode ? "MyTable" : NULL, NULL, mode ? NULL : &had};
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
    struct table_template_options o = {TABLE_TEMPLATE_FULL, "OrdersTable", NULL, NULL};
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
        cmocka_unit_test(test_indexes_and_features),
        cmocka_unit_test(test_read_deployed_indexes),
        cmocka_unit_test(test_deployed_features_kept),
        cmocka_unit_test(test_state_from_live),
        cmocka_unit_test(test_policy_equality),
        cmocka_unit_test(test_cfn_lint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
