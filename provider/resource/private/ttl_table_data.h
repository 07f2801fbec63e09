/*
 * ttl_table_data: the data source dynamodb_ttl_table (ValidateDataResourceConfig,
 * ReadDataSource), for configurations that reference a table they do not manage.
 *
 * By name, the table as DynamoDB reports it (cloud_ops.read: DescribeTable,
 * DescribeTimeToLive, DescribeContinuousBackups, DescribeContributorInsights,
 * ListTagsOfResource) and the CloudFormation stack that holds it, whoever made it
 * (DescribeStackResources, then DescribeStacks for its ID), or null when no stack holds it. The
 * value's attributes shared with the resource come from the resource's own state builder
 * (table_value_state), so both show a table the same way; the data source spells out what
 * the resource leaves null to mirror a configuration: the table class, `tags = {}`, and
 * TTL as `{ attribute_name, enabled }` (null name while off). Nothing is written to AWS.
 *
 * Ownership: *state is a new tree (tfv_free); inputs are borrowed.
 * Threads: any thread (one call each), like the resource's calls.
 */
#ifndef TPD_TTL_TABLE_DATA_H
#define TPD_TTL_TABLE_DATA_H

#include "cloud_ops.h"
#include "diag.h"
#include "facts.h"
#include "tfv.h"

/* The name, when known, is a DynamoDB table name (error diagnostic on `name`). */
void ttl_table_data_validate(const struct tfv *config, struct diag_list *diags);

/* ReadDataSource: *state NULL with an error diagnostic when the table does not exist or
 * a read fails. */
void ttl_table_data_read(
    const struct cloud_ops *ops,
    const struct tfv *config,
    struct tfv **state,
    struct diag_list *diags);

/* The data source value of live table t held by stack (stack_name, stack_id), both NULL
 * when no stack holds it. Pure; NULL on no memory. */
struct tfv *
ttl_table_data_value(const struct table_live *t, const char *stack_name, const char *stack_id);

#endif
