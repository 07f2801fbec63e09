/*
 * Out of memory, allocation by allocation (the torture tests of curl and SQLite): each
 * scenario (a parser, or a client built and called over the scripted transport) is run
 * once to learn its result, then again failing its 1st allocation, its 2nd, ... until a
 * run completes without an injected failure. Every run must return either the
 * scenario's own result, identical down to the data read, or TPD_E_NOMEM: never a
 * crash, never "absent", "not found" or a shorter list because a copy failed. Leaks and
 * invalid accesses are caught by the ASan build and valgrind, which run this test too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_client.h"
#include "aws_endpoint.h"
#include "aws_errors.h"
#include "aws_ini.h"
#include "aws_paginate.h"
#include "aws_xml.h"
#include "cfn.h"
#include "ddb.h"
#include "fake_transport.h"
#include "test_pki.h"
#include "test_util.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

/* What one run produced: its code and a rendering of the data it returned (made with
 * libc only, so that rendering never meets an injected failure). */
struct outcome {
    enum tpd_code rc;
    char *text;
    size_t len;
    FILE *f;
};

static void out_open(struct outcome *o) {
    memset(o, 0, sizeof(*o));
    o->f = open_memstream(&o->text, &o->len);
    assert_non_null(o->f);
}

static void out_close(struct outcome *o) {
    fclose(o->f);
    o->f = NULL;
}

#define S(x) ((x) ? (x) : "(null)")

typedef void(scenario_fn)(struct outcome *o);

static int g_bad;

/* Adds the runs that went wrong to g_bad (checked at the end of each test). */
static void run(const char *name, scenario_fn *fn) {
    struct outcome base;
    out_open(&base);
    tpd_alloc_fail_at(0, false);
    fn(&base);
    out_close(&base);
    unsigned long n = 1;
    int bad = 0;
    for (;; n++) {
        struct outcome o;
        out_open(&o);
        tpd_alloc_fail_at(n, false);
        fn(&o);
        bool injected = tpd_alloc_failed();
        tpd_alloc_fail_at(0, false);
        out_close(&o);
        bool same = o.rc == base.rc && strcmp(o.text, base.text) == 0;
        if (!injected) {
            assert_true(same); /* past the last allocation: the normal run again */
            free(o.text);
            break;
        }
        if (o.rc != TPD_E_NOMEM && !same) {
            print_message(
                "%s: failing allocation %lu gave %s instead of %s or E_NOMEM:\n  got  %s\n  want "
                "%s\n",
                name,
                n,
                tpd_code_name(o.rc),
                tpd_code_name(base.rc),
                o.text,
                base.text);
            bad++;
        }
        free(o.text);
    }
    print_message(
        "%s: %s, %lu allocations each failed in turn\n", name, tpd_code_name(base.rc), n - 1);
    free(base.text);
    g_bad += bad;
}

/* ---- parsers --------------------------------------------------------------------- */

static void s_ini(struct outcome *o) {
    const char *text = "[default]\nregion = us-east-1\n[profile a]\nk = 1\ns3 =\n  max = 5\n"
                       "[profile a]\nk = 2\n";
    struct aws_ini *ini = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    o->rc = aws_ini_parse(tpd_span_cstr(text), "cfg", &ini, &err);
    if (!o->rc) {
        for (size_t i = 0; i < ini->count; i++) {
            fprintf(o->f, "[%s]", ini->sections[i].name);
            for (size_t k = 0; k < ini->sections[i].count; k++) {
                fprintf(o->f, "%s=%s;", ini->sections[i].kv[k].key, ini->sections[i].kv[k].value);
            }
        }
    }
    aws_ini_free(ini);
    tpd_err_clear(&err);
}

static void s_xml(struct outcome *o) {
    const char *text = "<A><B>one</B><C><member>x</member><member>y</member></C></A>";
    struct aws_xml_node *root = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    o->rc = aws_xml_parse(tpd_span_cstr(text), &root, &err);
    if (!o->rc) {
        fprintf(o->f, "%s %s", S(aws_xml_text(root, "B")), S(aws_xml_text(root, "C/member")));
    }
    aws_xml_free(root);
    tpd_err_clear(&err);
}

static void s_errors(struct outcome *o) {
    struct tpd_err err;
    tpd_err_init(&err);
    enum tpd_code a = aws_error_from_json(
        "DescribeTable",
        400,
        tpd_span_cstr("{\"__type\":\"x#ResourceNotFoundException\",\"message\":\"gone\"}"),
        "req-1",
        &err);
    fprintf(o->f, "%s %s %s;", tpd_code_name(a), S(err.aws_code), S(err.request_id));
    tpd_err_clear(&err);
    enum tpd_code b = aws_error_from_query_xml(
        "DescribeStacks",
        400,
        tpd_span_cstr("<ErrorResponse><Error><Code>Throttling</Code><Message>slow</Message>"
                      "</Error><RequestId>r2</RequestId></ErrorResponse>"),
        NULL,
        &err);
    fprintf(o->f, "%s %s %s", tpd_code_name(b), S(err.aws_code), S(err.request_id));
    tpd_err_clear(&err);
    /* The codes must survive: NOMEM may replace them, nothing else. */
    o->rc = (a == TPD_E_NOMEM || b == TPD_E_NOMEM) ? TPD_E_NOMEM : TPD_OK;
    if (!o->rc && (a != TPD_E_NOT_FOUND || b != TPD_E_THROTTLED)) {
        o->rc = TPD_E_INTERNAL;
    }
}

static void s_endpoints(struct outcome *o) {
    char *ep = NULL;
    o->rc = aws_endpoint_default("dynamodb", "cn-north-1", AWS_ENDPOINT_FIPS, &ep, NULL);
    fprintf(o->f, "%s", S(ep));
    free(ep);
}

/* ---- the client over the scripted transport ---------------------------------------- */

static struct fake_transport *g_ft;

/* A client over a fresh transport scripted with the given answers (status, body). */
static struct aws_client *s_client(const char *const *answers, size_t n, enum tpd_code *rc) {
    g_ft = ft_new();
    for (size_t i = 0; i < n; i++) {
        ft_push(g_ft, 200, answers[i]);
    }
    struct aws_client_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.region = "us-east-1";
    opt.access_key = "AKID";
    opt.secret_key = "secret";
    opt.session_token = "token";
    opt.endpoint_dynamodb = "http://fake.invalid";
    opt.endpoint_cloudformation = "http://fake.invalid";
    opt.endpoint_sts = "http://fake.invalid";
    opt.transport = &g_ft->base;
    opt.skip_instance_metadata = true;
    opt.shared_credentials_file = "/nonexistent/tpd/credentials";
    opt.shared_config_file = "/nonexistent/tpd/config";
    opt.max_attempts = 1;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&opt, &err);
    *rc = c ? TPD_OK : err.code;
    tpd_err_clear(&err);
    return c;
}

static void s_done(struct aws_client *c) {
    aws_client_free(c);
    ft_free(g_ft);
    g_ft = NULL;
}

#define CLIENT(o, ...)                                                                             \
    const char *const answers_[] = {__VA_ARGS__};                                                  \
    struct aws_client *c = s_client(answers_, sizeof(answers_) / sizeof(answers_[0]), &(o)->rc);   \
    if (!c) {                                                                                      \
        ft_free(g_ft);                                                                             \
        return;                                                                                    \
    }                                                                                              \
    struct tpd_err err;                                                                            \
    tpd_err_init(&err)

static void s_ddb_table(struct outcome *o) {
    CLIENT(
        o,
        "{\"Table\":{\"TableName\":\"t\",\"TableArn\":\"arn:t\",\"TableStatus\":\"ACTIVE\","
        "\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\","
        "\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"h\","
        "\"AttributeType\":\"S\"},{\"AttributeName\":\"r\",\"AttributeType\":\"N\"}]}}",
        "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"ENABLED\",\"AttributeName\":\"exp\"}}");
    struct ddb_table t;
    o->rc = ddb_describe_table(c, "t", &t, &err);
    if (!o->rc) {
        fprintf(
            o->f,
            "%s %s %s %s:%s %s:%s %s;",
            S(t.name),
            S(t.arn),
            S(t.status),
            S(t.hash.name),
            S(t.hash.type),
            S(t.range.name),
            S(t.range.type),
            S(t.billing_mode));
        ddb_table_clear(&t);
        struct ddb_ttl ttl;
        o->rc = ddb_describe_time_to_live(c, "t", &ttl, &err);
        if (!o->rc) {
            fprintf(o->f, "%s %s", S(ttl.status), S(ttl.attribute));
            ddb_ttl_clear(&ttl);
        }
    }
    tpd_err_clear(&err);
    s_done(c);
}

static void s_ddb_tags(struct outcome *o) {
    CLIENT(
        o,
        "{\"Tags\":[{\"Key\":\"b\",\"Value\":\"2\"},{\"Key\":\"a\",\"Value\":\"\"}],"
        "\"NextToken\":\"p2\"}",
        "{\"Tags\":[{\"Key\":\"c\",\"Value\":\"3\"}]}");
    struct ddb_tags tags;
    o->rc = ddb_list_tags_of_resource(c, "arn:t", &tags, &err);
    for (size_t i = 0; !o->rc && i < tags.count; i++) {
        fprintf(o->f, "%s=%s;", S(tags.v[i].key), S(tags.v[i].value));
    }
    if (!o->rc) {
        ddb_tags_clear(&tags);
    }
    tpd_err_clear(&err);
    s_done(c);
}

static void s_ddb_scan(struct outcome *o) {
    CLIENT(
        o,
        "{\"Count\":2,\"Items\":[{\"pk\":{\"S\":\"b\"}},{\"pk\":{\"S\":\"a\"}}],"
        "\"LastEvaluatedKey\":{\"pk\":{\"S\":\"a\"}}}",
        "{\"Count\":1,\"Items\":[{\"pk\":{\"S\":\"c\"}}]}");
    int64_t n = 0;
    char *items = NULL;
    o->rc = ddb_scan(c, "t", &n, &items, &err);
    fprintf(o->f, "%lld %s", (long long)n, S(items));
    free(items);
    tpd_err_clear(&err);
    s_done(c);
}

static void s_ddb_not_found(struct outcome *o) {
    g_ft = ft_new();
    ft_push(
        g_ft,
        400,
        "{\"__type\":\"x#ResourceNotFoundException\",\"message\":\"Requested resource not "
        "found\"}");
    struct aws_client_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.region = "us-east-1";
    opt.access_key = "AKID";
    opt.secret_key = "secret";
    opt.endpoint_dynamodb = "http://fake.invalid";
    opt.transport = &g_ft->base;
    opt.skip_instance_metadata = true;
    opt.shared_credentials_file = "/nonexistent/tpd/credentials";
    opt.shared_config_file = "/nonexistent/tpd/config";
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&opt, &err);
    o->rc = c ? TPD_OK : err.code;
    if (c) {
        struct ddb_table t;
        o->rc = ddb_describe_table(c, "t", &t, &err);
        fprintf(o->f, "%s", S(err.aws_code));
    }
    tpd_err_clear(&err);
    s_done(c);
}

static const char *STACK =
    "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>id</StackId>"
    "<StackName>s</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>"
    "<StackStatusReason>why</StackStatusReason><Outputs><member><OutputKey>K</OutputKey>"
    "<OutputValue></OutputValue><ExportName>e</ExportName></member></Outputs><Tags><member>"
    "<Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value></Value></member></Tags>"
    "</member></Stacks></DescribeStacksResult></DescribeStacksResponse>";

static void s_cfn_stack(struct outcome *o) {
    CLIENT(o, STACK);
    struct cfn_stack s;
    o->rc = cfn_describe_stack(c, "s", &s, &err);
    if (!o->rc) {
        fprintf(o->f, "%s %s %s %s;", S(s.id), S(s.name), S(s.status), S(s.status_reason));
        for (size_t i = 0; i < s.output_count; i++) {
            fprintf(
                o->f,
                "%s=%s/%s;",
                S(s.outputs[i].key),
                S(s.outputs[i].value),
                S(s.outputs[i].export_name));
        }
        for (size_t i = 0; i < s.tag_count; i++) {
            fprintf(o->f, "%s=%s;", S(s.tags[i].key), S(s.tags[i].value));
        }
        cfn_stack_clear(&s);
    }
    tpd_err_clear(&err);
    s_done(c);
}

static void s_cfn_change_set(struct outcome *o) {
    CLIENT(
        o,
        "<R><DescribeChangeSetResult><ChangeSetId>cs</ChangeSetId><Status>CREATE_COMPLETE</Status>"
        "<ExecutionStatus>AVAILABLE</ExecutionStatus><Changes><member><ResourceChange><Action>Add"
        "</Action><LogicalResourceId>T</LogicalResourceId><ResourceType>AWS::DynamoDB::Table"
        "</ResourceType></ResourceChange></member></Changes><NextToken>n2</NextToken>"
        "</DescribeChangeSetResult></R>",
        "<R><DescribeChangeSetResult><Status>CREATE_COMPLETE</Status><Changes><member>"
        "<ResourceChange><Action>Modify</Action><LogicalResourceId>U</LogicalResourceId>"
        "<Replacement>False</Replacement></ResourceChange></member></Changes>"
        "</DescribeChangeSetResult></R>");
    struct cfn_change_set cs;
    o->rc = cfn_describe_change_set(c, "s", "cs", &cs, &err);
    if (!o->rc) {
        fprintf(o->f, "%s %s %s;", S(cs.id), S(cs.status), S(cs.execution_status));
        for (size_t i = 0; i < cs.change_count; i++) {
            fprintf(
                o->f,
                "%s %s %s %s;",
                S(cs.changes[i].action),
                S(cs.changes[i].logical_id),
                S(cs.changes[i].resource_type),
                S(cs.changes[i].replacement));
        }
        cfn_change_set_clear(&cs);
    }
    tpd_err_clear(&err);
    s_done(c);
}

static void s_cfn_events(struct outcome *o) {
    CLIENT(
        o,
        "<R><DescribeStackEventsResult><StackEvents><member><EventId>e2</EventId>"
        "<LogicalResourceId>T</LogicalResourceId><ResourceType>AWS::DynamoDB::Table</ResourceType>"
        "<ResourceStatus>UPDATE_FAILED</ResourceStatus><ResourceStatusReason>no</"
        "ResourceStatusReason>"
        "<ClientRequestToken>tok</ClientRequestToken><Timestamp>2026-01-01T00:00:02Z</Timestamp>"
        "</member></StackEvents><NextToken>n2</NextToken></DescribeStackEventsResult></R>",
        "<R><DescribeStackEventsResult><StackEvents><member><EventId>e1</EventId>"
        "<LogicalResourceId>s</LogicalResourceId><ResourceType>AWS::CloudFormation::Stack"
        "</ResourceType><ResourceStatus>UPDATE_IN_PROGRESS</ResourceStatus>"
        "<ResourceStatusReason>User Initiated</ResourceStatusReason><ClientRequestToken>tok"
        "</ClientRequestToken><Timestamp>2026-01-01T00:00:01Z</Timestamp></member></StackEvents>"
        "</DescribeStackEventsResult></R>");
    char *text = NULL;
    o->rc = cfn_collect_failure_reasons(c, "s", "tok", &text, &err);
    fprintf(o->f, "%s", S(text));
    free(text);
    tpd_err_clear(&err);
    s_done(c);
}

static void s_cfn_lists(struct outcome *o) {
    CLIENT(
        o,
        "<R><ListExportsResult><Exports><member><Name>x</Name><Value></Value><ExportingStackId>s"
        "</ExportingStackId></member></Exports></ListExportsResult></R>",
        "<R><ListImportsResult><Imports><member>s1</member><member>s2</member></Imports>"
        "<NextToken>n</NextToken></ListImportsResult></R>",
        "<R><ListImportsResult><Imports><member>s3</member></Imports></ListImportsResult></R>",
        "<R><GetTemplateResult><TemplateBody>{}</TemplateBody></GetTemplateResult></R>");
    struct cfn_exports ex;
    o->rc = cfn_list_exports(c, &ex, &err);
    if (!o->rc) {
        for (size_t i = 0; i < ex.count; i++) {
            fprintf(
                o->f,
                "%s=%s@%s;",
                S(ex.v[i].name),
                S(ex.v[i].value),
                S(ex.v[i].exporting_stack_id));
        }
        cfn_exports_clear(&ex);
        char **names = NULL;
        size_t n = 0;
        o->rc = cfn_list_imports(c, "x", &names, &n, &err);
        for (size_t i = 0; !o->rc && i <= n; i++) {
            fprintf(o->f, "%s,", S(names[i]));
        }
        cfn_strv_free(names);
    }
    if (!o->rc) {
        char *body = NULL;
        o->rc = cfn_get_template(c, "s", NULL, &body, &err);
        fprintf(o->f, "%s", S(body));
        free(body);
    }
    tpd_err_clear(&err);
    s_done(c);
}

static void s_cfn_create_and_wait(struct outcome *o) {
    CLIENT(
        o,
        "<R><CreateChangeSetResult><Id>arn:cs</Id><StackId>arn:s</StackId></CreateChangeSetResult>"
        "</R>",
        "<R><DescribeStacksResult><Stacks><member><StackId>id</StackId><StackName>s</StackName>"
        "<StackStatus>UPDATE_IN_PROGRESS</StackStatus></member></Stacks></DescribeStacksResult></"
        "R>",
        STACK);
    struct cfn_kv_in tags[] = {{"app", "x"}};
    struct cfn_create_change_set_input in = {
        .stack_name = "s",
        .change_set_name = "cs",
        .type = CFN_CHANGE_SET_UPDATE,
        .template_body = "{}",
        .tags = tags,
        .tag_count = 1,
        .client_token = "tok"};
    char *cs_id = NULL;
    char *stack_id = NULL;
    o->rc = cfn_create_change_set(c, &in, &cs_id, &stack_id, &err);
    fprintf(o->f, "%s %s;", S(cs_id), S(stack_id));
    free(cs_id);
    free(stack_id);
    if (!o->rc) {
        struct aws_wait_options wo = {
            .poll_first = true, .first_delay_ns = 1000, .max_delay_ns = 1000};
        struct cfn_stack fin;
        o->rc = cfn_wait_stack(c, "s", CFN_WAIT_STACK_UPDATE_COMPLETE, &wo, &fin, &err);
        fprintf(o->f, "%s", S(fin.status));
        cfn_stack_clear(&fin);
    }
    tpd_err_clear(&err);
    s_done(c);
}

/* The client's settings from a profile and the environment (region, FIPS, CA bundle,
 * retry mode, proxy). */
static char g_dir_config[512];

static void s_client_settings(struct outcome *o) {
    struct fake_transport *ft = ft_new();
    struct aws_client_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.profile = "p";
    opt.shared_credentials_file = "/nonexistent/tpd/credentials";
    opt.shared_config_file = g_dir_config;
    opt.access_key = "AKID";
    opt.secret_key = "secret";
    opt.transport = &ft->base;
    opt.skip_instance_metadata = true;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&opt, &err);
    o->rc = c ? TPD_OK : err.code;
    if (!c) {
        fprintf(o->f, "error: %s", S(err.msg));
    } else {
        fprintf(
            o->f,
            "%s %s %s",
            aws_client_region(c),
            aws_client_endpoint(c, AWS_SVC_DYNAMODB),
            aws_client_endpoint(c, AWS_SVC_STS));
    }
    aws_client_free(c);
    tpd_err_clear(&err);
    ft_free(ft);
}

/* Endpoints from the environment: the service's own variable before the generic one. */
static void s_client_env_endpoints(struct outcome *o) {
    setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:7", 1);
    s_client_settings(o);
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
    unsetenv("AWS_ENDPOINT_URL");
}

static void s_change_set_body(struct outcome *o) {
    struct cfn_kv_in tags[] = {{"app", "x y"}, {"k=1", "v/2"}};
    struct cfn_kv_in ident[] = {{"TableName", "t"}};
    struct cfn_import_resource imp = {"AWS::DynamoDB::Table", "Table", ident, 1};
    const char *caps[] = {"CAPABILITY_IAM"};
    struct cfn_create_change_set_input in = {
        .stack_name = "s",
        .change_set_name = "cs",
        .type = CFN_CHANGE_SET_IMPORT,
        .template_body = "{\"Resources\":{}}",
        .tags = tags,
        .tag_count = 2,
        .capabilities = caps,
        .capability_count = 1,
        .imports = &imp,
        .import_count = 1,
        .client_token = "tok"};
    struct tpd_buf body;
    tpd_buf_init(&body, 0);
    o->rc = cfn_create_change_set_body(&in, &body, NULL);
    if (!o->rc) {
        fprintf(o->f, "%s", tpd_buf_cstr(&body));
    }
    tpd_buf_clear(&body);
}

static void test_parsers(void **state) {
    (void)state;
    g_bad = 0;
    run("aws_ini_parse", s_ini);
    run("aws_xml_parse", s_xml);
    run("aws_error_from_json/query_xml", s_errors);
    run("aws_endpoint_default", s_endpoints);
    run("cfn_create_change_set_body", s_change_set_body);
    assert_int_equal(g_bad, 0);
}

static void test_client_calls(void **state) {
    (void)state;
    g_bad = 0;
    run("aws_client_new with profile and environment settings", s_client_settings);
    run("aws_client_new with endpoints from the environment", s_client_env_endpoints);
    run("DescribeTable + DescribeTimeToLive", s_ddb_table);
    run("DescribeTable (not found)", s_ddb_not_found);
    run("ListTagsOfResource (2 pages)", s_ddb_tags);
    run("Scan (2 pages)", s_ddb_scan);
    run("DescribeStacks", s_cfn_stack);
    run("DescribeChangeSet (2 pages)", s_cfn_change_set);
    run("DescribeStackEvents (2 pages) + failure reasons", s_cfn_events);
    run("ListExports + ListImports (2 pages) + GetTemplate", s_cfn_lists);
    run("CreateChangeSet + wait for the stack", s_cfn_create_and_wait);
    assert_int_equal(g_bad, 0);
}

static char *g_dir;

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    tpd_log_set_level(TPD_LOG_OFF);
    struct tt_pki pki;
    g_dir = tt_mkdtemp();
    if (!g_dir || tt_pki_make(&pki) != 0) {
        return -1;
    }
    char ca[512], text[1024];
    snprintf(ca, sizeof(ca), "%s/ca.pem", g_dir);
    snprintf(g_dir_config, sizeof(g_dir_config), "%s/config", g_dir);
    snprintf(
        text,
        sizeof(text),
        "[profile p]\nregion = eu-central-1\nuse_fips_endpoint = true\nca_bundle = %s\n"
        "retry_mode = standard\nsts =\n  endpoint_url = http://127.0.0.1:9\n",
        ca);
    int rc = tt_write_file(ca, pki.ca_pem) || tt_write_file(g_dir_config, text);
    tt_pki_clear(&pki);
    setenv("https_proxy", "http://127.0.0.1:3128", 1);
    setenv("AWS_USE_DUALSTACK_ENDPOINT", "true", 1);
    return rc;
}

static int teardown(void **state) {
    (void)state;
    tt_rmtree(g_dir);
    free(g_dir);
    tt_clear_aws_env();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_client_calls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
