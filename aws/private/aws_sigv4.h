/*
 * aws_sigv4: AWS Signature Version 4 for request headers.
 *
 * Signing is a pure function of (request, credentials, region, service, time): the
 * caller passes the time, so the published test suite and botocore can be compared
 * byte for byte. Steps follow the AWS "Signature Version 4 signing process" and the
 * test-suite layout of awslabs/aws-c-auth: canonical request, string to sign,
 * signing key (HMAC chain), signature, Authorization header.
 *
 * Paths are given unencoded (as in the test suite's request.txt); each segment is
 * URI-encoded once. Query strings are given as sent (already encoded); they are
 * decoded and re-encoded canonically. The payload hash is always the real SHA-256
 * of the body (never UNSIGNED-PAYLOAD).
 *
 * Ownership: inputs are borrowed for the call. struct aws_sigv4_result owns its
 * buffers; free them with aws_sigv4_result_clear. The secret key and the derived
 * signing key are wiped after use; the Authorization value and the session token
 * must never be logged.
 * Threads: aws_sigv4_sign is reentrant; a struct aws_sigv4_key_cache is locked
 * internally and may be shared by all threads.
 */
#ifndef AWS_SIGV4_H
#define AWS_SIGV4_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_err.h"

struct aws_sigv4_header {
    struct tpd_span name;
    struct tpd_span value;
};

struct aws_sigv4_request {
    struct tpd_span method;                 /* "POST" */
    struct tpd_span path;                   /* unencoded, e.g. "/" */
    struct tpd_span query;                  /* as sent, without '?'; may be empty */
    const struct aws_sigv4_header *headers; /* must contain Host */
    size_t header_count;
    struct tpd_span body;
};

struct aws_sigv4_credentials {
    struct tpd_span access_key_id;
    struct tpd_span secret_access_key;
    struct tpd_span session_token; /* empty when none */
};

#define AWS_SHA256_LEN 32     /* bytes of a SHA-256 digest or HMAC-SHA256 */
#define AWS_SHA256_HEX_LEN 64 /* the same in lower-case hex */
#define AWS_AMZ_DATE_LEN 16   /* X-Amz-Date: YYYYMMDDTHHMMSSZ */
#define AWS_SIGV4_DATE_LEN 8  /* the credential scope's date: YYYYMMDD */

/* Signing key cache: one entry per (secret, date, region, service); see the .c. */
struct aws_sigv4_key_cache {
    pthread_mutex_t mu;
    uint8_t secret_fp[AWS_SHA256_LEN]; /* SHA-256 of the secret, never the secret itself */
    char scope[TPD_MAX_SIGV4_SCOPE];   /* "<date>/<region>/<service>"; a longer one is
                                          not cached (aws_sigv4.c) */
    uint8_t key[AWS_SHA256_LEN];
    bool valid;
};
void aws_sigv4_key_cache_init(struct aws_sigv4_key_cache *c);
void aws_sigv4_key_cache_clear(struct aws_sigv4_key_cache *c);

struct aws_sigv4_params {
    const char *region;      /* "us-east-1" */
    const char *service;     /* "dynamodb", "cloudformation", "sts" */
    int64_t time_s;          /* seconds since the epoch, UTC */
    bool no_normalize;       /* false: remove dot segments and empty segments (non-S3 rule) */
    bool sign_body;          /* also add and sign x-amz-content-sha256 (S3-style; test suite) */
    bool omit_session_token; /* add X-Amz-Security-Token after signing (test suite only) */
    struct aws_sigv4_key_cache *cache; /* may be NULL */
};

struct aws_sigv4_result {
    struct tpd_buf canonical_request;
    struct tpd_buf string_to_sign;
    struct tpd_buf signature;     /* lowercase hex */
    struct tpd_buf authorization; /* value of the Authorization header (secret-derived) */
    struct tpd_buf amz_date;      /* value of X-Amz-Date: 20150830T123600Z */
    struct tpd_buf payload_hash;  /* lowercase hex SHA-256 of the body */
    struct tpd_buf signed_headers;
};

void aws_sigv4_result_init(struct aws_sigv4_result *r);
void aws_sigv4_result_clear(struct aws_sigv4_result *r);

/*
 * Sign req. The caller sends, besides its own headers: X-Amz-Date (r->amz_date),
 * X-Amz-Security-Token (when a token is given), x-amz-content-sha256 (sign_body) and
 * Authorization (r->authorization). Headers named in req that are never signed
 * (user-agent, expect, connection, ...) are skipped as botocore does.
 * Returns TPD_OK; TPD_E_INVALID (no Host header, bad arguments), TPD_E_NOMEM.
 * On failure r is cleared and err filled.
 */
enum tpd_code aws_sigv4_sign(
    const struct aws_sigv4_request *req,
    const struct aws_sigv4_credentials *creds,
    const struct aws_sigv4_params *params,
    struct aws_sigv4_result *r,
    struct tpd_err *err) TPD_MUST_CHECK;

/* Lowercase hex SHA-256 of data, appended to out. */
enum tpd_code aws_sha256_hex(struct tpd_span data, struct tpd_buf *out) TPD_MUST_CHECK;

/* URI-encode (RFC 3986 unreserved kept, uppercase hex), appended to out.
 * keep_slash: leave '/' as is (paths). */
enum tpd_code
aws_uri_encode(struct tpd_span s, bool keep_slash, struct tpd_buf *out) TPD_MUST_CHECK;

/* Format epoch seconds as "YYYYMMDDTHHMMSSZ" into out (appended). */
enum tpd_code aws_format_amz_date(int64_t time_s, struct tpd_buf *out) TPD_MUST_CHECK;

#endif
