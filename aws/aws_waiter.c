/*
 * aws_waiter: adaptive polling for change sets and stacks (see aws_waiter.h).
 * The acceptor tables below are botocore's waiters-2.json for CloudFormation
 * (version in the brief), including StackCreateComplete's odd "success" on UPDATE_*
 * states, which covers a stack that was created and updated before the first poll.
 */
#include "aws_waiter.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_log.h"

int64_t aws_waiter_delay_ns(const struct aws_wait_options *o, int n) {
    int64_t first = o && o->first_delay_ns > 0 ? o->first_delay_ns : 1000000000LL;
    int64_t cap = o && o->max_delay_ns > 0 ? o->max_delay_ns : 5000000000LL;
    double f = o && o->factor > 1.0 ? o->factor : 1.5;
    double d = (double)first;
    for (int i = 1; i < n && d < (double)cap; i++) {
        d *= f;
    }
    return d > (double)cap ? cap : (int64_t)d;
}

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

static void s_progress(
    const struct aws_wait_options *o,
    const char *what,
    const char *status,
    const char *reason,
    char **last) {
    if (*last && status && strcmp(*last, status) == 0) {
        return;
    }
    free(*last);
    *last = status ? tpd_strdup(status) : NULL;
    if (o && o->progress) {
        o->progress(o->progress_ud, what, status, reason);
    } else {
        TPD_INFO(
            "%s: %s%s%s",
            what,
            status ? status : "(gone)",
            reason ? " - " : "",
            reason ? reason : "");
    }
}

/* Sleep before the next poll; returns TPD_OK, TPD_E_STOPPED or TPD_E_TIMEOUT. */
static enum tpd_code s_pause(struct aws_client *c, const struct aws_wait_options *o, int n) {
    struct tpd_stop *stop = o && o->stop ? o->stop : aws_client_stop(c);
    int64_t deadline = o ? o->deadline_ns : 0;
    if (stop && tpd_stop_requested(stop)) {
        return TPD_E_STOPPED;
    }
    if (deadline && tpd_now_ns() >= deadline) {
        return TPD_E_TIMEOUT;
    }
    if (o && o->poll_first) {
        /* botocore's waiters also call at once: a fast operation is seen without a sleep. */
        if (n == 1) {
            return TPD_OK;
        }
        n--;
    }
    return tpd_sleep(stop, aws_waiter_delay_ns(o, n), deadline);
}

enum tpd_code cfn_wait_change_set_create_complete(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    const struct aws_wait_options *o,
    struct cfn_change_set *final,
    struct tpd_err *err) {
    struct cfn_change_set cs;
    memset(&cs, 0, sizeof(cs));
    char *last = NULL;
    enum tpd_code rc = TPD_OK;
    if (final) {
        memset(final, 0, sizeof(*final));
    }
    for (int n = 1;; n++) {
        rc = s_pause(c, o, n);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for change set %s of stack %s: %s (last status %s)",
                change_set,
                stack,
                rc == TPD_E_STOPPED ? "stopped" : "deadline reached",
                last ? last : "unknown");
            break;
        }
        cfn_change_set_clear(&cs);
        struct tpd_err e;
        tpd_err_init(&e);
        rc = cfn_describe_change_set(c, stack, change_set, &cs, &e);
        if (rc == TPD_E_THROTTLED) {
            tpd_err_clear(&e);
            continue;
        }
        if (rc) {
            tpd_err_move(err, &e);
            if (tpd_err_is_aws(err, "ValidationError")) {
                err->code = rc = TPD_E_FAILED;
            }
            break;
        }
        s_progress(o, "change set", cs.status, cs.status_reason, &last);
        enum aws_waiter_state st = cfn_change_set_waiter_decide(cs.status);
        if (st == AWS_WAITER_SUCCESS) {
            break;
        }
        if (st == AWS_WAITER_FAILURE) {
            rc = tpd_err_set(
                err,
                TPD_E_FAILED,
                "change set %s of stack %s is %s: %s",
                change_set,
                stack,
                cs.status,
                cs.status_reason ? cs.status_reason : "no reason given");
            break;
        }
    }
    if (final) {
        *final = cs;
    } else {
        cfn_change_set_clear(&cs);
    }
    free(last);
    return rc;
}

enum tpd_code cfn_wait_stack(
    struct aws_client *c,
    const char *stack,
    enum cfn_stack_waiter w,
    const struct aws_wait_options *o,
    struct cfn_stack *final,
    struct tpd_err *err) {
    struct cfn_stack s;
    memset(&s, 0, sizeof(s));
    char *last = NULL;
    enum tpd_code rc = TPD_OK;
    if (final) {
        memset(final, 0, sizeof(*final));
    }
    for (int n = 1;; n++) {
        rc = s_pause(c, o, n);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for stack %s: %s (last status %s)",
                stack,
                rc == TPD_E_STOPPED ? "stopped" : "deadline reached",
                last ? last : "unknown");
            break;
        }
        cfn_stack_clear(&s);
        struct tpd_err e;
        tpd_err_init(&e);
        rc = cfn_describe_stack(c, stack, &s, &e);
        if (rc == TPD_E_THROTTLED) {
            tpd_err_clear(&e);
            continue;
        }
        if (rc == TPD_E_NOT_FOUND) {
            s_progress(o, stack, NULL, NULL, &last);
            if (cfn_stack_waiter_decide(w, NULL) == AWS_WAITER_SUCCESS) {
                tpd_err_clear(&e);
                rc = TPD_OK;
            } else {
                tpd_err_move(err, &e);
            }
            break;
        }
        if (rc) {
            tpd_err_move(err, &e);
            break;
        }
        s_progress(o, stack, s.status, s.status_reason, &last);
        enum aws_waiter_state st = cfn_stack_waiter_decide(w, s.status);
        if (st == AWS_WAITER_SUCCESS) {
            break;
        }
        if (st == AWS_WAITER_FAILURE) {
            rc = tpd_err_set(
                err,
                TPD_E_FAILED,
                "stack %s is %s%s%s",
                stack,
                s.status,
                s.status_reason ? ": " : "",
                s.status_reason ? s.status_reason : "");
            break;
        }
    }
    if (final) {
        *final = s;
    } else {
        cfn_stack_clear(&s);
    }
    free(last);
    return rc;
}
