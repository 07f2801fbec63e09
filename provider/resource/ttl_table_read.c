/*
 * ttl_table_read: ReadResource (refresh). Everything in the returned state comes from
 * AWS: the table and its settings from DynamoDB (DescribeTable — also its indexes,
 * stream, encryption, class and on-demand limits —, DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource: the table's own tags, which is what
 * `tags` manages, DescribeContributorInsights), whether the stack in state still exists
 * from CloudFormation (DescribeStacks). Six calls per table, issued at once (cloud_read).
 *
 *   - table gone            -> the resource is removed from state (the next plan creates it);
 *   - table here, stack gone or replaced by another stack of the same name
 *                           -> the table stays in state with stack_id null: it is in no
 *                              stack of ours, and the next apply adopts it again;
 *   - a read fails          -> the prior state is returned unchanged with the error.
 * retain_on_destroy and timeouts are not AWS settings and come from the prior state.
 */
#include <stdlib.h>
#include <string.h>

#include "resource_private.h"
#include "table_value.h"
#include "tpd_log.h"
#include "ttl_table.h"
#include "ttl_table_internal.h"

void ttl_table_read(
    struct cloud *c,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *new_state = NULL;
    if (tfv_is_null(current)) {
        return;
    }
    /* The private bytes travel on; a state written before they recorded the applied
     * deletion protection takes it from the state as it was before this refresh (what
     * Terraform last wrote), never from AWS (see resource_private.h). */
    struct resource_private priv;
    resource_private_decode(private_in, &priv);
    bool on = false;
    if (!priv.protection_known && tfv_get_bool(current, "deletion_protection_enabled", &on)) {
        priv.protection_known = true;
        priv.protection_applied = on;
    }
    bool kept = resource_private_encode(&priv, private_out) == TPD_OK ||
                tpd_buf_append_span(private_out, private_in) == TPD_OK;
    resource_private_clear(&priv);
    if (!kept) {
        /* Without its private bytes the state would forget what they record (an import,
         * the protection last applied): keep the state as it was. */
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
        *new_state = tfv_clone(current);
        return;
    }
    const char *name = tfv_get_str(current, "name");
    char *owned = NULL;
    const char *stack_name = ttl_table_stack_name(current, &owned);
    const char *stack_id = tfv_get_str(current, "stack_id");
    struct table_live t = {0};
    struct stack_facts s = {0};
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
        .stack_name = stack_id ? stack_name : NULL,
        .stack_what = CLOUD_STACK_BASIC,
    };
    enum tpd_code rc = cloud_read(c, &q, &t, &s, &err);
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the table", &err);
        *new_state = tfv_clone(current); /* unchanged: nothing is lost on a failed read */
        goto done;
    }
    if (!t.exists) {
        TPD_INFO("table %s no longer exists: removing it from state", name);
        goto done;
    }
    if (stack_id && (!s.exists || !s.id || strcmp(s.id, stack_id) != 0)) {
        TPD_INFO(
            "stack %s of table %s no longer exists (or is another stack now): the table is "
            "recorded as in no stack, and the next apply adopts it",
            stack_name,
            name);
        stack_id = NULL;
    }
    bool retain = false;
    tfv_get_bool(current, "retain_on_destroy", &retain);
    struct table_state_args a = {
        .ref = current,
        .live = &t,
        .stack_name = stack_name,
        .stack_id = stack_id,
        .retain_on_destroy = retain,
    };
    *new_state = table_value_state(&a);
    if (!*new_state) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
        *new_state = tfv_clone(current);
    }
done:
    free(owned);
    table_live_clear(&t);
    stack_facts_clear(&s);
    tpd_err_clear(&err);
}
