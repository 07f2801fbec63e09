/*
 * aws_waiter: the one poll loop behind every wait of the AWS layer (CloudFormation
 * stacks and change sets: cfn_waiter.c; DynamoDB tables: ddb_wait_table).
 *
 * A wait calls a check function until it reports success or failure. The cadence is
 * adaptive instead of botocore's fixed 30 s: the first check after first_delay
 * (default 1 s; at once with poll_first), then x factor (default 1.5) up to max_delay
 * (default 5 s), each delay with a jitter of +-AWS_WAITER_JITTER, so that the polls of
 * waits started together spread out. Every check is a request through the client's
 * request budget (aws_budget.h): once AWS has throttled an operation, its polls go no
 * faster than the budget allows, whatever the cadence. The deadline (the option's, or
 * the thread's operation deadline, tpd_clock.h, the earlier) ends the wait with
 * TPD_E_TIMEOUT naming the last status; the stop flag ends it with TPD_E_STOPPED,
 * checked between checks and during sleeps. Throttling of a check (TPD_E_THROTTLED,
 * after the client's own retries) is waited out at the next, longer delay; any other
 * error of a check ends the wait with that error. A progress callback (else an INFO log
 * line) reports each change of status.
 *
 * Ownership: options are borrowed for the call.
 * Threads: each wait is independent; many may run at once on one client.
 */
#ifndef AWS_WAITER_H
#define AWS_WAITER_H

#include <stdbool.h>
#include <stdint.h>

#include "aws_client.h"
#include "tpd_clock.h"

typedef void(aws_waiter_progress_fn)(
    void *ud, const char *what, const char *status, const char *reason);

struct aws_wait_options {
    int64_t first_delay_ns;           /* 0 = 1 s */
    int64_t max_delay_ns;             /* 0 = 5 s */
    double factor;                    /* 0 = 1.5 */
    bool poll_first;                  /* check once before the first sleep */
    int64_t deadline_ns;              /* monotonic (tpd_now_ns based); 0 = none */
    struct tpd_stop *stop;            /* NULL = the client's stop flag */
    aws_waiter_progress_fn *progress; /* NULL = INFO log */
    void *progress_ud;
};

/* Delay before poll number n (n = 1 is the first poll), before jitter. Pure. */
int64_t aws_waiter_delay_ns(const struct aws_wait_options *o, int n);

/* A poll delay with its jitter: delay x (1 - J + 2 J rand01), J = AWS_WAITER_JITTER. Pure. */
#define AWS_WAITER_JITTER 0.2
int64_t aws_waiter_jitter_ns(int64_t delay_ns, double rand01);

/* The sleep before poll number n of a loop the caller runs itself (as aws_wait does):
 * the jittered delay of o, ending at o's or the thread's deadline (TPD_E_TIMEOUT, at once
 * when it has passed) or the stop flag (o->stop, else the client's: TPD_E_STOPPED). */
enum tpd_code
aws_waiter_sleep(struct aws_client *c, const struct aws_wait_options *o, int n) TPD_MUST_CHECK;

enum aws_waiter_state { AWS_WAITER_RETRY, AWS_WAITER_SUCCESS, AWS_WAITER_FAILURE };

/*
 * One check. On TPD_OK, *state says whether the wait is over; *status and *reason
 * (may stay NULL; borrowed from ctx until the next check) are reported as progress.
 * With AWS_WAITER_FAILURE the check fills err with the failure (its code is the
 * wait's result; TPD_E_FAILED when it sets none). Any other return ends the wait with
 * that error, except TPD_E_THROTTLED, which is waited out.
 */
typedef enum tpd_code(aws_wait_check_fn)(
    void *ctx,
    enum aws_waiter_state *state,
    const char **status,
    const char **reason,
    struct tpd_err *err);

/*
 * Poll check until success (TPD_OK) or failure. what names the waited-for thing in
 * messages ("waiting for <what>: stopped (last status X)"); label in progress reports.
 * o may be NULL (defaults).
 */
enum tpd_code aws_wait(
    struct aws_client *c,
    const char *what,
    const char *label,
    const struct aws_wait_options *o,
    aws_wait_check_fn *check,
    void *ctx,
    struct tpd_err *err) TPD_MUST_CHECK;

#endif
