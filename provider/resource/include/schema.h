/*
 * schema: the provider's, the resource's and the data source's schemas as static tables.
 *
 * These tables are the single source of truth: GetProviderSchema is built from
 * them, values are decoded with the types derived from them, and validation walks
 * them. Everything here is static and immutable; nothing to free.
 * Threads: read-only, safe everywhere.
 */
#ifndef TPD_SCHEMA_H
#define TPD_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfv.h"

enum schema_nesting {
    SCHEMA_NEST_SINGLE = 1, /* values as in tfplugin6 Schema.Object.NestingMode */
    SCHEMA_NEST_LIST = 2,
    SCHEMA_NEST_SET = 3,
    SCHEMA_NEST_MAP = 4,
    SCHEMA_NEST_GROUP = 5
};

struct schema_attr;

/* Nested attribute type (protocol 6 nested_type). */
struct schema_object {
    const struct schema_attr *attrs;
    size_t attr_count;
    enum schema_nesting nesting;
};

struct schema_attr {
    const char *name;
    const struct tfv_type *type;        /* value type (for nested: the object/collection type) */
    const struct schema_object *nested; /* non-NULL: sent as nested_type instead of type */
    const char *description;            /* markdown */
    bool required;
    bool optional;
    bool computed;
    bool sensitive;
    bool force_new; /* changes require replacement (our own flag, not on the wire) */
};

struct schema_block;

struct schema_block_type {
    const char *type_name;
    const struct schema_block *block;
    enum schema_nesting nesting;
    int64_t min_items;
    int64_t max_items;
};

struct schema_block {
    int64_t version;
    const struct schema_attr *attrs; /* sorted by name */
    size_t attr_count;
    const struct schema_block_type *block_types;
    size_t block_type_count;
    const char *description;
    const struct tfv_type *type; /* the object type of the whole block */
};

/* Name of the only resource type, and of the only data source (the same name). */
#define SCHEMA_RESOURCE_TTL_TABLE "dynamodb_ttl_table"
#define SCHEMA_DATA_TTL_TABLE "dynamodb_ttl_table"

const struct schema_block *schema_provider(void);
const struct schema_block *schema_ttl_table(void);
const struct schema_block *schema_ttl_table_data(void);
/* The block of a data source type name, NULL when unknown. */
const struct schema_block *schema_data_source(const char *type_name);
/* The block of a resource type name, NULL when unknown. */
const struct schema_block *schema_resource(const char *type_name);
/* Attribute of a block by name, NULL when absent. */
const struct schema_attr *schema_block_attr(const struct schema_block *b, const char *name);

#endif
