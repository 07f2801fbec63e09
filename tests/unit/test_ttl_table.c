/*
 * Unit tests of the resource's apply, plan, refresh and import (provider/resource/
 * ttl_table_*.c) over a fake AWS that answers by operation (tests/support/fake_aws.h):
 * each test states what AWS holds, runs one call, and checks the mutating operations
 * sent, the diagnostics and the state returned. The decisions themselves are tested as
 * tables in test_ownership.c; here the paths are walked end to end without a network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cloud.h"
#include "fake_aws.h"
#include "resource_private.h"
#include "table_template.h"
#include "tpd_log.h"
#include "ttl_table.h"

#define ARN_T "arn:aws:dynamodb:us-east-1:123456789012:table/t1"
#define STACK_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/0001"
#define OTHER_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/0002"

/* ---- canned AWS answers ------------------------------------------------------------ */

static char s_buf[16][8192];
static int s_next;

__attribute__((format(printf, 1, 2))) static const char *s_fmt(const char *fmt, ...) {
    char *b = s_buf[s_next++ % 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof s_buf[0], fmt, ap);
    va_end(ap);
    return b;
}

static const char *s_describe_table(bool protection, bool provisioned) {
    return s_fmt(
        "{\"Table\":{\"TableName\":\"t1\",\"TableArn\":\"" ARN_T "\",\"TableStatus\":\"ACTIVE\","
        "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
        "\"BillingModeSummary\":{\"BillingMode\":\"%s\"},"
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":%d,\"WriteCapacityUnits\":%d},"
        "\"DeletionProtectionEnabled\":%s,\"ItemCount\":3}}",
        provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        provisioned ? 7 : 0,
        provisioned ? 3 : 0,
        protection ? "true" : "false");
}

static const char *const DDB_NOT_FOUND =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
    "\"message\":\"Requested resource not found\"}";

static const char *s_cfn_error(const char *code, const char *msg) {
    return s_fmt(
        "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
        "<RequestId>r</RequestId></ErrorResponse>",
        code,
        msg);
}

static const char *s_stack(const char *id, const char *status, const char *description) {
    return s_fmt(
        "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>%s</StackId>"
        "<StackName>s1</StackName><StackStatus>%s</StackStatus>%s%s%s</member></Stacks>"
        "</DescribeStacksResult></DescribeStacksResponse>",
        id,
        status,
        description ? "<Description>" : "",
        description ? description : "",
        description ? "</Description>" : "");
}

static const char *s_resources(const char *physical, const char *extra_member) {
    return s_fmt(
        "<DescribeStackResourcesResponse><DescribeStackResourcesResult><StackResources>"
        "<member><StackName>s1</StackName><StackId>" STACK_ID "</StackId>"
        "<LogicalResourceId>Table</LogicalResourceId><PhysicalResourceId>%s</PhysicalResourceId>"
        "<ResourceType>AWS::DynamoDB::Table</ResourceType><ResourceStatus>UPDATE_COMPLETE</"
        "ResourceStatus>"
        "</member>%s</StackResources></DescribeStackResourcesResult></"
        "DescribeStackResourcesResponse>",
        physical,
        extra_member ? extra_member : "");
}

/* GetTemplate of a template rendered by this provider for table t1 (policy Delete or Retain). */
static const char *s_template(bool marked, const char *policy) {
    return s_fmt(
        "<GetTemplateResponse><GetTemplateResult><TemplateBody>{\"Description\": \"%s\", "
        "\"Resources\": {\"Table\": {\"Type\": \"AWS::DynamoDB::Table\", \"DeletionPolicy\": "
        "\"%s\"%s}}}"
        "</TemplateBody></GetTemplateResult></GetTemplateResponse>",
        marked ? TABLE_TEMPLATE_DESCRIPTION : "hand made",
        policy,
        marked ? ", \"Metadata\": {\"" TABLE_TEMPLATE_MARKER "\": {\"Table\": \"t1\"}}" : "");
}

static const char *const CREATE_CS =
    "<CreateChangeSetResponse><CreateChangeSetResult><Id>arn:aws:cloudformation:us-east-1:1:"
    "changeSet/"
    "x/1</Id><StackId>" STACK_ID "</StackId></CreateChangeSetResult></CreateChangeSetResponse>";

static const char *s_change_set(const char *status, const char *reason, const char *exec) {
    return s_fmt(
        "<DescribeChangeSetResponse><DescribeChangeSetResult><ChangeSetName>cs</ChangeSetName>"
        "<StackId>" STACK_ID
        "</StackId><Status>%s</Status>%s%s%s<ExecutionStatus>%s</ExecutionStatus>"
        "<Changes/></DescribeChangeSetResult></DescribeChangeSetResponse>",
        status,
        reason ? "<StatusReason>" : "",
        reason ? reason : "",
        reason ? "</StatusReason>" : "",
        exec);
}

static const char *const EXECUTE_OK =
    "<ExecuteChangeSetResponse><ExecuteChangeSetResult/></ExecuteChangeSetResponse>";
static const char *const DELETE_CS_OK =
    "<DeleteChangeSetResponse><DeleteChangeSetResult/></DeleteChangeSetResponse>";
static const char *const NO_EVENTS =
    "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents/>"
    "</DescribeStackEventsResult></DescribeStackEventsResponse>";

struct env {
    struct fake_aws *fa;
    struct aws_client *aws;
    struct cloud *cloud;
    struct tpd_stop stop;
    struct diag_list diags;
};

static int s_setup(void **state) {
    struct env *e = calloc(1, sizeof(*e));
    tpd_log_set_level(TPD_LOG_OFF);
    e->fa = fa_new();
    e->aws = fa_client(e->fa, 1);
    tpd_stop_init(&e->stop);
    e->cloud = cloud_new(e->aws, &e->stop);
    diag_list_init(&e->diags);
    *state = e;
    return 0;
}

static int s_teardown(void **state) {
    struct env *e = *state;
    diag_list_clear(&e->diags);
    cloud_free(e->cloud);
    aws_client_free(e->aws);
    tpd_stop_clear(&e->stop);
    fa_free(e->fa);
    free(e);
    return 0;
}

/* A table that exists: DescribeTable and its settings. */
static void s_table_exists(struct fake_aws *f, bool protection) {
    fa_on(f, "DescribeTable", 200, s_describe_table(protection, false));
    fa_on(
        f,
        "DescribeTimeToLive",
        200,
        "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"DISABLED\"}}");
    fa_on(
        f,
        "DescribeContinuousBackups",
        200,
        "{\"ContinuousBackupsDescription\":{\"ContinuousBackupsStatus\":\"ENABLED\","
        "\"PointInTimeRecoveryDescription\":{\"PointInTimeRecoveryStatus\":\"DISABLED\"}}}");
    fa_on(f, "ListTagsOfResource", 200, "{\"Tags\":[]}");
    fa_on(
        f,
        "DescribeContributorInsights",
        200,
        "{\"TableName\":\"t1\",\"ContributorInsightsStatus\":\"DISABLED\"}");
    /* What an adoption reads besides: no Kinesis destination, no resource policy. */
    fa_on(
        f,
        "DescribeKinesisStreamingDestination",
        200,
        "{\"TableName\":\"t1\",\"KinesisDataStreamDestinations\":[]}");
    fa_on(
        f,
        "GetResourcePolicy",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#PolicyNotFoundException\","
        "\"message\":\"Resource-based policy not found for the provided ResourceArn\"}");
}

static void s_no_stack(struct fake_aws *f) {
    fa_on(
        f,
        "DescribeStacks",
        400,
        s_cfn_error("ValidationError", "Stack with id s1 does not exist"));
}

static void s_no_owner(struct fake_aws *f) {
    fa_on_if(
        f,
        "DescribeStackResources",
        "PhysicalResourceId=t1",
        400,
        s_cfn_error("ValidationError", "Stack for t1 does not exist"));
}

/* A change set that creates fine and a stack that settles in `final`. */
static void s_deploy_ok(struct fake_aws *f, const char *final) {
    fa_on(f, "CreateChangeSet", 200, CREATE_CS);
    fa_on(f, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(f, "ExecuteChangeSet", 200, EXECUTE_OK);
    fa_on(f, "DescribeStacks", 200, s_stack(STACK_ID, final, TABLE_TEMPLATE_DESCRIPTION));
}

static struct tfv *s_key(const char *name) {
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "name", tfv_new_string(name));
    tfv_map_set(k, "type", tfv_new_string("S"));
    return k;
}

/* A planned value for table t1 in stack s1 (computed values unknown, as for a create). */
static struct tfv *s_planned(bool protection) {
    struct tfv *v = tfv_new_object();
    tfv_map_set(v, "name", tfv_new_string("t1"));
    tfv_map_set(v, "id", tfv_new_string("t1"));
    tfv_map_set(v, "stack_name", tfv_new_string("s1"));
    tfv_map_set(v, "hash_key", s_key("id"));
    tfv_map_set(v, "range_key", tfv_new_null());
    tfv_map_set(v, "billing_mode", tfv_new_string("PAY_PER_REQUEST"));
    tfv_map_set(v, "read_capacity", tfv_new_null());
    tfv_map_set(v, "write_capacity", tfv_new_null());
    tfv_map_set(v, "deletion_protection_enabled", tfv_new_bool(protection));
    tfv_map_set(v, "point_in_time_recovery", tfv_new_bool(false));
    tfv_map_set(v, "retain_on_destroy", tfv_new_bool(false));
    tfv_map_set(v, "tags", tfv_new_null());
    tfv_map_set(v, "ttl", tfv_new_null());
    tfv_map_set(v, "timeouts", tfv_new_null());
    tfv_map_set(v, "arn", tfv_new_unknown());
    tfv_map_set(v, "stack_id", tfv_new_unknown());
    tfv_map_set(v, "table_status", tfv_new_unknown());
    tfv_map_set(v, "ttl_status", tfv_new_unknown());
    tfv_map_set(v, "stream_arn", tfv_new_unknown());
    return v;
}

/* The state of t1 in stack s1 (or, with stack_id NULL, imported and in no stack). */
static struct tfv *s_prior(bool protection, const char *stack_id) {
    struct tfv *v = s_planned(protection);
    tfv_map_set(v, "arn", tfv_new_string(ARN_T));
    tfv_map_set(v, "stack_id", stack_id ? tfv_new_string(stack_id) : tfv_new_null());
    tfv_map_set(v, "table_status", tfv_new_string("ACTIVE"));
    tfv_map_set(v, "ttl_status", tfv_new_string("DISABLED"));
    tfv_map_set(v, "stream_arn", tfv_new_null());
    return v;
}

static bool s_has_diag(const struct diag_list *d, enum diag_severity sev, const char *text) {
    for (size_t i = 0; i < d->count; i++) {
        if (d->items[i].severity == sev &&
            ((d->items[i].summary && strstr(d->items[i].summary, text)) ||
             (d->items[i].detail && strstr(d->items[i].detail, text)))) {
            return true;
        }
    }
    return false;
}

static void s_dump(const struct env *e) {
    for (size_t i = 0; i < e->diags.count; i++) {
        print_message(
            "diag %d: %s: %s\n",
            e->diags.items[i].severity,
            e->diags.items[i].summary,
            e->diags.items[i].detail);
    }
}

static struct tpd_span s_private_explicit(struct tpd_buf *b) {
    tpd_buf_init(b, 0);
    struct resource_private p = {.explicit_destroy = true};
    resource_private_encode(&p, b);
    return tpd_buf_span(b);
}

/* ---- create --------------------------------------------------------------------------- */

static void test_create_fresh(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "DescribeTable", 400, DDB_NOT_FOUND);
    s_table_exists(e->fa, true); /* after the stack created it */
    s_no_stack(e->fa);
    s_deploy_ok(e->fa, "CREATE_COMPLETE");
    struct tfv *planned = s_planned(true), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(fa_ops(e->fa, 1), "CreateChangeSet,ExecuteChangeSet");
    assert_non_null(strstr(fa_body(e->fa, "CreateChangeSet", 0), "ChangeSetType=CREATE"));
    /* A token on every mutating call, the same name and ClientToken. */
    assert_non_null(strstr(fa_body(e->fa, "CreateChangeSet", 0), "ClientToken=tfddb-create-"));
    assert_non_null(
        strstr(fa_body(e->fa, "ExecuteChangeSet", 0), "ClientRequestToken=tfddb-create-"));
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), STACK_ID);
    assert_string_equal(tfv_get_str(out, "arn"), ARN_T);
    tfv_free(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

static void test_create_adopts_with_retain_then_updates(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    s_no_stack(e->fa);
    s_no_owner(e->fa);
    s_deploy_ok(e->fa, "IMPORT_COMPLETE");
    fa_on(
        e->fa,
        "DescribeStacks",
        200,
        s_stack(STACK_ID, "UPDATE_COMPLETE", TABLE_TEMPLATE_DESCRIPTION));
    /* The follow-up switches protection on (the template did); the fake's table already says so. */
    fa_clear(e->fa, "DescribeTable");
    fa_on(e->fa, "DescribeTable", 200, s_describe_table(false, false));
    fa_on(e->fa, "DescribeTable", 200, s_describe_table(true, false));
    struct tfv *planned = s_planned(true), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(
        fa_ops(e->fa, 1), "CreateChangeSet,ExecuteChangeSet,CreateChangeSet,ExecuteChangeSet");
    const char *imp = fa_body(e->fa, "CreateChangeSet", 0);
    assert_non_null(strstr(imp, "ChangeSetType=IMPORT"));
    /* The IMPORT template always retains the table (%22 is a quote in the form body). */
    assert_non_null(strstr(imp, "%22DeletionPolicy%22%3A+%22Retain%22"));
    assert_null(strstr(imp, "Outputs"));
    const char *upd = fa_body(e->fa, "CreateChangeSet", 1);
    assert_non_null(strstr(upd, "ChangeSetType=UPDATE"));
    assert_non_null(strstr(upd, "%22DeletionPolicy%22%3A+%22Delete%22"));
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), STACK_ID);
    tfv_free(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

static void test_create_refuses_foreign_stack(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "DescribeTable", 400, DDB_NOT_FOUND);
    fa_on(e->fa, "DescribeStacks", 200, s_stack(OTHER_ID, "CREATE_COMPLETE", "hand made"));
    fa_on_if(
        e->fa, "DescribeStackResources", "StackName=s1", 200, s_resources("their-table", NULL));
    fa_on(e->fa, "GetTemplate", 200, s_template(false, "Delete"));
    struct tfv *planned = s_planned(true), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "Stack belongs to someone else"));
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "their-table"));
    assert_string_equal(fa_ops(e->fa, 1), "");
    assert_null(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

static void test_failed_followup_is_a_warning_not_a_taint(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    s_no_stack(e->fa);
    s_no_owner(e->fa);
    fa_on(e->fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(e->fa, "ExecuteChangeSet", 200, EXECUTE_OK);
    fa_on(e->fa, "DescribeStacks", 200, s_stack(STACK_ID, "IMPORT_COMPLETE", NULL));
    fa_on(e->fa, "DescribeStacks", 200, s_stack(STACK_ID, "UPDATE_ROLLBACK_COMPLETE", NULL));
    fa_on(e->fa, "DescribeStackEvents", 200, NO_EVENTS);
    struct tfv *planned = s_planned(true), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    /* No error: an error during a create would taint, and the next apply would replace. */
    assert_false(diag_list_has_errors(&e->diags));
    assert_true(s_has_diag(&e->diags, DIAG_WARNING, "configuration not fully applied"));
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), STACK_ID);
    assert_true(tfv_is_wholly_known(out));
    tfv_free(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* ---- idempotency ---------------------------------------------------------------------- */

static void test_lost_answer_to_create_change_set(void **state) {
    struct env *e = *state;
    struct aws_client *aws = fa_client(e->fa, 3); /* retries on, as in production */
    struct cloud *c = cloud_new(aws, &e->stop);
    fa_on(e->fa, "DescribeTable", 400, DDB_NOT_FOUND);
    s_table_exists(e->fa, true);
    s_no_stack(e->fa);
    fa_on(e->fa, "CreateChangeSet", 0, NULL); /* the answer is lost... */
    fa_on(
        e->fa,
        "CreateChangeSet",
        400,
        s_cfn_error(
            "AlreadyExistsException",
            "ChangeSet tfddb-create-1 already exists")); /* ...the retry meets it */
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(e->fa, "ExecuteChangeSet", 0, NULL);
    fa_on(
        e->fa,
        "ExecuteChangeSet",
        400,
        s_cfn_error(
            "InvalidChangeSetStatus",
            "ChangeSet cannot be executed in its current execution status of "
            "[EXECUTE_IN_PROGRESS]"));
    fa_clear(e->fa, "DescribeChangeSet");
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(
        e->fa,
        "DescribeChangeSet",
        200,
        s_change_set("CREATE_COMPLETE", NULL, "EXECUTE_IN_PROGRESS"));
    fa_on(
        e->fa,
        "DescribeStacks",
        200,
        s_stack(STACK_ID, "CREATE_COMPLETE", TABLE_TEMPLATE_DESCRIPTION));
    struct tfv *planned = s_planned(true), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(c), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_int_equal(fa_count(e->fa, "CreateChangeSet"), 2);
    assert_int_equal(fa_count(e->fa, "ExecuteChangeSet"), 2);
    /* The retry is the same request: same change set name and token. */
    assert_string_equal(fa_body(e->fa, "CreateChangeSet", 0), fa_body(e->fa, "CreateChangeSet", 1));
    assert_string_equal(
        fa_body(e->fa, "ExecuteChangeSet", 0), fa_body(e->fa, "ExecuteChangeSet", 1));
    assert_non_null(out);
    tfv_free(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
    cloud_free(c);
    aws_client_free(aws);
}

/* ---- indexes ------------------------------------------------------------------------- */

/* DescribeTable of t1 with GSIs on attributes named like them ("gsi_a" on "a"), ACTIVE;
 * names is a NULL-terminated list. */
static const char *s_describe_gsis(const char *const *names) {
    char gsis[2048] = "", defs[1024] = "";
    for (size_t i = 0; names[i]; i++) {
        const char *key = names[i] + 4;
        size_t g = strlen(gsis), d = strlen(defs);
        snprintf(
            gsis + g,
            sizeof gsis - g,
            "%s{\"IndexName\":\"%s\",\"KeySchema\":[{\"AttributeName\":\"%s\",\"KeyType\":"
            "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus\":\"ACTIVE\"}",
            i ? "," : "",
            names[i],
            key);
        snprintf(
            defs + d, sizeof defs - d, ",{\"AttributeName\":\"%s\",\"AttributeType\":\"S\"}", key);
    }
    return s_fmt(
        "{\"Table\":{\"TableName\":\"t1\",\"TableArn\":\"" ARN_T "\",\"TableStatus\":\"ACTIVE\","
        "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}%s],"
        "\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\"},"
        "\"GlobalSecondaryIndexes\":[%s],\"DeletionProtectionEnabled\":false,\"ItemCount\":3}}",
        defs,
        gsis);
}

/* GetTemplate of our template for t1 with these GSIs (rendered by this provider). */
static const char *s_template_gsis(const char *const *names) {
    struct table_spec sp = {0};
    sp.name = strdup("t1");
    sp.stack_name = strdup("s1");
    sp.hash.name = strdup("id");
    sp.hash.type = strdup("S");
    size_t n = 0;
    while (names[n]) {
        n++;
    }
    sp.gsis = calloc(n ? n : 1, sizeof(*sp.gsis));
    for (size_t i = 0; i < n; i++) {
        sp.gsis[i].name = strdup(names[i]);
        sp.gsis[i].hash.name = strdup(names[i] + 4);
        sp.gsis[i].hash.type = strdup("S");
        sp.gsis[i].projection = strdup("ALL");
    }
    sp.gsi_count = n;
    struct tpd_buf text, xml;
    tpd_buf_init(&text, 0);
    tpd_buf_init(&xml, 0);
    struct table_template_options o = {TABLE_TEMPLATE_FULL, NULL, NULL, NULL};
    assert_int_equal(table_template_render(&sp, &o, &text, NULL), TPD_OK);
    tpd_buf_append_cstr(&xml, "<GetTemplateResponse><GetTemplateResult><TemplateBody>");
    for (size_t i = 0; i < text.len; i++) { /* XML-escape the JSON text */
        char c = (char)text.ptr[i];
        tpd_buf_append_cstr(
            &xml,
            c == '<'   ? "&lt;"
            : c == '&' ? "&amp;"
            : c == '"' ? "&quot;"
                       : (char[]){c, 0});
    }
    tpd_buf_append_cstr(&xml, "</TemplateBody></GetTemplateResult></GetTemplateResponse>");
    const char *out = s_fmt("%s", tpd_buf_cstr(&xml));
    tpd_buf_clear(&text);
    tpd_buf_clear(&xml);
    table_spec_clear(&sp);
    return out;
}

/* A list value of GSIs named like s_describe_gsis's. */
static struct tfv *s_gsi_list(const char *const *names) {
    struct tfv *l = tfv_new_list();
    for (size_t i = 0; names[i]; i++) {
        struct tfv *g = tfv_new_object();
        tfv_map_set(g, "name", tfv_new_string(names[i]));
        tfv_map_set(g, "hash_key", s_key(names[i] + 4));
        tfv_map_set(g, "range_key", tfv_new_null());
        tfv_map_set(g, "projection_type", tfv_new_null());
        tfv_map_set(g, "non_key_attributes", tfv_new_null());
        tfv_map_set(g, "read_capacity", tfv_new_null());
        tfv_map_set(g, "write_capacity", tfv_new_null());
        tfv_list_append(l, g);
    }
    return l;
}

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Our stack s1 holding t1, its template declaring `deployed`. */
static void s_own_stack(struct fake_aws *f, const char *const *deployed) {
    fa_on(
        f, "DescribeStacks", 200, s_stack(STACK_ID, "UPDATE_COMPLETE", TABLE_TEMPLATE_DESCRIPTION));
    fa_on_if(f, "DescribeStackResources", "StackName=s1", 200, s_resources("t1", NULL));
    fa_on(f, "GetTemplate", 200, s_template_gsis(deployed));
}

static void test_update_swaps_an_index_in_two_stack_updates(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_clear(e->fa, "DescribeTable");
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis(NAMES("gsi_a")));              /* before */
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis((const char *const[]){NULL})); /* step 1 */
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis(NAMES("gsi_b")));              /* then */
    s_own_stack(e->fa, NAMES("gsi_a"));
    s_deploy_ok(e->fa, "UPDATE_COMPLETE");
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(false, STACK_ID), *out = NULL;
    tfv_map_set(prior, "global_secondary_indexes", s_gsi_list(NAMES("gsi_a")));
    tfv_map_set(planned, "global_secondary_indexes", s_gsi_list(NAMES("gsi_b")));
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    /* Delete, then create: two stack updates, no direct index call. */
    assert_string_equal(
        fa_ops(e->fa, 1), "CreateChangeSet,ExecuteChangeSet,CreateChangeSet,ExecuteChangeSet");
    const char *first = fa_body(e->fa, "CreateChangeSet", 0);
    assert_null(strstr(first, "gsi_a"));
    assert_null(strstr(first, "gsi_b"));
    const char *second = fa_body(e->fa, "CreateChangeSet", 1);
    assert_non_null(strstr(second, "gsi_b"));
    assert_null(strstr(second, "gsi_a"));
    const struct tfv *g = tfv_get(out, "global_secondary_indexes");
    assert_int_equal(g->u.list.count, 1);
    assert_string_equal(tfv_get_str(g->u.list.items[0], "name"), "gsi_b");
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* An interrupted swap continues from the deployed template: it already lacks gsi_a, so
 * the one update left creates gsi_b. */
static void test_update_resumes_an_interrupted_sequence(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_clear(e->fa, "DescribeTable");
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis((const char *const[]){NULL}));
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis(NAMES("gsi_b")));
    s_own_stack(e->fa, (const char *const[]){NULL});
    s_deploy_ok(e->fa, "UPDATE_COMPLETE");
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(false, STACK_ID), *out = NULL;
    tfv_map_set(prior, "global_secondary_indexes", tfv_new_list());
    tfv_map_set(planned, "global_secondary_indexes", s_gsi_list(NAMES("gsi_b")));
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(fa_ops(e->fa, 1), "CreateChangeSet,ExecuteChangeSet");
    assert_non_null(strstr(fa_body(e->fa, "CreateChangeSet", 0), "gsi_b"));
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* Deleted outside Terraform: created again from the template's definition (a direct
 * UpdateTable, first), then the stack update is empty. */
static void test_update_recreates_an_index_deleted_outside(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_clear(e->fa, "DescribeTable");
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis((const char *const[]){NULL}));
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis(NAMES("gsi_a")));
    s_own_stack(e->fa, NAMES("gsi_a"));
    fa_on(e->fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(
        e->fa,
        "DescribeChangeSet",
        200,
        s_change_set(
            "FAILED",
            "The submitted information didn't contain changes. Submit different information to "
            "create a change set.",
            "UNAVAILABLE"));
    fa_on(e->fa, "DeleteChangeSet", 200, DELETE_CS_OK);
    fa_on(e->fa, "UpdateTable", 200, "{}");
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(false, STACK_ID), *out = NULL;
    tfv_map_set(prior, "global_secondary_indexes", tfv_new_list());
    tfv_map_set(planned, "global_secondary_indexes", s_gsi_list(NAMES("gsi_a")));
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(fa_ops(e->fa, 1), "UpdateTable,CreateChangeSet,DeleteChangeSet");
    const char *u = fa_body(e->fa, "UpdateTable", 0);
    assert_non_null(strstr(u, "\"Create\":{"));
    assert_non_null(strstr(u, "\"IndexName\":\"gsi_a\""));
    assert_non_null(strstr(u, "{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}"));
    assert_int_equal(tfv_get(out, "global_secondary_indexes")->u.list.count, 1);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* Added outside Terraform: refused before any change, the state is what AWS has. */
static void test_update_refuses_an_index_added_outside(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_clear(e->fa, "DescribeTable");
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis(NAMES("gsi_a", "gsi_x")));
    s_own_stack(e->fa, NAMES("gsi_a"));
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(false, STACK_ID), *out = NULL;
    tfv_map_set(prior, "global_secondary_indexes", s_gsi_list(NAMES("gsi_a", "gsi_x")));
    tfv_map_set(planned, "global_secondary_indexes", s_gsi_list(NAMES("gsi_a")));
    tfv_map_set(planned, "point_in_time_recovery", tfv_new_bool(true));
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "Index changed outside Terraform"));
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "gsi_x (partition key x (S)"));
    assert_string_equal(fa_ops(e->fa, 1), "");
    assert_int_equal(tfv_get(out, "global_secondary_indexes")->u.list.count, 2);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* Adoption while the configuration leaves out the live table's index: refused at apply as
 * at plan, without a mutating call. */
static void test_create_refuses_adoption_leaving_out_an_index(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_clear(e->fa, "DescribeTable");
    fa_on(e->fa, "DescribeTable", 200, s_describe_gsis(NAMES("gsi_a")));
    s_no_stack(e->fa);
    s_no_owner(e->fa);
    struct tfv *planned = s_planned(false), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "leaves out features"));
    assert_true(s_has_diag(
        &e->diags,
        DIAG_ERROR,
        "{ name = \"gsi_a\", hash_key = { name = \"a\", type = \"S\" }, projection_type = "
        "\"ALL\" }"));
    assert_string_equal(fa_ops(e->fa, 1), "");
    assert_null(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* ---- update: drift -------------------------------------------------------------------- */

/* Protection was switched off outside Terraform; the template still says on. Read
 * before, waited for after the (empty) update, read again: then repaired (the answers
 * up to the repair's UpdateTable, which each test queues itself). */
static void s_protection_drift_answers(struct fake_aws *fa) {
    fa_on(fa, "DescribeTable", 200, s_describe_table(false, false));
    fa_on(fa, "DescribeTable", 200, s_describe_table(false, false));
    fa_on(fa, "DescribeTable", 200, s_describe_table(false, false));
    fa_on(fa, "DescribeTable", 200, s_describe_table(true, false));
    s_table_exists(fa, true);
    fa_on(
        fa,
        "DescribeStacks",
        200,
        s_stack(STACK_ID, "UPDATE_COMPLETE", TABLE_TEMPLATE_DESCRIPTION));
    fa_on_if(fa, "DescribeStackResources", "StackName=s1", 200, s_resources("t1", NULL));
    fa_on(fa, "GetTemplate", 200, s_template(true, "Delete"));
    fa_on(fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(
        fa,
        "DescribeChangeSet",
        200,
        s_change_set(
            "FAILED",
            "The submitted information didn't contain changes. Submit different information to "
            "create a change set.",
            "UNAVAILABLE"));
    fa_on(fa, "DeleteChangeSet", 200, DELETE_CS_OK);
}

static void test_update_repairs_drift_after_empty_change_set(void **state) {
    struct env *e = *state;
    s_protection_drift_answers(e->fa);
    fa_on(e->fa, "UpdateTable", 200, "{}");
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(true, STACK_ID), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(fa_ops(e->fa, 1), "CreateChangeSet,DeleteChangeSet,UpdateTable");
    assert_non_null(strstr(fa_body(e->fa, "UpdateTable", 0), "\"DeletionProtectionEnabled\":true"));
    bool on = false;
    assert_true(tfv_get_bool(out, "deletion_protection_enabled", &on) && on);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* A repair that meets a table still changing (ResourceInUseException: an index build
 * or a change made outside Terraform) waits until it is ACTIVE and sends once more,
 * instead of failing the apply. */
static void test_repair_waits_for_a_busy_table(void **state) {
    struct env *e = *state;
    s_protection_drift_answers(e->fa);
    fa_on(
        e->fa,
        "UpdateTable",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceInUseException\","
        "\"message\":\"Attempt to change a resource which is still in use: Table is being "
        "updated: t1\"}");
    fa_on(e->fa, "UpdateTable", 200, "{}");
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(true, STACK_ID), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(
        fa_ops(e->fa, 1), "CreateChangeSet,DeleteChangeSet,UpdateTable,UpdateTable");
    bool on = false;
    assert_true(tfv_get_bool(out, "deletion_protection_enabled", &on) && on);
    /* A successful apply records the protection it applied (resource_private.h). */
    struct resource_private p;
    resource_private_decode(tpd_buf_span(&priv), &p);
    assert_true(p.protection_known && p.protection_applied);
    assert_false(p.imported);
    resource_private_clear(&p);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

static void test_update_refuses_stack_with_other_resources(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_on(
        e->fa,
        "DescribeStacks",
        200,
        s_stack(STACK_ID, "UPDATE_COMPLETE", TABLE_TEMPLATE_DESCRIPTION));
    fa_on_if(
        e->fa,
        "DescribeStackResources",
        "StackName=s1",
        200,
        s_resources(
            "t1",
            "<member><StackName>s1</StackName><LogicalResourceId>Queue</LogicalResourceId>"
            "<PhysicalResourceId>q</PhysicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType>"
            "<ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"));
    fa_on(e->fa, "GetTemplate", 200, s_template(true, "Delete"));
    struct tfv *prior = s_prior(false, STACK_ID), *planned = s_prior(true, STACK_ID), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "Queue (AWS::SQS::Queue)"));
    assert_string_equal(fa_ops(e->fa, 1), "");
    /* The state is what AWS has: protection still off. */
    bool on = true;
    assert_true(tfv_get_bool(out, "deletion_protection_enabled", &on) && !on);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* ---- destroy -------------------------------------------------------------------------- */

static void test_destroy_table_in_no_stack(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    s_no_owner(e->fa); /* still in no stack: not adopted by anyone since (each apply asks) */
    s_no_owner(e->fa);
    fa_on(
        e->fa, "DescribeTable", 200, s_describe_table(false, false)); /* the second apply's read */
    fa_on(e->fa, "DescribeTable", 200, s_describe_table(false, false)); /* checked again */
    fa_on(e->fa, "DeleteTable", 200, "{}");
    fa_on(e->fa, "DescribeTable", 400, DDB_NOT_FOUND); /* gone after DeleteTable */
    struct tfv *prior = s_prior(false, NULL), *out = NULL;
    struct tpd_buf priv, pp;
    tpd_buf_init(&priv, 0);
    /* The destroy half of a replacement: nothing is deleted. */
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, NULL, NULL, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_false(diag_list_has_errors(&e->diags));
    assert_true(s_has_diag(&e->diags, DIAG_WARNING, "kept with all its items"));
    assert_string_equal(fa_ops(e->fa, 1), "");
    assert_null(out);
    /* A destroy the user asked for deletes it. */
    diag_list_clear(&e->diags);
    diag_list_init(&e->diags);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, NULL, NULL, s_private_explicit(&pp), &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    assert_string_equal(fa_ops(e->fa, 1), "DeleteTable");
    assert_null(out);
    tfv_free(prior);
    tpd_buf_clear(&priv);
    tpd_buf_clear(&pp);
}

static void test_destroy_refused_when_protected_live(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, true);
    fa_on(
        e->fa,
        "DescribeStacks",
        200,
        s_stack(STACK_ID, "UPDATE_COMPLETE", TABLE_TEMPLATE_DESCRIPTION));
    fa_on_if(e->fa, "DescribeStackResources", "StackName=s1", 200, s_resources("t1", NULL));
    fa_on(e->fa, "GetTemplate", 200, s_template(true, "Delete"));
    struct tfv *prior = s_prior(false, STACK_ID), *out = NULL;
    struct tpd_buf priv, pp;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), prior, NULL, NULL, s_private_explicit(&pp), &out, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "protected against deletion"));
    assert_string_equal(fa_ops(e->fa, 1), "");
    assert_non_null(out); /* kept in state */
    tfv_free(out);
    tfv_free(prior);
    tpd_buf_clear(&priv);
    tpd_buf_clear(&pp);
}

/* Reading the table back after a create fails: a warning with the planned values, never
 * a crash or a taint. */
static void test_create_fresh_read_back_fails(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "DescribeTable", 400, DDB_NOT_FOUND);
    s_table_exists(e->fa, true);
    fa_clear(e->fa, "DescribeContributorInsights");
    fa_on(
        e->fa,
        "DescribeContributorInsights",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\","
        "\"message\":\"not allowed\"}");
    s_no_stack(e->fa);
    s_deploy_ok(e->fa, "CREATE_COMPLETE");
    struct tfv *planned = s_planned(true), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_apply(
        cloud_ops_of(e->cloud), NULL, planned, planned, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_false(diag_list_has_errors(&e->diags));
    assert_true(s_has_diag(&e->diags, DIAG_WARNING, "not allowed"));
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), STACK_ID);
    /* Every value known after apply (Terraform rejects an unknown one: stream_arn was). */
    assert_true(tfv_is_wholly_known(out));
    tfv_free(out);
    tfv_free(planned);
    tpd_buf_clear(&priv);
}

/* ---- refresh and import --------------------------------------------------------------- */

static void test_refresh_stack_replaced_by_another(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, true);
    fa_on(e->fa, "DescribeStacks", 200, s_stack(OTHER_ID, "CREATE_COMPLETE", "hand made"));
    struct tfv *prior = s_prior(true, STACK_ID), *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_read(cloud_ops_of(e->cloud), prior, tpd_span_cstr(""), &out, &priv, &e->diags);
    assert_false(diag_list_has_errors(&e->diags));
    /* The table stays; it is in no stack of ours now. */
    assert_non_null(out);
    assert_true(tfv_is_null(tfv_get(out, "stack_id")));
    assert_int_equal(
        fa_count(e->fa, "DescribeTable") + fa_count(e->fa, "DescribeTimeToLive") +
            fa_count(e->fa, "DescribeContinuousBackups") + fa_count(e->fa, "ListTagsOfResource") +
            fa_count(e->fa, "DescribeContributorInsights") + fa_count(e->fa, "DescribeStacks"),
        6);
    tfv_free(out);
    tfv_free(prior);
    tpd_buf_clear(&priv);
}

static void test_import_id_naming_wrong_stack(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    s_no_owner(e->fa);
    struct tfv *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_import(cloud_ops_of(e->cloud), "s1/t1", &out, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "Import ID names the wrong stack"));
    assert_null(out);
    tpd_buf_clear(&priv);
}

static void test_import_reads_retain(void **state) {
    struct env *e = *state;
    s_table_exists(e->fa, false);
    fa_on_if(
        e->fa, "DescribeStackResources", "PhysicalResourceId=t1", 200, s_resources("t1", NULL));
    fa_on_if(e->fa, "DescribeStackResources", "StackName=s1", 200, s_resources("t1", NULL));
    fa_on(e->fa, "DescribeStacks", 200, s_stack(STACK_ID, "CREATE_COMPLETE", "hand made"));
    fa_on(e->fa, "GetTemplate", 200, s_template(false, "Retain"));
    struct tfv *out = NULL;
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    ttl_table_import(cloud_ops_of(e->cloud), "s1/t1", &out, &priv, &e->diags);
    s_dump(e);
    assert_false(diag_list_has_errors(&e->diags));
    bool retain = false;
    assert_true(tfv_get_bool(out, "retain_on_destroy", &retain) && retain);
    assert_string_equal(tfv_get_str(out, "stack_id"), STACK_ID);
    tfv_free(out);
    tpd_buf_clear(&priv);
}

/* ---- plan ----------------------------------------------------------------------------- */

static void test_plan_marks_destroys_and_replacements(void **state) {
    struct env *e = *state;
    struct tfv *prior = s_prior(true, STACK_ID), *planned = NULL;
    struct tfp_path_list rr = {0};
    struct tpd_buf priv;
    tpd_buf_init(&priv, 0);
    /* A destroy plan: refused while protected (retain off), and marked explicit. */
    ttl_table_plan(
        NULL, NULL, prior, NULL, NULL, tpd_span_cstr(""), &planned, &rr, &priv, &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "protected against deletion"));
    struct resource_private p;
    resource_private_decode(tpd_buf_span(&priv), &p);
    assert_true(p.explicit_destroy);
    resource_private_clear(&p);
    /* With retain_on_destroy the table is kept: allowed. */
    diag_list_clear(&e->diags);
    diag_list_init(&e->diags);
    tfv_map_set(prior, "retain_on_destroy", tfv_new_bool(true));
    tpd_buf_reset(&priv);
    ttl_table_plan(
        NULL, NULL, prior, NULL, NULL, tpd_span_cstr(""), &planned, &rr, &priv, &e->diags);
    assert_false(diag_list_has_errors(&e->diags));
    /* The create half of `-replace` of a protected table is refused at plan. */
    struct tpd_buf pp;
    tpd_buf_init(&pp, 0);
    char t1[] = "t1";
    struct resource_private rep = {.replacing = t1, .protected_table = true};
    resource_private_encode(&rep, &pp);
    struct tfv *cfg = s_planned(true);
    tpd_buf_reset(&priv);
    ttl_table_plan(
        cloud_ops_of(e->cloud),
        NULL,
        NULL,
        cfg,
        cfg,
        tpd_buf_span(&pp),
        &planned,
        &rr,
        &priv,
        &e->diags);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "cannot be replaced"));
    assert_string_equal(fa_ops(e->fa, 0), "");
    tfv_free(planned);
    tfv_free(cfg);
    tfv_free(prior);
    tfp_path_list_clear(&rr);
    tpd_buf_clear(&priv);
    tpd_buf_clear(&pp);
}

/* Plans prior -> cfg (cfg NULL: a destroy) without AWS, with the prior private bytes
 * `in`; e->diags holds this plan's diagnostics only. Returns how many paths force a
 * replacement; *out (optional) gets the planned private bytes. */
static size_t s_plan_offline(
    struct env *e,
    const struct tfv *prior,
    const struct tfv *cfg,
    const struct resource_private *in,
    struct resource_private *out) {
    struct tfv *planned = NULL;
    struct tfp_path_list rr = {0};
    struct tpd_buf inb, outb;
    tpd_buf_init(&inb, 0);
    tpd_buf_init(&outb, 0);
    assert_int_equal(resource_private_encode(in, &inb), TPD_OK);
    diag_list_clear(&e->diags);
    diag_list_init(&e->diags);
    ttl_table_plan(
        NULL, NULL, prior, cfg, cfg, tpd_buf_span(&inb), &planned, &rr, &outb, &e->diags);
    size_t n = rr.count;
    if (out) {
        resource_private_decode(tpd_buf_span(&outb), out);
    }
    tfv_free(planned);
    tfp_path_list_clear(&rr);
    tpd_buf_clear(&inb);
    tpd_buf_clear(&outb);
    return n;
}

/* An imported table (no apply since) whose configuration has another key schema: the
 * plan refuses instead of replacing it; once applied, a key change is an ordinary
 * replacement. (Regression: tests/safety/repros/import-then-keys-replace.json.) */
static void test_plan_refuses_replacing_an_imported_table(void **state) {
    struct env *e = *state;
    struct tfv *prior = s_prior(false, STACK_ID), *cfg = s_planned(false);
    tfv_map_set(cfg, "range_key", s_key("sk"));
    struct resource_private imported = {.imported = true}, none = {0}, p;
    s_plan_offline(e, prior, cfg, &imported, NULL);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "Imported table would be replaced"));
    assert_true(e->diags.items[0].has_path);
    assert_string_equal(e->diags.items[0].path.steps[0].name, "range_key");
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "DynamoDB table \"t1\" was imported"));
    /* The create half of a forced replacement, reached only if that refusal was
     * bypassed, refuses again and names the table it would replace. */
    char t1[] = "t1";
    struct resource_private half = {.imported = true, .forced = true, .replacing = t1};
    s_plan_offline(e, NULL, cfg, &half, NULL);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "Imported table would be replaced"));
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "DynamoDB table \"t1\" was imported"));
    /* The same change after an apply (no "imported"): a replacement, no error. */
    assert_true(s_plan_offline(e, prior, cfg, &none, &p) > 0);
    assert_false(diag_list_has_errors(&e->diags));
    assert_true(p.forced);
    assert_string_equal(p.replacing, "t1");
    resource_private_clear(&p);
    tfv_free(cfg);
    tfv_free(prior);
}

/* Deletion protection last applied on, switched off outside Terraform (the refreshed
 * state says off): a destroy and a replacement are refused; with the protection applied
 * off they are allowed. (Regression: tests/safety/repros/protection-off-outside-then-
 * replace.json.) */
static void test_plan_keeps_protection_switched_off_outside(void **state) {
    struct env *e = *state;
    struct tfv *prior = s_prior(false, STACK_ID), *cfg = s_planned(true);
    tfv_map_set(cfg, "range_key", s_key("sk"));
    struct resource_private on = {.protection_known = true, .protection_applied = true};
    struct resource_private off = {.protection_known = true, .protection_applied = false};
    s_plan_offline(e, prior, NULL, &on, NULL);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "switched off outside Terraform"));
    s_plan_offline(e, prior, cfg, &on, NULL);
    assert_true(s_has_diag(&e->diags, DIAG_ERROR, "switched off outside Terraform"));
    /* Applied off: both allowed. */
    s_plan_offline(e, prior, NULL, &off, NULL);
    assert_false(diag_list_has_errors(&e->diags));
    s_plan_offline(e, prior, cfg, &off, NULL);
    assert_false(diag_list_has_errors(&e->diags));
    tfv_free(cfg);
    tfv_free(prior);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fresh, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_refuses_replacing_an_imported_table, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_keeps_protection_switched_off_outside, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_create_fresh_read_back_fails, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_update_swaps_an_index_in_two_stack_updates, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_update_resumes_an_interrupted_sequence, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_update_recreates_an_index_deleted_outside, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_update_refuses_an_index_added_outside, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_create_refuses_adoption_leaving_out_an_index, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_create_adopts_with_retain_then_updates, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_foreign_stack, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_failed_followup_is_a_warning_not_a_taint, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_lost_answer_to_create_change_set, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_update_repairs_drift_after_empty_change_set, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_repair_waits_for_a_busy_table, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_update_refuses_stack_with_other_resources, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_destroy_table_in_no_stack, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_destroy_refused_when_protected_live, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_refresh_stack_replaced_by_another, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_import_id_naming_wrong_stack, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_import_reads_retain, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_marks_destroys_and_replacements, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
