/*
 * aws_sigv4: Signature Version 4 (header signing).
 *
 * Follows the AWS SigV4 signing description (canonical request → string to sign →
 * HMAC-SHA256 key chain → signature) and is checked against the AWS test suite
 * (tests/vectors/sigv4) and against botocore's SigV4Auth (tests/aws/test_sigv4.c).
 * Header rules match botocore: names lower-cased, values trimmed with inner
 * whitespace runs collapsed, duplicates joined by ',' in request order, and the
 * headers a proxy or libcurl may rewrite (user-agent, expect, ...) never signed.
 */
#include "aws_sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tpd_alloc.h"

static const char *const s_unsigned_headers[] = {
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
    "authorization",
};

void aws_sigv4_key_cache_init(struct aws_sigv4_key_cache *c) {
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
}

void aws_sigv4_key_cache_clear(struct aws_sigv4_key_cache *c) {
    pthread_mutex_destroy(&c->mu);
    OPENSSL_cleanse(c, sizeof(*c));
}

void aws_sigv4_result_init(struct aws_sigv4_result *r) {
    tpd_buf_init(&r->canonical_request, TPD_MAX_SIGNING);
    tpd_buf_init(&r->string_to_sign, TPD_MAX_SIGNING);
    tpd_buf_init(&r->signature, AWS_SHA256_HEX_LEN);
    tpd_buf_init(&r->authorization, TPD_MAX_SIGNING);
    tpd_buf_init(&r->amz_date, AWS_AMZ_DATE_LEN);
    tpd_buf_init(&r->payload_hash, AWS_SHA256_HEX_LEN);
    tpd_buf_init(&r->signed_headers, TPD_MAX_SIGNING);
}

void aws_sigv4_result_clear(struct aws_sigv4_result *r) {
    tpd_buf_clear(&r->canonical_request);
    tpd_buf_clear(&r->string_to_sign);
    tpd_buf_clear_secure(&r->signature);
    tpd_buf_clear_secure(&r->authorization);
    tpd_buf_clear(&r->amz_date);
    tpd_buf_clear(&r->payload_hash);
    tpd_buf_clear(&r->signed_headers);
}

static void s_hex(const uint8_t *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int s_sha256(struct tpd_span data, uint8_t out[AWS_SHA256_LEN]) {
    unsigned int n = 0;
    return EVP_Digest(data.ptr ? (const void *)data.ptr : "", data.len, out, &n, EVP_sha256(), NULL)
               ? 0
               : -1;
}

enum tpd_code aws_sha256_hex(struct tpd_span data, struct tpd_buf *out) {
    uint8_t d[AWS_SHA256_LEN];
    char hex[AWS_SHA256_HEX_LEN + 1];
    if (s_sha256(data, d) != 0) {
        return TPD_E_INTERNAL;
    }
    s_hex(d, AWS_SHA256_LEN, hex);
    return tpd_buf_append(out, hex, AWS_SHA256_HEX_LEN);
}

static int s_hmac(
    const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t out[AWS_SHA256_LEN]) {
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) || n != AWS_SHA256_LEN) {
        return -1;
    }
    return 0;
}

static bool s_unreserved(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

enum tpd_code aws_uri_encode(struct tpd_span s, bool keep_slash, struct tpd_buf *out) {
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        uint8_t c = s.ptr[i];
        enum tpd_code rc;
        if (s_unreserved(c) || (keep_slash && c == '/')) {
            rc = tpd_buf_append_byte(out, c);
        } else {
            char e[3] = {'%', digits[c >> 4], digits[c & 15]};
            rc = tpd_buf_append(out, e, 3);
        }
        if (rc) {
            return rc;
        }
    }
    return TPD_OK;
}

enum tpd_code aws_format_amz_date(int64_t time_s, struct tpd_buf *out) {
    time_t t = (time_t)time_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        return TPD_E_INVALID;
    }
    char s[AWS_SHA256_LEN];
    size_t n = strftime(s, sizeof(s), "%Y%m%dT%H%M%SZ", &tm);
    if (n != 16) {
        return TPD_E_INVALID;
    }
    return tpd_buf_append(out, s, n);
}

static int s_hexval(uint8_t c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Percent-decode s into out ('+' stays literal: query strings from our own code never
 * use it and the test suite expects it kept). */
static enum tpd_code s_pct_decode(struct tpd_span s, struct tpd_buf *out) {
    for (size_t i = 0; i < s.len; i++) {
        uint8_t c = s.ptr[i];
        if (c == '%' && i + 2 < s.len && s_hexval(s.ptr[i + 1]) >= 0 &&
            s_hexval(s.ptr[i + 2]) >= 0) {
            c = (uint8_t)(s_hexval(s.ptr[i + 1]) * 16 + s_hexval(s.ptr[i + 2]));
            i += 2;
        }
        enum tpd_code rc = tpd_buf_append_byte(out, c);
        if (rc) {
            return rc;
        }
    }
    return TPD_OK;
}

/* ---- canonical URI ------------------------------------------------------------------ */

static enum tpd_code s_canonical_uri(struct tpd_span path, bool normalize, struct tpd_buf *out) {
    if (path.len == 0) {
        return tpd_buf_append_byte(out, '/');
    }
    if (!normalize) {
        return aws_uri_encode(path, true, out);
    }
    /* Remove empty, "." and ".." segments (RFC 3986 5.2.4 for absolute paths). */
    size_t nseg = 0;
    size_t cap = path.len / 2 + 2;
    struct tpd_span *segs = tpd_calloc(cap, sizeof(*segs));
    if (!segs) {
        return TPD_E_NOMEM;
    }
    size_t i = 0;
    while (i < path.len) {
        while (i < path.len && path.ptr[i] == '/') {
            i++;
        }
        size_t start = i;
        while (i < path.len && path.ptr[i] != '/') {
            i++;
        }
        struct tpd_span seg = {path.ptr + start, i - start};
        if (seg.len == 0 || tpd_span_eq_cstr(seg, ".")) {
            continue;
        }
        if (tpd_span_eq_cstr(seg, "..")) {
            if (nseg > 0) {
                nseg--;
            }
            continue;
        }
        segs[nseg++] = seg;
    }
    bool trailing = path.ptr[path.len - 1] == '/';
    enum tpd_code rc = tpd_buf_append_byte(out, '/');
    for (size_t k = 0; k < nseg && rc == TPD_OK; k++) {
        rc = aws_uri_encode(segs[k], false, out);
        if (rc == TPD_OK && (k + 1 < nseg || trailing)) {
            rc = tpd_buf_append_byte(out, '/');
        }
    }
    free(segs);
    return rc;
}

/* ---- canonical query ---------------------------------------------------------------- */

struct s_kv {
    struct tpd_buf k;
    struct tpd_buf v;
};

static int s_kv_cmp(const void *a, const void *b) {
    const struct s_kv *x = a;
    const struct s_kv *y = b;
    size_t n = x->k.len < y->k.len ? x->k.len : y->k.len;
    int c = n ? memcmp(x->k.ptr, y->k.ptr, n) : 0;
    if (c == 0 && x->k.len != y->k.len) {
        c = x->k.len < y->k.len ? -1 : 1;
    }
    if (c != 0) {
        return c;
    }
    n = x->v.len < y->v.len ? x->v.len : y->v.len;
    c = n ? memcmp(x->v.ptr, y->v.ptr, n) : 0;
    if (c == 0 && x->v.len != y->v.len) {
        c = x->v.len < y->v.len ? -1 : 1;
    }
    return c;
}

static enum tpd_code s_canonical_query(struct tpd_span q, struct tpd_buf *out) {
    if (q.len == 0) {
        return TPD_OK;
    }
    size_t n = 1;
    for (size_t i = 0; i < q.len; i++) {
        n += q.ptr[i] == '&';
    }
    struct s_kv *kv = tpd_calloc(n, sizeof(*kv));
    struct tpd_buf tmp;
    tpd_buf_init(&tmp, TPD_MAX_SIGNING);
    if (!kv) {
        return TPD_E_NOMEM;
    }
    enum tpd_code rc = TPD_OK;
    size_t count = 0;
    size_t i = 0;
    while (i <= q.len && rc == TPD_OK) {
        size_t start = i;
        while (i < q.len && q.ptr[i] != '&') {
            i++;
        }
        struct tpd_span part = {q.ptr + start, i - start};
        i++;
        if (part.len == 0) {
            continue;
        }
        size_t eq = 0;
        while (eq < part.len && part.ptr[eq] != '=') {
            eq++;
        }
        struct tpd_span k = {part.ptr, eq};
        struct tpd_span v = {
            part.ptr + (eq < part.len ? eq + 1 : eq), eq < part.len ? part.len - eq - 1 : 0};
        struct s_kv *e = &kv[count++];
        tpd_buf_init(&e->k, TPD_MAX_SIGNING);
        tpd_buf_init(&e->v, TPD_MAX_SIGNING);
        tpd_buf_reset(&tmp);
        rc = s_pct_decode(k, &tmp);
        if (!rc) {
            rc = aws_uri_encode(tpd_buf_span(&tmp), false, &e->k);
        }
        tpd_buf_reset(&tmp);
        if (!rc) {
            rc = s_pct_decode(v, &tmp);
        }
        if (!rc) {
            rc = aws_uri_encode(tpd_buf_span(&tmp), false, &e->v);
        }
    }
    if (rc == TPD_OK) {
        qsort(kv, count, sizeof(*kv), s_kv_cmp);
        for (size_t k = 0; k < count && rc == TPD_OK; k++) {
            if (k > 0) {
                rc = tpd_buf_append_byte(out, '&');
            }
            if (!rc) {
                rc = tpd_buf_append_span(out, tpd_buf_span(&kv[k].k));
            }
            if (!rc) {
                rc = tpd_buf_append_byte(out, '=');
            }
            if (!rc) {
                rc = tpd_buf_append_span(out, tpd_buf_span(&kv[k].v));
            }
        }
    }
    for (size_t k = 0; k < count; k++) {
        tpd_buf_clear(&kv[k].k);
        tpd_buf_clear(&kv[k].v);
    }
    free(kv);
    tpd_buf_clear(&tmp);
    return rc;
}

/* ---- canonical headers -------------------------------------------------------------- */

struct s_hdr {
    struct tpd_buf name;  /* lower-case */
    struct tpd_buf value; /* trimmed, runs of whitespace collapsed */
    size_t order;
};

static int s_hdr_cmp(const void *a, const void *b) {
    const struct s_hdr *x = a;
    const struct s_hdr *y = b;
    int c = strcmp(tpd_buf_cstr(&x->name), tpd_buf_cstr(&y->name));
    if (c != 0) {
        return c;
    }
    return x->order < y->order ? -1 : (x->order > y->order ? 1 : 0);
}

static bool s_is_ws(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static enum tpd_code
s_hdr_fill(struct s_hdr *h, struct tpd_span name, struct tpd_span value, size_t order) {
    tpd_buf_init(&h->name, TPD_MAX_SIGNING);
    tpd_buf_init(&h->value, TPD_MAX_SIGNING);
    h->order = order;
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; i < name.len && !rc; i++) {
        uint8_t c = name.ptr[i];
        rc = tpd_buf_append_byte(&h->name, (uint8_t)((c >= 'A' && c <= 'Z') ? c + 32 : c));
    }
    bool pending_space = false;
    for (size_t i = 0; i < value.len && !rc; i++) {
        uint8_t c = value.ptr[i];
        if (s_is_ws(c)) {
            pending_space = h->value.len > 0;
            continue;
        }
        if (pending_space) {
            rc = tpd_buf_append_byte(&h->value, ' ');
            pending_space = false;
        }
        if (!rc) {
            rc = tpd_buf_append_byte(&h->value, c);
        }
    }
    return rc;
}

static bool s_skip_header(const struct tpd_buf *lname) {
    for (size_t i = 0; i < sizeof(s_unsigned_headers) / sizeof(s_unsigned_headers[0]); i++) {
        if (strcmp(tpd_buf_cstr(lname), s_unsigned_headers[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- signing key -------------------------------------------------------------------- */

/* s_derive_key / s_signing_key: 0, -1 (OpenSSL failed) or S_KEY_NOMEM. */
#define S_KEY_NOMEM (-2)

static int s_derive_key(
    struct tpd_span secret,
    const char *date,
    const char *region,
    const char *service,
    uint8_t key[AWS_SHA256_LEN]) {
    int ret = -1;
    size_t klen = 4 + secret.len;
    uint8_t *k0 = tpd_malloc(klen);
    uint8_t a[AWS_SHA256_LEN];
    uint8_t b[AWS_SHA256_LEN];
    if (!k0) {
        return S_KEY_NOMEM;
    }
    static const uint8_t prefix[4] = {'A', 'W', 'S', '4'}; /* bytes, not a string */
    memcpy(k0, prefix, sizeof(prefix));
    if (secret.len) {
        memcpy(k0 + 4, secret.ptr, secret.len);
    }
    if (s_hmac(k0, klen, date, strlen(date), a) ||
        s_hmac(a, AWS_SHA256_LEN, region, strlen(region), b) ||
        s_hmac(b, AWS_SHA256_LEN, service, strlen(service), a) ||
        s_hmac(a, AWS_SHA256_LEN, "aws4_request", 12, key)) {
        goto done;
    }
    ret = 0;
done:
    OPENSSL_cleanse(k0, klen);
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
    free(k0);
    return ret;
}

static int s_signing_key(
    struct aws_sigv4_key_cache *cache,
    struct tpd_span secret,
    const char *date,
    const char *region,
    const char *service,
    uint8_t key[AWS_SHA256_LEN]) {
    if (!cache) {
        return s_derive_key(secret, date, region, service, key);
    }
    char scope[TPD_MAX_SIGV4_SCOPE];
    int n = snprintf(scope, sizeof(scope), "%s/%s/%s", date, region, service);
    if (n < 0 || (size_t)n >= sizeof(scope)) {
        return s_derive_key(secret, date, region, service, key);
    }
    uint8_t fp[AWS_SHA256_LEN];
    if (s_sha256(secret, fp) != 0) {
        return -1;
    }
    pthread_mutex_lock(&cache->mu);
    bool hit = cache->valid && strcmp(cache->scope, scope) == 0 &&
               CRYPTO_memcmp(cache->secret_fp, fp, AWS_SHA256_LEN) == 0;
    if (hit) {
        memcpy(key, cache->key, AWS_SHA256_LEN);
    }
    pthread_mutex_unlock(&cache->mu);
    if (hit) {
        return 0;
    }
    int dr = s_derive_key(secret, date, region, service, key);
    if (dr != 0) {
        return dr;
    }
    pthread_mutex_lock(&cache->mu);
    memcpy(cache->secret_fp, fp, AWS_SHA256_LEN);
    memcpy(cache->scope, scope, (size_t)n + 1);
    memcpy(cache->key, key, AWS_SHA256_LEN);
    cache->valid = true;
    pthread_mutex_unlock(&cache->mu);
    return 0;
}

/* ---- sign --------------------------------------------------------------------------- */

static void s_hdrs_free(struct s_hdr *hdrs, size_t nh) {
    for (size_t i = 0; i < nh; i++) {
        tpd_buf_clear(&hdrs[i].name);
        tpd_buf_clear_secure(&hdrs[i].value);
    }
    free(hdrs);
}

/*
 * The headers to sign, sorted by name (request order kept among equal names): the
 * request's headers but the never-signed ones, plus x-amz-date, x-amz-security-token
 * and (sign_body) x-amz-content-sha256 unless the request has them.
 */
static enum tpd_code s_headers_to_sign(
    const struct aws_sigv4_request *req,
    const struct aws_sigv4_credentials *creds,
    const struct aws_sigv4_params *params,
    const struct aws_sigv4_result *r,
    struct s_hdr **out,
    size_t *count,
    struct tpd_err *err) {
    size_t nh = 0;
    struct s_hdr *hdrs = tpd_calloc(req->header_count + 3, sizeof(*hdrs));
    if (!hdrs) {
        return tpd_err_set(err, TPD_E_NOMEM, "SigV4: %s", tpd_code_str(TPD_E_NOMEM));
    }
    enum tpd_code rc = TPD_OK;
    bool have_host = false, have_date = false, have_token = false, have_sha = false;
    for (size_t i = 0; i < req->header_count && !rc; i++) {
        struct s_hdr *h = &hdrs[nh++];
        rc = s_hdr_fill(h, req->headers[i].name, req->headers[i].value, i);
        if (rc) {
            break;
        }
        const char *ln = tpd_buf_cstr(&h->name);
        bool is_token = strcmp(ln, "x-amz-security-token") == 0;
        have_host |= strcmp(ln, "host") == 0;
        have_date |= strcmp(ln, "x-amz-date") == 0;
        have_sha |= strcmp(ln, "x-amz-content-sha256") == 0;
        have_token |= is_token;
        if (s_skip_header(&h->name) || (is_token && params->omit_session_token)) {
            tpd_buf_clear(&h->name);
            tpd_buf_clear(&h->value);
            nh--;
        }
    }
    if (!rc && !have_host) {
        s_hdrs_free(hdrs, nh);
        return tpd_err_set(err, TPD_E_INVALID, "SigV4: the request has no Host header");
    }
    if (!rc && !have_date) {
        rc = s_hdr_fill(
            &hdrs[nh++], TPD_SPAN_LIT("x-amz-date"), tpd_buf_span(&r->amz_date), SIZE_MAX);
    }
    if (!rc && !have_token && creds->session_token.len > 0 && !params->omit_session_token) {
        rc = s_hdr_fill(
            &hdrs[nh++], TPD_SPAN_LIT("x-amz-security-token"), creds->session_token, SIZE_MAX);
    }
    if (!rc && !have_sha && params->sign_body) {
        rc = s_hdr_fill(
            &hdrs[nh++],
            TPD_SPAN_LIT("x-amz-content-sha256"),
            tpd_buf_span(&r->payload_hash),
            SIZE_MAX);
    }
    if (rc) {
        s_hdrs_free(hdrs, nh);
        return tpd_err_set(err, rc, "SigV4: %s", tpd_code_str(rc));
    }
    qsort(hdrs, nh, sizeof(*hdrs), s_hdr_cmp);
    *out = hdrs;
    *count = nh;
    return TPD_OK;
}

/* The canonical request (and the SignedHeaders list on the way):
 * method \n URI \n query \n headers (name:v1,v2 per name) \n \n signed \n payload hash. */
static enum tpd_code s_canonical_request(
    const struct aws_sigv4_request *req,
    const struct aws_sigv4_params *params,
    const struct s_hdr *hdrs,
    size_t nh,
    struct aws_sigv4_result *r) {
    struct tpd_buf *cr = &r->canonical_request;
    enum tpd_code rc = tpd_buf_append_span(cr, req->method);
    rc = rc ? rc : tpd_buf_append_byte(cr, '\n');
    rc = rc ? rc : s_canonical_uri(req->path, !params->no_normalize, cr);
    rc = rc ? rc : tpd_buf_append_byte(cr, '\n');
    rc = rc ? rc : s_canonical_query(req->query, cr);
    rc = rc ? rc : tpd_buf_append_byte(cr, '\n');
    for (size_t i = 0; i < nh && !rc; i++) {
        bool first =
            i == 0 || strcmp(tpd_buf_cstr(&hdrs[i - 1].name), tpd_buf_cstr(&hdrs[i].name)) != 0;
        bool last = i + 1 == nh ||
                    strcmp(tpd_buf_cstr(&hdrs[i + 1].name), tpd_buf_cstr(&hdrs[i].name)) != 0;
        if (first) {
            rc = tpd_buf_append_span(cr, tpd_buf_span(&hdrs[i].name));
            rc = rc ? rc : tpd_buf_append_byte(cr, ':');
            if (!rc && r->signed_headers.len) {
                rc = tpd_buf_append_byte(&r->signed_headers, ';');
            }
            rc = rc ? rc : tpd_buf_append_span(&r->signed_headers, tpd_buf_span(&hdrs[i].name));
        } else {
            rc = tpd_buf_append_byte(cr, ',');
        }
        rc = rc ? rc : tpd_buf_append_span(cr, tpd_buf_span(&hdrs[i].value));
        if (last) {
            rc = rc ? rc : tpd_buf_append_byte(cr, '\n');
        }
    }
    rc = rc ? rc : tpd_buf_append_byte(cr, '\n');
    rc = rc ? rc : tpd_buf_append_span(cr, tpd_buf_span(&r->signed_headers));
    rc = rc ? rc : tpd_buf_append_byte(cr, '\n');
    rc = rc ? rc : tpd_buf_append_span(cr, tpd_buf_span(&r->payload_hash));
    return rc;
}

/* AWS4-HMAC-SHA256 \n amz-date \n scope \n hex(SHA-256(canonical request)). */
static enum tpd_code s_string_to_sign(
    const struct aws_sigv4_params *params, const char *date, struct aws_sigv4_result *r) {
    struct tpd_buf *sts = &r->string_to_sign;
    enum tpd_code rc = tpd_buf_printf(
        sts,
        "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n",
        tpd_buf_cstr(&r->amz_date),
        date,
        params->region,
        params->service);
    return rc ? rc : aws_sha256_hex(tpd_buf_span(&r->canonical_request), sts);
}

/* Signature = hex(HMAC(signing key, string to sign)), and the Authorization value. */
static enum tpd_code s_authorization(
    const struct aws_sigv4_credentials *creds,
    const struct aws_sigv4_params *params,
    const char *date,
    struct aws_sigv4_result *r,
    struct tpd_err *err) {
    uint8_t key[AWS_SHA256_LEN];
    uint8_t sig[AWS_SHA256_LEN];
    char hex[AWS_SHA256_HEX_LEN + 1];
    enum tpd_code rc = TPD_OK;
    int kr = s_signing_key(
        params->cache, creds->secret_access_key, date, params->region, params->service, key);
    if (kr == S_KEY_NOMEM) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "SigV4: %s", tpd_code_str(TPD_E_NOMEM));
        goto done;
    }
    if (kr != 0 ||
        s_hmac(key, AWS_SHA256_LEN, r->string_to_sign.ptr, r->string_to_sign.len, sig) != 0) {
        rc = tpd_err_set(err, TPD_E_INTERNAL, "SigV4: HMAC-SHA256 failed");
        goto done;
    }
    s_hex(sig, AWS_SHA256_LEN, hex);
    rc = tpd_buf_append(&r->signature, hex, AWS_SHA256_HEX_LEN);
    rc = rc ? rc : tpd_buf_append_cstr(&r->authorization, "AWS4-HMAC-SHA256 Credential=");
    rc = rc ? rc : tpd_buf_append_span(&r->authorization, creds->access_key_id);
    rc = rc ? rc
            : tpd_buf_printf(
                  &r->authorization,
                  "/%s/%s/%s/aws4_request, SignedHeaders=",
                  date,
                  params->region,
                  params->service);
    rc = rc ? rc : tpd_buf_append_span(&r->authorization, tpd_buf_span(&r->signed_headers));
    rc = rc ? rc : tpd_buf_printf(&r->authorization, ", Signature=%s", hex);
    if (rc) {
        tpd_err_set(err, rc, "SigV4: %s", tpd_code_str(rc));
    }
done:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(hex, sizeof(hex));
    return rc;
}

enum tpd_code aws_sigv4_sign(
    const struct aws_sigv4_request *req,
    const struct aws_sigv4_credentials *creds,
    const struct aws_sigv4_params *params,
    struct aws_sigv4_result *r,
    struct tpd_err *err) {
    struct s_hdr *hdrs = NULL;
    size_t nh = 0;
    char date[AWS_SIGV4_DATE_LEN + 1];
    aws_sigv4_result_init(r);
    enum tpd_code rc = TPD_OK;
    if (!params->region || !params->service || !*params->region || !*params->service ||
        creds->access_key_id.len == 0 || creds->secret_access_key.len == 0) {
        rc = tpd_err_set(err, TPD_E_INVALID, "SigV4: region, service and credentials are required");
        goto done;
    }
    rc = aws_format_amz_date(params->time_s, &r->amz_date);
    if (rc) {
        tpd_err_set(err, rc, "SigV4: cannot format the request time");
        goto done;
    }
    memcpy(date, r->amz_date.ptr, AWS_SIGV4_DATE_LEN);
    date[AWS_SIGV4_DATE_LEN] = '\0';
    rc = aws_sha256_hex(req->body, &r->payload_hash);
    rc = rc ? tpd_err_set(err, rc, "SigV4: %s", tpd_code_str(rc))
            : s_headers_to_sign(req, creds, params, r, &hdrs, &nh, err);
    if (rc) {
        goto done;
    }
    rc = s_canonical_request(req, params, hdrs, nh, r);
    rc = rc ? rc : s_string_to_sign(params, date, r);
    if (rc) {
        tpd_err_set(err, rc, "SigV4: %s", tpd_code_str(rc));
        goto done;
    }
    rc = s_authorization(creds, params, date, r, err);
done:
    s_hdrs_free(hdrs, nh);
    if (rc) {
        aws_sigv4_result_clear(r);
    }
    return rc;
}
