/*
 * aws_creds_role: a profile's role_arn (botocore's AssumeRoleProvider,
 * botocore/credentials.py). The source credentials come from
 *   source_profile = NAME  that profile: its static keys, web identity, SSO or
 *                          credential_process, or, when it has a role_arn and no static
 *                          keys, its own assume-role (chains of several profiles);
 *   credential_source = X  Environment, Ec2InstanceMetadata or EcsContainer;
 * never both. A profile may name itself as source_profile when it holds static keys
 * (botocore allows that one self-reference); any other repeat is a loop, refused with
 * the loop spelled out. mfa_serial is refused: botocore would prompt for a code, and
 * Terraform has no terminal to prompt on.
 * A profile with web_identity_token_file is left to aws_creds_web_identity.c even when
 * it has role_arn (botocore _has_assume_role_config_vars).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds_internal.h"
#include "tpd_alloc.h"
#include "tpd_text.h"

struct s_role {
    struct aws_creds_provider base;
    struct aws_creds_profile_config cfg;
};

struct s_walk {
    const struct aws_creds_profile_config *cfg;
    const struct aws_profile *f;
    const char *visited[TPD_MAX_ROLE_HOPS];
    size_t n;
};

static bool s_has(const struct aws_profile *f, const char *profile, const char *key) {
    const char *v = aws_profile_get_in(f, profile, key);
    return v && *v;
}

static bool s_is_role(const struct aws_profile *f, const char *profile) {
    return s_has(f, profile, "role_arn") && !s_has(f, profile, "web_identity_token_file");
}

static bool s_has_static(const struct aws_profile *f, const char *profile) {
    return s_has(f, profile, "aws_access_key_id") || s_has(f, profile, "aws_secret_access_key");
}

static enum tpd_code s_loop(struct s_walk *w, const char *again, struct tpd_err *err) {
    struct tpd_text path;
    tpd_text_init(&path, TPD_MAX_ERROR_MSG);
    for (size_t i = 0; i < w->n; i++) {
        tpd_text_printf(&path, "%s -> ", w->visited[i]);
    }
    tpd_text_append(&path, again);
    enum tpd_code rc = tpd_err_set(
        err,
        TPD_E_CREDENTIALS,
        "the profiles' source_profile settings form a loop: %s",
        tpd_text_cstr_or(&path, "(too long to show)"));
    tpd_text_clear(&path);
    return rc;
}

/* A source profile without a role of its own: the profile sources, in botocore's
 * order (web identity, SSO, static keys, credential_process). */
static enum tpd_code
s_plain_profile(struct s_walk *w, const char *profile, struct aws_creds *out, struct tpd_err *err) {
    struct tpd_err e;
    tpd_err_init(&e);
    enum tpd_code rc = aws_creds_web_identity_from_profile(w->cfg->sts, w->f, profile, out, &e);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(&e);
        rc = aws_creds_sso_from_profile(w->cfg->transport, w->f, profile, out, &e);
    }
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(&e);
        rc = aws_creds_static_from_profile(w->f, profile, out, &e);
    }
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(&e);
        rc = tpd_err_set(
            &e,
            TPD_E_CREDENTIALS,
            "the source profile \"%s\" has no credentials (static keys, web identity, SSO or "
            "credential_process)",
            profile);
    }
    tpd_err_move(err, &e);
    tpd_err_clear(&e);
    return rc;
}

static enum tpd_code s_from_source(
    struct s_walk *w,
    const char *profile,
    const char *source,
    struct aws_creds *out,
    struct tpd_err *err) {
    struct aws_creds_provider *p = NULL;
    if (strcmp(source, "Environment") == 0) {
        p = aws_creds_env_new();
    } else if (strcmp(source, "Ec2InstanceMetadata") == 0) {
        if (w->cfg->skip_instance_metadata) {
            return tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "profile \"%s\": credential_source Ec2InstanceMetadata, but instance metadata "
                "is switched off here",
                profile);
        }
        p = aws_creds_imds_new(w->cfg->transport);
    } else if (strcmp(source, "EcsContainer") == 0) {
        p = aws_creds_container_new(w->cfg->transport);
    } else {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": credential_source \"%s\" is not one of Environment, "
            "Ec2InstanceMetadata, EcsContainer",
            profile,
            source);
    }
    if (!p) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    enum tpd_code rc = aws_creds_get(p, out, err);
    if (rc) {
        tpd_err_prefix(err, "profile \"%s\": credential_source %s: ", profile, source);
        if (rc == TPD_E_NOT_FOUND) {
            rc = TPD_E_CREDENTIALS;
            if (err) {
                err->code = rc;
            }
        }
    }
    aws_creds_provider_free(p);
    return rc;
}

static enum tpd_code
s_assume(struct s_walk *w, const char *profile, struct aws_creds *out, struct tpd_err *err);

static enum tpd_code s_from_profile(
    struct s_walk *w,
    const char *parent,
    const char *source,
    struct aws_creds *out,
    struct tpd_err *err) {
    if (!aws_profile_exists(w->f, source)) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "the source_profile \"%s\" of profile \"%s\" does not exist in %s or %s",
            source,
            parent,
            w->f->credentials_path,
            w->f->config_path);
    }
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->visited[i], source) == 0) {
            if (strcmp(source, parent) != 0 || !s_has_static(w->f, source)) {
                return s_loop(w, source, err);
            }
            return aws_creds_static_from_profile(w->f, source, out, err); /* self-reference */
        }
    }
    if (w->n == TPD_MAX_ROLE_HOPS) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": more than %d source_profile hops",
            parent,
            TPD_MAX_ROLE_HOPS);
    }
    w->visited[w->n++] = source;
    if (s_has_static(w->f, source) || !s_is_role(w->f, source)) {
        return s_plain_profile(w, source, out, err);
    }
    return s_assume(w, source, out, err);
}

static enum tpd_code
s_assume(struct s_walk *w, const char *profile, struct aws_creds *out, struct tpd_err *err) {
    const struct aws_profile *f = w->f;
    const char *arn = aws_profile_get_in(f, profile, "role_arn");
    const char *src_profile = aws_profile_get_in(f, profile, "source_profile");
    const char *src_cred = aws_profile_get_in(f, profile, "credential_source");
    const char *dur = aws_profile_get_in(f, profile, "duration_seconds");
    if (s_has(f, profile, "mfa_serial")) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\" sets mfa_serial: assuming its role needs an MFA code, and Terraform "
            "cannot prompt for one; use credentials that need no code here (for example a "
            "profile with credential_process, SSO, or the session of aws sts get-session-token)",
            profile);
    }
    if (src_profile && src_cred) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\" sets both source_profile and credential_source; keep one",
            profile);
    }
    if (!src_profile && !src_cred) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\" sets role_arn but neither source_profile nor credential_source",
            profile);
    }
    int duration = 0;
    if (dur && *dur) {
        char *end = NULL;
        long v = strtol(dur, &end, 10);
        /* roleDurationSecondsType: 900 to 43200 (botocore's STS model). */
        if (*end || v < 900 || v > 43200) {
            return tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "profile \"%s\": duration_seconds must be a whole number from 900 to 43200",
                profile);
        }
        duration = (int)v;
    }
    struct aws_creds src;
    aws_creds_init(&src);
    enum tpd_code rc = src_cred ? s_from_source(w, profile, src_cred, &src, err)
                                : s_from_profile(w, profile, src_profile, &src, err);
    if (!rc) {
        if (!w->cfg->sts) {
            rc = tpd_err_set(err, TPD_E_CREDENTIALS, "profile \"%s\": no STS client", profile);
        } else {
            struct aws_assume_role_options o = {
                arn,
                aws_profile_get_in(f, profile, "role_session_name"),
                aws_profile_get_in(f, profile, "external_id"),
                duration,
                NULL};
            rc = aws_sts_assume_role(w->cfg->sts, &src, &o, out, err);
            if (rc) {
                tpd_err_prefix(err, "profile \"%s\": ", profile);
            }
        }
    }
    aws_creds_clear(&src);
    return rc;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_role *s = p->impl;
    struct aws_profile prof;
    enum tpd_code rc = aws_creds_profile_config_load(&s->cfg, &prof, err);
    if (rc) {
        return rc;
    }
    if (!s_is_role(&prof, prof.name)) {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "profile \"%s\" has no role_arn%s",
            prof.name,
            s_has(&prof, prof.name, "role_arn") ? " without web_identity_token_file" : "");
    } else {
        struct s_walk w = {.cfg = &s->cfg, .f = &prof};
        w.visited[w.n++] = prof.name;
        rc = s_assume(&w, prof.name, out, err);
    }
    aws_profile_clear(&prof);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_role *s = p->impl;
    aws_creds_profile_config_clear(&s->cfg);
    free(s);
}

struct aws_creds_provider *aws_creds_role_new(const struct aws_creds_profile_options *o) {
    struct s_role *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    if (aws_creds_profile_config_init(&s->cfg, o) != TPD_OK) {
        free(s);
        return NULL;
    }
    s->base = (struct aws_creds_provider){s_get, s_destroy, "assume role (profile)", s};
    return &s->base;
}
