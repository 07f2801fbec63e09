/* aws_retry: standard-mode retry decisions, backoff and the retry quota. */
#include "aws_retry.h"

#include <openssl/rand.h>
#include <string.h>

#include "aws_quota.h"

static const char *const s_throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

static const char *const s_transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    /* STS (botocore special.py) */
    "IDPCommunicationError",
    /* DynamoDB marks these retryable in its model / docs */
    "InternalServerError",
    "ServiceUnavailable",
    "InternalFailure",
};

bool aws_retry_is_throttle_code(const char *aws_code) {
    if (!aws_code) {
        return false;
    }
    for (size_t i = 0; i < sizeof(s_throttle_codes) / sizeof(s_throttle_codes[0]); i++) {
        if (strcmp(aws_code, s_throttle_codes[i]) == 0) {
            return true;
        }
    }
    return false;
}

enum aws_retry_kind
aws_retry_classify(const char *service, enum tpd_code rc, const struct tpd_err *err) {
    if (rc == TPD_OK) {
        return AWS_RETRY_NONE;
    }
    if (rc == TPD_E_TIMEOUT) {
        return AWS_RETRY_TIMEOUT;
    }
    if (rc == TPD_E_HTTP) {
        return AWS_RETRY_TRANSIENT; /* connection refused/reset, DNS, broken transfer */
    }
    if (rc == TPD_E_TLS || rc == TPD_E_STOPPED || rc == TPD_E_NOMEM || rc == TPD_E_INVALID ||
        rc == TPD_E_CREDENTIALS || !err) {
        return AWS_RETRY_NONE;
    }
    const char *code = err->aws_code;
    if (code) {
        /* LimitExceededException is a quota (retrying cannot help) or, in DynamoDB, also
         * a concurrency limit that lifts as other operations finish (aws_quota.h). */
        if (strcmp(code, "LimitExceededException") == 0) {
            struct aws_quota q;
            aws_quota_of_err(service, err, &q);
            return q.kind == AWS_QUOTA_THROTTLE ? AWS_RETRY_THROTTLE : AWS_RETRY_NONE;
        }
        if (aws_retry_is_throttle_code(code)) {
            return AWS_RETRY_THROTTLE;
        }
        for (size_t i = 0; i < sizeof(s_transient_codes) / sizeof(s_transient_codes[0]); i++) {
            if (strcmp(code, s_transient_codes[i]) == 0) {
                return AWS_RETRY_TRANSIENT;
            }
        }
    }
    int s = err->http_status;
    if (s == 500 || s == 502 || s == 503 || s == 504) {
        return AWS_RETRY_TRANSIENT;
    }
    return AWS_RETRY_NONE;
}

enum aws_retry_kind aws_retry_classify_http(enum aws_http_error e) {
    switch (e) {
        case AWS_HTTP_ERR_RESOLVE:
        case AWS_HTTP_ERR_REFUSED:
        case AWS_HTTP_ERR_CONNECT:
        case AWS_HTTP_ERR_RESET:
        case AWS_HTTP_ERR_OTHER:
            return AWS_RETRY_TRANSIENT;
        case AWS_HTTP_ERR_CONNECT_TIMEOUT:
        case AWS_HTTP_ERR_STALLED:
        case AWS_HTTP_ERR_TIMEOUT:
            return AWS_RETRY_TIMEOUT;
        case AWS_HTTP_ERR_NONE:
        case AWS_HTTP_ERR_TLS:
        case AWS_HTTP_ERR_PROXY:
        case AWS_HTTP_ERR_STOPPED:
        case AWS_HTTP_ERR_TOO_LARGE:
        case AWS_HTTP_ERR_DEADLINE:
        default:
            return AWS_RETRY_NONE;
    }
}

int aws_retry_max_attempts(enum aws_http_error e, int max_attempts) {
    int cap = max_attempts;
    switch (e) {
        case AWS_HTTP_ERR_RESOLVE:
        case AWS_HTTP_ERR_REFUSED:
        case AWS_HTTP_ERR_CONNECT:
        case AWS_HTTP_ERR_CONNECT_TIMEOUT:
            cap = AWS_RETRY_CONNECT_ATTEMPTS;
            break;
        case AWS_HTTP_ERR_STALLED:
            cap = AWS_RETRY_STALL_ATTEMPTS;
            break;
        default:
            break;
    }
    return cap < max_attempts ? cap : max_attempts;
}

int64_t aws_retry_backoff_ns(int attempt, int64_t base_ns, int64_t cap_ns, double rand01) {
    if (attempt < 1) {
        attempt = 1;
    }
    if (rand01 < 0) {
        rand01 = 0;
    }
    if (rand01 >= 1) {
        rand01 = 0.999999;
    }
    int64_t d = base_ns;
    for (int i = 1; i < attempt && d < cap_ns; i++) {
        d *= 2;
    }
    if (d > cap_ns) {
        d = cap_ns;
    }
    return (int64_t)(rand01 * (double)d);
}

void aws_retry_quota_init(struct aws_retry_quota *q) {
    pthread_mutex_init(&q->mu, NULL);
    q->tokens = AWS_RETRY_QUOTA_INITIAL;
    q->max_tokens = AWS_RETRY_QUOTA_INITIAL;
}

void aws_retry_quota_clear(struct aws_retry_quota *q) {
    pthread_mutex_destroy(&q->mu);
}

bool aws_retry_quota_acquire(struct aws_retry_quota *q, enum aws_retry_kind kind, int *cost) {
    int c = kind == AWS_RETRY_TIMEOUT ? AWS_RETRY_TIMEOUT_COST : AWS_RETRY_COST;
    bool ok = false;
    pthread_mutex_lock(&q->mu);
    if (q->tokens >= c) {
        q->tokens -= c;
        ok = true;
    }
    pthread_mutex_unlock(&q->mu);
    *cost = ok ? c : 0;
    return ok;
}

void aws_retry_quota_success(struct aws_retry_quota *q, int last_cost) {
    pthread_mutex_lock(&q->mu);
    q->tokens += last_cost > 0 ? last_cost : 1;
    if (q->tokens > q->max_tokens) {
        q->tokens = q->max_tokens;
    }
    pthread_mutex_unlock(&q->mu);
}

int aws_retry_quota_available(struct aws_retry_quota *q) {
    pthread_mutex_lock(&q->mu);
    int t = q->tokens;
    pthread_mutex_unlock(&q->mu);
    return t;
}

double aws_retry_rand01(void) {
    uint64_t v = 0;
    if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1) {
        return 0.5;
    }
    return (double)(v >> 11) / 9007199254740992.0; /* 2^53 */
}
