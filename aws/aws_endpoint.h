/*
 * aws_endpoint: region and per-service endpoint resolution (brief §7.2, §7.3).
 *
 * Region: configured → AWS_REGION → AWS_DEFAULT_REGION → profile "region".
 * Endpoint for a service: configured → AWS_ENDPOINT_URL_<SERVICE> →
 *   AWS_ENDPOINT_URL → profile "<service>.endpoint_url" (from a services section is
 *   not followed; the profile's own nested "<service> =\n endpoint_url" form is) →
 *   profile "endpoint_url" → https://<service>.<region>.<dns suffix>, where the suffix
 *   is amazonaws.com, amazonaws.com.cn for cn-*, c2s.ic.gov for us-iso-*,
 *   sc2s.sgov.gov for us-isob-*. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the
 *   environment and profile. The signing region is always the resolved region.
 *
 * Ownership: *out strings are heap, freed by the caller with free().
 * Threads: reads the environment; no shared state.
 */
#ifndef AWS_ENDPOINT_H
#define AWS_ENDPOINT_H

#include "aws_profile.h"
#include "tpd_err.h"

/* TPD_E_INVALID ("no region: set ...") when nothing gives a region. prof may be NULL. */
enum tpd_code aws_region_resolve(
    const char *configured, const struct aws_profile *prof, char **out, struct tpd_err *err);

/* service: "dynamodb", "cloudformation", "sts"; env_id: "DYNAMODB", ... */
enum tpd_code aws_endpoint_resolve(
    const char *service,
    const char *env_id,
    const char *configured,
    const char *region,
    const struct aws_profile *prof,
    char **out,
    struct tpd_err *err);

/* The DNS suffix of a region's partition ("amazonaws.com", ...). Static string. */
const char *aws_region_dns_suffix(const char *region);

#endif
