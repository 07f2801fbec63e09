/*
 * SigV4: the AWS test suite (tests/vectors/sigv4, header signing, every stage),
 * the known answers of docs/aws-behaviour.md §6.2, and random requests compared with
 * botocore's SigV4Auth.
 */
#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_sigv4.h"
#include "test_util.h"

#define MAX_HDRS 32

struct parsed_req {
    char *text; /* owns everything below */
    struct aws_sigv4_header hdrs[MAX_HDRS];
    char *hvals[MAX_HDRS]; /* folded values (heap) */
    size_t nh;
    struct aws_sigv4_request req;
};

static void parsed_free(struct parsed_req *p) {
    for (size_t i = 0; i < p->nh; i++) {
        free(p->hvals[i]);
    }
    free(p->text);
}

/* request.txt: "METHOD URI HTTP/1.1", header lines (continuations start with
 * whitespace), blank line, body. */
static int parse_request(char *text, size_t len, struct parsed_req *p) {
    memset(p, 0, sizeof(*p));
    p->text = text;
    char *end = text + len;
    char *nl = memchr(text, '\n', len);
    char *line_end = nl ? nl : end;
    char *sp = memchr(text, ' ', (size_t)(line_end - text));
    if (!sp) {
        return -1;
    }
    p->req.method = (struct tpd_span){(const uint8_t *)text, (size_t)(sp - text)};
    char *uri = sp + 1;
    char *http = line_end;
    while (http > uri && memcmp(http - 1, " HTTP/", 6) != 0) {
        http--;
    }
    char *uri_end = http - 1;
    char *q = memchr(uri, '?', (size_t)(uri_end - uri));
    p->req.path = (struct tpd_span){(const uint8_t *)uri, (size_t)((q ? q : uri_end) - uri)};
    if (q) {
        p->req.query = (struct tpd_span){(const uint8_t *)q + 1, (size_t)(uri_end - q - 1)};
    }
    char *cur = nl ? nl + 1 : end;
    while (cur < end) {
        char *e = memchr(cur, '\n', (size_t)(end - cur));
        char *le = e ? e : end;
        if (le == cur) {
            cur = le + 1;
            break;
        }
        if ((*cur == ' ' || *cur == '\t') && p->nh > 0) {
            size_t old = strlen(p->hvals[p->nh - 1]);
            size_t add = (size_t)(le - cur);
            p->hvals[p->nh - 1] = realloc(p->hvals[p->nh - 1], old + add + 2);
            p->hvals[p->nh - 1][old] = '\n';
            memcpy(p->hvals[p->nh - 1] + old + 1, cur, add);
            p->hvals[p->nh - 1][old + 1 + add] = '\0';
        } else {
            char *colon = memchr(cur, ':', (size_t)(le - cur));
            if (!colon || p->nh == MAX_HDRS) {
                return -1;
            }
            p->hdrs[p->nh].name = (struct tpd_span){(const uint8_t *)cur, (size_t)(colon - cur)};
            p->hvals[p->nh] = strndup(colon + 1, (size_t)(le - colon - 1));
            p->nh++;
        }
        cur = e ? e + 1 : end;
    }
    for (size_t i = 0; i < p->nh; i++) {
        p->hdrs[i].value = tpd_span_cstr(p->hvals[i]);
    }
    p->req.headers = p->hdrs;
    p->req.header_count = p->nh;
    if (cur < end) {
        p->req.body = (struct tpd_span){(const uint8_t *)cur, (size_t)(end - cur)};
    }
    return 0;
}

static int64_t parse_iso(const char *s) {
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (sscanf(
            s,
            "%d-%d-%dT%d:%d:%dZ",
            &tm.tm_year,
            &tm.tm_mon,
            &tm.tm_mday,
            &tm.tm_hour,
            &tm.tm_min,
            &tm.tm_sec) != 6) {
        return -1;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static char *case_file(const char *c, const char *f, size_t *len) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/sigv4/%s/%s", TPD_TEST_DATA_DIR, c, f);
    return tt_read_file(path, len);
}

static bool span_eq_text(struct tpd_buf *b, const char *expect) {
    size_t n = strlen(expect);
    while (n > 0 && expect[n - 1] == '\n') {
        n--;
    }
    return b->len == n && memcmp(b->ptr, expect, n) == 0;
}

/* Runs one case; returns true when canonical request, string to sign and signature match. */
static bool run_case(const char *name) {
    size_t len = 0;
    char *ctx_text = case_file(name, "context.json", &len);
    char *req_text = case_file(name, "request.txt", &len);
    char *want_cr = case_file(name, "header-canonical-request.txt", NULL);
    char *want_sts = case_file(name, "header-string-to-sign.txt", NULL);
    char *want_sig = case_file(name, "header-signature.txt", NULL);
    bool ok = false;
    struct parsed_req p;
    memset(&p, 0, sizeof(p));
    json_t *ctx = NULL;
    struct aws_sigv4_result r;
    aws_sigv4_result_init(&r);
    struct tpd_err err;
    tpd_err_init(&err);
    if (!ctx_text || !req_text || !want_cr || !want_sts || !want_sig) {
        free(req_text);
        goto done;
    }
    if (parse_request(req_text, len, &p) != 0) {
        goto done;
    }
    ctx = json_loads(ctx_text, 0, NULL);
    json_t *cr = json_object_get(ctx, "credentials");
    struct aws_sigv4_credentials creds = {
        tpd_span_cstr(json_string_value(json_object_get(cr, "access_key_id"))),
        tpd_span_cstr(json_string_value(json_object_get(cr, "secret_access_key"))),
        tpd_span_cstr(json_string_value(json_object_get(cr, "token"))),
    };
    struct aws_sigv4_params params = {
        .region = json_string_value(json_object_get(ctx, "region")),
        .service = json_string_value(json_object_get(ctx, "service")),
        .time_s = parse_iso(json_string_value(json_object_get(ctx, "timestamp"))),
        .no_normalize = json_is_false(json_object_get(ctx, "normalize")),
        .sign_body = json_is_true(json_object_get(ctx, "sign_body")),
        .omit_session_token = json_is_true(json_object_get(ctx, "omit_session_token")),
    };
    if (aws_sigv4_sign(&p.req, &creds, &params, &r, &err) != TPD_OK) {
        print_message("%s: sign failed: %s\n", name, err.msg);
        goto done;
    }
    ok = span_eq_text(&r.canonical_request, want_cr) && span_eq_text(&r.string_to_sign, want_sts) &&
         span_eq_text(&r.signature, want_sig);
    if (!ok) {
        print_message(
            "%s MISMATCH\n--- got canonical:\n%s\n--- want:\n%s\n",
            name,
            tpd_buf_cstr(&r.canonical_request),
            want_cr);
    }
done:
    json_decref(ctx);
    parsed_free(&p);
    free(ctx_text);
    free(want_cr);
    free(want_sts);
    free(want_sig);
    aws_sigv4_result_clear(&r);
    tpd_err_clear(&err);
    return ok;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_suite_cases(void **state) {
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/vectors/sigv4", TPD_TEST_DATA_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[128];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 128) {
        if (de->d_name[0] != '.' && strcmp(de->d_name, "README.md") != 0) {
            names[n++] = strdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    size_t pass = 0;
    for (size_t i = 0; i < n; i++) {
        bool ok = run_case(names[i]);
        pass += ok;
        if (!ok) {
            print_message("FAIL %s\n", names[i]);
        }
        free(names[i]);
    }
    print_message("SigV4 suite: %zu/%zu header-signing cases pass\n", pass, n);
    assert_true(n >= 38);
    assert_int_equal(pass, n);
}

static void sign_simple(
    const char *host,
    const char *ctype,
    const char *target,
    const char *token,
    const char *service,
    const char *body,
    const char *want_sig) {
    struct aws_sigv4_header h[3];
    size_t nh = 0;
    h[nh++] = (struct aws_sigv4_header){TPD_SPAN_LIT("Content-Type"), tpd_span_cstr(ctype)};
    h[nh++] = (struct aws_sigv4_header){TPD_SPAN_LIT("Host"), tpd_span_cstr(host)};
    if (target) {
        h[nh++] = (struct aws_sigv4_header){TPD_SPAN_LIT("X-Amz-Target"), tpd_span_cstr(target)};
    }
    struct aws_sigv4_request req = {
        TPD_SPAN_LIT("POST"), TPD_SPAN_LIT("/"), {NULL, 0}, h, nh, tpd_span_cstr(body)};
    struct aws_sigv4_credentials c = {
        TPD_SPAN_LIT("AKIDEXAMPLE"),
        TPD_SPAN_LIT("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        tpd_span_cstr(token)};
    struct aws_sigv4_key_cache cache;
    aws_sigv4_key_cache_init(&cache);
    struct aws_sigv4_params p = {
        .region = "us-east-1", .service = service, .time_s = 1440938160, .cache = &cache};
    struct aws_sigv4_result r;
    struct tpd_err err;
    tpd_err_init(&err);
    for (int round = 0; round < 2; round++) { /* second round uses the cached key */
        assert_int_equal(aws_sigv4_sign(&req, &c, &p, &r, &err), TPD_OK);
        assert_string_equal(tpd_buf_cstr(&r.signature), want_sig);
        aws_sigv4_result_clear(&r);
    }
    aws_sigv4_key_cache_clear(&cache);
}

static void test_known_answers(void **state) {
    (void)state;
    sign_simple(
        "dynamodb.us-east-1.amazonaws.com",
        "application/x-amz-json-1.0",
        "DynamoDB_20120810.DescribeTable",
        NULL,
        "dynamodb",
        "{\"TableName\":\"firefly-registration-keys\"}",
        "3f2831ac30d75aebc3aae169a9180a9a087691fb901eec05951fea3f72564a5b");
    sign_simple(
        "127.0.0.1:4566",
        "application/x-amz-json-1.0",
        "DynamoDB_20120810.DescribeTable",
        NULL,
        "dynamodb",
        "{\"TableName\":\"t\"}",
        "24693556c2d5cd7d4cd5e95726d35febeca5aba07c195c892055824f6bdbb2a7");
    sign_simple(
        "cloudformation.us-east-1.amazonaws.com",
        "application/x-www-form-urlencoded; charset=utf-8",
        NULL,
        "SESSIONTOKEN",
        "cloudformation",
        "Action=DescribeStacks&Version=2010-05-15&StackName=firefly-dynamodb-registration-keys",
        "77b0d870bb48c769a429b0a98c0fabbcf349943cd419593004cce535c5531c6c");
}

static void test_no_host_is_error(void **state) {
    (void)state;
    struct aws_sigv4_request req = {
        TPD_SPAN_LIT("GET"), TPD_SPAN_LIT("/"), {NULL, 0}, NULL, 0, {NULL, 0}};
    struct aws_sigv4_credentials c = {TPD_SPAN_LIT("A"), TPD_SPAN_LIT("B"), {NULL, 0}};
    struct aws_sigv4_params p = {.region = "r", .service = "s", .time_s = 0};
    struct aws_sigv4_result r;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(aws_sigv4_sign(&req, &c, &p, &r, &err), TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "Host"));
    tpd_err_clear(&err);
}

/* Random service-shaped requests: our signer vs botocore. */
static void test_against_botocore(void **state) {
    (void)state;
    enum { N = 40 };
    char script[1024];
    snprintf(script, sizeof(script), "%s/aws/sigv4_botocore.py", TPD_TEST_DATA_DIR);
    char in_path[] = "/tmp/tpd_sigv4_inXXXXXX";
    int fd = mkstemp(in_path);
    assert_true(fd >= 0);
    FILE *in = fdopen(fd, "w");
    char *want[N];
    unsigned seed = 12345;
    static const char *const services[] = {"dynamodb", "cloudformation", "sts"};
    static const char *const regions[] = {"us-east-1", "eu-west-3", "cn-north-1", "ap-southeast-2"};
    static const char *const hosts[] = {
        "dynamodb.us-east-1.amazonaws.com",
        "127.0.0.1:4566",
        "localhost:8000",
        "cloudformation.eu-west-3.amazonaws.com"};
    struct aws_sigv4_credentials c = {
        TPD_SPAN_LIT("AKIDEXAMPLE"),
        TPD_SPAN_LIT("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        {NULL, 0}};
    for (int i = 0; i < N; i++) {
        char body[256];
        char hval[64];
        char query[64];
        char url[256];
        int blen = rand_r(&seed) % 200;
        for (int k = 0; k < blen; k++) {
            body[k] = (char)(' ' + rand_r(&seed) % 94);
            if (body[k] == '"' || body[k] == '\\') {
                body[k] = 'x';
            }
        }
        body[blen] = '\0';
        snprintf(hval, sizeof(hval), "  v%d   with  spaces %u ", i, rand_r(&seed) % 1000);
        snprintf(query, sizeof(query), "b=%d&a=x-%d&a=w_%d", i, i, rand_r(&seed) % 9);
        const char *svc = services[i % 3];
        const char *region = regions[rand_r(&seed) % 4];
        const char *host = hosts[rand_r(&seed) % 4];
        bool use_query = i % 4 == 0;
        bool token = i % 2 == 1;
        int64_t t = 1440938160 + (int64_t)(rand_r(&seed) % 100000000);
        snprintf(
            url,
            sizeof(url),
            "%s://%s/%s%s",
            strchr(host, ':') ? "http" : "https",
            host,
            use_query ? "?" : "",
            use_query ? query : "");
        struct aws_sigv4_header h[4] = {
            {TPD_SPAN_LIT("Content-Type"), TPD_SPAN_LIT("application/x-amz-json-1.0")},
            {TPD_SPAN_LIT("Host"), tpd_span_cstr(host)},
            {TPD_SPAN_LIT("X-Custom-Thing"), tpd_span_cstr(hval)},
            {TPD_SPAN_LIT("User-Agent"), TPD_SPAN_LIT("tpd-test")},
        };
        struct aws_sigv4_request req = {
            TPD_SPAN_LIT("POST"),
            TPD_SPAN_LIT("/"),
            use_query ? tpd_span_cstr(query) : (struct tpd_span){NULL, 0},
            h,
            4,
            tpd_span_cstr(body)};
        c.session_token =
            token ? TPD_SPAN_LIT("FQoGZXIvYXdzEXAMPLE//token+=") : (struct tpd_span){NULL, 0};
        struct aws_sigv4_params p = {.region = region, .service = svc, .time_s = t};
        struct aws_sigv4_result r;
        struct tpd_err err;
        tpd_err_init(&err);
        assert_int_equal(aws_sigv4_sign(&req, &c, &p, &r, &err), TPD_OK);
        want[i] = strdup(tpd_buf_cstr(&r.authorization));
        aws_sigv4_result_clear(&r);
        json_t *o = json_pack(
            "{s:s,s:s,s:[[s,s],[s,s],[s,s]],s:s,s:s,s:s,s:s,s:s,s:s,s:I}",
            "method",
            "POST",
            "url",
            url,
            "headers",
            "Content-Type",
            "application/x-amz-json-1.0",
            "X-Custom-Thing",
            hval,
            "User-Agent",
            "tpd-test",
            "body",
            body,
            "ak",
            "AKIDEXAMPLE",
            "sk",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "token",
            token ? "FQoGZXIvYXdzEXAMPLE//token+=" : "",
            "region",
            region,
            "service",
            svc,
            "time",
            (json_int_t)t);
        assert_non_null(o);
        char *line = json_dumps(o, JSON_COMPACT);
        fprintf(in, "%s\n", line);
        free(line);
        json_decref(o);
    }
    fclose(in);
    char cmd[3072];
    const char *py = getenv("PYTHON") ? getenv("PYTHON") : "python3";
    snprintf(cmd, sizeof(cmd), "%s %s < %s", py, script, in_path);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    char line[1024];
    int matched = 0;
    for (int i = 0; i < N; i++) {
        if (!fgets(line, sizeof(line), out)) {
            break;
        }
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, want[i]) == 0) {
            matched++;
        } else {
            print_message("botocore mismatch %d:\n ours %s\n boto %s\n", i, want[i], line);
        }
    }
    int st = pclose(out);
    unlink(in_path);
    for (int i = 0; i < N; i++) {
        free(want[i]);
    }
    print_message("botocore cross-check: %d/%d signatures identical\n", matched, N);
    assert_int_equal(st, 0);
    assert_int_equal(matched, N);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_cases),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_no_host_is_error),
        cmocka_unit_test(test_against_botocore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
