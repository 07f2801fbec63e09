/*
 * provider_config: ConfigureProvider. Copies the settings out of the config value;
 * the AWS client is built from them (AWS conventions fill what is not set). The
 * region is resolved and checked here, so that an unknown one is reported against
 * the `region` attribute at configuration time rather than at the first request.
 */
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "cloud.h"
#include "provider_internal.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "validate.h"

/* max_retries counts retries, as in the hashicorp/aws provider; the SDKs' standard mode
 * counts attempts including the first. The default is higher than the SDK's 3
 * attempts: Terraform runs up to 10 operations at once against one account's shared
 * rate limits, and a plan failing on a third throttled DescribeTable helps nobody
 * (hashicorp/aws defaults to 25 retries). */
#define PROVIDER_DEFAULT_MAX_ATTEMPTS 10

/* Copy of a string attribute (NULL when absent, null or unknown); *nomem is set when
 * the attribute has a value that could not be copied. */
static char *s_dup_attr(const struct tfv *obj, const char *key, bool *nomem) {
    const char *s = tfv_get_str(obj, key);
    char *d = s ? tpd_strdup(s) : NULL;
    if (s && !d) {
        *nomem = true;
    }
    return d;
}

static enum aws_flag s_flag_attr(const struct tfv *obj, const char *key) {
    bool b = false;
    if (!tfv_get_bool(obj, key, &b)) {
        return AWS_FLAG_UNSET;
    }
    return b ? AWS_FLAG_TRUE : AWS_FLAG_FALSE;
}

static void s_free_secret(char **s) {
    if (*s) {
        volatile char *p = *s;
        while (*p) {
            *p++ = 0;
        }
        free(*s);
        *s = NULL;
    }
}

size_t provider_config_count(char *const *list) {
    size_t n = 0;
    while (list && list[n]) {
        n++;
    }
    return n;
}

static void s_free_list(char **l) {
    for (size_t i = 0; l && l[i]; i++) {
        free(l[i]);
    }
    free(l);
}

/* A list or set of strings as a NULL-terminated heap list; NULL when null, unknown or
 * empty. Unknown elements are skipped (validation reports them). */
static char **s_dup_list(const struct tfv *obj, const char *key) {
    const struct tfv *v = tfv_get(obj, key);
    if (!v || (v->kind != TFV_LIST && v->kind != TFV_SET) || v->u.list.count == 0) {
        return NULL;
    }
    char **out = tpd_calloc(v->u.list.count + 1, sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; out && i < v->u.list.count; i++) {
        const char *s = tfv_str(v->u.list.items[i]);
        if (s && !(out[n++] = tpd_strdup(s))) {
            s_free_list(out);
            return NULL;
        }
    }
    return out;
}

void provider_config_clear(struct provider_config *c) {
    free(c->region);
    free(c->profile);
    s_free_secret(&c->access_key);
    s_free_secret(&c->secret_key);
    s_free_secret(&c->token);
    free(c->endpoint_dynamodb);
    free(c->endpoint_cloudformation);
    free(c->endpoint_sts);
    free(c->role_arn);
    free(c->session_name);
    free(c->external_id);
    free(c->role_policy);
    free(c->sts_region);
    s_free_list(c->shared_config_files);
    s_free_list(c->shared_credentials_files);
    s_free_list(c->allowed_account_ids);
    s_free_list(c->forbidden_account_ids);
    free(c->custom_ca_bundle);
    free(c->http_proxy);
    free(c->https_proxy);
    free(c->no_proxy);
    free(c->retry_mode);
    memset(c, 0, sizeof(*c));
    c->max_retries = -1;
    c->max_pool_connections = -1;
}

/*
 * The account guard at configure time (as the hashicorp/aws provider does it): the
 * client is built now and asks sts:GetCallerIdentity before anything else; a refusal
 * is an error on the attribute that refused, and the client remembers it, so no
 * DynamoDB or CloudFormation request follows.
 */
static void s_check_account(struct provider *p, struct diag_list *diags) {
    struct cloud *cl = provider_cloud(p, diags);
    if (!cl) {
        return;
    }
    enum aws_account_verdict v = AWS_ACCOUNT_OK;
    char *account = NULL;
    struct tpd_err err = {0};
    enum tpd_code rc = aws_client_verify_account(cloud_aws_client(cl), &v, &account, &err);
    if (rc && v != AWS_ACCOUNT_OK) {
        const char *attr =
            v == AWS_ACCOUNT_NOT_ALLOWED ? "allowed_account_ids" : "forbidden_account_ids";
        struct tfv_path path = {0};
        if (tfv_path_of(&path, attr, (const char *)NULL) == TPD_OK) {
            diag_add(
                diags,
                DIAG_ERROR,
                &path,
                v == AWS_ACCOUNT_NOT_ALLOWED ? "AWS account not allowed" : "AWS account forbidden",
                "The AWS credentials belong to account %s, which %s. Nothing was read or changed "
                "in that account.",
                account ? account : "?",
                v == AWS_ACCOUNT_NOT_ALLOWED ? "is not in allowed_account_ids"
                                             : "is in forbidden_account_ids");
        }
        tfv_path_clear(&path);
    } else if (rc) {
        diag_add_err(diags, NULL, "Cannot check the AWS account", &err);
    } else {
        TPD_INFO("AWS account %s passed the account guard", account ? account : "?");
    }
    free(account);
    tpd_err_clear(&err);
}

/* Resolve and check the region as the client will (configured, environment, profile),
 * reporting a problem on the `region` attribute. An unknown region attribute (the
 * configuration depends on values known only at apply) is left to the client. */
static bool s_check_region(
    const struct provider_config *c,
    struct provider *p,
    const struct tfv *config,
    struct diag_list *diags) {
    if (tfv_is_unknown(tfv_get(config, "region"))) {
        return true;
    }
    struct aws_client_options o;
    provider_client_options(c, &p->stop, &o);
    char *region = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    enum tpd_code rc = aws_client_resolve_region(&o, &region, &err);
    if (rc != TPD_OK) {
        struct tfv_path path = {0};
        bool have_path = tfv_path_of(&path, "region", (const char *)NULL) == TPD_OK;
        diag_add_err(
            diags,
            have_path ? &path : NULL,
            rc == TPD_E_NOMEM ? "Out of memory" : (region ? "Invalid AWS region" : "No AWS region"),
            &err);
        tfv_path_clear(&path);
    }
    free(region);
    tpd_err_clear(&err);
    return rc == TPD_OK;
}

void provider_config_apply(struct provider *p, const struct tfv *config, struct diag_list *diags) {
    struct provider_config c = {0};
    bool nomem = false;
    c.max_retries = -1;
    c.max_pool_connections = -1;
    c.region = s_dup_attr(config, "region", &nomem);
    c.profile = s_dup_attr(config, "profile", &nomem);
    c.access_key = s_dup_attr(config, "access_key", &nomem);
    c.secret_key = s_dup_attr(config, "secret_key", &nomem);
    c.token = s_dup_attr(config, "token", &nomem);
    const struct tfv *ep = tfv_get(config, "endpoints");
    c.endpoint_dynamodb = s_dup_attr(ep, "dynamodb", &nomem);
    c.endpoint_cloudformation = s_dup_attr(ep, "cloudformation", &nomem);
    c.endpoint_sts = s_dup_attr(ep, "sts", &nomem);
    int64_t n;
    if (tfv_get_int(config, "max_retries", &n)) {
        c.max_retries = n;
    }
    if (tfv_get_int(config, "max_pool_connections", &n)) {
        c.max_pool_connections = n;
    }
    const struct tfv *ar = tfv_get(config, "assume_role");
    c.role_arn = s_dup_attr(ar, "role_arn", &nomem);
    c.session_name = s_dup_attr(ar, "session_name", &nomem);
    c.external_id = s_dup_attr(ar, "external_id", &nomem);
    c.role_policy = s_dup_attr(ar, "policy", &nomem);
    const char *dur = tfv_get_str(ar, "duration");
    int64_t ns = 0;
    if (dur && validate_parse_duration(dur, &ns)) {
        c.role_duration_s = (int)(ns / 1000000000LL);
    }
    c.sts_region = s_dup_attr(config, "sts_region", &nomem);
    c.shared_config_files = s_dup_list(config, "shared_config_files");
    c.shared_credentials_files = s_dup_list(config, "shared_credentials_files");
    c.allowed_account_ids = s_dup_list(config, "allowed_account_ids");
    c.forbidden_account_ids = s_dup_list(config, "forbidden_account_ids");
    bool guard = c.allowed_account_ids || c.forbidden_account_ids;
    c.custom_ca_bundle = s_dup_attr(config, "custom_ca_bundle", &nomem);
    c.http_proxy = s_dup_attr(config, "http_proxy", &nomem);
    c.https_proxy = s_dup_attr(config, "https_proxy", &nomem);
    c.no_proxy = s_dup_attr(config, "no_proxy", &nomem);
    c.retry_mode = s_dup_attr(config, "retry_mode", &nomem);
    bool skip = false;
    c.skip_region_validation = tfv_get_bool(config, "skip_region_validation", &skip) && skip;
    c.use_fips_endpoint = s_flag_attr(config, "use_fips_endpoint");
    c.use_dualstack_endpoint = s_flag_attr(config, "use_dualstack_endpoint");
    if (nomem) {
        /* A setting lost to out-of-memory must not silently become "unset". */
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Cannot copy the provider settings.");
        provider_config_clear(&c);
        return;
    }
    if (!s_check_region(&c, p, config, diags)) {
        provider_config_clear(&c);
        return;
    }

    pthread_mutex_lock(&p->mu);
    provider_config_clear(&p->cfg);
    p->cfg = c;
    p->configured = true;
    pthread_mutex_unlock(&p->mu);
    TPD_DEBUG("provider configured (region %s)", c.region ? c.region : "from environment");
    if (guard) {
        s_check_account(p, diags);
    }
}

void provider_client_options(
    const struct provider_config *cfg, struct tpd_stop *stop, struct aws_client_options *o) {
    *o = (struct aws_client_options){
        .region = cfg->region,
        .profile = cfg->profile,
        .access_key = cfg->access_key,
        .secret_key = cfg->secret_key,
        .session_token = cfg->token,
        .endpoint_dynamodb = cfg->endpoint_dynamodb,
        .endpoint_cloudformation = cfg->endpoint_cloudformation,
        .endpoint_sts = cfg->endpoint_sts,
        /* Network failures have their own, smaller budget (aws_retry.h). */
        .max_attempts =
            cfg->max_retries >= 0 ? (int)cfg->max_retries + 1 : PROVIDER_DEFAULT_MAX_ATTEMPTS,
        /* 0: the transport's default, botocore's 10 per endpoint (aws_http.h). */
        .max_pool_connections =
            cfg->max_pool_connections > 0 ? (size_t)cfg->max_pool_connections : 0,
        .assume_role =
            {.role_arn = cfg->role_arn,
             .session_name = cfg->session_name,
             .external_id = cfg->external_id,
             .duration_s = cfg->role_duration_s,
             .policy = cfg->role_policy},
        .stop = stop,
        .sts_region = cfg->sts_region,
        .shared_config_files = (const char *const *)cfg->shared_config_files,
        .shared_config_files_count = provider_config_count(cfg->shared_config_files),
        .shared_credentials_files = (const char *const *)cfg->shared_credentials_files,
        .shared_credentials_files_count = provider_config_count(cfg->shared_credentials_files),
        .allowed_account_ids = (const char *const *)cfg->allowed_account_ids,
        .allowed_account_ids_count = provider_config_count(cfg->allowed_account_ids),
        .forbidden_account_ids = (const char *const *)cfg->forbidden_account_ids,
        .forbidden_account_ids_count = provider_config_count(cfg->forbidden_account_ids),
        .skip_region_validation = cfg->skip_region_validation,
        .ca_bundle = cfg->custom_ca_bundle,
        .http_proxy = cfg->http_proxy,
        .https_proxy = cfg->https_proxy,
        .no_proxy = cfg->no_proxy,
        .use_fips_endpoint = cfg->use_fips_endpoint,
        .use_dualstack_endpoint = cfg->use_dualstack_endpoint,
        .retry_mode = cfg->retry_mode,
    };
}

struct aws_client *provider_aws_client_new(
    const struct provider_config *cfg, struct tpd_stop *stop, struct tpd_err *err) {
    struct aws_client_options o;
    provider_client_options(cfg, stop, &o);
    return aws_client_new(&o, err);
}
