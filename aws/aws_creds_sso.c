/*
 * aws_creds_sso: IAM Identity Center credentials (botocore's SSOProvider and
 * SSOCredentialFetcher, botocore/credentials.py).
 *
 * A profile uses SSO when it has sso_account_id or sso_role_name. sso_start_url and
 * sso_region come from its [sso-session NAME] section (sso_session = NAME; a value
 * repeated in the profile must match) or, in the legacy form, from the profile.
 * The token is the one `aws sso login` cached in ~/.aws/sso/cache/<key>.json, where
 * key is the lower-case SHA-1 hex of the session name, or of the start URL for a
 * legacy profile (botocore SSOTokenLoader._generate_cache_key). The token is not
 * refreshed here: an expired or missing token asks the user to run `aws sso login`
 * (Terraform cannot open a browser for the device flow).
 * GetRoleCredentials: GET <portal>/federation/credentials?role_name=..&account_id=..
 * with header x-amz-sso_bearer_token, unsigned ("authtype": "none" in botocore's
 * data/sso/2019-06-10 model); the portal is https://portal.sso.<sso_region>.<suffix>
 * (its endpoint rule set), or AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds_internal.h"
#include "aws_endpoint.h"
#include "aws_time.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_text.h"

struct s_sso {
    struct aws_creds_provider base;
    struct aws_creds_profile_config cfg;
};

void aws_sso_token_init(struct aws_sso_token *t) {
    memset(t, 0, sizeof(*t));
    tpd_buf_init(&t->access_token, TPD_MAX_TOKEN);
}

void aws_sso_token_clear(struct aws_sso_token *t) {
    tpd_buf_clear_secure(&t->access_token);
    t->expires_at_s = 0;
}

enum tpd_code aws_sso_cache_key(const char *input, char hex[AWS_SSO_CACHE_KEY_LEN + 1]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(input, strlen(input), md, &n, EVP_sha1(), NULL) ||
        n != AWS_SSO_CACHE_KEY_LEN / 2) {
        return TPD_E_INTERNAL;
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(hex + 2 * (size_t)i, 3, "%02x", md[i]);
    }
    hex[AWS_SSO_CACHE_KEY_LEN] = '\0';
    return TPD_OK;
}

/* Overwrite the secret strings of a parsed document before it is freed. */
static void s_wipe(json_t *obj, const char *const *keys, size_t n) {
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        if (json_is_string(v)) {
            OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
        }
    }
}

enum tpd_code aws_sso_parse_token(
    struct tpd_span json, const char *name, struct aws_sso_token *out, struct tpd_err *err) {
    static const char *const secret[] = {"accessToken", "refreshToken", "clientSecret"};
    json_error_t je;
    json_t *root = json_loadb(json.ptr ? (const char *)json.ptr : "", json.len, 0, &je);
    enum tpd_code rc = TPD_OK;
    const char *tok = json_string_value(json_object_get(root, "accessToken"));
    const char *exp = json_string_value(json_object_get(root, "expiresAt"));
    struct tpd_buf when;
    tpd_buf_init(&when, TPD_MAX_TIMESTAMP);
    if (!json_is_object(root)) {
        rc = tpd_err_set(
            err, TPD_E_CREDENTIALS, "the cached SSO token for %s is not a JSON object", name);
    } else if (!tok || !*tok || !exp) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "the cached SSO token for %s lacks accessToken or expiresAt",
            name);
    } else {
        /* Older AWS CLI v2 releases wrote "2019-11-14T04:05:45UTC". */
        size_t el = strlen(exp);
        bool utc = el >= 3 && strcmp(exp + el - 3, "UTC") == 0;
        enum tpd_code wrc = tpd_buf_append(&when, exp, utc ? el - 3 : el);
        wrc = wrc || !utc ? wrc : tpd_buf_append_byte(&when, 'Z');
        int64_t exp_s = 0;
        if (wrc == TPD_E_NOMEM) {
            rc = tpd_err_set(err, wrc, "the cached SSO token for %s: %s", name, tpd_code_str(wrc));
        } else if (wrc || aws_parse_iso8601(tpd_buf_cstr(&when), &exp_s) != TPD_OK) {
            rc = tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "the cached SSO token for %s has a malformed expiresAt",
                name);
        } else {
            tpd_buf_reset(&out->access_token);
            rc = tpd_buf_append_cstr(&out->access_token, tok);
            out->expires_at_s = exp_s;
            if (rc) {
                tpd_err_set(err, rc, "the cached SSO token for %s: %s", name, tpd_code_str(rc));
            }
        }
    }
    if (json_is_object(root)) {
        s_wipe(root, secret, sizeof(secret) / sizeof(secret[0]));
    }
    json_decref(root);
    tpd_buf_clear(&when);
    return rc;
}

enum tpd_code
aws_sso_parse_role_credentials(struct tpd_span json, struct aws_creds *out, struct tpd_err *err) {
    static const char *const secret[] = {"secretAccessKey", "sessionToken"};
    json_error_t je;
    json_t *root = json_loadb(json.ptr ? (const char *)json.ptr : "", json.len, 0, &je);
    json_t *rc_obj = json_object_get(root, "roleCredentials");
    const char *ak = json_string_value(json_object_get(rc_obj, "accessKeyId"));
    const char *sk = json_string_value(json_object_get(rc_obj, "secretAccessKey"));
    const char *tok = json_string_value(json_object_get(rc_obj, "sessionToken"));
    json_t *exp = json_object_get(rc_obj, "expiration");
    enum tpd_code rc;
    /* ExpirationTimestampType is a long of epoch milliseconds. */
    if (!ak || !*ak || !sk || !*sk || !tok || !*tok || !json_is_integer(exp) ||
        json_integer_value(exp) <= 0 || json_integer_value(exp) > (json_int_t)1 << 50) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "GetRoleCredentials: the response lacks roleCredentials with accessKeyId, "
            "secretAccessKey, sessionToken and expiration");
    } else {
        rc = aws_creds_set(out, ak, sk, tok, (int64_t)(json_integer_value(exp) / 1000));
        if (rc) {
            tpd_err_set(err, rc, "GetRoleCredentials: %s", tpd_code_str(rc));
        }
    }
    if (json_is_object(rc_obj)) {
        s_wipe(rc_obj, secret, sizeof(secret) / sizeof(secret[0]));
    }
    json_decref(root);
    return rc;
}

static enum tpd_code s_read_file(const char *path, struct tpd_buf *b) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return TPD_E_NOT_FOUND;
    }
    enum tpd_code rc = tpd_buf_read_stream(b, f);
    fclose(f);
    return rc;
}

static bool s_digits(const char *s, size_t n) {
    if (!s || strlen(s) != n) {
        return false;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

/* The resolved settings of an SSO profile. */
struct s_settings {
    const char *session; /* NULL for a legacy profile */
    const char *start_url;
    const char *region;
    const char *account_id;
    const char *role_name;
};

static enum tpd_code s_settings(
    const struct aws_profile *f, const char *profile, struct s_settings *st, struct tpd_err *err) {
    memset(st, 0, sizeof(*st));
    st->account_id = aws_profile_get_in(f, profile, "sso_account_id");
    st->role_name = aws_profile_get_in(f, profile, "sso_role_name");
    if (!st->account_id && !st->role_name) {
        return tpd_err_set(
            err, TPD_E_NOT_FOUND, "profile \"%s\" has no sso_account_id or sso_role_name", profile);
    }
    st->session = aws_profile_get_in(f, profile, "sso_session");
    st->start_url = aws_profile_get_in(f, profile, "sso_start_url");
    st->region = aws_profile_get_in(f, profile, "sso_region");
    if (st->session) {
        if (!aws_profile_sso_session_exists(f, st->session)) {
            return tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "profile \"%s\": the sso-session \"%s\" does not exist in %s",
                profile,
                st->session,
                f->config_path);
        }
        const char *keys[] = {"sso_start_url", "sso_region"};
        const char **vals[] = {&st->start_url, &st->region};
        for (size_t i = 0; i < 2; i++) {
            const char *sv = aws_profile_sso_session_get(f, st->session, keys[i]);
            if (sv && *vals[i] && strcmp(sv, *vals[i]) != 0) {
                return tpd_err_set(
                    err,
                    TPD_E_CREDENTIALS,
                    "profile \"%s\": %s differs between the profile and sso-session \"%s\"",
                    profile,
                    keys[i],
                    st->session);
            }
            if (sv) {
                *vals[i] = sv;
            }
        }
    }
    struct tpd_text missing;
    tpd_text_init(&missing, TPD_MAX_NAME);
    const char *names[] = {"sso_role_name", "sso_account_id", "sso_start_url", "sso_region"};
    const char *have[] = {st->role_name, st->account_id, st->start_url, st->region};
    for (size_t i = 0; i < 4; i++) {
        if (!have[i] || !*have[i]) {
            tpd_text_printf(&missing, "%s%s", tpd_text_len(&missing) ? ", " : "", names[i]);
        }
    }
    if (!tpd_text_is_empty(&missing)) {
        enum tpd_code rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\" is configured for SSO but lacks %s%s",
            profile,
            tpd_text_cstr_or(&missing, "settings"),
            st->session ? " (in the profile or its sso-session)" : "");
        tpd_text_clear(&missing);
        return rc;
    }
    if (!s_digits(st->account_id, 12)) {
        return tpd_err_set(
            err, TPD_E_CREDENTIALS, "profile \"%s\": sso_account_id must be 12 digits", profile);
    }
    return TPD_OK;
}

/* The cached token for the session (or start URL). */
static enum tpd_code s_load_token(
    const char *profile,
    const struct s_settings *st,
    struct aws_sso_token *tok,
    struct tpd_err *err) {
    char hex[AWS_SSO_CACHE_KEY_LEN + 1];
    const char *what = st->session ? st->session : st->start_url;
    if (aws_sso_cache_key(what, hex) != TPD_OK) {
        return tpd_err_set(err, TPD_E_INTERNAL, "SHA-1 of the SSO cache key failed");
    }
    struct tpd_text label;
    tpd_text_init(&label, TPD_MAX_NAME);
    tpd_text_printf(&label, "%s \"%s\"", st->session ? "sso-session" : "SSO start URL", what);
    const char *name = tpd_text_cstr_or(&label, "the SSO session");
    struct tpd_buf path, body;
    tpd_buf_init(&path, TPD_MAX_URL);
    tpd_buf_init(&body, TPD_MAX_SSO_CACHE_FILE);
    enum tpd_code rc =
        tpd_buf_printf(&path, "%s/.aws/sso/cache/%s.json", aws_creds_home_dir(), hex);
    if (!rc) {
        rc = s_read_file(tpd_buf_cstr(&path), &body);
        if (rc == TPD_E_NOT_FOUND) {
            rc = tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "profile \"%s\": no cached SSO token for %s (%s); run aws sso login --profile %s",
                profile,
                name,
                tpd_buf_cstr(&path),
                profile);
        } else if (rc) {
            rc = tpd_err_set(
                err,
                TPD_E_CREDENTIALS,
                "profile \"%s\": cannot read the cached SSO token %s: %s",
                profile,
                tpd_buf_cstr(&path),
                tpd_code_str(rc));
        }
    } else {
        rc = tpd_err_set(err, rc, "SSO cache path: %s", tpd_code_str(rc));
    }
    if (!rc) {
        rc = aws_sso_parse_token(tpd_buf_span(&body), name, tok, err);
        if (rc) {
            tpd_err_prefix(err, "profile \"%s\": ", profile);
        }
    }
    if (!rc && tok->expires_at_s <= tpd_wall_s()) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": the SSO token for %s has expired; run aws sso login --profile %s",
            profile,
            name,
            profile);
    }
    tpd_buf_clear_secure(&body);
    tpd_buf_clear(&path);
    tpd_text_clear(&label);
    return rc;
}

static enum tpd_code s_url(
    const struct aws_profile *f,
    const struct s_settings *st,
    struct tpd_buf *url,
    struct tpd_err *err) {
    char *endpoint = NULL;
    enum tpd_code rc =
        aws_endpoint_resolve("portal.sso", "SSO", NULL, st->region, f, &endpoint, err);
    if (rc) {
        return rc;
    }
    char *role = curl_easy_escape(NULL, st->role_name, 0);
    char *acct = curl_easy_escape(NULL, st->account_id, 0);
    size_t el = strlen(endpoint);
    while (el && endpoint[el - 1] == '/') {
        endpoint[--el] = '\0';
    }
    rc =
        role && acct
            ? tpd_buf_printf(
                  url, "%s/federation/credentials?role_name=%s&account_id=%s", endpoint, role, acct)
            : TPD_E_NOMEM;
    if (rc) {
        tpd_err_set(err, rc, "SSO portal URL: %s", tpd_code_str(rc));
    }
    curl_free(role);
    curl_free(acct);
    free(endpoint);
    return rc;
}

enum tpd_code aws_creds_sso_from_profile(
    struct aws_http_transport *t,
    const struct aws_profile *f,
    const char *profile,
    struct aws_creds *out,
    struct tpd_err *err) {
    struct s_settings st;
    enum tpd_code rc = s_settings(f, profile, &st, err);
    if (rc) {
        return rc;
    }
    if (!t) {
        return tpd_err_set(err, TPD_E_CREDENTIALS, "profile \"%s\": SSO needs HTTP", profile);
    }
    struct aws_sso_token tok;
    aws_sso_token_init(&tok);
    struct tpd_buf url;
    tpd_buf_init(&url, TPD_MAX_URL);
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    rc = s_load_token(profile, &st, &tok, err);
    if (!rc) {
        rc = s_url(f, &st, &url, err);
    }
    if (!rc) {
        struct aws_http_kv h[2] = {
            {"Accept", "application/json"},
            {"x-amz-sso_bearer_token", tpd_buf_cstr(&tok.access_token)}};
        struct aws_http_request req = {
            "GET", tpd_buf_cstr(&url), h, 2, {NULL, 0}, 0, 0, 0, NULL, tpd_deadline()};
        rc = aws_http_send(t, &req, &resp, err);
        if (rc) {
            tpd_err_prefix(err, "profile \"%s\": SSO GetRoleCredentials: ", profile);
            rc = rc == TPD_E_STOPPED ? rc : TPD_E_CREDENTIALS;
            if (err) {
                err->code = rc;
            }
        }
    }
    if (!rc && (resp.status == 401 || resp.status == 403)) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": the SSO portal refused the cached token (HTTP %d); run aws sso "
            "login --profile %s",
            profile,
            resp.status,
            profile);
    } else if (!rc && resp.status != 200) {
        rc = tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "profile \"%s\": SSO GetRoleCredentials for role %s in account %s failed with HTTP "
            "%d%s%s",
            profile,
            st.role_name,
            st.account_id,
            resp.status,
            resp.request_id ? ", request id " : "",
            resp.request_id ? resp.request_id : "");
    } else if (!rc) {
        rc = aws_sso_parse_role_credentials(tpd_buf_span(&resp.body), out, err);
        if (rc) {
            tpd_err_prefix(err, "profile \"%s\": ", profile);
        } else {
            out->source = "SSO";
        }
    }
    tpd_buf_clear_secure(&resp.body);
    aws_http_response_clear(&resp);
    tpd_buf_clear(&url);
    aws_sso_token_clear(&tok);
    return rc;
}

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_sso *s = p->impl;
    struct aws_profile prof;
    enum tpd_code rc = aws_creds_profile_config_load(&s->cfg, &prof, err);
    if (rc) {
        return rc;
    }
    rc = aws_creds_sso_from_profile(s->cfg.transport, &prof, prof.name, out, err);
    aws_profile_clear(&prof);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_sso *s = p->impl;
    aws_creds_profile_config_clear(&s->cfg);
    free(s);
}

struct aws_creds_provider *aws_creds_sso_new(const struct aws_creds_profile_options *o) {
    struct s_sso *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    if (aws_creds_profile_config_init(&s->cfg, o) != TPD_OK) {
        free(s);
        return NULL;
    }
    s->base = (struct aws_creds_provider){s_get, s_destroy, "SSO (IAM Identity Center)", s};
    return &s->base;
}
