/* aws_endpoint: region and endpoint resolution (see aws_endpoint.h). */
#include "aws_endpoint.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_buf.h"

/*
 * botocore data/partitions.json (version 1.1), in its order. The regionRegex values
 * are written in POSIX extended syntax: "\w" as [[:alnum:]_], "\d" as [0-9], "\-" as
 * "-". The "<partition>-global" pseudo regions of its "regions" lists name global
 * endpoints of other services and are not regions DynamoDB or CloudFormation run in.
 */
static const struct aws_partition s_partitions[] = {
    {"aws", "^(us|eu|ap|sa|ca|me|af|il|mx)-[[:alnum:]_]+-[0-9]+$", "amazonaws.com", "api.aws"},
    {"aws-cn", "^cn-[[:alnum:]_]+-[0-9]+$", "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
    {"aws-eusc", "^eusc-(de)-[[:alnum:]_]+-[0-9]+$", "amazonaws.eu", "api.amazonwebservices.eu"},
    {"aws-iso", "^us-iso-[[:alnum:]_]+-[0-9]+$", "c2s.ic.gov", "api.aws.ic.gov"},
    {"aws-iso-b", "^us-isob-[[:alnum:]_]+-[0-9]+$", "sc2s.sgov.gov", "api.aws.scloud"},
    {"aws-iso-e", "^eu-isoe-[[:alnum:]_]+-[0-9]+$", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
    {"aws-iso-f", "^us-isof-[[:alnum:]_]+-[0-9]+$", "csp.hci.ic.gov", "api.aws.hci.ic.gov"},
    {"aws-us-gov", "^us-gov-[[:alnum:]_]+-[0-9]+$", "amazonaws.com", "api.aws"},
};
#define S_PARTITIONS (sizeof(s_partitions) / sizeof(s_partitions[0]))

static const char *s_env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

enum tpd_code aws_region_resolve_from(
    const char *configured,
    const struct aws_profile *prof,
    char **out,
    const char **source,
    struct tpd_err *err) {
    const char *r = configured && *configured ? configured : NULL;
    const char *src = "the configuration";
    if (!r && (r = s_env("AWS_REGION"))) {
        src = "AWS_REGION";
    }
    if (!r && (r = s_env("AWS_DEFAULT_REGION"))) {
        src = "AWS_DEFAULT_REGION";
    }
    if (!r && prof) {
        r = aws_profile_get(prof, "region");
        src = "the profile";
        if (r && !*r) {
            r = NULL;
        }
    }
    if (source) {
        *source = r ? src : NULL;
    }
    if (!r) {
        *out = NULL;
        return tpd_err_set(
            err,
            TPD_E_INVALID,
            "no AWS region: set \"region\" in the provider configuration, AWS_REGION, "
            "AWS_DEFAULT_REGION or region in the profile \"%s\"",
            prof && prof->name ? prof->name : "default");
    }
    *out = tpd_strdup(r);
    return *out ? TPD_OK : tpd_err_set(err, TPD_E_NOMEM, "out of memory");
}

enum tpd_code aws_region_resolve(
    const char *configured, const struct aws_profile *prof, char **out, struct tpd_err *err) {
    return aws_region_resolve_from(configured, prof, out, NULL, err);
}

static bool s_matches(const char *pattern, const char *s) {
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
        return false;
    }
    bool m = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

const struct aws_partition *aws_partition_of(const char *region) {
    for (size_t i = 0; region && i < S_PARTITIONS; i++) {
        if (s_matches(s_partitions[i].region_pattern, region)) {
            return &s_partitions[i];
        }
    }
    return NULL;
}

enum tpd_code aws_region_check(const char *region, struct tpd_err *err) {
    if (aws_partition_of(region)) {
        return TPD_OK;
    }
    return tpd_err_set(
        err,
        TPD_E_INVALID,
        "\"%s\" is not an AWS region: region names look like us-east-1 (partition aws), "
        "cn-north-1 (aws-cn), us-gov-west-1 (aws-us-gov), eusc-de-east-1 (aws-eusc), "
        "us-iso-east-1, us-isob-east-1, eu-isoe-west-1 or us-isof-south-1 (aws-iso*)",
        region ? region : "");
}

static const struct aws_partition *s_partition_or_aws(const char *region) {
    const struct aws_partition *p = aws_partition_of(region);
    return p ? p : &s_partitions[0];
}

enum tpd_code aws_endpoint_default(
    const char *service, const char *region, unsigned variants, char **out, struct tpd_err *err) {
    const struct aws_partition *p = s_partition_or_aws(region);
    bool fips = variants & AWS_ENDPOINT_FIPS;
    bool dual = variants & AWS_ENDPOINT_DUALSTACK;
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_URL);
    enum tpd_code rc;
    if (fips && !dual && strcmp(p->id, "aws-us-gov") == 0) {
        rc = tpd_buf_printf(&b, "https://%s.%s.amazonaws.com", service, region);
    } else {
        rc = tpd_buf_printf(
            &b,
            "https://%s%s.%s.%s",
            service,
            fips ? "-fips" : "",
            region,
            dual ? p->dualstack_dns_suffix : p->dns_suffix);
    }
    if (rc) {
        tpd_buf_clear(&b);
        return tpd_err_set(err, rc, "endpoint: %s", tpd_code_str(rc));
    }
    *out = tpd_buf_detach(&b);
    return TPD_OK;
}

enum tpd_code aws_endpoint_resolve_variant(
    const char *service,
    const char *env_id,
    const char *configured,
    const char *region,
    const struct aws_profile *prof,
    unsigned variants,
    char **out,
    struct tpd_err *err) {
    *out = NULL;
    const char *v = configured && *configured ? configured : NULL;
    const char *ignore = s_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    bool use_env = !(ignore && strcmp(ignore, "true") == 0);
    /* Names on the stack: a lookup skipped for want of memory would silently pick a
     * less specific endpoint. service and env_id are this client's own short names. */
    char name[TPD_MAX_LABEL];
    if (!v && use_env) {
        if (snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", env_id) >= (int)sizeof(name) ||
            snprintf(name, sizeof(name), "%s.endpoint_url", service) >= (int)sizeof(name)) {
            return tpd_err_set(err, TPD_E_INVALID, "endpoint: service name too long");
        }
        snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", env_id);
        v = s_env(name);
        if (!v) {
            v = s_env("AWS_ENDPOINT_URL");
        }
        if (!v && prof) {
            snprintf(name, sizeof(name), "%s.endpoint_url", service);
            v = aws_profile_get(prof, name);
            if (!v) {
                v = aws_profile_get(prof, "endpoint_url");
            }
            if (v && !*v) {
                v = NULL;
            }
        }
    }
    if (!v) {
        return aws_endpoint_default(service, region, variants, out, err);
    }
    *out = tpd_strdup(v);
    return *out ? TPD_OK : tpd_err_set(err, TPD_E_NOMEM, "endpoint: out of memory");
}

enum tpd_code aws_endpoint_resolve(
    const char *service,
    const char *env_id,
    const char *configured,
    const char *region,
    const struct aws_profile *prof,
    char **out,
    struct tpd_err *err) {
    return aws_endpoint_resolve_variant(service, env_id, configured, region, prof, 0, out, err);
}
