/*
 * aws_parallel: concurrent independent calls on a bounded pool of threads (see
 * aws_parallel.h).
 *
 * One process-wide pool: a queue of calls not yet taken, and at most
 * TPD_PARALLEL_WORKERS threads taking them. A run queues its calls 1..n-1, starts a
 * worker for each queued call no idle worker is there for (while the pool has room),
 * runs call 0 itself, then takes back whichever of its calls no worker has taken yet
 * and runs them too, and waits for the ones under way. So a run finishes whatever the
 * pool holds: with every worker busy (or none startable) it is a loop on the caller.
 *
 * Why a pool rather than a thread per call: a plan of 200 tables at -parallelism=10 ran
 * 66 threads at once, each with its own stack pages and malloc cache (about 24 KiB
 * resident each, bench/rss.py), to wait on a connection pool of 10 per endpoint
 * (aws_http_curl.c): the calls beyond the connections only waited. Workers are kept
 * for the process's life (aws_parallel_shutdown ends them), so a refresh does not pay
 * a thread start per read either.
 *
 * One mutex guards the queue, the counters and every run's count of calls left; no
 * call runs with it held.
 */
#include "aws_parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_limits.h"

struct s_run;

/* One queued call; lives in its run's array until the run returns. */
struct s_task {
    aws_parallel_fn *fn;
    void *ctx;
    size_t i;
    int64_t deadline_ns; /* the caller's operation deadline, carried to the worker */
    struct s_run *run;
    struct s_task *prev, *next; /* in the queue while not taken */
    bool queued;
};

/* One aws_parallel_run call: how many of its queued calls have not finished. */
struct s_run {
    size_t left;
    pthread_cond_t done; /* signalled when left reaches 0 */
};

static pthread_mutex_t s_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_work = PTHREAD_COND_INITIALIZER; /* a call was queued, or stop */
static struct s_task *s_head, *s_tail;                   /* calls not yet taken, oldest first */
static size_t s_queued;                                  /* calls in the queue */
static size_t s_idle;                                    /* workers not running a call */
static size_t s_workers;                                 /* entries of s_threads */
static size_t s_most;                                    /* most workers at once (stats) */
static pthread_t s_threads[TPD_PARALLEL_WORKERS];
static bool s_stopping;

/* mu held */
static void s_unqueue(struct s_task *t) {
    if (t->prev) {
        t->prev->next = t->next;
    } else {
        s_head = t->next;
    }
    if (t->next) {
        t->next->prev = t->prev;
    } else {
        s_tail = t->prev;
    }
    t->prev = t->next = NULL;
    t->queued = false;
    s_queued--;
}

/* mu held */
static void s_enqueue(struct s_task *t) {
    t->prev = s_tail;
    t->next = NULL;
    if (s_tail) {
        s_tail->next = t;
    } else {
        s_head = t;
    }
    s_tail = t;
    t->queued = true;
    s_queued++;
}

/* Runs t (mu not held), then counts it done (takes mu; returns with mu held). After the
 * count the run may return and free t: t is not touched again. */
static void s_call_then_lock(struct s_task *t) {
    int64_t saved = tpd_deadline_enter(t->deadline_ns);
    t->fn(t->ctx, t->i);
    tpd_deadline_leave(saved);
    pthread_mutex_lock(&s_mu);
    struct s_run *run = t->run;
    if (--run->left == 0) {
        pthread_cond_signal(&run->done);
    }
}

static void *s_worker(void *ud) {
    (void)ud;
    pthread_mutex_lock(&s_mu);
    for (;;) { /* counted in s_idle here: since s_grow, or since its last call */
        while (s_head == NULL && !s_stopping) {
            pthread_cond_wait(&s_work, &s_mu);
        }
        s_idle--;
        if (s_head == NULL) {
            break; /* stopping, and nothing left to take */
        }
        struct s_task *t = s_head;
        s_unqueue(t);
        pthread_mutex_unlock(&s_mu);
        s_call_then_lock(t);
        s_idle++;
    }
    pthread_mutex_unlock(&s_mu);
    return NULL;
}

/* mu held: a worker more for every queued call that no idle worker will take, while
 * the pool has room. A worker that cannot be started is not retried here: the callers
 * run what is left. */
static void s_grow(void) {
    while (!s_stopping && s_queued > s_idle && s_workers < TPD_PARALLEL_WORKERS) {
        if (pthread_create(&s_threads[s_workers], NULL, s_worker, NULL) != 0) {
            return;
        }
        s_workers++;
        s_idle++; /* not running a call: it will take one of the queued */
        if (s_workers > s_most) {
            s_most = s_workers;
        }
    }
}

void aws_parallel_run(size_t n, aws_parallel_fn *fn, void *ctx) {
    struct s_task *tasks = n > 1 ? tpd_calloc(n - 1, sizeof(*tasks)) : NULL;
    if (tasks == NULL) { /* n < 2, or no memory for the bookkeeping: one after the other */
        for (size_t i = 0; i < n; i++) {
            fn(ctx, i);
        }
        return;
    }
    struct s_run run = {.left = n - 1};
    pthread_cond_init(&run.done, NULL);
    int64_t deadline = tpd_deadline();
    pthread_mutex_lock(&s_mu);
    for (size_t k = 0; k < n - 1; k++) {
        tasks[k] =
            (struct s_task){.fn = fn, .ctx = ctx, .i = k + 1, .deadline_ns = deadline, .run = &run};
        s_enqueue(&tasks[k]);
    }
    s_grow();
    for (size_t k = 0; k < n - 1; k++) {
        pthread_cond_signal(&s_work);
    }
    pthread_mutex_unlock(&s_mu);

    fn(ctx, 0);

    pthread_mutex_lock(&s_mu);
    for (size_t k = 0; k < n - 1; k++) {
        if (tasks[k].queued) { /* no worker came for it: run it here */
            s_unqueue(&tasks[k]);
            pthread_mutex_unlock(&s_mu);
            s_call_then_lock(&tasks[k]);
        }
    }
    while (run.left > 0) {
        pthread_cond_wait(&run.done, &s_mu);
    }
    pthread_mutex_unlock(&s_mu);
    pthread_cond_destroy(&run.done);
    free(tasks);
}

size_t aws_parallel_workers_most(void) {
    pthread_mutex_lock(&s_mu);
    size_t most = s_most;
    pthread_mutex_unlock(&s_mu);
    return most;
}

void aws_parallel_shutdown(void) {
    pthread_mutex_lock(&s_mu);
    s_stopping = true;
    pthread_cond_broadcast(&s_work);
    size_t workers = s_workers;
    pthread_mutex_unlock(&s_mu);
    for (size_t k = 0; k < workers; k++) {
        pthread_join(s_threads[k], NULL);
    }
    pthread_mutex_lock(&s_mu);
    s_workers = 0;
    s_idle = 0;
    s_stopping = false;
    pthread_mutex_unlock(&s_mu);
}
