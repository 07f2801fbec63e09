/*
 * cfn: CloudFormation operations (Query protocol, API version 2010-05-15) with
 * parsed results, named after the API; plus the helpers the resource needs
 * (empty change-set predicate, failure reasons from stack events).
 *
 * Errors: DescribeStacks "Stack with id X does not exist", DescribeStackResources
 * by physical id "not in any stack"/"does not exist" and ChangeSetNotFound →
 * TPD_E_NOT_FOUND (aws_code kept); other AWS errors TPD_E_AWS / TPD_E_THROTTLED;
 * a 2xx body that is not the expected XML → TPD_E_PARSE naming the operation.
 * Ownership: result structs are caller storage, zeroed on entry and on failure, freed
 * by their _clear function; char ** outputs are heap strings freed with free().
 * Inputs are borrowed.
 * Threads: all functions may run concurrently on one client.
 */
#ifndef CFN_H
#define CFN_H

#include <stdbool.h>
#include <stdint.h>

#include "aws_client.h"
#include "aws_waiter.h"
#include "tpd_kv.h"

/* A borrowed pair for requests (tags to set, import identifiers). Stack tags read back
 * are struct tpd_kv (owned). */
struct cfn_kv_in {
    const char *key;
    const char *value;
};

struct cfn_output {
    char *key;
    char *value;
    char *description; /* NULL when absent */
    char *export_name; /* NULL when not exported */
};

struct cfn_stack {
    char *id;
    char *name;
    char *status;
    char *status_reason; /* NULL when absent */
    char *description;   /* the template's Description; NULL when absent */
    int64_t creation_time_s;
    int64_t last_updated_time_s; /* 0 when never updated */
    struct cfn_output *outputs;
    size_t output_count;
    struct tpd_kv *tags;
    size_t tag_count;
};
void cfn_stack_clear(struct cfn_stack *s);
/* DescribeStacks for one stack (name or id). */
enum tpd_code cfn_describe_stack(
    struct aws_client *c, const char *name, struct cfn_stack *out, struct tpd_err *err)
    TPD_MUST_CHECK;

enum cfn_change_set_type { CFN_CHANGE_SET_CREATE, CFN_CHANGE_SET_UPDATE, CFN_CHANGE_SET_IMPORT };

struct cfn_import_resource {
    const char *resource_type;          /* "AWS::DynamoDB::Table" */
    const char *logical_id;             /* "Table" */
    const struct cfn_kv_in *identifier; /* {"TableName", "<name>"} */
    size_t identifier_count;
};

struct cfn_create_change_set_input {
    const char *stack_name;
    const char *change_set_name;
    enum cfn_change_set_type type;
    const char *template_body;
    const struct cfn_kv_in *tags;
    size_t tag_count;
    /* With no tags: send an empty Tags list, which removes the stack's tags (an absent
     * Tags parameter keeps them, per the CreateChangeSet reference). */
    bool clear_tags_when_empty;
    const char *const *capabilities;
    size_t capability_count;
    const char *description;                   /* may be NULL */
    const struct cfn_import_resource *imports; /* IMPORT only */
    size_t import_count;
    /* ClientToken (1-128 characters): the same for every retry of one change set, so
     * that CloudFormation can tell a retry from a second change set. May be NULL. */
    const char *client_token;
};

/* Build the CreateChangeSet form body (exposed for serialisation tests). */
enum tpd_code cfn_create_change_set_body(
    const struct cfn_create_change_set_input *in,
    struct tpd_buf *body,
    struct tpd_err *err) TPD_MUST_CHECK;
/* CreateChangeSet; *change_set_id and *stack_id (each may be NULL) receive the ARNs. */
enum tpd_code cfn_create_change_set(
    struct aws_client *c,
    const struct cfn_create_change_set_input *in,
    char **change_set_id,
    char **stack_id,
    struct tpd_err *err) TPD_MUST_CHECK;

struct cfn_change {
    char *action; /* Add, Modify, Remove, Import, Dynamic */
    char *logical_id;
    char *physical_id; /* NULL when absent */
    char *resource_type;
    char *replacement; /* True, False, Conditional; NULL when absent */
};

struct cfn_change_set {
    char *id;
    char *stack_id;
    char *status;           /* CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED, ... */
    char *status_reason;    /* NULL when absent */
    char *execution_status; /* AVAILABLE, UNAVAILABLE, EXECUTE_*, OBSOLETE */
    struct cfn_change *changes; /* all pages */
    size_t change_count;
};
void cfn_change_set_clear(struct cfn_change_set *cs);
/* DescribeChangeSet (all pages of Changes). stack may be NULL when cs is an ARN. */
enum tpd_code cfn_describe_change_set(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    struct cfn_change_set *out,
    struct tpd_err *err) TPD_MUST_CHECK;
/* The empty change set: Status FAILED and the reason says there is nothing to do
 * ("didn't contain changes" / "No updates are to be performed"). */
bool cfn_change_set_is_empty(const char *status, const char *status_reason);
/* ExecuteChangeSet; client_request_token (may be NULL; pattern [a-zA-Z0-9][-a-zA-Z0-9]*,
 * at most 128) is carried by every stack event the execution produces. */
enum tpd_code cfn_execute_change_set(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    const char *client_request_token,
    struct tpd_err *err) TPD_MUST_CHECK;
/* Not must-check: deleting an empty change set is tidying up, which a caller may leave
 * to fail quietly (the change set is then simply left on the stack). */
enum tpd_code cfn_delete_change_set(
    struct aws_client *c, const char *stack, const char *change_set, struct tpd_err *err);

/* DeleteStack; retain lists logical ids to keep (only valid for DELETE_FAILED stacks);
 * client_request_token as for cfn_execute_change_set (may be NULL). */
enum tpd_code cfn_delete_stack(
    struct aws_client *c,
    const char *stack,
    const char *const *retain,
    size_t retain_count,
    const char *client_request_token,
    struct tpd_err *err) TPD_MUST_CHECK;

struct cfn_event {
    char *event_id;
    char *logical_id;
    char *physical_id;
    char *resource_type;
    char *status;
    char *reason;               /* NULL when absent */
    char *client_request_token; /* the token of the operation that produced it; NULL if none */
    int64_t timestamp_s;
};
struct cfn_events {
    struct cfn_event *v; /* newest first, as CloudFormation returns them */
    size_t count;
};
void cfn_events_clear(struct cfn_events *e);
/* DescribeStackEvents, following pages until an event older than since_s (0 = all;
 * at most max_events, 0 = 1000). */
enum tpd_code cfn_describe_stack_events(
    struct aws_client *c,
    const char *stack,
    int64_t since_s,
    size_t max_events,
    struct cfn_events *out,
    struct tpd_err *err) TPD_MUST_CHECK;
/*
 * The failure reasons of one operation: the events carrying client_request_token
 * (the token given to ExecuteChangeSet or DeleteStack), or, when it is NULL, the
 * events newer than the latest stack-level *_IN_PROGRESS "User Initiated" event.
 * Events are matched by token, never by the clock: a skewed local clock must not hide
 * reasons nor show a stale one from an earlier operation. One line
 * "LogicalId (Type) STATUS: reason" per *_FAILED event with a non-empty reason, oldest
 * first. *text is "" when there are none. Caller frees.
 */
enum tpd_code cfn_collect_failure_reasons(
    struct aws_client *c,
    const char *stack,
    const char *client_request_token,
    char **text,
    struct tpd_err *err) TPD_MUST_CHECK;
/* The same, over already fetched events (pure; used by tests). */
enum tpd_code cfn_failure_reasons_from_events(
    const struct cfn_events *ev, const char *client_request_token, char **text) TPD_MUST_CHECK;

struct cfn_resource {
    char *stack_name;
    char *stack_id;
    char *logical_id;
    char *physical_id;
    char *resource_type;
    char *status;
    char *reason;
};
struct cfn_resources {
    struct cfn_resource *v;
    size_t count;
};
void cfn_resources_clear(struct cfn_resources *r);
/* DescribeStackResources by stack name, or (stack NULL) by physical id: which stack
 * owns a resource; TPD_E_NOT_FOUND when none does. */
enum tpd_code cfn_describe_stack_resources(
    struct aws_client *c,
    const char *stack,
    const char *physical_id,
    struct cfn_resources *out,
    struct tpd_err *err) TPD_MUST_CHECK;

/* GetTemplate (TemplateStage Original); *body is the template text. change_set may be
 * NULL; when given, the template of that change set (a stack in REVIEW_IN_PROGRESS has
 * no template of its own). TPD_E_NOT_FOUND when the stack or change set does not exist. */
enum tpd_code cfn_get_template(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    char **body,
    struct tpd_err *err) TPD_MUST_CHECK;

struct cfn_change_set_summary {
    char *name;
    char *id;
    char *status;
    char *execution_status;
    char *description; /* NULL when absent */
};
struct cfn_change_set_summaries {
    struct cfn_change_set_summary *v;
    size_t count;
};
void cfn_change_set_summaries_clear(struct cfn_change_set_summaries *s);
/* ListChangeSets of a stack (all pages). TPD_E_NOT_FOUND when the stack does not exist. */
enum tpd_code cfn_list_change_sets(
    struct aws_client *c,
    const char *stack,
    struct cfn_change_set_summaries *out,
    struct tpd_err *err) TPD_MUST_CHECK;

struct cfn_export {
    char *name;
    char *value;
    char *exporting_stack_id;
};
struct cfn_exports {
    struct cfn_export *v;
    size_t count;
};
void cfn_exports_clear(struct cfn_exports *e);
enum tpd_code
cfn_list_exports(struct aws_client *c, struct cfn_exports *out, struct tpd_err *err) TPD_MUST_CHECK;
/* ListImports: names of stacks importing export_name (NULL-terminated array, free
 * with cfn_strv_free). "is not imported by any stack" → empty list, TPD_OK. */
enum tpd_code cfn_list_imports(
    struct aws_client *c,
    const char *export_name,
    char ***names,
    size_t *count,
    struct tpd_err *err) TPD_MUST_CHECK;
void cfn_strv_free(char **v);

/* ---- waits (cfn_waiter.c) ------------------------------------------------------------
 * Acceptors of botocore's cloudformation waiters-2.json (ChangeSetCreateComplete,
 * StackCreateComplete, StackUpdateComplete, StackImportComplete, StackDeleteComplete)
 * over the poll loop and cadence of aws_waiter.h.
 * Results: TPD_OK on a success state; TPD_E_FAILED on a failure state (err holds the
 * status and reason); an error of the poll call otherwise (throttling is waited out).
 * The final object is returned in *final when given, also on failure; final is caller
 * storage freed with its _clear function.
 */

enum cfn_stack_waiter {
    CFN_WAIT_STACK_CREATE_COMPLETE,
    CFN_WAIT_STACK_UPDATE_COMPLETE,
    CFN_WAIT_STACK_IMPORT_COMPLETE,
    CFN_WAIT_STACK_DELETE_COMPLETE
};

/* Acceptor decision for a stack status (NULL status = "does not exist"). Pure. */
enum aws_waiter_state cfn_stack_waiter_decide(enum cfn_stack_waiter w, const char *status);
/* Acceptor decision for ChangeSetCreateComplete. Pure. */
enum aws_waiter_state cfn_change_set_waiter_decide(const char *status);

/* Wait for a change set to reach CREATE_COMPLETE (success) or FAILED (TPD_E_FAILED;
 * use cfn_change_set_is_empty on *final to recognise the empty change set). */
enum tpd_code cfn_wait_change_set_create_complete(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    const struct aws_wait_options *o,
    struct cfn_change_set *final,
    struct tpd_err *err) TPD_MUST_CHECK;

/* Wait for a stack; delete: "does not exist" is success (final then zeroed). */
enum tpd_code cfn_wait_stack(
    struct aws_client *c,
    const char *stack,
    enum cfn_stack_waiter w,
    const struct aws_wait_options *o,
    struct cfn_stack *final,
    struct tpd_err *err) TPD_MUST_CHECK;

#endif
