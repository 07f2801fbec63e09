/*
 * aws_parallel: run a few independent calls at once, so that a refresh needing
 * DescribeTable, DescribeTimeToLive, DescribeContinuousBackups, ListTagsOfResource and
 * DescribeStacks costs about one round trip instead of five.
 *
 * aws_parallel_run(n, fn, ctx) calls fn(ctx, i) once for every i in [0, n) and returns
 * when all have returned. Call 0 runs on the calling thread; calls 1..n-1 are queued for
 * the process's pool of at most TPD_PARALLEL_WORKERS threads (tpd_limits.h), started as
 * calls wait and then kept. Whatever call no worker has taken when call 0 returns runs
 * on the calling thread too, so every call runs exactly once and a run finishes even
 * when every worker is busy, none can be started or the bookkeeping cannot be allocated
 * (then the calls run one after the other). n == 0 does nothing, n == 1 queues nothing.
 * So the calls of one run are at once only as far as the pool has room: callers must
 * not make one call wait for another.
 *
 * Each thread works under the caller's operation deadline (tpd_deadline, tpd_clock.h),
 * so the calls' waits end when the caller's would.
 *
 * fn must be safe to run concurrently for distinct i (every aws/ client call is) and
 * report through ctx, e.g. an array of results indexed by i. It must return normally
 * (no longjmp, no pthread_exit). The calls share the process's libcurl connection pool
 * through the client (aws_http_curl.c), so they open at most one connection each, and
 * fewer when the endpoint's pool is full (they then wait for a pooled one).
 *
 * Ownership: nothing allocated survives the call but the pool's workers; ctx is
 * borrowed.
 * Threads: may be called from any thread, also concurrently, also from within a call.
 *
 * aws_parallel_shutdown() ends the workers (they finish what is queued first); call it
 * when no run is under way (at exit: the provider's main, a test's end). A later run
 * starts workers again. aws_parallel_workers_most() is the most workers the pool has
 * had at once since the process started (tests, benchmarks).
 */
#ifndef AWS_PARALLEL_H
#define AWS_PARALLEL_H

#include <stddef.h>

typedef void(aws_parallel_fn)(void *ctx, size_t i);

void aws_parallel_run(size_t n, aws_parallel_fn *fn, void *ctx);
void aws_parallel_shutdown(void);
size_t aws_parallel_workers_most(void);

#endif
