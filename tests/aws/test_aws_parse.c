/*
 * Parsing and serialisation: XML tree, AWS error bodies (JSON and Query XML,
 * including malformed ones), Query form bodies (nested lists and maps), ISO 8601,
 * and DynamoDB/CloudFormation responses through a scripted transport.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_errors.h"
#include "aws_ini.h"
#include "aws_query.h"
#include "aws_time.h"
#include "aws_xml.h"
#include "cfn.h"
#include "ddb.h"
#include "fake_transport.h"
#include "test_util.h"

static struct aws_client *fake_client(struct fake_transport *ft) {
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKIDEXAMPLE";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.endpoint_cloudformation = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static void test_xml_tree(void **state) {
    (void)state;
    const char *x = "<?xml version=\"1.0\"?><A "
                    "xmlns=\"urn:x\"><B><member><K>1</K></member><member><K>2&amp;</K>"
                    "</member></B><C/></A>";
    struct aws_xml_node *root = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(aws_xml_parse(tpd_span_cstr(x), &root, &err), TPD_OK);
    const struct aws_xml_node *m = aws_xml_path(root, "B/member");
    assert_string_equal(aws_xml_text(m, "K"), "1");
    m = aws_xml_next_same(m);
    assert_string_equal(aws_xml_text(m, "K"), "2&");
    assert_null(aws_xml_next_same(m));
    assert_string_equal(aws_xml_text(root, "C"), "");
    assert_null(aws_xml_text(root, "D"));
    aws_xml_free(root);
}

static void test_xml_malformed(void **state) {
    (void)state;
    const char *bad[] = {
        "", "not xml at all", "<A><B></A>", "<A><B>truncated", "{\"json\":1}", "<A>&bogus;</A>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct aws_xml_node *root = NULL;
        struct tpd_err err;
        tpd_err_init(&err);
        assert_int_equal(aws_xml_parse(tpd_span_cstr(bad[i]), &root, &err), TPD_E_PARSE);
        assert_null(root);
        assert_non_null(err.msg);
        tpd_err_clear(&err);
    }
    /* Depth bomb. */
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++) {
        tpd_buf_append_cstr(&b, "<a>");
    }
    struct aws_xml_node *root = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(aws_xml_parse(tpd_buf_span(&b), &root, &err), TPD_E_PARSE);
    assert_non_null(strstr(err.msg, "nesting"));
    tpd_err_clear(&err);
    tpd_buf_clear(&b);
}

static void test_json_errors(void **state) {
    (void)state;
    struct tpd_err err;
    tpd_err_init(&err);
    const char *b1 = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
                     "\"message\":\"Requested resource not found: Table: t not found\"}";
    assert_int_equal(
        aws_error_from_json("DescribeTable", 400, tpd_span_cstr(b1), "rid-1", &err),
        TPD_E_NOT_FOUND);
    assert_string_equal(err.aws_code, "ResourceNotFoundException");
    assert_string_equal(err.request_id, "rid-1");
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.msg, "DescribeTable"));
    assert_non_null(strstr(err.msg, "Table: t not found"));
    tpd_err_clear(&err);

    const char *b2 =
        "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"Message\":\"bad\"}";
    assert_int_equal(
        aws_error_from_json("UpdateTimeToLive", 400, tpd_span_cstr(b2), NULL, &err), TPD_E_AWS);
    assert_string_equal(err.aws_code, "ValidationException");
    assert_non_null(strstr(err.msg, "bad"));
    tpd_err_clear(&err);

    const char *b3 =
        "{\"__type\":\"ThrottlingException:http://internal\",\"message\":\"Rate exceeded\"}";
    assert_int_equal(
        aws_error_from_json("CreateTable", 400, tpd_span_cstr(b3), NULL, &err), TPD_E_THROTTLED);
    assert_string_equal(err.aws_code, "ThrottlingException");
    assert_true(err.retryable);
    tpd_err_clear(&err);

    const char *bad[] = {
        "", "<html>Bad Gateway</html>", "{\"__type\":", "[1,2]", "\x01\x02garbage"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum tpd_code rc = aws_error_from_json("Scan", 502, tpd_span_cstr(bad[i]), NULL, &err);
        assert_int_equal(rc, TPD_E_AWS);
        assert_non_null(strstr(err.msg, "Scan"));
        assert_int_equal(err.http_status, 502);
        tpd_err_clear(&err);
    }
    /* No __type: HTTP status names it. */
    assert_int_equal(aws_error_from_json("Scan", 503, tpd_span_cstr("{}"), NULL, &err), TPD_E_AWS);
    assert_string_equal(err.aws_code, "ServiceUnavailable");
    tpd_err_clear(&err);
}

static void test_xml_errors(void **state) {
    (void)state;
    struct tpd_err err;
    tpd_err_init(&err);
    const char *b1 =
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>"
        "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
        "<RequestId>abc-123</RequestId></ErrorResponse>";
    assert_int_equal(
        aws_error_from_query_xml("DescribeStacks", 400, tpd_span_cstr(b1), NULL, &err),
        TPD_E_THROTTLED);
    assert_string_equal(err.aws_code, "Throttling");
    assert_string_equal(err.request_id, "abc-123");
    assert_non_null(strstr(err.msg, "Rate exceeded"));
    tpd_err_clear(&err);
    const char *b2 = "<Response><Errors><Error><Code>ValidationError</Code><Message>Stack with id "
                     "x does not exist"
                     "</Message></Error></Errors><RequestID>r2</RequestID></Response>";
    assert_int_equal(
        aws_error_from_query_xml("DescribeStacks", 400, tpd_span_cstr(b2), NULL, &err), TPD_E_AWS);
    assert_string_equal(err.aws_code, "ValidationError");
    assert_string_equal(err.request_id, "r2");
    tpd_err_clear(&err);
    const char *b3 = "<ErrorResponse><Error><Code>ChangeSetNotFound</Code></Error></ErrorResponse>";
    assert_int_equal(
        aws_error_from_query_xml("DescribeChangeSet", 404, tpd_span_cstr(b3), "hdr-id", &err),
        TPD_E_NOT_FOUND);
    assert_string_equal(err.request_id, "hdr-id");
    tpd_err_clear(&err);
    const char *bad[] = {
        "", "<ErrorResponse><Error><Code>Throt", "Service Unavailable", "{\"message\":\"x\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(
            aws_error_from_query_xml("ExecuteChangeSet", 503, tpd_span_cstr(bad[i]), NULL, &err),
            TPD_E_AWS);
        assert_non_null(strstr(err.msg, "ExecuteChangeSet"));
        assert_string_equal(err.aws_code, "ServiceUnavailable");
        tpd_err_clear(&err);
    }
}

static void test_query_serialisation(void **state) {
    (void)state;
    struct cfn_kv_in ident[] = {{"TableName", "my-table"}, {"Extra", "a b&c"}};
    struct cfn_import_resource imp[] = {{"AWS::DynamoDB::Table", "Table", ident, 2}};
    struct cfn_kv_in tags[] = {{"app", "firefly"}, {"k=1", "v/2"}};
    const char *caps[] = {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"};
    struct cfn_create_change_set_input in = {
        .stack_name = "s1",
        .change_set_name = "cs1",
        .type = CFN_CHANGE_SET_IMPORT,
        .template_body = "{\"a\": 1}",
        .tags = tags,
        .tag_count = 2,
        .capabilities = caps,
        .capability_count = 2,
        .description = "d e",
        .imports = imp,
        .import_count = 1,
    };
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(cfn_create_change_set_body(&in, &b, &err), TPD_OK);
    const char *want =
        "Action=CreateChangeSet&Version=2010-05-15&StackName=s1&TemplateBody=%7B%22a%22%3A+1%7D"
        "&Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_NAMED_IAM"
        "&ResourcesToImport.member.1.ResourceType=AWS%3A%3ADynamoDB%3A%3ATable"
        "&ResourcesToImport.member.1.LogicalResourceId=Table"
        "&ResourcesToImport.member.1.ResourceIdentifier.entry.1.key=TableName"
        "&ResourcesToImport.member.1.ResourceIdentifier.entry.1.value=my-table"
        "&ResourcesToImport.member.1.ResourceIdentifier.entry.2.key=Extra"
        "&ResourcesToImport.member.1.ResourceIdentifier.entry.2.value=a+b%26c"
        "&Tags.member.1.Key=app&Tags.member.1.Value=firefly&Tags.member.2.Key=k%3D1&Tags.member.2."
        "Value=v%2F2"
        "&ChangeSetName=cs1&Description=d+e&ChangeSetType=IMPORT";
    assert_string_equal(tpd_buf_cstr(&b), want);
    tpd_buf_clear(&b);

    struct aws_query q;
    aws_query_init(&q, "DeleteStack", "2010-05-15");
    aws_query_add_list(&q, "RetainResources", NULL, 0);
    aws_query_add(&q, "Skipped", NULL);
    assert_int_equal(q.rc, TPD_OK);
    assert_string_equal(
        tpd_buf_cstr(&q.body), "Action=DeleteStack&Version=2010-05-15&RetainResources=");
    aws_query_clear(&q);
}

static void test_iso8601(void **state) {
    (void)state;
    int64_t t = 0;
    assert_int_equal(aws_parse_iso8601("2015-08-30T12:36:00Z", &t), TPD_OK);
    assert_int_equal(t, 1440938160);
    assert_int_equal(aws_parse_iso8601("2026-11-23T05:05:12.498298Z", &t), TPD_OK);
    assert_int_equal(aws_parse_iso8601("2015-08-30T14:36:00+02:00", &t), TPD_OK);
    assert_int_equal(t, 1440938160);
    assert_int_equal(aws_parse_iso8601("2015-08-30", &t), TPD_OK);
    assert_int_equal(aws_parse_iso8601("yesterday", &t), TPD_E_PARSE);
    assert_int_equal(aws_parse_iso8601("2015-13-30T00:00:00Z", &t), TPD_E_PARSE);
    assert_int_equal(aws_parse_iso8601("2015-08-30T12:36:00Zjunk", &t), TPD_E_PARSE);
}

static void test_ddb_describe_table(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft);
    ft_push(
        ft,
        200,
        "{\"Table\":{\"TableName\":\"t\",\"TableArn\":\"arn:aws:dynamodb:us-east-1:1:table/t\","
        "\"TableStatus\":\"ACTIVE\",\"KeySchema\":[{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"},"
        "{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{"
        "\"AttributeName\":\"h\","
        "\"AttributeType\":\"S\"},{\"AttributeName\":\"r\",\"AttributeType\":\"N\"}],"
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7},"
        "\"ItemCount\":42}}");
    ft_push(
        ft,
        200,
        "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\",\"BillingModeSummary\":"
        "{\"BillingMode\":\"PAY_PER_REQUEST\"},\"DeletionProtectionEnabled\":true}}");
    ft_push(ft, 200, "{\"Table\":");
    ft_push(ft, 200, "<html/>");
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    assert_string_equal(t.hash.name, "h");
    assert_string_equal(t.hash.type, "S");
    assert_string_equal(t.range.name, "r");
    assert_string_equal(t.range.type, "N");
    assert_string_equal(t.billing_mode, "PROVISIONED");
    assert_int_equal(t.read_capacity, 5);
    assert_int_equal(t.write_capacity, 7);
    assert_int_equal(t.item_count, 42);
    assert_false(t.deletion_protection);
    ddb_table_clear(&t);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    assert_string_equal(t.billing_mode, "PAY_PER_REQUEST");
    assert_true(t.deletion_protection);
    assert_null(t.range.name);
    ddb_table_clear(&t);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_PARSE);
        assert_non_null(strstr(err.msg, "DescribeTable"));
        tpd_err_clear(&err);
    }
    /* Request shape. */
    char h[256];
    assert_string_equal(
        ft_header(ft, 0, "X-Amz-Target", h, sizeof(h)), "DynamoDB_20120810.DescribeTable");
    assert_string_equal(
        ft_header(ft, 0, "Content-Type", h, sizeof(h)), "application/x-amz-json-1.0");
    assert_string_equal(ft_header(ft, 0, "Host", h, sizeof(h)), "fake.invalid");
    assert_non_null(strstr(
        ft_header(ft, 0, "Authorization", h, sizeof(h)),
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target,"));
    assert_string_equal(ft->reqs[0].body, "{\"TableName\":\"t\"}");
    aws_client_free(c);
    ft_free(ft);
}

static const char *STACK_XML =
    "<DescribeStacksResponse "
    "xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult>"
    "<Stacks><member><StackId>arn:aws:cloudformation:us-east-1:1:stack/s/uuid</"
    "StackId><StackName>s</StackName>"
    "<CreationTime>2026-11-23T05:05:12.498298Z</"
    "CreationTime><LastUpdatedTime>2026-11-23T06:00:00Z</LastUpdatedTime>"
    "<StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus><StackStatusReason>bad "
    "things</StackStatusReason>"
    "<Outputs><member><OutputKey>TableArn</OutputKey><OutputValue>arn:t</"
    "OutputValue><ExportName>exp</ExportName>"
    "</member><member><OutputKey>Name</OutputKey><OutputValue>t</OutputValue></member></Outputs>"
    "<Tags><member><Key>a</Key><Value>1</Value></member></Tags></member></Stacks></"
    "DescribeStacksResult>"
    "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>";

/* Indexes, stream, encryption, class, on-demand limits and replicas from DescribeTable;
 * the new calls' requests and answers. */
static void test_ddb_table_features(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft);
    ft_push(
        ft,
        200,
        "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"UPDATING\","
        "\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"r\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\","
        "\"AttributeType\":\"B\"},{\"AttributeName\":\"l\",\"AttributeType\":\"N\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"by_g\",\"KeySchema\":[{"
        "\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\","
        "\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\","
        "\"NonKeyAttributes\":[\"x\",\"y\"]},\"IndexStatus\":\"CREATING\",\"Backfilling\":"
        "true,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":3,\"WriteCapacityUnits\":4},"
        "\"OnDemandThroughput\":{\"MaxReadRequestUnits\":-1,\"MaxWriteRequestUnits\":9}},"
        "{\"KeySchema\":[]}],"
        "\"LocalSecondaryIndexes\":[{\"IndexName\":\"by_l\",\"KeySchema\":[{"
        "\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\","
        "\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
        "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"},"
        "\"LatestStreamArn\":\"arn:s\",\"SSEDescription\":{\"Status\":\"ENABLED\","
        "\"SSEType\":\"KMS\",\"KMSMasterKeyArn\":\"arn:k\"},\"TableClassSummary\":{"
        "\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\"},\"OnDemandThroughput\":{"
        "\"MaxReadRequestUnits\":100,\"MaxWriteRequestUnits\":-1},\"Replicas\":[{"
        "\"RegionName\":\"eu-west-1\"},{\"RegionName\":\"us-west-2\"}]}}");
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    assert_int_equal(t.gsi_count, 1); /* the entry without a name is skipped */
    const struct ddb_index *g = &t.gsis[0];
    assert_string_equal(g->name, "by_g");
    assert_string_equal(g->hash.type, "B");
    assert_string_equal(g->range.name, "r");
    assert_string_equal(g->projection_type, "INCLUDE");
    assert_int_equal(g->non_key_count, 2);
    assert_string_equal(g->status, "CREATING");
    assert_true(g->backfilling);
    assert_int_equal(g->read_capacity, 3);
    assert_int_equal(g->on_demand_read, 0); /* -1: no limit */
    assert_int_equal(g->on_demand_write, 9);
    assert_int_equal(t.lsi_count, 1);
    assert_string_equal(t.lsis[0].range.type, "N");
    assert_true(t.stream_enabled);
    assert_string_equal(t.stream_view_type, "NEW_IMAGE");
    assert_string_equal(t.stream_arn, "arn:s");
    assert_string_equal(t.sse_kms_key_arn, "arn:k");
    assert_string_equal(t.table_class, "STANDARD_INFREQUENT_ACCESS");
    assert_int_equal(t.on_demand_read, 100);
    assert_int_equal(t.on_demand_write, 0);
    assert_string_equal(t.replicas, "eu-west-1, us-west-2");
    ddb_table_clear(&t);

    /* UpdateTable with every member. */
    ft_push(ft, 200, "{}");
    const char *nka[] = {"x"};
    struct ddb_gsi_update u[] = {
        {.action = DDB_GSI_CREATE,
         .name = "by_g",
         .hash_name = "g",
         .range_name = "r",
         .projection_type = "INCLUDE",
         .non_key = nka,
         .non_key_count = 1,
         .read_capacity = 2,
         .write_capacity = 3},
        {.action = DDB_GSI_DELETE, .name = "old"},
        {.action = DDB_GSI_UPDATE, .name = "keep", .read_capacity = 5, .write_capacity = 6},
    };
    struct ddb_attr_def defs[] = {{"h", "S"}, {"g", "B"}};
    struct ddb_update_table_input in = {
        .name = "t",
        .stream = DDB_TRUE,
        .stream_view_type = "KEYS_ONLY",
        .sse = DDB_TRUE,
        .sse_kms_key = "arn:k",
        .table_class = "STANDARD",
        .on_demand = true,
        .on_demand_read = -1,
        .on_demand_write = 7,
        .gsi_updates = u,
        .gsi_update_count = 3,
        .attr_defs = defs,
        .attr_def_count = 2,
    };
    assert_int_equal(ddb_update_table(c, &in, &err), TPD_OK);
    const char *body = ft->reqs[1].body;
    assert_non_null(strstr(
        body,
        "\"StreamSpecification\":{\"StreamEnabled\":true,"
        "\"StreamViewType\":\"KEYS_ONLY\"}"));
    assert_non_null(strstr(
        body,
        "\"SSESpecification\":{\"Enabled\":true,\"SSEType\":\"KMS\","
        "\"KMSMasterKeyId\":\"arn:k\"}"));
    assert_non_null(strstr(body, "\"TableClass\":\"STANDARD\""));
    assert_non_null(strstr(body, "\"MaxReadRequestUnits\":-1"));
    assert_non_null(strstr(body, "{\"Delete\":{\"IndexName\":\"old\"}}"));
    assert_non_null(strstr(body, "\"Update\":{\"IndexName\":\"keep\",\"ProvisionedThroughput\""));
    assert_non_null(strstr(body, "\"NonKeyAttributes\":[\"x\"]"));
    assert_non_null(strstr(body, "{\"AttributeName\":\"g\",\"AttributeType\":\"B\"}"));
    struct ddb_update_table_input off = {.name = "t", .stream = DDB_FALSE, .sse = DDB_FALSE};
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_update_table(c, &off, &err), TPD_OK);
    assert_string_equal(
        ft->reqs[2].body,
        "{\"TableName\":\"t\",\"StreamSpecification\":{\"StreamEnabled\":false},"
        "\"SSESpecification\":{\"Enabled\":false}}");

    /* Contributor insights, resource policy, Kinesis destinations. */
    ft_push(
        ft,
        200,
        "{\"ContributorInsightsStatus\":\"ENABLED\",\"ContributorInsightsMode\":"
        "\"THROTTLED_KEYS\"}");
    struct ddb_contributor_insights ci;
    assert_int_equal(ddb_describe_contributor_insights(c, "t", "by_g", &ci, &err), TPD_OK);
    assert_string_equal(ci.status, "ENABLED");
    assert_string_equal(ci.mode, "THROTTLED_KEYS");
    ddb_contributor_insights_clear(&ci);
    assert_string_equal(ft->reqs[3].body, "{\"TableName\":\"t\",\"IndexName\":\"by_g\"}");
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_update_contributor_insights(c, "t", NULL, false, &err), TPD_OK);
    assert_non_null(strstr(ft->reqs[4].body, "\"ContributorInsightsAction\":\"DISABLE\""));
    ft_push(
        ft,
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#PolicyNotFoundException\",\"message\":"
        "\"none\"}");
    bool present = true;
    assert_int_equal(ddb_get_resource_policy(c, "arn:t", &present, &err), TPD_OK);
    assert_false(present);
    ft_push(ft, 200, "{\"Policy\":\"{}\",\"RevisionId\":\"1\"}");
    assert_int_equal(ddb_get_resource_policy(c, "arn:t", &present, &err), TPD_OK);
    assert_true(present);
    ft_push(
        ft,
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\",\"message\":"
        "\"no\"}");
    assert_int_equal(ddb_get_resource_policy(c, "arn:t", &present, &err), TPD_E_AWS);
    tpd_err_clear(&err);
    ft_push(
        ft,
        200,
        "{\"KinesisDataStreamDestinations\":[{\"StreamArn\":\"arn:a\",\"DestinationStatus\":"
        "\"ACTIVE\"},{\"StreamArn\":\"arn:b\",\"DestinationStatus\":\"DISABLED\"},{"
        "\"StreamArn\":\"arn:c\",\"DestinationStatus\":\"ENABLING\"}]}");
    char *streams = NULL;
    assert_int_equal(ddb_describe_kinesis_streaming_destination(c, "t", &streams, &err), TPD_OK);
    assert_string_equal(streams, "arn:a (ACTIVE), arn:c (ENABLING)");
    free(streams);
    ft_push(ft, 200, "{\"KinesisDataStreamDestinations\":[]}");
    assert_int_equal(ddb_describe_kinesis_streaming_destination(c, "t", &streams, &err), TPD_OK);
    assert_null(streams);

    /* The readers and writers of issue 25's properties. */
    ft_push(ft, 200, "{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\"}\",\"RevisionId\":\"1\"}");
    char *doc = NULL;
    assert_int_equal(ddb_read_resource_policy(c, "arn:t", &doc, &err), TPD_OK);
    assert_string_equal(doc, "{\"Version\":\"2012-10-17\"}");
    free(doc);
    ft_push(
        ft,
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#PolicyNotFoundException\",\"message\":"
        "\"none\"}");
    assert_int_equal(ddb_read_resource_policy(c, "arn:t", &doc, &err), TPD_OK);
    assert_null(doc);
    ft_push(
        ft,
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#PolicyNotFoundException\",\"message\":"
        "\"none\"}");
    assert_int_equal(ddb_delete_resource_policy(c, "arn:t", &err), TPD_OK); /* already gone */
    ft_push(ft, 200, "{\"RevisionId\":\"2\"}");
    assert_int_equal(ddb_put_resource_policy(c, "arn:t", "{}", &err), TPD_OK);
    assert_string_equal(
        ft->reqs[ft->req_count - 1].body, "{\"ResourceArn\":\"arn:t\",\"Policy\":\"{}\"}");
    ft_push(
        ft,
        200,
        "{\"KinesisDataStreamDestinations\":[{\"StreamArn\":\"arn:a\",\"DestinationStatus\":"
        "\"ACTIVE\",\"ApproximateCreationDateTimePrecision\":\"MICROSECOND\"},{"
        "\"DestinationStatus\":"
        "\"ACTIVE\"}]}");
    struct ddb_kinesis_dest *dests = NULL;
    size_t nd = 0;
    assert_int_equal(ddb_read_kinesis_destinations(c, "t", &dests, &nd, &err), TPD_OK);
    assert_int_equal(nd, 1); /* an entry without StreamArn is skipped */
    assert_string_equal(dests[0].arn, "arn:a");
    assert_string_equal(dests[0].status, "ACTIVE");
    assert_string_equal(dests[0].precision, "MICROSECOND");
    ddb_kinesis_dests_free(dests, nd);
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_enable_kinesis_destination(c, "t", "arn:a", NULL, &err), TPD_OK);
    assert_string_equal(
        ft->reqs[ft->req_count - 1].body, "{\"TableName\":\"t\",\"StreamArn\":\"arn:a\"}");
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_update_kinesis_destination(c, "t", "arn:a", "MICROSECOND", &err), TPD_OK);
    assert_non_null(strstr(
        ft->reqs[ft->req_count - 1].body,
        "\"UpdateKinesisStreamingConfiguration\":{\"ApproximateCreationDateTimePrecision\":"
        "\"MICROSECOND\"}"));
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_update_continuous_backups(c, "t", true, 7, &err), TPD_OK);
    assert_non_null(strstr(ft->reqs[ft->req_count - 1].body, "\"RecoveryPeriodInDays\":7"));
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_update_continuous_backups(c, "t", false, 7, &err), TPD_OK);
    assert_null(strstr(ft->reqs[ft->req_count - 1].body, "RecoveryPeriodInDays"));
    ft_push(ft, 200, "{}");
    struct ddb_update_table_input warm = {.name = "t", .warm_read = 15000};
    assert_int_equal(ddb_update_table(c, &warm, &err), TPD_OK);
    assert_string_equal(
        ft->reqs[ft->req_count - 1].body,
        "{\"TableName\":\"t\",\"WarmThroughput\":{\"ReadUnitsPerSecond\":15000}}");
    aws_client_free(c);
    ft_free(ft);
}

static void test_cfn_parse(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft);
    struct tpd_err err;
    tpd_err_init(&err);
    ft_push(ft, 200, STACK_XML);
    struct cfn_stack s;
    assert_int_equal(cfn_describe_stack(c, "s", &s, &err), TPD_OK);
    assert_string_equal(s.status, "UPDATE_ROLLBACK_COMPLETE");
    assert_string_equal(s.status_reason, "bad things");
    assert_int_equal(s.last_updated_time_s - s.creation_time_s, 3288);
    assert_int_equal(s.output_count, 2);
    assert_string_equal(s.outputs[0].export_name, "exp");
    assert_null(s.outputs[1].export_name);
    assert_int_equal(s.tag_count, 1);
    cfn_stack_clear(&s);
    assert_string_equal(ft->reqs[0].body, "Action=DescribeStacks&Version=2010-05-15&StackName=s");

    ft_push(
        ft,
        400,
        "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with "
        "id s "
        "does not exist</Message></Error><RequestId>x</RequestId></ErrorResponse>");
    assert_int_equal(cfn_describe_stack(c, "s", &s, &err), TPD_E_NOT_FOUND);
    assert_string_equal(err.aws_code, "ValidationError");
    tpd_err_clear(&err);
    ft_push(ft, 200, "<DescribeStacksResponse><Wrong/></DescribeStacksResponse>");
    assert_int_equal(cfn_describe_stack(c, "s", &s, &err), TPD_E_PARSE);
    tpd_err_clear(&err);
    ft_push(ft, 200, "<DescribeStacksResponse><DescribeStacksResult><Stacks><mem");
    assert_int_equal(cfn_describe_stack(c, "s", &s, &err), TPD_E_PARSE);
    assert_non_null(strstr(err.msg, "DescribeStacks"));
    tpd_err_clear(&err);

    /* Paginated DescribeChangeSet. */
    ft_push(
        ft,
        200,
        "<DescribeChangeSetResponse><DescribeChangeSetResult><Status>CREATE_COMPLETE</Status>"
        "<ExecutionStatus>AVAILABLE</ExecutionStatus><ChangeSetId>cs-arn</"
        "ChangeSetId><Changes><member>"
        "<Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Table"
        "</LogicalResourceId><ResourceType>AWS::DynamoDB::Table</ResourceType><Replacement>True"
        "</Replacement></ResourceChange></member></Changes><NextToken>p2</NextToken>"
        "</DescribeChangeSetResult></DescribeChangeSetResponse>");
    ft_push(
        ft,
        200,
        "<DescribeChangeSetResponse><DescribeChangeSetResult><Status>CREATE_COMPLETE</Status>"
        "<Changes><member><ResourceChange><Action>Add</Action><LogicalResourceId>Other"
        "</LogicalResourceId></ResourceChange></member></Changes></DescribeChangeSetResult>"
        "</DescribeChangeSetResponse>");
    struct cfn_change_set cs;
    size_t before = ft->req_count;
    assert_int_equal(cfn_describe_change_set(c, "s", "cs", &cs, &err), TPD_OK);
    assert_int_equal(cs.change_count, 2);
    assert_string_equal(cs.changes[0].replacement, "True");
    assert_string_equal(cs.changes[1].action, "Add");
    assert_null(cs.changes[1].replacement);
    assert_non_null(strstr(ft->reqs[before + 1].body, "NextToken=p2"));
    cfn_change_set_clear(&cs);

    assert_true(cfn_change_set_is_empty(
        "FAILED",
        "The submitted information didn't contain changes. Submit "
        "different information to create a change set."));
    assert_true(cfn_change_set_is_empty("FAILED", "No updates are to be performed."));
    assert_false(cfn_change_set_is_empty("FAILED", "Template format error"));
    assert_false(cfn_change_set_is_empty("CREATE_COMPLETE", "didn't contain changes"));
    assert_false(cfn_change_set_is_empty(NULL, NULL));

    /* ListImports: "not imported" is an empty list; a real answer is parsed. */
    ft_push(
        ft,
        400,
        "<ErrorResponse><Error><Code>ValidationError</Code><Message>Export 'e' is not imported by "
        "any "
        "stack.</Message></Error></ErrorResponse>");
    char **names = NULL;
    size_t n = 9;
    assert_int_equal(cfn_list_imports(c, "e", &names, &n, &err), TPD_OK);
    assert_int_equal(n, 0);
    cfn_strv_free(names);
    ft_push(
        ft,
        200,
        "<ListImportsResponse><ListImportsResult><Imports><member>s2</member><member>s3</member>"
        "</Imports></ListImportsResult></ListImportsResponse>");
    assert_int_equal(cfn_list_imports(c, "e", &names, &n, &err), TPD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[1], "s3");
    assert_null(names[2]);
    cfn_strv_free(names);
    aws_client_free(c);
    ft_free(ft);
}

static void test_failure_reasons(void **state) {
    (void)state;
    /* Newest first. The timestamps lie (a skewed clock): matching must not use them.
     * The events point at literals: they are only read, never freed (no cfn_events_clear). */
#define EV(lid_, type_, status_, reason_, tok_, ts_)                                               \
    {                                                                                              \
        .logical_id = (char *)(lid_), .resource_type = (char *)(type_),                            \
        .status = (char *)(status_), .reason = (char *)(reason_),                                  \
        .client_request_token = (char *)(tok_), .timestamp_s = (ts_)                               \
    }
    struct cfn_event v[] = {
        EV("s", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", NULL, "tok-2", 100),
        EV("Table",
           "AWS::DynamoDB::Table",
           "UPDATE_FAILED",
           "Resource handler returned message: \"boom\"",
           "tok-2",
           900),
        EV("s", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated", "tok-2", 300),
        EV("Table", "AWS::DynamoDB::Table", "CREATE_FAILED", "older failure", "tok-1", 200),
        EV("s", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated", "tok-1", 999),
    };
#undef EV
    struct cfn_events ev = {v, 5};
    char *text = NULL;
    /* No token: the latest operation (since its "User Initiated" start). */
    assert_int_equal(cfn_failure_reasons_from_events(&ev, NULL, &text), TPD_OK);
    assert_string_equal(
        text,
        "Table (AWS::DynamoDB::Table) UPDATE_FAILED: Resource handler returned message: \"boom\"");
    free(text);
    /* By token: exactly that operation's reasons, whatever the timestamps say. */
    assert_int_equal(cfn_failure_reasons_from_events(&ev, "tok-1", &text), TPD_OK);
    assert_string_equal(text, "Table (AWS::DynamoDB::Table) CREATE_FAILED: older failure");
    free(text);
    assert_int_equal(cfn_failure_reasons_from_events(&ev, "tok-2", &text), TPD_OK);
    assert_null(strstr(text, "older failure"));
    assert_non_null(strstr(text, "boom"));
    free(text);
    assert_int_equal(cfn_failure_reasons_from_events(&ev, "tok-3", &text), TPD_OK);
    assert_string_equal(text, "");
    free(text);
}

/* Shared config files: duplicate sections merge into one, a key set twice keeps the
 * last value (also across the merged sections), nested settings become "a.b", and a
 * file with many keys and sections parses with every lookup right. */
static void test_ini_merge_and_many_keys(void **state) {
    (void)state;
    const char *text = "[profile a]\nregion = us-east-1\nk = 1\n"
                       "[default]\nregion = eu-west-1\n"
                       "[profile   a]\nk = 2\ns3 =\n  max = 5\n  min = 1\nz =\n"
                       "[empty]\n";
    struct aws_ini *ini = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(aws_ini_parse(tpd_span_cstr(text), "cfg", &ini, &err), TPD_OK);
    assert_int_equal(ini->count, 3);
    const struct aws_ini_section *a = aws_ini_section(ini, "profile a");
    assert_non_null(a);
    assert_string_equal(aws_ini_get(a, "region"), "us-east-1");
    assert_string_equal(aws_ini_get(a, "k"), "2");
    assert_string_equal(aws_ini_get(a, "s3"), "");
    assert_string_equal(aws_ini_get(a, "s3.max"), "5");
    assert_string_equal(aws_ini_get(a, "s3.min"), "1");
    assert_string_equal(aws_ini_get(a, "z"), "");
    assert_null(aws_ini_get(a, "max"));
    assert_string_equal(aws_ini_get(aws_ini_section(ini, "default"), "region"), "eu-west-1");
    assert_non_null(aws_ini_section(ini, "empty"));
    assert_int_equal(aws_ini_section(ini, "empty")->count, 0);
    assert_null(aws_ini_section(ini, "profile b"));
    aws_ini_free(ini);

    enum { SECTIONS = 2000, KEYS = 20000 };
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    assert_int_equal(tpd_buf_append_cstr(&b, "[big]\n"), TPD_OK);
    for (int i = 0; i < KEYS; i++) {
        assert_int_equal(tpd_buf_printf(&b, "key%d = v%d\n", i, i), TPD_OK);
    }
    for (int i = 0; i < SECTIONS; i++) {
        assert_int_equal(tpd_buf_printf(&b, "[s%d]\nkey = %d\n", i, i), TPD_OK);
    }
    assert_int_equal(tpd_buf_append_cstr(&b, "[big]\nkey7 = again\n"), TPD_OK);
    assert_int_equal(aws_ini_parse(tpd_buf_span(&b), "big", &ini, &err), TPD_OK);
    tpd_buf_clear(&b);
    assert_int_equal(ini->count, SECTIONS + 1);
    const struct aws_ini_section *big = aws_ini_section(ini, "big");
    assert_int_equal(big->count, KEYS);
    char k[32], v[32];
    for (int i = 0; i < KEYS; i += 997) {
        snprintf(k, sizeof(k), "key%d", i);
        snprintf(v, sizeof(v), "v%d", i);
        assert_string_equal(aws_ini_get(big, k), v);
    }
    assert_string_equal(aws_ini_get(big, "key7"), "again");
    for (int i = 0; i < SECTIONS; i += 101) {
        snprintf(k, sizeof(k), "s%d", i);
        snprintf(v, sizeof(v), "%d", i);
        assert_string_equal(aws_ini_get(aws_ini_section(ini, k), "key"), v);
    }
    aws_ini_free(ini);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini_merge_and_many_keys),
        cmocka_unit_test(test_xml_tree),
        cmocka_unit_test(test_xml_malformed),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_xml_errors),
        cmocka_unit_test(test_query_serialisation),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_ddb_describe_table),
        cmocka_unit_test(test_ddb_table_features),
        cmocka_unit_test(test_cfn_parse),
        cmocka_unit_test(test_failure_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
