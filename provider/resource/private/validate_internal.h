/*
 * validate_internal: what validate.c and validate_provider.c share. Not for other modules.
 */
#ifndef TPD_VALIDATE_INTERNAL_H
#define TPD_VALIDATE_INTERNAL_H

#include "diag.h"

/*
 * Error on attribute a, or on the nested attribute a.b. For a nested attribute the
 * diagnostic's path stops at a, and the detail names a.b: Terraform 1.11 cannot follow
 * a path into an object expression (`hash_key = { name = "", ... }`); given [hash_key,
 * name] it highlights the resource's top-level `name` line instead, while [hash_key]
 * highlights the line that holds the bad value.
 */
void validate_err(
    struct diag_list *d, const char *a, const char *b, const char *summary, const char *detail);

/* The properties of issue 25 (validate_features.c). */
void validate_table_features(const struct tfv *config, struct diag_list *diags);

#endif
