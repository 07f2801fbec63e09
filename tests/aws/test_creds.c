/*
 * Credentials: INI parsing, shared files and profiles, environment, the chain's
 * error text, credential_process, container and IMDSv2 endpoints on a loopback
 * fake server, the refreshing cache, STS AssumeRole; region and endpoint rules.
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
#include "aws_creds.h"
#include "aws_endpoint.h"
#include "aws_ini.h"
#include "aws_profile.h"
#include "fake_http_server.h"
#include "fake_transport.h"
#include "test_util.h"

static char *g_dir;

static int setup_each(void **state) {
    (void)state;
    tt_clear_aws_env();
    g_dir = tt_mkdtemp();
    /* Never read the real ~/.aws. */
    setenv("HOME", g_dir, 1);
    return g_dir ? 0 : -1;
}

static int teardown_each(void **state) {
    (void)state;
    tt_rmtree(g_dir);
    free(g_dir);
    tt_clear_aws_env();
    return 0;
}

static char *path_in(const char *leaf) {
    static char p[1024];
    snprintf(p, sizeof(p), "%s/%s", g_dir, leaf);
    return p;
}

static void test_ini_parse(void **state) {
    (void)state;
    const char *text = "# comment\n"
                       "; another\n"
                       "[default]\n"
                       "aws_access_key_id=AKID1\n"
                       "   aws_secret_access_key   =   sec ret#not-a-comment   \n"
                       "\n"
                       "[  profile    dev  ]\r\n"
                       "region = eu-west-3\r\n"
                       "dynamodb =\n"
                       "  endpoint_url = http://127.0.0.1:4566\n"
                       "empty =\n"
                       "[default]\n"
                       "region=us-east-2\n";
    struct aws_ini *ini = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(aws_ini_parse(tpd_span_cstr(text), "cfg", &ini, &err), TPD_OK);
    const struct aws_ini_section *d = aws_ini_section(ini, "default");
    assert_string_equal(aws_ini_get(d, "aws_access_key_id"), "AKID1");
    assert_string_equal(aws_ini_get(d, "aws_secret_access_key"), "sec ret#not-a-comment");
    assert_string_equal(aws_ini_get(d, "region"), "us-east-2");
    const struct aws_ini_section *p = aws_ini_section(ini, "profile dev");
    assert_non_null(p);
    assert_string_equal(aws_ini_get(p, "region"), "eu-west-3");
    assert_string_equal(aws_ini_get(p, "dynamodb.endpoint_url"), "http://127.0.0.1:4566");
    assert_string_equal(aws_ini_get(p, "empty"), "");
    assert_null(aws_ini_get(p, "missing"));
    assert_null(aws_ini_get(NULL, "x"));
    aws_ini_free(ini);

    const char *bad[] = {
        "key = before section\n[a]\n",
        "[a]\njust words\n",
        "[unterminated\nk=v\n",
        "[]\n",
        "[a]\n= value\n"};
    const char *want[] = {
        "cfg:1: setting outside",
        "cfg:2: expected",
        "cfg:1: section header",
        "cfg:1: empty section",
        "cfg:2: empty key"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(aws_ini_parse(tpd_span_cstr(bad[i]), "cfg", &ini, &err), TPD_E_PARSE);
        assert_null(ini);
        if (!strstr(err.msg, want[i])) {
            print_message("got: %s\n", err.msg);
        }
        assert_non_null(strstr(err.msg, want[i]));
        tpd_err_clear(&err);
    }
    assert_int_equal(aws_ini_load(path_in("nope"), &ini, &err), TPD_E_NOT_FOUND);
    tpd_err_clear(&err);
}

static enum tpd_code
get_creds(struct aws_creds_provider *p, struct aws_creds *c, struct tpd_err *err) {
    aws_creds_init(c);
    return aws_creds_get(p, c, err);
}

static void test_profile_files(void **state) {
    (void)state;
    tt_write_file(
        path_in("credentials"),
        "[default]\naws_access_key_id = AK_DEFAULT\naws_secret_access_key = "
        "SK_DEFAULT\n\n[dev]\naws_access_key_id=AK_DEV\naws_secret_access_key=SK_DEV\n"
        "aws_session_token = TOK\n[half]\naws_access_key_id = ONLY\n");
    tt_write_file(
        path_in("config"),
        "[profile cfgonly]\naws_access_key_id=AK_CFG\naws_secret_access_key=SK_CFG\n"
        "region=ap-south-1\n[profile proc]\ncredential_process = printf "
        "'{\"Version\":1,\"AccessKeyId\":\"AK_PROC\",\"SecretAccessKey\":\"SK_PROC\","
        "\"SessionToken\":\"T\",\"Expiration\":\"2099-01-01T00:00:00Z\"}'\n"
        "[profile badproc]\ncredential_process = false\n[profile nokeys]\nregion=x\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in("credentials"), 1);
    setenv("AWS_CONFIG_FILE", path_in("config"), 1);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_creds c;
    struct {
        const char *profile;
        enum tpd_code rc;
        const char *ak;
        const char *msg;
    } cases[] = {
        {NULL, TPD_OK, "AK_DEFAULT", NULL},
        {"dev", TPD_OK, "AK_DEV", NULL},
        {"cfgonly", TPD_OK, "AK_CFG", NULL},
        {"proc", TPD_OK, "AK_PROC", NULL},
        {"half", TPD_E_CREDENTIALS, NULL, "has aws_access_key_id but no aws_secret_access_key"},
        {"badproc", TPD_E_CREDENTIALS, NULL, "credential_process exited with status 1"},
        {"nokeys", TPD_E_NOT_FOUND, NULL, "has no aws_access_key_id"},
        {"ghost", TPD_E_NOT_FOUND, NULL, "profile \"ghost\" not found"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aws_creds_profile_options o = {.profile = cases[i].profile};
        struct aws_creds_provider *p = aws_creds_profile_new(&o);
        enum tpd_code rc = get_creds(p, &c, &err);
        if (rc != cases[i].rc) {
            print_message("case %zu: %s %s\n", i, tpd_code_name(rc), err.msg ? err.msg : "");
        }
        assert_int_equal(rc, cases[i].rc);
        if (cases[i].ak) {
            assert_string_equal(tpd_buf_cstr(&c.access_key_id), cases[i].ak);
        }
        if (cases[i].msg) {
            if (!strstr(err.msg, cases[i].msg)) {
                print_message("case %zu: %s\n", i, err.msg);
            }
            assert_non_null(strstr(err.msg, cases[i].msg));
        }
        if (i == 1) {
            assert_string_equal(tpd_buf_cstr(&c.session_token), "TOK");
        }
        if (i == 3) {
            assert_int_equal(c.expiration_s, 4070908800);
        }
        aws_creds_clear(&c);
        tpd_err_clear(&err);
        aws_creds_provider_free(p);
    }
    /* AWS_PROFILE picks the profile; a broken file is an error with file:line. */
    setenv("AWS_PROFILE", "dev", 1);
    struct aws_creds_provider *p = aws_creds_profile_new(NULL);
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "AK_DEV");
    aws_creds_clear(&c);
    tt_write_file(path_in("credentials"), "[dev]\nthis is not ini\n");
    assert_int_equal(get_creds(p, &c, &err), TPD_E_PARSE);
    assert_non_null(strstr(err.msg, "credentials:2"));
    tpd_err_clear(&err);
    aws_creds_provider_free(p);
}

static void test_env_and_chain(void **state) {
    (void)state;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_creds c;
    struct aws_creds_provider *list[3] = {
        aws_creds_env_new(), aws_creds_profile_new(NULL), aws_creds_imds_new(NULL)};
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    struct aws_creds_provider *chain = aws_creds_chain_new(list, 3);
    assert_int_equal(get_creds(chain, &c, &err), TPD_E_CREDENTIALS);
    print_message("chain error: %s\n", err.msg);
    assert_non_null(
        strstr(err.msg, "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set)"));
    assert_non_null(
        strstr(err.msg, "shared config/credentials files (profile \"default\" not found"));
    assert_non_null(
        strstr(err.msg, "EC2 instance metadata (IMDSv2) (disabled by AWS_EC2_METADATA_DISABLED)"));
    tpd_err_clear(&err);
    setenv("AWS_ACCESS_KEY_ID", "AK_ENV", 1);
    assert_int_equal(get_creds(chain, &c, &err), TPD_E_CREDENTIALS);
    assert_non_null(strstr(
        err.msg, "environment failed: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
    tpd_err_clear(&err);
    setenv("AWS_SECRET_ACCESS_KEY", "SK_ENV", 1);
    setenv("AWS_SESSION_TOKEN", "TOK_ENV", 1);
    assert_int_equal(get_creds(chain, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.session_token), "TOK_ENV");
    assert_string_equal(c.source, "environment");
    aws_creds_clear(&c);
    aws_creds_provider_free(chain);
}

/* A transport that forwards to another and records what it was asked to send. */
struct recording_transport {
    struct aws_http_transport base;
    struct aws_http_transport *inner;
    int sends;
    struct aws_http_request last;
};

static enum tpd_code recording_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    struct recording_transport *r = t->impl;
    r->sends++;
    r->last = *req;
    return aws_http_send(r->inner, req, resp, err);
}

static void test_container_and_imds(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    struct fhs_route *r = fhs_route(&s, "GET", "/creds");
    r->require_header = "Authorization: Bearer tok-123";
    fhs_answer(
        r,
        200,
        "{\"AccessKeyId\":\"AK_C\",\"SecretAccessKey\":\"SK_C\",\"Token\":\"T_C\","
        "\"Expiration\":\"2099-01-01T00:00:00Z\"}");
    fhs_answer(fhs_route(&s, "PUT", "/latest/api/token"), 200, "imds-token");
    struct fhs_route *role = fhs_route(&s, "GET", "/latest/meta-data/iam/security-credentials/");
    role->require_header = "x-aws-ec2-metadata-token: imds-token";
    fhs_answer(role, 200, "my-role\n");
    struct fhs_route *cr =
        fhs_route(&s, "GET", "/latest/meta-data/iam/security-credentials/my-role");
    cr->require_header = "x-aws-ec2-metadata-token: imds-token";
    fhs_answer(
        cr,
        200,
        "{\"Code\":\"Success\",\"AccessKeyId\":\"AK_I\",\"SecretAccessKey\":\"SK_I\","
        "\"Token\":\"T_I\",\"Expiration\":\"2099-01-01T00:00:00Z\"}");
    assert_int_equal(fhs_start(&s), 0);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_http_transport *t = aws_http_curl_new(&err);
    struct aws_creds c;

    struct aws_creds_provider *pc = aws_creds_container_new(t);
    assert_int_equal(get_creds(pc, &c, &err), TPD_E_NOT_FOUND);
    tpd_err_clear(&err);
    char url[128];
    snprintf(url, sizeof(url), "%s/creds", s.url);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    tt_write_file(path_in("token"), "Bearer tok-123\n");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path_in("token"), 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong", 1);
    assert_int_equal(get_creds(pc, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "AK_C");
    assert_string_equal(tpd_buf_cstr(&c.session_token), "T_C");
    aws_creds_clear(&c);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    assert_int_equal(get_creds(pc, &c, &err), TPD_E_CREDENTIALS); /* 401 with the wrong token */
    assert_non_null(strstr(err.msg, "HTTP 401"));
    tpd_err_clear(&err);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/creds", 1);
    assert_int_equal(get_creds(pc, &c, &err), TPD_E_CREDENTIALS);
    assert_non_null(strstr(err.msg, "loopback"));
    tpd_err_clear(&err);
    aws_creds_provider_free(pc);

    struct aws_creds_provider *pi = aws_creds_imds_new(t);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", s.url, 1);
    assert_int_equal(get_creds(pi, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "AK_I");
    assert_int_equal(c.expiration_s, 4070908800);
    aws_creds_clear(&c);
    assert_int_equal(fhs_hits(&s, "PUT", "/latest/api/token"), 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_int_equal(get_creds(pi, &c, &err), TPD_E_NOT_FOUND);
    tpd_err_clear(&err);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    aws_creds_provider_free(pi);
    fhs_stop(&s);
    /* Nothing listening: "not available" after one request bounded by 1 s timeouts (off
     * EC2 the chain must fail fast): no retry, no second step, no wait without bound. */
    struct recording_transport rec = {{recording_send, NULL, &rec, NULL}, t, 0, {0}};
    pi = aws_creds_imds_new(&rec.base);
    assert_int_equal(get_creds(pi, &c, &err), TPD_E_NOT_FOUND);
    assert_non_null(strstr(err.msg, "not available"));
    assert_int_equal(rec.sends, 1);
    assert_string_equal(rec.last.method, "PUT");
    assert_int_equal(rec.last.connect_timeout_ms, 1000);
    assert_int_equal(rec.last.timeout_ms, 1000);
    tpd_err_clear(&err);
    aws_creds_provider_free(pi);
    aws_http_transport_free(t);
}

/* ---- cache ----------------------------------------------------------------------- */

static int64_t g_now = 1000000;
static int64_t fake_now(void) {
    return g_now;
}
static int g_calls;
static bool g_fail;
static enum tpd_code
counting_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    (void)p;
    g_calls++;
    if (g_fail) {
        return tpd_err_set(err, TPD_E_CREDENTIALS, "refresh failed");
    }
    char ak[32];
    snprintf(ak, sizeof(ak), "AK%d", g_calls);
    return aws_creds_set(out, ak, "SK", "T", g_now + 3600);
}
static void counting_destroy(struct aws_creds_provider *p) {
    free(p);
}

static void test_cache_refresh(void **state) {
    (void)state;
    struct aws_creds_provider *inner = calloc(1, sizeof(*inner));
    *inner = (struct aws_creds_provider){counting_get, counting_destroy, "counting", NULL};
    struct aws_creds_provider *p = aws_creds_cached_new(inner, 0, fake_now);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_creds c;
    g_calls = 0;
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "AK1");
    aws_creds_clear(&c);
    g_now += 2000; /* 1600 s left: still fresh */
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_int_equal(g_calls, 1);
    aws_creds_clear(&c);
    g_now += 1000; /* 600 s left... advisory window: refresh */
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_int_equal(g_calls, 2);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "AK2");
    aws_creds_clear(&c);
    g_now += 2800; /* 800 s left, refresh fails: old ones kept */
    g_fail = true;
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "AK2");
    aws_creds_clear(&c);
    g_now += 500; /* 300 s left, refresh fails: error */
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    tpd_err_clear(&err);
    g_fail = false;
    aws_creds_provider_free(p);
}

static void test_assume_role(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    ft_push(
        ft,
        200,
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
        "<Credentials><AccessKeyId>ASIA_ROLE</AccessKeyId><SecretAccessKey>SK_ROLE</"
        "SecretAccessKey>"
        "<SessionToken>TOK_ROLE</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>");
    ft_push(ft, 200, "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}");
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "eu-west-1";
    o.access_key = "AK_BASE";
    o.secret_key = "SK_BASE";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.assume_role.role_arn = "arn:aws:iam::123456789012:role/deploy";
    o.assume_role.session_name = "tf session";
    o.assume_role.external_id = "ext-1";
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_string_equal(aws_client_endpoint(c, AWS_SVC_STS), "https://sts.eu-west-1.amazonaws.com");
    const char *src = NULL;
    assert_int_equal(aws_client_check_credentials(c, &src, &err), TPD_OK);
    assert_string_equal(src, "STS AssumeRole");
    assert_int_equal(ft->req_count, 1);
    assert_string_equal(
        ft->reqs[0].body,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
        "123456789012%3Arole%2Fdeploy&RoleSessionName=tf+session&ExternalId=ext-1");
    char h[512];
    assert_non_null(strstr(ft_header(ft, 0, "Authorization", h, sizeof(h)), "Credential=AK_BASE/"));
    assert_non_null(strstr(h, "/eu-west-1/sts/aws4_request"));
    /* Calls now sign with the role's credentials (cached: no second AssumeRole). */
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    assert_int_equal(
        aws_client_call(c, AWS_SVC_DYNAMODB, "DescribeTable", tpd_span_cstr("{}"), &resp, &err),
        TPD_OK);
    aws_http_response_clear(&resp);
    assert_int_equal(ft->req_count, 2);
    assert_non_null(
        strstr(ft_header(ft, 1, "Authorization", h, sizeof(h)), "Credential=ASIA_ROLE/"));
    assert_string_equal(ft_header(ft, 1, "X-Amz-Security-Token", h, sizeof(h)), "TOK_ROLE");
    aws_client_free(c);
    /* A failing AssumeRole names the role. */
    ft->script_len = ft->next = 0;
    ft_push(
        ft,
        403,
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized to perform "
        "sts:AssumeRole</Message></Error></ErrorResponse>");
    c = aws_client_new(&o, &err);
    assert_int_equal(aws_client_check_credentials(c, &src, &err), TPD_E_CREDENTIALS);
    assert_non_null(strstr(err.msg, "arn:aws:iam::123456789012:role/deploy"));
    assert_string_equal(err.aws_code, "AccessDenied");
    tpd_err_clear(&err);
    aws_client_free(c);
    ft_free(ft);
}

static void test_region_and_endpoints(void **state) {
    (void)state;
    struct tpd_err err;
    tpd_err_init(&err);
    char *r = NULL;
    assert_int_equal(aws_region_resolve(NULL, NULL, &r, &err), TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "AWS_REGION"));
    tpd_err_clear(&err);
    tt_write_file(
        path_in("config"),
        "[default]\nregion = ca-central-1\nendpoint_url = http://127.0.0.1:1\n"
        "cloudformation =\n  endpoint_url = http://127.0.0.1:2\n");
    setenv("AWS_CONFIG_FILE", path_in("config"), 1);
    struct aws_profile prof;
    assert_int_equal(aws_profile_load(NULL, NULL, NULL, &prof, &err), TPD_OK);
    assert_int_equal(aws_region_resolve(NULL, &prof, &r, &err), TPD_OK);
    assert_string_equal(r, "ca-central-1");
    free(r);
    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    assert_int_equal(aws_region_resolve(NULL, &prof, &r, &err), TPD_OK);
    assert_string_equal(r, "us-west-1");
    free(r);
    setenv("AWS_REGION", "us-west-2", 1);
    assert_int_equal(aws_region_resolve(NULL, &prof, &r, &err), TPD_OK);
    assert_string_equal(r, "us-west-2");
    free(r);
    assert_int_equal(aws_region_resolve("eu-north-1", &prof, &r, &err), TPD_OK);
    assert_string_equal(r, "eu-north-1");
    free(r);

    char *e = NULL;
    assert_int_equal(
        aws_endpoint_resolve("dynamodb", "DYNAMODB", NULL, "us-east-1", &prof, &e, &err), TPD_OK);
    assert_string_equal(e, "http://127.0.0.1:1");
    free(e);
    assert_int_equal(
        aws_endpoint_resolve(
            "cloudformation", "CLOUDFORMATION", NULL, "us-east-1", &prof, &e, &err),
        TPD_OK);
    assert_string_equal(e, "http://127.0.0.1:2");
    free(e);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:3", 1);
    setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4", 1);
    assert_int_equal(
        aws_endpoint_resolve("dynamodb", "DYNAMODB", NULL, "us-east-1", &prof, &e, &err), TPD_OK);
    assert_string_equal(e, "http://127.0.0.1:4");
    free(e);
    assert_int_equal(
        aws_endpoint_resolve("sts", "STS", NULL, "us-east-1", &prof, &e, &err), TPD_OK);
    assert_string_equal(e, "http://127.0.0.1:3");
    free(e);
    assert_int_equal(
        aws_endpoint_resolve("sts", "STS", "http://127.0.0.1:5", "us-east-1", &prof, &e, &err),
        TPD_OK);
    assert_string_equal(e, "http://127.0.0.1:5");
    free(e);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    assert_int_equal(
        aws_endpoint_resolve("dynamodb", "DYNAMODB", NULL, "cn-north-1", &prof, &e, &err), TPD_OK);
    assert_string_equal(e, "https://dynamodb.cn-north-1.amazonaws.com.cn");
    free(e);
    assert_int_equal(
        aws_endpoint_resolve(
            "cloudformation", "CLOUDFORMATION", NULL, "us-gov-west-1", NULL, &e, &err),
        TPD_OK);
    assert_string_equal(e, "https://cloudformation.us-gov-west-1.amazonaws.com");
    free(e);
    aws_profile_clear(&prof);

    /* The client: signing region stays the configured one with a custom endpoint. */
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    struct fake_transport *ft = ft_new();
    ft_push(ft, 200, "{}");
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "eu-central-1";
    o.access_key = "AK";
    o.secret_key = "SK";
    o.transport = &ft->base;
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    assert_string_equal(aws_client_endpoint(c, AWS_SVC_DYNAMODB), "http://127.0.0.1:4");
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    assert_int_equal(
        aws_client_call(c, AWS_SVC_DYNAMODB, "ListTables", tpd_span_cstr("{}"), &resp, &err),
        TPD_OK);
    aws_http_response_clear(&resp);
    char h[512];
    assert_string_equal(ft_header(ft, 0, "Host", h, sizeof(h)), "127.0.0.1:4");
    assert_non_null(strstr(
        ft_header(ft, 0, "Authorization", h, sizeof(h)), "/eu-central-1/dynamodb/aws4_request"));
    aws_client_free(c);
    /* Bad configuration is reported at creation. */
    o.endpoint_dynamodb = "ftp://127.0.0.1/";
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "only http and https"));
    tpd_err_clear(&err);
    o.endpoint_dynamodb = NULL;
    o.secret_key = NULL;
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "access_key but not secret_key"));
    tpd_err_clear(&err);
    ft_free(ft);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ini_parse, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_profile_files, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_env_and_chain, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_container_and_imds, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_cache_refresh, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_assume_role, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_region_and_endpoints, setup_each, teardown_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
