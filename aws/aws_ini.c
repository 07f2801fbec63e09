/* aws_ini: parser for ~/.aws/config and ~/.aws/credentials (see aws_ini.h). */
#include "aws_ini.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

#define S_MAX_FILE ((size_t)4 << 20)

static void s_free_str(char *s, bool secure) {
    if (s && secure) {
        OPENSSL_cleanse(s, strlen(s));
    }
    free(s);
}

void aws_ini_free(struct aws_ini *ini) {
    if (!ini) {
        return;
    }
    for (size_t i = 0; i < ini->count; i++) {
        struct aws_ini_section *s = &ini->sections[i];
        for (size_t k = 0; k < s->count; k++) {
            s_free_str(s->kv[k].key, false);
            s_free_str(s->kv[k].value, true);
        }
        free(s->kv);
        free(s->name);
    }
    free(ini->sections);
    free(ini);
}

static bool s_space(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\r';
}

static struct tpd_span s_trim(struct tpd_span s) {
    while (s.len && s_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && s_space(s.ptr[s.len - 1])) {
        s.len--;
    }
    return s;
}

/* Collapse inner whitespace runs of a section name ("profile   dev" -> "profile dev"). */
static char *s_section_name(struct tpd_span s) {
    char *out = tpd_malloc(s.len + 1);
    size_t n = 0;
    bool sp = false;
    if (!out) {
        return NULL;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s_space(s.ptr[i])) {
            sp = n > 0;
            continue;
        }
        if (sp) {
            out[n++] = ' ';
            sp = false;
        }
        out[n++] = (char)s.ptr[i];
    }
    out[n] = '\0';
    return out;
}

static enum tpd_code
s_set(struct aws_ini_section *s, struct tpd_span key, const char *prefix, struct tpd_span value) {
    char *k = NULL;
    if (prefix) {
        size_t pl = strlen(prefix);
        k = tpd_malloc(pl + 1 + key.len + 1);
        if (k) {
            memcpy(k, prefix, pl);
            k[pl] = '.';
            memcpy(k + pl + 1, key.ptr, key.len);
            k[pl + 1 + key.len] = '\0';
        }
    } else {
        k = tpd_span_strdup(key);
    }
    char *v = tpd_span_strdup(value);
    if (!k || !v) {
        free(k);
        s_free_str(v, true);
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < s->count; i++) { /* last assignment wins */
        if (strcmp(s->kv[i].key, k) == 0) {
            s_free_str(s->kv[i].value, true);
            s->kv[i].value = v;
            free(k);
            return TPD_OK;
        }
    }
    struct aws_ini_kv *nkv = tpd_realloc(s->kv, (s->count + 1) * sizeof(*nkv));
    if (!nkv) {
        free(k);
        s_free_str(v, true);
        return TPD_E_NOMEM;
    }
    s->kv = nkv;
    s->kv[s->count].key = k;
    s->kv[s->count].value = v;
    s->count++;
    return TPD_OK;
}

enum tpd_code aws_ini_parse(
    struct tpd_span text, const char *filename, struct aws_ini **out, struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    const char *fn = filename ? filename : "(config)";
    struct aws_ini *ini = tpd_calloc(1, sizeof(*ini));
    struct aws_ini_section *cur = NULL;
    char *parent_key = NULL; /* key with an empty value that may take indented sub-keys */
    *out = NULL;
    if (!ini) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    size_t lineno = 0;
    size_t i = 0;
    while (i < text.len) {
        size_t start = i;
        while (i < text.len && text.ptr[i] != '\n') {
            i++;
        }
        struct tpd_span raw = {text.ptr + start, i - start};
        i++;
        lineno++;
        bool indented = raw.len > 0 && (raw.ptr[0] == ' ' || raw.ptr[0] == '\t');
        struct tpd_span line = s_trim(raw);
        if (line.len == 0 || line.ptr[0] == '#' || line.ptr[0] == ';') {
            continue;
        }
        if (line.ptr[0] == '[') {
            free(parent_key);
            parent_key = NULL;
            const uint8_t *close = memchr(line.ptr, ']', line.len);
            if (!close) {
                rc =
                    tpd_err_set(err, TPD_E_PARSE, "%s:%zu: section header without ']'", fn, lineno);
                goto done;
            }
            char *name =
                s_section_name((struct tpd_span){line.ptr + 1, (size_t)(close - line.ptr - 1)});
            if (!name) {
                rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
                goto done;
            }
            if (!*name) {
                free(name);
                rc = tpd_err_set(err, TPD_E_PARSE, "%s:%zu: empty section name", fn, lineno);
                goto done;
            }
            cur = NULL;
            for (size_t k = 0; k < ini->count; k++) {
                if (strcmp(ini->sections[k].name, name) == 0) {
                    cur = &ini->sections[k];
                }
            }
            if (cur) {
                free(name);
                continue;
            }
            struct aws_ini_section *ns = tpd_realloc(ini->sections, (ini->count + 1) * sizeof(*ns));
            if (!ns) {
                free(name);
                rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
                goto done;
            }
            ini->sections = ns;
            cur = &ini->sections[ini->count++];
            memset(cur, 0, sizeof(*cur));
            cur->name = name;
            continue;
        }
        const uint8_t *eq = memchr(line.ptr, '=', line.len);
        if (!eq) {
            rc = tpd_err_set(
                err,
                TPD_E_PARSE,
                "%s:%zu: expected \"key = value\", a [section] or a comment",
                fn,
                lineno);
            goto done;
        }
        if (!cur) {
            rc = tpd_err_set(
                err, TPD_E_PARSE, "%s:%zu: setting outside of any [section]", fn, lineno);
            goto done;
        }
        struct tpd_span key = s_trim((struct tpd_span){line.ptr, (size_t)(eq - line.ptr)});
        struct tpd_span value =
            s_trim((struct tpd_span){eq + 1, (size_t)(line.ptr + line.len - eq - 1)});
        if (key.len == 0) {
            rc = tpd_err_set(err, TPD_E_PARSE, "%s:%zu: empty key", fn, lineno);
            goto done;
        }
        if (indented && parent_key) {
            rc = s_set(cur, key, parent_key, value);
        } else {
            rc = s_set(cur, key, NULL, value);
            free(parent_key);
            parent_key = value.len == 0 ? tpd_span_strdup(key) : NULL;
        }
        if (rc) {
            tpd_err_set(err, rc, "out of memory");
            goto done;
        }
    }
done:
    free(parent_key);
    if (rc) {
        aws_ini_free(ini);
        return rc;
    }
    *out = ini;
    return TPD_OK;
}

enum tpd_code aws_ini_load(const char *path, struct aws_ini **out, struct tpd_err *err) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return tpd_err_set(err, TPD_E_NOT_FOUND, "%s does not exist", path);
        }
        return tpd_err_set(err, TPD_E_IO, "cannot open %s: %s", path, strerror(errno));
    }
    struct tpd_buf b;
    tpd_buf_init(&b, S_MAX_FILE);
    enum tpd_code rc = TPD_OK;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = tpd_buf_append(&b, chunk, n);
        if (rc) {
            tpd_err_set(err, rc, "%s: file too large", path);
            break;
        }
    }
    if (!rc && ferror(f)) {
        rc = tpd_err_set(err, TPD_E_IO, "cannot read %s", path);
    }
    fclose(f);
    if (!rc) {
        rc = aws_ini_parse(tpd_buf_span(&b), path, out, err);
    }
    tpd_buf_clear_secure(&b);
    return rc;
}

const struct aws_ini_section *aws_ini_section(const struct aws_ini *ini, const char *name) {
    for (size_t i = 0; ini && i < ini->count; i++) {
        if (strcmp(ini->sections[i].name, name) == 0) {
            return &ini->sections[i];
        }
    }
    return NULL;
}

const char *aws_ini_get(const struct aws_ini_section *s, const char *key) {
    for (size_t i = 0; s && i < s->count; i++) {
        if (strcmp(s->kv[i].key, key) == 0) {
            return s->kv[i].value;
        }
    }
    return NULL;
}
