/*
 * ttl_table_read: ReadResource (refresh). Everything in the returned state comes from
 * AWS: the table and its settings from DynamoDB (DescribeTable — also its indexes,
 * stream, encryption, class and on-demand limits —, DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource: the table's own tags, which is what
 * `tags` manages, DescribeContributorInsights), whether the stack in state still exists
 * from CloudFormation (DescribeStacks). Six calls per table, issued at once.
 *
 *   - table gone            -> the resource is removed from state (the next plan creates it),
 *                              unless the stack in state is still being created (the table
 *                              is coming: the state stays as it is);
 *   - table here, stack gone or replaced by another stack of the same name
 *                           -> the table stays in state with stack_id null: it is in no
 *                              stack of ours, and the next apply adopts it again;
 *   - stack DELETE_FAILED   -> recorded in the private bytes, so that the plan shows the
 *                              recovery (ownership.h, UPDATE_RECOVER);
 *   - a read fails          -> the prior state is returned unchanged with the error.
 * retain_on_destroy, timeouts and owner_id (checked against the stack's marker before
 * every change, which costs a GetTemplate a refresh does not make) come from the prior
 * state.
 */
#include <stdlib.h>
#include <string.h>

#include "cloud_ops.h"
#include "gather.h"
#include "request.h"
#include "resource_private.h"
#include "table_value.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "ttl_table.h"
#include "ttl_table_internal.h"

void ttl_table_read(
    const struct cloud_ops *ops,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *new_state = NULL;
    if (tfv_is_null(current)) {
        return;
    }
    struct resource_private priv;
    resource_private_decode(private_in, &priv);
    const char *name = tfv_get_str(current, "name");
    char *owned = NULL;
    const char *stack_name = request_stack_name(current, &owned);
    const char *stack_id = tfv_get_str(current, "stack_id");
    struct cloud_read_result r = {0};
    struct tpd_err err = {0};
    if (!name) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "State has no table name",
            "The stored state lacks the table name.");
        *new_state = tfv_clone(current);
        goto done;
    }
    /* All six reads at once: the ARN in state lets ListTagsOfResource go with the rest. */
    struct cloud_read_request q = {
        .table = name,
        .arn_hint = tfv_get_str(current, "arn"),
        .with_tags = true,
        /* The resource policy and Kinesis destination only when the state has them: a
         * table without them refreshes with the same six calls. */
        .with_features = tfv_get_str(current, "resource_policy") ||
                         !tfv_is_null(tfv_get(current, "kinesis_streaming_destination")),
        .stacks = {stack_id ? stack_name : NULL},
        .stack_what = {CLOUD_STACK_BASIC},
    };
    enum tpd_code rc = ops->read(ops->ctx, &q, &r, &err);
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the table", &err);
        *new_state = tfv_clone(current); /* unchanged: nothing is lost on a failed read */
        goto done;
    }
    const struct stack_facts *s = &r.stacks[0];
    if (!r.table.exists && stack_id && s->exists && s->id && strcmp(s->id, stack_id) == 0 &&
        stack_status_in_progress(s->status)) {
        /* The stack in state is still being created (an interrupted create): its table is
         * coming, not gone. The state stays as it is until the stack settles. */
        TPD_INFO("stack %s is %s: table %s is not there yet", stack_name, s->status, name);
        *new_state = tfv_clone(current);
        if (!*new_state) {
            diag_add(
                diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
        }
        goto done;
    }
    if (!r.table.exists) {
        TPD_INFO("table %s no longer exists: removing it from state", name);
        goto done;
    }
    if (stack_id && (!s->exists || !s->id || strcmp(s->id, stack_id) != 0)) {
        TPD_INFO(
            "stack %s of table %s no longer exists (or is another stack now): the table is "
            "recorded as in no stack, and the next apply adopts it",
            stack_name,
            name);
        stack_id = NULL;
    }
    /* The private bytes travel on; a state written before they recorded the applied
     * deletion protection takes it from the state as it was before this refresh (what
     * Terraform last wrote), never from AWS (see resource_private.h). */
    bool on = false;
    if (!priv.protection_known && tfv_get_bool(current, "deletion_protection_enabled", &on)) {
        priv.protection_known = true;
        priv.protection_applied = on;
    }
    free(priv.stack_status);
    priv.stack_status = NULL;
    if (stack_id && s->status && strcmp(s->status, "DELETE_FAILED") == 0) {
        TPD_INFO(
            "stack %s of table %s is DELETE_FAILED: the next apply recovers it", stack_name, name);
        priv.stack_status = tpd_strdup(s->status);
    }
    bool retain = false;
    tfv_get_bool(current, "retain_on_destroy", &retain);
    struct table_state_args a = {
        .ref = current,
        .live = &r.table,
        .stack_name = stack_name,
        .stack_id = stack_id,
        .owner_id = tfv_get_str(current, "owner_id"),
        .retain_on_destroy = retain,
    };
    *new_state = table_value_state(&a);
    if (!*new_state) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
        *new_state = tfv_clone(current);
    }
    if (stack_id) {
        /* The plan of this resource follows in this process (Terraform's plan walk): it
         * starts from these reads (gather.h). */
        gather_hand_off_refresh(
            ops, name, stack_name, stack_id, tfv_get_str(current, "arn"), &r.table, &r.stacks[0]);
    }
done:
    if (*new_state && resource_private_encode(&priv, private_out) != TPD_OK) {
        /* Without its private bytes the state would forget what they record (an import,
         * the protection last applied): keep the bytes as they were. */
        tpd_buf_reset(private_out);
        if (tpd_buf_append_span(private_out, private_in) != TPD_OK) {
            diag_add(
                diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
        }
    }
    resource_private_clear(&priv);
    free(owned);
    cloud_read_result_clear(&r);
    tpd_err_clear(&err);
}
