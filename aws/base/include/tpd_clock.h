/*
 * tpd_clock: monotonic time, deadlines and interruptible sleeps.
 *
 * Every timed wait of the project (retry backoff, waiter polls) goes through tpd_sleep,
 * so that a stop request (Terraform's StopProvider, the Shutdown RPC, SIGTERM) or a
 * deadline ends it promptly; the libcurl transport checks the same flag while a
 * transfer runs (aws_http.h). A struct tpd_stop is a flag plus a condition variable;
 * tpd_stop_request wakes every sleeper at once. Once set, the flag stays set: a stopped
 * provider is shut down by Terraform, never reused (docs/plugin-protocol.md §3).
 *
 * The operation's deadline: a Terraform operation has one deadline (the resource's
 * `timeouts`), and every wait done on its behalf — retry backoff, the API budget's
 * pacing, waiting for a pooled connection, waiter polls — must end by it, however deep
 * in the AWS layer it happens. tpd_deadline_enter records it for the calling thread
 * (thread-local), so the functions between the resource and the wait need no extra
 * parameter; aws_parallel_run hands it to the threads it starts (aws/include/aws_parallel.h).
 *
 * Ownership: struct tpd_stop is caller storage (tpd_stop_init / tpd_stop_clear).
 * Threads: every function but init and clear may run on many threads at once; the
 * deadline is per thread.
 */
#ifndef TPD_CLOCK_H
#define TPD_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpd_err.h"

/* Monotonic nanoseconds. */
int64_t tpd_now_ns(void);
/* Wall-clock seconds since the epoch (UTC). */
int64_t tpd_wall_s(void);

struct tpd_stop {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* uses CLOCK_MONOTONIC */
    bool stopped;
};

void tpd_stop_init(struct tpd_stop *s);
void tpd_stop_clear(struct tpd_stop *s);
/* Set the flag and wake every sleeper. */
void tpd_stop_request(struct tpd_stop *s);
/* Whether the flag is set; false for s == NULL. */
bool tpd_stop_requested(struct tpd_stop *s);

/*
 * Sleep for delay_ns (<= 0: not at all), but no later than deadline_ns (monotonic
 * nanoseconds as tpd_now_ns; 0 = none), and wake at once when stop (may be NULL: the
 * sleep cannot be interrupted) is requested.
 * Returns TPD_OK after the full delay; TPD_E_STOPPED when stop is or becomes requested
 * (at once if it already was; this wins over the deadline); TPD_E_TIMEOUT when the
 * deadline came first (at once if it has passed).
 */
enum tpd_code tpd_sleep(struct tpd_stop *stop, int64_t delay_ns, int64_t deadline_ns);

/*
 * The calling thread's operation deadline (monotonic ns as tpd_now_ns; 0 = none).
 * tpd_deadline_enter sets it for the calling thread and returns what to hand to
 * tpd_deadline_leave when the operation ends; a nested enter can only bring it forward
 * (the earlier of the two wins). deadline_ns 0 leaves it as it is.
 */
int64_t tpd_deadline(void);
int64_t tpd_deadline_enter(int64_t deadline_ns);
void tpd_deadline_leave(int64_t saved);
/* The earlier of two deadlines, 0 meaning none. Pure. */
int64_t tpd_deadline_min(int64_t a, int64_t b);

#endif
