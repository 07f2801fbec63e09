/*
 * aws_budget: the process's API budget. One client-side rate limiter per service and
 * operation ("cloudformation DescribeStacks", "dynamodb DescribeTable", ...), owned by
 * the AWS client and so shared by every resource and thread of the provider process:
 * sixty tables refreshing at once share the account's rate limits instead of each
 * fighting for them (docs/aws-behaviour.md §11).
 *
 * Adaptive, as the SDKs' adaptive retry mode is (botocore retries/adaptive.py,
 * bucket.py, throttling.py; the facts, not the code):
 *   - an operation is not limited until AWS throttles it once;
 *   - from then on every request of that operation takes a token from a bucket that
 *     fills at the allowed rate (at least 0.5 per second, capacity one second's worth);
 *   - each answer adjusts the rate: a throttling answer cuts it to 0.7 x the rate being
 *     sent (CUBIC's multiplicative decrease), other answers grow it along CUBIC's
 *     curve, 0.4 x (t - K)^3 + W_max, t seconds after the last throttle, and never
 *     above twice the rate actually measured (a smoothed count per half second).
 *   - one cut per burst: a throttling answer to a request sent before the operation's
 *     last cut does not cut again (the rate it was sent at is already cut), as TCP's
 *     CUBIC reacts once per window. botocore cuts on every throttling answer, so ten
 *     requests sent at once of which five are throttled cut five times, 0.7^5 = 0.17 x
 *     the rate: a 10-table refresh under AWS's limits sent its five retries 2 s apart
 *     (bench/limits.py, docs/benchmarks.md). A request's ticket from aws_budget_acquire
 *     says which cuts it was sent after.
 * Per operation because AWS limits operations separately (DescribeStacks is reported at
 * about 5 per second, ListTagsOfResource documented at 10, TagResource at 5).
 * Three deliberate differences. The cut once per burst above. The rate clock starts at
 * the half second of the operation's first answer: botocore starts it at the whole
 * second, so an operation whose first answers came in the second half of a second
 * measured one answer over half a second (1.6 per second after smoothing), and a
 * throttle among them cut the rate to 1.12 per second whatever the burst was (a 60-table
 * refresh under AWS's limits then sent one or two DescribeStacks a second for five
 * seconds, bench/limits.py). And botocore measures the sending rate only per completed
 * half second, so a throttle within the first half second of a burst measured 0 and
 * dropped the rate to the 0.5/s floor, and so did every answer after it in that half
 * second (the cap of twice the measured rate); here, once the operation is limited, a
 * half second not yet completed counts as what it holds so far over at least half a
 * second (before the first throttle the rate is unused and kept as botocore's).
 *
 * A wait for a token ends with TPD_E_STOPPED when the stop flag is set, and with
 * TPD_E_TIMEOUT at once when the token would come after the deadline (the caller's
 * deadline, tpd_clock.h): a request never waits past it.
 * With adaptive off (retry_mode "standard") nothing waits; answers are still counted.
 *
 * Ownership: aws_budget_new / aws_budget_free; strings passed in are borrowed.
 * Threads: every function may run on many threads at once (one internal mutex, never
 * held while waiting).
 */
#ifndef AWS_BUDGET_H
#define AWS_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_err.h"

#define AWS_BUDGET_MIN_RATE 0.5  /* tokens per second: the slowest a limited op goes */
#define AWS_BUDGET_BETA 0.7      /* multiplicative decrease on a throttle */
#define AWS_BUDGET_SCALE 0.4     /* CUBIC's scale constant */
#define AWS_BUDGET_SMOOTHING 0.8 /* weight of the newest half second in the measured rate */
#define AWS_BUDGET_BUCKET_S 0.5  /* the measured rate is counted per half second */
#define AWS_BUDGET_MAX_ADJUST 2.0

struct aws_budget;

/* NULL on no memory. adaptive false: acquire never waits (the standard retry mode). */
struct aws_budget *aws_budget_new(bool adaptive) TPD_MUST_CHECK;
void aws_budget_free(struct aws_budget *b);
/* Test hook: the clock (monotonic nanoseconds); NULL = tpd_now_ns. Set before use. */
void aws_budget_set_clock(struct aws_budget *b, int64_t (*now_ns)(void));

/* Which of an operation's cuts a request was sent after (aws_budget_acquire hands it
 * out, aws_budget_record takes it back). AWS_BUDGET_TICKET_NOW: sent after every cut so
 * far (a caller that does not track its requests: every throttle cuts, as botocore's). */
typedef uint64_t aws_budget_ticket;
#define AWS_BUDGET_TICKET_NOW UINT64_MAX

/*
 * Take a token for one request of service/op, waiting for it when the operation is
 * limited (tpd_sleep on stop, never past deadline_ns, 0 = none). TPD_OK, else
 * TPD_E_STOPPED or TPD_E_TIMEOUT with err naming the operation; TPD_E_NOMEM when the
 * operation's entry cannot be made (the request is then not limited: err untouched and
 * TPD_OK, since a budget is an optimisation, never a reason to fail).
 */
enum tpd_code aws_budget_acquire(
    struct aws_budget *b,
    const char *service,
    const char *op,
    struct tpd_stop *stop,
    int64_t deadline_ns,
    aws_budget_ticket *ticket,
    struct tpd_err *err) TPD_MUST_CHECK;

/* An answer of service/op arrived; throttled when AWS throttled it; ticket the request's
 * from aws_budget_acquire. Adjusts the rate (a throttle cuts it only when the request was
 * sent after the last cut). */
void aws_budget_record(
    struct aws_budget *b,
    const char *service,
    const char *op,
    bool throttled,
    aws_budget_ticket ticket);

/* What the budget knows of service/op: the allowed rate (requests per second; 0 when
 * the operation is not limited) and the throttling answers it received. */
struct aws_budget_op_stats {
    double rate;
    double bucket_rate; /* the bucket's fill rate, kept up to date also while not limited */
    uint64_t throttles;
    uint64_t cuts; /* throttles that cut the rate (the others came from one burst) */
    uint64_t answers;
};
void aws_budget_op(
    struct aws_budget *b, const char *service, const char *op, struct aws_budget_op_stats *out);

/* Totals since the budget was made: throttling answers received, requests that waited
 * for a token, and the time they waited. */
struct aws_budget_stats {
    uint64_t throttles;
    uint64_t delayed;
    int64_t waited_ns;
};
void aws_budget_stats(struct aws_budget *b, struct aws_budget_stats *out);

#endif
