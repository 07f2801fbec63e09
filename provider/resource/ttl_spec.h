/*
 * ttl_spec: the desired (or observed) shape of one table, in plain C, taken from
 * a resource value or from DynamoDB's answers. It is what the template renderer,
 * the planner and the apply paths agree on.
 *
 * Ownership: strings are owned by the spec (heap) and freed by ttl_spec_clear.
 * Threads: a spec belongs to one call.
 */
#ifndef TPD_TTL_SPEC_H
#define TPD_TTL_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "tfv.h"
#include "tpd_err.h"

struct ttl_spec_tag {
    char *key;
    char *value;
};

struct ttl_spec {
    char *table_name;
    char *stack_name;
    char *hash_name;
    char *hash_type;  /* "S" | "N" | "B" */
    char *range_name; /* NULL: no sort key */
    char *range_type;
    bool provisioned; /* else PAY_PER_REQUEST */
    int64_t read_capacity;
    int64_t write_capacity;
    char *ttl_attribute; /* NULL: TTL never configured, no TimeToLiveSpecification */
    bool ttl_enabled;
    bool deletion_protection;
    bool pitr;
    bool retain_on_destroy;
    struct ttl_spec_tag *tags; /* sorted by key */
    size_t tag_count;
};

void ttl_spec_clear(struct ttl_spec *s);

/*
 * Fill *out from a dynamodb_ttl_table value (planned state or config), applying the
 * schema defaults for nulls. prior (may be NULL) supplies the TTL attribute name
 * when `ttl` was removed from the configuration, so that TTL is switched off with
 * its old name rather than left on (a template never carries an empty name).
 */
enum tpd_code ttl_spec_from_value(
    const struct tfv *v, const struct tfv *prior, struct ttl_spec *out, struct tpd_err *err);

/* Stack name derived from a table name: '_' and '.' become '-', a leading
 * non-letter gets a "t-" prefix, truncated to 128. Caller frees with free(). */
char *ttl_spec_default_stack_name(const char *table_name);

enum cfn_template_mode {
    CFN_TEMPLATE_FULL,   /* CREATE / UPDATE: everything, with Outputs and Exports */
    CFN_TEMPLATE_IMPORT, /* IMPORT: no Outputs (CloudFormation refuses them in an import) */
};

/*
 * Render the stack template (JSON) for spec into out (appended). Deterministic: the
 * same spec gives the same bytes (keys sorted, tags sorted). Logical ID "Table".
 */
enum tpd_code cfn_template_render(
    const struct ttl_spec *spec,
    enum cfn_template_mode mode,
    struct tpd_buf *out,
    struct tpd_err *err);

/* Logical ID of the table in every template we render. */
#define CFN_TABLE_LOGICAL_ID "Table"

#endif
