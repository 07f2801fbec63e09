/*
 * table_spec: one DynamoDB table in plain C — what the configuration asks for, or what
 * DynamoDB reports. Every decision of the resource (plan, path choice, adoption
 * preview, drift repair) and the template renderer work on this struct; Terraform
 * values are converted at the edges (table_value.h).
 *
 * Ownership: a spec owns its strings and tag array (heap); table_spec_clear frees
 * them and zeroes the struct. Threads: a spec belongs to one call.
 */
#ifndef TPD_TABLE_SPEC_H
#define TPD_TABLE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "tpd_buf.h"
#include "tpd_err.h"
#include "tpd_kv.h"

struct table_key {
    char *name; /* NULL: no such key (range key) */
    char *type; /* "S" | "N" | "B" */
};

struct table_ttl {
    /* NULL: Time to Live never configured (the template then has no
     * TimeToLiveSpecification; a template never carries an empty attribute name). */
    char *attribute;
    bool enabled;
};

struct table_spec {
    char *name;
    char *stack_name; /* desired specs only */
    struct table_key hash;
    struct table_key range;
    bool provisioned; /* else PAY_PER_REQUEST */
    int64_t read_capacity;
    int64_t write_capacity;
    struct table_ttl ttl;
    bool deletion_protection;
    bool pitr;
    bool retain_on_destroy; /* desired specs only */
    struct tpd_kv *tags;    /* table tags, sorted by key; values may be empty */
    size_t tag_count;
};

void table_spec_clear(struct table_spec *s);
/* Deep copy (dst is overwritten, not cleared first). TPD_E_NOMEM leaves dst zeroed. */
enum tpd_code table_spec_copy(struct table_spec *dst, const struct table_spec *src);

/* Stack name derived from a table name: '_' and '.' become '-', a leading non-letter
 * gets a "t-" prefix, at most 128 characters. Caller frees. NULL on no memory. */
char *table_spec_default_stack_name(const char *table_name);

/* Same hash key and range key (names and types). */
bool table_spec_keys_match(const struct table_spec *a, const struct table_spec *b);
/* "hash key id (S), range key at (N)" or "..., no range key", appended to out. */
void table_spec_describe_keys(const struct table_spec *s, struct tpd_buf *out);

/* Tag keys starting with "aws:" are reserved for AWS (CloudFormation adds
 * aws:cloudformation:* tags to resources it creates); they are never ours. */
bool table_spec_is_system_tag(const char *key);

#endif
