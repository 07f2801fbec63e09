/* aws_profile: shared config files, one profile merged (see aws_profile.h). */
#include "aws_profile.h"

#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "tpd_alloc.h"
#include "tpd_buf.h"

static char *s_default_path(const char *env, const char *leaf) {
    const char *e = getenv(env);
    if (e && *e) {
        return tpd_strdup(e);
    }
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_URL);
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
    for (size_t i = 0; i < p->credentials_count; i++) {
        aws_ini_free(p->credentials[i]);
    }
    for (size_t i = 0; i < p->config_count; i++) {
        aws_ini_free(p->config[i]);
    }
    free(p->credentials);
    free(p->config);
    memset(p, 0, sizeof(*p));
}

/* Load each file of a list (or the default one) into *inis; *paths gets "a, b". */
static enum tpd_code s_load_list(
    const char *const *list,
    size_t count,
    const char *env,
    const char *leaf,
    struct aws_ini ***inis,
    size_t *n,
    char **paths,
    struct tpd_err *err) {
    char *dflt = NULL;
    if (count == 0) {
        dflt = s_default_path(env, leaf);
        if (!dflt) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        list = (const char *const *)&dflt;
        count = 1;
    }
    enum tpd_code rc = TPD_OK;
    struct tpd_buf names;
    tpd_buf_init(&names, TPD_MAX_FILE_LIST);
    *inis = tpd_calloc(count, sizeof(**inis));
    if (!*inis) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count && !rc; i++) {
        const char *path = list[i] ? list[i] : "";
        rc = tpd_buf_printf(&names, "%s%s", i ? ", " : "", path);
        if (rc) {
            rc = tpd_err_set(err, rc, "shared config file names: %s", tpd_code_str(rc));
            break;
        }
        struct tpd_err e;
        tpd_err_init(&e);
        rc = aws_ini_load(path, &(*inis)[i], &e);
        (*n)++;
        if (rc == TPD_E_NOT_FOUND) {
            rc = TPD_OK;
        }
        if (rc) {
            tpd_err_move(err, &e);
        }
        tpd_err_clear(&e);
    }
    if (!rc) {
        *paths = tpd_buf_detach(&names);
        if (!*paths) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
done:
    tpd_buf_clear(&names);
    free(dflt);
    return rc;
}

enum tpd_code aws_profile_load_files(
    const char *profile,
    const struct aws_profile_files *files,
    struct aws_profile *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    const char *name = profile && *profile ? profile : getenv("AWS_PROFILE");
    if (!name || !*name) {
        name = getenv("AWS_DEFAULT_PROFILE");
    }
    if (!name || !*name) {
        name = "default";
    }
    out->name = tpd_strdup(name);
    enum tpd_code rc = out->name ? TPD_OK : tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    if (!rc) {
        rc = s_load_list(
            files ? files->credentials : NULL,
            files ? files->credentials_count : 0,
            "AWS_SHARED_CREDENTIALS_FILE",
            "credentials",
            &out->credentials,
            &out->credentials_count,
            &out->credentials_path,
            err);
    }
    if (!rc) {
        rc = s_load_list(
            files ? files->config : NULL,
            files ? files->config_count : 0,
            "AWS_CONFIG_FILE",
            "config",
            &out->config,
            &out->config_count,
            &out->config_path,
            err);
    }
    if (rc) {
        aws_profile_clear(out);
        return rc;
    }
    out->found = aws_profile_exists(out, name);
    return TPD_OK;
}

enum tpd_code aws_profile_load(
    const char *profile,
    const char *credentials_file,
    const char *config_file,
    struct aws_profile *out,
    struct tpd_err *err) {
    bool hc = credentials_file && *credentials_file;
    bool hf = config_file && *config_file;
    struct aws_profile_files f = {
        hc ? &credentials_file : NULL, hc ? 1 : 0, hf ? &config_file : NULL, hf ? 1 : 0};
    return aws_profile_load_files(profile, &f, out, err);
}

/* The config-file section of profile in one file. */
static const struct aws_ini_section *s_config_section(const struct aws_ini *ini, const char *name) {
    if (!ini) {
        return NULL;
    }
    const struct aws_ini_section *s = aws_ini_section_prefixed(ini, "profile ", name);
    if (!s && strcmp(name, "default") == 0) {
        s = aws_ini_section(ini, "default");
    }
    return s;
}

const char *aws_profile_get_in(const struct aws_profile *p, const char *profile, const char *key) {
    if (!p || !profile) {
        return NULL;
    }
    for (size_t i = p->credentials_count; i-- > 0;) {
        const char *v = aws_ini_get(aws_ini_section(p->credentials[i], profile), key);
        if (v) {
            return v;
        }
    }
    for (size_t i = p->config_count; i-- > 0;) {
        const char *v = aws_ini_get(s_config_section(p->config[i], profile), key);
        if (v) {
            return v;
        }
    }
    return NULL;
}

const char *aws_profile_get(const struct aws_profile *p, const char *key) {
    return aws_profile_get_in(p, p ? p->name : NULL, key);
}

bool aws_profile_exists(const struct aws_profile *p, const char *profile) {
    for (size_t i = 0; p && i < p->credentials_count; i++) {
        if (p->credentials[i] && aws_ini_section(p->credentials[i], profile)) {
            return true;
        }
    }
    for (size_t i = 0; p && i < p->config_count; i++) {
        if (s_config_section(p->config[i], profile)) {
            return true;
        }
    }
    return false;
}

static const struct aws_ini_section *s_sso_section(const struct aws_ini *ini, const char *session) {
    return aws_ini_section_prefixed(ini, "sso-session ", session);
}

const char *
aws_profile_sso_session_get(const struct aws_profile *p, const char *session, const char *key) {
    for (size_t i = p ? p->config_count : 0; i-- > 0;) {
        const char *v = aws_ini_get(s_sso_section(p->config[i], session), key);
        if (v) {
            return v;
        }
    }
    return NULL;
}

bool aws_profile_sso_session_exists(const struct aws_profile *p, const char *session) {
    for (size_t i = 0; p && i < p->config_count; i++) {
        if (s_sso_section(p->config[i], session)) {
            return true;
        }
    }
    return false;
}

void aws_profile_files_copy_clear(struct aws_profile_files_copy *c) {
    for (size_t i = 0; i < c->count; i++) {
        free(c->strings[i]);
    }
    free(c->strings);
    memset(c, 0, sizeof(*c));
}

enum tpd_code aws_profile_files_copy(
    struct aws_profile_files_copy *dst,
    const char *credentials_file,
    const char *config_file,
    const struct aws_profile_files *lists) {
    memset(dst, 0, sizeof(*dst));
    size_t nc = lists && lists->credentials_count ? lists->credentials_count
                                                  : (credentials_file && *credentials_file);
    size_t nf = lists && lists->config_count ? lists->config_count : (config_file && *config_file);
    dst->strings = tpd_calloc(nc + nf + 1, sizeof(char *));
    if (!dst->strings) {
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < nc + nf; i++) {
        const char *s;
        if (i < nc) {
            s = lists && lists->credentials_count ? lists->credentials[i] : credentials_file;
        } else {
            s = lists && lists->config_count ? lists->config[i - nc] : config_file;
        }
        dst->strings[i] = tpd_strdup(s ? s : "");
        dst->count++;
        if (!dst->strings[i]) {
            aws_profile_files_copy_clear(dst);
            return TPD_E_NOMEM;
        }
    }
    dst->files.credentials = (const char *const *)dst->strings;
    dst->files.credentials_count = nc;
    dst->files.config = (const char *const *)dst->strings + nc;
    dst->files.config_count = nf;
    return TPD_OK;
}
