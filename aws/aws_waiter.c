/* aws_waiter: the poll loop of every wait (see aws_waiter.h). */
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

/* Report a change of status. *last keeps the status last reported (heap); when it
 * cannot be copied the next report may repeat, which is harmless. */
static void s_progress(
    const struct aws_wait_options *o,
    const char *label,
    const char *status,
    const char *reason,
    char **last) {
    if (*last && status && strcmp(*last, status) == 0) {
        return;
    }
    free(*last);
    *last = status ? tpd_strdup(status) : NULL;
    if (o && o->progress) {
        o->progress(o->progress_ud, label, status, reason);
    } else {
        TPD_INFO(
            "%s: %s%s%s",
            label,
            status ? status : "(gone)",
            reason ? " - " : "",
            reason ? reason : "");
    }
}

int64_t aws_waiter_jitter_ns(int64_t delay_ns, double rand01) {
    if (rand01 < 0) {
        rand01 = 0;
    }
    if (rand01 > 1) {
        rand01 = 1;
    }
    double f = 1.0 - AWS_WAITER_JITTER + 2.0 * AWS_WAITER_JITTER * rand01;
    return (int64_t)((double)delay_ns * f);
}

/* The wait's deadline: its own, or the thread's operation deadline, the earlier. */
static int64_t s_deadline(const struct aws_wait_options *o) {
    return tpd_deadline_min(o ? o->deadline_ns : 0, tpd_deadline());
}

enum tpd_code aws_waiter_sleep(struct aws_client *c, const struct aws_wait_options *o, int n) {
    struct tpd_stop *stop = o && o->stop ? o->stop : aws_client_stop(c);
    int64_t deadline = s_deadline(o);
    if (stop && tpd_stop_requested(stop)) {
        return TPD_E_STOPPED;
    }
    if (deadline && tpd_now_ns() >= deadline) {
        return TPD_E_TIMEOUT;
    }
    /* Jitter spreads the polls of many waits that started together (60 stacks applied at
     * once) over time, so they do not reach the account's rate limit in bursts. */
    int64_t delay = aws_waiter_jitter_ns(aws_waiter_delay_ns(o, n), aws_client_rand01(c));
    return tpd_sleep(stop, delay, deadline);
}

/* Sleep before the next poll; returns TPD_OK, TPD_E_STOPPED or TPD_E_TIMEOUT. */
static enum tpd_code s_pause(struct aws_client *c, const struct aws_wait_options *o, int n) {
    if (o && o->poll_first) {
        /* botocore's waiters also call at once: a fast operation is seen without a sleep. */
        if (n == 1) {
            struct tpd_stop *stop = o->stop ? o->stop : aws_client_stop(c);
            int64_t deadline = s_deadline(o);
            if (stop && tpd_stop_requested(stop)) {
                return TPD_E_STOPPED;
            }
            return deadline && tpd_now_ns() >= deadline ? TPD_E_TIMEOUT : TPD_OK;
        }
        n--;
    }
    return aws_waiter_sleep(c, o, n);
}

enum tpd_code aws_wait(
    struct aws_client *c,
    const char *what,
    const char *label,
    const struct aws_wait_options *o,
    aws_wait_check_fn *check,
    void *ctx,
    struct tpd_err *err) {
    char *last = NULL;
    enum tpd_code rc = TPD_OK;
    for (int n = 1;; n++) {
        rc = s_pause(c, o, n);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for %s: %s (last status %s)",
                what,
                rc == TPD_E_STOPPED ? "stopped" : "deadline reached",
                last ? last : "unknown");
            break;
        }
        struct tpd_err e;
        tpd_err_init(&e);
        enum aws_waiter_state state = AWS_WAITER_RETRY;
        const char *status = NULL;
        const char *reason = NULL;
        rc = check(ctx, &state, &status, &reason, &e);
        if (rc == TPD_E_THROTTLED) {
            tpd_err_clear(&e);
            continue;
        }
        if (rc) {
            tpd_err_move(err, &e);
            break;
        }
        s_progress(o, label, status, reason, &last);
        if (state == AWS_WAITER_FAILURE) {
            rc = e.code != TPD_OK ? e.code : TPD_E_FAILED;
            if (e.code == TPD_OK) {
                tpd_err_set(&e, rc, "%s is %s", what, status ? status : "gone");
            }
            tpd_err_move(err, &e);
            break;
        }
        tpd_err_clear(&e);
        if (state == AWS_WAITER_SUCCESS) {
            break;
        }
    }
    free(last);
    return rc;
}
