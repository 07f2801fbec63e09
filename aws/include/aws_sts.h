/*
 * aws_sts: what the STS credential sources need from STS, and nothing more.
 *
 * The sources (AssumeRole, AssumeRoleWithWebIdentity: aws_creds_sts.c,
 * aws_creds_web_identity.c, aws_creds_role.c) reach STS through a struct
 * aws_sts_caller: one function that sends a Query-protocol operation to STS and
 * returns the 2xx answer, either signed with the given credentials or unsigned
 * (AssumeRoleWithWebIdentity is an unsigned operation: its botocore model says
 * "authtype": "none"). aws_client implements the caller over its transport, signer,
 * STS endpoint and retries (aws_client_sts_caller); tests and fuzz targets can
 * implement it over anything. The dependency goes one way: aws_client knows the
 * credential sources, the sources know only this interface.
 *
 * Ownership: a caller is borrowed by every source built over it and must outlive
 * them (the client owns both and frees the sources first). Parsed strings are heap
 * (caller frees); parsed credentials go into caller storage.
 * Threads: call() may be invoked from many threads at once.
 */
#ifndef AWS_STS_H
#define AWS_STS_H

#include "aws_creds.h"
#include "aws_http.h"
#include "tpd_buf.h"
#include "tpd_err.h"

struct aws_sts_caller {
    /*
     * Send op with the form body to STS. signer NULL: unsigned. resp (caller
     * storage, aws_http_response_init first) receives the 2xx answer; anything else
     * is an error in err (AWS code, message and request id for an STS error answer).
     */
    enum tpd_code (*call)(
        void *ctx,
        const char *op,
        struct tpd_span body,
        const struct aws_creds *signer,
        struct aws_http_response *resp,
        struct tpd_err *err);
    void *ctx;
};

/* sts:AssumeRole settings (the provider's assume_role block, a profile's role_arn). */
struct aws_assume_role_options {
    const char *role_arn;     /* NULL: no assume-role */
    const char *session_name; /* NULL: "terraform-provider-dynamodb" */
    const char *external_id;  /* may be NULL */
    int duration_s;           /* 0: STS default (3600) */
    const char *policy;       /* inline session policy (JSON); may be NULL */
};

/* The default RoleSessionName when none is configured. */
#define AWS_STS_DEFAULT_SESSION_NAME "terraform-provider-dynamodb"

/*
 * Parse the <Credentials> of an STS answer (<result>/Credentials, e.g.
 * "AssumeRoleResult"): AccessKeyId, SecretAccessKey, SessionToken and Expiration are
 * all required. TPD_E_PARSE for malformed XML, TPD_E_CREDENTIALS for missing or
 * unusable fields (the message names `what`, never a value). The tree's copies of the
 * secrets are wiped before it is freed.
 */
enum tpd_code aws_sts_parse_credentials(
    struct tpd_span xml,
    const char *result,
    const char *what,
    struct aws_creds *out,
    struct tpd_err *err) TPD_MUST_CHECK;

/* sts:AssumeRole signed with source; out gets the role's credentials. */
enum tpd_code aws_sts_assume_role(
    const struct aws_sts_caller *sts,
    const struct aws_creds *source,
    const struct aws_assume_role_options *o,
    struct aws_creds *out,
    struct tpd_err *err) TPD_MUST_CHECK;

/* sts:AssumeRoleWithWebIdentity (unsigned) with the token's bytes. */
enum tpd_code aws_sts_assume_role_with_web_identity(
    const struct aws_sts_caller *sts,
    const char *role_arn,
    const char *session_name,
    struct tpd_span token,
    struct aws_creds *out,
    struct tpd_err *err) TPD_MUST_CHECK;

/* Parse a GetCallerIdentity answer: *account (12 digits) and *arn, heap strings. */
enum tpd_code aws_sts_parse_caller_identity(
    struct tpd_span xml, char **account, char **arn, struct tpd_err *err) TPD_MUST_CHECK;

/* sts:GetCallerIdentity signed with creds. */
enum tpd_code aws_sts_get_caller_identity(
    const struct aws_sts_caller *sts,
    const struct aws_creds *creds,
    char **account,
    char **arn,
    struct tpd_err *err) TPD_MUST_CHECK;

#endif
