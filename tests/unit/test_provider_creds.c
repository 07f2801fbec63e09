/*
 * The provider's credential settings: validation of allowed_account_ids /
 * forbidden_account_ids, shared_*_files, sts_region and assume_role's duration and
 * policy; and the account guard at ConfigureProvider against a loopback STS fake:
 * a refusal is an error on the attribute that refused and nothing but
 * GetCallerIdentity is sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "fake_http_server.h"
#include "provider.h"
#include "test_util.h"
#include "tfv.h"
#include "validate.h"

static struct tfv *s_set(const char *a, const char *b) {
    struct tfv *s = tfv_new_set();
    tfv_list_append(s, tfv_new_string(a));
    if (b) {
        tfv_list_append(s, tfv_new_string(b));
    }
    return s;
}

static void s_expect(struct tfv *cfg, const char *want_path, const char *want_detail) {
    struct diag_list d;
    diag_list_init(&d);
    validate_provider_config(cfg, &d);
    if (want_path == NULL) {
        for (size_t i = 0; i < d.count; i++) {
            print_message("diag: %s: %s\n", d.items[i].summary, d.items[i].detail);
        }
        assert_int_equal(d.count, 0);
    } else {
        if (d.count != 1) {
            print_message("%zu diags\n", d.count);
        }
        assert_int_equal(d.count, 1);
        struct tpd_buf b;
        tpd_buf_init(&b, 0);
        tfv_path_format(&d.items[0].path, &b);
        assert_string_equal(tpd_buf_cstr(&b), want_path);
        if (!strstr(d.items[0].detail, want_detail)) {
            print_message("detail: %s\n", d.items[0].detail);
        }
        assert_non_null(strstr(d.items[0].detail, want_detail));
        tpd_buf_clear(&b);
    }
    diag_list_clear(&d);
    tfv_free(cfg);
}

static struct tfv *s_role(const char *key, const char *value) {
    struct tfv *c = tfv_new_object();
    struct tfv *ar = tfv_new_object();
    tfv_map_set(ar, "role_arn", tfv_new_string("arn:aws:iam::123456789012:role/r"));
    tfv_map_set(ar, key, tfv_new_string(value));
    tfv_map_set(c, "assume_role", ar);
    return c;
}

static void test_validation(void **state) {
    (void)state;
    struct tfv *c = tfv_new_object();
    tfv_map_set(c, "allowed_account_ids", s_set("123456789012", "210987654321"));
    tfv_map_set(c, "sts_region", tfv_new_string("us-west-2"));
    struct tfv *files = tfv_new_list();
    tfv_list_append(files, tfv_new_string("/a/config"));
    tfv_map_set(c, "shared_config_files", files);
    s_expect(c, NULL, NULL);

    c = tfv_new_object();
    tfv_map_set(c, "allowed_account_ids", s_set("12345", NULL));
    s_expect(c, "allowed_account_ids", "12 digits");
    c = tfv_new_object();
    tfv_map_set(c, "forbidden_account_ids", s_set("12345678901a", NULL));
    s_expect(c, "forbidden_account_ids", "12 digits");
    c = tfv_new_object();
    tfv_map_set(c, "allowed_account_ids", s_set("123456789012", NULL));
    tfv_map_set(c, "forbidden_account_ids", s_set("210987654321", NULL));
    s_expect(c, "forbidden_account_ids", "not both");
    c = tfv_new_object();
    tfv_map_set(c, "sts_region", tfv_new_string("US East"));
    s_expect(c, "sts_region", "lower-case");
    c = tfv_new_object();
    files = tfv_new_list();
    tfv_list_append(files, tfv_new_string(""));
    tfv_map_set(c, "shared_credentials_files", files);
    s_expect(c, "shared_credentials_files", "file path");
    /* An unknown list (from another resource) is not judged yet. */
    c = tfv_new_object();
    tfv_map_set(c, "allowed_account_ids", tfv_new_unknown());
    tfv_map_set(c, "forbidden_account_ids", s_set("210987654321", NULL));
    s_expect(c, NULL, NULL);

    s_expect(s_role("duration", "1h"), NULL, NULL);
    s_expect(s_role("duration", "12h"), NULL, NULL);
    s_expect(s_role("duration", "10m"), "assume_role", "assume_role.duration");
    s_expect(s_role("duration", "13h"), "assume_role", "15m to 12h");
    s_expect(s_role("duration", "soon"), "assume_role", "15m to 12h");
    s_expect(s_role("policy", "{\"Version\":\"2012-10-17\",\"Statement\":[]}"), NULL, NULL);
    s_expect(s_role("policy", "not json"), "assume_role", "assume_role.policy");
    s_expect(s_role("policy", "[]"), "assume_role", "JSON object");
}

#define IDENTITY(acct)                                                                             \
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::" acct                  \
    ":user/u</Arn><UserId>AIDA</UserId><Account>" acct "</Account></GetCallerIdentityResult>"      \
    "</GetCallerIdentityResponse>"

static struct tfv *s_config(const struct fake_http_server *s, const char *list, struct tfv *ids) {
    char url[3][128];
    snprintf(url[0], sizeof(url[0]), "%s/sts", s->url);
    snprintf(url[1], sizeof(url[1]), "%s/ddb", s->url);
    snprintf(url[2], sizeof(url[2]), "%s/cfn", s->url);
    struct tfv *c = tfv_new_object();
    tfv_map_set(c, "region", tfv_new_string("us-east-1"));
    tfv_map_set(c, "access_key", tfv_new_string("AKIDGUARD"));
    tfv_map_set(c, "secret_key", tfv_new_string("GUARDSECRETKEY"));
    tfv_map_set(c, "max_retries", tfv_new_int(0));
    struct tfv *ep = tfv_new_object();
    tfv_map_set(ep, "sts", tfv_new_string(url[0]));
    tfv_map_set(ep, "dynamodb", tfv_new_string(url[1]));
    tfv_map_set(ep, "cloudformation", tfv_new_string(url[2]));
    tfv_map_set(c, "endpoints", ep);
    if (list) {
        tfv_map_set(c, list, ids);
    }
    return c;
}

static void test_configure_account_guard(void **state) {
    (void)state;
    tt_clear_aws_env();
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    char *home = tt_mkdtemp();
    setenv("HOME", home, 1);
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(fhs_route(&s, "POST", "/sts"), 200, IDENTITY("123456789012"));
    fhs_answer(fhs_route(&s, "POST", "/ddb"), 200, "{}");
    fhs_answer(fhs_route(&s, "POST", "/cfn"), 200, "<R/>");
    assert_int_equal(fhs_start(&s), 0);
    struct {
        const char *list;
        const char *a, *b;
        const char *want_path; /* NULL: accepted */
        int sts_hits;
    } cases[] = {
        {NULL, NULL, NULL, NULL, 0},
        {"allowed_account_ids", "123456789012", "210987654321", NULL, 1},
        {"allowed_account_ids", "111111111111", NULL, "allowed_account_ids", 1},
        {"forbidden_account_ids", "123456789012", NULL, "forbidden_account_ids", 1},
        {"forbidden_account_ids", "111111111111", NULL, NULL, 1},
    };
    int sts_before = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct provider *p = provider_new();
        struct tfv *cfg =
            s_config(&s, cases[i].list, cases[i].list ? s_set(cases[i].a, cases[i].b) : NULL);
        struct diag_list d;
        diag_list_init(&d);
        provider_configure(p, cfg, &d);
        for (size_t k = 0; k < d.count; k++) {
            print_message("case %zu: %s: %s\n", i, d.items[k].summary, d.items[k].detail);
            assert_null(strstr(d.items[k].detail, "GUARDSECRETKEY"));
        }
        if (cases[i].want_path) {
            assert_int_equal(d.count, 1);
            assert_true(d.items[0].has_path);
            struct tpd_buf b;
            tpd_buf_init(&b, 0);
            tfv_path_format(&d.items[0].path, &b);
            assert_string_equal(tpd_buf_cstr(&b), cases[i].want_path);
            tpd_buf_clear(&b);
            assert_non_null(strstr(d.items[0].detail, "account 123456789012"));
        } else {
            assert_int_equal(d.count, 0);
        }
        int hits = fhs_hits(&s, "POST", "/sts");
        assert_int_equal(hits - sts_before, cases[i].sts_hits);
        sts_before = hits;
        diag_list_clear(&d);
        tfv_free(cfg);
        provider_free(p);
    }
    /* Nothing but GetCallerIdentity was ever sent. */
    assert_int_equal(fhs_hits(&s, "POST", "/ddb"), 0);
    assert_int_equal(fhs_hits(&s, "POST", "/cfn"), 0);
    fhs_stop(&s);
    tt_rmtree(home);
    free(home);
    tt_clear_aws_env();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_configure_account_guard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
