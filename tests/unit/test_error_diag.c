/*
 * ttl_table_error_diag: an AWS quota answer (aws/include/aws_quota.h) becomes a diagnostic that
 * says what was hit, when it can be applied again and that nothing was lost, whether it
 * came as DynamoDB's own answer or quoted in a stack's status reason; throttling and
 * other errors keep their plain form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ttl_table_internal.h"

static const char *ON_DEMAND =
    "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s).";

static void test_quota_explained(void **state) {
    (void)state;
    struct diag_list d;
    diag_list_init(&d);
    struct tpd_err err;
    tpd_err_init(&err);
    /* DynamoDB's own answer to a direct UpdateTable */
    tpd_err_set(&err, TPD_E_AWS, "UpdateTable: LimitExceededException: %s (HTTP 400)", ON_DEMAND);
    assert_int_equal(tpd_err_set_aws(&err, 400, "LimitExceededException", "RID1"), TPD_OK);
    err.aws_service = "dynamodb";
    ttl_table_error_diag(&d, "Updating the table", &err, false);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].severity, DIAG_ERROR);
    assert_string_equal(d.items[0].summary, "Updating the table failed");
    const char *t = d.items[0].detail;
    assert_non_null(strstr(t, "switching a table to on-demand"));
    assert_non_null(strstr(t, "24 hours after"));
    assert_non_null(strstr(t, "Nothing was lost"));
    assert_non_null(strstr(t, ON_DEMAND)); /* AWS's words are kept */
    assert_non_null(strstr(t, "Request ID: RID1"));
    /* the same text quoted by CloudFormation in the stack's status reason */
    tpd_err_set(
        &err,
        TPD_E_FAILED,
        "stack s is UPDATE_ROLLBACK_COMPLETE: Table: Resource handler returned message: \"%s\" "
        "(HandlerErrorCode: ServiceLimitExceeded)",
        ON_DEMAND);
    ttl_table_error_diag(&d, "Updating the table's stack", &err, false);
    assert_int_equal(d.count, 2);
    assert_non_null(strstr(d.items[1].detail, "switching a table to on-demand"));
    assert_non_null(strstr(d.items[1].detail, "UPDATE_ROLLBACK_COMPLETE"));
    /* CloudFormation's own LimitExceededException */
    tpd_err_set(&err, TPD_E_AWS, "CreateChangeSet: LimitExceededException: too many stacks");
    assert_int_equal(tpd_err_set_aws(&err, 400, "LimitExceededException", NULL), TPD_OK);
    err.aws_service = "cloudformation";
    ttl_table_error_diag(&d, "Creating the table's stack", &err, false);
    assert_int_equal(d.count, 3);
    assert_non_null(strstr(d.items[2].detail, "CloudFormation account quota"));
    /* throttling is not a quota: the plain error */
    tpd_err_set(&err, TPD_E_THROTTLED, "UpdateTable: after 10 attempts: ThrottlingException");
    assert_int_equal(tpd_err_set_aws(&err, 400, "ThrottlingException", NULL), TPD_OK);
    err.aws_service = "dynamodb";
    ttl_table_error_diag(&d, "Updating the table", &err, false);
    assert_int_equal(d.count, 4);
    assert_null(strstr(d.items[3].detail, "Nothing was lost"));
    assert_non_null(strstr(d.items[3].detail, "AWS error code: ThrottlingException"));
    tpd_err_clear(&err);
    diag_list_clear(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quota_explained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
