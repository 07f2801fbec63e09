/*
 * Wire-level tests of the change-set deployer (aws/cfn_deploy.c) over a fake AWS that
 * answers by operation (tests/support/fake_aws.h): the tokens on every mutating call and
 * their reuse on a retry, lost answers recognised (CreateChangeSet's AlreadyExists,
 * ExecuteChangeSet meeting its own execution), an empty change set deleted and reported
 * empty, `executed` set only once ExecuteChangeSet was accepted, and DeleteStack keeping a
 * resource with RetainResources when the stack is or ends in DELETE_FAILED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfn_deploy.h"
#include "fake_aws.h"
#include "tpd_clock.h"
#include "tpd_log.h"

#define STACK_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/0001"

/* ---- AWS answers ------------------------------------------------------------------- */

static char s_buf[8][4096];
static int s_next;

__attribute__((format(printf, 1, 2))) static const char *s_fmt(const char *fmt, ...) {
    char *b = s_buf[s_next++ % 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof s_buf[0], fmt, ap);
    va_end(ap);
    return b;
}

static const char *s_cfn_error(const char *code, const char *msg) {
    return s_fmt(
        "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
        "<RequestId>r</RequestId></ErrorResponse>",
        code,
        msg);
}

static const char *s_stack(const char *status) {
    return s_fmt(
        "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>" STACK_ID
        "</StackId><StackName>s1</StackName><StackStatus>%s</StackStatus></member></Stacks>"
        "</DescribeStacksResult></DescribeStacksResponse>",
        status);
}

static const char *s_change_set(const char *status, const char *reason, const char *exec) {
    return s_fmt(
        "<DescribeChangeSetResponse><DescribeChangeSetResult><ChangeSetName>cs</ChangeSetName>"
        "<StackId>" STACK_ID
        "</StackId><Status>%s</Status>%s%s%s<ExecutionStatus>%s</ExecutionStatus>"
        "<Changes/></DescribeChangeSetResult></DescribeChangeSetResponse>",
        status,
        reason ? "<StatusReason>" : "",
        reason ? reason : "",
        reason ? "</StatusReason>" : "",
        exec);
}

static const char *const CREATE_CS =
    "<CreateChangeSetResponse><CreateChangeSetResult><Id>arn:aws:cloudformation:us-east-1:"
    "123456789012:changeSet/cs/1</Id><StackId>" STACK_ID
    "</StackId></CreateChangeSetResult></CreateChangeSetResponse>";
static const char *const EXECUTE_OK =
    "<ExecuteChangeSetResponse><ExecuteChangeSetResult/></ExecuteChangeSetResponse>";
static const char *const DELETE_CS_OK =
    "<DeleteChangeSetResponse><DeleteChangeSetResult/></DeleteChangeSetResponse>";
static const char *const DELETE_STACK_OK =
    "<DeleteStackResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
    "</DeleteStackResponse>";
static const char *const NO_EVENTS =
    "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents/>"
    "</DescribeStackEventsResult></DescribeStackEventsResponse>";
static const char *const EMPTY_REASON =
    "The submitted information didn't contain changes. Submit different information to create "
    "a change set.";

/* ---- environment ------------------------------------------------------------------- */

struct env {
    struct fake_aws *fa;
    struct aws_client *aws;
    struct tpd_stop stop;
    struct cfn_deploy_options o;
};

static int s_setup(void **state) {
    struct env *e = calloc(1, sizeof(*e));
    tpd_log_set_level(TPD_LOG_OFF);
    e->fa = fa_new();
    e->aws = fa_client(e->fa, 1);
    tpd_stop_init(&e->stop);
    /* Polls at once, then every millisecond: the fake answers settle immediately. */
    e->o.token_prefix = "tfddb-";
    e->o.description = "terraform-provider-dynamodb";
    e->o.wait.poll_first = true;
    e->o.wait.first_delay_ns = 1000000;
    e->o.wait.max_delay_ns = 1000000;
    e->o.wait.factor = 1.0;
    e->o.wait.stop = &e->stop;
    *state = e;
    return 0;
}

static int s_teardown(void **state) {
    struct env *e = *state;
    aws_client_free(e->aws);
    tpd_stop_clear(&e->stop);
    fa_free(e->fa);
    free(e);
    return 0;
}

static const struct cfn_deploy_input s_create = {
    .stack_name = "s1",
    .type = CFN_CHANGE_SET_CREATE,
    .template_body = "{\"Resources\": {}}",
};

/* The value of a form parameter in a Query body ("Name=value&..."), in buf. */
static const char *s_param(const char *body, const char *name, char *buf, size_t cap) {
    char key[128];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = body;
    while ((p = strstr(p, key)) && p != body && p[-1] != '&') {
        p++;
    }
    if (!p) {
        return NULL;
    }
    p += strlen(key);
    size_t n = strcspn(p, "&");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
    return buf;
}

/* A change set that creates fine and a stack that settles in `final`. */
static void s_deploy_ok(struct fake_aws *fa, const char *final) {
    fa_on(fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(fa, "ExecuteChangeSet", 200, EXECUTE_OK);
    fa_on(fa, "DescribeStacks", 200, s_stack(final));
    fa_on(fa, "DescribeStackEvents", 200, NO_EVENTS);
}

/* ---- deploy ------------------------------------------------------------------------ */

/* Every mutating call carries a token: the change set's name is its ClientToken, and
 * ExecuteChangeSet and DeleteStack carry ClientRequestTokens of this provider. */
static void test_tokens_on_every_mutating_call(void **state) {
    struct env *e = *state;
    s_deploy_ok(e->fa, "CREATE_COMPLETE");
    struct cfn_deploy_result r = {0};
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy(e->aws, &e->o, &s_create, &r, &err), TPD_OK);
    assert_string_equal(fa_ops(e->fa, 1), "CreateChangeSet,ExecuteChangeSet");
    const char *create = fa_body(e->fa, "CreateChangeSet", 0);
    char name[160], token[160], exec[160];
    assert_non_null(s_param(create, "ChangeSetType", name, sizeof name));
    assert_string_equal(name, "CREATE");
    assert_non_null(s_param(create, "ChangeSetName", name, sizeof name));
    assert_non_null(s_param(create, "ClientToken", token, sizeof token));
    assert_string_equal(name, token);
    assert_int_equal(strncmp(name, "tfddb-create-", 13), 0);
    assert_non_null(
        s_param(fa_body(e->fa, "ExecuteChangeSet", 0), "ClientRequestToken", exec, sizeof exec));
    assert_int_equal(strncmp(exec, name, strlen(name)), 0); /* the change set's, "-x" */
    assert_string_equal(exec + strlen(name), "-x");
    assert_true(r.executed);
    assert_false(r.empty);
    assert_string_equal(r.stack_id, STACK_ID);
    assert_string_equal(r.final_status, "CREATE_COMPLETE");
    cfn_deploy_result_clear(&r);
    /* DeleteStack: a token of its own; no RetainResources for a stack not DELETE_FAILED. */
    fa_clear(e->fa, "DescribeStacks");
    fa_on(e->fa, "DescribeStacks", 200, s_stack("CREATE_COMPLETE"));
    fa_on(
        e->fa,
        "DescribeStacks",
        400,
        s_cfn_error("ValidationError", "Stack with id s1 does not exist"));
    fa_on(e->fa, "DeleteStack", 200, DELETE_STACK_OK);
    assert_int_equal(cfn_deploy_delete_stack(e->aws, &e->o, "s1", "Table", &err), TPD_OK);
    const char *del = fa_body(e->fa, "DeleteStack", 0);
    assert_non_null(s_param(del, "ClientRequestToken", token, sizeof token));
    assert_int_equal(strncmp(token, "tfddb-delete-", 13), 0);
    assert_null(strstr(del, "RetainResources"));
    tpd_err_clear(&err);
}

/* The answers to CreateChangeSet and ExecuteChangeSet are lost; each retry is the same
 * request (same name and tokens) and meets its own first attempt: recognised, not
 * repeated or reported. */
static void test_lost_answers_recognised(void **state) {
    struct env *e = *state;
    struct aws_client *aws = fa_client(e->fa, 3); /* retries on, as in production */
    fa_on(e->fa, "CreateChangeSet", 0, NULL);     /* the answer is lost... */
    fa_on(
        e->fa,
        "CreateChangeSet",
        400,
        s_cfn_error(
            "AlreadyExistsException",
            "ChangeSet tfddb-create-1 already exists")); /* ...the retry meets it */
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(
        e->fa,
        "DescribeChangeSet",
        200,
        s_change_set("CREATE_COMPLETE", NULL, "EXECUTE_IN_PROGRESS"));
    fa_on(e->fa, "ExecuteChangeSet", 0, NULL);
    fa_on(
        e->fa,
        "ExecuteChangeSet",
        400,
        s_cfn_error(
            "InvalidChangeSetStatus",
            "ChangeSet cannot be executed in its current execution status of "
            "[EXECUTE_IN_PROGRESS]"));
    fa_on(e->fa, "DescribeStacks", 200, s_stack("CREATE_COMPLETE"));
    struct cfn_deploy_result r = {0};
    struct tpd_err err = {0};
    enum tpd_code rc = cfn_deploy(aws, &e->o, &s_create, &r, &err);
    if (rc) {
        print_message("%s\n", err.msg);
    }
    assert_int_equal(rc, TPD_OK);
    assert_int_equal(fa_count(e->fa, "CreateChangeSet"), 2);
    assert_int_equal(fa_count(e->fa, "ExecuteChangeSet"), 2);
    assert_string_equal(fa_body(e->fa, "CreateChangeSet", 0), fa_body(e->fa, "CreateChangeSet", 1));
    assert_string_equal(
        fa_body(e->fa, "ExecuteChangeSet", 0), fa_body(e->fa, "ExecuteChangeSet", 1));
    assert_true(r.executed);
    assert_string_equal(r.stack_id, STACK_ID);
    cfn_deploy_result_clear(&r);
    tpd_err_clear(&err);
    aws_client_free(aws);
}

/* ExecuteChangeSet refused while the change set was never executed (not a lost answer):
 * the error is reported and nothing claims the stack is changing. */
static void test_execute_refused_is_not_executed(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("CREATE_COMPLETE", NULL, "AVAILABLE"));
    fa_on(e->fa, "ExecuteChangeSet", 400, s_cfn_error("ValidationError", "not allowed now"));
    fa_on(e->fa, "DescribeStackEvents", 200, NO_EVENTS);
    struct cfn_deploy_result r = {0};
    struct tpd_err err = {0};
    assert_int_not_equal(cfn_deploy(e->aws, &e->o, &s_create, &r, &err), TPD_OK);
    assert_non_null(strstr(err.msg, "ExecuteChangeSet"));
    assert_false(r.executed);
    assert_string_equal(r.stack_id, STACK_ID); /* the change set exists */
    cfn_deploy_result_clear(&r);
    tpd_err_clear(&err);
}

/* The change set says "no changes": success, reported empty, the change set deleted
 * (unlike `aws cloudformation deploy`), never executed. */
static void test_empty_change_set_deleted(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(e->fa, "DescribeChangeSet", 200, s_change_set("FAILED", EMPTY_REASON, "UNAVAILABLE"));
    fa_on(e->fa, "DeleteChangeSet", 200, DELETE_CS_OK);
    const struct cfn_deploy_input in = {
        .stack_name = "s1",
        .type = CFN_CHANGE_SET_UPDATE,
        .template_body = "{\"Resources\": {}}",
    };
    struct cfn_deploy_result r = {0};
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy(e->aws, &e->o, &in, &r, &err), TPD_OK);
    assert_true(r.empty);
    assert_false(r.executed);
    assert_string_equal(fa_ops(e->fa, 1), "CreateChangeSet,DeleteChangeSet");
    char a[160], b[160];
    assert_string_equal(
        s_param(fa_body(e->fa, "DeleteChangeSet", 0), "ChangeSetName", a, sizeof a),
        s_param(fa_body(e->fa, "CreateChangeSet", 0), "ChangeSetName", b, sizeof b));
    cfn_deploy_result_clear(&r);
    tpd_err_clear(&err);
}

/* A change set that fails for another reason: an error with CloudFormation's reason, not
 * executed. */
static void test_failed_change_set_is_not_executed(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "CreateChangeSet", 200, CREATE_CS);
    fa_on(
        e->fa,
        "DescribeChangeSet",
        200,
        s_change_set("FAILED", "Template format error: bad resource", "UNAVAILABLE"));
    struct cfn_deploy_result r = {0};
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy(e->aws, &e->o, &s_create, &r, &err), TPD_E_FAILED);
    assert_non_null(strstr(err.msg, "Template format error: bad resource"));
    assert_false(r.executed);
    assert_false(r.empty);
    assert_string_equal(fa_ops(e->fa, 1), "CreateChangeSet");
    cfn_deploy_result_clear(&r);
    tpd_err_clear(&err);
}

/* Executed, then rolled back: a failure, and `executed` (the stack changed, then went
 * back) with the settled status. */
static void test_rolled_back_was_executed(void **state) {
    struct env *e = *state;
    s_deploy_ok(e->fa, "ROLLBACK_COMPLETE");
    struct cfn_deploy_result r = {0};
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy(e->aws, &e->o, &s_create, &r, &err), TPD_E_FAILED);
    assert_true(r.executed);
    assert_string_equal(r.final_status, "ROLLBACK_COMPLETE");
    cfn_deploy_result_clear(&r);
    tpd_err_clear(&err);
}

/* ---- delete ------------------------------------------------------------------------ */

/* A stack already in DELETE_FAILED: RetainResources goes with the first DeleteStack. */
static void test_delete_failed_stack_retains(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "DescribeStacks", 200, s_stack("DELETE_FAILED"));
    fa_on(
        e->fa,
        "DescribeStacks",
        400,
        s_cfn_error("ValidationError", "Stack with id s1 does not exist"));
    fa_on(e->fa, "DeleteStack", 200, DELETE_STACK_OK);
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy_delete_stack(e->aws, &e->o, "s1", "Table", &err), TPD_OK);
    assert_string_equal(fa_ops(e->fa, 1), "DeleteStack");
    assert_non_null(strstr(fa_body(e->fa, "DeleteStack", 0), "RetainResources.member.1=Table"));
    tpd_err_clear(&err);
}

/* A stack that ends in DELETE_FAILED (a protected table): deleted again, keeping it. */
static void test_delete_ending_failed_retries_retaining(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "DescribeStacks", 200, s_stack("UPDATE_COMPLETE"));
    fa_on(e->fa, "DescribeStacks", 200, s_stack("DELETE_FAILED"));
    fa_on(
        e->fa,
        "DescribeStacks",
        400,
        s_cfn_error("ValidationError", "Stack with id s1 does not exist"));
    fa_on(e->fa, "DeleteStack", 200, DELETE_STACK_OK);
    fa_on(e->fa, "DescribeStackEvents", 200, NO_EVENTS);
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy_delete_stack(e->aws, &e->o, "s1", "Table", &err), TPD_OK);
    assert_string_equal(fa_ops(e->fa, 1), "DeleteStack,DeleteStack");
    const char *first = fa_body(e->fa, "DeleteStack", 0),
               *second = fa_body(e->fa, "DeleteStack", 1);
    assert_null(strstr(first, "RetainResources"));
    assert_non_null(strstr(second, "RetainResources.member.1=Table"));
    char a[160], b[160];
    assert_string_not_equal(
        s_param(first, "ClientRequestToken", a, sizeof a),
        s_param(second, "ClientRequestToken", b, sizeof b));
    tpd_err_clear(&err);
}

/* Without a resource to keep, DELETE_FAILED is a failure: nothing is retried. */
static void test_delete_failed_without_retain_fails(void **state) {
    struct env *e = *state;
    fa_on(e->fa, "DescribeStacks", 200, s_stack("DELETE_FAILED"));
    fa_on(e->fa, "DeleteStack", 200, DELETE_STACK_OK);
    fa_on(e->fa, "DescribeStackEvents", 200, NO_EVENTS);
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy_delete_stack(e->aws, &e->o, "s1", NULL, &err), TPD_E_FAILED);
    assert_string_equal(fa_ops(e->fa, 1), "DeleteStack");
    /* No status read before DeleteStack (nothing to keep, RetainResources is not sent):
     * DeleteStack first, then the wait's one DescribeStacks (issue 23). */
    assert_string_equal(fa_ops(e->fa, 0), "DeleteStack,DescribeStacks,DescribeStackEvents");
    tpd_err_clear(&err);
}

/* A stack already gone: success, nothing sent but the attempt. */
static void test_delete_gone_stack_succeeds(void **state) {
    struct env *e = *state;
    fa_on(
        e->fa,
        "DescribeStacks",
        400,
        s_cfn_error("ValidationError", "Stack with id s1 does not exist"));
    fa_on(e->fa, "DeleteStack", 200, DELETE_STACK_OK);
    struct tpd_err err = {0};
    assert_int_equal(cfn_deploy_delete_stack(e->aws, &e->o, "s1", "Table", &err), TPD_OK);
    assert_null(strstr(fa_body(e->fa, "DeleteStack", 0), "RetainResources"));
    tpd_err_clear(&err);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_tokens_on_every_mutating_call),
        T(test_lost_answers_recognised),
        T(test_execute_refused_is_not_executed),
        T(test_empty_change_set_deleted),
        T(test_failed_change_set_is_not_executed),
        T(test_rolled_back_was_executed),
        T(test_delete_failed_stack_retains),
        T(test_delete_ending_failed_retries_retaining),
        T(test_delete_failed_without_retain_fails),
        T(test_delete_gone_stack_succeeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
