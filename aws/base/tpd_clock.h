/*
 * tpd_clock: monotonic time, deadlines and interruptible sleeps.
 *
 * Every wait in the project goes through tpd_sleep_until so that a stop request
 * (Terraform's StopProvider) or a deadline ends it promptly. A struct tpd_stop is a
 * flag plus a condition variable; tpd_stop_request wakes every sleeper at once.
 * Threads: all functions are thread-safe.
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
/* Clear the flag (a new operation after a stop). */
void tpd_stop_reset(struct tpd_stop *s);
bool tpd_stop_requested(struct tpd_stop *s);

/*
 * Sleep for delay_ns, but no later than deadline_ns (monotonic; 0 = none), and wake
 * at once when stop (may be NULL) is requested.
 * Returns TPD_OK after a full sleep, TPD_E_STOPPED, or TPD_E_TIMEOUT when the
 * deadline was reached.
 */
enum tpd_code tpd_sleep(struct tpd_stop *stop, int64_t delay_ns, int64_t deadline_ns);

#endif
