/*
 * aws_creds_internal: what the shared-file credential sources (aws_creds_profile.c,
 * aws_creds_role.c, aws_creds_web_identity.c, aws_creds_sso.c) share. Not for use
 * outside aws/aws_creds_*.c.
 *
 * Each *_from_profile function resolves one kind of source for a named profile of
 * already loaded files and returns TPD_E_NOT_FOUND (err says why) when that profile
 * does not configure it, so the role source can resolve a source_profile with the
 * same rules as the top-level chain (botocore's ProfileProviderBuilder).
 *
 * Ownership: struct aws_creds_profile_config owns its strings (init/clear); sts and
 * transport are borrowed. Threads: no shared state.
 */
#ifndef AWS_CREDS_INTERNAL_H
#define AWS_CREDS_INTERNAL_H

#include "aws_creds.h"
#include "aws_profile.h"
#include "aws_sts.h"

struct aws_creds_profile_config {
    char *profile; /* NULL: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default" */
    struct aws_profile_files_copy files;
    bool profile_explicit;
    const struct aws_sts_caller *sts;
    struct aws_http_transport *transport;
    bool skip_instance_metadata;
};

enum tpd_code aws_creds_profile_config_init(
    struct aws_creds_profile_config *c, const struct aws_creds_profile_options *o) TPD_MUST_CHECK;
void aws_creds_profile_config_clear(struct aws_creds_profile_config *c);
/* Read the files now. */
enum tpd_code aws_creds_profile_config_load(
    const struct aws_creds_profile_config *c,
    struct aws_profile *out,
    struct tpd_err *err) TPD_MUST_CHECK;

/* Static keys, else credential_process. */
enum tpd_code aws_creds_static_from_profile(
    const struct aws_profile *f, const char *profile, struct aws_creds *out, struct tpd_err *err)
    TPD_MUST_CHECK;
/* The profile's web_identity_token_file + role_arn (+ role_session_name). */
enum tpd_code aws_creds_web_identity_from_profile(
    const struct aws_sts_caller *sts,
    const struct aws_profile *f,
    const char *profile,
    struct aws_creds *out,
    struct tpd_err *err) TPD_MUST_CHECK;
/* The token file's bytes through AssumeRoleWithWebIdentity. `origin` names where the
 * settings came from, for messages. */
enum tpd_code aws_creds_web_identity_fetch(
    const struct aws_sts_caller *sts,
    const char *token_file,
    const char *role_arn,
    const char *session_name,
    const char *origin,
    struct aws_creds *out,
    struct tpd_err *err) TPD_MUST_CHECK;
/* The profile's SSO settings, cached token and GetRoleCredentials. */
enum tpd_code aws_creds_sso_from_profile(
    struct aws_http_transport *t,
    const struct aws_profile *f,
    const char *profile,
    struct aws_creds *out,
    struct tpd_err *err) TPD_MUST_CHECK;

/* SSO token cache file (~/.aws/sso/cache/<sha1>.json): accessToken and expiresAt. */
struct aws_sso_token {
    struct tpd_buf access_token; /* secret: wiped by aws_sso_token_clear */
    int64_t expires_at_s;
};
void aws_sso_token_init(struct aws_sso_token *t);
void aws_sso_token_clear(struct aws_sso_token *t);
/* Parse the cache file's JSON. TPD_E_CREDENTIALS naming `name` (never a value). */
enum tpd_code aws_sso_parse_token(
    struct tpd_span json, const char *name, struct aws_sso_token *out, struct tpd_err *err)
    TPD_MUST_CHECK;
/* Parse a GetRoleCredentials answer ({"roleCredentials": {accessKeyId, ...,
 * expiration in epoch milliseconds}}). */
enum tpd_code aws_sso_parse_role_credentials(
    struct tpd_span json, struct aws_creds *out, struct tpd_err *err) TPD_MUST_CHECK;
/* The cache file name for a session name or start URL: lower-case SHA-1 hex. */
#define AWS_SSO_CACHE_KEY_LEN 40 /* hex digits of a SHA-1 */
enum tpd_code
aws_sso_cache_key(const char *input, char hex[AWS_SSO_CACHE_KEY_LEN + 1]) TPD_MUST_CHECK;

#endif
