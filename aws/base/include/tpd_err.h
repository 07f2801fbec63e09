/*
 * tpd_err: the project's one error type.
 *
 * Functions return an enum tpd_code (TPD_OK == 0) and, when they can fail in a way
 * worth explaining, fill a caller-owned struct tpd_err passed as the last argument.
 * The error is filled once, at its origin (tpd_err_set); callers going up may only
 * add context in front (tpd_err_prefix). AWS failures also carry the AWS error code,
 * the HTTP status and the request id, so diagnostics can show them.
 * The attribute path of a Terraform diagnostic is not here: provider/ adds it.
 */
#ifndef TPD_ERR_H
#define TPD_ERR_H

#include <stdbool.h>
#include <stddef.h>

#include "tpd_alloc.h"

#define TPD_ERRORS(X)                                                                              \
    X(OK, "success")                                                                               \
    X(E_NOMEM, "out of memory")                                                                    \
    X(E_TOO_LARGE, "data exceeds its size limit")                                                  \
    X(E_INVALID, "invalid argument")                                                               \
    X(E_PARSE, "malformed input")                                                                  \
    X(E_IO, "input/output error")                                                                  \
    X(E_HTTP, "HTTP transport error")                                                              \
    X(E_AWS, "AWS returned an error")                                                              \
    X(E_THROTTLED, "request throttled")                                                            \
    X(E_CREDENTIALS, "no usable AWS credentials")                                                  \
    X(E_TIMEOUT, "timed out")                                                                      \
    X(E_STOPPED, "stopped on request")                                                             \
    X(E_NOT_FOUND, "not found")                                                                    \
    X(E_FAILED, "operation failed")                                                                \
    X(E_TLS, "TLS error")                                                                          \
    X(E_INTERNAL, "internal error")

enum tpd_code {
#define TPD_X_ENUM(name, text) TPD_##name,
    TPD_ERRORS(TPD_X_ENUM)
#undef TPD_X_ENUM
        TPD_CODE_COUNT
};

/* Short name ("E_NOMEM") and description of a code. Static strings. */
const char *tpd_code_name(enum tpd_code code);
const char *tpd_code_str(enum tpd_code code);

/*
 * Context of a failure. All strings are owned by the struct (heap, NUL-terminated,
 * NULL when absent) and freed by tpd_err_clear. A zeroed struct is "no error".
 */
struct tpd_err {
    enum tpd_code code;
    char *msg;        /* human text, the full story */
    char *aws_code;   /* e.g. "ValidationError", "ResourceNotFoundException" */
    char *request_id; /* x-amzn-RequestId / RequestId */
    int http_status;  /* 0 when no HTTP response */
    bool retryable;
    /* Static ("dynamodb", "cloudformation", "sts"): the service that answered with the
     * error; NULL when no AWS answer is behind it. Tells apart codes two services share
     * (LimitExceededException: aws/include/aws_quota.h). */
    const char *aws_service;
};

void tpd_err_init(struct tpd_err *err);
void tpd_err_clear(struct tpd_err *err);

/*
 * Fill err (err may be NULL: then only the code is returned). Replaces any previous
 * content. Returns code, so `return tpd_err_set(err, TPD_E_PARSE, "...")` works.
 */
enum tpd_code tpd_err_set(struct tpd_err *err, enum tpd_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* The static analyser (scripts/tidy.sh) reads one file at a time: it cannot see that
 * tpd_err_set returns its code, so it follows `return tpd_err_set(...)` as a possible
 * success and reports what would go wrong after it. This says what the function does;
 * the compiler never sees it (tpd_err.c defines the function after an #undef). */
#    define tpd_err_set(err, code, ...) (tpd_err_set((err), (code), __VA_ARGS__), (code))
#endif
/* Set the AWS details (copies the strings; NULL leaves the field unset). TPD_E_NOMEM
 * when a copy failed (the field is then NULL): the AWS code drives decisions (not
 * found, retries), so a caller that relies on it must treat that as out of memory. */
enum tpd_code
tpd_err_set_aws(struct tpd_err *err, int http_status, const char *aws_code, const char *request_id);
/* Prepend context to msg: "ctx: old msg". Returns err->code (OK if err is NULL). */
enum tpd_code tpd_err_prefix(struct tpd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Move src into dst (dst cleared first); src becomes empty. dst may be NULL (src is
 * then just cleared). */
void tpd_err_move(struct tpd_err *dst, struct tpd_err *src);
/* Deep copy of src into dst (dst cleared first). TPD_E_NOMEM when a string could not be
 * copied: dst then holds the code and what was copied. Used where one failure is handed
 * to several callers (the credential cache, the account guard: aws/aws_creds.c). */
enum tpd_code tpd_err_copy(struct tpd_err *dst, const struct tpd_err *src) TPD_MUST_CHECK;
/* True when the AWS error code equals code. */
bool tpd_err_is_aws(const struct tpd_err *err, const char *aws_code);

#endif
