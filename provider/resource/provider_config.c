/*
 * provider_config: ConfigureProvider. Copies the settings out of the config value;
 * the AWS client is built from them (AWS conventions fill what is not set). The
 * region is resolved and checked here, so that an unknown one is reported against
 * the `region` attribute at configuration time rather than at the first request.
 */
#include <stdlib.h>
#include <string.h>

#include "cloud.h"
#include "provider_internal.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

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
    free(c->custom_ca_bundle);
    free(c->http_proxy);
    free(c->https_proxy);
    free(c->no_proxy);
    free(c->retry_mode);
    memset(c, 0, sizeof(*c));
    c->max_retries = -1;
}

/* Resolve and check the region as the client will (configured, environment, profile),
 * reporting a problem on the `region` attribute. An unknown region attribute (the
 * configuration depends on values known only at apply) is left to the client. */
static bool s_check_region(
    const struct provider_config *c,
    struct tfp_provider *p,
    const struct tfv *config,
    struct diag_list *diags) {
    if (tfv_is_unknown(tfv_get(config, "region"))) {
        return true;
    }
    struct aws_client_options o;
    cloud_client_options(c, &p->stop, &o);
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

void provider_configure(struct tfp_provider *p, const struct tfv *config, struct diag_list *diags) {
    struct provider_config c = {0};
    bool nomem = false;
    c.max_retries = -1;
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
    const struct tfv *ar = tfv_get(config, "assume_role");
    c.role_arn = s_dup_attr(ar, "role_arn", &nomem);
    c.session_name = s_dup_attr(ar, "session_name", &nomem);
    c.external_id = s_dup_attr(ar, "external_id", &nomem);
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
}
