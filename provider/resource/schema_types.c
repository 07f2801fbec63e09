/*
 * schema_types: the value types shared by the resource's and the data source's schemas
 * (private/schema_types.h). Every object type's attributes are sorted by name: the
 * msgpack object encoding and the cty type JSON are keyed by name.
 */
#include "schema_types.h"

#define COUNT(a) SCHEMA_COUNT(a)

/* ---- shared object types ---- */

static const struct tfv_type_attr s_key_type_attrs[] = {
    {"name", &tfv_type_string},
    {"type", &tfv_type_string},
};
const struct tfv_type schema_key_type = {
    TFV_T_OBJECT, NULL, s_key_type_attrs, COUNT(s_key_type_attrs)};

static const struct tfv_type_attr s_ttl_type_attrs[] = {
    {"attribute_name", &tfv_type_string},
    {"enabled", &tfv_type_bool},
};
const struct tfv_type schema_ttl_type = {
    TFV_T_OBJECT, NULL, s_ttl_type_attrs, COUNT(s_ttl_type_attrs)};

static const struct tfv_type_attr s_timeouts_type_attrs[] = {
    {"create", &tfv_type_string},
    {"delete", &tfv_type_string},
    {"update", &tfv_type_string},
};
const struct tfv_type schema_timeouts_type = {
    TFV_T_OBJECT, NULL, s_timeouts_type_attrs, COUNT(s_timeouts_type_attrs)};

const struct tfv_type schema_string_set_type = {TFV_T_SET, &tfv_type_string, NULL, 0};

static const struct tfv_type_attr s_gsi_type_attrs[] = {
    {"hash_key", &schema_key_type},
    {"name", &tfv_type_string},
    {"non_key_attributes", &schema_string_set_type},
    {"projection_type", &tfv_type_string},
    {"range_key", &schema_key_type},
    {"read_capacity", &tfv_type_number},
    {"write_capacity", &tfv_type_number},
};
const struct tfv_type schema_gsi_type = {
    TFV_T_OBJECT, NULL, s_gsi_type_attrs, COUNT(s_gsi_type_attrs)};
const struct tfv_type schema_gsi_list_type = {TFV_T_LIST, &schema_gsi_type, NULL, 0};

static const struct tfv_type_attr s_lsi_type_attrs[] = {
    {"name", &tfv_type_string},
    {"non_key_attributes", &schema_string_set_type},
    {"projection_type", &tfv_type_string},
    {"range_key", &schema_key_type},
};
const struct tfv_type schema_lsi_type = {
    TFV_T_OBJECT, NULL, s_lsi_type_attrs, COUNT(s_lsi_type_attrs)};
const struct tfv_type schema_lsi_list_type = {TFV_T_LIST, &schema_lsi_type, NULL, 0};

static const struct tfv_type_attr s_stream_type_attrs[] = {
    {"view_type", &tfv_type_string},
};
const struct tfv_type schema_stream_type = {
    TFV_T_OBJECT, NULL, s_stream_type_attrs, COUNT(s_stream_type_attrs)};

static const struct tfv_type_attr s_sse_type_attrs[] = {
    {"kms_key_arn", &tfv_type_string},
};
const struct tfv_type schema_sse_type = {
    TFV_T_OBJECT, NULL, s_sse_type_attrs, COUNT(s_sse_type_attrs)};

static const struct tfv_type_attr s_on_demand_type_attrs[] = {
    {"max_read_request_units", &tfv_type_number},
    {"max_write_request_units", &tfv_type_number},
};
const struct tfv_type schema_on_demand_type = {
    TFV_T_OBJECT, NULL, s_on_demand_type_attrs, COUNT(s_on_demand_type_attrs)};

static const struct tfv_type_attr s_restore_type_attrs[] = {
    {"backup_arn", &tfv_type_string},
    {"point_in_time", &tfv_type_string},
    {"source_table_name", &tfv_type_string},
    {"use_latest_restorable_time", &tfv_type_bool},
};
const struct tfv_type schema_restore_type = {
    TFV_T_OBJECT, NULL, s_restore_type_attrs, COUNT(s_restore_type_attrs)};

static const struct tfv_type_attr s_kinesis_type_attrs[] = {
    {"approximate_creation_date_time_precision", &tfv_type_string},
    {"stream_arn", &tfv_type_string},
};
const struct tfv_type schema_kinesis_type = {
    TFV_T_OBJECT, NULL, s_kinesis_type_attrs, COUNT(s_kinesis_type_attrs)};

static const struct tfv_type_attr s_warm_type_attrs[] = {
    {"read_units_per_second", &tfv_type_number},
    {"write_units_per_second", &tfv_type_number},
};
const struct tfv_type schema_warm_type = {
    TFV_T_OBJECT, NULL, s_warm_type_attrs, COUNT(s_warm_type_attrs)};
