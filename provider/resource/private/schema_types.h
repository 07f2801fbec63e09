/*
 * schema_types: the value types shared by the resource's and the data source's schemas
 * (schema.c, schema_data.c): nested objects, their lists, timeouts. Static data.
 * Ownership: none (constant tables). Threads: read-only, any thread.
 */
#ifndef TPD_SCHEMA_TYPES_H
#define TPD_SCHEMA_TYPES_H

#include "tfv.h"

#define SCHEMA_COUNT(a) (sizeof(a) / sizeof((a)[0]))

extern const struct tfv_type schema_key_type;
extern const struct tfv_type schema_ttl_type;
extern const struct tfv_type schema_timeouts_type;
extern const struct tfv_type schema_string_set_type;
extern const struct tfv_type schema_gsi_type;
extern const struct tfv_type schema_gsi_list_type;
extern const struct tfv_type schema_lsi_type;
extern const struct tfv_type schema_lsi_list_type;
extern const struct tfv_type schema_stream_type;
extern const struct tfv_type schema_sse_type;
extern const struct tfv_type schema_on_demand_type;
extern const struct tfv_type schema_restore_type;
extern const struct tfv_type schema_kinesis_type;
extern const struct tfv_type schema_warm_type;

/* The data source's block (schema_data.c). */
struct schema_block;
extern const struct schema_block schema_data_ttl_table_block;

#endif
