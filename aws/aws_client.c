/*
 * aws_client: configuration, credential chain assembly and the signed-request
 * loop with standard-mode retries. See aws_client.h.
 *
 * The retry loop never holds a lock across I/O: the quota and the credential cache
 * lock only for bookkeeping. Each retry is logged at DEBUG with the operation, the
 * attempt number and the AWS error code; headers (Authorization, the session token)
 * are never logged.
 */
#include "aws_client.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "aws_budget.h"
#include "aws_endpoint.h"
#include "aws_errors.h"
#include "aws_profile.h"
#include "aws_retry.h"
#include "aws_sigv4.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

static const char *const s_service_name[AWS_SVC_COUNT] = {"dynamodb", "cloudformation", "sts"};
static const char *const s_service_env[AWS_SVC_COUNT] = {"DYNAMODB", "CLOUDFORMATION", "STS"};

struct aws_client {
    char *region;
    char *endpoint[AWS_SVC_COUNT];
    char *host[AWS_SVC_COUNT];
    char *url[AWS_SVC_COUNT];
    char *path[AWS_SVC_COUNT];
    struct aws_http_transport *transport;
    bool own_transport;
    struct aws_creds_provider *creds;
    struct aws_retry_quota quota;
    struct aws_budget *budget; /* the process's request budget (aws_budget.h) */
    struct aws_sigv4_key_cache key_cache;
    int max_attempts;
    int64_t retry_base_ns;
    long connect_timeout_ms;
    long request_timeout_ms;
    long stall_timeout_ms;
    struct tpd_stop *stop;
    int64_t (*now_s)(void);
    char *sts_region; /* signing region of STS calls */
    struct aws_sts_caller sts;
    /* The account guard. One check at a time, run with no lock held by the caller that
     * finds none done; callers arriving meanwhile wait on guard_cv for its result (every
     * DynamoDB/CloudFormation call needs the verdict first) and share it, a failure too. */
    char **allowed;
    size_t allowed_count;
    char **forbidden;
    size_t forbidden_count;
    pthread_mutex_t guard_mu; /* guards the fields below; never held across I/O */
    pthread_cond_t guard_cv;  /* broadcast when a check ends */
    enum { S_GUARD_UNCHECKED, S_GUARD_CHECKING, S_GUARD_OK, S_GUARD_REFUSED } guard;
    uint64_t guard_checks;    /* checks ended so far */
    size_t guard_waiting;     /* callers waiting for the check in flight */
    struct tpd_err guard_err; /* the last check's failure (guard back to UNCHECKED) */
    enum aws_account_verdict verdict;
    char *account;
    double (*rand01)(void);
};

static enum tpd_code s_call(
    struct aws_client *c,
    enum aws_service svc,
    const char *op,
    struct tpd_span body,
    struct aws_creds_provider *provider,
    const struct aws_creds *fixed,
    struct aws_http_response *resp,
    struct tpd_err *err);

static enum tpd_code s_sts_call(
    void *ctx,
    const char *op,
    struct tpd_span body,
    const struct aws_creds *signer,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    return s_call(ctx, AWS_SVC_STS, op, body, NULL, signer, resp, err);
}

const struct aws_sts_caller *aws_client_sts_caller(struct aws_client *c) {
    return &c->sts;
}

static void s_free_list(char **l, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(l[i]);
    }
    free(l);
}

static char **s_dup_list(const char *const *l, size_t n) {
    char **out = tpd_calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; out && i < n; i++) {
        out[i] = tpd_strdup(l[i] ? l[i] : "");
        if (!out[i]) {
            s_free_list(out, i);
            return NULL;
        }
    }
    return out;
}

const char *aws_client_region(const struct aws_client *c) {
    return c->region;
}

const char *aws_client_endpoint(const struct aws_client *c, enum aws_service svc) {
    return (unsigned)svc < AWS_SVC_COUNT ? c->endpoint[svc] : NULL;
}

struct tpd_stop *aws_client_stop(const struct aws_client *c) {
    return c->stop;
}

void aws_client_set_clock(struct aws_client *c, int64_t (*now_s)(void)) {
    c->now_s = now_s;
}

size_t aws_client_guard_waiters(struct aws_client *c) {
    pthread_mutex_lock(&c->guard_mu);
    size_t n = c->guard_waiting;
    pthread_mutex_unlock(&c->guard_mu);
    return n;
}

void aws_client_set_rand(struct aws_client *c, double (*rand01)(void)) {
    c->rand01 = rand01;
}

void aws_client_stats(const struct aws_client *c, struct aws_http_stats *out) {
    aws_http_transport_stats(c->transport, out);
}

struct aws_budget *aws_client_budget(const struct aws_client *c) {
    return c->budget;
}

double aws_client_rand01(const struct aws_client *c) {
    return c->rand01 ? c->rand01() : aws_retry_rand01();
}

void aws_client_free(struct aws_client *c) {
    if (!c) {
        return;
    }
    if (c->transport) {
        struct aws_http_stats st;
        aws_http_transport_stats(c->transport, &st);
        struct aws_budget_stats bs;
        aws_budget_stats(c->budget, &bs);
        TPD_DEBUG(
            "AWS client: %llu requests sent, %llu connections opened (%llu requests waited "
            "for a pooled connection), CAs read %llu times; %llu throttling answers, %llu "
            "requests paced by the request budget for %lld ms in all",
            (unsigned long long)st.requests,
            (unsigned long long)st.connections,
            (unsigned long long)st.pool_waits,
            (unsigned long long)st.trust_loads,
            (unsigned long long)bs.throttles,
            (unsigned long long)bs.delayed,
            (long long)(bs.waited_ns / 1000000));
    }
    aws_creds_provider_free(c->creds);
    if (c->own_transport) {
        aws_http_transport_free(c->transport);
    }
    for (int i = 0; i < AWS_SVC_COUNT; i++) {
        free(c->endpoint[i]);
        free(c->host[i]);
        free(c->path[i]);
        free(c->url[i]);
    }
    free(c->region);
    free(c->sts_region);
    free(c->account);
    s_free_list(c->allowed, c->allowed_count);
    s_free_list(c->forbidden, c->forbidden_count);
    tpd_err_clear(&c->guard_err);
    pthread_cond_destroy(&c->guard_cv);
    pthread_mutex_destroy(&c->guard_mu);
    aws_budget_free(c->budget);
    aws_retry_quota_clear(&c->quota);
    aws_sigv4_key_cache_clear(&c->key_cache);
    free(c);
}

/* The chain's sources (aws_creds.h): static, environment, profile role, web identity,
 * SSO, shared files, container, instance metadata. */
enum { S_CHAIN_SOURCES = 8 };

static struct aws_creds_provider *
s_build_chain(struct aws_client *c, const struct aws_client_options *o, struct tpd_err *err) {
    struct aws_creds_provider *list[S_CHAIN_SOURCES] = {NULL};
    size_t n = 0;
    bool have_ak = o->access_key && *o->access_key;
    bool have_sk = o->secret_key && *o->secret_key;
    if (have_ak != have_sk) {
        tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "provider configuration sets %s but not %s",
            have_ak ? "access_key" : "secret_key",
            have_ak ? "secret_key" : "access_key");
        return NULL;
    }
    if (have_ak) {
        list[n++] = aws_creds_static_new(o->access_key, o->secret_key, o->session_token);
    }
    bool explicit_profile = o->profile && *o->profile;
    if (!explicit_profile) {
        list[n++] = aws_creds_env_new();
    }
    /* botocore's order after the environment: the profile's role, web identity, SSO,
     * then the profile's own keys or credential_process (aws_creds.h). */
    struct aws_creds_profile_options po = {
        .profile = o->profile,
        .credentials_file = o->shared_credentials_file,
        .config_file = o->shared_config_file,
        .credentials_files = o->shared_credentials_files,
        .credentials_files_count = o->shared_credentials_files_count,
        .config_files = o->shared_config_files,
        .config_files_count = o->shared_config_files_count,
        .profile_explicit = explicit_profile,
        .sts = &c->sts,
        .transport = c->transport,
        .skip_instance_metadata = o->skip_instance_metadata,
    };
    list[n++] = aws_creds_role_new(&po);
    list[n++] = aws_creds_web_identity_new(&po);
    list[n++] = aws_creds_sso_new(&po);
    list[n++] = aws_creds_profile_new(&po);
    list[n++] = aws_creds_container_new(c->transport);
    if (!o->skip_instance_metadata) {
        list[n++] = aws_creds_imds_new(c->transport);
    }
    for (size_t i = 0; i < n; i++) {
        if (!list[i]) {
            for (size_t k = 0; k < n; k++) {
                aws_creds_provider_free(list[k]);
            }
            tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            return NULL;
        }
    }
    struct aws_creds_provider *chain = aws_creds_chain_new(list, n);
    struct aws_creds_provider *cached = chain ? aws_creds_cached_new(chain, 0, NULL) : NULL;
    if (!cached) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return cached;
}

/* ---- settings: configuration, then environment, then profile ------------------------ */

static const char *s_env(const char *name) {
    const char *v = name ? getenv(name) : NULL;
    return v && *v ? v : NULL;
}

/* The first non-empty of: configured, env1, env2, the profile's key. *source names it. */
static const char *s_setting(
    const char *configured,
    const char *env1,
    const char *env2,
    const struct aws_profile *prof,
    const char *key,
    const char **source) {
    const char *v = NULL;
    *source = NULL;
    if (configured && *configured) {
        *source = "the configuration";
        return configured;
    }
    if ((v = s_env(env1))) {
        *source = env1;
    } else if ((v = s_env(env2))) {
        *source = env2;
    } else if (prof && key && (v = aws_profile_get(prof, key)) && *v) {
        *source = "the profile";
    } else {
        v = NULL;
    }
    return v;
}

/* A yes/no setting; "true"/"false" in any case, anything else is an error. */
static enum tpd_code s_flag(
    enum aws_flag configured,
    const char *env,
    const struct aws_profile *prof,
    const char *key,
    bool *out,
    struct tpd_err *err) {
    *out = false;
    if (configured != AWS_FLAG_UNSET) {
        *out = configured == AWS_FLAG_TRUE;
        return TPD_OK;
    }
    const char *src;
    const char *v = s_setting(NULL, env, NULL, prof, key, &src);
    if (!v) {
        return TPD_OK;
    }
    if (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0) {
        *out = strcasecmp(v, "true") == 0;
        return TPD_OK;
    }
    bool from_profile = strcmp(src, "the profile") == 0;
    return tpd_err_set(
        err,
        TPD_E_INVALID,
        "%s%s must be true or false, not \"%s\"",
        from_profile ? key : env,
        from_profile ? " in the profile" : "",
        v);
}

/* The retry mode: "adaptive" (the default here) adds the request budget's client-side
 * rate limiting (aws_budget.h) to the standard mode's retries (aws_retry.h); "standard"
 * retries without it. "legacy" (other retry rules) is not implemented and refused rather
 * than silently treated as another mode. */
static enum tpd_code s_retry_mode(
    const char *configured, const struct aws_profile *prof, bool *adaptive, struct tpd_err *err) {
    const char *src;
    const char *v = s_setting(configured, "AWS_RETRY_MODE", NULL, prof, "retry_mode", &src);
    *adaptive = true;
    if (!v || strcmp(v, "adaptive") == 0) {
        return TPD_OK;
    }
    if (strcmp(v, "standard") == 0) {
        *adaptive = false;
        return TPD_OK;
    }
    return tpd_err_set(
        err,
        TPD_E_INVALID,
        "retry mode \"%s\" from %s is not supported: use \"adaptive\" (the default: standard "
        "retries plus a client-side request budget that slows an operation AWS throttles) or "
        "\"standard\" (retries only)",
        v,
        src);
}

/* The CA bundle must be a readable PEM file with at least one certificate: say so at
 * configuration time, not as a TLS failure on the first request. */
static enum tpd_code s_check_ca_bundle(const char *path, const char *src, struct tpd_err *err) {
    FILE *f = fopen(path, "r");
    if (!f) {
        return tpd_err_set(
            err,
            TPD_E_INVALID,
            "CA bundle %s (from %s) cannot be read: %s",
            path,
            src,
            strerror(errno));
    }
    /* A device or a pipe (/dev/zero, /dev/stdin) would be read forever or block. */
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > (uint64_t)TPD_MAX_CA_BUNDLE) {
        fclose(f);
        return tpd_err_set(
            err,
            TPD_E_INVALID,
            "CA bundle %s (from %s) is not a regular file of at most %zu bytes",
            path,
            src,
            (size_t)TPD_MAX_CA_BUNDLE);
    }
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ERR_clear_error();
    if (!x) {
        return tpd_err_set(
            err, TPD_E_INVALID, "CA bundle %s (from %s) holds no PEM certificate", path, src);
    }
    X509_free(x);
    return TPD_OK;
}

static enum tpd_code s_load_profile(const struct aws_client_options *o, struct aws_profile *prof) {
    /* A malformed shared file only matters if we need it: settings fall back. */
    struct tpd_err perr;
    tpd_err_init(&perr);
    memset(prof, 0, sizeof(*prof));
    bool hc = o->shared_credentials_file && *o->shared_credentials_file;
    bool hf = o->shared_config_file && *o->shared_config_file;
    struct aws_profile_files files = {
        o->shared_credentials_files_count ? o->shared_credentials_files
                                          : (hc ? &o->shared_credentials_file : NULL),
        o->shared_credentials_files_count ? o->shared_credentials_files_count : hc,
        o->shared_config_files_count ? o->shared_config_files
                                     : (hf ? &o->shared_config_file : NULL),
        o->shared_config_files_count ? o->shared_config_files_count : hf};
    enum tpd_code rc = aws_profile_load_files(o->profile, &files, prof, &perr);
    if (rc == TPD_E_NOMEM) {
        tpd_err_clear(&perr);
        return rc;
    }
    if (rc != TPD_OK) {
        TPD_WARN("AWS shared config not usable: %s", perr.msg ? perr.msg : "");
    }
    tpd_err_clear(&perr);
    return TPD_OK;
}

/* The region, checked unless skip_region_validation. On a failed check *region keeps
 * the region that failed it (the caller frees it). */
static enum tpd_code s_region(
    const struct aws_client_options *o,
    const struct aws_profile *prof,
    char **region,
    struct tpd_err *err) {
    const char *src = NULL;
    enum tpd_code rc =
        aws_region_resolve_from(o->region, prof->name ? prof : NULL, region, &src, err);
    if (rc || o->skip_region_validation) {
        return rc;
    }
    rc = aws_region_check(*region, err);
    if (rc) {
        tpd_err_prefix(err, "region from %s (set skip_region_validation to use it anyway): ", src);
    }
    return rc;
}

enum tpd_code
aws_client_resolve_region(const struct aws_client_options *o, char **region, struct tpd_err *err) {
    struct aws_profile prof;
    *region = NULL;
    if (s_load_profile(o, &prof) != TPD_OK) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    enum tpd_code rc = s_region(o, &prof, region, err);
    aws_profile_clear(&prof);
    return rc;
}

static enum tpd_code s_endpoints(
    struct aws_client *c,
    const struct aws_client_options *o,
    const struct aws_profile *prof,
    struct tpd_err *err) {
    bool fips = false;
    bool dual = false;
    enum tpd_code rc = s_flag(
        o->use_fips_endpoint, "AWS_USE_FIPS_ENDPOINT", prof, "use_fips_endpoint", &fips, err);
    if (!rc) {
        rc = s_flag(
            o->use_dualstack_endpoint,
            "AWS_USE_DUALSTACK_ENDPOINT",
            prof,
            "use_dualstack_endpoint",
            &dual,
            err);
    }
    if (rc) {
        return rc;
    }
    unsigned variants = (fips ? AWS_ENDPOINT_FIPS : 0u) | (dual ? AWS_ENDPOINT_DUALSTACK : 0u);
    const char *conf_ep[AWS_SVC_COUNT] = {
        o->endpoint_dynamodb, o->endpoint_cloudformation, o->endpoint_sts};
    for (int i = 0; i < AWS_SVC_COUNT; i++) {
        rc = aws_endpoint_resolve_variant(
            s_service_name[i],
            s_service_env[i],
            conf_ep[i],
            i == AWS_SVC_STS ? c->sts_region : c->region,
            prof->name ? prof : NULL,
            variants,
            &c->endpoint[i],
            err);
        if (rc) {
            return rc;
        }
        struct tpd_buf host, path;
        tpd_buf_init(&host, TPD_MAX_URL);
        tpd_buf_init(&path, TPD_MAX_URL);
        rc = aws_http_url_host_path(c->endpoint[i], &host, &path, err);
        if (rc) {
            tpd_buf_clear(&host);
            tpd_buf_clear(&path);
            return tpd_err_prefix(err, "%s endpoint: ", s_service_name[i]);
        }
        c->host[i] = tpd_buf_detach(&host);
        c->path[i] = tpd_buf_detach(&path);
        c->url[i] = tpd_strdup(c->endpoint[i]);
        if (!c->host[i] || !c->path[i] || !c->url[i]) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
    return TPD_OK;
}

static enum tpd_code s_transport(
    struct aws_client *c,
    const struct aws_client_options *o,
    const struct aws_profile *prof,
    struct tpd_err *err) {
    const char *src;
    struct aws_http_curl_options ho = {0};
    ho.ca_bundle = s_setting(o->ca_bundle, "AWS_CA_BUNDLE", NULL, prof, "ca_bundle", &src);
    if (ho.ca_bundle) {
        enum tpd_code rc = s_check_ca_bundle(ho.ca_bundle, src, err);
        if (rc) {
            return rc;
        }
    }
    /* libcurl reads http_proxy/https_proxy/no_proxy itself but not HTTP_PROXY (curl's
     * choice against httpoxy); the transport sets every proxy option, so the order here
     * is the only one: configuration, lower-case variable, upper-case variable. */
    ho.http_proxy = s_setting(o->http_proxy, "http_proxy", "HTTP_PROXY", NULL, NULL, &src);
    ho.https_proxy = s_setting(o->https_proxy, "https_proxy", "HTTPS_PROXY", NULL, NULL, &src);
    ho.no_proxy = s_setting(o->no_proxy, "no_proxy", "NO_PROXY", NULL, NULL, &src);
    ho.max_connections_per_host = o->max_pool_connections;
    if (o->transport) {
        c->transport = o->transport;
        return TPD_OK;
    }
    c->transport = aws_http_curl_new_opts(&ho, err);
    c->own_transport = c->transport != NULL;
    return c->transport ? TPD_OK : (err ? err->code : TPD_E_HTTP);
}

struct aws_client *aws_client_new(const struct aws_client_options *o, struct tpd_err *err) {
    struct aws_profile prof;
    memset(&prof, 0, sizeof(prof));
    struct aws_client *c = tpd_calloc(1, sizeof(*c));
    if (!c) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        return NULL;
    }
    aws_retry_quota_init(&c->quota);
    aws_sigv4_key_cache_init(&c->key_cache);
    c->max_attempts = o->max_attempts > 0 ? o->max_attempts : AWS_RETRY_DEFAULT_ATTEMPTS;
    c->retry_base_ns = o->retry_base_ns > 0 ? o->retry_base_ns : AWS_RETRY_BASE_NS;
    c->connect_timeout_ms = o->connect_timeout_ms;
    c->request_timeout_ms = o->request_timeout_ms;
    c->stall_timeout_ms = o->stall_timeout_ms;
    c->stop = o->stop;
    c->sts = (struct aws_sts_caller){s_sts_call, c};
    pthread_mutex_init(&c->guard_mu, NULL);
    pthread_cond_init(&c->guard_cv, NULL);
    c->allowed = s_dup_list(o->allowed_account_ids, o->allowed_account_ids_count);
    c->allowed_count = c->allowed ? o->allowed_account_ids_count : 0;
    c->forbidden = s_dup_list(o->forbidden_account_ids, o->forbidden_account_ids_count);
    c->forbidden_count = c->forbidden ? o->forbidden_account_ids_count : 0;
    if (!c->allowed || !c->forbidden) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto fail;
    }

    if (s_load_profile(o, &prof) != TPD_OK) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto fail;
    }
    bool adaptive = true;
    if (s_region(o, &prof, &c->region, err) != TPD_OK ||
        s_retry_mode(o->retry_mode, &prof, &adaptive, err) != TPD_OK) {
        goto fail;
    }
    c->budget = aws_budget_new(adaptive);
    if (!c->budget) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto fail;
    }
    c->sts_region = tpd_strdup(o->sts_region && *o->sts_region ? o->sts_region : c->region);
    if (!c->sts_region) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        goto fail;
    }
    if (s_endpoints(c, o, &prof, err) != TPD_OK || s_transport(c, o, &prof, err) != TPD_OK) {
        goto fail;
    }
    c->creds = s_build_chain(c, o, err);
    if (!c->creds) {
        goto fail;
    }
    if (o->assume_role.role_arn && *o->assume_role.role_arn) {
        struct aws_creds_provider *sts = aws_creds_sts_new(&c->sts, c->creds, &o->assume_role);
        struct aws_creds_provider *cached = sts ? aws_creds_cached_new(sts, 0, NULL) : NULL;
        if (!cached) {
            c->creds = NULL; /* freed by whichever constructor failed */
            tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            goto fail;
        }
        c->creds = cached;
    }
    aws_profile_clear(&prof);
    return c;
fail:
    aws_profile_clear(&prof);
    aws_client_free(c);
    return NULL;
}

enum tpd_code
aws_client_check_credentials(struct aws_client *c, const char **source, struct tpd_err *err) {
    struct aws_creds cr;
    aws_creds_init(&cr);
    enum tpd_code rc = aws_creds_get(c->creds, &cr, err);
    if (source) {
        *source = rc == TPD_OK ? cr.source : NULL;
    }
    aws_creds_clear(&cr);
    return rc;
}

/* Headers of one request: Content-Type, Host and (DynamoDB) X-Amz-Target are signed;
 * X-Amz-Date, X-Amz-Security-Token and Authorization are added. */
enum { S_SIGNED_HEADERS = 3, S_HEADERS = 6 };

/* One attempt: signed with the provider's credentials, else with fixed, else
 * unsigned (both NULL: AssumeRoleWithWebIdentity). */
static enum tpd_code s_attempt(
    struct aws_client *c,
    enum aws_service svc,
    const char *op,
    struct tpd_span body,
    struct aws_creds_provider *provider,
    const struct aws_creds *fixed,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    enum tpd_code rc;
    struct aws_creds cr;
    aws_creds_init(&cr);
    struct aws_sigv4_result sig;
    aws_sigv4_result_init(&sig);
    struct tpd_buf target;
    tpd_buf_init(&target, TPD_MAX_NAME);

    bool sign = provider || fixed;
    rc = provider ? aws_creds_get(provider, &cr, err) : fixed ? aws_creds_copy(&cr, fixed) : TPD_OK;
    if (rc) {
        if (!provider) {
            tpd_err_set(err, rc, "%s: credentials: %s", op, tpd_code_str(rc));
        }
        /* Every failure to get credentials is TPD_E_CREDENTIALS, except running out of
         * memory, which says nothing about the credentials. */
        rc = rc == TPD_E_NOMEM || (err && err->code == TPD_E_NOMEM) ? TPD_E_NOMEM
                                                                    : TPD_E_CREDENTIALS;
        if (err) {
            err->code = rc;
        }
        goto done;
    }
    const char *ctype = svc == AWS_SVC_DYNAMODB
                            ? "application/x-amz-json-1.0"
                            : "application/x-www-form-urlencoded; charset=utf-8";
    struct aws_sigv4_header sh[S_SIGNED_HEADERS];
    size_t nsh = 0;
    sh[nsh++] = (struct aws_sigv4_header){TPD_SPAN_LIT("Content-Type"), tpd_span_cstr(ctype)};
    sh[nsh++] = (struct aws_sigv4_header){TPD_SPAN_LIT("Host"), tpd_span_cstr(c->host[svc])};
    if (svc == AWS_SVC_DYNAMODB) {
        if (tpd_buf_printf(&target, "DynamoDB_20120810.%s", op) != TPD_OK) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            goto done;
        }
        sh[nsh++] = (struct aws_sigv4_header){TPD_SPAN_LIT("X-Amz-Target"), tpd_buf_span(&target)};
    }
    struct aws_sigv4_request sreq = {
        TPD_SPAN_LIT("POST"), tpd_span_cstr(c->path[svc]), {NULL, 0}, sh, nsh, body};
    struct aws_sigv4_credentials sc = {
        tpd_buf_span(&cr.access_key_id),
        tpd_buf_span(&cr.secret_access_key),
        tpd_buf_span(&cr.session_token)};
    struct aws_sigv4_params sp = {
        .region = svc == AWS_SVC_STS ? c->sts_region : c->region,
        .service = s_service_name[svc],
        .time_s = c->now_s ? c->now_s() : tpd_wall_s(),
        .cache = &c->key_cache,
    };
    rc = sign ? aws_sigv4_sign(&sreq, &sc, &sp, &sig, err) : TPD_OK;
    if (rc) {
        goto done;
    }
    struct aws_http_kv h[S_HEADERS];
    size_t nh = 0;
    h[nh++] = (struct aws_http_kv){"Content-Type", ctype};
    h[nh++] = (struct aws_http_kv){"Host", c->host[svc]};
    if (sign) {
        h[nh++] = (struct aws_http_kv){"X-Amz-Date", tpd_buf_cstr(&sig.amz_date)};
    }
    if (svc == AWS_SVC_DYNAMODB) {
        h[nh++] = (struct aws_http_kv){"X-Amz-Target", tpd_buf_cstr(&target)};
    }
    if (cr.session_token.len) {
        h[nh++] = (struct aws_http_kv){"X-Amz-Security-Token", tpd_buf_cstr(&cr.session_token)};
    }
    if (sign) {
        h[nh++] = (struct aws_http_kv){"Authorization", tpd_buf_cstr(&sig.authorization)};
    }
    struct aws_http_request req = {
        "POST",
        c->url[svc],
        h,
        nh,
        body,
        c->connect_timeout_ms,
        c->request_timeout_ms,
        c->stall_timeout_ms,
        c->stop,
        tpd_deadline()};
    aws_http_response_clear(resp);
    aws_http_response_init(resp);
    rc = aws_http_send(c->transport, &req, resp, err);
    if (rc) {
        tpd_err_prefix(err, "%s: ", op);
        goto done;
    }
    if (resp->status < 200 || resp->status > 299) {
        if (svc == AWS_SVC_DYNAMODB) {
            rc = aws_error_from_json(
                op, resp->status, tpd_buf_span(&resp->body), resp->request_id, err);
        } else {
            rc = aws_error_from_query_xml(
                op, resp->status, tpd_buf_span(&resp->body), resp->request_id, err);
        }
        if (err) {
            err->aws_service = s_service_name[svc];
        }
    }
done:
    aws_creds_clear(&cr);
    aws_sigv4_result_clear(&sig);
    tpd_buf_clear(&target);
    return rc;
}

/* Whether an attempt's failure is AWS throttling the request (an answer, not a
 * transport failure), for the request budget. */
static bool s_throttled(enum aws_http_error net, enum aws_retry_kind kind) {
    return net == AWS_HTTP_ERR_NONE && kind == AWS_RETRY_THROTTLE;
}

static enum tpd_code s_call(
    struct aws_client *c,
    enum aws_service svc,
    const char *op,
    struct tpd_span body,
    struct aws_creds_provider *provider,
    const struct aws_creds *fixed,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    if ((unsigned)svc >= AWS_SVC_COUNT || !op) {
        return tpd_err_set(err, TPD_E_INVALID, "aws_client_call: bad service or operation");
    }
    const char *svc_name = s_service_name[svc];
    /* Every wait below (the budget's pacing, a pooled connection, the backoff) ends by
     * the deadline of the operation this thread works for (tpd_clock.h). */
    int64_t deadline = tpd_deadline();
    int last_cost = 0;
    enum tpd_code rc = TPD_OK;
    for (int attempt = 1;; attempt++) {
        if (c->stop && tpd_stop_requested(c->stop)) {
            rc = tpd_err_set(err, TPD_E_STOPPED, "%s: stopped before sending", op);
            break;
        }
        aws_budget_ticket ticket = 0;
        rc = aws_budget_acquire(c->budget, svc_name, op, c->stop, deadline, &ticket, err);
        if (rc) {
            if (attempt > 1) {
                tpd_err_prefix(err, "after %d attempts: ", attempt - 1);
            }
            break;
        }
        /* An attempt that fails before sending (credentials) must not leave the previous
         * attempt's answer in resp, to be counted again below. */
        aws_http_response_clear(resp);
        aws_http_response_init(resp);
        rc = s_attempt(c, svc, op, body, provider, fixed, resp, err);
        if (rc == TPD_OK) {
            aws_budget_record(c->budget, svc_name, op, false, ticket);
            aws_retry_quota_success(&c->quota, last_cost);
            if (attempt > 1) {
                tpd_err_clear(err); /* forget the failures that were retried */
            }
            return TPD_OK;
        }
        /* A transport failure is classified by what failed (aws_retry.h: whether the
         * request may have reached AWS); an answer by its AWS error code and status. */
        enum aws_http_error net = resp->error;
        enum aws_retry_kind kind = net != AWS_HTTP_ERR_NONE ? aws_retry_classify_http(net)
                                                            : aws_retry_classify(svc_name, rc, err);
        if (net == AWS_HTTP_ERR_NONE && resp->status != 0) {
            aws_budget_record(c->budget, svc_name, op, s_throttled(net, kind), ticket);
        }
        if (kind == AWS_RETRY_NONE || attempt >= aws_retry_max_attempts(net, c->max_attempts)) {
            if (kind != AWS_RETRY_NONE && attempt > 1) {
                tpd_err_prefix(err, "after %d attempts: ", attempt);
            }
            break;
        }
        int64_t delay = aws_retry_backoff_ns(
            attempt, c->retry_base_ns, AWS_RETRY_MAX_BACKOFF_NS, aws_client_rand01(c));
        if (deadline > 0 && tpd_now_ns() + delay >= deadline) {
            /* The retry would start after the operation's deadline: it could not finish
             * in time, so this failure is the answer (docs/provider.md, Failure budget). */
            TPD_DEBUG(
                "%s %s: attempt %d failed; no retry, the operation's deadline comes first",
                svc_name,
                op,
                attempt);
            tpd_err_prefix(
                err,
                "after %d attempt%s (no time left before the operation's deadline to retry): ",
                attempt,
                attempt > 1 ? "s" : "");
            break;
        }
        int cost = 0;
        if (!aws_retry_quota_acquire(&c->quota, kind, &cost)) {
            TPD_DEBUG(
                "%s: retry quota exhausted, not retrying %s",
                op,
                err && err->aws_code ? err->aws_code : tpd_code_name(rc));
            break;
        }
        last_cost = cost;
        TPD_DEBUG(
            "%s %s: attempt %d failed with %s (HTTP %d), retrying in %lld ms",
            svc_name,
            op,
            attempt,
            err && err->aws_code
                ? err->aws_code
                : (net != AWS_HTTP_ERR_NONE ? aws_http_error_str(net) : tpd_code_name(rc)),
            err ? err->http_status : 0,
            (long long)(delay / 1000000));
        enum tpd_code sr = tpd_sleep(c->stop, delay, deadline);
        if (sr == TPD_E_STOPPED) {
            rc = tpd_err_set(err, TPD_E_STOPPED, "%s: stopped while waiting to retry", op);
            break;
        }
    }
    aws_http_response_clear(resp);
    aws_http_response_init(resp);
    return rc;
}

static bool s_listed(char *const *l, size_t n, const char *account) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(l[i], account) == 0) {
            return true;
        }
    }
    return false;
}

/* The refusal, from the remembered verdict (called with guard_mu held). */
static enum tpd_code s_refusal(struct aws_client *c, struct tpd_err *err) {
    bool allowed = c->verdict == AWS_ACCOUNT_NOT_ALLOWED;
    return tpd_err_set(
        err,
        TPD_E_CREDENTIALS,
        "the AWS credentials belong to account %s, which %s; no request was sent to "
        "DynamoDB or CloudFormation",
        c->account,
        allowed ? "is not in allowed_account_ids" : "is in forbidden_account_ids");
}

/* Ask STS who the credentials belong to and judge the account (no lock held). On
 * success *acct is the account ID (heap) and *ok the verdict. */
static enum tpd_code
s_check_account(struct aws_client *c, char **acct, bool *ok, struct tpd_err *err) {
    char *arn = NULL;
    struct aws_creds cr;
    aws_creds_init(&cr);
    *acct = NULL;
    *ok = false;
    enum tpd_code rc = aws_creds_get(c->creds, &cr, err);
    if (!rc) {
        rc = aws_sts_get_caller_identity(&c->sts, &cr, acct, &arn, err);
        if (rc) {
            tpd_err_prefix(err, "checking the AWS account: ");
        }
    }
    aws_creds_clear(&cr);
    if (!rc) {
        *ok = c->allowed_count ? s_listed(c->allowed, c->allowed_count, *acct)
                               : !s_listed(c->forbidden, c->forbidden_count, *acct);
        TPD_DEBUG("AWS account %s (%s): %s", *acct, arn ? arn : "", *ok ? "allowed" : "refused");
    }
    free(arn);
    return rc;
}

/* The failure of the check another caller ran, for a caller that waited for it. */
static enum tpd_code s_guard_failure(struct aws_client *c, struct tpd_err *err) {
    enum tpd_code rc = c->guard_err.code != TPD_OK ? c->guard_err.code : TPD_E_CREDENTIALS;
    if (err && tpd_err_copy(err, &c->guard_err) != TPD_OK) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (err) {
        err->code = rc;
    }
    return rc;
}

enum tpd_code aws_client_verify_account(
    struct aws_client *c, enum aws_account_verdict *verdict, char **account, struct tpd_err *err) {
    *verdict = AWS_ACCOUNT_OK;
    if (account) {
        *account = NULL;
    }
    if (!c->allowed_count && !c->forbidden_count) {
        return TPD_OK;
    }
    enum tpd_code rc = TPD_OK;
    pthread_mutex_lock(&c->guard_mu);
    if (c->guard == S_GUARD_CHECKING) {
        /* Another caller is asking STS: wait for its verdict, or share its failure. */
        uint64_t checks = c->guard_checks;
        c->guard_waiting++;
        while (c->guard == S_GUARD_CHECKING) {
            pthread_cond_wait(&c->guard_cv, &c->guard_mu);
        }
        c->guard_waiting--;
        if (c->guard == S_GUARD_UNCHECKED && c->guard_checks != checks) {
            rc = s_guard_failure(c, err);
            pthread_mutex_unlock(&c->guard_mu);
            return rc;
        }
    }
    if (c->guard == S_GUARD_UNCHECKED) {
        c->guard = S_GUARD_CHECKING;
        pthread_mutex_unlock(&c->guard_mu);
        char *acct = NULL;
        bool ok = false;
        struct tpd_err e;
        tpd_err_init(&e);
        rc = s_check_account(c, &acct, &ok, &e);
        pthread_mutex_lock(&c->guard_mu);
        c->guard_checks++;
        tpd_err_clear(&c->guard_err);
        if (!rc) {
            c->verdict = ok                 ? AWS_ACCOUNT_OK
                         : c->allowed_count ? AWS_ACCOUNT_NOT_ALLOWED
                                            : AWS_ACCOUNT_FORBIDDEN;
            c->guard = ok ? S_GUARD_OK : S_GUARD_REFUSED;
            c->account = acct;
            acct = NULL;
        } else {
            /* Not remembered: the next caller asks again; the waiters share this one. */
            c->guard = S_GUARD_UNCHECKED;
            if (tpd_err_copy(&c->guard_err, &e) != TPD_OK) {
                tpd_err_clear(&c->guard_err);
                c->guard_err.code = e.code != TPD_OK ? e.code : rc;
            }
            tpd_err_move(err, &e);
        }
        pthread_cond_broadcast(&c->guard_cv);
        free(acct);
        tpd_err_clear(&e);
    }
    if (!rc && c->guard == S_GUARD_REFUSED) {
        rc = s_refusal(c, err);
    }
    if (c->guard == S_GUARD_OK || c->guard == S_GUARD_REFUSED) {
        *verdict = c->verdict;
        if (account) {
            *account = tpd_strdup(c->account);
        }
    }
    pthread_mutex_unlock(&c->guard_mu);
    return rc;
}

enum tpd_code aws_client_call(
    struct aws_client *c,
    enum aws_service svc,
    const char *op,
    struct tpd_span body,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    if (svc != AWS_SVC_STS && (c->allowed_count || c->forbidden_count)) {
        enum aws_account_verdict v;
        enum tpd_code rc = aws_client_verify_account(c, &v, NULL, err);
        if (rc) {
            tpd_err_prefix(err, "%s: ", op);
            return rc;
        }
    }
    return s_call(c, svc, op, body, c->creds, NULL, resp, err);
}
