/*
 * aws_ini: parser for ~/.aws/config and ~/.aws/credentials (see aws_ini.h).
 *
 * Two passes: the lines are read into a flat list of section headers and entries in
 * file order (appending only), then one sort groups duplicate sections and keys, the
 * last assignment of a key wins (botocore's configparser behaviour), and the tree is
 * built sorted so that lookups are binary searches.
 */
#include "aws_ini.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

/* A header occurrence ("[name]"), in file order; several may carry the same name. */
struct s_header {
    char *name;
    size_t section; /* index of its (merged) section in the tree, set when building */
};

/* One "key = value" line, in file order. */
struct s_entry {
    size_t header; /* index of the header occurrence it follows */
    char *key;
    char *value; /* may be a secret: wiped when freed */
    size_t order;
};

struct s_parse {
    const char *fn;
    struct s_header *headers;
    size_t nheaders;
    size_t headers_cap;
    struct s_entry *entries;
    size_t nentries;
    size_t entries_cap;
    char *parent_key; /* key with an empty value that may take indented sub-keys */
};

static void s_free_secret(char *s) {
    if (s) {
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
            free(s->kv[k].key);
            s_free_secret(s->kv[k].value);
        }
        free(s->kv);
        free(s->name);
    }
    free(ini->sections);
    free(ini);
}

static void s_parse_clear(struct s_parse *p) {
    for (size_t i = 0; i < p->nheaders; i++) {
        free(p->headers[i].name);
    }
    free(p->headers);
    for (size_t i = 0; i < p->nentries; i++) {
        free(p->entries[i].key);
        s_free_secret(p->entries[i].value);
    }
    free(p->entries);
    free(p->parent_key);
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

/* ---- pass 1: lines ----------------------------------------------------------------- */

static enum tpd_code
s_header(struct s_parse *p, struct tpd_span line, size_t lineno, struct tpd_err *err) {
    free(p->parent_key);
    p->parent_key = NULL;
    const uint8_t *close = memchr(line.ptr, ']', line.len);
    if (!close) {
        return tpd_err_set(err, TPD_E_PARSE, "%s:%zu: section header without ']'", p->fn, lineno);
    }
    char *name = s_section_name((struct tpd_span){line.ptr + 1, (size_t)(close - line.ptr - 1)});
    if (!name || !TPD_ARRAY_RESERVE(p->headers, p->headers_cap, p->nheaders + 1)) {
        free(name);
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (!*name) {
        free(name);
        return tpd_err_set(err, TPD_E_PARSE, "%s:%zu: empty section name", p->fn, lineno);
    }
    p->headers[p->nheaders++] = (struct s_header){name, 0};
    return TPD_OK;
}

/* The entry key, "prefix.key" for an indented sub-key. */
static char *s_key(struct tpd_span key, const char *prefix) {
    if (!prefix) {
        return tpd_span_strdup(key);
    }
    size_t pl = strlen(prefix);
    char *k = tpd_malloc(pl + 1 + key.len + 1);
    if (k) {
        memcpy(k, prefix, pl);
        k[pl] = '.';
        memcpy(k + pl + 1, key.ptr, key.len);
        k[pl + 1 + key.len] = '\0';
    }
    return k;
}

static enum tpd_code s_setting(
    struct s_parse *p, struct tpd_span line, bool indented, size_t lineno, struct tpd_err *err) {
    const uint8_t *eq = memchr(line.ptr, '=', line.len);
    if (!eq) {
        return tpd_err_set(
            err,
            TPD_E_PARSE,
            "%s:%zu: expected \"key = value\", a [section] or a comment",
            p->fn,
            lineno);
    }
    if (p->nheaders == 0) {
        return tpd_err_set(
            err, TPD_E_PARSE, "%s:%zu: setting outside of any [section]", p->fn, lineno);
    }
    struct tpd_span key = s_trim((struct tpd_span){line.ptr, (size_t)(eq - line.ptr)});
    struct tpd_span value =
        s_trim((struct tpd_span){eq + 1, (size_t)(line.ptr + line.len - eq - 1)});
    if (key.len == 0) {
        return tpd_err_set(err, TPD_E_PARSE, "%s:%zu: empty key", p->fn, lineno);
    }
    bool sub = indented && p->parent_key;
    char *k = s_key(key, sub ? p->parent_key : NULL);
    char *v = tpd_span_strdup(value);
    char *parent = !sub && value.len == 0 ? tpd_span_strdup(key) : NULL;
    if (!k || !v || (!sub && value.len == 0 && !parent) ||
        !TPD_ARRAY_RESERVE(p->entries, p->entries_cap, p->nentries + 1)) {
        free(k);
        s_free_secret(v);
        free(parent);
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    p->entries[p->nentries] = (struct s_entry){p->nheaders - 1, k, v, p->nentries};
    p->nentries++;
    if (!sub) {
        free(p->parent_key);
        p->parent_key = parent;
    }
    return TPD_OK;
}

static enum tpd_code s_lines(struct s_parse *p, struct tpd_span text, struct tpd_err *err) {
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
        enum tpd_code rc = line.ptr[0] == '[' ? s_header(p, line, lineno, err)
                                              : s_setting(p, line, indented, lineno, err);
        if (rc) {
            return rc;
        }
    }
    return TPD_OK;
}

/* ---- pass 2: merge and build ------------------------------------------------------- */

/* A header occurrence to sort: its name and its position in the file. */
struct s_named {
    const char *name;
    size_t index;
};

static int s_cmp_named(const void *a, const void *b) {
    const struct s_named *x = a;
    const struct s_named *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index < y->index ? -1 : (x->index > y->index ? 1 : 0));
}

static int s_cmp_entry(const void *a, const void *b) {
    const struct s_entry *x = a;
    const struct s_entry *y = b;
    if (x->header != y->header) { /* here: the merged section index */
        return x->header < y->header ? -1 : 1;
    }
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order < y->order ? -1 : (x->order > y->order ? 1 : 0));
}

/* Sections: one per distinct header name, sorted by name; each header occurrence learns
 * its section. The names move into the tree. */
static enum tpd_code s_build_sections(struct s_parse *p, struct aws_ini *ini) {
    if (p->nheaders == 0) {
        return TPD_OK;
    }
    struct s_named *idx = tpd_calloc(p->nheaders, sizeof(*idx));
    ini->sections = tpd_calloc(p->nheaders, sizeof(*ini->sections));
    if (!idx || !ini->sections) {
        free(idx);
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < p->nheaders; i++) {
        idx[i] = (struct s_named){p->headers[i].name, i};
    }
    qsort(idx, p->nheaders, sizeof(*idx), s_cmp_named);
    for (size_t k = 0; k < p->nheaders; k++) {
        struct s_header *h = &p->headers[idx[k].index];
        if (ini->count == 0 || strcmp(ini->sections[ini->count - 1].name, h->name) != 0) {
            ini->sections[ini->count++].name = h->name;
            h->name = NULL;
        } else {
            free(h->name); /* a repeated header: merged into the section of the first */
            h->name = NULL;
        }
        h->section = ini->count - 1;
    }
    free(idx);
    return TPD_OK;
}

/* Entries: into their merged section, sorted by key; of a key set several times the
 * last assignment stays, the others are wiped. */
static enum tpd_code s_build_entries(struct s_parse *p, struct aws_ini *ini) {
    for (size_t i = 0; i < p->nentries; i++) {
        p->entries[i].header = p->headers[p->entries[i].header].section;
    }
    if (p->nentries > 1) {
        qsort(p->entries, p->nentries, sizeof(*p->entries), s_cmp_entry);
    }
    size_t i = 0;
    while (i < p->nentries) {
        struct aws_ini_section *s = &ini->sections[p->entries[i].header];
        size_t end = i;
        size_t distinct = 0;
        while (end < p->nentries && p->entries[end].header == p->entries[i].header) {
            distinct += end == i || strcmp(p->entries[end].key, p->entries[end - 1].key) != 0;
            end++;
        }
        s->kv = tpd_calloc(distinct, sizeof(*s->kv));
        if (!s->kv) {
            return TPD_E_NOMEM;
        }
        for (size_t k = i; k < end; k++) {
            struct s_entry *e = &p->entries[k];
            if (k + 1 < end && strcmp(e->key, p->entries[k + 1].key) == 0) {
                continue; /* a later assignment of the same key follows */
            }
            s->kv[s->count++] = (struct tpd_kv){e->key, e->value};
            e->key = NULL;
            e->value = NULL;
        }
        i = end;
    }
    return TPD_OK;
}

enum tpd_code aws_ini_parse(
    struct tpd_span text, const char *filename, struct aws_ini **out, struct tpd_err *err) {
    struct s_parse p;
    memset(&p, 0, sizeof(p));
    p.fn = filename ? filename : "(config)";
    *out = NULL;
    struct aws_ini *ini = tpd_calloc(1, sizeof(*ini));
    if (!ini) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    enum tpd_code rc = s_lines(&p, text, err);
    if (!rc && (s_build_sections(&p, ini) || s_build_entries(&p, ini))) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    s_parse_clear(&p);
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
    tpd_buf_init(&b, TPD_MAX_INI_FILE);
    enum tpd_code rc = tpd_buf_read_stream(&b, f);
    if (rc == TPD_E_IO) {
        tpd_err_set(err, rc, "cannot read %s", path);
    } else if (rc) {
        tpd_err_set(
            err, rc, "%s: %s", path, rc == TPD_E_NOMEM ? "out of memory" : "file too large");
    }
    fclose(f);
    if (!rc) {
        rc = aws_ini_parse(tpd_buf_span(&b), path, out, err);
    }
    tpd_buf_clear_secure(&b);
    return rc;
}

static int s_cmp_section_name(const void *key, const void *elem) {
    return strcmp(key, ((const struct aws_ini_section *)elem)->name);
}

static int s_cmp_kv_key(const void *key, const void *elem) {
    return strcmp(key, ((const struct tpd_kv *)elem)->key);
}

const struct aws_ini_section *aws_ini_section(const struct aws_ini *ini, const char *name) {
    if (!ini || !name || ini->count == 0) {
        return NULL;
    }
    return bsearch(name, ini->sections, ini->count, sizeof(*ini->sections), s_cmp_section_name);
}

struct s_prefixed_key {
    const char *prefix;
    size_t prefix_len;
    const char *name;
};

/* strcmp(prefix + name, section name) without building the string. */
static int s_cmp_prefixed(const void *key, const void *elem) {
    const struct s_prefixed_key *k = key;
    const char *n = ((const struct aws_ini_section *)elem)->name;
    int c = strncmp(k->prefix, n, k->prefix_len);
    if (c) {
        return c;
    }
    if (strlen(n) < k->prefix_len) {
        return 1; /* n is a proper prefix of k->prefix: k sorts after */
    }
    return strcmp(k->name, n + k->prefix_len);
}

const struct aws_ini_section *
aws_ini_section_prefixed(const struct aws_ini *ini, const char *prefix, const char *name) {
    if (!ini || !prefix || !name || ini->count == 0) {
        return NULL;
    }
    struct s_prefixed_key k = {prefix, strlen(prefix), name};
    return bsearch(&k, ini->sections, ini->count, sizeof(*ini->sections), s_cmp_prefixed);
}

const char *aws_ini_get(const struct aws_ini_section *s, const char *key) {
    if (!s || !key || s->count == 0) {
        return NULL;
    }
    const struct tpd_kv *kv = bsearch(key, s->kv, s->count, sizeof(*s->kv), s_cmp_kv_key);
    return kv ? kv->value : NULL;
}
