/*
 * aws_time: timestamps on the wire. ISO 8601 UTC ("2026-11-23T05:05:12.498298Z",
 * also "+00:00" offsets) as used by CloudFormation, STS and credential endpoints.
 * Threads: pure functions.
 */
#ifndef AWS_TIME_H
#define AWS_TIME_H

#include <stdint.h>

#include "tpd_err.h"

/* Parse into seconds since the epoch (fractions dropped). TPD_E_PARSE when malformed. */
enum tpd_code aws_parse_iso8601(const char *s, int64_t *out) TPD_MUST_CHECK;

#endif
