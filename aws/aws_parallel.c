/* aws_parallel: concurrent independent calls (see aws_parallel.h). */
#include "aws_parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tpd_alloc.h"
#include "tpd_clock.h"

struct s_task {
    aws_parallel_fn *fn;
    void *ctx;
    size_t i;
    int64_t deadline_ns; /* the caller's operation deadline, carried to the thread */
    pthread_t thread;
    bool started;
};

static void *s_run(void *ud) {
    struct s_task *t = ud;
    int64_t saved = tpd_deadline_enter(t->deadline_ns);
    t->fn(t->ctx, t->i);
    tpd_deadline_leave(saved);
    return NULL;
}

void aws_parallel_run(size_t n, aws_parallel_fn *fn, void *ctx) {
    if (n == 0) {
        return;
    }
    struct s_task *tasks = n > 1 ? tpd_calloc(n - 1, sizeof(*tasks)) : NULL;
    for (size_t k = 0; tasks && k < n - 1; k++) {
        tasks[k].fn = fn;
        tasks[k].ctx = ctx;
        tasks[k].i = k + 1;
        tasks[k].deadline_ns = tpd_deadline();
        tasks[k].started = pthread_create(&tasks[k].thread, NULL, s_run, &tasks[k]) == 0;
    }
    fn(ctx, 0);
    for (size_t i = 1; i < n; i++) {
        struct s_task *t = tasks ? &tasks[i - 1] : NULL;
        if (t && t->started) {
            pthread_join(t->thread, NULL);
        } else {
            fn(ctx, i); /* no thread for it: run it here */
        }
    }
    free(tasks);
}
