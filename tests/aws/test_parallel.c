/*
 * aws_parallel_run: every call runs exactly once, call 0 on the calling thread, the
 * calls really run at the same time (each waits until all have started: a sequential
 * run could never finish), graceful fallback when out of memory, and five client calls
 * at once over one scripted transport. The pool: many callers at once never run more
 * than TPD_PARALLEL_WORKERS threads beside their own; with every worker busy a run still
 * finishes, on its caller; calls work under the caller's deadline; workers end at
 * aws_parallel_shutdown and start again after it. Also run under ThreadSanitizer
 * (scripts/tsan.sh).
 */
// tpd-test-labels: tsan
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "aws_parallel.h"
#include "ddb.h"
#include "fake_transport.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_limits.h"

#define N_MAX 8

struct rendezvous {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t n;         /* calls expected */
    size_t inside;    /* calls that have started */
    bool all_met;     /* every call saw all n inside at once */
    int calls[N_MAX]; /* times each i ran */
    pthread_t caller;
    bool zero_on_caller;
};

/* Waits (up to 60 s, a guard against a hang) until all n calls are inside. */
static void meet(void *ud, size_t i) {
    struct rendezvous *r = ud;
    pthread_mutex_lock(&r->mu);
    r->calls[i]++;
    if (i == 0) {
        r->zero_on_caller = pthread_equal(pthread_self(), r->caller);
    }
    r->inside++;
    pthread_cond_broadcast(&r->cv);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    int rc = 0;
    while (r->inside < r->n && rc == 0) {
        rc = pthread_cond_timedwait(&r->cv, &r->mu, &until);
    }
    if (r->inside < r->n) {
        r->all_met = false;
    }
    pthread_mutex_unlock(&r->mu);
}

static void rendezvous_init(struct rendezvous *r, size_t n) {
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->n = n;
    r->all_met = true;
    r->caller = pthread_self();
}

static void rendezvous_clear(struct rendezvous *r) {
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

static void test_all_run_at_once(void **state) {
    (void)state;
    for (size_t n = 0; n <= 6; n++) {
        struct rendezvous r;
        rendezvous_init(&r, n);
        aws_parallel_run(n, meet, &r);
        assert_true(r.all_met);
        for (size_t i = 0; i < N_MAX; i++) {
            assert_int_equal(r.calls[i], i < n ? 1 : 0);
        }
        if (n > 0) {
            assert_true(r.zero_on_caller);
        }
        rendezvous_clear(&r);
    }
}

static void count(void *ud, size_t i) {
    int *calls = ud;
    calls[i]++;
}

/* Without memory for the bookkeeping every call still runs, one after the other. */
static void test_out_of_memory_runs_everything(void **state) {
    (void)state;
    int calls[N_MAX] = {0};
    tpd_alloc_fail_at(1, true);
    aws_parallel_run(5, count, calls);
    bool failed = tpd_alloc_failed();
    tpd_alloc_fail_at(0, false);
    assert_true(failed);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(calls[i], 1);
    }
}

static const char *OK_TABLE = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}";

struct describe_all {
    struct aws_client *c;
    enum tpd_code rc[5];
};

static void describe(void *ud, size_t i) {
    struct describe_all *d = ud;
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    d->rc[i] = ddb_describe_table(d->c, "t", &t, &err);
    if (d->rc[i] == TPD_OK) {
        ddb_table_clear(&t);
    }
    tpd_err_clear(&err);
}

static void test_client_calls_at_once(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    ft->fallback = (struct ft_answer){TPD_OK, 200, OK_TABLE, NULL, AWS_HTTP_ERR_NONE};
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.shared_credentials_file = "/nonexistent/tpd/credentials";
    o.shared_config_file = "/nonexistent/tpd/config";
    struct tpd_err err;
    tpd_err_init(&err);
    struct describe_all d = {aws_client_new(&o, &err), {TPD_E_INTERNAL}};
    assert_non_null(d.c);
    aws_parallel_run(5, describe, &d);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(d.rc[i], TPD_OK);
    }
    assert_int_equal(ft->req_count, 5);
    aws_client_free(d.c);
    ft_free(ft);
}

/* ---- the pool ---------------------------------------------------------------------- */

/* A gate the calls of one run wait at until it opens; counts who is inside. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t inside;
    bool open;
};

static void gate_wait(void *ud, size_t i) {
    (void)i;
    struct gate *g = ud;
    pthread_mutex_lock(&g->mu);
    g->inside++;
    pthread_cond_broadcast(&g->cv);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

static void *fill_pool(void *ud) {
    aws_parallel_run(TPD_PARALLEL_WORKERS + 1, gate_wait, ud);
    return NULL;
}

struct on_caller {
    pthread_t caller;
    int calls[N_MAX];
    bool all_on_caller;
};

static void note_thread(void *ud, size_t i) {
    struct on_caller *c = ud;
    c->calls[i]++;
    if (!pthread_equal(pthread_self(), c->caller)) {
        c->all_on_caller = false;
    }
}

/* Every worker waits at a gate (one run holds them all); another run must still finish,
 * its calls on its own thread, before the gate opens. */
static void test_busy_pool_runs_on_the_caller(void **state) {
    (void)state;
    struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};
    pthread_t holder;
    assert_int_equal(pthread_create(&holder, NULL, fill_pool, &g), 0);
    pthread_mutex_lock(&g.mu);
    while (g.inside < TPD_PARALLEL_WORKERS + 1) { /* the holder and every worker */
        pthread_cond_wait(&g.cv, &g.mu);
    }
    pthread_mutex_unlock(&g.mu);

    struct on_caller c = {.caller = pthread_self(), .all_on_caller = true};
    aws_parallel_run(4, note_thread, &c);
    for (size_t i = 0; i < N_MAX; i++) {
        assert_int_equal(c.calls[i], i < 4 ? 1 : 0);
    }
    assert_true(c.all_on_caller);

    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    pthread_join(holder, NULL);
    assert_true(aws_parallel_workers_most() <= TPD_PARALLEL_WORKERS);
}

#define CALLERS 16
#define CALLS 6

/* Calls running at once, and the most there ever were. */
struct load {
    pthread_mutex_t mu;
    size_t now, most;
    int calls[CALLERS][CALLS];
};

struct caller {
    struct load *load;
    size_t k;
};

static void busy_call(void *ud, size_t i) {
    struct caller *c = ud;
    struct load *l = c->load;
    pthread_mutex_lock(&l->mu);
    l->calls[c->k][i]++;
    if (++l->now > l->most) {
        l->most = l->now;
    }
    pthread_mutex_unlock(&l->mu);
    struct timespec nap = {0, 2L * 1000 * 1000}; /* work long enough for the runs to overlap */
    nanosleep(&nap, NULL);
    pthread_mutex_lock(&l->mu);
    l->now--;
    pthread_mutex_unlock(&l->mu);
}

static void *run_many(void *ud) {
    for (int round = 0; round < 20; round++) {
        aws_parallel_run(CALLS, busy_call, ud);
    }
    return NULL;
}

/* Sixteen callers at once, six calls each, twenty times: every call runs once per round
 * and never more than the callers and the pool's workers run at once (a thread per call
 * ran 16 x 6). */
static void test_many_callers_bounded(void **state) {
    (void)state;
    static struct load l; /* 16 x 6 counters: off the stack */
    memset(&l, 0, sizeof(l));
    pthread_mutex_init(&l.mu, NULL);
    struct caller callers[CALLERS];
    pthread_t threads[CALLERS];
    for (size_t k = 0; k < CALLERS; k++) {
        callers[k] = (struct caller){&l, k};
        assert_int_equal(pthread_create(&threads[k], NULL, run_many, &callers[k]), 0);
    }
    for (size_t k = 0; k < CALLERS; k++) {
        pthread_join(threads[k], NULL);
    }
    for (size_t k = 0; k < CALLERS; k++) {
        for (size_t i = 0; i < CALLS; i++) {
            assert_int_equal(l.calls[k][i], 20);
        }
    }
    assert_true(l.most <= CALLERS + TPD_PARALLEL_WORKERS);
    assert_true(aws_parallel_workers_most() <= TPD_PARALLEL_WORKERS);
    pthread_mutex_destroy(&l.mu);
}

struct deadlines {
    int64_t seen[N_MAX];
};

static void note_deadline(void *ud, size_t i) {
    struct deadlines *d = ud;
    d->seen[i] = tpd_deadline();
}

/* A worker runs each call under its caller's deadline, and only that call. */
static void test_calls_keep_the_callers_deadline(void **state) {
    (void)state;
    int64_t deadline = tpd_now_ns() + (int64_t)3600 * 1000000000;
    int64_t saved = tpd_deadline_enter(deadline);
    struct deadlines d = {{0}};
    aws_parallel_run(5, note_deadline, &d);
    tpd_deadline_leave(saved);
    for (size_t i = 0; i < 5; i++) {
        assert_true(d.seen[i] == deadline);
    }
    struct deadlines none = {{0}};
    for (size_t i = 0; i < N_MAX; i++) {
        none.seen[i] = -1;
    }
    aws_parallel_run(5, note_deadline, &none);
    for (size_t i = 0; i < 5; i++) {
        assert_true(none.seen[i] == 0);
    }
}

/* Shutdown ends the workers; a run after it starts them again (the rendezvous needs
 * them: five calls waiting for each other). */
static void test_shutdown_then_run_again(void **state) {
    (void)state;
    aws_parallel_shutdown();
    aws_parallel_shutdown(); /* twice: nothing to end */
    struct rendezvous r;
    rendezvous_init(&r, 5);
    aws_parallel_run(5, meet, &r);
    assert_true(r.all_met);
    rendezvous_clear(&r);
}

static int teardown(void **state) {
    (void)state;
    aws_parallel_shutdown(); /* no worker left behind for valgrind */
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_run_at_once),
        cmocka_unit_test(test_out_of_memory_runs_everything),
        cmocka_unit_test(test_client_calls_at_once),
        cmocka_unit_test(test_busy_pool_runs_on_the_caller),
        cmocka_unit_test(test_many_callers_bounded),
        cmocka_unit_test(test_calls_keep_the_callers_deadline),
        cmocka_unit_test(test_shutdown_then_run_again),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
