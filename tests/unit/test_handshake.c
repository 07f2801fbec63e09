/* Tests of provider/handshake: cookie, negotiation, base64, the line, the socket dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "handshake.h"
#include "plugin_fixture.h"

static void test_cookie(void **state) {
    (void)state;
    assert_true(tfp_handshake_cookie_ok(TFP_MAGIC_COOKIE_VALUE));
    assert_false(tfp_handshake_cookie_ok(NULL));
    assert_false(tfp_handshake_cookie_ok(""));
    assert_false(tfp_handshake_cookie_ok("d602bf8f"));
    assert_non_null(strstr(tfp_handshake_not_a_plugin_message(), "plugin"));
}

static int s_negotiate(const char *host, const int *ours, size_t n, struct tpd_err *err) {
    int v = -1;
    enum tpd_code rc = tfp_handshake_negotiate(host, ours, n, &v, err);
    return rc == TPD_OK ? v : -(int)rc;
}

static void test_negotiate(void **state) {
    (void)state;
    static const int only6[] = {6};
    static const int both[] = {6, 5};
    struct tpd_err err = {0};
    assert_int_equal(s_negotiate("5,6", only6, 1, &err), 6);
    assert_int_equal(s_negotiate("5,6", both, 2, &err), 6);
    assert_int_equal(s_negotiate("6,5", both, 2, &err), 6);
    assert_int_equal(s_negotiate("5", both, 2, &err), 5);
    assert_int_equal(s_negotiate(" 5 , 6 ", only6, 1, &err), 6);
    assert_int_equal(s_negotiate("6", only6, 1, &err), 6);
    /* Not said: the plugin's default (go-plugin uses its configured version). */
    assert_int_equal(s_negotiate(NULL, only6, 1, &err), 6);
    assert_int_equal(s_negotiate("", both, 2, &err), 6);

    assert_int_equal(s_negotiate("4", only6, 1, &err), -(int)TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "Terraform speaks versions 4"));
    assert_non_null(strstr(err.msg, "speaks 6"));
    tpd_err_clear(&err);
    assert_int_equal(s_negotiate("5", only6, 1, &err), -(int)TPD_E_INVALID);
    tpd_err_clear(&err);
    assert_int_equal(s_negotiate("six", only6, 1, &err), -(int)TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "not a comma-separated list"));
    tpd_err_clear(&err);
    assert_int_equal(s_negotiate("5,,6", only6, 1, &err), -(int)TPD_E_INVALID);
    tpd_err_clear(&err);
    assert_int_equal(s_negotiate("6x", only6, 1, &err), -(int)TPD_E_INVALID);
    tpd_err_clear(&err);
    assert_int_equal(s_negotiate("99999999999", only6, 1, &err), -(int)TPD_E_INVALID);
    tpd_err_clear(&err);
}

static void s_check_b64(const char *in, const char *want) {
    struct tpd_buf out;
    tpd_buf_init(&out, 0);
    assert_int_equal(tfp_base64_raw_std(tpd_span_cstr(in), &out), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&out), want);
    tpd_buf_clear(&out);
}

static void test_base64_raw_std(void **state) {
    (void)state;
    /* RFC 4648 §10 vectors with the padding removed (Go RawStdEncoding). */
    s_check_b64("", "");
    s_check_b64("f", "Zg");
    s_check_b64("fo", "Zm8");
    s_check_b64("foo", "Zm9v");
    s_check_b64("foob", "Zm9vYg");
    s_check_b64("fooba", "Zm9vYmE");
    s_check_b64("foobar", "Zm9vYmFy");
    /* Standard alphabet: '+' and '/', not '-' and '_'. */
    static const uint8_t hi[] = {0xfb, 0xff, 0xbf};
    struct tpd_buf out;
    tpd_buf_init(&out, 0);
    assert_int_equal(tfp_base64_raw_std((struct tpd_span){hi, sizeof(hi)}, &out), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&out), "+/+/");
    tpd_buf_clear(&out);
}

static void test_format_line(void **state) {
    (void)state;
    struct tpd_buf line;
    struct tpd_err err = {0};
    tpd_buf_init(&line, 0);
    assert_int_equal(
        tfp_handshake_format(6, "/tmp/x/plugin.sock", (struct tpd_span){NULL, 0}, &line, &err),
        TPD_OK);
    assert_string_equal(tpd_buf_cstr(&line), "1|6|unix|/tmp/x/plugin.sock|grpc|\n");
    tpd_buf_reset(&line);
    assert_int_equal(tfp_handshake_format(5, "/s", TPD_SPAN_LIT("foobar!"), &line, &err), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&line), "1|5|unix|/s|grpc|Zm9vYmFyIQ\n");
    /* A '|' in the path would shift the fields the host splits. */
    tpd_buf_reset(&line);
    assert_int_equal(
        tfp_handshake_format(6, "/tmp/a|b", (struct tpd_span){NULL, 0}, &line, &err),
        TPD_E_INVALID);
    assert_int_equal(line.len, 0);
    tpd_err_clear(&err);
    tpd_buf_clear(&line);
}

static void test_socket_dir(void **state) {
    (void)state;
    char parent[] = "/tmp/tpd-hs-test.XXXXXX";
    assert_non_null(mkdtemp(parent));
    struct tfp_socket_dir d = {0};
    struct tpd_err err = {0};
    assert_int_equal(tfp_socket_dir_create(parent, &d, &err), TPD_OK);
    assert_memory_equal(d.dir, parent, strlen(parent));
    assert_non_null(strstr(d.path, "/plugin.sock"));
    struct stat st;
    assert_int_equal(stat(d.dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    char *dir = strdup(d.dir);
    tfp_socket_dir_remove(&d);
    assert_null(d.dir);
    assert_int_not_equal(stat(dir, &st), 0);
    free(dir);
    tfp_socket_dir_remove(&d); /* idempotent on a cleared struct */

    /* PLUGIN_UNIX_SOCKET_DIR is honoured when no parent is given. */
    setenv("PLUGIN_UNIX_SOCKET_DIR", parent, 1);
    assert_int_equal(tfp_socket_dir_create(NULL, &d, &err), TPD_OK);
    assert_memory_equal(d.dir, parent, strlen(parent));
    tfp_socket_dir_remove(&d);
    unsetenv("PLUGIN_UNIX_SOCKET_DIR");

    /* Too long for sockaddr_un: refused with a clear message, nothing created. */
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(tfp_socket_dir_create(longp, &d, &err), TPD_E_TOO_LARGE);
    assert_non_null(strstr(err.msg, "too long"));
    assert_null(d.dir);
    tpd_err_clear(&err);

    /* Missing parent: TPD_E_IO. */
    assert_int_equal(tfp_socket_dir_create("/nonexistent-tpd-dir", &d, &err), TPD_E_IO);
    tpd_err_clear(&err);
    assert_int_equal(rmdir(parent), 0);
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie),
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_base64_raw_std),
        cmocka_unit_test(test_format_line),
        cmocka_unit_test(test_socket_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
