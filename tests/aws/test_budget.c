/*
 * The request budget (aws_budget.h): its rates against botocore's adaptive mode on the
 * same answers; no limit before a throttle; waits that never pass the deadline and end
 * on the stop flag; one budget shared by every thread of a client (a throttled call is
 * retried within it, other callers of the same operation are paced by it, other
 * operations are not); retries that never pass the operation's deadline; waiter polls
 * that back off, with jitter, through the budget. The budget's clock is a fake one, so
 * what is asserted does not depend on the machine's speed. Also run under
 * ThreadSanitizer (scripts/tsan.sh).
 */
// tpd-test-labels: tsan
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_budget.h"
#include "aws_client.h"
#include "aws_waiter.h"
#include "cfn.h"
#include "ddb.h"
#include "fake_transport.h"
#include "test_util.h"

static atomic_llong g_ns = 100LL * 1000000000LL;

static int64_t fake_ns(void) {
    return (int64_t)atomic_load(&g_ns);
}

static void set_s(double s) {
    atomic_store(&g_ns, (long long)llround(s * 1e9));
}

/* A budget on the fake clock, made at s seconds. */
static struct aws_budget *budget_at(bool adaptive, double s) {
    set_s(s);
    struct aws_budget *b = aws_budget_new(adaptive);
    assert_non_null(b);
    aws_budget_set_clock(b, fake_ns);
    return b;
}

/* n DescribeStacks sent at once (none waits: no deadline, tokens enough or not limited),
 * their tickets in tickets. */
static void send_burst(struct aws_budget *b, aws_budget_ticket *tickets, int n) {
    for (int i = 0; i < n; i++) {
        assert_int_equal(
            aws_budget_acquire(b, "cloudformation", "DescribeStacks", NULL, 0, &tickets[i], NULL),
            TPD_OK);
    }
}

/* ---- the rates, against botocore -------------------------------------------------- */

/* A deterministic sequence of answers (times, throttled): bursts, gaps and throttles,
 * the first throttle after a completed half second (aws_budget.h: before that, this
 * budget deliberately differs). */
#define N_EVENTS 400
static void make_events(double *t, int *thr) {
    unsigned x = 12345;
    double now = 100.0;
    for (int i = 0; i < N_EVENTS; i++) {
        x = x * 1103515245u + 12345u;
        unsigned r = (x >> 16) & 0x7fff;
        now += (r % 100 < 70) ? 0.01 * (double)(r % 7) : 0.05 * (double)(r % 11);
        t[i] = now;
        thr[i] = now > 101.2 && r % 10 == 0;
    }
}

static void test_rates_match_botocore(void **state) {
    (void)state;
    double t[N_EVENTS];
    int thr[N_EVENTS];
    make_events(t, thr);
    char in[] = "/tmp/tpd-budget-XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < N_EVENTS; i++) {
        fprintf(f, "%.6f %d\n", t[i], thr[i]);
    }
    fclose(f);
    char cmd[1024];
    const char *py = getenv("PYTHON") ? getenv("PYTHON") : "python3";
    snprintf(cmd, sizeof(cmd), "%s %s/aws/budget_botocore.py < %s", py, TPD_TEST_DATA_DIR, in);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    struct aws_budget *b = aws_budget_new(true);
    assert_non_null(b);
    aws_budget_set_clock(b, fake_ns);
    int throttles = 0;
    for (int i = 0; i < N_EVENTS; i++) {
        double want = 0;
        assert_int_equal(fscanf(out, "%lf", &want), 1);
        set_s(t[i]);
        aws_budget_record(
            b, "cloudformation", "DescribeStacks", thr[i] != 0, AWS_BUDGET_TICKET_NOW);
        throttles += thr[i];
        struct aws_budget_op_stats st;
        aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
        if (fabs(st.bucket_rate - want) > 1e-9 * fmax(1.0, want)) {
            fail_msg(
                "answer %d at %.3f s: rate %.12g, botocore %.12g", i, t[i], st.bucket_rate, want);
        }
    }
    assert_int_equal(pclose(out), 0);
    assert_true(throttles > 10);
    struct aws_budget_stats bs;
    aws_budget_stats(b, &bs);
    assert_int_equal(bs.throttles, (uint64_t)throttles);
    aws_budget_free(b);
    unlink(in);
}

/* Nothing is limited before AWS throttles it: any number of requests pass at once, also
 * with a deadline that allows no wait; the standard mode never limits. */
static void test_no_limit_before_throttle(void **state) {
    (void)state;
    struct aws_budget *b = budget_at(true, 100.0);
    int64_t soon = tpd_now_ns() + 1;
    aws_budget_ticket tk = 0;
    for (int i = 0; i < 100; i++) {
        aws_budget_record(b, "dynamodb", "DescribeTable", false, AWS_BUDGET_TICKET_NOW);
        assert_int_equal(
            aws_budget_acquire(b, "dynamodb", "DescribeTable", NULL, soon, &tk, NULL), TPD_OK);
    }
    struct aws_budget_op_stats st;
    aws_budget_op(b, "dynamodb", "DescribeTable", &st);
    assert_true(st.rate == 0);
    assert_int_equal(st.answers, 100);
    aws_budget_free(b);
    struct aws_budget *s = aws_budget_new(false);
    assert_non_null(s);
    aws_budget_set_clock(s, fake_ns);
    aws_budget_record(s, "dynamodb", "DescribeTable", true, AWS_BUDGET_TICKET_NOW);
    assert_int_equal(
        aws_budget_acquire(s, "dynamodb", "DescribeTable", NULL, soon, &tk, NULL), TPD_OK);
    aws_budget_free(s);
}

/* A burst throttled within its first half second (a refresh of ten tables: ten
 * DescribeStacks at once, five throttled) keeps a usable rate for the retries that follow
 * in the same half second: botocore's cap of twice the measured rate (0, no half second
 * completed) dropped it to the 0.5/s floor, so the five retries took 2 s each (a no-op
 * plan of 10 tables under AWS's limits: 10.4 s, bench/limits.py, 2026-12-04). */
static void test_burst_throttled_in_first_half_second(void **state) {
    (void)state;
    struct aws_budget *b = budget_at(true, 200.01);
    for (int i = 0; i < 10; i++) {
        aws_budget_record(b, "cloudformation", "DescribeStacks", i >= 5, AWS_BUDGET_TICKET_NOW);
    }
    for (int i = 0; i < 5; i++) {
        set_s(200.1 + 0.05 * i);
        aws_budget_record(b, "cloudformation", "DescribeStacks", false, AWS_BUDGET_TICKET_NOW);
    }
    struct aws_budget_op_stats st;
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_true(st.rate > 0);
    if (st.rate < 2.0) {
        fail_msg("rate %.3f per second after the retries: the floor, not the burst's", st.rate);
    }
    aws_budget_free(b);
}

/* The rate clock starts at the half second of the operation's first answer: a burst
 * answered in the second half of a second (ten DescribeStacks at 400.6 s, five of them
 * throttled) keeps the rate of the burst, where botocore's clock, started at 400.0,
 * measured the first answer alone over half a second (1.6 per second) and cut to 1.12
 * (a 60-table no-op plan under AWS's limits sent one or two DescribeStacks a second for
 * five seconds). */
static void test_first_answers_late_in_a_second(void **state) {
    (void)state;
    struct aws_budget *b = budget_at(true, 400.58);
    aws_budget_ticket burst[10];
    send_burst(b, burst, 10);
    for (int i = 0; i < 10; i++) {
        set_s(400.6 + 0.002 * i);
        aws_budget_record(b, "cloudformation", "DescribeStacks", i % 2 == 1, burst[i]);
    }
    struct aws_budget_op_stats st;
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_int_equal(st.cuts, 1);
    if (st.rate < 2.5) {
        fail_msg("rate %.3f per second after a burst of ten answered at once", st.rate);
    }
    aws_budget_free(b);
}

/* One cut per burst: ten requests sent at once (a refresh of ten tables), five of them
 * throttled, cut the rate once, to 0.7 x the rate they were sent at; botocore cut it five
 * times (0.7^5 = 0.17 x), which sent a 10-table refresh's five retries 2 s apart under
 * AWS's limits (docs/benchmarks.md). A throttle of a request sent after that cut cuts
 * again, once more per burst. */
static void test_one_cut_per_burst(void **state) {
    (void)state;
    struct aws_budget *b = budget_at(true, 300.0);
    /* an earlier half second at 20 per second: the measured sending rate */
    for (int i = 0; i < 10; i++) {
        set_s(300.0 + 0.05 * i);
        aws_budget_record(b, "cloudformation", "DescribeStacks", false, AWS_BUDGET_TICKET_NOW);
    }
    set_s(300.6);
    aws_budget_ticket burst[10];
    send_burst(b, burst, 10);
    set_s(300.62);
    for (int i = 0; i < 10; i++) {
        aws_budget_record(b, "cloudformation", "DescribeStacks", i % 2 == 1, burst[i]);
    }
    struct aws_budget_op_stats st;
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_int_equal(st.throttles, 5);
    assert_int_equal(st.cuts, 1);
    if (st.rate < 0.7 * 20 * 0.5) {
        fail_msg("rate %.3f per second after one burst: cut more than once", st.rate);
    }
    double after_burst = st.rate;
    /* the retries, sent after the cut: one of them throttled cuts again, once */
    aws_budget_ticket retry[5];
    for (int i = 0; i < 5; i++) {
        set_s(301.0 + 0.1 * i); /* tokens enough: no wait */
        assert_int_equal(
            aws_budget_acquire(b, "cloudformation", "DescribeStacks", NULL, 0, &retry[i], NULL),
            TPD_OK);
        assert_true(retry[i] > burst[0]);
    }
    set_s(301.5);
    aws_budget_record(b, "cloudformation", "DescribeStacks", true, retry[0]);
    aws_budget_record(b, "cloudformation", "DescribeStacks", true, retry[1]);
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_int_equal(st.throttles, 7);
    assert_int_equal(st.cuts, 2);
    assert_true(st.rate < after_burst);
    /* a caller that does not track its requests: every throttle cuts (botocore's) */
    aws_budget_record(b, "cloudformation", "DescribeStacks", true, AWS_BUDGET_TICKET_NOW);
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_int_equal(st.cuts, 3);
    aws_budget_free(b);
}

/* Once limited, a request whose token comes after its deadline fails at once with
 * TPD_E_TIMEOUT (it does not wait to fail), and a stop request ends a wait. */
static void test_wait_bounded_by_deadline_and_stop(void **state) {
    (void)state;
    struct aws_budget *b = budget_at(true, 100.0); /* frozen: no token is earned */
    aws_budget_record(b, "cloudformation", "DescribeStacks", true, AWS_BUDGET_TICKET_NOW);
    struct aws_budget_op_stats st;
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_true(st.rate >= AWS_BUDGET_MIN_RATE);
    struct tpd_err err;
    tpd_err_init(&err);
    aws_budget_ticket tk = 0;
    int64_t deadline = tpd_now_ns() + 1000000; /* 1 ms: less than one token's time */
    assert_int_equal(
        aws_budget_acquire(b, "cloudformation", "DescribeStacks", NULL, deadline, &tk, &err),
        TPD_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "DescribeStacks"));
    assert_non_null(strstr(err.msg, "after the operation's deadline"));
    tpd_err_clear(&err);
    /* other operations are not limited */
    assert_int_equal(
        aws_budget_acquire(b, "cloudformation", "DescribeStackEvents", NULL, deadline, &tk, &err),
        TPD_OK);
    struct tpd_stop stop;
    tpd_stop_init(&stop);
    tpd_stop_request(&stop);
    assert_int_equal(
        aws_budget_acquire(b, "cloudformation", "DescribeStacks", &stop, 0, &tk, &err),
        TPD_E_STOPPED);
    assert_non_null(strstr(err.msg, "stopped"));
    tpd_err_clear(&err);
    tpd_stop_clear(&stop);
    aws_budget_free(b);
}

/* ---- one budget for every thread of a client ------------------------------------- */

static const char *CFN_THROTTLE =
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate "
    "exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>";
static const char *CFN_STACK =
    "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>id</StackId>"
    "<StackName>s</StackName><StackStatus>UPDATE_COMPLETE</StackStatus></member></Stacks>"
    "</DescribeStacksResult></DescribeStacksResponse>";
static const char *OK_TABLE = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}";

static struct aws_client *fake_client(struct fake_transport *ft, int max_attempts) {
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.endpoint_cloudformation = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000000; /* 1 ms */
    o.max_attempts = max_attempts;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    aws_budget_set_clock(aws_client_budget(c), fake_ns);
    return c;
}

/* A client's budget with DescribeStacks answered at ~130 per second over the last half
 * second, so that a throttle cuts it to ~90 per second (waits of ~10 ms) and few tokens
 * are left (the clock then stays frozen: waits are reservations, each one 1/rate later
 * than the one before). */
static void seed(struct aws_budget *b, const char *svc, const char *op) {
    for (int k = 0; k < 100; k++) {
        set_s(200.0 + 0.006 * k);
        aws_budget_record(b, svc, op, false, AWS_BUDGET_TICKET_NOW);
    }
}

struct describer {
    struct aws_client *c;
    int64_t deadline_ns;
    bool table;
    enum tpd_code rc;
    char msg[256];
};

static void *describe(void *ud) {
    struct describer *d = ud;
    int64_t saved = tpd_deadline_enter(d->deadline_ns);
    struct tpd_err err;
    tpd_err_init(&err);
    if (d->table) {
        struct ddb_table t;
        d->rc = ddb_describe_table(d->c, "t", &t, &err);
        if (!d->rc) {
            ddb_table_clear(&t);
        }
    } else {
        struct cfn_stack s;
        d->rc = cfn_describe_stack(d->c, "s", &s, &err);
        if (!d->rc) {
            cfn_stack_clear(&s);
        }
    }
    snprintf(d->msg, sizeof(d->msg), "%s", err.msg ? err.msg : "");
    tpd_err_clear(&err);
    tpd_deadline_leave(saved);
    return NULL;
}

/* One client, many threads (the provider's resources): a DescribeStacks that AWS
 * throttles is retried within the budget (its retry waits for a token); from then on
 * another thread's DescribeStacks is paced by the same budget (with a deadline nearer
 * than its token it fails without being sent), while DescribeTable is not limited; and
 * eight threads at once each wait their turn, all succeeding. */
static void test_budget_shared_by_threads(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    ft->fallback = (struct ft_answer){TPD_OK, 200, CFN_STACK, NULL, AWS_HTTP_ERR_NONE};
    struct aws_client *c = fake_client(ft, 3);
    struct aws_budget *b = aws_client_budget(c);
    seed(b, "cloudformation", "DescribeStacks");
    ft_push(ft, 400, CFN_THROTTLE);
    ft_push(ft, 200, CFN_STACK);
    struct describer a = {c, 0, false, TPD_E_INTERNAL, ""};
    describe(&a);
    assert_int_equal(a.rc, TPD_OK);
    assert_int_equal(ft->sent, 2); /* the throttled call was retried */
    struct aws_budget_stats bs;
    aws_budget_stats(b, &bs);
    assert_int_equal(bs.throttles, 1);
    assert_int_equal(bs.delayed, 1); /* the retry waited for the budget */
    struct aws_budget_op_stats st;
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_true(st.rate > 10 && st.rate < 130);
    assert_int_equal(st.cuts, 1); /* the client hands the request's ticket back */

    /* another thread, deadline in 1 ms: its token is further away */
    struct describer other = {c, tpd_now_ns() + 1000000, false, TPD_E_INTERNAL, ""};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, describe, &other), 0);
    pthread_join(th, NULL);
    assert_int_equal(other.rc, TPD_E_TIMEOUT);
    assert_non_null(strstr(other.msg, "request budget"));
    assert_int_equal(ft->sent, 2); /* not sent */
    /* another operation is not limited */
    ft->fallback = (struct ft_answer){TPD_OK, 200, OK_TABLE, NULL, AWS_HTTP_ERR_NONE};
    struct describer table = {c, tpd_now_ns() + 1000000, true, TPD_E_INTERNAL, ""};
    assert_int_equal(pthread_create(&th, NULL, describe, &table), 0);
    pthread_join(th, NULL);
    assert_int_equal(table.rc, TPD_OK);
    assert_int_equal(ft->sent, 3);

    /* eight threads at once: each waits its turn */
    ft->fallback = (struct ft_answer){TPD_OK, 200, CFN_STACK, NULL, AWS_HTTP_ERR_NONE};
    struct describer d[8];
    pthread_t ths[8];
    for (int i = 0; i < 8; i++) {
        d[i] = (struct describer){c, 0, false, TPD_E_INTERNAL, ""};
        assert_int_equal(pthread_create(&ths[i], NULL, describe, &d[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(ths[i], NULL);
        assert_int_equal(d[i].rc, TPD_OK);
    }
    assert_int_equal(ft->sent, 11);
    aws_budget_stats(b, &bs);
    assert_int_equal(bs.delayed, 9);
    aws_budget_op(b, "cloudformation", "DescribeStacks", &st);
    assert_int_equal(st.answers, 100 + 2 + 8);
    aws_client_free(c);
    ft_free(ft);
}

static double g_rand = 0.99;
static double fixed_rand(void) {
    return g_rand;
}

/* A retry whose backoff would end after the operation's deadline is not made: the call
 * fails at once with the answer it had, saying why (it used to sleep past the deadline
 * and try again). */
static void test_retry_never_passes_deadline(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    ft->fallback = (struct ft_answer){TPD_OK, 500, "{}", NULL, AWS_HTTP_ERR_NONE};
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000000000; /* 1 s, x 0.99: the first backoff is 0.99 s */
    o.max_attempts = 10;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    aws_client_set_rand(c, fixed_rand);
    struct describer d = {c, tpd_now_ns() + 200 * 1000000LL, true, TPD_OK, ""};
    describe(&d);
    assert_int_equal(d.rc, TPD_E_AWS);
    assert_non_null(strstr(d.msg, "no time left before the operation's deadline to retry"));
    assert_int_equal(ft->sent, 1);
    /* without a deadline the same call is retried */
    ft->script_len = ft->next = 0;
    ft_push(ft, 500, "{}");
    ft_push(ft, 200, OK_TABLE);
    g_rand = 0.001; /* 1 ms */
    struct describer e = {c, 0, true, TPD_E_INTERNAL, ""};
    describe(&e);
    assert_int_equal(e.rc, TPD_OK);
    assert_int_equal(ft->sent, 3);
    g_rand = 0.99;
    aws_client_free(c);
    ft_free(ft);
}

/* Waiter polls back off (growing delays with a jitter of +-20 %) and go through the
 * budget: a wait whose polls AWS throttles waits them out, later polls wait for the
 * budget's tokens, and the wait ends when the stack settles. */
static void test_polls_back_off_through_budget(void **state) {
    (void)state;
    struct aws_wait_options nominal = {
        .first_delay_ns = 1000000, .max_delay_ns = 8000000, .factor = 2};
    int64_t prev = 0;
    for (int n = 1; n <= 6; n++) {
        int64_t d = aws_waiter_delay_ns(&nominal, n);
        assert_true(d >= prev);
        prev = d;
        assert_int_equal(aws_waiter_jitter_ns(d, 0.0), (int64_t)((double)d * 0.8));
        assert_int_equal(aws_waiter_jitter_ns(d, 1.0), (int64_t)((double)d * 1.2));
        assert_true(aws_waiter_jitter_ns(d, 0.5) == d);
    }
    assert_int_equal(aws_waiter_delay_ns(&nominal, 6), 8000000);

    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft, 1); /* no client retries: the waiter sees them */
    struct aws_budget *b = aws_client_budget(c);
    seed(b, "cloudformation", "DescribeStacks");
    static const char *IN_PROGRESS =
        "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>id</StackId>"
        "<StackName>s</StackName><StackStatus>UPDATE_IN_PROGRESS</StackStatus></member>"
        "</Stacks></DescribeStacksResult></DescribeStacksResponse>";
    ft_push(ft, 400, CFN_THROTTLE);
    ft_push(ft, 400, CFN_THROTTLE);
    ft_push(ft, 200, IN_PROGRESS);
    ft_push(ft, 200, CFN_STACK);
    struct aws_wait_options o = nominal;
    o.poll_first = true;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(
        cfn_wait_stack(c, "s", CFN_WAIT_STACK_UPDATE_COMPLETE, &o, NULL, &err), TPD_OK);
    assert_int_equal(ft->sent, 4);
    struct aws_budget_stats bs;
    aws_budget_stats(b, &bs);
    assert_int_equal(bs.throttles, 2);
    assert_true(bs.delayed >= 2); /* the polls after the first throttle waited for tokens */
    aws_client_free(c);
    ft_free(ft);
}

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rates_match_botocore, setup),
        cmocka_unit_test_setup(test_no_limit_before_throttle, setup),
        cmocka_unit_test_setup(test_burst_throttled_in_first_half_second, setup),
        cmocka_unit_test_setup(test_one_cut_per_burst, setup),
        cmocka_unit_test_setup(test_first_answers_late_in_a_second, setup),
        cmocka_unit_test_setup(test_wait_bounded_by_deadline_and_stop, setup),
        cmocka_unit_test_setup(test_budget_shared_by_threads, setup),
        cmocka_unit_test_setup(test_retry_never_passes_deadline, setup),
        cmocka_unit_test_setup(test_polls_back_off_through_budget, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
