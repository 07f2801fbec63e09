/*
 * aws_creds_profile: credentials from the shared files (~/.aws/credentials,
 * ~/.aws/config) for one profile: static keys, else credential_process.
 * Profile lookup: [name] in the credentials file, then [profile name] in the
 * config file ([default] for "default", botocore/Go rule). Also the shared
 * configuration of every shared-file source (aws_creds_internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "aws_creds_internal.h"
#include "tpd_alloc.h"

struct s_profile {
    struct aws_creds_provider base;
    struct aws_creds_profile_config cfg;
};

enum tpd_code aws_creds_profile_config_init(
    struct aws_creds_profile_config *c, const struct aws_creds_profile_options *o) {
    memset(c, 0, sizeof(*c));
    if (!o) {
        return aws_profile_files_copy(&c->files, NULL, NULL, NULL);
    }
    struct aws_profile_files lists = {
        o->credentials_files, o->credentials_files_count, o->config_files, o->config_files_count};
    enum tpd_code rc =
        aws_profile_files_copy(&c->files, o->credentials_file, o->config_file, &lists);
    if (!rc && o->profile && *o->profile) {
        c->profile = tpd_strdup(o->profile);
        rc = c->profile ? TPD_OK : TPD_E_NOMEM;
    }
    c->profile_explicit = o->profile_explicit;
    c->sts = o->sts;
    c->transport = o->transport;
    c->skip_instance_metadata = o->skip_instance_metadata;
    if (rc) {
        aws_creds_profile_config_clear(c);
    }
    return rc;
}

void aws_creds_profile_config_clear(struct aws_creds_profile_config *c) {
    free(c->profile);
    aws_profile_files_copy_clear(&c->files);
    memset(c, 0, sizeof(*c));
}

enum tpd_code aws_creds_profile_config_load(
    const struct aws_creds_profile_config *c, struct aws_profile *out, struct tpd_err *err) {
    return aws_profile_load_files(c->profile, &c->files.files, out, err);
}

static enum tpd_code
s_run_process(const char *cmd, const char *profile, struct aws_creds *out, struct tpd_err *err) {
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_PROCESS_OUTPUT);
    enum tpd_code rc = TPD_OK;
    FILE *f = popen(cmd, "r");
    if (!f) {
        return tpd_err_set(
            err, TPD_E_CREDENTIALS, "profile \"%s\": cannot run credential_process", profile);
    }
    if (tpd_buf_read_stream(&b, f) != TPD_OK) {
        rc = TPD_E_TOO_LARGE;
        while (fgetc(f) != EOF) {
            /* drain the pipe, so that the process can end and pclose return */
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

enum tpd_code aws_creds_static_from_profile(
    const struct aws_profile *f, const char *profile, struct aws_creds *out, struct tpd_err *err) {
    const char *ak = aws_profile_get_in(f, profile, "aws_access_key_id");
    const char *sk = aws_profile_get_in(f, profile, "aws_secret_access_key");
    const char *tok = aws_profile_get_in(f, profile, "aws_session_token");
    const char *proc = aws_profile_get_in(f, profile, "credential_process");
    enum tpd_code rc;
    if (!aws_profile_exists(f, profile)) {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "profile \"%s\" not found in %s or %s",
            profile,
            f->credentials_path,
            f->config_path);
    } else if ((ak && *ak) != (sk && *sk)) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\" has %s but no %s",
            profile,
            ak && *ak ? "aws_access_key_id" : "aws_secret_access_key",
            ak && *ak ? "aws_secret_access_key" : "aws_access_key_id");
    } else if (ak && *ak) {
        rc = aws_creds_set(out, ak, sk, tok, 0);
        if (rc) {
            tpd_err_set(err, rc, "profile: %s", tpd_code_str(rc));
        }
    } else if (proc && *proc) {
        rc = s_run_process(proc, profile, out, err);
    } else {
        rc = tpd_err_set(
            err,
            TPD_E_NOT_FOUND,
            "profile \"%s\" has no aws_access_key_id/aws_secret_access_key or credential_process",
            profile);
    }
    return rc;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_profile *s = p->impl;
    struct aws_profile prof;
    enum tpd_code rc = aws_creds_profile_config_load(&s->cfg, &prof, err);
    if (rc) {
        return rc;
    }
    rc = aws_creds_static_from_profile(&prof, prof.name, out, err);
    aws_profile_clear(&prof);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_profile *s = p->impl;
    aws_creds_profile_config_clear(&s->cfg);
    free(s);
}

struct aws_creds_provider *aws_creds_profile_new(const struct aws_creds_profile_options *o) {
    struct s_profile *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    if (aws_creds_profile_config_init(&s->cfg, o) != TPD_OK) {
        free(s);
        return NULL;
    }
    s->base = (struct aws_creds_provider){s_get, s_destroy, "shared config/credentials files", s};
    return &s->base;
}
