/*
 * provider_config: ConfigureProvider. Copies the settings out of the config value;
 * the AWS client is built from them (AWS conventions fill what is not set).
 */
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "provider_internal.h"
#include "tpd_log.h"

static char *s_dup_attr(const struct tfv *obj, const char *key) {
    const char *s = tfv_get_str(obj, key);
    return s ? tpd_span_strdup(tpd_span_cstr(s)) : NULL;
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
    memset(c, 0, sizeof(*c));
    c->max_retries = -1;
}

void provider_configure(struct tfp_provider *p, const struct tfv *config, struct diag_list *diags) {
    (void)diags;
    struct provider_config c = {0};
    c.max_retries = -1;
    c.region = s_dup_attr(config, "region");
    c.profile = s_dup_attr(config, "profile");
    c.access_key = s_dup_attr(config, "access_key");
    c.secret_key = s_dup_attr(config, "secret_key");
    c.token = s_dup_attr(config, "token");
    const struct tfv *ep = tfv_get(config, "endpoints");
    c.endpoint_dynamodb = s_dup_attr(ep, "dynamodb");
    c.endpoint_cloudformation = s_dup_attr(ep, "cloudformation");
    c.endpoint_sts = s_dup_attr(ep, "sts");
    int64_t n;
    if (tfv_get_int(config, "max_retries", &n)) {
        c.max_retries = n;
    }
    const struct tfv *ar = tfv_get(config, "assume_role");
    c.role_arn = s_dup_attr(ar, "role_arn");
    c.session_name = s_dup_attr(ar, "session_name");
    c.external_id = s_dup_attr(ar, "external_id");

    pthread_mutex_lock(&p->mu);
    provider_config_clear(&p->cfg);
    p->cfg = c;
    p->configured = true;
    pthread_mutex_unlock(&p->mu);
    TPD_DEBUG("provider configured (region %s)", c.region ? c.region : "from environment");
}

/* max_retries counts retries, as in the hashicorp/aws provider; the SDKs' standard mode
 * counts attempts including the first. The default is higher than the SDK's 3
 * attempts: Terraform runs up to 10 operations at once against one account's shared
 * rate limits, and a plan failing on a third throttled DescribeTable helps nobody
 * (hashicorp/aws defaults to 25 retries). */
#define PROVIDER_DEFAULT_MAX_ATTEMPTS 10

struct aws_client *provider_aws_client_new(
    const struct provider_config *cfg, struct tpd_stop *stop, struct tpd_err *err) {
    struct aws_client_options o = {
        .region = cfg->region,
        .profile = cfg->profile,
        .access_key = cfg->access_key,
        .secret_key = cfg->secret_key,
        .session_token = cfg->token,
        .endpoint_dynamodb = cfg->endpoint_dynamodb,
        .endpoint_cloudformation = cfg->endpoint_cloudformation,
        .endpoint_sts = cfg->endpoint_sts,
        .max_attempts =
            cfg->max_retries >= 0 ? (int)cfg->max_retries + 1 : PROVIDER_DEFAULT_MAX_ATTEMPTS,
        .assume_role =
            {.role_arn = cfg->role_arn,
             .session_name = cfg->session_name,
             .external_id = cfg->external_id},
        .stop = stop,
    };
    return aws_client_new(&o, err);
}
