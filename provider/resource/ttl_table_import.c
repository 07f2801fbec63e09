/*
 * ttl_table_import: ImportResourceState for `terraform import ADDR TABLE`,
 * `ADDR STACK/TABLE` or `ADDR TABLE_ARN` (and import blocks, -generate-config-out).
 *
 * The ID is verified, never trusted: STACK must hold TABLE as its table resource, and
 * nothing else (a stack holding more cannot be managed by this resource: its updates
 * would delete the rest). Everything is read from AWS: the table's settings and tags
 * from DynamoDB, the owning stack from CloudFormation when the ID names none, the owner id
 * on the stack's marker (owner_id: importing is the one explicit way a state takes a
 * stack, also one another state owns — ownership.h), and retain_on_destroy from the
 * deployed template's DeletionPolicy (Retain or RetainExceptOnCreate: true), so that the
 * next update keeps what the owner chose. A table no stack owns is recorded with stack_id
 * null: the next apply adopts it into the configured stack_name (the default is derived
 * from the table name).
 */
#include <stdlib.h>
#include <string.h>

#include "cloud_ops.h"
#include "resource_private.h"
#include "table_value.h"
#include "tpd_alloc.h"
#include "ttl_table.h"
#include "ttl_table_internal.h"

static void s_bad_id(struct diag_list *diags, const char *id) {
    diag_add(
        diags,
        DIAG_ERROR,
        NULL,
        "Invalid import ID",
        "The import ID is \"TABLE\", \"STACK/TABLE\" or the table's ARN, for example "
        "\"firefly-registration-keys\", "
        "\"firefly-dynamodb-registration-keys/firefly-registration-keys\" or "
        "\"arn:aws:dynamodb:us-east-1:123456789012:table/firefly-registration-keys\"; got \"%s\".",
        id ? id : "");
}

/* Split the ID: a table ARN (arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME), STACK/TABLE,
 * or TABLE. false: malformed. */
static bool s_parse_id(const char *id, char **stack, char **table) {
    *stack = *table = NULL;
    if (!id || !*id) {
        return false;
    }
    if (strncmp(id, "arn:", 4) == 0) {
        const char *t = strstr(id, ":table/");
        const char *svc = strstr(id, ":dynamodb:");
        if (!t || !svc || svc > t || !t[7] || strchr(t + 7, '/')) {
            return false;
        }
        *table = tpd_strdup(t + 7);
        return *table != NULL;
    }
    const char *slash = strchr(id, '/');
    if (slash) {
        *stack = tpd_strndup(id, (size_t)(slash - id));
        *table = tpd_strdup(slash + 1);
        return *stack && *table && **stack && **table && !strchr(*table, '/');
    }
    *table = tpd_strdup(id);
    return *table != NULL;
}

void ttl_table_import(
    const struct cloud_ops *ops,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *state = NULL;
    char *stack = NULL, *table = NULL, *derived = NULL;
    struct cloud_read_result r = {0}, rs = {0};
    struct tpd_err err = {0};
    if (!s_parse_id(id, &stack, &table)) {
        s_bad_id(diags, id);
        goto done;
    }
    struct cloud_read_request q = {
        .table = table, .with_tags = true, .with_features = true, .owner_of = table};
    enum tpd_code rc = ops->read(ops->ctx, &q, &r, &err);
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the table to import", &err);
        goto done;
    }
    if (!r.table.exists) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Cannot import a table that does not exist",
            "DynamoDB table \"%s\" does not exist in this account and region.",
            table);
        goto done;
    }
    const char *owner = r.owner_stack;
    if (stack && (!owner || strcmp(owner, stack) != 0)) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Import ID names the wrong stack",
            "Stack \"%s\" does not hold DynamoDB table \"%s\"%s%s%s. Nothing was imported. Use the "
            "ID %s%s%s.",
            stack,
            table,
            owner ? " (the table is in stack \"" : " (the table is in no stack",
            owner ? owner : "",
            owner ? "\")" : ")",
            owner ? owner : "",
            owner ? "/" : "",
            table);
        goto done;
    }
    if (!stack && owner) {
        stack = tpd_strdup(owner);
        if (!stack) {
            diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Importing ran out of memory.");
            goto done;
        }
    }
    bool retain = false;
    const struct stack_facts *s = &rs.stacks[0];
    if (stack) {
        struct cloud_read_request qs = {.stacks = {stack}, .stack_what = {CLOUD_STACK_FULL}};
        rc = ops->read(ops->ctx, &qs, &rs, &err);
        if (rc) {
            diag_add_err(diags, NULL, "Cannot read the table's stack", &err);
            goto done;
        }
        struct tpd_text why;
        tpd_text_init(&why, 0);
        /* The user names this stack explicitly (or it holds the table): it becomes this
         * resource's if it holds only the table, whoever owned it. */
        struct owner_claim claim = {.stack_id = s->id};
        enum stack_kind k = ownership_classify(s, table, &claim, &why);
        if (k != STACK_OWN || !s->tpl.read) {
            diag_add(
                diags,
                DIAG_ERROR,
                NULL,
                "Stack cannot be managed by this resource",
                "DynamoDB table \"%s\" is in a stack this resource cannot take over: %s. Nothing "
                "was imported.",
                table,
                k == STACK_OWN ? "its template could not be read, so its DeletionPolicy is unknown"
                               : tpd_text_cstr_or(&why, "out of memory writing why"));
            tpd_text_clear(&why);
            goto done;
        }
        tpd_text_clear(&why);
        const char *dp = s->tpl.deletion_policy;
        retain = dp && (!strcmp(dp, "Retain") || !strcmp(dp, "RetainExceptOnCreate"));
    } else {
        derived = table_spec_default_stack_name(table);
        if (!derived) {
            diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Importing ran out of memory.");
            goto done;
        }
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Table is not in a CloudFormation stack",
            "DynamoDB table \"%s\" is not owned by any stack. The next apply adopts it into the "
            "stack_name of the configuration (default \"%s\") with an IMPORT change set; no item "
            "is touched, and the plan lists every setting the adoption would change.",
            table,
            derived);
    }
    struct table_state_args a = {
        .ref = NULL,
        .live = &r.table,
        .stack_name = stack ? stack : derived,
        .stack_id = stack ? s->id : NULL,
        .owner_id = stack ? s->tpl.marked_owner : NULL,
        .retain_on_destroy = retain,
    };
    *state = table_value_state(&a);
    /* Until an apply succeeds, the configuration was never applied to this table: a plan
     * that would replace it is refused (resource_private.h). */
    struct resource_private priv = {
        .imported = true,
        .protection_known = true,
        .protection_applied = r.table.spec.deletion_protection,
    };
    if (!*state || resource_private_encode(&priv, private_out) != TPD_OK) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Importing ran out of memory.");
    }
done:
    free(stack);
    free(table);
    free(derived);
    cloud_read_result_clear(&r);
    cloud_read_result_clear(&rs);
    tpd_err_clear(&err);
}
