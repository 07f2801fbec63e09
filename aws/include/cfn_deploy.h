/*
 * cfn_deploy: deploy a template to a CloudFormation stack with a change set, and delete
 * a stack — the mechanics of `aws cloudformation deploy` (aws-cli deployer.py), with
 * deliberate differences (docs/aws-behaviour.md §2):
 *   - an empty change set ("didn't contain changes") is success, and is deleted rather
 *     than left on the stack;
 *   - every mutating call carries a token that stays the same for every retry of that
 *     call (the change set name and ClientToken, the ClientRequestToken of
 *     ExecuteChangeSet and DeleteStack), so a retry that meets the effect of its own
 *     first attempt — the answer was lost — is recognised as success, not repeated;
 *   - waits use the caller's cadence, deadline and stop flag (aws_waiter.h), and a failed
 *     operation reports the reasons of its own stack events (matched by its token).
 * It knows nothing of Terraform or of tables: what to deploy is the caller's decision.
 *
 * Ownership: inputs are borrowed; a result is caller storage freed with
 * cfn_deploy_result_clear (also after a failure: it says how far the deploy got).
 * Threads: every function may run concurrently on one client.
 */
#ifndef CFN_DEPLOY_H
#define CFN_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_client.h"
#include "aws_waiter.h"
#include "cfn.h"

/* Room for a token made by cfn_deploy_token (prefix, kind, time and 12 hex digits). */
#define CFN_DEPLOY_TOKEN_MAX 128

/* How the caller's operations are marked and waited for. */
struct cfn_deploy_options {
    /* Every token starts with it ([a-zA-Z][-a-zA-Z0-9]*): the events of an operation
     * carry its token, which is how a caller recognises its own operations later. */
    const char *token_prefix;
    const char *description;      /* of every change set; NULL: none */
    struct aws_wait_options wait; /* cadence, deadline and stop flag of every wait */
};

/*
 * A token for one operation, the same for every retry of it: CloudFormation's
 * ClientToken / ClientRequestToken ([a-zA-Z0-9][-a-zA-Z0-9]*, at most 128) and a valid
 * change set name ([a-zA-Z][-a-zA-Z0-9]*): PREFIX KIND-TIME-RANDOM, unique across
 * processes (several applies may start in the same second). buf has cap bytes.
 */
void cfn_deploy_token(char *buf, size_t cap, const char *prefix, const char *kind);

struct cfn_deploy_input {
    const char *stack_name;
    enum cfn_change_set_type type;
    const char *template_body;
    const struct cfn_kv_in *tags; /* stack tags (CREATE, UPDATE); values never empty */
    size_t tag_count;
    /* UPDATE: send the tags even when there are none, which removes the stack's tags (an
     * absent Tags parameter keeps them). */
    bool replace_tags;
    const struct cfn_import_resource *imports; /* IMPORT */
    size_t import_count;
};

/* How far a deploy got: every field is valid after a failure too. */
struct cfn_deploy_result {
    char *stack_id;     /* known as soon as the change set exists */
    bool empty;         /* nothing to change: success, the change set deleted */
    bool executed;      /* ExecuteChangeSet was accepted: the stack is (or was) changing */
    char *final_status; /* the settled stack status, when the wait ended */
};
void cfn_deploy_result_clear(struct cfn_deploy_result *r);

/*
 * Create a change set, wait until it can execute, execute it and wait for the stack to
 * settle. On failure err holds the status and that operation's events' reasons
 * (TPD_E_FAILED), or the wait's TPD_E_STOPPED / TPD_E_TIMEOUT, or the AWS error.
 */
enum tpd_code cfn_deploy(
    struct aws_client *c,
    const struct cfn_deploy_options *o,
    const struct cfn_deploy_input *in,
    struct cfn_deploy_result *r,
    struct tpd_err *err);

/*
 * DeleteStack and wait until it is gone (a stack already gone: TPD_OK). With
 * retain_logical_id (may be NULL), that resource is kept should the stack be or end in
 * DELETE_FAILED (RetainResources is accepted only then: the delete is sent again with
 * it). DELETE_FAILED otherwise: TPD_E_FAILED with the events' reasons.
 */
enum tpd_code cfn_deploy_delete_stack(
    struct aws_client *c,
    const struct cfn_deploy_options *o,
    const char *name,
    const char *retain_logical_id,
    struct tpd_err *err);

/*
 * Wait while the stack is *_IN_PROGRESS (REVIEW_IN_PROGRESS is settled: it waits for a
 * change set, not for CloudFormation). *out (caller storage, cfn_stack_clear) gets the
 * settled stack; out->status is NULL when the stack is gone.
 */
enum tpd_code cfn_deploy_wait_settled(
    struct aws_client *c,
    const struct cfn_deploy_options *o,
    const char *name,
    struct cfn_stack *out,
    struct tpd_err *err);

/* *_IN_PROGRESS but REVIEW_IN_PROGRESS (which waits for a change set, not for AWS). */
bool cfn_deploy_status_in_progress(const char *status);

#endif
