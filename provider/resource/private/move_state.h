/*
 * move_state: MoveResourceState for dynamodb_ttl_table — the state another provider
 * wrote for a table, turned into this resource's state, so that a `moved` block can take
 * a table over from hashicorp/aws without `terraform state rm` and `import`
 * (docs/migrating.md).
 *
 * Terraform asks the target provider for the move while it applies the `moved` blocks,
 * before planning, on a provider instance it has not configured
 * (docs/plugin-protocol.md §5, "MoveResourceState"): nothing here calls AWS. The state
 * returned is the one an import of the table writes (ttl_table_import.c): the table as the
 * source last read it, stack_id null (the table is in no stack yet), stack_name derived
 * from the table name, retain_on_destroy false; the refresh that follows reads every
 * setting from AWS again, and the next apply adopts the table into the configured stack
 * with an IMPORT change set. The private bytes (target_private, which Terraform stores
 * with the moved object) are an import's too: "imported", so that a configuration with
 * other keys is refused rather than planned as a replacement, and the protection the
 * source applied (resource_private.h).
 *
 * The one source: registry.terraform.io/hashicorp/aws `aws_dynamodb_table`, state schema
 * version 1 (hashicorp/aws 5.x; captured from 5.100.0 in tests/unit/data/move/). What the
 * resource cannot hold refuses the move with what to do instead: replicas (a global
 * table), import_table, restore_* arguments, on-demand limits on an index, attributes
 * this mapping does not know
 * that are set (a newer hashicorp/aws), and anything that is not a state hashicorp/aws
 * writes. The JSON is outside data: it is parsed with limits (TPD_MAX_MOVED_STATE) and
 * fuzzed (tests/fuzz/fuzz_move_state.c).
 *
 * Ownership: out-structs are filled by the call (table_live_clear frees them, also after
 * a refusal); inputs are borrowed; *state is a new tree (tfv_free).
 * Threads: pure functions.
 */
#ifndef TPD_MOVE_STATE_H
#define TPD_MOVE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "facts.h"
#include "tfv.h"
#include "tpd_buf.h"

/* The source this provider moves from. */
#define MOVE_STATE_AWS_PROVIDER "registry.terraform.io/hashicorp/aws"
#define MOVE_STATE_AWS_TYPE "aws_dynamodb_table"
#define MOVE_STATE_AWS_SCHEMA_VERSION 1

/* A MoveResourceState request, as Terraform sends it. */
struct move_request {
    const char *source_provider; /* "registry.terraform.io/hashicorp/aws", or the
                                    configuration address provider["..."] older hosts send */
    const char *source_type;
    int64_t source_schema_version;
    struct tpd_span source_state_json; /* RawState.json */
    const char *target_type;
};

/*
 * The provider of a source address: "registry.terraform.io/hashicorp/aws" for both
 * "registry.terraform.io/hashicorp/aws" and
 * "module.m.provider[\"registry.terraform.io/hashicorp/aws\"].alias". NULL when the text
 * is neither (caller frees).
 */
char *move_state_source_provider(const char *address);

/*
 * An aws_dynamodb_table state (schema version 1) as the table it describes, the way
 * cloud_read_table reports a live table: spec (keys with their types from `attribute`,
 * billing and capacities, TTL, indexes, stream, encryption, class, on-demand limits,
 * recovery, protection, tags from tags_all), arn, status ACTIVE, ttl_status and
 * stream_arn. false with one error diagnostic per reason when the state cannot be
 * mapped (out is then cleared). Out of memory is an error diagnostic too.
 */
bool move_state_parse_aws(struct tpd_span json, struct table_live *out, struct diag_list *diags);

/*
 * The whole move: the source (provider, type, schema version) and target checked, the
 * state parsed, this resource's state built (table_value_state) and the private bytes an
 * import writes appended to private_out. On success a warning says what the next plan
 * and apply do. *state is NULL when the move is refused (error diagnostics).
 */
void move_state_run(
    const struct move_request *req,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags);

#endif
