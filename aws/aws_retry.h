/*
 * aws_retry: the SDK "standard" retry mode (botocore retries/standard.py, quota.py).
 *
 *   attempts   max_attempts including the first (default 3)
 *   backoff    random(0,1) x min(2^(attempt-1) x base, 20 s)   (full jitter)
 *   retried    throttling codes, transient codes, HTTP 500/502/503/504, connection
 *              errors and timeouts; NOT CloudFormation's LimitExceededException
 *              (an account quota there, not a transient condition)
 *   quota      500 tokens per client; a retry costs 5 (a timeout 10); a success
 *              refunds 1 (first try) or the last cost (after retries); when the
 *              bucket is short, the error is returned without retrying.
 *
 * Ownership: plain structs, caller storage.
 * Threads: struct aws_retry_quota is locked internally; the other functions are pure.
 */
#ifndef AWS_RETRY_H
#define AWS_RETRY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpd_err.h"

#define AWS_RETRY_DEFAULT_ATTEMPTS 3
#define AWS_RETRY_QUOTA_INITIAL 500
#define AWS_RETRY_COST 5
#define AWS_RETRY_TIMEOUT_COST 10
#define AWS_RETRY_MAX_BACKOFF_NS ((int64_t)20 * 1000000000)
#define AWS_RETRY_BASE_NS ((int64_t)1000000000)

enum aws_retry_kind {
    AWS_RETRY_NONE = 0,  /* return the error */
    AWS_RETRY_THROTTLE,  /* throttling code */
    AWS_RETRY_TRANSIENT, /* transient code, 5xx, connection error */
    AWS_RETRY_TIMEOUT,   /* the request timed out */
};

/*
 * Classify the outcome of one attempt. rc is the transport/parse result (TPD_E_AWS
 * etc. with err filled from the response); service is "dynamodb", "cloudformation"
 * or "sts" (service-specific exceptions to the lists).
 */
enum aws_retry_kind
aws_retry_classify(const char *service, enum tpd_code rc, const struct tpd_err *err);

/* True for the throttling error codes of the standard mode. */
bool aws_retry_is_throttle_code(const char *aws_code);

/* Backoff before retry number `attempt` (1 = first retry): rand01 in [0,1). */
int64_t aws_retry_backoff_ns(int attempt, int64_t base_ns, int64_t cap_ns, double rand01);

struct aws_retry_quota {
    pthread_mutex_t mu;
    int tokens;
    int max_tokens;
};

void aws_retry_quota_init(struct aws_retry_quota *q);
void aws_retry_quota_clear(struct aws_retry_quota *q);
/* Take the cost of a retry of this kind; false (nothing taken) when short.
 * *cost receives what was taken. */
bool aws_retry_quota_acquire(struct aws_retry_quota *q, enum aws_retry_kind kind, int *cost);
/* After a success: refund last_cost (0 when the first attempt succeeded: refund 1). */
void aws_retry_quota_success(struct aws_retry_quota *q, int last_cost);
int aws_retry_quota_available(struct aws_retry_quota *q);

/* A uniform random number in [0,1) from a thread-safe source. */
double aws_retry_rand01(void);

#endif
