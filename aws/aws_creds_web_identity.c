/*
 * aws_creds_web_identity: sts:AssumeRoleWithWebIdentity (botocore's
 * AssumeRoleWithWebIdentityProvider). Each setting comes from its environment
 * variable (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME) unless
 * the profile was named in the configuration, else from the profile's
 * web_identity_token_file, role_arn, role_session_name. The token file is read at
 * every get: CI systems and EKS rotate the token in place, and the cache above calls
 * get again before the role's credentials expire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds_internal.h"
#include "tpd_alloc.h"
#include "tpd_text.h"

struct s_web {
    struct aws_creds_provider base;
    struct aws_creds_profile_config cfg;
};

static enum tpd_code
s_read_token(const char *path, const char *origin, struct tpd_buf *tok, struct tpd_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return tpd_err_set(
            err, TPD_E_CREDENTIALS, "%s: cannot read the web identity token file %s", origin, path);
    }
    enum tpd_code rc = tpd_buf_read_stream(tok, f);
    bool bad = rc == TPD_E_IO;
    fclose(f);
    /* A token written with echo ends in a newline; JWTs never contain whitespace. */
    while (tok->len && (tok->ptr[tok->len - 1] == '\n' || tok->ptr[tok->len - 1] == '\r' ||
                        tok->ptr[tok->len - 1] == ' ' || tok->ptr[tok->len - 1] == '\t')) {
        tok->ptr[--tok->len] = '\0';
    }
    if (rc || tok->len > TPD_MAX_WEB_IDENTITY_TOKEN) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "%s: the web identity token in %s is longer than %zu bytes",
            origin,
            path,
            TPD_MAX_WEB_IDENTITY_TOKEN);
    }
    if (bad || tok->len < 4) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "%s: the web identity token file %s is %s",
            origin,
            path,
            bad ? "unreadable" : "empty");
    }
    return TPD_OK;
}

enum tpd_code aws_creds_web_identity_fetch(
    const struct aws_sts_caller *sts,
    const char *token_file,
    const char *role_arn,
    const char *session_name,
    const char *origin,
    struct aws_creds *out,
    struct tpd_err *err) {
    if (!role_arn || !*role_arn) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "%s: a web identity token file is configured but no role ARN (set AWS_ROLE_ARN or "
            "role_arn in the profile)",
            origin);
    }
    if (!sts) {
        return tpd_err_set(err, TPD_E_CREDENTIALS, "%s: no STS client", origin);
    }
    struct tpd_buf tok;
    tpd_buf_init(&tok, TPD_MAX_WEB_IDENTITY_TOKEN + 4096);
    enum tpd_code rc = s_read_token(token_file, origin, &tok, err);
    if (!rc) {
        rc = aws_sts_assume_role_with_web_identity(
            sts, role_arn, session_name, tpd_buf_span(&tok), out, err);
    }
    tpd_buf_clear_secure(&tok);
    return rc;
}

enum tpd_code aws_creds_web_identity_from_profile(
    const struct aws_sts_caller *sts,
    const struct aws_profile *f,
    const char *profile,
    struct aws_creds *out,
    struct tpd_err *err) {
    const char *file = aws_profile_get_in(f, profile, "web_identity_token_file");
    if (!file || !*file) {
        return tpd_err_set(
            err, TPD_E_NOT_FOUND, "profile \"%s\" has no web_identity_token_file", profile);
    }
    struct tpd_text origin;
    tpd_text_init(&origin, TPD_MAX_NAME);
    tpd_text_printf(&origin, "profile \"%s\"", profile);
    enum tpd_code rc = aws_creds_web_identity_fetch(
        sts,
        file,
        aws_profile_get_in(f, profile, "role_arn"),
        aws_profile_get_in(f, profile, "role_session_name"),
        tpd_text_cstr_or(&origin, "a profile"),
        out,
        err);
    tpd_text_clear(&origin);
    return rc;
}

static const char *s_env(bool disabled, const char *name) {
    const char *v = disabled ? NULL : getenv(name);
    return v && *v ? v : NULL;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_web *s = p->impl;
    bool off = s->cfg.profile_explicit;
    const char *env_file = s_env(off, "AWS_WEB_IDENTITY_TOKEN_FILE");
    struct aws_profile prof;
    enum tpd_code rc = aws_creds_profile_config_load(&s->cfg, &prof, err);
    if (rc) {
        return rc;
    }
    /* Per setting: the environment variable, else the profile (botocore _get_config). */
    const char *file = env_file ? env_file : aws_profile_get(&prof, "web_identity_token_file");
    const char *arn = s_env(off, "AWS_ROLE_ARN");
    const char *session = s_env(off, "AWS_ROLE_SESSION_NAME");
    if (!file || !*file) {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "%sprofile \"%s\" has no web_identity_token_file",
            off ? "" : "AWS_WEB_IDENTITY_TOKEN_FILE not set and ",
            prof.name);
    } else {
        const char *origin =
            env_file ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "web_identity_token_file in the profile";
        rc = aws_creds_web_identity_fetch(
            s->cfg.sts,
            file,
            arn ? arn : aws_profile_get(&prof, "role_arn"),
            session ? session : aws_profile_get(&prof, "role_session_name"),
            origin,
            out,
            err);
    }
    aws_profile_clear(&prof);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_web *s = p->impl;
    aws_creds_profile_config_clear(&s->cfg);
    free(s);
}

struct aws_creds_provider *aws_creds_web_identity_new(const struct aws_creds_profile_options *o) {
    struct s_web *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    if (aws_creds_profile_config_init(&s->cfg, o) != TPD_OK) {
        free(s);
        return NULL;
    }
    s->base = (struct aws_creds_provider){s_get, s_destroy, "web identity", s};
    return &s->base;
}
