/*
 * aws_creds: the credential value, the static provider, the chain and the cache.
 * Provider implementations that talk to files or endpoints live in
 * aws_creds_{env,profile,container,imds,sts}.c.
 */
#include "aws_creds.h"

#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_time.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_log.h"

#define S_MAX_SECRET ((size_t)8192)

void aws_creds_init(struct aws_creds *c) {
    memset(c, 0, sizeof(*c));
    tpd_buf_init(&c->access_key_id, S_MAX_SECRET);
    tpd_buf_init(&c->secret_access_key, S_MAX_SECRET);
    tpd_buf_init(&c->session_token, S_MAX_SECRET);
}

void aws_creds_clear(struct aws_creds *c) {
    tpd_buf_clear_secure(&c->access_key_id);
    tpd_buf_clear_secure(&c->secret_access_key);
    tpd_buf_clear_secure(&c->session_token);
    c->expiration_s = 0;
    c->source = NULL;
}

enum tpd_code aws_creds_set(
    struct aws_creds *c,
    const char *access_key_id,
    const char *secret_access_key,
    const char *session_token,
    int64_t expiration_s) {
    aws_creds_clear(c);
    enum tpd_code rc = tpd_buf_append_cstr(&c->access_key_id, access_key_id ? access_key_id : "");
    rc =
        rc ? rc
           : tpd_buf_append_cstr(&c->secret_access_key, secret_access_key ? secret_access_key : "");
    rc = rc ? rc : tpd_buf_append_cstr(&c->session_token, session_token ? session_token : "");
    c->expiration_s = expiration_s;
    if (rc) {
        aws_creds_clear(c);
    }
    return rc;
}

enum tpd_code aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src) {
    enum tpd_code rc = aws_creds_set(
        dst,
        tpd_buf_cstr(&src->access_key_id),
        tpd_buf_cstr(&src->secret_access_key),
        tpd_buf_cstr(&src->session_token),
        src->expiration_s);
    dst->source = src->source;
    return rc;
}

enum tpd_code aws_creds_from_json(
    struct tpd_span body, const char *what, struct aws_creds *out, struct tpd_err *err) {
    json_error_t je;
    json_t *root = json_loadb(body.ptr ? (const char *)body.ptr : "", body.len, 0, &je);
    enum tpd_code rc = TPD_OK;
    if (!root || !json_is_object(root)) {
        rc = tpd_err_set(
            err, TPD_E_CREDENTIALS, "%s: the credentials response is not a JSON object", what);
        goto done;
    }
    const char *ak = json_string_value(json_object_get(root, "AccessKeyId"));
    const char *sk = json_string_value(json_object_get(root, "SecretAccessKey"));
    const char *tok = json_string_value(json_object_get(root, "Token"));
    if (!tok) {
        tok = json_string_value(json_object_get(root, "SessionToken"));
    }
    const char *exp = json_string_value(json_object_get(root, "Expiration"));
    if (!ak || !*ak || !sk || !*sk) {
        rc = tpd_err_set(
            err, TPD_E_CREDENTIALS, "%s: the response lacks AccessKeyId or SecretAccessKey", what);
        goto done;
    }
    int64_t exp_s = 0;
    if (exp && *exp && aws_parse_iso8601(exp, &exp_s) != TPD_OK) {
        rc = tpd_err_set(err, TPD_E_CREDENTIALS, "%s: cannot parse Expiration \"%s\"", what, exp);
        goto done;
    }
    rc = aws_creds_set(out, ak, sk, tok, exp_s);
    if (rc) {
        tpd_err_set(err, rc, "%s: %s", what, tpd_code_str(rc));
    }
done:
    if (root) {
        /* Wipe the secret strings jansson holds before freeing. */
        const char *keys[] = {"SecretAccessKey", "Token", "SessionToken"};
        for (size_t i = 0; i < 3; i++) {
            json_t *v = json_object_get(root, keys[i]);
            if (json_is_string(v)) {
                memset((char *)json_string_value(v), 0, json_string_length(v));
            }
        }
    }
    json_decref(root);
    return rc;
}

enum tpd_code
aws_creds_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    enum tpd_code rc = p->get(p, out, err);
    if (rc == TPD_OK && !out->source) {
        out->source = p->name;
    }
    return rc;
}

void aws_creds_provider_free(struct aws_creds_provider *p) {
    if (p && p->destroy) {
        p->destroy(p);
    }
}

const char *aws_creds_home_dir(void) {
    const char *h = getenv("HOME");
    if (h && *h) {
        return h;
    }
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_dir : "/";
}

/* ---- static ---------------------------------------------------------------------- */

struct s_static {
    struct aws_creds_provider base;
    struct aws_creds creds;
};

static enum tpd_code
s_static_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_static *s = p->impl;
    enum tpd_code rc = aws_creds_copy(out, &s->creds);
    return rc ? tpd_err_set(err, rc, "static credentials: %s", tpd_code_str(rc)) : TPD_OK;
}

static void s_static_destroy(struct aws_creds_provider *p) {
    struct s_static *s = p->impl;
    aws_creds_clear(&s->creds);
    free(s);
}

struct aws_creds_provider *aws_creds_static_new(const char *ak, const char *sk, const char *token) {
    struct s_static *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    aws_creds_init(&s->creds);
    if (aws_creds_set(&s->creds, ak, sk, token, 0) != TPD_OK) {
        free(s);
        return NULL;
    }
    s->creds.source = "static";
    s->base = (struct aws_creds_provider){s_static_get, s_static_destroy, "static", s};
    return &s->base;
}

/* ---- chain ----------------------------------------------------------------------- */

struct s_chain {
    struct aws_creds_provider base;
    struct aws_creds_provider **p;
    size_t n;
};

static enum tpd_code
s_chain_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_chain *c = p->impl;
    struct tpd_buf tried;
    tpd_buf_init(&tried, TPD_MAX_ERROR_MSG);
    enum tpd_code rc = TPD_E_CREDENTIALS;
    for (size_t i = 0; i < c->n; i++) {
        struct tpd_err e;
        tpd_err_init(&e);
        enum tpd_code r = aws_creds_get(c->p[i], out, &e);
        if (r == TPD_OK) {
            TPD_DEBUG("AWS credentials from %s", out->source ? out->source : c->p[i]->name);
            tpd_err_clear(&e);
            rc = TPD_OK;
            goto done;
        }
        if (r != TPD_E_NOT_FOUND) {
            tpd_err_move(err, &e);
            tpd_err_prefix(err, "AWS credentials from %s failed: ", c->p[i]->name);
            /* A source may fail without filling err (an allocation failure deep in a
             * transport): its return code still decides, never an empty err's TPD_OK. */
            if (err && err->code == TPD_OK) {
                err->code = r;
            }
            rc = err ? err->code : r;
            goto done;
        }
        enum tpd_code lrc = tpd_buf_printf(
            &tried, "%s%s (%s)", tried.len ? "; " : "", c->p[i]->name, e.msg ? e.msg : "not set");
        tpd_err_clear(&e);
        if (lrc == TPD_E_NOMEM) { /* a list too long keeps what fits; no memory is an error */
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            goto done;
        }
    }
    tpd_err_set(
        err,
        TPD_E_CREDENTIALS,
        "no AWS credentials found; sources tried: %s",
        tpd_buf_cstr(&tried));
done:
    tpd_buf_clear(&tried);
    return rc;
}

static void s_chain_destroy(struct aws_creds_provider *p) {
    struct s_chain *c = p->impl;
    for (size_t i = 0; i < c->n; i++) {
        aws_creds_provider_free(c->p[i]);
    }
    free(c->p);
    free(c);
}

struct aws_creds_provider *
aws_creds_chain_new(struct aws_creds_provider **providers, size_t count) {
    struct s_chain *c = tpd_calloc(1, sizeof(*c));
    struct aws_creds_provider **arr = tpd_calloc(count ? count : 1, sizeof(*arr));
    if (!c || !arr) {
        free(c);
        free(arr);
        for (size_t i = 0; i < count; i++) {
            aws_creds_provider_free(providers[i]);
        }
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (providers[i]) {
            arr[c->n++] = providers[i];
        }
    }
    c->p = arr;
    c->base = (struct aws_creds_provider){s_chain_get, s_chain_destroy, "chain", c};
    return &c->base;
}

/* ---- cache ----------------------------------------------------------------------- */

#define S_MANDATORY_S 600

struct s_cached {
    struct aws_creds_provider base;
    struct aws_creds_provider *inner;
    pthread_mutex_t mu; /* guards creds/have */
    pthread_mutex_t
        refresh_mu; /* one refresh at a time; held across I/O, nothing else waits on mu */
    struct aws_creds creds;
    bool have;
    int64_t refresh_s;
    int64_t (*now_s)(void);
};

static int64_t s_now(struct s_cached *c) {
    return c->now_s ? c->now_s() : tpd_wall_s();
}

/* 2 = fresh, 1 = usable but should refresh, 0 = must refresh */
static int s_freshness(struct s_cached *c, int64_t now) {
    if (!c->have) {
        return 0;
    }
    if (c->creds.expiration_s == 0) {
        return 2;
    }
    int64_t left = c->creds.expiration_s - now;
    if (left > c->refresh_s) {
        return 2;
    }
    return left > S_MANDATORY_S ? 1 : 0;
}

static enum tpd_code
s_cached_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_cached *c = p->impl;
    enum tpd_code rc;
    pthread_mutex_lock(&c->mu);
    if (s_freshness(c, s_now(c)) == 2) {
        rc = aws_creds_copy(out, &c->creds);
        pthread_mutex_unlock(&c->mu);
        return rc ? tpd_err_set(err, rc, "credentials: %s", tpd_code_str(rc)) : TPD_OK;
    }
    pthread_mutex_unlock(&c->mu);

    pthread_mutex_lock(&c->refresh_mu);
    pthread_mutex_lock(&c->mu);
    int fresh = s_freshness(c, s_now(c)); /* another thread may have refreshed meanwhile */
    if (fresh == 2) {
        rc = aws_creds_copy(out, &c->creds);
        pthread_mutex_unlock(&c->mu);
        pthread_mutex_unlock(&c->refresh_mu);
        return rc ? tpd_err_set(err, rc, "credentials: %s", tpd_code_str(rc)) : TPD_OK;
    }
    pthread_mutex_unlock(&c->mu);

    struct aws_creds fresh_creds;
    aws_creds_init(&fresh_creds);
    struct tpd_err e;
    tpd_err_init(&e);
    rc = aws_creds_get(c->inner, &fresh_creds, &e);
    pthread_mutex_lock(&c->mu);
    if (rc == TPD_OK) {
        aws_creds_clear(&c->creds);
        c->creds = fresh_creds; /* moves the buffers */
        aws_creds_init(&fresh_creds);
        c->have = true;
        rc = aws_creds_copy(out, &c->creds);
        if (rc) {
            tpd_err_set(err, rc, "credentials: %s", tpd_code_str(rc));
        }
    } else if (fresh == 1) {
        TPD_WARN(
            "refreshing AWS credentials failed, using the current ones until they expire: %s",
            e.msg ? e.msg : "");
        rc = aws_creds_copy(out, &c->creds);
    } else {
        tpd_err_move(err, &e);
    }
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_unlock(&c->refresh_mu);
    aws_creds_clear(&fresh_creds);
    tpd_err_clear(&e);
    return rc;
}

static void s_cached_destroy(struct aws_creds_provider *p) {
    struct s_cached *c = p->impl;
    aws_creds_provider_free(c->inner);
    aws_creds_clear(&c->creds);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->refresh_mu);
    free(c);
}

struct aws_creds_provider *
aws_creds_cached_new(struct aws_creds_provider *inner, int64_t refresh_s, int64_t (*now_s)(void)) {
    struct s_cached *c = tpd_calloc(1, sizeof(*c));
    if (!c) {
        aws_creds_provider_free(inner);
        return NULL;
    }
    c->inner = inner;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->refresh_mu, NULL);
    aws_creds_init(&c->creds);
    c->refresh_s = refresh_s > 0 ? refresh_s : 900;
    c->now_s = now_s;
    c->base = (struct aws_creds_provider){s_cached_get, s_cached_destroy, inner->name, c};
    return &c->base;
}
