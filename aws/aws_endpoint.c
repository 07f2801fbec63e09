/* aws_endpoint: region and endpoint resolution (see aws_endpoint.h). */
#include "aws_endpoint.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_buf.h"

static const char *s_env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

enum tpd_code aws_region_resolve(
    const char *configured, const struct aws_profile *prof, char **out, struct tpd_err *err) {
    const char *r = configured && *configured ? configured : NULL;
    if (!r) {
        r = s_env("AWS_REGION");
    }
    if (!r) {
        r = s_env("AWS_DEFAULT_REGION");
    }
    if (!r && prof) {
        r = aws_profile_get(prof, "region");
        if (r && !*r) {
            r = NULL;
        }
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

const char *aws_region_dns_suffix(const char *region) {
    if (strncmp(region, "cn-", 3) == 0) {
        return "amazonaws.com.cn";
    }
    if (strncmp(region, "us-isob-", 8) == 0) {
        return "sc2s.sgov.gov";
    }
    if (strncmp(region, "us-iso-", 7) == 0) {
        return "c2s.ic.gov";
    }
    return "amazonaws.com";
}

enum tpd_code aws_endpoint_resolve(
    const char *service,
    const char *env_id,
    const char *configured,
    const char *region,
    const struct aws_profile *prof,
    char **out,
    struct tpd_err *err) {
    struct tpd_buf b;
    tpd_buf_init(&b, 8192);
    const char *v = configured && *configured ? configured : NULL;
    const char *ignore = s_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    bool use_env = !(ignore && strcmp(ignore, "true") == 0);
    if (!v && use_env) {
        if (tpd_buf_printf(&b, "AWS_ENDPOINT_URL_%s", env_id) == TPD_OK) {
            v = s_env(tpd_buf_cstr(&b));
        }
        if (!v) {
            v = s_env("AWS_ENDPOINT_URL");
        }
        if (!v && prof) {
            tpd_buf_reset(&b);
            if (tpd_buf_printf(&b, "%s.endpoint_url", service) == TPD_OK) {
                v = aws_profile_get(prof, tpd_buf_cstr(&b));
            }
            if (!v) {
                v = aws_profile_get(prof, "endpoint_url");
            }
            if (v && !*v) {
                v = NULL;
            }
        }
    }
    tpd_buf_reset(&b);
    enum tpd_code rc =
        v ? tpd_buf_append_cstr(&b, v)
          : tpd_buf_printf(&b, "https://%s.%s.%s", service, region, aws_region_dns_suffix(region));
    if (rc) {
        tpd_buf_clear(&b);
        *out = NULL;
        return tpd_err_set(err, rc, "endpoint: %s", tpd_code_str(rc));
    }
    *out = tpd_buf_detach(&b);
    return TPD_OK;
}
