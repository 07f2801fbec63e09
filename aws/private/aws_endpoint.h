/*
 * aws_endpoint: region and per-service endpoint resolution.
 *
 * Region: configured → AWS_REGION → AWS_DEFAULT_REGION → profile "region", checked
 * (aws_region_check) against the region patterns of the AWS partitions.
 * Endpoint for a service: configured → AWS_ENDPOINT_URL_<SERVICE> →
 *   AWS_ENDPOINT_URL → profile "<service>.endpoint_url" (from a services section is
 *   not followed; the profile's own nested "<service> =\n endpoint_url" form is) →
 *   profile "endpoint_url" → the partition's endpoint for the region, with the FIPS
 *   and dual-stack variants of botocore's endpoint rule sets when asked (below).
 *   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the environment and profile. A
 *   configured endpoint URL always wins over the variants. The signing region is
 *   always the resolved region.
 *
 * Partitions, region patterns and DNS suffixes are those of botocore's
 * data/partitions.json (botocore 1.43.11, version 1.1; the copy installed on the
 * development machine); the endpoint shapes those of data/{dynamodb,cloudformation,
 * sts}/<version>/endpoint-rule-set-1.json.gz, which agree for the three services:
 *   default          https://<svc>.<region>.<dnsSuffix>
 *   FIPS             https://<svc>-fips.<region>.<dnsSuffix>
 *                    (aws-us-gov: https://<svc>.<region>.amazonaws.com, GovCloud's
 *                    regular endpoints being FIPS endpoints)
 *   dual-stack       https://<svc>.<region>.<dualStackDnsSuffix>
 *   FIPS+dual-stack  https://<svc>-fips.<region>.<dualStackDnsSuffix>
 * tests/aws/test_endpoints.c compares the result with botocore's EndpointProvider.
 *
 * Ownership: *out strings are heap, freed by the caller with free().
 * Threads: reads the environment; no shared state.
 */
#ifndef AWS_ENDPOINT_H
#define AWS_ENDPOINT_H

#include "aws_profile.h"
#include "tpd_alloc.h"
#include "tpd_err.h"

/* TPD_E_INVALID ("no region: set ...") when nothing gives a region. prof may be NULL. */
enum tpd_code aws_region_resolve(
    const char *configured, const struct aws_profile *prof, char **out, struct tpd_err *err)
    TPD_MUST_CHECK;
/* The same; *source (may be NULL) receives where the region came from ("the
 * configuration", "AWS_REGION", "AWS_DEFAULT_REGION", "the profile"). Static string. */
enum tpd_code aws_region_resolve_from(
    const char *configured,
    const struct aws_profile *prof,
    char **out,
    const char **source,
    struct tpd_err *err) TPD_MUST_CHECK;

/* One AWS partition (botocore partitions.json). */
struct aws_partition {
    const char *id;                   /* "aws", "aws-cn", ... */
    const char *region_pattern;       /* POSIX extended regex of its region names */
    const char *dns_suffix;           /* "amazonaws.com" */
    const char *dualstack_dns_suffix; /* "api.aws" */
};

/* The partition whose region pattern matches region, or NULL. */
const struct aws_partition *aws_partition_of(const char *region);
/* TPD_OK when region belongs to a partition; else TPD_E_INVALID naming the partitions. */
enum tpd_code aws_region_check(const char *region, struct tpd_err *err) TPD_MUST_CHECK;

/* Endpoint variants (flags). */
#define AWS_ENDPOINT_FIPS 1u
#define AWS_ENDPOINT_DUALSTACK 2u

/* The partition endpoint of a service in a region with the given variants (no
 * configured URL considered). */
enum tpd_code aws_endpoint_default(
    const char *service, const char *region, unsigned variants, char **out, struct tpd_err *err)
    TPD_MUST_CHECK;

/* service: "dynamodb", "cloudformation", "sts"; env_id: "DYNAMODB", ... */
enum tpd_code aws_endpoint_resolve(
    const char *service,
    const char *env_id,
    const char *configured,
    const char *region,
    const struct aws_profile *prof,
    char **out,
    struct tpd_err *err) TPD_MUST_CHECK;
/* The same, with variants (AWS_ENDPOINT_FIPS | AWS_ENDPOINT_DUALSTACK) for the default
 * endpoint. */
enum tpd_code aws_endpoint_resolve_variant(
    const char *service,
    const char *env_id,
    const char *configured,
    const char *region,
    const struct aws_profile *prof,
    unsigned variants,
    char **out,
    struct tpd_err *err) TPD_MUST_CHECK;

#endif
