/*
 * provider_config: ConfigureProvider. Copies the settings out of the config value;
 * the AWS client is built from them (AWS conventions fill what is not set).
 */
#include <stdlib.h>
#include <string.h>

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
