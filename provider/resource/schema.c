/*
 * schema: static schema tables for the provider configuration, the dynamodb_ttl_table
 * resource (docs/provider.md and docs/resource.md "Attributes") and the dynamodb_ttl_table
 * data source (docs/data-sources/ttl_table.md). Attribute
 * arrays are sorted by name, and so are the attributes of every object type, because the msgpack
 * object encoding and the cty type JSON are both keyed by name.
 */
#include "schema.h"

#include <string.h>

#include "schema_types.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- nested attributes of the resource ---- */

static const struct schema_attr s_key_attrs[] = {
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Attribute name of the key (1 to 255 bytes).",
     .required = true},
    {.name = "type",
     .type = &tfv_type_string,
     .description = "Attribute type of the key: `S` (string), `N` (number) or `B` (binary).",
     .required = true},
};
static const struct schema_object s_key_object = {
    s_key_attrs, COUNT(s_key_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_ttl_attrs[] = {
    {.name = "attribute_name",
     .type = &tfv_type_string,
     .description = "Name of the item attribute that holds the expiry time (epoch seconds).",
     .required = true},
    {.name = "enabled",
     .type = &tfv_type_bool,
     .description = "Whether Time to Live is enabled; left out (null) means `true`. Turning it off "
                    "keeps `attribute_name` in the template with `Enabled: false`.",
     .optional = true},
};
static const struct schema_object s_ttl_object = {
    s_ttl_attrs, COUNT(s_ttl_attrs), SCHEMA_NEST_SINGLE};

/* Inside nested objects nothing is computed: protocol 5 has no nested attributes, and
 * cannot mark an attribute of an object type as computed (rpc5.c), so a null inside an
 * index means the documented default (projection ALL) and the state keeps it null. */
static const struct schema_attr s_gsi_attrs[] = {
    {.name = "hash_key",
     .type = &schema_key_type,
     .nested = &s_key_object,
     .description = "Partition key of the index `{ name, type }`.",
     .required = true},
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Name of the index: 3 to 255 characters of `A-Z a-z 0-9 _ . -`.",
     .required = true},
    {.name = "non_key_attributes",
     .type = &schema_string_set_type,
     .description = "With `projection_type = \"INCLUDE\"` only: the non-key attributes "
                    "projected into the index (at most 100 across all indexes of the table).",
     .optional = true},
    {.name = "projection_type",
     .type = &tfv_type_string,
     .description = "`ALL` (left out: the default), `KEYS_ONLY` or `INCLUDE`.",
     .optional = true},
    {.name = "range_key",
     .type = &schema_key_type,
     .nested = &s_key_object,
     .description = "Sort key of the index `{ name, type }`, optional.",
     .optional = true},
    {.name = "read_capacity",
     .type = &tfv_type_number,
     .description = "Read capacity units of the index: required with `billing_mode = "
                    "\"PROVISIONED\"`, refused without.",
     .optional = true},
    {.name = "write_capacity",
     .type = &tfv_type_number,
     .description = "Write capacity units of the index: required with `billing_mode = "
                    "\"PROVISIONED\"`, refused without.",
     .optional = true},
};
static const struct schema_object s_gsi_object = {
    s_gsi_attrs, COUNT(s_gsi_attrs), SCHEMA_NEST_LIST};

static const struct schema_attr s_lsi_attrs[] = {
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Name of the index: 3 to 255 characters of `A-Z a-z 0-9 _ . -`.",
     .required = true},
    {.name = "non_key_attributes",
     .type = &schema_string_set_type,
     .description = "With `projection_type = \"INCLUDE\"` only: the projected non-key "
                    "attributes.",
     .optional = true},
    {.name = "projection_type",
     .type = &tfv_type_string,
     .description = "`ALL` (left out: the default), `KEYS_ONLY` or `INCLUDE`.",
     .optional = true},
    {.name = "range_key",
     .type = &schema_key_type,
     .nested = &s_key_object,
     .description = "Sort key of the index `{ name, type }` (its partition key is the "
                    "table's).",
     .required = true},
};
static const struct schema_object s_lsi_object = {
    s_lsi_attrs, COUNT(s_lsi_attrs), SCHEMA_NEST_LIST};

static const struct schema_attr s_stream_attrs[] = {
    {.name = "view_type",
     .type = &tfv_type_string,
     .description = "What the stream records of a changed item: `NEW_IMAGE`, `OLD_IMAGE`, "
                    "`NEW_AND_OLD_IMAGES` or `KEYS_ONLY`.",
     .required = true},
};
static const struct schema_object s_stream_object = {
    s_stream_attrs, COUNT(s_stream_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_sse_attrs[] = {
    {.name = "kms_key_arn",
     .type = &tfv_type_string,
     .description = "ARN of the customer managed KMS key (`arn:aws:kms:REGION:ACCOUNT:key/ID`); "
                    "null: the AWS managed key `alias/aws/dynamodb`.",
     .optional = true},
};
static const struct schema_object s_sse_object = {
    s_sse_attrs, COUNT(s_sse_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_on_demand_attrs[] = {
    {.name = "max_read_request_units",
     .type = &tfv_type_number,
     .description = "Most read request units per second the table may use; null: no limit.",
     .optional = true},
    {.name = "max_write_request_units",
     .type = &tfv_type_number,
     .description = "Most write request units per second the table may use; null: no limit.",
     .optional = true},
};
static const struct schema_object s_on_demand_object = {
    s_on_demand_attrs, COUNT(s_on_demand_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_kinesis_attrs[] = {
    {.name = "approximate_creation_date_time_precision",
     .type = &tfv_type_string,
     .description = "Precision of the records' ApproximateCreationDateTime: `MILLISECOND` "
                    "(left out: DynamoDB's default) or `MICROSECOND`.",
     .optional = true},
    {.name = "stream_arn",
     .type = &tfv_type_string,
     .description = "ARN of the Kinesis data stream "
                    "(`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`).",
     .required = true},
};
static const struct schema_object s_kinesis_object = {
    s_kinesis_attrs, COUNT(s_kinesis_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_warm_attrs[] = {
    {.name = "read_units_per_second",
     .type = &tfv_type_number,
     .description = "Read units per second the table can serve at once; null: not managed.",
     .optional = true},
    {.name = "write_units_per_second",
     .type = &tfv_type_number,
     .description = "Write units per second the table can serve at once; null: not managed.",
     .optional = true},
};
static const struct schema_object s_warm_object = {
    s_warm_attrs, COUNT(s_warm_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_timeouts_attrs[] = {
    {.name = "create",
     .type = &tfv_type_string,
     .description = "How long to wait for the stack to be created or adopted (Go duration, e.g. "
                    "`30m`). Default 30m.",
     .optional = true},
    {.name = "delete",
     .type = &tfv_type_string,
     .description = "How long to wait for the stack to be deleted. Default 30m.",
     .optional = true},
    {.name = "update",
     .type = &tfv_type_string,
     .description = "How long to wait for a stack update. Default 30m.",
     .optional = true},
};
static const struct schema_object s_timeouts_object = {
    s_timeouts_attrs, COUNT(s_timeouts_attrs), SCHEMA_NEST_SINGLE};

static const struct schema_attr s_restore_attrs[] = {
    {.name = "backup_arn",
     .type = &tfv_type_string,
     .description = "ARN of the DynamoDB backup to restore (RestoreTableFromBackup).",
     .optional = true},
    {.name = "point_in_time",
     .type = &tfv_type_string,
     .description = "With `source_table_name`: the time to restore, RFC 3339 "
                    "(`2026-12-01T10:00:00Z`).",
     .optional = true},
    {.name = "source_table_name",
     .type = &tfv_type_string,
     .description = "Table whose point-in-time recovery to restore from "
                    "(RestoreTableToPointInTime); with `point_in_time` or "
                    "`use_latest_restorable_time`.",
     .optional = true},
    {.name = "use_latest_restorable_time",
     .type = &tfv_type_bool,
     .description = "With `source_table_name`: restore the latest restorable time (about five "
                    "minutes ago).",
     .optional = true},
};
static const struct schema_object s_restore_object = {
    s_restore_attrs, COUNT(s_restore_attrs), SCHEMA_NEST_SINGLE};

/* ---- resource ---- */

static const struct schema_attr s_table_attrs[] = {
    {.name = "arn", .type = &tfv_type_string, .description = "ARN of the table.", .computed = true},
    {.name = "billing_mode",
     .type = &tfv_type_string,
     .description = "`PAY_PER_REQUEST` (default) or `PROVISIONED` (then `read_capacity` and "
                    "`write_capacity` are required).",
     .optional = true,
     .computed = true},
    {.name = "contributor_insights",
     .type = &tfv_type_bool,
     .description = "CloudWatch Contributor Insights on the table; left out: `false`.",
     .optional = true},
    {.name = "deletion_protection_enabled",
     .type = &tfv_type_bool,
     .description = "Deletion protection of the table. Defaults to `true`. While it is `true` in "
                    "state, destroy and replacement are refused at plan time: set it to `false` "
                    "and apply first.",
     .optional = true,
     .computed = true},
    {.name = "global_secondary_indexes",
     .type = &schema_gsi_list_type,
     .nested = &s_gsi_object,
     .description =
         "Global secondary indexes (at most 20), compared by name. Changes are applied in "
         "place, one index creation or deletion per stack update; changing an index's keys "
         "or projection deletes it and creates it again (two updates).",
     .optional = true},
    {.name = "hash_key",
     .type = &schema_key_type,
     .nested = &s_key_object,
     .description = "Partition key `{ name, type }`. Changing it replaces the table.",
     .required = true,
     .force_new = true},
    {.name = "id", .type = &tfv_type_string, .description = "The table name.", .computed = true},
    {.name = "kinesis_streaming_destination",
     .type = &schema_kinesis_type,
     .nested = &s_kinesis_object,
     .description =
         "Kinesis Data Streams destination of the table's changes `{ stream_arn, "
         "approximate_creation_date_time_precision }` (CloudFormation's "
         "KinesisStreamSpecification: one destination). Left out: none (an existing one is "
         "disabled). Another `stream_arn` disables the old destination and enables the new "
         "one; a destination changed outside Terraform shows as a diff and is set back.",
     .optional = true},
    {.name = "local_secondary_indexes",
     .type = &schema_lsi_list_type,
     .nested = &s_lsi_object,
     .description = "Local secondary indexes (at most 5; they need `range_key`). LSIs exist "
                    "only from the table's creation: changing them replaces the table.",
     .optional = true,
     .force_new = true},
    {.name = "name",
     .type = &tfv_type_string,
     .description = "Name of the DynamoDB table: 3 to 255 characters of `A-Z a-z 0-9 _ . -`. "
                    "Changing it replaces the table.",
     .required = true,
     .force_new = true},
    {.name = "on_demand_throughput",
     .type = &schema_on_demand_type,
     .nested = &s_on_demand_object,
     .description = "Maximum on-demand throughput `{ max_read_request_units, "
                    "max_write_request_units }`; only with `billing_mode = \"PAY_PER_REQUEST\"`.",
     .optional = true},
    {.name = "owner_id",
     .type = &tfv_type_string,
     .description =
         "Identity of this resource instance, recorded in the marker of its stack's template "
         "when the stack is created or the table adopted. A stack whose marker names another "
         "owner belongs to another state, workspace or address and is never taken over; only "
         "`terraform import` brings it into a state. Null until an apply records it (states "
         "of earlier releases get one at their next apply).",
     .computed = true},
    {.name = "point_in_time_recovery",
     .type = &tfv_type_bool,
     .description = "Point-in-time recovery (continuous backups). Defaults to `false`.",
     .optional = true,
     .computed = true},
    {.name = "range_key",
     .type = &schema_key_type,
     .nested = &s_key_object,
     .description = "Sort key `{ name, type }`, optional. Changing it replaces the table.",
     .optional = true,
     .force_new = true},
    {.name = "read_capacity",
     .type = &tfv_type_number,
     .description = "Read capacity units; only with `billing_mode = \"PROVISIONED\"`.",
     .optional = true},
    {.name = "recovery_period_in_days",
     .type = &tfv_type_number,
     .description = "Days of point-in-time recovery a restore can reach back (1 to 35); only "
                    "with `point_in_time_recovery = true`. Left out: DynamoDB's default, 35.",
     .optional = true},
    {.name = "resource_policy",
     .type = &tfv_type_string,
     .description =
         "Resource-based policy of the table: a JSON policy document (`jsonencode({...})`, "
         "at most 20 KB), compared as JSON, so a reformatted equal document shows no diff. "
         "Left out: the table has no policy (an existing one is deleted). Written as "
         "`ResourcePolicy.PolicyDocument`; a policy changed outside Terraform shows as a diff "
         "and is set back (PutResourcePolicy).",
     .optional = true,
     .computed = true},
    {.name = "restore",
     .type = &schema_restore_type,
     .nested = &s_restore_object,
     .description =
         "Create the table by restoring `{ backup_arn }` or `{ source_table_name, point_in_time "
         "| use_latest_restorable_time }`, then adopt it into its stack and apply the rest of "
         "the configuration (what a restore does not carry: TTL, tags, stream, point-in-time "
         "recovery, ...). Used only when the table is created: changing it later changes "
         "nothing (the plan says so).",
     .optional = true},
    {.name = "retain_on_destroy",
     .type = &tfv_type_bool,
     .description = "When `true`, destroy deletes the stack but keeps the table and its items "
                    "(DeletionPolicy Retain). Defaults to `false`.",
     .optional = true,
     .computed = true},
    {.name = "server_side_encryption",
     .type = &schema_sse_type,
     .nested = &s_sse_object,
     .description = "Encryption at rest with a KMS key: `{ kms_key_arn = null }` for the AWS "
                    "managed key, or the ARN of a customer managed key. Left out: the AWS owned "
                    "key (DynamoDB's default).",
     .optional = true},
    {.name = "stack_id",
     .type = &tfv_type_string,
     .description = "ID (ARN) of the CloudFormation stack.",
     .computed = true},
    {.name = "stack_name",
     .type = &tfv_type_string,
     .description =
         "CloudFormation stack that owns the table. Defaults to the table name with "
         "`_` and `.` mapped to `-` (stack names allow only letters, digits and `-`). "
         "Changing it never replaces the table: the table moves to the new stack in "
         "place (DeletionPolicy Retain in the old stack, which is deleted, then an IMPORT "
         "into the new one); for a table in no stack yet it names where it is adopted. "
         "A stack this provider did not create is never updated, imported into or "
         "deleted.",
     .optional = true,
     .computed = true},
    {.name = "stream",
     .type = &schema_stream_type,
     .nested = &s_stream_object,
     .description = "DynamoDB Streams `{ view_type }`; left out: no stream. Changing the view "
                    "type replaces the stream (a new `stream_arn`).",
     .optional = true},
    {.name = "stream_arn",
     .type = &tfv_type_string,
     .description = "ARN of the table's stream (null without one).",
     .computed = true},
    {.name = "table_class",
     .type = &tfv_type_string,
     .description = "`STANDARD` (left out: the default) or `STANDARD_INFREQUENT_ACCESS`.",
     .optional = true},
    {.name = "table_status",
     .type = &tfv_type_string,
     .description = "Status of the table (`ACTIVE`, ...).",
     .computed = true},
    {.name = "tags",
     .type = &tfv_type_map_string,
     .description =
         "Tags of the table, read back from the table itself (changes made outside "
         "Terraform show as a diff and are repaired). Values may be empty; the tags with "
         "a value are also the stack's tags (CloudFormation needs 1-256 characters).",
     .optional = true},
    {.name = "timeouts",
     .type = &schema_timeouts_type,
     .nested = &s_timeouts_object,
     .description =
         "Waiter timeouts: `create`, `update`, `delete` (Go durations such as `30m`, `1h`).",
     .optional = true},
    {.name = "ttl",
     .type = &schema_ttl_type,
     .nested = &s_ttl_object,
     .description = "Time to Live of the table: `{ attribute_name, enabled }`.",
     .optional = true},
    {.name = "ttl_status",
     .type = &tfv_type_string,
     .description = "Time to Live status reported by DynamoDB (`ENABLED`, `DISABLED`, ...).",
     .computed = true},
    {.name = "warm_throughput",
     .type = &schema_warm_type,
     .nested = &s_warm_object,
     .description =
         "Warm throughput of the table `{ read_units_per_second, write_units_per_second }` "
         "(each at least 1; null: not managed). DynamoDB only raises it: a value below the "
         "table's (or, for a new table, below 12000 read / 4000 write on demand or the "
         "provisioned capacities) is refused at plan. Left out: not managed.",
     .optional = true},
    {.name = "write_capacity",
     .type = &tfv_type_number,
     .description = "Write capacity units; only with `billing_mode = \"PROVISIONED\"`.",
     .optional = true},
};

static const struct tfv_type_attr s_table_type_attrs[] = {
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
    {"owner_id", &tfv_type_string},
    {"point_in_time_recovery", &tfv_type_bool},
    {"range_key", &schema_key_type},
    {"read_capacity", &tfv_type_number},
    {"recovery_period_in_days", &tfv_type_number},
    {"resource_policy", &tfv_type_string},
    {"restore", &schema_restore_type},
    {"retain_on_destroy", &tfv_type_bool},
    {"server_side_encryption", &schema_sse_type},
    {"stack_id", &tfv_type_string},
    {"stack_name", &tfv_type_string},
    {"stream", &schema_stream_type},
    {"stream_arn", &tfv_type_string},
    {"table_class", &tfv_type_string},
    {"table_status", &tfv_type_string},
    {"tags", &tfv_type_map_string},
    {"timeouts", &schema_timeouts_type},
    {"ttl", &schema_ttl_type},
    {"ttl_status", &tfv_type_string},
    {"warm_throughput", &schema_warm_type},
    {"write_capacity", &tfv_type_number},
};
static const struct tfv_type s_table_type = {
    TFV_T_OBJECT, NULL, s_table_type_attrs, COUNT(s_table_type_attrs)};

static const struct schema_block s_table_block = {
    .version = 0,
    .attrs = s_table_attrs,
    .attr_count = COUNT(s_table_attrs),
    .description = "A DynamoDB table with Time to Live, managed through the CloudFormation stack "
                   "that owns it. Creates the stack, adopts an existing table into a new stack "
                   "(IMPORT change set, no data touched), updates it in place, and honours "
                   "deletion protection on destroy.",
    .type = &s_table_type,
};

/* ---- provider ---- */

static const struct schema_attr s_endpoint_attrs[] = {
    {.name = "cloudformation",
     .type = &tfv_type_string,
     .description =
         "CloudFormation endpoint URL (else AWS_ENDPOINT_URL_CLOUDFORMATION, AWS_ENDPOINT_URL).",
     .optional = true},
    {.name = "dynamodb",
     .type = &tfv_type_string,
     .description = "DynamoDB endpoint URL (else AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL).",
     .optional = true},
    {.name = "sts",
     .type = &tfv_type_string,
     .description = "STS endpoint URL (else AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL).",
     .optional = true},
};
static const struct tfv_type_attr s_endpoint_type_attrs[] = {
    {"cloudformation", &tfv_type_string},
    {"dynamodb", &tfv_type_string},
    {"sts", &tfv_type_string},
};
static const struct tfv_type s_endpoint_type = {
    TFV_T_OBJECT, NULL, s_endpoint_type_attrs, COUNT(s_endpoint_type_attrs)};
static const struct schema_block s_endpoint_block = {
    .attrs = s_endpoint_attrs,
    .attr_count = COUNT(s_endpoint_attrs),
    .description = "Custom service endpoints, as in the hashicorp/aws provider.",
    .type = &s_endpoint_type,
};

static const struct tfv_type s_string_list = {TFV_T_LIST, &tfv_type_string, NULL, 0};
static const struct tfv_type s_string_set = {TFV_T_SET, &tfv_type_string, NULL, 0};

static const struct schema_attr s_assume_role_attrs[] = {
    {.name = "duration",
     .type = &tfv_type_string,
     .description = "Duration of the role session, 15m to 12h (e.g. \"1h\"); default 1h.",
     .optional = true},
    {.name = "external_id",
     .type = &tfv_type_string,
     .description = "External ID passed to sts:AssumeRole.",
     .optional = true},
    {.name = "policy",
     .type = &tfv_type_string,
     .description = "IAM policy JSON that further restricts the assumed role's permissions.",
     .optional = true},
    {.name = "role_arn",
     .type = &tfv_type_string,
     .description = "ARN of the role to assume.",
     .required = true},
    {.name = "session_name",
     .type = &tfv_type_string,
     .description = "Session name (default `terraform-provider-dynamodb`).",
     .optional = true},
};
static const struct tfv_type_attr s_assume_role_type_attrs[] = {
    {"duration", &tfv_type_string},
    {"external_id", &tfv_type_string},
    {"policy", &tfv_type_string},
    {"role_arn", &tfv_type_string},
    {"session_name", &tfv_type_string},
};
static const struct tfv_type s_assume_role_type = {
    TFV_T_OBJECT, NULL, s_assume_role_type_attrs, COUNT(s_assume_role_type_attrs)};
static const struct schema_block s_assume_role_block = {
    .attrs = s_assume_role_attrs,
    .attr_count = COUNT(s_assume_role_attrs),
    .description = "Assume an IAM role (sts:AssumeRole) with the resolved credentials.",
    .type = &s_assume_role_type,
};

static const struct schema_block_type s_provider_blocks[] = {
    {"assume_role", &s_assume_role_block, SCHEMA_NEST_SINGLE, 0, 0},
    {"endpoints", &s_endpoint_block, SCHEMA_NEST_SINGLE, 0, 0},
};

static const struct schema_attr s_provider_attrs[] = {
    {.name = "access_key",
     .type = &tfv_type_string,
     .description = "AWS access key ID (else the credential chain: environment, shared files, "
                    "container credentials, IMDSv2).",
     .optional = true,
     .sensitive = true},
    {.name = "allowed_account_ids",
     .type = &s_string_set,
     .description = "AWS account IDs the credentials must belong to (checked with "
                    "sts:GetCallerIdentity before any other call). Conflicts with "
                    "forbidden_account_ids.",
     .optional = true},
    {.name = "custom_ca_bundle",
     .type = &tfv_type_string,
     .description = "PEM file of the certificate authorities to trust instead of the system's "
                    "(a TLS-inspecting proxy, a private endpoint). Else AWS_CA_BUNDLE, else the "
                    "profile's `ca_bundle`.",
     .optional = true},
    {.name = "forbidden_account_ids",
     .type = &s_string_set,
     .description = "AWS account IDs the credentials must not belong to (checked with "
                    "sts:GetCallerIdentity before any other call).",
     .optional = true},
    {.name = "http_proxy",
     .type = &tfv_type_string,
     .description = "Proxy URL for http:// endpoints. Else `http_proxy`, `HTTP_PROXY`.",
     .optional = true},
    {.name = "https_proxy",
     .type = &tfv_type_string,
     .description = "Proxy URL for https:// endpoints (a CONNECT tunnel). Else `https_proxy`, "
                    "`HTTPS_PROXY`.",
     .optional = true},
    {.name = "max_pool_connections",
     .type = &tfv_type_number,
     .description = "How many connections the provider keeps and uses at once per AWS endpoint "
                    "(botocore's `max_pool_connections`). A request finding them all busy waits "
                    "for one instead of opening another. Default 10.",
     .optional = true},
    {.name = "max_retries",
     .type = &tfv_type_number,
     .description =
         "How many times an AWS request is retried (throttling, 5xx, dropped connections) with "
         "exponential backoff and full jitter (the SDKs' standard mode). Default 9 (10 attempts).",
     .optional = true},
    {.name = "no_proxy",
     .type = &tfv_type_string,
     .description = "Comma-separated hosts reached without the proxy. Else `no_proxy`, "
                    "`NO_PROXY`.",
     .optional = true},
    {.name = "profile",
     .type = &tfv_type_string,
     .description = "Shared config/credentials profile (else AWS_PROFILE).",
     .optional = true},
    {.name = "region",
     .type = &tfv_type_string,
     .description = "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region), "
                    "checked against the AWS partitions' region names.",
     .optional = true},
    {.name = "retry_mode",
     .type = &tfv_type_string,
     .description = "`adaptive` (the default) or `standard` (else AWS_RETRY_MODE, the profile's "
                    "`retry_mode`). Both retry with backoff and jitter; `adaptive` also keeps one "
                    "request budget per operation for the whole provider, which slows an "
                    "operation once AWS throttles it, as the SDKs' adaptive mode does.",
     .optional = true},
    {.name = "secret_key",
     .type = &tfv_type_string,
     .description = "AWS secret access key.",
     .optional = true,
     .sensitive = true},
    {.name = "shared_config_files",
     .type = &s_string_list,
     .description = "Shared config files (else AWS_CONFIG_FILE, else ~/.aws/config); later "
                    "files override earlier ones.",
     .optional = true},
    {.name = "shared_credentials_files",
     .type = &s_string_list,
     .description = "Shared credentials files (else AWS_SHARED_CREDENTIALS_FILE, else "
                    "~/.aws/credentials); later files override earlier ones.",
     .optional = true},
    {.name = "skip_region_validation",
     .type = &tfv_type_bool,
     .description = "Accept a region that matches no AWS partition (a region newer than this "
                    "provider). Default false.",
     .optional = true},
    {.name = "sts_region",
     .type = &tfv_type_string,
     .description = "Region of STS calls (AssumeRole, web identity, GetCallerIdentity); "
                    "default: region.",
     .optional = true},
    {.name = "token",
     .type = &tfv_type_string,
     .description = "AWS session token.",
     .optional = true,
     .sensitive = true},
    {.name = "use_dualstack_endpoint",
     .type = &tfv_type_bool,
     .description = "Use the dual-stack (IPv4 and IPv6) endpoints. Else "
                    "AWS_USE_DUALSTACK_ENDPOINT, the profile's `use_dualstack_endpoint`; default "
                    "false. A configured endpoint URL wins.",
     .optional = true},
    {.name = "use_fips_endpoint",
     .type = &tfv_type_bool,
     .description = "Use the FIPS endpoints. Else AWS_USE_FIPS_ENDPOINT, the profile's "
                    "`use_fips_endpoint`; default false. A configured endpoint URL wins.",
     .optional = true},
};
static const struct tfv_type_attr s_provider_type_attrs[] = {
    {"access_key", &tfv_type_string},
    {"allowed_account_ids", &s_string_set},
    {"assume_role", &s_assume_role_type},
    {"custom_ca_bundle", &tfv_type_string},
    {"endpoints", &s_endpoint_type},
    {"forbidden_account_ids", &s_string_set},
    {"http_proxy", &tfv_type_string},
    {"https_proxy", &tfv_type_string},
    {"max_pool_connections", &tfv_type_number},
    {"max_retries", &tfv_type_number},
    {"no_proxy", &tfv_type_string},
    {"profile", &tfv_type_string},
    {"region", &tfv_type_string},
    {"retry_mode", &tfv_type_string},
    {"secret_key", &tfv_type_string},
    {"shared_config_files", &s_string_list},
    {"shared_credentials_files", &s_string_list},
    {"skip_region_validation", &tfv_type_bool},
    {"sts_region", &tfv_type_string},
    {"token", &tfv_type_string},
    {"use_dualstack_endpoint", &tfv_type_bool},
    {"use_fips_endpoint", &tfv_type_bool},
};
static const struct tfv_type s_provider_type = {
    TFV_T_OBJECT, NULL, s_provider_type_attrs, COUNT(s_provider_type_attrs)};

static const struct schema_block s_provider_block = {
    .attrs = s_provider_attrs,
    .attr_count = COUNT(s_provider_attrs),
    .block_types = s_provider_blocks,
    .block_type_count = COUNT(s_provider_blocks),
    .description = "Manages DynamoDB tables with Time to Live through CloudFormation stacks.",
    .type = &s_provider_type,
};

const struct schema_block *schema_provider(void) {
    return &s_provider_block;
}

const struct schema_block *schema_ttl_table(void) {
    return &s_table_block;
}

const struct schema_block *schema_ttl_table_data(void) {
    return &schema_data_ttl_table_block;
}

const struct schema_block *schema_data_source(const char *type_name) {
    return (type_name && strcmp(type_name, SCHEMA_DATA_TTL_TABLE) == 0)
               ? &schema_data_ttl_table_block
               : NULL;
}

const struct schema_block *schema_resource(const char *type_name) {
    return (type_name && strcmp(type_name, SCHEMA_RESOURCE_TTL_TABLE) == 0) ? &s_table_block : NULL;
}

const struct schema_attr *schema_block_attr(const struct schema_block *b, const char *name) {
    for (size_t i = 0; i < b->attr_count; i++) {
        if (strcmp(b->attrs[i].name, name) == 0) {
            return &b->attrs[i];
        }
    }
    return NULL;
}
