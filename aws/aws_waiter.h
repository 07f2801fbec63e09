/*
 * aws_waiter: polling until a CloudFormation resource settles.
 *
 * Acceptors are those of botocore's cloudformation waiters-2.json
 * (ChangeSetCreateComplete, StackCreateComplete, StackUpdateComplete,
 * StackImportComplete, StackDeleteComplete), but the cadence is adaptive instead of
 * a fixed 30 s: the first check after first_delay (default 1 s), then ×factor
 * (default 1.5) up to max_delay (default 5 s). A deadline ends the wait with
 * TPD_E_TIMEOUT naming the last status; the stop flag ends it with TPD_E_STOPPED,
 * checked between polls and during sleeps. A progress callback (else an INFO log
 * line) reports each status change.
 *
 * Results: TPD_OK on a success state; TPD_E_FAILED on a failure state (err holds the
 * status and reason); an error of the poll call otherwise (throttling is waited
 * out). The final object is returned in *final when given, also on failure.
 * Ownership: final is caller storage freed with its _clear function.
 * Threads: each wait is independent; many may run at once on one client.
 */
#ifndef AWS_WAITER_H
#define AWS_WAITER_H

#include <stdbool.h>
#include <stdint.h>

#include "cfn.h"
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

/* Delay before poll number n (n = 1 is the first poll). Pure; for tests. */
int64_t aws_waiter_delay_ns(const struct aws_wait_options *o, int n);

enum aws_waiter_state { AWS_WAITER_RETRY, AWS_WAITER_SUCCESS, AWS_WAITER_FAILURE };

enum cfn_stack_waiter {
    CFN_WAIT_STACK_CREATE_COMPLETE,
    CFN_WAIT_STACK_UPDATE_COMPLETE,
    CFN_WAIT_STACK_IMPORT_COMPLETE,
    CFN_WAIT_STACK_DELETE_COMPLETE
};

/* Acceptor decision for a stack status (NULL status = "does not exist"). Pure. */
enum aws_waiter_state cfn_stack_waiter_decide(enum cfn_stack_waiter w, const char *status);
/* Acceptor decision for ChangeSetCreateComplete. Pure. */
enum aws_waiter_state cfn_change_set_waiter_decide(const char *status);

/* Wait for a change set to reach CREATE_COMPLETE (success) or FAILED (TPD_E_FAILED;
 * use cfn_change_set_is_empty on *final to recognise the empty change set). */
enum tpd_code cfn_wait_change_set_create_complete(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    const struct aws_wait_options *o,
    struct cfn_change_set *final,
    struct tpd_err *err);

/* Wait for a stack; delete: "does not exist" is success (final then zeroed). */
enum tpd_code cfn_wait_stack(
    struct aws_client *c,
    const char *stack,
    enum cfn_stack_waiter w,
    const struct aws_wait_options *o,
    struct cfn_stack *final,
    struct tpd_err *err);

#endif
