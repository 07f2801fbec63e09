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

void aws_creds_init(struct aws_creds *c) {
    memset(c, 0, sizeof(*c));
    tpd_buf_init(&c->access_key_id, TPD_MAX_SECRET);
    tpd_buf_init(&c->secret_access_key, TPD_MAX_SECRET);
    tpd_buf_init(&c->session_token, TPD_MAX_SECRET);
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

/*
 * The cache follows aws-c-auth's cached provider and botocore's RefreshableCredentials
 * (botocore/credentials.py: advisory and mandatory refresh windows):
 *   - one refresh in flight: the caller that finds a refresh due becomes the refresher;
 *     the source is called with no lock held;
 *   - callers whose credentials are still usable (fresh, or in the advisory window) are
 *     served at once from the cache, also while a refresh runs;
 *   - callers without usable credentials wait (on a condition variable, holding no
 *     lock) for the refresh in flight and take its result, success or failure: a failed
 *     refresh is not repeated by each waiter in turn;
 *   - after a failed refresh no new one starts for a backoff (AWS_CREDS_RETRY_BASE_S,
 *     doubling up to AWS_CREDS_RETRY_MAX_S); meanwhile callers without usable
 *     credentials get that failure at once.
 */
#define S_MANDATORY_S 600

enum s_fresh { S_MUST_REFRESH = 0, S_USABLE, S_FRESH };

struct s_cached {
    struct aws_creds_provider base;
    struct aws_creds_provider *inner;
    pthread_mutex_t mu; /* guards everything below; never held across I/O */
    pthread_cond_t cv;  /* broadcast when a refresh ends */
    struct aws_creds creds;
    bool have;
    bool refreshing;      /* a refresh is in flight (one at most) */
    size_t waiting;       /* callers waiting for it (aws_creds_cached_waiters) */
    uint64_t generation;  /* refreshes ended so far */
    int failures;         /* failed refreshes in a row */
    int64_t retry_at_s;   /* after a failure: no refresh starts before this */
    struct tpd_err error; /* the last refresh's failure, handed out until retry_at_s */
    int64_t refresh_s;
    int64_t (*now_s)(void);
};

static int64_t s_now(struct s_cached *c) {
    return c->now_s ? c->now_s() : tpd_wall_s();
}

static enum s_fresh s_freshness(const struct s_cached *c, int64_t now) {
    if (!c->have) {
        return S_MUST_REFRESH;
    }
    if (c->creds.expiration_s == 0) {
        return S_FRESH;
    }
    int64_t left = c->creds.expiration_s - now;
    if (left > c->refresh_s) {
        return S_FRESH;
    }
    return left > S_MANDATORY_S ? S_USABLE : S_MUST_REFRESH;
}

/* Copy the cached credentials out (called with mu held). */
static enum tpd_code s_cached_copy(struct s_cached *c, struct aws_creds *out, struct tpd_err *err) {
    enum tpd_code rc = aws_creds_copy(out, &c->creds);
    return rc ? tpd_err_set(err, rc, "credentials: %s", tpd_code_str(rc)) : TPD_OK;
}

/* The failure of the last refresh, handed to a caller that did not run it (mu held). */
static enum tpd_code s_cached_failure(struct s_cached *c, struct tpd_err *err) {
    enum tpd_code rc = c->error.code != TPD_OK ? c->error.code : TPD_E_CREDENTIALS;
    if (!err) {
        return rc;
    }
    if (tpd_err_copy(err, &c->error) != TPD_OK) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    err->code = rc;
    return rc;
}

int64_t aws_creds_retry_backoff_s(int failures) {
    int64_t d = AWS_CREDS_RETRY_BASE_S;
    for (int i = 1; i < failures && d < AWS_CREDS_RETRY_MAX_S; i++) {
        d *= 2;
    }
    return d < AWS_CREDS_RETRY_MAX_S ? d : AWS_CREDS_RETRY_MAX_S;
}

/* Run the one refresh (mu held on entry and on return; released around the source). */
static enum tpd_code
s_cached_refresh(struct s_cached *c, bool usable, struct aws_creds *out, struct tpd_err *err) {
    c->refreshing = true;
    pthread_mutex_unlock(&c->mu);
    struct aws_creds fresh;
    aws_creds_init(&fresh);
    struct tpd_err e;
    tpd_err_init(&e);
    enum tpd_code rc = aws_creds_get(c->inner, &fresh, &e);
    if (rc != TPD_OK && e.code == TPD_OK) {
        e.code = rc; /* a source that failed without saying why */
    }
    pthread_mutex_lock(&c->mu);
    c->refreshing = false;
    c->generation++;
    if (rc == TPD_OK) {
        aws_creds_clear(&c->creds);
        c->creds = fresh; /* moves the buffers */
        aws_creds_init(&fresh);
        c->have = true;
        c->failures = 0;
        c->retry_at_s = 0;
        tpd_err_clear(&c->error);
        rc = s_cached_copy(c, out, err);
    } else {
        /* Running out of memory says nothing about the source: no backoff for it. */
        if (rc != TPD_E_NOMEM) {
            c->failures++;
            c->retry_at_s = s_now(c) + aws_creds_retry_backoff_s(c->failures);
            if (tpd_err_copy(&c->error, &e) != TPD_OK) {
                tpd_err_clear(&c->error);
                c->error.code = e.code; /* the waiters still learn the code */
            }
        }
        if (usable) {
            TPD_WARN(
                "refreshing AWS credentials failed, using the current ones until they expire: %s",
                e.msg ? e.msg : tpd_code_str(rc));
            rc = s_cached_copy(c, out, err);
        } else {
            tpd_err_move(err, &e);
        }
    }
    pthread_cond_broadcast(&c->cv);
    aws_creds_clear(&fresh);
    tpd_err_clear(&e);
    return rc;
}

static enum tpd_code
s_cached_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_cached *c = p->impl;
    enum tpd_code rc;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        int64_t now = s_now(c);
        enum s_fresh f = s_freshness(c, now);
        bool backoff = c->failures > 0 && now < c->retry_at_s;
        if (f == S_FRESH || (f == S_USABLE && (c->refreshing || backoff))) {
            rc = s_cached_copy(c, out, err);
            break;
        }
        if (f == S_MUST_REFRESH && c->refreshing) {
            /* Wait for the refresh in flight and take its result: after a success the
             * loop finds fresh credentials, after a failure the backoff below. */
            uint64_t gen = c->generation;
            c->waiting++;
            while (c->refreshing && c->generation == gen) {
                pthread_cond_wait(&c->cv, &c->mu);
            }
            c->waiting--;
            continue;
        }
        if (f == S_MUST_REFRESH && backoff) {
            rc = s_cached_failure(c, err);
            break;
        }
        rc = s_cached_refresh(c, f == S_USABLE, out, err);
        break;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

size_t aws_creds_cached_waiters(struct aws_creds_provider *p) {
    if (!p || p->get != s_cached_get) {
        return 0;
    }
    struct s_cached *c = p->impl;
    pthread_mutex_lock(&c->mu);
    size_t n = c->waiting;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static void s_cached_destroy(struct aws_creds_provider *p) {
    struct s_cached *c = p->impl;
    aws_creds_provider_free(c->inner);
    aws_creds_clear(&c->creds);
    tpd_err_clear(&c->error);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
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
    pthread_cond_init(&c->cv, NULL);
    aws_creds_init(&c->creds);
    tpd_err_init(&c->error);
    c->refresh_s = refresh_s > 0 ? refresh_s : 900;
    c->now_s = now_s;
    c->base = (struct aws_creds_provider){s_cached_get, s_cached_destroy, inner->name, c};
    return &c->base;
}
