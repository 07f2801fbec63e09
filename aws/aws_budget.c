/* aws_budget: per-operation adaptive rate limiters (see aws_budget.h). */
#include "aws_budget.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_limits.h"
#include "tpd_log.h"

struct s_op {
    char *service;
    char *op;
    bool limited; /* throttled at least once: requests take tokens */
    /* token bucket (botocore bucket.py) */
    double fill_rate; /* tokens per second */
    double max_capacity;
    double capacity; /* below zero: tokens promised to waiting requests */
    double last_refill_s;
    /* CUBIC (botocore throttling.py) */
    double w_max;
    double k;
    double last_fail_s;
    uint64_t cuts; /* throttles that cut the rate: a request's ticket (aws_budget.h) */
    /* measured rate of answers (botocore adaptive.py RateClocker) */
    double measured;
    double bucket_s; /* start of the half second being counted */
    double count;
    uint64_t throttles;
    uint64_t answers;
};

struct aws_budget {
    pthread_mutex_t mu; /* guards everything below; never held while waiting */
    bool adaptive;
    int64_t (*now_ns)(void);
    double start_s;
    struct s_op *ops;
    size_t op_count;
    size_t op_cap;
    uint64_t throttles;
    uint64_t delayed;
    int64_t waited_ns;
};

static double s_now_s(const struct aws_budget *b) {
    return (double)(b->now_ns ? b->now_ns() : tpd_now_ns()) / 1e9;
}

struct aws_budget *aws_budget_new(bool adaptive) {
    struct aws_budget *b = tpd_calloc(1, sizeof(*b));
    if (!b) {
        return NULL;
    }
    pthread_mutex_init(&b->mu, NULL);
    b->adaptive = adaptive;
    b->start_s = s_now_s(b);
    return b;
}

void aws_budget_set_clock(struct aws_budget *b, int64_t (*now_ns)(void)) {
    b->now_ns = now_ns;
    b->start_s = s_now_s(b);
}

void aws_budget_free(struct aws_budget *b) {
    if (!b) {
        return;
    }
    for (size_t i = 0; i < b->op_count; i++) {
        free(b->ops[i].service);
        free(b->ops[i].op);
    }
    free(b->ops);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* The entry of service/op, made on first use (mu held). NULL when there is no memory or
 * no room (TPD_MAX_BUDGET_OPS): that operation is then not limited. */
static struct s_op *s_find(struct aws_budget *b, const char *service, const char *op, bool make) {
    for (size_t i = 0; i < b->op_count; i++) {
        if (strcmp(b->ops[i].op, op) == 0 && strcmp(b->ops[i].service, service) == 0) {
            return &b->ops[i];
        }
    }
    if (!make || b->op_count >= TPD_MAX_BUDGET_OPS ||
        !TPD_ARRAY_RESERVE(b->ops, b->op_cap, b->op_count + 1)) {
        return NULL;
    }
    struct s_op *o = &b->ops[b->op_count];
    memset(o, 0, sizeof(*o));
    o->service = tpd_strdup(service);
    o->op = tpd_strdup(op);
    if (!o->service || !o->op) {
        free(o->service);
        free(o->op);
        return NULL;
    }
    /* botocore's starting point: a bucket of 1 token per second (unused until the first
     * throttle), CUBIC with W_max 0 from now; the rate clock at the current half second,
     * where botocore starts it at the current whole second (aws_budget.h). */
    double now = s_now_s(b);
    o->fill_rate = 1.0;
    o->max_capacity = 1.0;
    o->last_refill_s = now;
    o->last_fail_s = now;
    o->bucket_s = floor(now / AWS_BUDGET_BUCKET_S) * AWS_BUDGET_BUCKET_S;
    b->op_count++;
    return o;
}

static void s_refill(struct s_op *o, double now) {
    double add = (now - o->last_refill_s) * o->fill_rate;
    if (add > 0) {
        o->capacity = fmin(o->max_capacity, o->capacity + add);
    }
    o->last_refill_s = now;
}

/* The bucket's new rate (botocore TokenBucket.max_rate): tokens earned so far at the old
 * rate first, a floor of AWS_BUDGET_MIN_RATE, capacity of one second's worth (at least
 * one token). */
static void s_set_rate(struct s_op *o, double rate, double now) {
    s_refill(o, now);
    o->fill_rate = fmax(rate, AWS_BUDGET_MIN_RATE);
    o->max_capacity = rate >= 1.0 ? rate : 1.0;
    if (o->capacity > o->max_capacity) {
        o->capacity = o->max_capacity;
    }
}

/* Count one answer; the measured rate of answers (botocore RateClocker.record). */
static double s_measure(struct s_op *o, double now) {
    double bucket = floor(now / AWS_BUDGET_BUCKET_S) * AWS_BUDGET_BUCKET_S;
    o->count += 1.0;
    if (bucket > o->bucket_s) {
        double current = o->count / (bucket - o->bucket_s);
        o->measured = current * AWS_BUDGET_SMOOTHING + o->measured * (1.0 - AWS_BUDGET_SMOOTHING);
        o->count = 0;
        o->bucket_s = bucket;
    }
    return o->measured;
}

/* The rate being sent when nothing has been measured yet (no half second completed):
 * what the current one holds so far, over at least half a second (aws_budget.h). */
static double s_partial_rate(const struct s_op *o, double now) {
    return o->count / fmax(now - o->bucket_s, AWS_BUDGET_BUCKET_S);
}

static double s_cubic_k(double w_max) {
    return cbrt(w_max * (1.0 - AWS_BUDGET_BETA) / AWS_BUDGET_SCALE);
}

enum tpd_code aws_budget_acquire(
    struct aws_budget *b,
    const char *service,
    const char *op,
    struct tpd_stop *stop,
    int64_t deadline_ns,
    aws_budget_ticket *ticket,
    struct tpd_err *err) {
    *ticket = 0; /* an operation not seen yet has had no cut */
    if (!b) {
        return TPD_OK;
    }
    pthread_mutex_lock(&b->mu);
    struct s_op *o = s_find(b, service, op, false);
    if (o) {
        *ticket = o->cuts;
    }
    if (!b->adaptive || !o || !o->limited) {
        pthread_mutex_unlock(&b->mu);
        return TPD_OK;
    }
    double now = s_now_s(b);
    s_refill(o, now);
    o->capacity -= 1.0;
    double wait_s = o->capacity >= 0 ? 0.0 : -o->capacity / o->fill_rate;
    int64_t wait_ns = (int64_t)(wait_s * 1e9);
    double rate = o->fill_rate;
    if (wait_ns > 0 && deadline_ns > 0 && tpd_now_ns() + wait_ns > deadline_ns) {
        o->capacity += 1.0; /* not taken after all */
        pthread_mutex_unlock(&b->mu);
        return tpd_err_set(
            err,
            TPD_E_TIMEOUT,
            "%s %s: the request budget (%.1f per second after AWS throttled it) allows the "
            "next call in %.1f s, after the operation's deadline",
            service,
            op,
            rate,
            wait_s);
    }
    if (wait_ns > 0) {
        b->delayed++;
        b->waited_ns += wait_ns;
    }
    pthread_mutex_unlock(&b->mu);
    if (wait_ns <= 0) {
        return TPD_OK;
    }
    TPD_TRACE(
        "%s %s: waiting %lld ms for the request budget (%.2f/s)",
        service,
        op,
        (long long)(wait_ns / 1000000),
        rate);
    enum tpd_code rc = tpd_sleep(stop, wait_ns, deadline_ns);
    if (rc == TPD_E_STOPPED) {
        return tpd_err_set(
            err, rc, "%s %s: stopped while waiting for the request budget", service, op);
    }
    if (rc) {
        return tpd_err_set(
            err,
            rc,
            "%s %s: the operation's deadline came while waiting for the request budget",
            service,
            op);
    }
    return TPD_OK;
}

void aws_budget_record(
    struct aws_budget *b,
    const char *service,
    const char *op,
    bool throttled,
    aws_budget_ticket ticket) {
    if (!b) {
        return;
    }
    pthread_mutex_lock(&b->mu);
    struct s_op *o = s_find(b, service, op, true);
    if (!o) {
        pthread_mutex_unlock(&b->mu);
        return;
    }
    double now = s_now_s(b);
    double measured = s_measure(o, now);
    double rate;
    o->answers++;
    if (throttled) {
        b->throttles++;
        o->throttles++;
        if (ticket != AWS_BUDGET_TICKET_NOW && ticket < o->cuts) {
            /* Sent before the last cut, at the rate that cut already answered for: one
             * cut per burst (aws_budget.h). Counted, the rate kept. */
            pthread_mutex_unlock(&b->mu);
            return;
        }
        o->cuts++;
        if (measured <= 0) {
            measured = s_partial_rate(o, now);
        }
        /* CUBIC's decrease from the rate being sent: the bucket's when limited and it
         * is lower than measured (botocore ClientRateLimiter.on_receiving_response). */
        double sending = o->limited ? fmin(measured, o->fill_rate) : measured;
        o->w_max = sending;
        o->k = s_cubic_k(sending);
        o->last_fail_s = now;
        rate = sending * AWS_BUDGET_BETA;
        if (!o->limited) {
            TPD_DEBUG(
                "%s %s: throttled by AWS, limiting this operation to %.2f requests per second",
                service,
                op,
                fmax(rate, AWS_BUDGET_MIN_RATE));
        }
        o->limited = true;
    } else {
        double dt = now - o->last_fail_s - o->k;
        rate = AWS_BUDGET_SCALE * dt * dt * dt + o->w_max;
        /* Limited, and no half second completed yet: botocore's cap of twice the measured
         * rate would be twice 0, the floor of 0.5 per second, for every answer that
         * follows a throttle within the first half second (the burst of a refresh: ten
         * tables' DescribeStacks, five throttled, whose five retries then waited 2 s
         * each). Counted as the throttle is (aws_budget.h). */
        if (o->limited && measured <= 0) {
            measured = s_partial_rate(o, now);
        }
    }
    s_set_rate(o, fmin(rate, AWS_BUDGET_MAX_ADJUST * measured), now);
    pthread_mutex_unlock(&b->mu);
}

void aws_budget_op(
    struct aws_budget *b, const char *service, const char *op, struct aws_budget_op_stats *out) {
    memset(out, 0, sizeof(*out));
    if (!b) {
        return;
    }
    pthread_mutex_lock(&b->mu);
    const struct s_op *o = s_find(b, service, op, false);
    if (o) {
        out->rate = b->adaptive && o->limited ? o->fill_rate : 0.0;
        out->bucket_rate = o->fill_rate;
        out->throttles = o->throttles;
        out->cuts = o->cuts;
        out->answers = o->answers;
    }
    pthread_mutex_unlock(&b->mu);
}

void aws_budget_stats(struct aws_budget *b, struct aws_budget_stats *out) {
    memset(out, 0, sizeof(*out));
    if (!b) {
        return;
    }
    pthread_mutex_lock(&b->mu);
    out->throttles = b->throttles;
    out->delayed = b->delayed;
    out->waited_ns = b->waited_ns;
    pthread_mutex_unlock(&b->mu);
}
