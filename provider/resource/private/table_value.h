/*
 * table_value: the edges between Terraform values (struct tfv, the schema of
 * schema.c) and the resource's typed structs. Values are decoded into a table_spec
 * once, when a call starts, and the state is built once, at the end, from what AWS
 * reports (never from the plan's values).
 *
 * Ownership: specs are filled by the call and freed with table_spec_clear; returned
 * trees are new and freed with tfv_free. Inputs are borrowed. Threads: pure.
 */
#ifndef TPD_TABLE_VALUE_H
#define TPD_TABLE_VALUE_H

#include "facts.h"
#include "table_spec.h"
#include "tfv.h"
#include "tpd_err.h"

/*
 * The desired table from a dynamodb_ttl_table value (planned state or config), with
 * the schema defaults for nulls. prior (may be NULL) supplies the TTL attribute name
 * when `ttl` was removed from the configuration, so that TTL is switched off under its
 * old name rather than left on. TPD_E_INVALID when name or keys are unknown.
 */
enum tpd_code table_value_to_spec(
    const struct tfv *v, const struct tfv *prior, struct table_spec *out, struct tpd_err *err);

struct table_state_args {
    const struct tfv *ref;         /* planned (apply) or prior (refresh) value: the choices of
                                      representation (ttl.enabled null or true, tags null or
                                      {}) and what AWS does not hold (timeouts) come from it;
                                      may be NULL (import) */
    const struct table_live *live; /* must exist */
    const char *stack_name;
    const char *stack_id; /* NULL: the table is in no stack of ours (yet) */
    const char *owner_id; /* the owner id on the stack's marker; NULL: none recorded */
    bool retain_on_destroy;
};

/* The state of the resource, built from AWS's answers. NULL on no memory. */
struct tfv *table_value_state(const struct table_state_args *a);

#endif
