/*
 * aws_retry: the SDK "standard" retry mode (botocore retries/standard.py, quota.py),
 * plus a failure budget for transport failures.
 *
 *   attempts   max_attempts including the first (default 3; the provider asks for 10)
 *   backoff    random(0,1) x min(2^(attempt-1) x base, 20 s)   (full jitter)
 *   retried    throttling codes, transient codes, HTTP 500/502/503/504, connection
 *              errors and timeouts; LimitExceededException only when it is DynamoDB's
 *              concurrency limit, never a quota (aws_quota.h: CloudFormation's account
 *              quotas, DynamoDB's table class / on-demand switch and decrease quotas)
 *   quota      500 tokens per client; a retry costs 5 (a timeout 10); a success
 *              refunds 1 (first try) or the last cost (after retries); when the
 *              bucket is short, the error is returned without retrying.
 *
 * Transport failures (aws_http.h, enum aws_http_error). What decides is whether the
 * request may have reached AWS, and whether waiting a few seconds can change anything:
 *
 *   never sent    RESOLVE, REFUSED, CONNECT, CONNECT_TIMEOUT. Nothing left the machine,
 *                 so a retry is always safe; but an endpoint that does not resolve or
 *                 refuses connections is a wrong endpoint URL, region or proxy, or an
 *                 outage, and rarely heals within seconds. At most
 *                 AWS_RETRY_CONNECT_ATTEMPTS (3) attempts: a refused or unresolved
 *                 endpoint fails after at most 1 s + 2 s of backoff, a connect that
 *                 times out after 3 x 10 s (+ 3 s).
 *   sent, reset   RESET, OTHER: the connection broke after the request began to go
 *                 out (a keep-alive connection closed by the server or a middlebox, a
 *                 network blip). AWS may have received it; retried like a 5xx (standard
 *                 mode, max_attempts), which is safe because every operation this
 *                 provider sends is a read, an idempotent update to a given value, or a
 *                 CloudFormation write carrying an idempotency token (ClientToken,
 *                 ClientRequestToken: cfn.h).
 *   sent, silent  STALLED: connected and sent, then not one byte for the stall timeout
 *                 (30 s). AWS may be working on it; one retry on a fresh connection
 *                 (AWS_RETRY_STALL_ATTEMPTS = 2 attempts), since a second silent answer
 *                 is an endpoint that does not answer, not a blip: about 2 x 30 s.
 *   total timeout TIMEOUT (only when a caller sets one, the instance metadata service):
 *                 standard mode, costing 10 tokens.
 *   never         TLS (a certificate problem does not go away), PROXY (the proxy
 *                 refused the tunnel), STOPPED, TOO_LARGE.
 * Throttling and 5xx keep the standard mode with max_attempts. A stop request ends
 * a backoff sleep or a running transfer at once (TPD_E_STOPPED).
 *
 * Ownership: plain structs, caller storage.
 * Threads: struct aws_retry_quota is locked internally; the other functions are pure.
 */
#ifndef AWS_RETRY_H
#define AWS_RETRY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws_http.h"
#include "tpd_err.h"

#define AWS_RETRY_DEFAULT_ATTEMPTS 3
#define AWS_RETRY_QUOTA_INITIAL 500
#define AWS_RETRY_COST 5
#define AWS_RETRY_TIMEOUT_COST 10
#define AWS_RETRY_MAX_BACKOFF_NS ((int64_t)20 * 1000000000)
#define AWS_RETRY_BASE_NS ((int64_t)1000000000)
#define AWS_RETRY_CONNECT_ATTEMPTS 3
#define AWS_RETRY_STALL_ATTEMPTS 2

enum aws_retry_kind {
    AWS_RETRY_NONE = 0,  /* return the error */
    AWS_RETRY_THROTTLE,  /* throttling code */
    AWS_RETRY_TRANSIENT, /* transient code, 5xx, connection error */
    AWS_RETRY_TIMEOUT,   /* the request timed out */
};

/*
 * Classify the outcome of one attempt. rc is the transport/parse result (TPD_E_AWS
 * etc. with err filled from the response); service is "dynamodb", "cloudformation"
 * or "sts" (service-specific exceptions to the lists); err->msg tells DynamoDB's
 * LimitExceededException answers apart (aws_quota.h).
 */
enum aws_retry_kind
aws_retry_classify(const char *service, enum tpd_code rc, const struct tpd_err *err);

/* The retry kind of a transport failure (the table above); AWS_RETRY_NONE for
 * AWS_HTTP_ERR_NONE. */
enum aws_retry_kind aws_retry_classify_http(enum aws_http_error e);

/* How many attempts a failure of kind e allows in all: max_attempts, lowered for the
 * transport failures of the table above. */
int aws_retry_max_attempts(enum aws_http_error e, int max_attempts);

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
