/* aws_profile: shared config files, one profile merged (see aws_profile.h). */
#include "aws_profile.h"

#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "tpd_alloc.h"
#include "tpd_buf.h"

static char *s_path(const char *given, const char *env, const char *leaf) {
    if (given && *given) {
        return tpd_strdup(given);
    }
    const char *e = getenv(env);
    if (e && *e) {
        return tpd_strdup(e);
    }
    struct tpd_buf b;
    tpd_buf_init(&b, 4096);
    if (tpd_buf_printf(&b, "%s/.aws/%s", aws_creds_home_dir(), leaf) != TPD_OK) {
        tpd_buf_clear(&b);
        return NULL;
    }
    return tpd_buf_detach(&b);
}

void aws_profile_clear(struct aws_profile *p) {
    free(p->name);
    free(p->credentials_path);
    free(p->config_path);
    aws_ini_free(p->credentials);
    aws_ini_free(p->config);
    memset(p, 0, sizeof(*p));
}

enum tpd_code aws_profile_load(
    const char *profile,
    const char *credentials_file,
    const char *config_file,
    struct aws_profile *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    enum tpd_code rc = TPD_OK;
    const char *name = profile && *profile ? profile : getenv("AWS_PROFILE");
    if (!name || !*name) {
        name = getenv("AWS_DEFAULT_PROFILE");
    }
    if (!name || !*name) {
        name = "default";
    }
    out->name = tpd_strdup(name);
    out->credentials_path = s_path(credentials_file, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    out->config_path = s_path(config_file, "AWS_CONFIG_FILE", "config");
    if (!out->name || !out->credentials_path || !out->config_path) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto done;
    }
    struct tpd_err e;
    tpd_err_init(&e);
    rc = aws_ini_load(out->credentials_path, &out->credentials, &e);
    if (rc == TPD_E_NOT_FOUND) {
        rc = TPD_OK;
    }
    if (!rc) {
        rc = aws_ini_load(out->config_path, &out->config, &e);
        if (rc == TPD_E_NOT_FOUND) {
            rc = TPD_OK;
        }
    }
    if (rc) {
        tpd_err_move(err, &e);
        goto done;
    }
    tpd_err_clear(&e);
    out->cred_section = aws_ini_section(out->credentials, name);
    struct tpd_buf sec;
    tpd_buf_init(&sec, 4096);
    if (tpd_buf_printf(&sec, "profile %s", name) != TPD_OK) {
        /* Not "no such profile": a lost profile would silently mean other settings. */
        tpd_buf_clear(&sec);
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto done;
    }
    out->config_section = aws_ini_section(out->config, tpd_buf_cstr(&sec));
    tpd_buf_clear(&sec);
    if (!out->config_section && strcmp(name, "default") == 0) {
        out->config_section = aws_ini_section(out->config, "default");
    }
    out->found = out->cred_section || out->config_section;
done:
    if (rc) {
        aws_profile_clear(out);
    }
    return rc;
}

const char *aws_profile_get(const struct aws_profile *p, const char *key) {
    const char *v = aws_ini_get(p->cred_section, key);
    return v ? v : aws_ini_get(p->config_section, key);
}
