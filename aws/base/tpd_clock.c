/*
 * tpd_clock: monotonic clock and stop-aware sleeping (see tpd_clock.h).
 */
#include "tpd_clock.h"

#include <errno.h>
#include <time.h>

int64_t tpd_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t tpd_wall_s(void) {
    return (int64_t)time(NULL);
}

void tpd_stop_init(struct tpd_stop *s) {
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &attr);
    pthread_condattr_destroy(&attr);
    s->stopped = false;
}

void tpd_stop_clear(struct tpd_stop *s) {
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
}

void tpd_stop_request(struct tpd_stop *s) {
    pthread_mutex_lock(&s->mu);
    s->stopped = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

bool tpd_stop_requested(struct tpd_stop *s) {
    if (!s) {
        return false;
    }
    pthread_mutex_lock(&s->mu);
    bool v = s->stopped;
    pthread_mutex_unlock(&s->mu);
    return v;
}

static void s_ns_to_ts(int64_t ns, struct timespec *ts) {
    ts->tv_sec = (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

enum tpd_code tpd_sleep(struct tpd_stop *stop, int64_t delay_ns, int64_t deadline_ns) {
    int64_t now = tpd_now_ns();
    int64_t wake = now + (delay_ns > 0 ? delay_ns : 0);
    bool hits_deadline = deadline_ns > 0 && deadline_ns <= wake;
    if (hits_deadline) {
        wake = deadline_ns;
    }
    if (!stop) {
        struct timespec ts;
        while ((now = tpd_now_ns()) < wake) {
            s_ns_to_ts(wake - now, &ts);
            nanosleep(&ts, NULL);
        }
        return hits_deadline ? TPD_E_TIMEOUT : TPD_OK;
    }
    struct timespec abs;
    s_ns_to_ts(wake, &abs);
    pthread_mutex_lock(&stop->mu);
    while (!stop->stopped && tpd_now_ns() < wake) {
        int rc = pthread_cond_timedwait(&stop->cv, &stop->mu, &abs);
        if (rc == ETIMEDOUT) {
            break;
        }
    }
    bool stopped = stop->stopped;
    pthread_mutex_unlock(&stop->mu);
    if (stopped) {
        return TPD_E_STOPPED;
    }
    return hits_deadline ? TPD_E_TIMEOUT : TPD_OK;
}

/* The operation's deadline of this thread (see tpd_clock.h). */
static _Thread_local int64_t s_deadline_ns;

int64_t tpd_deadline_min(int64_t a, int64_t b) {
    if (a <= 0) {
        return b > 0 ? b : 0;
    }
    return b > 0 && b < a ? b : a;
}

int64_t tpd_deadline(void) {
    return s_deadline_ns;
}

int64_t tpd_deadline_enter(int64_t deadline_ns) {
    int64_t saved = s_deadline_ns;
    s_deadline_ns = tpd_deadline_min(saved, deadline_ns);
    return saved;
}

void tpd_deadline_leave(int64_t saved) {
    s_deadline_ns = saved;
}
