/*
 * validate_provider: the checks of the provider's configuration (ValidateProviderConfig;
 * docs/provider.md): endpoint and proxy URLs (aws/include/aws_url.h: libcurl's parser, as the
 * transport uses it), the region, account lists, shared-file lists, the CA bundle,
 * retries and the retry mode.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aws_url.h"
#include "tpd_limits.h"
#include "tpd_text.h"
#include "validate.h"
#include "validate_internal.h"

#define S_STR2(x) #x
#define S_STR(x) S_STR2(x) /* a number macro as a string literal */

static void s_check_url(struct diag_list *d, const struct tfv *block, const char *attr) {
    const char *u = tfv_get_str(block, attr);
    if (u && !aws_url_is_endpoint(u)) {
        validate_err(
            d,
            "endpoints",
            attr,
            "Invalid endpoint URL",
            "An endpoint must be an absolute http:// or https:// URL with a host, e.g. "
            "\"http://127.0.0.1:4566\".");
    }
}

/* A proxy URL: a scheme libcurl speaks to proxies with, and a host. */
static void s_check_proxy(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const char *u = tfv_get_str(cfg, attr);
    if (u && !aws_url_is_proxy(u)) {
        validate_err(
            d,
            attr,
            NULL,
            "Invalid proxy URL",
            "A proxy is an absolute URL with a host: http://, https://, socks4://, socks4a://, "
            "socks5:// or socks5h://, e.g. \"http://proxy.example.com:3128\".");
    }
}

/* The settings that decide how AWS is reached (TLS, proxies, retries). */
static void s_check_network(const struct tfv *cfg, struct diag_list *d) {
    const char *ca = tfv_get_str(cfg, "custom_ca_bundle");
    if (ca && !*ca) {
        validate_err(
            d,
            "custom_ca_bundle",
            NULL,
            "Empty custom_ca_bundle",
            "custom_ca_bundle is the path of a PEM file; omit it to use AWS_CA_BUNDLE, the "
            "profile's ca_bundle or the system's certificate authorities.");
    }
    s_check_proxy(d, cfg, "http_proxy");
    s_check_proxy(d, cfg, "https_proxy");
    const char *mode = tfv_get_str(cfg, "retry_mode");
    if (mode && strcmp(mode, "standard") != 0 && strcmp(mode, "adaptive") != 0) {
        bool legacy = strcmp(mode, "legacy") == 0;
        validate_err(
            d,
            "retry_mode",
            NULL,
            legacy ? "Unsupported retry mode" : "Invalid retry mode",
            legacy ? "This provider implements the \"adaptive\" (the default) and \"standard\" "
                     "retry modes, not the SDKs' legacy one. Use one of those or leave "
                     "retry_mode out."
                   : "retry_mode must be \"adaptive\" or \"standard\".");
    }
    const struct tfv *pool = tfv_get(cfg, "max_pool_connections");
    if (!tfv_is_null(pool) && !tfv_is_unknown(pool)) {
        int64_t n;
        if (!tfv_get_int(cfg, "max_pool_connections", &n) || n < 1 ||
            n > (int64_t)TPD_MAX_POOL_CONNECTIONS) {
            validate_err(
                d,
                "max_pool_connections",
                NULL,
                "Invalid max_pool_connections",
                "max_pool_connections must be a whole number from 1 to " S_STR(
                    TPD_MAX_POOL_CONNECTIONS) ".");
        }
    }
}

static void s_check_region(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const char *region = tfv_get_str(cfg, attr);
    if (region) {
        bool ok = strlen(region) >= 1 && strlen(region) <= 64;
        for (const char *p = region; ok && *p; p++) {
            ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-';
        }
        if (!ok) {
            validate_err(
                d,
                attr,
                NULL,
                "Invalid region",
                "A region is lower-case letters, digits and '-', such as \"us-east-1\".");
        }
    }
}

/* Elements of a known list/set attribute (NULL when null or unknown). */
static const struct tfv *s_known_list(const struct tfv *cfg, const char *attr) {
    const struct tfv *v = tfv_get(cfg, attr);
    return v && (v->kind == TFV_LIST || v->kind == TFV_SET) ? v : NULL;
}

static void s_check_accounts(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const struct tfv *v = s_known_list(cfg, attr);
    for (size_t i = 0; v && i < v->u.list.count; i++) {
        const char *s = tfv_str(v->u.list.items[i]);
        bool ok = s && strlen(s) == 12;
        for (const char *p = s; ok && *p; p++) {
            ok = isdigit((unsigned char)*p);
        }
        if (s && !ok) {
            validate_err(
                d, attr, NULL, "Invalid AWS account ID", "An AWS account ID is 12 digits.");
            return;
        }
    }
}

static void s_check_files(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const struct tfv *v = s_known_list(cfg, attr);
    for (size_t i = 0; v && i < v->u.list.count; i++) {
        const char *s = tfv_str(v->u.list.items[i]);
        if (s && !*s) {
            validate_err(d, attr, NULL, "Empty file name", "Each entry must be a file path.");
            return;
        }
    }
}

void validate_provider_config(const struct tfv *config, struct diag_list *diags) {
    s_check_network(config, diags);
    s_check_region(diags, config, "region");
    s_check_region(diags, config, "sts_region");
    s_check_accounts(diags, config, "allowed_account_ids");
    s_check_accounts(diags, config, "forbidden_account_ids");
    const struct tfv *al = s_known_list(config, "allowed_account_ids");
    const struct tfv *fo = s_known_list(config, "forbidden_account_ids");
    if (al && fo) {
        validate_err(
            diags,
            "forbidden_account_ids",
            NULL,
            "Conflicting account lists",
            "Set allowed_account_ids or forbidden_account_ids, not both.");
    }
    s_check_files(diags, config, "shared_config_files");
    s_check_files(diags, config, "shared_credentials_files");
    const struct tfv *mr = tfv_get(config, "max_retries");
    if (!tfv_is_null(mr) && !tfv_is_unknown(mr)) {
        int64_t n;
        if (!tfv_get_int(config, "max_retries", &n) || n < 0 || n > 100) {
            validate_err(
                diags,
                "max_retries",
                NULL,
                "Invalid max_retries",
                "max_retries must be a whole number from 0 to 100.");
        }
    }
    const struct tfv *ak = tfv_get(config, "access_key"), *sk = tfv_get(config, "secret_key");
    if (!tfv_is_unknown(ak) && !tfv_is_unknown(sk)) {
        const char *a = tfv_str(ak), *s = tfv_str(sk);
        if (a && !*a) {
            validate_err(
                diags,
                "access_key",
                NULL,
                "Empty access_key",
                "access_key must not be empty; omit it to use the credential chain.");
        } else if (s && !*s) {
            validate_err(
                diags,
                "secret_key",
                NULL,
                "Empty secret_key",
                "secret_key must not be empty; omit it to use the credential chain.");
        } else if (a && !s) {
            validate_err(
                diags,
                "secret_key",
                NULL,
                "Missing secret_key",
                "access_key is set, so secret_key must be set too.");
        } else if (s && !a) {
            validate_err(
                diags,
                "access_key",
                NULL,
                "Missing access_key",
                "secret_key is set, so access_key must be set too.");
        }
    }
    const struct tfv *ep = tfv_get(config, "endpoints");
    if (!tfv_is_null(ep) && !tfv_is_unknown(ep)) {
        s_check_url(diags, ep, "dynamodb");
        s_check_url(diags, ep, "cloudformation");
        s_check_url(diags, ep, "sts");
    }
    const struct tfv *ar = tfv_get(config, "assume_role");
    const char *arn = tfv_get_str(ar, "role_arn");
    if (arn && strncmp(arn, "arn:", 4) != 0) {
        validate_err(
            diags,
            "assume_role",
            "role_arn",
            "Invalid role ARN",
            "role_arn must be an IAM role ARN such as \"arn:aws:iam::123456789012:role/name\".");
    }
    const char *sn = tfv_get_str(ar, "session_name");
    if (sn && (strlen(sn) < 2 || strlen(sn) > 64)) {
        validate_err(
            diags,
            "assume_role",
            "session_name",
            "Invalid session name",
            "session_name must be 2 to 64 characters.");
    }
    const char *dur = tfv_get_str(ar, "duration");
    int64_t ns = 0;
    /* roleDurationSecondsType in botocore's STS model: 900 to 43200 seconds. */
    if (dur && (!validate_parse_duration(dur, &ns) || ns < 900 * 1000000000LL ||
                ns > 43200 * 1000000000LL || ns % 1000000000LL != 0)) {
        validate_err(
            diags,
            "assume_role",
            "duration",
            "Invalid duration",
            "duration must be whole seconds from 15m to 12h, such as \"1h\".");
    }
    const char *pol = tfv_get_str(ar, "policy");
    if (pol) {
        /* sessionPolicyDocumentType: 1 to 2048 characters, and IAM wants a JSON object. */
        json_error_t je;
        json_t *j = json_loads(pol, 0, &je);
        if (!json_is_object(j) || strlen(pol) > 2048) {
            validate_err(
                diags,
                "assume_role",
                "policy",
                "Invalid policy",
                "policy must be an IAM policy document: a JSON object of at most 2048 "
                "characters.");
        }
        json_decref(j);
    }
}
