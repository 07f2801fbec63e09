/*
 * aws_parallel: run a few independent calls at once, so that a refresh needing
 * DescribeTable, DescribeTimeToLive, DescribeContinuousBackups, ListTagsOfResource and
 * DescribeStacks costs about one round trip instead of five.
 *
 * aws_parallel_run(n, fn, ctx) calls fn(ctx, i) once for every i in [0, n) and returns
 * when all have returned. Call 0 runs on the calling thread and calls 1..n-1 each on a
 * thread of its own (n is small: one thread per call, no pool, no queue). When a thread
 * cannot be created (or its bookkeeping allocated), that call runs on the calling
 * thread once the others are under way, so every call runs exactly once whatever
 * happens; n == 0 does nothing and n == 1 creates no thread.
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
 * Ownership: nothing allocated survives the call; ctx is borrowed.
 * Threads: no global state; may be called from any thread, also concurrently.
 */
#ifndef AWS_PARALLEL_H
#define AWS_PARALLEL_H

#include <stddef.h>

typedef void(aws_parallel_fn)(void *ctx, size_t i);

void aws_parallel_run(size_t n, aws_parallel_fn *fn, void *ctx);

#endif
