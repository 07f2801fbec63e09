/*
 * Unit tests of tpd_text (aws/base/include/tpd_text.h): appends, the sticky failure (a small
 * maximum makes an append fail with TPD_E_TOO_LARGE; every later append is a no-op and
 * the end reports the failure), out of memory, and tpd_text_finish.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tpd_alloc.h"
#include "tpd_text.h"

static void test_appends(void **state) {
    (void)state;
    struct tpd_text t = {0}; /* a zeroed text is empty, default limit */
    assert_true(tpd_text_is_empty(&t));
    assert_string_equal(tpd_text_cstr(&t), "");
    tpd_text_append(&t, "index ");
    tpd_text_printf(&t, "%s (%d)", "by_status", 2);
    tpd_text_append_span(&t, TPD_SPAN_LIT("; "));
    tpd_text_append(&t, NULL); /* nothing */
    assert_false(tpd_text_failed(&t));
    assert_false(tpd_text_is_empty(&t));
    assert_string_equal(tpd_text_cstr(&t), "index by_status (2); ");
    assert_int_equal(tpd_text_len(&t), strlen("index by_status (2); "));
    assert_string_equal(tpd_text_cstr_or(&t, "lost"), "index by_status (2); ");

    struct tpd_buf out;
    tpd_buf_init(&out, 0);
    assert_int_equal(tpd_buf_append_cstr(&out, "> "), TPD_OK);
    assert_int_equal(tpd_text_finish(&t, &out), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&out), "> index by_status (2); ");
    assert_true(tpd_text_is_empty(&t)); /* finished: empty, reusable */
    tpd_text_append(&t, "again");
    assert_string_equal(tpd_text_cstr(&t), "again");
    tpd_text_clear(&t);
    tpd_buf_clear(&out);
}

static void test_too_large_sticks(void **state) {
    (void)state;
    struct tpd_text t;
    tpd_text_init(&t, 8);
    tpd_text_append(&t, "12345");
    tpd_text_printf(&t, "%s", "6789"); /* 9 bytes > 8: fails, text unchanged */
    assert_true(tpd_text_failed(&t));
    assert_int_equal(t.rc, TPD_E_TOO_LARGE);
    assert_string_equal(tpd_text_cstr(&t), "12345");
    /* Later appends that would fit do nothing: no text with a hole in it. */
    tpd_text_append(&t, "a");
    tpd_text_printf(&t, "%d", 1);
    tpd_text_append_span(&t, TPD_SPAN_LIT("b"));
    assert_string_equal(tpd_text_cstr(&t), "12345");
    assert_int_equal(t.rc, TPD_E_TOO_LARGE);
    assert_false(tpd_text_is_empty(&t));
    assert_string_equal(tpd_text_cstr_or(&t, "lost"), "lost");

    /* The end reports it and leaves the destination as it was. */
    struct tpd_buf out;
    tpd_buf_init(&out, 0);
    assert_int_equal(tpd_buf_append_cstr(&out, "kept"), TPD_OK);
    assert_int_equal(tpd_text_finish(&t, &out), TPD_E_TOO_LARGE);
    assert_string_equal(tpd_buf_cstr(&out), "kept");
    assert_false(tpd_text_failed(&t)); /* finished: empty again */
    assert_true(tpd_text_is_empty(&t));
    tpd_buf_clear(&out);

    /* A first append that fails leaves no byte, and the text is still not empty. */
    tpd_text_append(&t, "123456789");
    assert_int_equal(tpd_text_len(&t), 0);
    assert_false(tpd_text_is_empty(&t));
    tpd_text_clear(&t);
    assert_true(tpd_text_is_empty(&t));
}

static void test_out_of_memory(void **state) {
    (void)state;
    struct tpd_text t;
    tpd_text_init(&t, 0);
    tpd_alloc_fail_at(1, false); /* the first allocation only */
    tpd_text_append(&t, "first");
    assert_true(tpd_alloc_failed());
    tpd_text_append(&t, "second"); /* would succeed: the text already failed */
    tpd_alloc_fail_at(0, false);
    assert_int_equal(t.rc, TPD_E_NOMEM);
    assert_int_equal(tpd_text_len(&t), 0);
    struct tpd_buf out;
    tpd_buf_init(&out, 0);
    assert_int_equal(tpd_text_finish(&t, &out), TPD_E_NOMEM);
    assert_int_equal(out.len, 0);
    tpd_buf_clear(&out);
}

static void test_parts_and_destination(void **state) {
    (void)state;
    /* A failed part fails the whole. */
    struct tpd_text part, whole;
    tpd_text_init(&part, 4);
    tpd_text_init(&whole, 0);
    tpd_text_append(&part, "ab");
    tpd_text_append(&part, "cde");
    tpd_text_append(&whole, "list: ");
    tpd_text_append_text(&whole, &part);
    assert_int_equal(whole.rc, TPD_E_TOO_LARGE);
    assert_string_equal(tpd_text_cstr(&whole), "list: ");
    tpd_text_clear(&part);
    tpd_text_clear(&whole);

    /* A good part is appended; tpd_text_fail keeps the first failure only. */
    tpd_text_append(&part, "ab");
    tpd_text_append_text(&whole, &part);
    assert_string_equal(tpd_text_cstr(&whole), "ab");
    tpd_text_fail(&whole, TPD_OK);
    assert_false(tpd_text_failed(&whole));
    tpd_text_fail(&whole, TPD_E_INTERNAL);
    tpd_text_fail(&whole, TPD_E_NOMEM);
    assert_int_equal(whole.rc, TPD_E_INTERNAL);
    tpd_text_clear(&part);
    tpd_text_clear(&whole);

    /* The destination's own maximum counts at the end. */
    struct tpd_buf out;
    tpd_buf_init(&out, 3);
    tpd_text_append(&whole, "four");
    assert_int_equal(tpd_text_finish(&whole, &out), TPD_E_TOO_LARGE);
    assert_int_equal(out.len, 0);
    assert_true(tpd_text_is_empty(&whole));
    tpd_buf_clear(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_too_large_sticks),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_parts_and_destination),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
