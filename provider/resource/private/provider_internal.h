/*
 * provider_internal: the provider's private state, shared by provider.c,
 * provider_config.c and the resource implementation. Not for the RPC layer.
 */
#ifndef TPD_PROVIDER_INTERNAL_H
#define TPD_PROVIDER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws_client.h"
#include "diag.h"
#include "plan_claims.h"
#include "provider.h"
#include "tfv.h"
#include "tpd_clock.h"

/* Settings from ConfigureProvider. Strings are owned (heap) or NULL. */
struct provider_config {
    char *region;
    char *profile;
    char *access_key;
    char *secret_key;
    char *token;
    char *endpoint_dynamodb;
    char *endpoint_cloudformation;
    char *endpoint_sts;
    int64_t max_retries;          /* -1: not set */
    int64_t max_pool_connections; /* -1: not set */
    char *role_arn;
    char *session_name;
    char *external_id;
    char *role_policy;
    int role_duration_s; /* 0: STS default */
    char *sts_region;
    char **shared_config_files; /* NULL-terminated lists, or NULL */
    char **shared_credentials_files;
    char **allowed_account_ids;
    char **forbidden_account_ids;
    /* Network settings (NULL / AWS_FLAG_UNSET: the environment and profile decide). */
    char *custom_ca_bundle;
    char *http_proxy;
    char *https_proxy;
    char *no_proxy;
    char *retry_mode;
    bool skip_region_validation;
    enum aws_flag use_fips_endpoint;
    enum aws_flag use_dualstack_endpoint;
};

/* Number of entries of a NULL-terminated list (0 for NULL). */
size_t provider_config_count(char *const *list);

struct cloud;
struct aws_client;

struct provider {
    struct tpd_stop stop; /* StopProvider sets it; every wait checks it */
    pthread_mutex_t mu;   /* guards configured/client during ConfigureProvider */
    bool configured;
    struct provider_config cfg;
    struct aws_client *aws; /* built on first use after ConfigureProvider; shared by all threads */
    struct cloud *cloud;    /* the resource's operations over aws */
    struct plan_claims *claims; /* the tables this walk's plans claim (plan_claims.h) */
};

void provider_config_clear(struct provider_config *c);
/* Store the configuration; the AWS client is built on first use. */
void provider_config_apply(struct provider *p, const struct tfv *config, struct diag_list *diags);

/* The shared AWS client, built on first use. NULL (with an error diagnostic) when
 * the provider is not configured or its configuration cannot work. Borrowed. */
struct cloud *provider_cloud(struct provider *p, struct diag_list *diags);

/* An AWS client from the provider configuration (AWS conventions fill the gaps).
 * NULL and err filled when the configuration cannot work (no region, ...). Free with
 * aws_client_free. */
struct aws_client *provider_aws_client_new(
    const struct provider_config *cfg, struct tpd_stop *stop, struct tpd_err *err);
/* The AWS client options for a provider configuration (strings borrowed from cfg). */
void provider_client_options(
    const struct provider_config *cfg, struct tpd_stop *stop, struct aws_client_options *o);

#endif
