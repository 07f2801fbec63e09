/*
 * validate: configuration checks done at validate time (ValidateProviderConfig,
 * ValidateResourceConfig). Each problem is one error diagnostic with the attribute
 * path. Unknown values (not yet computed) are skipped: they are checked again when
 * known, at plan time.
 * Threads: pure functions.
 */
#ifndef TPD_VALIDATE_H
#define TPD_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "tfv.h"

void validate_ttl_table(const struct tfv *config, struct diag_list *diags);
void validate_provider_config(const struct tfv *config, struct diag_list *diags);

/*
 * Parse a Go-style duration ("30m", "1h30m", "90s", "1.5h", "500ms"). Returns true
 * and sets *out_ns for a positive duration; false for malformed, zero or negative
 * values, or values beyond one year.
 */
bool validate_parse_duration(const char *s, int64_t *out_ns);

/* Table-name rule of DynamoDB: 3-255 of [A-Za-z0-9_.-]. */
bool validate_table_name(const char *s);
/* Stack-name rule of CloudFormation: a letter, then letters, digits, '-'; at most 128. */
bool validate_stack_name(const char *s);

#endif
