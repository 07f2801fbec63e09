/*
 * cfn_waiter: CloudFormation waits (see cfn.h) over aws_wait. The acceptor tables
 * below are botocore's waiters-2.json for CloudFormation, including
 * StackCreateComplete's odd "success" on UPDATE_* states, which covers a stack that
 * was created and updated before the first poll.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn.h"
#include "tpd_text.h"

static bool s_in(const char *s, const char *const *list) {
    for (size_t i = 0; s && list[i]; i++) {
        if (strcmp(s, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

enum aws_waiter_state cfn_stack_waiter_decide(enum cfn_stack_waiter w, const char *status) {
    static const char *const create_ok[] = {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_FAILED",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
        NULL};
    static const char *const create_fail[] = {
        "CREATE_FAILED",
        "DELETE_COMPLETE",
        "DELETE_FAILED",
        "ROLLBACK_FAILED",
        "ROLLBACK_COMPLETE",
        NULL};
    static const char *const update_ok[] = {"UPDATE_COMPLETE", NULL};
    static const char *const update_fail[] = {
        "UPDATE_FAILED", "UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE", NULL};
    static const char *const import_ok[] = {"IMPORT_COMPLETE", NULL};
    static const char *const import_fail[] = {
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_IN_PROGRESS",
        "IMPORT_ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_COMPLETE",
        NULL};
    static const char *const delete_ok[] = {"DELETE_COMPLETE", NULL};
    static const char *const delete_fail[] = {
        "DELETE_FAILED",
        "CREATE_FAILED",
        "ROLLBACK_FAILED",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_COMPLETE",
        NULL};
    const char *const *ok;
    const char *const *fail;
    switch (w) {
        case CFN_WAIT_STACK_CREATE_COMPLETE:
            ok = create_ok;
            fail = create_fail;
            break;
        case CFN_WAIT_STACK_UPDATE_COMPLETE:
            ok = update_ok;
            fail = update_fail;
            break;
        case CFN_WAIT_STACK_IMPORT_COMPLETE:
            ok = import_ok;
            fail = import_fail;
            break;
        case CFN_WAIT_STACK_DELETE_COMPLETE:
        default:
            if (!status) {
                return AWS_WAITER_SUCCESS; /* ValidationError "does not exist" */
            }
            ok = delete_ok;
            fail = delete_fail;
            break;
    }
    if (!status) {
        return AWS_WAITER_FAILURE; /* ValidationError for the other waiters */
    }
    if (s_in(status, ok)) {
        return AWS_WAITER_SUCCESS;
    }
    return s_in(status, fail) ? AWS_WAITER_FAILURE : AWS_WAITER_RETRY;
}

enum aws_waiter_state cfn_change_set_waiter_decide(const char *status) {
    if (!status) {
        return AWS_WAITER_FAILURE;
    }
    if (strcmp(status, "CREATE_COMPLETE") == 0) {
        return AWS_WAITER_SUCCESS;
    }
    return strcmp(status, "FAILED") == 0 ? AWS_WAITER_FAILURE : AWS_WAITER_RETRY;
}

/* ---- ChangeSetCreateComplete ------------------------------------------------------ */

struct s_cs_wait {
    struct aws_client *c;
    const char *stack;
    const char *change_set;
    struct cfn_change_set cs; /* the last answer */
};

static enum tpd_code s_check_change_set(
    void *ud,
    enum aws_waiter_state *state,
    const char **status,
    const char **reason,
    struct tpd_err *err) {
    struct s_cs_wait *w = ud;
    cfn_change_set_clear(&w->cs);
    enum tpd_code rc = cfn_describe_change_set(w->c, w->stack, w->change_set, &w->cs, err);
    if (rc) {
        /* The waiter's acceptor: a ValidationError (e.g. the change set is gone) is a
         * failure state, not a transient error. */
        if (rc != TPD_E_THROTTLED && tpd_err_is_aws(err, "ValidationError")) {
            err->code = rc = TPD_E_FAILED;
        }
        return rc;
    }
    *status = w->cs.status;
    *reason = w->cs.status_reason;
    *state = cfn_change_set_waiter_decide(w->cs.status);
    if (*state == AWS_WAITER_FAILURE) {
        tpd_err_set(
            err,
            TPD_E_FAILED,
            "change set %s of stack %s is %s: %s",
            w->change_set,
            w->stack,
            w->cs.status,
            w->cs.status_reason ? w->cs.status_reason : "no reason given");
    }
    return TPD_OK;
}

enum tpd_code cfn_wait_change_set_create_complete(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    const struct aws_wait_options *o,
    struct cfn_change_set *final,
    struct tpd_err *err) {
    struct s_cs_wait w = {c, stack, change_set, {0}};
    if (final) {
        memset(final, 0, sizeof(*final));
    }
    struct tpd_text what;
    tpd_text_init(&what, TPD_MAX_NAME);
    tpd_text_printf(&what, "change set %s of stack %s", change_set, stack);
    enum tpd_code rc = aws_wait(
        c, tpd_text_cstr_or(&what, "the change set"), "change set", o, s_check_change_set, &w, err);
    tpd_text_clear(&what);
    if (final) {
        *final = w.cs;
    } else {
        cfn_change_set_clear(&w.cs);
    }
    return rc;
}

/* ---- stack waits ------------------------------------------------------------------ */

struct s_stack_wait {
    struct aws_client *c;
    const char *stack;
    enum cfn_stack_waiter w;
    struct cfn_stack s; /* the last answer */
};

static enum tpd_code s_check_stack(
    void *ud,
    enum aws_waiter_state *state,
    const char **status,
    const char **reason,
    struct tpd_err *err) {
    struct s_stack_wait *w = ud;
    cfn_stack_clear(&w->s);
    enum tpd_code rc = cfn_describe_stack(w->c, w->stack, &w->s, err);
    if (rc == TPD_E_NOT_FOUND) {
        /* "does not exist": success for a delete, the NOT_FOUND error otherwise. */
        *state = cfn_stack_waiter_decide(w->w, NULL);
        if (*state == AWS_WAITER_SUCCESS) {
            tpd_err_clear(err);
        }
        return TPD_OK;
    }
    if (rc) {
        return rc;
    }
    *status = w->s.status;
    *reason = w->s.status_reason;
    *state = cfn_stack_waiter_decide(w->w, w->s.status);
    if (*state == AWS_WAITER_FAILURE) {
        tpd_err_set(
            err,
            TPD_E_FAILED,
            "stack %s is %s%s%s",
            w->stack,
            w->s.status,
            w->s.status_reason ? ": " : "",
            w->s.status_reason ? w->s.status_reason : "");
    }
    return TPD_OK;
}

enum tpd_code cfn_wait_stack(
    struct aws_client *c,
    const char *stack,
    enum cfn_stack_waiter which,
    const struct aws_wait_options *o,
    struct cfn_stack *final,
    struct tpd_err *err) {
    struct s_stack_wait w = {c, stack, which, {0}};
    if (final) {
        memset(final, 0, sizeof(*final));
    }
    struct tpd_text what;
    tpd_text_init(&what, TPD_MAX_NAME);
    tpd_text_printf(&what, "stack %s", stack);
    enum tpd_code rc =
        aws_wait(c, tpd_text_cstr_or(&what, "the stack"), stack, o, s_check_stack, &w, err);
    tpd_text_clear(&what);
    if (final) {
        *final = w.s;
    } else {
        cfn_stack_clear(&w.s);
    }
    return rc;
}
