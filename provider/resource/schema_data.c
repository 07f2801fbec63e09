/*
 * schema_data: the schema of the data source dynamodb_ttl_table
 * (docs/data-sources/ttl_table.md); schema.c serves it (schema_data_source).
 */
#include "schema.h"
#include "schema_types.h"

#define COUNT(a) SCHEMA_COUNT(a)

/* ---- data source dynamodb_ttl_table ---- */

/* Everything but the name is read from AWS: every attribute, nested ones included, is
 * computed. The value types are the resource's, so the state the resource builds from a
 * live table (table_value_state) fills the data source too (ttl_table_data.c). */
static const struct schema_attr s_ds_key_attrs[] = {
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Attribute name of the key.",
     .computed = true},
    {.name = "type",
     .type = &tfv_type_string,
     .description = "Attribute type of the key: `S`, `N` or `B`.",
     .computed = true},
};
static const struct schema_object s_ds_key_object = {
    s_ds_key_attrs, COUNT(s_ds_key_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_ttl_attrs[] = {
    {.name = "attribute_name",
     .type = &tfv_type_string,
     .description = "The item attribute that holds the expiry time; null while Time to Live is "
                    "off (DynamoDB does not report the name of a disabled TTL).",
     .computed = true},
    {.name = "enabled",
     .type = &tfv_type_bool,
     .description = "Whether Time to Live is on (or turning on).",
     .computed = true},
};
static const struct schema_object s_ds_ttl_object = {
    s_ds_ttl_attrs, COUNT(s_ds_ttl_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_gsi_attrs[] = {
    {.name = "hash_key",
     .type = &schema_key_type,
     .nested = &s_ds_key_object,
     .description = "Partition key of the index `{ name, type }`.",
     .computed = true},
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Name of the index.",
     .computed = true},
    {.name = "non_key_attributes",
     .type = &schema_string_set_type,
     .description = "The projected non-key attributes (`INCLUDE`), else null.",
     .computed = true},
    {.name = "projection_type",
     .type = &tfv_type_string,
     .description = "`ALL`, `KEYS_ONLY` or `INCLUDE`.",
     .computed = true},
    {.name = "range_key",
     .type = &schema_key_type,
     .nested = &s_ds_key_object,
     .description = "Sort key of the index `{ name, type }`, null without one.",
     .computed = true},
    {.name = "read_capacity",
     .type = &tfv_type_number,
     .description = "Read capacity units of the index (`PROVISIONED` tables), else null.",
     .computed = true},
    {.name = "write_capacity",
     .type = &tfv_type_number,
     .description = "Write capacity units of the index (`PROVISIONED` tables), else null.",
     .computed = true},
};
static const struct schema_object s_ds_gsi_object = {
    s_ds_gsi_attrs, COUNT(s_ds_gsi_attrs), SCHEMA_NEST_LIST};

static const struct schema_attr s_ds_lsi_attrs[] = {
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Name of the index.",
     .computed = true},
    {.name = "non_key_attributes",
     .type = &schema_string_set_type,
     .description = "The projected non-key attributes (`INCLUDE`), else null.",
     .computed = true},
    {.name = "projection_type",
     .type = &tfv_type_string,
     .description = "`ALL`, `KEYS_ONLY` or `INCLUDE`.",
     .computed = true},
    {.name = "range_key",
     .type = &schema_key_type,
     .nested = &s_ds_key_object,
     .description = "Sort key of the index `{ name, type }`.",
     .computed = true},
};
static const struct schema_object s_ds_lsi_object = {
    s_ds_lsi_attrs, COUNT(s_ds_lsi_attrs), SCHEMA_NEST_LIST};

static const struct schema_attr s_ds_stream_attrs[] = {
    {.name = "view_type",
     .type = &tfv_type_string,
     .description = "`NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES` or `KEYS_ONLY`.",
     .computed = true},
};
static const struct schema_object s_ds_stream_object = {
    s_ds_stream_attrs, COUNT(s_ds_stream_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_sse_attrs[] = {
    {.name = "kms_key_arn",
     .type = &tfv_type_string,
     .description = "ARN of the KMS key DynamoDB reports (the AWS managed key's too).",
     .computed = true},
};
static const struct schema_object s_ds_sse_object = {
    s_ds_sse_attrs, COUNT(s_ds_sse_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_on_demand_attrs[] = {
    {.name = "max_read_request_units",
     .type = &tfv_type_number,
     .description = "Most read request units per second; null: no limit.",
     .computed = true},
    {.name = "max_write_request_units",
     .type = &tfv_type_number,
     .description = "Most write request units per second; null: no limit.",
     .computed = true},
};
static const struct schema_object s_ds_on_demand_object = {
    s_ds_on_demand_attrs, COUNT(s_ds_on_demand_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_kinesis_attrs[] = {
    {.name = "approximate_creation_date_time_precision",
     .type = &tfv_type_string,
     .description = "`MILLISECOND` or `MICROSECOND`.",
     .computed = true},
    {.name = "stream_arn",
     .type = &tfv_type_string,
     .description = "ARN of the Kinesis data stream.",
     .computed = true},
};
static const struct schema_object s_ds_kinesis_object = {
    s_ds_kinesis_attrs, COUNT(s_ds_kinesis_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_warm_attrs[] = {
    {.name = "read_units_per_second",
     .type = &tfv_type_number,
     .description = "Read units per second the table can serve at once.",
     .computed = true},
    {.name = "write_units_per_second",
     .type = &tfv_type_number,
     .description = "Write units per second the table can serve at once.",
     .computed = true},
};
static const struct schema_object s_ds_warm_object = {
    s_ds_warm_attrs, COUNT(s_ds_warm_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ds_attrs[] = {
    {.name = "arn", .type = &tfv_type_string, .description = "ARN of the table.", .computed = true},
    {.name = "billing_mode",
     .type = &tfv_type_string,
     .description = "`PAY_PER_REQUEST` or `PROVISIONED`.",
     .computed = true},
    {.name = "contributor_insights",
     .type = &tfv_type_bool,
     .description = "Whether CloudWatch Contributor Insights is on for the table.",
     .computed = true},
    {.name = "deletion_protection_enabled",
     .type = &tfv_type_bool,
     .description = "Deletion protection of the table.",
     .computed = true},
    {.name = "global_secondary_indexes",
     .type = &schema_gsi_list_type,
     .nested = &s_ds_gsi_object,
     .description = "Global secondary indexes, sorted by name; null when there are none.",
     .computed = true},
    {.name = "hash_key",
     .type = &schema_key_type,
     .nested = &s_ds_key_object,
     .description = "Partition key `{ name, type }`.",
     .computed = true},
    {.name = "id", .type = &tfv_type_string, .description = "The table name.", .computed = true},
    {.name = "kinesis_streaming_destination",
     .type = &schema_kinesis_type,
     .nested = &s_ds_kinesis_object,
     .description = "The Kinesis streaming destination `{ stream_arn, "
                    "approximate_creation_date_time_precision }` (the first one enabled); null "
                    "without one.",
     .computed = true},
    {.name = "local_secondary_indexes",
     .type = &schema_lsi_list_type,
     .nested = &s_ds_lsi_object,
     .description = "Local secondary indexes, sorted by name; null when there are none.",
     .computed = true},
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Name of the DynamoDB table to read (in the provider's account and "
                    "region).",
     .required = true},
    {.name = "on_demand_throughput",
     .type = &schema_on_demand_type,
     .nested = &s_ds_on_demand_object,
     .description = "Maximum on-demand throughput of a `PAY_PER_REQUEST` table; null: no "
                    "limit.",
     .computed = true},
    {.name = "point_in_time_recovery",
     .type = &tfv_type_bool,
     .description = "Whether point-in-time recovery is on.",
     .computed = true},
    {.name = "range_key",
     .type = &schema_key_type,
     .nested = &s_ds_key_object,
     .description = "Sort key `{ name, type }`, null without one.",
     .computed = true},
    {.name = "read_capacity",
     .type = &tfv_type_number,
     .description = "Read capacity units of a `PROVISIONED` table, else null.",
     .computed = true},
    {.name = "recovery_period_in_days",
     .type = &tfv_type_number,
     .description = "Days of point-in-time recovery (1 to 35); null while recovery is off.",
     .computed = true},
    {.name = "resource_policy",
     .type = &tfv_type_string,
     .description = "The table's resource-based policy (JSON), as DynamoDB returns it; null "
                    "without one.",
     .computed = true},
    {.name = "server_side_encryption",
     .type = &schema_sse_type,
     .nested = &s_ds_sse_object,
     .description = "Encryption at rest with a KMS key `{ kms_key_arn }`; null: the AWS owned "
                    "key.",
     .computed = true},
    {.name = "stack_id",
     .type = &tfv_type_string,
     .description = "ID (ARN) of the CloudFormation stack that holds the table, whoever made "
                    "it; null when no stack holds it.",
     .computed = true},
    {.name = "stack_name",
     .type = &tfv_type_string,
     .description = "Name of that stack; null when no stack holds the table.",
     .computed = true},
    {.name = "stream",
     .type = &schema_stream_type,
     .nested = &s_ds_stream_object,
     .description = "DynamoDB Streams `{ view_type }`; null without a stream.",
     .computed = true},
    {.name = "stream_arn",
     .type = &tfv_type_string,
     .description = "ARN of the table's stream (null without one).",
     .computed = true},
    {.name = "table_class",
     .type = &tfv_type_string,
     .description = "`STANDARD` or `STANDARD_INFREQUENT_ACCESS`.",
     .computed = true},
    {.name = "table_status",
     .type = &tfv_type_string,
     .description = "Status of the table (`ACTIVE`, ...).",
     .computed = true},
    {.name = "tags",
     .type = &tfv_type_map_string,
     .description = "Tags of the table (without the `aws:` ones AWS adds); `{}` when none.",
     .computed = true},
    {.name = "ttl",
     .type = &schema_ttl_type,
     .nested = &s_ds_ttl_object,
     .description = "Time to Live `{ attribute_name, enabled }`.",
     .computed = true},
    {.name = "ttl_status",
     .type = &tfv_type_string,
     .description = "Time to Live status reported by DynamoDB (`ENABLED`, `DISABLED`, ...).",
     .computed = true},
    {.name = "warm_throughput",
     .type = &schema_warm_type,
     .nested = &s_ds_warm_object,
     .description = "Warm throughput DynamoDB reports `{ read_units_per_second, "
                    "write_units_per_second }`; null when it reports none.",
     .computed = true},
    {.name = "write_capacity",
     .type = &tfv_type_number,
     .description = "Write capacity units of a `PROVISIONED` table, else null.",
     .computed = true},
};

static const struct tfv_type_attr s_ds_type_attrs[] = {
    {"arn", &tfv_type_string},
    {"billing_mode", &tfv_type_string},
    {"contributor_insights", &tfv_type_bool},
    {"deletion_protection_enabled", &tfv_type_bool},
    {"global_secondary_indexes", &schema_gsi_list_type},
    {"hash_key", &schema_key_type},
    {"id", &tfv_type_string},
    {"kinesis_streaming_destination", &schema_kinesis_type},
    {"local_secondary_indexes", &schema_lsi_list_type},
    {"name", &tfv_type_string},
    {"on_demand_throughput", &schema_on_demand_type},
    {"point_in_time_recovery", &tfv_type_bool},
    {"range_key", &schema_key_type},
    {"read_capacity", &tfv_type_number},
    {"recovery_period_in_days", &tfv_type_number},
    {"resource_policy", &tfv_type_string},
    {"server_side_encryption", &schema_sse_type},
    {"stack_id", &tfv_type_string},
    {"stack_name", &tfv_type_string},
    {"stream", &schema_stream_type},
    {"stream_arn", &tfv_type_string},
    {"table_class", &tfv_type_string},
    {"table_status", &tfv_type_string},
    {"tags", &tfv_type_map_string},
    {"ttl", &schema_ttl_type},
    {"ttl_status", &tfv_type_string},
    {"warm_throughput", &schema_warm_type},
    {"write_capacity", &tfv_type_number},
};
static const struct tfv_type s_ds_type = {
    TFV_T_OBJECT, NULL, s_ds_type_attrs, COUNT(s_ds_type_attrs)};

const struct schema_block schema_data_ttl_table_block = {
    .version = 0,
    .attrs = s_ds_attrs,
    .attr_count = COUNT(s_ds_attrs),
    .description = "Reads a DynamoDB table by name — its keys, Time to Live, indexes, stream, "
                   "class, deletion protection, tags — and the CloudFormation stack that holds "
                   "it, if any: for configurations that reference a table they do not manage.",
    .type = &s_ds_type,
};
