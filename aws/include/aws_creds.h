/*
 * aws_creds: credentials and the providers that find them.
 *
 * A provider is a function table (aws-c-auth style). get() returns
 *   TPD_OK             credentials filled,
 *   TPD_E_NOT_FOUND    this source is not configured here (the chain tries the next),
 *   anything else      the source is configured but failed (the chain stops: a broken
 *                      profile must not silently fall through to another identity).
 * The chain's error names every source it tried and why each was skipped.
 *
 * Default chain (botocore's create_credential_resolver order, botocore/credentials.py):
 *   static keys from the provider configuration → environment (AWS_ACCESS_KEY_ID,
 *   AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) → the profile's role_arn with
 *   source_profile or credential_source (aws_creds_role.c) → web identity
 *   (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's
 *   web_identity_token_file; aws_creds_web_identity.c) → SSO (aws_creds_sso.c) →
 *   shared files (static keys or credential_process) → container endpoint → EC2 IMDSv2.
 * The profile is the configuration's, else AWS_PROFILE, else "default". A profile
 * named in the configuration skips the environment keys and the web identity
 * variables (botocore's disable_env_vars).
 * Assume-role (STS AssumeRole) wraps the chain when a role ARN is configured.
 *
 * Ownership: struct aws_creds is caller storage (init/clear; clear wipes the
 * secret and token). Providers are created with *_new and freed with
 * aws_creds_provider_free, which also frees the providers they wrap.
 * Threads: get() of every provider here may be called from many threads at once;
 * the cached provider runs one refresh at a time and holds no lock across I/O
 * (aws_creds_cached_new).
 */
#ifndef AWS_CREDS_H
#define AWS_CREDS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws_http.h"
#include "tpd_buf.h"
#include "tpd_err.h"

struct aws_creds {
    struct tpd_buf access_key_id;
    struct tpd_buf secret_access_key;
    struct tpd_buf session_token;
    int64_t expiration_s; /* wall clock, seconds since the epoch; 0 = never expires */
    const char *source;   /* static name of the provider that produced them */
};

void aws_creds_init(struct aws_creds *c);
void aws_creds_clear(struct aws_creds *c);
enum tpd_code aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src) TPD_MUST_CHECK;
/* Fill from spans (token may be empty). */
enum tpd_code aws_creds_set(
    struct aws_creds *c,
    const char *access_key_id,
    const char *secret_access_key,
    const char *session_token,
    int64_t expiration_s) TPD_MUST_CHECK;
/*
 * Parse the JSON document of container/IMDS endpoints ({AccessKeyId,
 * SecretAccessKey, Token, Expiration}) or credential_process (Version 1,
 * SessionToken). TPD_E_CREDENTIALS naming `what` when keys are missing.
 */
enum tpd_code aws_creds_from_json(
    struct tpd_span body, const char *what, struct aws_creds *out, struct tpd_err *err)
    TPD_MUST_CHECK;

struct aws_creds_provider;
typedef enum tpd_code(aws_creds_get_fn)(
    struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err);
typedef void(aws_creds_destroy_fn)(struct aws_creds_provider *p);

struct aws_creds_provider {
    aws_creds_get_fn *get;
    aws_creds_destroy_fn *destroy;
    const char *name; /* "static", "environment", "shared files", ... */
    void *impl;
};

enum tpd_code aws_creds_get(
    struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) TPD_MUST_CHECK;
void aws_creds_provider_free(struct aws_creds_provider *p);

/* Static keys (copied). Returns NULL on no memory. */
struct aws_creds_provider *
aws_creds_static_new(const char *ak, const char *sk, const char *token) TPD_MUST_CHECK;
/* AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN).
 * Only one of the two keys set is an error, not a skip. */
struct aws_creds_provider *aws_creds_env_new(void) TPD_MUST_CHECK;

struct aws_sts_caller;
struct aws_assume_role_options;

/* Options of the sources that read the shared files. Strings and lists are copied;
 * sts and transport are borrowed and must outlive the provider. */
struct aws_creds_profile_options {
    const char *profile;          /* NULL: AWS_PROFILE, else "default" */
    const char *credentials_file; /* NULL: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials */
    const char *config_file;      /* NULL: AWS_CONFIG_FILE, else ~/.aws/config */
    /* When non-empty, these lists replace the single files above (later files win). */
    const char *const *credentials_files;
    size_t credentials_files_count;
    const char *const *config_files;
    size_t config_files_count;
    bool profile_explicit; /* the profile was configured: ignore AWS_WEB_IDENTITY_* etc. */
    const struct aws_sts_caller *sts;     /* role and web identity sources */
    struct aws_http_transport *transport; /* SSO portal; credential_source endpoints */
    bool skip_instance_metadata;          /* credential_source = Ec2InstanceMetadata fails */
};
/* Shared files: static keys ([name] in credentials, [profile name] / [default] in
 * config) or credential_process. Files are read at each get (the cache above keeps
 * the result). */
struct aws_creds_provider *
aws_creds_profile_new(const struct aws_creds_profile_options *o) TPD_MUST_CHECK;
/* The profile's role_arn: sts:AssumeRole with the credentials of source_profile (a
 * chain of profiles, loops refused) or credential_source (Environment,
 * Ec2InstanceMetadata, EcsContainer); mfa_serial is refused. Needs o->sts. */
struct aws_creds_provider *
aws_creds_role_new(const struct aws_creds_profile_options *o) TPD_MUST_CHECK;
/* sts:AssumeRoleWithWebIdentity with AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and
 * AWS_ROLE_SESSION_NAME (unless o->profile_explicit), else the profile's
 * web_identity_token_file, role_arn, role_session_name. The token file is read at
 * every get (tokens rotate). Needs o->sts. */
struct aws_creds_provider *
aws_creds_web_identity_new(const struct aws_creds_profile_options *o) TPD_MUST_CHECK;
/* IAM Identity Center: the profile's sso_session ([sso-session NAME]: sso_start_url,
 * sso_region) or legacy sso_start_url/sso_region, with sso_account_id and
 * sso_role_name; the token cached by `aws sso login` in ~/.aws/sso/cache; the
 * portal's GetRoleCredentials. Needs o->transport. */
struct aws_creds_provider *
aws_creds_sso_new(const struct aws_creds_profile_options *o) TPD_MUST_CHECK;
/* sts:AssumeRole over source (owned); the caller is borrowed. */
struct aws_creds_provider *aws_creds_sts_new(
    const struct aws_sts_caller *sts,
    struct aws_creds_provider *source,
    const struct aws_assume_role_options *o) TPD_MUST_CHECK;

/* Container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI). The
 * transport is borrowed and must outlive the provider. */
struct aws_creds_provider *aws_creds_container_new(struct aws_http_transport *t) TPD_MUST_CHECK;
/* EC2 IMDSv2 (token PUT, then role GET, then credentials GET); 1 s timeouts;
 * AWS_EC2_METADATA_DISABLED=true skips; AWS_EC2_METADATA_SERVICE_ENDPOINT overrides. */
struct aws_creds_provider *aws_creds_imds_new(struct aws_http_transport *t) TPD_MUST_CHECK;

/* Try providers in order; takes ownership of the array's providers (NULL entries
 * are ignored). */
struct aws_creds_provider *
aws_creds_chain_new(struct aws_creds_provider **providers, size_t count) TPD_MUST_CHECK;

/*
 * Cache in front of inner (owned), like aws-c-auth's cached provider. Expiring
 * credentials are refreshed when less than refresh_s (default 900 s, botocore's
 * advisory window) remain; if the refresh fails while more than 600 s remain (the
 * mandatory window), the old ones are used. One refresh at a time, run by the caller
 * that finds it due, with no lock held; callers whose credentials are still usable are
 * served at once meanwhile, callers without wait for that refresh and share its result.
 * After a failed refresh none starts again for aws_creds_retry_backoff_s(failures in a
 * row) seconds, and callers without usable credentials get that failure at once.
 * now_s may be NULL (wall clock); tests pass a fake clock.
 */
struct aws_creds_provider *aws_creds_cached_new(
    struct aws_creds_provider *inner, int64_t refresh_s, int64_t (*now_s)(void)) TPD_MUST_CHECK;
/* Seconds without a refresh after `failures` failed refreshes in a row: 1, 2, 4, ...
 * up to 30. Pure. */
#define AWS_CREDS_RETRY_BASE_S 1
#define AWS_CREDS_RETRY_MAX_S 30
int64_t aws_creds_retry_backoff_s(int failures);
/* Test hook: callers of a cached provider waiting for its refresh in flight (0 for
 * another kind of provider). */
size_t aws_creds_cached_waiters(struct aws_creds_provider *p);

/* The home directory ($HOME, else the password database); static storage. */
const char *aws_creds_home_dir(void);

#endif
