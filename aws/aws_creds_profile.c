/*
 * aws_creds_profile: credentials from the shared files (~/.aws/credentials,
 * ~/.aws/config) for one profile: static keys, else credential_process.
 * Profile lookup: [name] in the credentials file, then [profile name] in the
 * config file ([default] for "default", botocore/Go rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "aws_creds.h"
#include "aws_ini.h"
#include "aws_profile.h"
#include "tpd_alloc.h"

struct s_profile {
    struct aws_creds_provider base;
    char *profile;
    char *credentials_file;
    char *config_file;
};

#define S_MAX_PROCESS_OUTPUT ((size_t)64 << 10)

static enum tpd_code
s_run_process(const char *cmd, const char *profile, struct aws_creds *out, struct tpd_err *err) {
    struct tpd_buf b;
    tpd_buf_init(&b, S_MAX_PROCESS_OUTPUT);
    enum tpd_code rc = TPD_OK;
    FILE *f = popen(cmd, "r");
    if (!f) {
        return tpd_err_set(
            err, TPD_E_CREDENTIALS, "profile \"%s\": cannot run credential_process", profile);
    }
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (tpd_buf_append(&b, chunk, n) != TPD_OK) {
            rc = TPD_E_TOO_LARGE;
        }
    }
    int st = pclose(f);
    if (rc) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": credential_process output is too large",
            profile);
    } else if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": credential_process exited with status %d",
            profile,
            WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    } else {
        rc = aws_creds_from_json(tpd_buf_span(&b), "credential_process", out, err);
        if (rc) {
            tpd_err_prefix(err, "profile \"%s\": ", profile);
        }
    }
    tpd_buf_clear_secure(&b);
    return rc;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_profile *s = p->impl;
    struct aws_profile prof;
    enum tpd_code rc =
        aws_profile_load(s->profile, s->credentials_file, s->config_file, &prof, err);
    if (rc) {
        return rc;
    }
    const char *ak = aws_profile_get(&prof, "aws_access_key_id");
    const char *sk = aws_profile_get(&prof, "aws_secret_access_key");
    const char *tok = aws_profile_get(&prof, "aws_session_token");
    const char *proc = aws_profile_get(&prof, "credential_process");
    if (!prof.found) {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "profile \"%s\" not found in %s or %s",
            prof.name,
            prof.credentials_path,
            prof.config_path);
    } else if ((ak && *ak) != (sk && *sk)) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\" has %s but no %s",
            prof.name,
            ak && *ak ? "aws_access_key_id" : "aws_secret_access_key",
            ak && *ak ? "aws_secret_access_key" : "aws_access_key_id");
    } else if (ak && *ak) {
        rc = aws_creds_set(out, ak, sk, tok, 0);
        if (rc) {
            tpd_err_set(err, rc, "profile: %s", tpd_code_str(rc));
        }
    } else if (proc && *proc) {
        rc = s_run_process(proc, prof.name, out, err);
    } else {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "profile \"%s\" has no aws_access_key_id/aws_secret_access_key or credential_process",
            prof.name);
    }
    aws_profile_clear(&prof);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_profile *s = p->impl;
    free(s->profile);
    free(s->credentials_file);
    free(s->config_file);
    free(s);
}

static char *s_dup(const char *v) {
    return v ? tpd_strdup(v) : NULL;
}

struct aws_creds_provider *aws_creds_profile_new(const struct aws_creds_profile_options *o) {
    struct s_profile *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    s->profile = s_dup(o ? o->profile : NULL);
    s->credentials_file = s_dup(o ? o->credentials_file : NULL);
    s->config_file = s_dup(o ? o->config_file : NULL);
    s->base = (struct aws_creds_provider){s_get, s_destroy, "shared config/credentials files", s};
    return &s->base;
}
