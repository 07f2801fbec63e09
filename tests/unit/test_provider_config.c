/*
 * ConfigureProvider and ValidateProviderConfig for the settings that decide how AWS is
 * reached: the region is resolved and checked at configuration time and reported on
 * the `region` attribute (unless skip_region_validation), and the TLS, proxy and
 * retry-mode attributes are validated with their own paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provider.h"
#include "provider_internal.h"
#include "test_util.h"
#include "validate.h"

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    setenv("AWS_CONFIG_FILE", "/nonexistent/tpd/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/tpd/credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    return 0;
}

static struct tfv *config_with_region(struct tfv *region) {
    struct tfv *c = tfv_new_object();
    if (region) {
        tfv_map_set(c, "region", region);
    }
    return c;
}

static char *path_text(const struct diag *d) {
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    if (d->has_path) {
        assert_int_equal(tfv_path_format(&d->path, &b), TPD_OK);
    }
    char *s = tpd_buf_detach(&b);
    assert_non_null(s);
    return s;
}

/* Configure; expect no diagnostic (summary NULL) or exactly one error with summary on
 * path, whose detail contains detail_part. */
static void configure_expect(
    struct tfv *config, const char *summary, const char *path, const char *detail_part) {
    struct provider *p = provider_new();
    assert_non_null(p);
    struct diag_list d;
    diag_list_init(&d);
    provider_configure(p, config, &d);
    for (size_t i = 0; i < d.count; i++) {
        print_message("diag: %s: %s\n", d.items[i].summary, d.items[i].detail);
    }
    if (!summary) {
        assert_int_equal(d.count, 0);
    } else {
        assert_int_equal(d.count, 1);
        assert_int_equal(d.items[0].severity, DIAG_ERROR);
        assert_string_equal(d.items[0].summary, summary);
        char *pt = path_text(&d.items[0]);
        assert_string_equal(pt, path);
        free(pt);
        assert_non_null(strstr(d.items[0].detail, detail_part));
    }
    diag_list_clear(&d);
    tfv_free(config);
    provider_free(p);
}

static void test_region_checked_at_configure(void **state) {
    (void)state;
    configure_expect(config_with_region(tfv_new_string("eu-west-1")), NULL, NULL, NULL);
    configure_expect(
        config_with_region(tfv_new_string("mars-1")),
        "Invalid AWS region",
        "region",
        "\"mars-1\" is not an AWS region");

    struct tfv *c = config_with_region(tfv_new_string("mars-1"));
    tfv_map_set(c, "skip_region_validation", tfv_new_bool(true));
    configure_expect(c, NULL, NULL, NULL);

    setenv("AWS_REGION", "moon-2", 1);
    configure_expect(config_with_region(NULL), "Invalid AWS region", "region", "from AWS_REGION");
    /* The attribute wins over the environment. */
    configure_expect(config_with_region(tfv_new_string("us-east-2")), NULL, NULL, NULL);
    unsetenv("AWS_REGION");
    configure_expect(config_with_region(NULL), "No AWS region", "region", "no AWS region");
    /* Unknown until apply: left to the client, which checks it when it is built. */
    configure_expect(config_with_region(tfv_new_unknown()), NULL, NULL, NULL);
}

static void validate_expect(struct tfv *config, const char *summary, const char *path) {
    struct diag_list d;
    diag_list_init(&d);
    validate_provider_config(config, &d);
    for (size_t i = 0; i < d.count; i++) {
        print_message("diag: %s: %s\n", d.items[i].summary, d.items[i].detail);
    }
    if (!summary) {
        assert_int_equal(d.count, 0);
    } else {
        assert_int_equal(d.count, 1);
        assert_string_equal(d.items[0].summary, summary);
        char *pt = path_text(&d.items[0]);
        assert_string_equal(pt, path);
        free(pt);
    }
    diag_list_clear(&d);
    tfv_free(config);
}

static struct tfv *config_with(const char *key, struct tfv *v) {
    struct tfv *c = tfv_new_object();
    tfv_map_set(c, key, v);
    return c;
}

static void test_network_settings_validated(void **state) {
    (void)state;
    validate_expect(config_with("retry_mode", tfv_new_string("standard")), NULL, NULL);
    validate_expect(config_with("retry_mode", tfv_new_string("adaptive")), NULL, NULL);
    validate_expect(
        config_with("retry_mode", tfv_new_string("legacy")),
        "Unsupported retry mode",
        "retry_mode");
    validate_expect(config_with("max_pool_connections", tfv_new_int(10)), NULL, NULL);
    validate_expect(config_with("max_pool_connections", tfv_new_int(1)), NULL, NULL);
    validate_expect(config_with("max_pool_connections", tfv_new_int(1000)), NULL, NULL);
    validate_expect(
        config_with("max_pool_connections", tfv_new_int(0)),
        "Invalid max_pool_connections",
        "max_pool_connections");
    validate_expect(
        config_with("max_pool_connections", tfv_new_int(1001)),
        "Invalid max_pool_connections",
        "max_pool_connections");
    validate_expect(config_with("max_pool_connections", tfv_new_unknown()), NULL, NULL);
    validate_expect(
        config_with("retry_mode", tfv_new_string("fast")), "Invalid retry mode", "retry_mode");
    validate_expect(config_with("http_proxy", tfv_new_string("http://127.0.0.1:3128")), NULL, NULL);
    validate_expect(
        config_with("https_proxy", tfv_new_string("socks5h://proxy.example.com:1080")), NULL, NULL);
    validate_expect(
        config_with("https_proxy", tfv_new_string("ftp://127.0.0.1")),
        "Invalid proxy URL",
        "https_proxy");
    validate_expect(
        config_with("http_proxy", tfv_new_string("not a url")), "Invalid proxy URL", "http_proxy");
    validate_expect(config_with("no_proxy", tfv_new_string("127.0.0.1,.internal")), NULL, NULL);
    validate_expect(
        config_with("custom_ca_bundle", tfv_new_string("")),
        "Empty custom_ca_bundle",
        "custom_ca_bundle");
    validate_expect(config_with("custom_ca_bundle", tfv_new_string("/etc/ca.pem")), NULL, NULL);
    validate_expect(config_with("retry_mode", tfv_new_unknown()), NULL, NULL);
}

/* max_pool_connections and retry_mode reach the AWS client's options; left out, the
 * client's defaults (botocore's pool of 10, the adaptive mode) apply. */
static void test_pool_and_retry_mode_reach_the_client(void **state) {
    (void)state;
    struct provider *p = provider_new();
    assert_non_null(p);
    struct tfv *c = config_with_region(tfv_new_string("us-east-1"));
    tfv_map_set(c, "max_pool_connections", tfv_new_int(3));
    tfv_map_set(c, "retry_mode", tfv_new_string("standard"));
    struct diag_list d;
    diag_list_init(&d);
    provider_configure(p, c, &d);
    assert_int_equal(d.count, 0);
    struct aws_client_options o;
    provider_client_options(&p->cfg, &p->stop, &o);
    assert_int_equal(o.max_pool_connections, 3);
    assert_string_equal(o.retry_mode, "standard");
    tfv_free(c);
    c = config_with_region(tfv_new_string("us-east-1"));
    provider_configure(p, c, &d);
    assert_int_equal(d.count, 0);
    provider_client_options(&p->cfg, &p->stop, &o);
    assert_int_equal(o.max_pool_connections, 0);
    assert_null(o.retry_mode);
    tfv_free(c);
    diag_list_clear(&d);
    provider_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_checked_at_configure),
        cmocka_unit_test(test_pool_and_retry_mode_reach_the_client),
        cmocka_unit_test(test_network_settings_validated),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
