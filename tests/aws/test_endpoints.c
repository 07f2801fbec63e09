/*
 * Partitions, region validation and endpoint variants, compared with botocore's
 * partitions.json and endpoint rule sets (tests/aws/endpoints_botocore.py); and how the
 * client takes these settings from its options, the environment and the profile
 * (region check, FIPS and dual-stack endpoints, retry mode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_budget.h"
#include "aws_client.h"
#include "aws_endpoint.h"
#include "test_util.h"

static char *g_dir;
static char g_config[512];

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    g_dir = tt_mkdtemp();
    snprintf(g_config, sizeof(g_config), "%s/config", g_dir);
    return g_dir ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    tt_rmtree(g_dir);
    free(g_dir);
    return 0;
}

static void options(struct aws_client_options *o) {
    memset(o, 0, sizeof(*o));
    o->region = "us-east-1";
    o->access_key = "AKID";
    o->secret_key = "secret";
    o->skip_instance_metadata = true;
    o->shared_credentials_file = "/nonexistent/tpd/credentials";
    o->shared_config_file = g_config;
}

static void write_config(const char *text) {
    assert_int_equal(tt_write_file(g_config, text), 0);
}

/* Every region botocore knows and a few made-up names: same partition as botocore's
 * first matching regionRegex, and the same endpoint for each service and variant. */
static void test_against_botocore(void **state) {
    (void)state;
    char cmd[1024];
    const char *py = getenv("PYTHON") ? getenv("PYTHON") : "python3";
    snprintf(cmd, sizeof(cmd), "%s %s/aws/endpoints_botocore.py", py, TPD_TEST_DATA_DIR);
    FILE *in = popen(cmd, "r");
    assert_non_null(in);
    char line[1024];
    int partitions = 0, endpoints = 0, mismatches = 0;
    while (fgets(line, sizeof(line), in)) {
        line[strcspn(line, "\n")] = '\0';
        char kind[16], a[128], b[128], url[512];
        int fips = 0, dual = 0;
        if (sscanf(line, "partition %127s %127s", a, b) == 2) {
            const char *region = strcmp(a, "\"\"") == 0 ? "" : a;
            const struct aws_partition *p = aws_partition_of(region);
            const char *ours = p ? p->id : "-";
            struct tpd_err err;
            tpd_err_init(&err);
            enum tpd_code rc = aws_region_check(region, &err);
            if (strcmp(ours, b) != 0 || (rc == TPD_OK) != (strcmp(b, "-") != 0)) {
                print_message("partition of \"%s\": ours %s, botocore %s\n", region, ours, b);
                mismatches++;
            }
            if (rc) {
                assert_non_null(strstr(err.msg, "is not an AWS region"));
            }
            tpd_err_clear(&err);
            partitions++;
        } else if (
            sscanf(line, "%15s %127s %127s %d %d %511s", kind, a, b, &fips, &dual, url) == 6 &&
            strcmp(kind, "endpoint") == 0) {
            char *ours = NULL;
            unsigned v = (fips ? AWS_ENDPOINT_FIPS : 0u) | (dual ? AWS_ENDPOINT_DUALSTACK : 0u);
            assert_int_equal(aws_endpoint_default(a, b, v, &ours, NULL), TPD_OK);
            if (strcmp(ours, url) != 0) {
                print_message(
                    "%s %s fips=%d dual=%d: ours %s, botocore %s\n", a, b, fips, dual, ours, url);
                mismatches++;
            }
            free(ours);
            endpoints++;
        } else {
            fail_msg("unexpected line from endpoints_botocore.py: %s", line);
        }
    }
    assert_int_equal(pclose(in), 0);
    print_message("botocore: %d partitions and %d endpoints compared\n", partitions, endpoints);
    assert_true(partitions > 40);
    assert_true(endpoints > 400);
    assert_int_equal(mismatches, 0);
}

/* An unknown region is refused when the client is built, naming where it came from;
 * skip_region_validation lets it through (botocore's fallback: the aws partition). */
static void test_region_validation(void **state) {
    (void)state;
    write_config("[default]\nregion = us-west-2\n");
    struct aws_client_options o;
    options(&o);
    o.region = "mars-1";
    struct tpd_err err;
    tpd_err_init(&err);
    assert_null(aws_client_new(&o, &err));
    assert_int_equal(err.code, TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "region from the configuration"));
    assert_non_null(strstr(err.msg, "\"mars-1\" is not an AWS region"));
    assert_non_null(strstr(err.msg, "skip_region_validation"));
    tpd_err_clear(&err);
    char *r = NULL;
    assert_int_equal(aws_client_resolve_region(&o, &r, &err), TPD_E_INVALID);
    assert_string_equal(r, "mars-1"); /* the region that failed, for the caller's message */
    free(r);
    tpd_err_clear(&err);

    o.skip_region_validation = true;
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_string_equal(
        aws_client_endpoint(c, AWS_SVC_DYNAMODB), "https://dynamodb.mars-1.amazonaws.com");
    aws_client_free(c);
    assert_int_equal(aws_client_resolve_region(&o, &r, &err), TPD_OK);
    assert_string_equal(r, "mars-1");
    free(r);

    o.skip_region_validation = false;
    o.region = NULL;
    setenv("AWS_REGION", "moon-2", 1);
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "region from AWS_REGION"));
    tpd_err_clear(&err);
    unsetenv("AWS_REGION");
    /* No region anywhere. */
    write_config("[default]\n");
    assert_int_equal(aws_client_resolve_region(&o, &r, &err), TPD_E_INVALID);
    assert_null(r);
    assert_non_null(strstr(err.msg, "no AWS region"));
    tpd_err_clear(&err);
    write_config("[default]\nregion = us-west-2\n");
    /* From the profile, valid. */
    assert_int_equal(aws_client_resolve_region(&o, &r, &err), TPD_OK);
    assert_string_equal(r, "us-west-2");
    free(r);
    write_config("[default]\nregion = us-gov-west-1\n");
    c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_string_equal(aws_client_region(c), "us-gov-west-1");
    aws_client_free(c);
}

static void
expect_endpoint(const struct aws_client_options *o, enum aws_service svc, const char *want) {
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(o, &err);
    if (!c) {
        fail_msg("aws_client_new: %s", err.msg);
    }
    assert_string_equal(aws_client_endpoint(c, svc), want);
    aws_client_free(c);
}

/* use_fips_endpoint / use_dualstack_endpoint: option, else environment, else profile;
 * a configured endpoint URL wins over both. */
static void test_endpoint_variants(void **state) {
    (void)state;
    write_config("[default]\nuse_dualstack_endpoint = true\n");
    struct aws_client_options o;
    options(&o);
    expect_endpoint(&o, AWS_SVC_DYNAMODB, "https://dynamodb.us-east-1.api.aws");
    o.use_dualstack_endpoint = AWS_FLAG_FALSE;
    expect_endpoint(&o, AWS_SVC_DYNAMODB, "https://dynamodb.us-east-1.amazonaws.com");
    o.use_fips_endpoint = AWS_FLAG_TRUE;
    expect_endpoint(
        &o, AWS_SVC_CLOUDFORMATION, "https://cloudformation-fips.us-east-1.amazonaws.com");
    expect_endpoint(&o, AWS_SVC_STS, "https://sts-fips.us-east-1.amazonaws.com");
    o.use_fips_endpoint = AWS_FLAG_UNSET;
    o.use_dualstack_endpoint = AWS_FLAG_UNSET;
    setenv("AWS_USE_FIPS_ENDPOINT", "TRUE", 1);
    setenv("AWS_USE_DUALSTACK_ENDPOINT", "false", 1); /* the environment before the profile */
    expect_endpoint(&o, AWS_SVC_DYNAMODB, "https://dynamodb-fips.us-east-1.amazonaws.com");
    o.region = "us-gov-west-1"; /* GovCloud's regular endpoints are its FIPS endpoints */
    expect_endpoint(&o, AWS_SVC_DYNAMODB, "https://dynamodb.us-gov-west-1.amazonaws.com");
    o.region = "cn-north-1";
    setenv("AWS_USE_DUALSTACK_ENDPOINT", "true", 1);
    expect_endpoint(
        &o, AWS_SVC_DYNAMODB, "https://dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn");
    o.endpoint_dynamodb = "http://127.0.0.1:4566";
    expect_endpoint(&o, AWS_SVC_DYNAMODB, "http://127.0.0.1:4566");
    expect_endpoint(&o, AWS_SVC_STS, "https://sts-fips.cn-north-1.api.amazonwebservices.com.cn");
    o.endpoint_dynamodb = NULL;
    /* Anything but true/false is refused, naming the variable. */
    setenv("AWS_USE_FIPS_ENDPOINT", "1", 1);
    struct tpd_err err;
    tpd_err_init(&err);
    assert_null(aws_client_new(&o, &err));
    assert_int_equal(err.code, TPD_E_INVALID);
    assert_string_equal(err.msg, "AWS_USE_FIPS_ENDPOINT must be true or false, not \"1\"");
    tpd_err_clear(&err);
    unsetenv("AWS_USE_FIPS_ENDPOINT");
    unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
    write_config("[default]\nuse_fips_endpoint = yes\n");
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "use_fips_endpoint in the profile must be true or false"));
    tpd_err_clear(&err);
}

/* Whether a client limits an operation after AWS throttled it once: the adaptive mode's
 * request budget (aws_budget.h) does, the standard mode does not. */
static bool limits_after_throttle(struct aws_client *c) {
    struct aws_budget *b = aws_client_budget(c);
    aws_budget_record(b, "dynamodb", "DescribeTable", true, AWS_BUDGET_TICKET_NOW);
    struct aws_budget_op_stats st;
    aws_budget_op(b, "dynamodb", "DescribeTable", &st);
    assert_int_equal(st.throttles, 1);
    return st.rate > 0;
}

/* retry_mode: "adaptive" (the default) and "standard", wherever they come from (the
 * option, AWS_RETRY_MODE, the profile, in that order); legacy is refused with the way out
 * in the message. */
static void test_retry_mode(void **state) {
    (void)state;
    write_config("[default]\nretry_mode = legacy\n");
    struct aws_client_options o;
    options(&o);
    struct tpd_err err;
    tpd_err_init(&err);
    assert_null(aws_client_new(&o, &err));
    assert_int_equal(err.code, TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "retry mode \"legacy\" from the profile is not supported"));
    assert_non_null(strstr(err.msg, "use \"adaptive\""));
    tpd_err_clear(&err);
    setenv("AWS_RETRY_MODE", "fast", 1);
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "retry mode \"fast\" from AWS_RETRY_MODE"));
    tpd_err_clear(&err);
    setenv("AWS_RETRY_MODE", "standard", 1); /* the variable wins over the profile */
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_false(limits_after_throttle(c));
    aws_client_free(c);
    o.retry_mode = "adaptive"; /* the option wins */
    c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_true(limits_after_throttle(c));
    aws_client_free(c);
    unsetenv("AWS_RETRY_MODE");
    write_config("[default]\nregion = us-east-1\n");
    o.retry_mode = NULL; /* nothing set: adaptive */
    c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_true(limits_after_throttle(c));
    aws_client_free(c);
    o.retry_mode = "legacy";
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "from the configuration"));
    tpd_err_clear(&err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_botocore),
        cmocka_unit_test(test_region_validation),
        cmocka_unit_test(test_endpoint_variants),
        cmocka_unit_test(test_retry_mode),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
