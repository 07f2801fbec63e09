/*
 * table_template: the CloudFormation template of a table's stack — rendered from a
 * table_spec, and read back from a deployed template (GetTemplate) into
 * template_facts. This module is the single owner of the template's shape.
 *
 * Rendering rules (AWS::DynamoDB::Table in the CloudFormation user guide; the
 * resource-import guide; docs/aws-behaviour.md):
 *   - one AWS::DynamoDB::Table resource, logical ID "Table" unless the stack already
 *     names it otherwise (stacks made outside Terraform and imported);
 *   - the resource's Metadata carries the ownership marker
 *     {"TerraformProviderDynamoDB": {"Table": NAME, "Owner": OWNER_ID}}: a stack is this
 *     provider's only if its table resource carries the marker for the configured table,
 *     and it is this resource instance's only if the marker names its owner id
 *     (docs/resource.md "One owner per table"); templates of earlier releases carry no
 *     Owner;
 *   - an explicit DeletionPolicy (Delete, or Retain for retain_on_destroy); IMPORT
 *     templates always say Retain: the configured policy arrives with the follow-up
 *     update, so a failure between the two never leaves an adopted table that a stack
 *     deletion would delete;
 *   - UpdateReplacePolicy Retain: a replacement never silently drops a table's data;
 *   - ProvisionedThroughput only with PROVISIONED (the GSIs' too);
 *   - AttributeDefinitions: the table's keys, then the index keys by name, each once;
 *   - GlobalSecondaryIndexes, LocalSecondaryIndexes, StreamSpecification,
 *     SSESpecification, TableClass, OnDemandThroughput and
 *     ContributorInsightsSpecification only when they differ from DynamoDB's default, so
 *     the template of a table without them is unchanged from before they existed;
 *   - except that SSESpecification, TableClass and ContributorInsightsSpecification,
 *     once the deployed template carries them (options.deployed), stay in every later
 *     template with their default spelled out ({SSEEnabled: false}, STANDARD,
 *     {Enabled: false}): CloudFormation fails and rolls back an update that drops
 *     SSESpecification, and dropping the other two leaves the table as it is
 *     (docs/aws-behaviour.md §4.4). Adding {SSEEnabled: false} to a template that never
 *     had it would ask DynamoDB to disable encryption the table never had, which it
 *     refuses (§5.5), so tables that never had the feature keep their template;
 *   - TimeToLiveSpecification only when TTL was ever configured, and then always with
 *     a non-empty AttributeName (Enabled false to switch it off): an empty name is
 *     rejected (aws/aws-cdk#25655, iann0036/former2#229);
 *   - Outputs TableName / TableArn exported as "<stack>-TableName/-TableArn", left out
 *     of IMPORT templates ("you cannot modify or add [Outputs]" during an import).
 * The same spec and options render the same bytes (keys and tags sorted).
 *
 * Ownership: output is appended to the caller's buffer; facts are freed with
 * template_facts_clear. Threads: pure.
 */
#ifndef TPD_TABLE_TEMPLATE_H
#define TPD_TABLE_TEMPLATE_H

#include <stdbool.h>

#include "facts.h"
#include "table_spec.h"
#include "tpd_buf.h"
#include "tpd_err.h"

#define TABLE_TEMPLATE_LOGICAL_ID "Table"
#define TABLE_TEMPLATE_MARKER "TerraformProviderDynamoDB"
/* The Description of every template this provider wrote, also before the marker. */
#define TABLE_TEMPLATE_DESCRIPTION                                                                 \
    "DynamoDB table with Time to Live, managed by terraform-provider-dynamodb"

enum table_template_mode {
    TABLE_TEMPLATE_FULL,   /* CREATE and UPDATE: with Outputs and their Exports */
    TABLE_TEMPLATE_IMPORT, /* IMPORT: no Outputs, DeletionPolicy Retain */
};

struct table_template_options {
    enum table_template_mode mode;
    const char *logical_id; /* NULL: TABLE_TEMPLATE_LOGICAL_ID */
    const char *owner;      /* the owner id written in the marker; NULL: none */
    /* What the stack's deployed template says (table_template_read); NULL for a new
     * stack, an IMPORT, or when it could not be read (the defaults are then left out). */
    const struct template_facts *deployed;
};

enum tpd_code table_template_render(
    const struct table_spec *spec,
    const struct table_template_options *opts,
    struct tpd_buf *out,
    struct tpd_err *err);

/* The stack tags for a spec: its tags whose values are not empty (CloudFormation's
 * stack tag values are 1-256 characters; DynamoDB's table tags may be empty, so empty
 * ones go on the table only, through the template). *out is NULL when there are none;
 * free with tpd_kv_array_free. */
enum tpd_code
table_template_stack_tags(const struct table_spec *spec, struct tpd_kv **out, size_t *count);

/* Read what the deployed template says about the table (text: JSON or YAML), its GSIs
 * included (gsis_read). Untrusted input: fuzzed (tests/fuzz/fuzz_template.c). */
enum tpd_code
table_template_read(struct tpd_span text, struct template_facts *f, struct tpd_err *err);

/*
 * The deployed template text again (as JSON), with DeletionPolicy Retain on the table
 * resource and a change to its Metadata (so that the change set is never empty:
 * policy-only edits have been reported as "no changes", aws/aws-cdk#11521). Used before
 * a table leaves its stack. Appended to out.
 */
enum tpd_code table_template_retained(
    struct tpd_span text,
    const char *logical_id,
    const char *reason,
    struct tpd_buf *out,
    struct tpd_err *err);

#endif
