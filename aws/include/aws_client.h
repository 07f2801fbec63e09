/*
 * aws_client: one configured AWS client shared by the whole provider.
 *
 * It owns the resolved region and endpoints, the credential provider chain (with
 * optional STS assume-role on top, cached and refreshed before expiry; the STS
 * sources reach STS through aws_client_sts_caller, see aws_sts.h), the HTTP
 * transport (libcurl connection pool bounded per endpoint, or a test transport), the
 * retry quota, the request budget (aws_budget.h: one adaptive rate limiter per
 * operation, shared by every caller of the client, so by the whole provider process)
 * and the SigV4 signing-key cache. Credentials are resolved lazily on the first call (or
 * by aws_client_check_credentials), so creating a client is cheap and offline.
 *
 * aws_client_call sends one operation through the budget, with retries (standard mode,
 * aws_retry.h), every wait ending by the calling thread's operation deadline
 * (tpd_deadline, tpd_clock.h): the budget's pacing, a pooled connection, the backoff
 * (a retry that would start after the deadline is not made):
 *   DynamoDB       POST / JSON 1.0, X-Amz-Target: DynamoDB_20120810.<op>
 *   CloudFormation POST / form body (aws_query.h), Version 2010-05-15
 *   STS            POST / form body, Version 2011-06-15
 * Non-2xx answers are parsed into err (aws_errors.h): TPD_E_NOT_FOUND,
 * TPD_E_THROTTLED or TPD_E_AWS with aws_code/http_status/request_id.
 *
 * Ownership: aws_client_new returns a client freed with aws_client_free. Option
 * strings are copied. The stop flag and a test transport are borrowed and must
 * outlive the client.
 * Threads: every function may be called on one client from many threads at once
 * (the provider runs up to 10 operations in parallel, each with several reads at once).
 * No lock is held across network I/O: credentials come from a cache that runs one
 * refresh at a time outside its lock (aws_creds_cached_new), and the account check runs
 * outside the guard's lock (aws_client_verify_account). aws_client_free must not race
 * with calls.
 */
#ifndef AWS_CLIENT_H
#define AWS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "aws_creds.h"
#include "aws_http.h"
#include "aws_sts.h"
#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_clock.h"
#include "tpd_err.h"

enum aws_service { AWS_SVC_DYNAMODB = 0, AWS_SVC_CLOUDFORMATION, AWS_SVC_STS, AWS_SVC_COUNT };

/* A yes/no setting that may be left to the environment and the profile. */
enum aws_flag { AWS_FLAG_UNSET = 0, AWS_FLAG_FALSE, AWS_FLAG_TRUE };

struct aws_client_options {
    const char *region;
    const char *profile;
    const char *shared_credentials_file;
    const char *shared_config_file;
    /* The provider's shared_credentials_files / shared_config_files: when non-empty
     * they replace the single files above and the environment variables. */
    const char *const *shared_credentials_files;
    size_t shared_credentials_files_count;
    const char *const *shared_config_files;
    size_t shared_config_files_count;
    const char *sts_region; /* region of STS calls (endpoint and signing); NULL: region */
    /* Account guard: GetCallerIdentity before the first DynamoDB/CloudFormation call
     * (or at aws_client_verify_account); at most one list is non-empty. */
    const char *const *allowed_account_ids;
    size_t allowed_account_ids_count;
    const char *const *forbidden_account_ids;
    size_t forbidden_account_ids_count;
    const char *access_key; /* static keys from the provider configuration */
    const char *secret_key;
    const char *session_token;
    const char *endpoint_dynamodb;
    const char *endpoint_cloudformation;
    const char *endpoint_sts;
    int max_attempts;            /* including the first; 0 = 3 */
    size_t max_pool_connections; /* connections kept per endpoint; 0 = 10 (botocore's) */
    struct aws_assume_role_options assume_role;
    struct tpd_stop *stop;                /* may be NULL; ends retry sleeps and transfers */
    long connect_timeout_ms;              /* 0 = 10 s (AWS_HTTP_CONNECT_TIMEOUT_MS) */
    long request_timeout_ms;              /* total per attempt; 0 = none */
    int64_t retry_base_ns;                /* backoff base; 0 = 1 s (tests use less) */
    struct aws_http_transport *transport; /* NULL = libcurl; else borrowed (tests) */
    bool skip_instance_metadata;          /* leave IMDS out of the chain (tests, offline use) */
    /* Settings below: NULL/"" or AWS_FLAG_UNSET leave them to the environment and the
     * profile, in this order (docs/provider.md). */
    long stall_timeout_ms;                /* no byte for this long fails an attempt; 0 = 30 s */
    bool skip_region_validation;          /* accept a region no partition pattern matches */
    const char *ca_bundle;                /* else AWS_CA_BUNDLE, profile ca_bundle; PEM file */
    const char *http_proxy;               /* else http_proxy, HTTP_PROXY */
    const char *https_proxy;              /* else https_proxy, HTTPS_PROXY */
    const char *no_proxy;                 /* else no_proxy, NO_PROXY */
    enum aws_flag use_fips_endpoint;      /* else AWS_USE_FIPS_ENDPOINT, profile key */
    enum aws_flag use_dualstack_endpoint; /* else AWS_USE_DUALSTACK_ENDPOINT, profile key */
    /* else AWS_RETRY_MODE, profile retry_mode: "adaptive" (default: retries and the
     * request budget) or "standard" (retries, no client-side rate limiting). */
    const char *retry_mode;
};

struct aws_client;

/* Returns NULL and fills err when the configuration cannot work (no region or an
 * unknown one, bad endpoint URL, half of a static key pair, unreadable CA bundle,
 * unsupported retry mode). Does no network I/O. */
struct aws_client *
aws_client_new(const struct aws_client_options *opts, struct tpd_err *err) TPD_MUST_CHECK;
void aws_client_free(struct aws_client *c);

/*
 * The region a client built from opts would use (configured, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region), checked against the AWS partitions
 * unless opts->skip_region_validation. Reads the shared config files; no network I/O.
 * Lets a caller report a region problem against its own setting before building the
 * client. *region is heap (free()): the region, also when it fails the check
 * (TPD_E_INVALID); NULL when no source gives one (TPD_E_INVALID too).
 */
enum tpd_code aws_client_resolve_region(
    const struct aws_client_options *opts, char **region, struct tpd_err *err) TPD_MUST_CHECK;

/* Accessors (borrowed strings, valid for the client's life). */
const char *aws_client_region(const struct aws_client *c);
const char *aws_client_endpoint(const struct aws_client *c, enum aws_service svc);
struct tpd_stop *aws_client_stop(const struct aws_client *c);
/* Requests sent and connections opened so far by the client's transport (also logged
 * at DEBUG when the client is freed, with the budget's totals), for benchmarks. */
void aws_client_stats(const struct aws_client *c, struct aws_http_stats *out);
/* The client's request budget (borrowed; aws_budget.h), to read its state. */
struct aws_budget *aws_client_budget(const struct aws_client *c);
/* A uniform random number in [0,1): the test hook's (aws_client_set_rand), else
 * aws_retry_rand01. For the jitter of backoffs and poll delays. */
double aws_client_rand01(const struct aws_client *c);

/* Resolve credentials now (cheap check for ConfigureProvider); TPD_E_CREDENTIALS
 * names the sources tried. *source (may be NULL) gets the provider name (static). */
enum tpd_code aws_client_check_credentials(
    struct aws_client *c, const char **source, struct tpd_err *err) TPD_MUST_CHECK;

/*
 * Send one operation. body: JSON for DynamoDB, a Query form body for the others.
 * resp (caller storage, aws_http_response_init first) receives the 2xx response;
 * on failure it is emptied and err filled (the message names op).
 */
enum tpd_code aws_client_call(
    struct aws_client *c,
    enum aws_service svc,
    const char *op,
    struct tpd_span body,
    struct aws_http_response *resp,
    struct tpd_err *err) TPD_MUST_CHECK;

/* The client's STS caller (its transport, signer, STS endpoint and region, retries),
 * as the STS credential sources use it; valid for the client's life. */
const struct aws_sts_caller *aws_client_sts_caller(struct aws_client *c);

enum aws_account_verdict {
    AWS_ACCOUNT_OK = 0,
    AWS_ACCOUNT_NOT_ALLOWED, /* not in allowed_account_ids */
    AWS_ACCOUNT_FORBIDDEN,   /* in forbidden_account_ids */
};
/*
 * The account guard: resolve the credentials, ask STS GetCallerIdentity and check the
 * account against the lists (no call when both are empty: *account stays NULL).
 * TPD_OK with *verdict AWS_ACCOUNT_OK; a refusal is TPD_E_CREDENTIALS with *verdict
 * saying which list refused and err naming the account and the attribute. A success
 * or a refusal is remembered: later calls and checks do not ask STS again, and after a
 * refusal no DynamoDB or CloudFormation request is ever sent. One check at a time, with
 * no lock held: callers arriving while it runs wait for it and share its result, also a
 * failure (which is not remembered: the next caller after it asks again). *account (may
 * be NULL) gets a heap copy of the account ID when one was learned.
 */
enum tpd_code aws_client_verify_account(
    struct aws_client *c, enum aws_account_verdict *verdict, char **account, struct tpd_err *err)
    TPD_MUST_CHECK;

/* Test hook: time used for signing (seconds since the epoch); NULL = wall clock. */
void aws_client_set_clock(struct aws_client *c, int64_t (*now_s)(void));
/* Test hook: the backoff's random factor in [0,1) (aws_retry_backoff_ns); NULL = random. */
void aws_client_set_rand(struct aws_client *c, double (*rand01)(void));
/* Test hook: callers of aws_client_verify_account waiting for the check in flight. */
size_t aws_client_guard_waiters(struct aws_client *c);

#endif
