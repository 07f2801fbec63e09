/*
 * The credential sources beyond static keys: web identity (environment and profile,
 * token re-read at every refresh, unsigned request), profile role chains
 * (source_profile chains, self-reference, loops, credential_source Environment,
 * EcsContainer and Ec2InstanceMetadata on a loopback fake, mfa_serial and other
 * configuration errors), SSO (sso-session and legacy profiles against a loopback
 * portal fake, fresh, expired and missing cached tokens, a refused token), the order
 * of the default chain, shared files as lists, sts_region, and the account guard
 * (allowed and forbidden; no DynamoDB or CloudFormation request after a refusal).
 * Every error message and every log line of the file is checked for the secrets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_client.h"
#include "aws_creds.h"
#include "aws_creds_internal.h"
#include "aws_sts.h"
#include "fake_http_server.h"
#include "fake_transport.h"
#include "test_util.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

static char *g_dir;
/* Every error message seen, checked for secrets at the end. */
static char g_seen[1 << 18];

static void seen(const char *msg) {
    if (msg) {
        size_t l = strlen(g_seen);
        snprintf(g_seen + l, sizeof(g_seen) - l, "%s\n", msg);
    }
}

static int setup_each(void **state) {
    (void)state;
    tt_clear_aws_env();
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    g_dir = tt_mkdtemp();
    setenv("HOME", g_dir, 1); /* never read the real ~/.aws */
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
    static char p[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", g_dir, leaf);
    return p[k];
}

#define STS_OK(result, ak, sk, tok)                                                                \
    "<" result "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" result "Result>"   \
    "<Credentials><AccessKeyId>" ak "</AccessKeyId><SecretAccessKey>" sk                           \
    "</SecretAccessKey><SessionToken>" tok "</SessionToken><Expiration>2099-01-01T00:00:00Z"       \
    "</Expiration></Credentials></" result "Result></" result "Response>"

#define IDENTITY(acct)                                                                             \
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::" acct ":user/u</Arn>"  \
    "<UserId>AIDA</UserId><Account>" acct "</Account></GetCallerIdentityResult>"                   \
    "</GetCallerIdentityResponse>"

/* ---- a fake STS caller: records each call, answers AssumeRole with keys that name
 * the call's number (ASIA1, ASIA2, ...) ---- */

struct fake_sts {
    struct aws_sts_caller base;
    int calls;
    char op[8][64];
    char signer[8][64]; /* access key id of the signer, "" when unsigned */
    char body[8][2048];
    int fail_status; /* non-zero: answer every call with an AccessDenied error */
};

static enum tpd_code fake_sts_call(
    void *ctx,
    const char *op,
    struct tpd_span body,
    const struct aws_creds *signer,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    struct fake_sts *f = ctx;
    int i = f->calls++;
    if (i < 8) {
        snprintf(f->op[i], sizeof(f->op[i]), "%s", op);
        snprintf(
            f->signer[i],
            sizeof(f->signer[i]),
            "%s",
            signer ? tpd_buf_cstr(&signer->access_key_id) : "");
        snprintf(f->body[i], sizeof(f->body[i]), "%.*s", (int)body.len, (const char *)body.ptr);
    }
    if (f->fail_status) {
        return tpd_err_set(err, TPD_E_AWS, "%s: AccessDenied: not authorized (HTTP 403)", op);
    }
    char xml[1024];
    const char *result =
        strcmp(op, "AssumeRole") == 0 ? "AssumeRoleResult" : "AssumeRoleWithWebIdentityResult";
    snprintf(
        xml,
        sizeof(xml),
        "<R><%s><Credentials><AccessKeyId>ASIA%d</AccessKeyId><SecretAccessKey>ROLESECRET%d"
        "</SecretAccessKey><SessionToken>ROLETOKEN%d</SessionToken><Expiration>"
        "2099-01-01T00:00:00Z</Expiration></Credentials></%s></R>",
        result,
        i + 1,
        i + 1,
        i + 1,
        result);
    resp->status = 200;
    return tpd_buf_append_cstr(&resp->body, xml);
}

static void fake_sts_init(struct fake_sts *f) {
    memset(f, 0, sizeof(*f));
    f->base = (struct aws_sts_caller){fake_sts_call, f};
}

static enum tpd_code
get_creds(struct aws_creds_provider *p, struct aws_creds *c, struct tpd_err *err) {
    aws_creds_init(c);
    enum tpd_code rc = aws_creds_get(p, c, err);
    seen(err->msg);
    return rc;
}

static void assert_contains(const char *hay, const char *needle) {
    if (!hay || !strstr(hay, needle)) {
        print_message("expected \"%s\" in: %s\n", needle, hay ? hay : "(null)");
    }
    assert_non_null(hay);
    assert_non_null(strstr(hay, needle));
}

/* ---- web identity ---- */

static void test_web_identity(void **state) {
    (void)state;
    struct fake_sts sts;
    fake_sts_init(&sts);
    struct aws_creds_profile_options o = {.sts = &sts.base};
    struct aws_creds_provider *p = aws_creds_web_identity_new(&o);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_creds c;

    assert_int_equal(get_creds(p, &c, &err), TPD_E_NOT_FOUND);
    assert_contains(err.msg, "AWS_WEB_IDENTITY_TOKEN_FILE not set");
    tpd_err_clear(&err);

    tt_write_file(path_in("token"), "WEBTOKEN-ONE\n");
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path_in("token"), 1);
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS); /* no role */
    assert_contains(err.msg, "AWS_ROLE_ARN");
    tpd_err_clear(&err);
    assert_int_equal(sts.calls, 0);

    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
    setenv("AWS_ROLE_SESSION_NAME", "gh-run-7", 1);
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "ASIA1");
    assert_string_equal(tpd_buf_cstr(&c.session_token), "ROLETOKEN1");
    assert_int_equal(c.expiration_s, 4070908800);
    aws_creds_clear(&c);
    assert_string_equal(sts.op[0], "AssumeRoleWithWebIdentity");
    assert_string_equal(sts.signer[0], ""); /* unsigned */
    assert_string_equal(
        sts.body[0],
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
        "123456789012%3Arole%2Fci&RoleSessionName=gh-run-7&WebIdentityToken=WEBTOKEN-ONE");

    /* The token rotates: the next get reads the file again. */
    tt_write_file(path_in("token"), "WEBTOKEN-TWO");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    aws_creds_clear(&c);
    assert_non_null(strstr(sts.body[1], "WebIdentityToken=WEBTOKEN-TWO"));

    /* An unreadable or empty token file is a failure naming the file, not the token. */
    tt_write_file(path_in("token"), "\n");
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "is empty");
    tpd_err_clear(&err);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path_in("missing-token"), 1);
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "cannot read the web identity token file");
    tpd_err_clear(&err);

    /* STS refusing: the role is named. */
    tt_write_file(path_in("token"), "WEBTOKEN-THREE");
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path_in("token"), 1);
    sts.fail_status = 403;
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/ci");
    tpd_err_clear(&err);
    sts.fail_status = 0;
    aws_creds_provider_free(p);

    /* The profile's keys; a configured profile ignores the environment (botocore
     * disable_env_vars). */
    tt_write_file(path_in("token2"), "PROFILETOKEN");
    char cfg[2048];
    snprintf(
        cfg,
        sizeof(cfg),
        "[profile ci]\nweb_identity_token_file = %s\nrole_arn = "
        "arn:aws:iam::123456789012:role/from-profile\nrole_session_name = prof-session\n",
        path_in("token2"));
    tt_write_file(path_in("config"), cfg);
    setenv("AWS_CONFIG_FILE", path_in("config"), 1);
    o.profile = "ci";
    o.profile_explicit = true;
    p = aws_creds_web_identity_new(&o);
    sts.calls = 0;
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    aws_creds_clear(&c);
    assert_non_null(strstr(sts.body[0], "role%2Ffrom-profile&RoleSessionName=prof-session"));
    assert_non_null(strstr(sts.body[0], "WebIdentityToken=PROFILETOKEN"));
    aws_creds_provider_free(p);
}

/* ---- profile role chains ---- */

static struct aws_creds_provider *role_provider(struct fake_sts *sts, const char *profile) {
    struct aws_creds_profile_options o = {
        .profile = profile, .profile_explicit = true, .sts = &sts->base};
    return aws_creds_role_new(&o);
}

static void test_role_chains(void **state) {
    (void)state;
    tt_write_file(
        path_in("credentials"),
        "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = BASESECRET\n"
        "[selfref]\naws_access_key_id = AKSELF\naws_secret_access_key = SELFSECRET\n"
        "role_arn = arn:aws:iam::123456789012:role/self\nsource_profile = selfref\n");
    tt_write_file(
        path_in("config"),
        "[profile one]\nrole_arn = arn:aws:iam::123456789012:role/one\nsource_profile = base\n"
        "external_id = ext-1\nrole_session_name = s1\nduration_seconds = 1800\n"
        "[profile two]\nrole_arn = arn:aws:iam::222222222222:role/two\nsource_profile = one\n"
        "[profile three]\nrole_arn = arn:aws:iam::333333333333:role/three\nsource_profile = two\n"
        "[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n"
        "[profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-c\n"
        "[profile loop-c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = loop-a\n"
        "[profile selfloop]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = selfloop\n"
        "[profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\n"
        "mfa_serial = arn:aws:iam::1:mfa/me\n"
        "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
        "credential_source = Environment\n"
        "[profile neither]\nrole_arn = arn:aws:iam::1:role/x\n"
        "[profile ghost-src]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nobody\n"
        "[profile empty-src]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = empty\n"
        "[profile empty]\nregion = us-east-1\n"
        "[profile bad-source]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Laptop\n"
        "[profile bad-duration]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
        "duration_seconds = 60\n"
        "[profile env-src]\nrole_arn = arn:aws:iam::444444444444:role/env\n"
        "credential_source = Environment\n"
        "[profile ecs-src]\nrole_arn = arn:aws:iam::444444444444:role/ecs\n"
        "credential_source = EcsContainer\n"
        "[profile imds-src]\nrole_arn = arn:aws:iam::444444444444:role/imds\n"
        "credential_source = Ec2InstanceMetadata\n"
        "[profile norole]\nregion = us-east-1\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in("credentials"), 1);
    setenv("AWS_CONFIG_FILE", path_in("config"), 1);
    struct fake_sts sts;
    fake_sts_init(&sts);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_creds c;

    /* One hop: signed with the source profile's keys, every setting passed. */
    struct aws_creds_provider *p = role_provider(&sts, "one");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "ASIA1");
    aws_creds_clear(&c);
    assert_int_equal(sts.calls, 1);
    assert_string_equal(sts.signer[0], "AKBASE");
    assert_string_equal(
        sts.body[0],
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2F"
        "one&RoleSessionName=s1&ExternalId=ext-1&DurationSeconds=1800");
    aws_creds_provider_free(p);

    /* Three hops: each AssumeRole is signed with the previous role's credentials. */
    sts.calls = 0;
    p = role_provider(&sts, "three");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "ASIA3");
    aws_creds_clear(&c);
    assert_int_equal(sts.calls, 3);
    assert_string_equal(sts.signer[0], "AKBASE");
    assert_non_null(strstr(sts.body[0], "role%2Fone"));
    assert_string_equal(sts.signer[1], "ASIA1");
    assert_non_null(strstr(sts.body[1], "role%2Ftwo&RoleSessionName=terraform-provider-dynamodb"));
    assert_string_equal(sts.signer[2], "ASIA2");
    assert_non_null(strstr(sts.body[2], "role%2Fthree"));
    aws_creds_provider_free(p);

    /* A profile may source its own static keys. */
    sts.calls = 0;
    p = role_provider(&sts, "selfref");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    aws_creds_clear(&c);
    assert_string_equal(sts.signer[0], "AKSELF");
    aws_creds_provider_free(p);

    /* Errors, none of which calls STS. */
    struct {
        const char *profile;
        enum tpd_code rc;
        const char *msg;
    } bad[] = {
        {"loop-a", TPD_E_CREDENTIALS, "form a loop: loop-a -> loop-b -> loop-c -> loop-a"},
        {"selfloop", TPD_E_CREDENTIALS, "form a loop: selfloop -> selfloop"},
        {"mfa", TPD_E_CREDENTIALS, "profile \"mfa\" sets mfa_serial"},
        {"both", TPD_E_CREDENTIALS, "sets both source_profile and credential_source"},
        {"neither", TPD_E_CREDENTIALS, "neither source_profile nor credential_source"},
        {"ghost-src", TPD_E_CREDENTIALS, "the source_profile \"nobody\" of profile \"ghost-src\""},
        {"empty-src", TPD_E_CREDENTIALS, "the source profile \"empty\" has no credentials"},
        {"bad-source", TPD_E_CREDENTIALS, "credential_source \"Laptop\" is not one of"},
        {"bad-duration", TPD_E_CREDENTIALS, "duration_seconds must be"},
        {"env-src", TPD_E_CREDENTIALS, "credential_source Environment: AWS_ACCESS_KEY_ID"},
        {"ecs-src", TPD_E_CREDENTIALS, "credential_source EcsContainer"},
        {"imds-src", TPD_E_CREDENTIALS, "credential_source Ec2InstanceMetadata"},
        {"norole", TPD_E_NOT_FOUND, "profile \"norole\" has no role_arn"},
    };
    sts.calls = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = role_provider(&sts, bad[i].profile);
        enum tpd_code rc = get_creds(p, &c, &err);
        if (rc != bad[i].rc) {
            print_message("%s: %s %s\n", bad[i].profile, tpd_code_name(rc), err.msg);
        }
        assert_int_equal(rc, bad[i].rc);
        assert_contains(err.msg, bad[i].msg);
        tpd_err_clear(&err);
        aws_creds_provider_free(p);
    }
    assert_int_equal(sts.calls, 0);

    /* credential_source = Environment. */
    setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
    p = role_provider(&sts, "env-src");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    aws_creds_clear(&c);
    assert_string_equal(sts.signer[0], "AKENV");
    aws_creds_provider_free(p);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");

    /* credential_source = EcsContainer and Ec2InstanceMetadata, on a loopback fake. */
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(
        fhs_route(&s, "GET", "/ecs-creds"),
        200,
        "{\"AccessKeyId\":\"AKECS\",\"SecretAccessKey\":\"ECSSECRET\",\"Token\":\"ECSTOKEN\","
        "\"Expiration\":\"2099-01-01T00:00:00Z\"}");
    fhs_answer(fhs_route(&s, "PUT", "/latest/api/token"), 200, "imds-token");
    fhs_answer(fhs_route(&s, "GET", "/latest/meta-data/iam/security-credentials/"), 200, "r\n");
    fhs_answer(
        fhs_route(&s, "GET", "/latest/meta-data/iam/security-credentials/r"),
        200,
        "{\"Code\":\"Success\",\"AccessKeyId\":\"AKIMDS\",\"SecretAccessKey\":\"IMDSSECRET\","
        "\"Token\":\"IMDSTOKEN\",\"Expiration\":\"2099-01-01T00:00:00Z\"}");
    assert_int_equal(fhs_start(&s), 0);
    struct aws_http_transport *t = aws_http_curl_new(&err);
    char url[128];
    snprintf(url, sizeof(url), "%s/ecs-creds", s.url);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    struct aws_creds_profile_options o = {
        .profile = "ecs-src", .profile_explicit = true, .sts = &sts.base, .transport = t};
    sts.calls = 0;
    p = aws_creds_role_new(&o);
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    aws_creds_clear(&c);
    assert_string_equal(sts.signer[0], "AKECS");
    aws_creds_provider_free(p);
    /* IMDS stays off (AWS_EC2_METADATA_DISABLED) unless a test points it at loopback. */
    o.profile = "imds-src";
    p = aws_creds_role_new(&o);
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "disabled by AWS_EC2_METADATA_DISABLED");
    tpd_err_clear(&err);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", s.url, 1);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    aws_creds_clear(&c);
    assert_string_equal(sts.signer[1], "AKIMDS");
    aws_creds_provider_free(p);
    o.skip_instance_metadata = true;
    p = aws_creds_role_new(&o);
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "instance metadata is switched off");
    tpd_err_clear(&err);
    aws_creds_provider_free(p);
    fhs_stop(&s);
    aws_http_transport_free(t);
}

/* ---- SSO ---- */

#define ROLE_CREDS                                                                                 \
    "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"SSOSECRET\","         \
    "\"sessionToken\":\"SSOSESSIONTOKEN\",\"expiration\":4070908800000}}"

static void write_token(const char *key_hex, const char *expires) {
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/.aws", g_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/.aws/sso", g_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/.aws/sso/cache", g_dir);
    mkdir(dir, 0700);
    char path[1200], body[512];
    snprintf(path, sizeof(path), "%s/%s.json", dir, key_hex);
    snprintf(
        body,
        sizeof(body),
        "{\"startUrl\":\"https://example.awsapps.com/start\",\"region\":\"eu-west-1\","
        "\"accessToken\":\"SSOACCESSTOKEN\",\"expiresAt\":\"%s\",\"refreshToken\":\"SSOREFRESH\"}",
        expires);
    tt_write_file(path, body);
}

static void test_sso(void **state) {
    (void)state;
    /* The cache key is the SHA-1 hex of the session name or the start URL (values
     * computed with Python's hashlib, as botocore does). */
    char hex[41];
    assert_int_equal(aws_sso_cache_key("my-sso", hex), TPD_OK);
    assert_string_equal(hex, "0ad374308c5a4e22f723adf10145eafad7c4031c");
    assert_int_equal(aws_sso_cache_key("https://example.awsapps.com/start", hex), TPD_OK);
    assert_string_equal(hex, "e8be5486177c5b5392bd9aa76563515b29358e6e");

    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    struct fhs_route *r = fhs_route(
        &s, "GET", "/federation/credentials?role_name=Deploy%20Role&account_id=123456789012");
    r->require_header = "x-amz-sso_bearer_token: SSOACCESSTOKEN";
    fhs_answer(r, 200, ROLE_CREDS);
    struct fhs_route *r2 =
        fhs_route(&s, "GET", "/federation/credentials?role_name=Legacy&account_id=210987654321");
    r2->require_header = "x-amz-sso_bearer_token: SSOACCESSTOKEN";
    fhs_answer(r2, 200, ROLE_CREDS);
    fhs_answer(r2, 401, "{\"message\":\"Session token not found or invalid\"}");
    assert_int_equal(fhs_start(&s), 0);
    setenv("AWS_ENDPOINT_URL_SSO", s.url, 1);
    tt_write_file(
        path_in("config"),
        "[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
        "[profile dev]\nsso_session = my-sso\nsso_account_id = 123456789012\n"
        "sso_role_name = Deploy Role\nregion = eu-west-1\n"
        "[profile legacy]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = eu-west-1\nsso_account_id = 210987654321\nsso_role_name = Legacy\n"
        "[profile partial]\nsso_account_id = 123456789012\n"
        "[profile ghost]\nsso_session = nope\nsso_account_id = 123456789012\n"
        "sso_role_name = R\n"
        "[profile mismatch]\nsso_session = my-sso\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = R\n"
        "[profile badacct]\nsso_session = my-sso\nsso_account_id = 12\nsso_role_name = R\n"
        "[profile nosso]\nregion = us-east-1\n");
    setenv("AWS_CONFIG_FILE", path_in("config"), 1);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_http_transport *t = aws_http_curl_new(&err);
    struct aws_creds c;
    struct aws_creds_profile_options o = {
        .profile = "dev", .profile_explicit = true, .transport = t};

    /* No cached token yet. */
    struct aws_creds_provider *p = aws_creds_sso_new(&o);
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "no cached SSO token for sso-session \"my-sso\"");
    assert_contains(err.msg, "run aws sso login --profile dev");
    tpd_err_clear(&err);
    /* Expired. */
    write_token("0ad374308c5a4e22f723adf10145eafad7c4031c", "2020-01-01T00:00:00Z");
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(err.msg, "has expired; run aws sso login --profile dev");
    tpd_err_clear(&err);
    assert_int_equal(fhs_hits(&s, "GET", r->path), 0);
    /* Fresh. */
    write_token("0ad374308c5a4e22f723adf10145eafad7c4031c", "2099-01-01T00:00:00Z");
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "ASIASSO");
    assert_string_equal(tpd_buf_cstr(&c.session_token), "SSOSESSIONTOKEN");
    assert_int_equal(c.expiration_s, 4070908800);
    assert_string_equal(c.source, "SSO");
    aws_creds_clear(&c);
    aws_creds_provider_free(p);

    /* Legacy profile: the key is the start URL's hash; "...UTC" expiry (older CLIs). */
    write_token("e8be5486177c5b5392bd9aa76563515b29358e6e", "2099-01-01T00:00:00UTC");
    o.profile = "legacy";
    p = aws_creds_sso_new(&o);
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&c.access_key_id), "ASIASSO");
    aws_creds_clear(&c);
    /* The portal refusing the token (second answer: 401). */
    assert_int_equal(get_creds(p, &c, &err), TPD_E_CREDENTIALS);
    assert_contains(
        err.msg, "refused the cached token (HTTP 401); run aws sso login --profile legacy");
    tpd_err_clear(&err);
    aws_creds_provider_free(p);

    struct {
        const char *profile;
        enum tpd_code rc;
        const char *msg;
    } bad[] = {
        {"partial", TPD_E_CREDENTIALS, "lacks sso_role_name, sso_start_url, sso_region"},
        {"ghost", TPD_E_CREDENTIALS, "the sso-session \"nope\" does not exist"},
        {"mismatch", TPD_E_CREDENTIALS, "sso_region differs between the profile and sso-session"},
        {"badacct", TPD_E_CREDENTIALS, "sso_account_id must be 12 digits"},
        {"nosso", TPD_E_NOT_FOUND, "has no sso_account_id or sso_role_name"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.profile = bad[i].profile;
        p = aws_creds_sso_new(&o);
        assert_int_equal(get_creds(p, &c, &err), bad[i].rc);
        assert_contains(err.msg, bad[i].msg);
        tpd_err_clear(&err);
        aws_creds_provider_free(p);
    }
    /* An SSO profile as the source of a role. */
    tt_write_file(
        path_in("config2"),
        "[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        "[profile dev]\nsso_session = my-sso\nsso_account_id = 123456789012\n"
        "sso_role_name = Deploy Role\n"
        "[profile deploy]\nrole_arn = arn:aws:iam::555555555555:role/deploy\n"
        "source_profile = dev\n");
    setenv("AWS_CONFIG_FILE", path_in("config2"), 1);
    struct fake_sts sts;
    fake_sts_init(&sts);
    o.profile = "deploy";
    o.sts = &sts.base;
    p = aws_creds_role_new(&o);
    assert_int_equal(get_creds(p, &c, &err), TPD_OK);
    aws_creds_clear(&c);
    assert_string_equal(sts.signer[0], "ASIASSO");
    aws_creds_provider_free(p);
    fhs_stop(&s);
    aws_http_transport_free(t);
}

/* The parsers on malformed input. */
static void test_sso_parsers(void **state) {
    (void)state;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_sso_token tok;
    aws_sso_token_init(&tok);
    const char *bad_tokens[] = {
        "",
        "[]",
        "{\"accessToken\":\"x\"}",
        "{\"expiresAt\":\"2099-01-01T00:00:00Z\"}",
        "{\"accessToken\":\"TOKENVALUE\",\"expiresAt\":\"soon\"}",
        "{\"accessToken\":5}"};
    for (size_t i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]); i++) {
        assert_int_equal(
            aws_sso_parse_token(tpd_span_cstr(bad_tokens[i]), "t", &tok, &err), TPD_E_CREDENTIALS);
        seen(err.msg);
        tpd_err_clear(&err);
    }
    aws_sso_token_clear(&tok);
    struct aws_creds c;
    aws_creds_init(&c);
    const char *bad_creds[] = {
        "",
        "{}",
        "{\"roleCredentials\":{}}",
        "{\"roleCredentials\":{\"accessKeyId\":\"a\",\"secretAccessKey\":\"SECRETVALUE\","
        "\"sessionToken\":\"t\",\"expiration\":\"tomorrow\"}}",
        "{\"roleCredentials\":{\"accessKeyId\":\"a\",\"secretAccessKey\":\"SECRETVALUE\","
        "\"sessionToken\":\"t\",\"expiration\":-1}}"};
    for (size_t i = 0; i < sizeof(bad_creds) / sizeof(bad_creds[0]); i++) {
        assert_int_equal(
            aws_sso_parse_role_credentials(tpd_span_cstr(bad_creds[i]), &c, &err),
            TPD_E_CREDENTIALS);
        seen(err.msg);
        tpd_err_clear(&err);
    }
    const char *bad_sts[] = {
        "not xml",
        "<R/>",
        STS_OK("AssumeRole", "", "s", "t"),
        "<R><AssumeRoleResult><Credentials><AccessKeyId>a</AccessKeyId><SecretAccessKey>"
        "SECRETVALUE</SecretAccessKey><SessionToken>t</SessionToken><Expiration>later"
        "</Expiration></Credentials></AssumeRoleResult></R>"};
    for (size_t i = 0; i < sizeof(bad_sts) / sizeof(bad_sts[0]); i++) {
        enum tpd_code rc = aws_sts_parse_credentials(
            tpd_span_cstr(bad_sts[i]), "AssumeRoleResult", "AssumeRole", &c, &err);
        assert_true(rc == TPD_E_PARSE || rc == TPD_E_CREDENTIALS);
        seen(err.msg);
        tpd_err_clear(&err);
    }
    char *acct = NULL, *arn = NULL;
    assert_int_equal(
        aws_sts_parse_caller_identity(tpd_span_cstr(IDENTITY("12345")), &acct, &arn, &err),
        TPD_E_PARSE);
    tpd_err_clear(&err);
    assert_int_equal(
        aws_sts_parse_caller_identity(tpd_span_cstr(IDENTITY("123456789012")), &acct, &arn, &err),
        TPD_OK);
    assert_string_equal(acct, "123456789012");
    assert_string_equal(arn, "arn:aws:iam::123456789012:user/u");
    free(acct);
    free(arn);
    aws_creds_clear(&c);
}

/* ---- the client: chain order, lists of files, sts_region, the account guard ---- */

static struct aws_client *client(struct fake_transport *ft, struct aws_client_options *o) {
    o->region = o->region ? o->region : "eu-west-1";
    o->transport = &ft->base;
    o->skip_instance_metadata = true;
    o->retry_base_ns = 1000;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(o, &err);
    if (!c) {
        print_message("aws_client_new: %s\n", err.msg);
    }
    tpd_err_clear(&err);
    assert_non_null(c);
    return c;
}

static void test_client_chain(void **state) {
    (void)state;
    /* Web identity from the environment beats the default profile's keys (botocore:
     * web identity comes before the shared credentials file). */
    tt_write_file(
        path_in("credentials"),
        "[default]\naws_access_key_id = AKPROFILE\naws_secret_access_key = PROFILESECRET\n");
    tt_write_file(path_in("token"), "CHAINWEBTOKEN");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in("credentials"), 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path_in("token"), 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
    struct fake_transport *ft = ft_new();
    ft_push(ft, 200, STS_OK("AssumeRoleWithWebIdentity", "ASIAWEB", "WEBSECRET", "WEBSESSION"));
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.sts_region = "us-west-2";
    struct aws_client *c = client(ft, &o);
    assert_string_equal(aws_client_endpoint(c, AWS_SVC_STS), "https://sts.us-west-2.amazonaws.com");
    const char *src = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(aws_client_check_credentials(c, &src, &err), TPD_OK);
    assert_string_equal(src, "STS AssumeRoleWithWebIdentity");
    char h[512];
    assert_null(ft_header(ft, 0, "Authorization", h, sizeof(h))); /* unsigned */
    assert_string_equal(ft->reqs[0].url, "https://sts.us-west-2.amazonaws.com");
    assert_non_null(strstr(ft->reqs[0].body, "WebIdentityToken=CHAINWEBTOKEN"));
    aws_client_free(c);

    /* A profile named in the configuration ignores AWS_WEB_IDENTITY_TOKEN_FILE; sts_region
     * signs STS calls. The shared credentials files are a list, later files winning. */
    tt_write_file(
        path_in("credentials2"),
        "[default]\naws_access_key_id = AKSECOND\naws_secret_access_key = SECONDSECRET\n"
        "[other]\naws_access_key_id = AKOTHER\naws_secret_access_key = OTHERSECRET\n");
    tt_write_file(
        path_in("config"),
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
        "source_profile = default\n");
    const char *creds_files[] = {path_in("credentials"), path_in("credentials2")};
    const char *config_files[] = {path_in("config")};
    ft->script_len = ft->next = 0;
    ft_push(ft, 200, STS_OK("AssumeRole", "ASIADEPLOY", "DEPLOYSECRET", "DEPLOYSESSION"));
    memset(&o, 0, sizeof(o));
    o.profile = "deploy";
    o.sts_region = "us-west-2";
    o.shared_credentials_files = creds_files;
    o.shared_credentials_files_count = 2;
    o.shared_config_files = config_files;
    o.shared_config_files_count = 1;
    size_t before = ft->req_count;
    c = client(ft, &o);
    assert_int_equal(aws_client_check_credentials(c, &src, &err), TPD_OK);
    assert_string_equal(src, "STS AssumeRole");
    assert_int_equal(ft->req_count, before + 1);
    assert_non_null(
        strstr(ft_header(ft, before, "Authorization", h, sizeof(h)), "Credential=AKSECOND/"));
    assert_non_null(strstr(h, "/us-west-2/sts/aws4_request"));
    aws_client_free(c);

    /* Nothing configured: the error lists every source. */
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    memset(&o, 0, sizeof(o));
    c = client(ft, &o);
    assert_int_equal(aws_client_check_credentials(c, &src, &err), TPD_E_CREDENTIALS);
    seen(err.msg);
    assert_contains(err.msg, "environment (");
    assert_contains(err.msg, "assume role (profile) (profile \"default\" has no role_arn)");
    assert_contains(err.msg, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set");
    assert_contains(
        err.msg, "SSO (IAM Identity Center) (profile \"default\" has no sso_account_id");
    assert_contains(err.msg, "shared config/credentials files (");
    assert_contains(err.msg, "container endpoint (");
    tpd_err_clear(&err);
    aws_client_free(c);
    ft_free(ft);
}

static void test_account_guard(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.access_key = "AKGUARD";
    o.secret_key = "GUARDSECRET";
    const char *allowed[] = {"111111111111", "222222222222"};
    o.allowed_account_ids = allowed;
    o.allowed_account_ids_count = 2;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_http_response resp;
    aws_http_response_init(&resp);

    /* Refused: one GetCallerIdentity, then nothing reaches DynamoDB or CloudFormation. */
    ft_push(ft, 200, IDENTITY("123456789012"));
    struct aws_client *c = client(ft, &o);
    enum aws_account_verdict v;
    char *acct = NULL;
    assert_int_equal(aws_client_verify_account(c, &v, &acct, &err), TPD_E_CREDENTIALS);
    assert_int_equal(v, AWS_ACCOUNT_NOT_ALLOWED);
    assert_string_equal(acct, "123456789012");
    free(acct);
    assert_contains(err.msg, "account 123456789012, which is not in allowed_account_ids");
    tpd_err_clear(&err);
    assert_int_equal(ft->req_count, 1);
    assert_non_null(strstr(ft->reqs[0].body, "Action=GetCallerIdentity"));
    assert_int_equal(
        aws_client_call(c, AWS_SVC_DYNAMODB, "DescribeTable", tpd_span_cstr("{}"), &resp, &err),
        TPD_E_CREDENTIALS);
    assert_contains(err.msg, "DescribeTable: ");
    tpd_err_clear(&err);
    assert_int_equal(
        aws_client_call(
            c, AWS_SVC_CLOUDFORMATION, "DescribeStacks", tpd_span_cstr("Action=x"), &resp, &err),
        TPD_E_CREDENTIALS);
    tpd_err_clear(&err);
    assert_int_equal(ft->req_count, 1);
    aws_client_free(c);

    /* Allowed: checked once, lazily before the first call, then calls flow. */
    size_t base = ft->req_count;
    ft->script_len = ft->next = 0;
    ft_push(ft, 200, IDENTITY("222222222222"));
    ft_push(ft, 200, "{}");
    ft_push(ft, 200, "{}");
    c = client(ft, &o);
    assert_int_equal(
        aws_client_call(c, AWS_SVC_DYNAMODB, "ListTables", tpd_span_cstr("{}"), &resp, &err),
        TPD_OK);
    assert_int_equal(
        aws_client_call(c, AWS_SVC_DYNAMODB, "ListTables", tpd_span_cstr("{}"), &resp, &err),
        TPD_OK);
    assert_int_equal(ft->req_count, base + 3);
    assert_non_null(strstr(ft->reqs[base].body, "GetCallerIdentity"));
    assert_int_equal(aws_client_verify_account(c, &v, NULL, &err), TPD_OK);
    assert_int_equal(v, AWS_ACCOUNT_OK);
    assert_int_equal(ft->req_count, base + 3);
    aws_client_free(c);

    /* Forbidden. */
    memset(&o, 0, sizeof(o));
    o.access_key = "AKGUARD";
    o.secret_key = "GUARDSECRET";
    const char *forbidden[] = {"123456789012"};
    o.forbidden_account_ids = forbidden;
    o.forbidden_account_ids_count = 1;
    base = ft->req_count;
    ft->script_len = ft->next = 0;
    ft_push(ft, 200, IDENTITY("123456789012"));
    c = client(ft, &o);
    assert_int_equal(aws_client_verify_account(c, &v, NULL, &err), TPD_E_CREDENTIALS);
    assert_int_equal(v, AWS_ACCOUNT_FORBIDDEN);
    assert_contains(err.msg, "which is in forbidden_account_ids");
    tpd_err_clear(&err);
    assert_int_equal(
        aws_client_call(c, AWS_SVC_DYNAMODB, "CreateTable", tpd_span_cstr("{}"), &resp, &err),
        TPD_E_CREDENTIALS);
    tpd_err_clear(&err);
    assert_int_equal(ft->req_count, base + 1);
    aws_client_free(c);

    /* STS failing: an error (not a verdict), and it is asked again next time. */
    base = ft->req_count;
    ft->script_len = ft->next = 0;
    ft_push(
        ft,
        403,
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message>"
        "</Error></ErrorResponse>");
    ft_push(ft, 200, IDENTITY("999999999999"));
    c = client(ft, &o);
    assert_int_equal(aws_client_verify_account(c, &v, NULL, &err), TPD_E_AWS);
    assert_contains(err.msg, "checking the AWS account");
    tpd_err_clear(&err);
    assert_int_equal(aws_client_verify_account(c, &v, NULL, &err), TPD_OK);
    assert_int_equal(ft->req_count, base + 2);
    aws_client_free(c);
    aws_http_response_clear(&resp);
    ft_free(ft);
}

/* Every allocation of client creation and of a role-chain, web identity and SSO
 * resolution failing in turn: an error each time, never a crash or a leak (valgrind
 * runs this file too). Regression: a source failing without filling err (the
 * transport's body append running out of memory) made the chain answer TPD_OK with
 * empty credentials. */
static void test_allocation_failures(void **state) {
    (void)state;
    tt_write_file(
        path_in("credentials"),
        "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = BASESECRET\n");
    tt_write_file(path_in("token"), "FAILWEBTOKEN");
    char cfg[2048];
    snprintf(
        cfg,
        sizeof(cfg),
        "[profile one]\nrole_arn = arn:aws:iam::1:role/one\nsource_profile = base\n"
        "[profile two]\nrole_arn = arn:aws:iam::1:role/two\nsource_profile = one\n"
        "[profile web]\nweb_identity_token_file = %s\nrole_arn = arn:aws:iam::1:role/w\n"
        "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
        "[profile sso]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = R\n",
        path_in("token"));
    tt_write_file(path_in("config"), cfg);
    const char *creds_files[] = {path_in("credentials")};
    const char *config_files[] = {path_in("config")};
    const char *allowed[] = {"123456789012"};
    const char *profiles[] = {"two", "web", "sso"};
    struct fake_transport *ft = ft_new();
    for (size_t pi = 0; pi < 3; pi++) {
        bool done = false;
        for (unsigned long n = 1; !done && n < 5000; n++) {
            ft->script_len = ft->next = 0;
            ft->fallback = (struct ft_answer){
                TPD_OK,
                200,
                pi == 1 ? STS_OK("AssumeRoleWithWebIdentity", "ASIAF", "FAILSECRET", "FAILTOKEN")
                        : STS_OK("AssumeRole", "ASIAF", "FAILSECRET", "FAILTOKEN"),
                NULL,
                AWS_HTTP_ERR_NONE};
            struct aws_client_options o;
            memset(&o, 0, sizeof(o));
            o.region = "eu-west-1";
            o.profile = profiles[pi];
            o.shared_credentials_files = creds_files;
            o.shared_credentials_files_count = 1;
            o.shared_config_files = config_files;
            o.shared_config_files_count = 1;
            o.allowed_account_ids = allowed;
            o.allowed_account_ids_count = 1;
            o.transport = &ft->base;
            o.skip_instance_metadata = true;
            o.max_attempts = 1;
            struct tpd_err err;
            tpd_err_init(&err);
            tpd_alloc_fail_at(n, false);
            struct aws_client *c = aws_client_new(&o, &err);
            const char *src = NULL;
            enum tpd_code rc = c ? aws_client_check_credentials(c, &src, &err) : TPD_E_NOMEM;
            bool failed = tpd_alloc_failed();
            tpd_alloc_fail_at(0, false);
            if (!failed) {
                done = true;
                /* The SSO profile has no cached token here: a clean error. */
                if (rc != (pi == 2 ? TPD_E_CREDENTIALS : TPD_OK)) {
                    print_message("profile %s: %s\n", profiles[pi], err.msg ? err.msg : "");
                }
                assert_int_equal(rc, pi == 2 ? TPD_E_CREDENTIALS : TPD_OK);
            } else if (rc == TPD_OK) {
                /* Some failures are tolerated on purpose (an unreadable shared file
                 * while the region is configured, the chain's list of tried
                 * sources); the credentials found are then the right ones. */
                assert_string_equal(
                    src, pi == 0 ? "STS AssumeRole" : "STS AssumeRoleWithWebIdentity");
            }
            seen(err.msg);
            tpd_err_clear(&err);
            aws_client_free(c);
        }
        assert_true(done);
    }
    ft_free(ft);
}

/* No secret in any error message of this file, nor in its log. */
static void test_no_secrets_seen(void **state) {
    (void)state;
    const char *secrets[] = {
        "BASESECRET",    "SELFSECRET",     "ENVSECRET",   "ECSSECRET",   "ECSTOKEN",
        "IMDSSECRET",    "IMDSTOKEN",      "ROLESECRET",  "ROLETOKEN",   "WEBTOKEN",
        "PROFILETOKEN",  "CHAINWEBTOKEN",  "WEBSECRET",   "WEBSESSION",  "DEPLOYSECRET",
        "DEPLOYSESSION", "SSOACCESSTOKEN", "SSOREFRESH",  "SSOSECRET",   "SSOSESSIONTOKEN",
        "PROFILESECRET", "SECONDSECRET",   "GUARDSECRET", "SECRETVALUE", "TOKENVALUE"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strstr(g_seen, secrets[i])) {
            print_message("secret %s in: %s\n", secrets[i], g_seen);
        }
        assert_null(strstr(g_seen, secrets[i]));
    }
    assert_true(strlen(g_seen) > 1000); /* the messages were collected */
}

int main(void) {
    /* Everything this program logs (TRACE) goes to a file that the last test reads. */
    char logpath[] = "/tmp/tpd-creds-log-XXXXXX";
    int fd = mkstemp(logpath);
    if (fd < 0) {
        return 1;
    }
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    tpd_log_set_level(TPD_LOG_TRACE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_web_identity, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_role_chains, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_sso, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_sso_parsers, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_client_chain, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_account_guard, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup_each, teardown_each),
    };
    int failed = cmocka_run_group_tests_name("sources", tests, NULL, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    /* The secret check reads the log written above. */
    char *log = tt_read_file(logpath, NULL);
    unlink(logpath);
    const char *secrets[] = {"SECRET", "TOKEN", "ACCESSTOKEN", "WEBTOKEN", "SESSIONTOKEN"};
    int leaks = 0;
    for (size_t i = 0; log && i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        /* Secrets in this file are upper-case words ending in SECRET/TOKEN; the log
         * may mention neither. */
        if (strstr(log, secrets[i])) {
            fprintf(stderr, "a secret reached the log: %s\n", secrets[i]);
            leaks++;
        }
    }
    if (log) {
        fputs(log, stderr); /* show what was logged */
    }
    free(log);
    const struct CMUnitTest final[] = {cmocka_unit_test(test_no_secrets_seen)};
    failed += cmocka_run_group_tests_name("secrets", final, NULL, NULL);
    return failed + leaks;
}
