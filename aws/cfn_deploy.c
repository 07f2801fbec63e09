/*
 * cfn_deploy: change sets and stack deletion with tokens, lost answers and waits (see
 * cfn_deploy.h).
 */
#include "cfn_deploy.h"

#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_limits.h"
#include "tpd_log.h"

static atomic_uint s_token_counter;

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static char *s_dup(const char *s) {
    return s ? tpd_strdup(s) : NULL;
}

void cfn_deploy_token(char *buf, size_t cap, const char *prefix, const char *kind) {
    unsigned char rnd[6] = {0};
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        unsigned v = atomic_fetch_add(&s_token_counter, 1);
        memcpy(rnd, &v, sizeof v);
    }
    snprintf(
        buf,
        cap,
        "%s%s-%lld-%02x%02x%02x%02x%02x%02x",
        prefix ? prefix : "",
        kind,
        (long long)tpd_wall_s(),
        rnd[0],
        rnd[1],
        rnd[2],
        rnd[3],
        rnd[4],
        rnd[5]);
}

static bool s_ends_with(const char *s, const char *suffix) {
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool cfn_deploy_status_in_progress(const char *status) {
    return s_ends_with(status, "_IN_PROGRESS") && strcmp(status, "REVIEW_IN_PROGRESS") != 0;
}

void cfn_deploy_result_clear(struct cfn_deploy_result *r) {
    free(r->stack_id);
    free(r->final_status);
    memset(r, 0, sizeof(*r));
}

/* Append the failure reasons of one operation (its token; NULL: the latest operation) to
 * err's message. */
static void s_add_event_reasons(
    struct aws_client *c, const char *stack, const char *token, struct tpd_err *err) {
    char *text = NULL;
    struct tpd_err e2 = {0};
    if (cfn_collect_failure_reasons(c, stack, token, &text, &e2) == TPD_OK && text && *text) {
        struct tpd_buf b;
        tpd_buf_init(&b, TPD_MAX_ERROR_MSG);
        if (tpd_buf_printf(
                &b,
                "%s\n\nStack events:\n%s",
                err->msg ? err->msg : tpd_code_str(err->code),
                text) == TPD_OK) {
            free(err->msg);
            err->msg = tpd_buf_detach(&b);
        }
        tpd_buf_clear(&b);
    }
    free(text);
    tpd_err_clear(&e2);
}

/* Did the operation with this token start on the stack? (Its events carry it.) */
static bool s_token_seen(struct aws_client *c, const char *stack, const char *token) {
    struct cfn_events ev = {0};
    struct tpd_err e = {0};
    bool seen = false;
    if (cfn_describe_stack_events(c, stack, 0, 200, &ev, &e) == TPD_OK) {
        for (size_t i = 0; i < ev.count && !seen; i++) {
            seen = s_eq(ev.v[i].client_request_token, token);
        }
    }
    cfn_events_clear(&ev);
    tpd_err_clear(&e);
    return seen;
}

/*
 * CreateChangeSet, recognising its own lost first attempt: the change set name is
 * unique to this deploy, so AlreadyExistsException for it after a retry means the first
 * attempt created it (CloudFormation API reference, CreateChangeSet ClientToken).
 */
static enum tpd_code s_create_change_set(
    struct aws_client *c,
    const struct cfn_create_change_set_input *in,
    char **stack_id,
    struct tpd_err *err) {
    char *cs_id = NULL;
    enum tpd_code rc = cfn_create_change_set(c, in, &cs_id, stack_id, err);
    free(cs_id);
    if (rc == TPD_E_AWS && tpd_err_is_aws(err, "AlreadyExistsException")) {
        struct cfn_change_set cs = {0};
        struct tpd_err e2 = {0};
        if (cfn_describe_change_set(c, in->stack_name, in->change_set_name, &cs, &e2) == TPD_OK) {
            TPD_INFO(
                "stack %s: change set %s already exists (an earlier attempt of this call was "
                "answered but the answer was lost): continuing",
                in->stack_name,
                in->change_set_name);
            tpd_err_clear(err);
            free(*stack_id);
            *stack_id = s_dup(cs.stack_id);
            rc =
                cs.stack_id && !*stack_id ? tpd_err_set(err, TPD_E_NOMEM, "out of memory") : TPD_OK;
        }
        cfn_change_set_clear(&cs);
        tpd_err_clear(&e2);
    }
    return rc;
}

/* ExecuteChangeSet, recognising its own lost first attempt: the change set is then
 * already executing or executed, or the stack's events carry our token. */
static enum tpd_code s_execute_change_set(
    struct aws_client *c,
    const char *stack,
    const char *cs_name,
    const char *token,
    struct tpd_err *err) {
    enum tpd_code rc = cfn_execute_change_set(c, stack, cs_name, token, err);
    if (rc != TPD_E_AWS && rc != TPD_E_NOT_FOUND) {
        return rc;
    }
    bool done = false;
    struct cfn_change_set cs = {0};
    struct tpd_err e2 = {0};
    if (cfn_describe_change_set(c, stack, cs_name, &cs, &e2) == TPD_OK) {
        done = s_eq(cs.execution_status, "EXECUTE_IN_PROGRESS") ||
               s_eq(cs.execution_status, "EXECUTE_COMPLETE") ||
               s_eq(cs.execution_status, "EXECUTE_FAILED");
    }
    cfn_change_set_clear(&cs);
    tpd_err_clear(&e2);
    if (!done) {
        done = s_token_seen(c, stack, token);
    }
    if (done) {
        TPD_INFO(
            "stack %s: change set %s is already executing (an earlier attempt of this call was "
            "answered but the answer was lost): continuing",
            stack,
            cs_name);
        tpd_err_clear(err);
        return TPD_OK;
    }
    return rc;
}

static enum cfn_stack_waiter s_waiter_for(enum cfn_change_set_type t) {
    switch (t) {
        case CFN_CHANGE_SET_CREATE:
            return CFN_WAIT_STACK_CREATE_COMPLETE;
        case CFN_CHANGE_SET_IMPORT:
            return CFN_WAIT_STACK_IMPORT_COMPLETE;
        case CFN_CHANGE_SET_UPDATE:
            break;
    }
    return CFN_WAIT_STACK_UPDATE_COMPLETE;
}

enum tpd_code cfn_deploy(
    struct aws_client *c,
    const struct cfn_deploy_options *o,
    const struct cfn_deploy_input *in,
    struct cfn_deploy_result *r,
    struct tpd_err *err) {
    static const char *const type_names[] = {"create", "update", "import"};
    const char *type = type_names[in->type];
    char cs_name[CFN_DEPLOY_TOKEN_MAX], exec_token[CFN_DEPLOY_TOKEN_MAX + 4];
    cfn_deploy_token(cs_name, sizeof cs_name, o->token_prefix, type);
    snprintf(exec_token, sizeof exec_token, "%s-x", cs_name);

    struct cfn_create_change_set_input cin = {
        .stack_name = in->stack_name,
        .change_set_name = cs_name,
        .type = in->type,
        .template_body = in->template_body,
        .tags = in->tags,
        .tag_count = in->tag_count,
        .clear_tags_when_empty = in->replace_tags,
        .description = o->description,
        .imports = in->imports,
        .import_count = in->import_count,
        .client_token = cs_name,
    };
    char *stack_id = NULL;
    struct cfn_change_set cs = {0};
    struct cfn_stack final = {0};

    TPD_INFO("stack %s: creating %s change set %s", in->stack_name, type, cs_name);
    enum tpd_code rc = s_create_change_set(c, &cin, &stack_id, err);
    if (rc) {
        tpd_err_prefix(err, "CreateChangeSet (%s) for stack %s: ", type, in->stack_name);
        goto done;
    }
    if (stack_id) {
        free(r->stack_id);
        r->stack_id = stack_id;
        stack_id = NULL;
    }
    rc = cfn_wait_change_set_create_complete(c, in->stack_name, cs_name, &o->wait, &cs, err);
    if (rc == TPD_E_FAILED && cfn_change_set_is_empty(cs.status, cs.status_reason)) {
        /* Nothing to change: success. Unlike `aws cloudformation deploy`, do not leave the
         * FAILED change set behind on the stack. */
        struct tpd_err ignored = {0};
        if (cfn_delete_change_set(c, in->stack_name, cs_name, &ignored) != TPD_OK) {
            TPD_DEBUG("stack %s: the empty change set %s stays", in->stack_name, cs_name);
        }
        tpd_err_clear(&ignored);
        tpd_err_clear(err);
        r->empty = true;
        rc = TPD_OK;
        goto done;
    }
    if (rc) {
        if (rc == TPD_E_FAILED) {
            tpd_err_set(
                err,
                TPD_E_FAILED,
                "the %s change set for stack %s failed: %s",
                type,
                in->stack_name,
                cs.status_reason ? cs.status_reason : "no reason given");
        }
        goto done;
    }
    TPD_INFO("stack %s: executing change set %s", in->stack_name, cs_name);
    rc = s_execute_change_set(c, in->stack_name, cs_name, exec_token, err);
    if (rc) {
        tpd_err_prefix(err, "ExecuteChangeSet for stack %s: ", in->stack_name);
        goto done;
    }
    r->executed = true;
    rc = cfn_wait_stack(c, in->stack_name, s_waiter_for(in->type), &o->wait, &final, err);
    if (final.status) {
        free(r->final_status);
        r->final_status = s_dup(final.status);
    }
    if (final.id && !r->stack_id) {
        r->stack_id = s_dup(final.id);
    }
    if (rc == TPD_E_FAILED) {
        s_add_event_reasons(c, in->stack_name, exec_token, err);
    }
done:
    free(stack_id);
    cfn_change_set_clear(&cs);
    cfn_stack_clear(&final);
    return rc;
}

enum tpd_code cfn_deploy_delete_stack(
    struct aws_client *c,
    const struct cfn_deploy_options *o,
    const char *name,
    const char *retain_logical_id,
    struct tpd_err *err) {
    struct cfn_stack final = {0};
    char token[CFN_DEPLOY_TOKEN_MAX];
    cfn_deploy_token(token, sizeof token, o->token_prefix, "delete");
    /* RetainResources is only accepted for a stack already in DELETE_FAILED: its status
     * is read only when there is a resource to keep. */
    struct cfn_stack cur = {0};
    bool delete_failed = false;
    if (retain_logical_id && cfn_describe_stack(c, name, &cur, NULL) == TPD_OK) {
        delete_failed = s_eq(cur.status, "DELETE_FAILED");
    }
    cfn_stack_clear(&cur);
    const char *retain[] = {retain_logical_id};
    bool use_retain = retain_logical_id && delete_failed;
    enum tpd_code rc =
        cfn_delete_stack(c, name, use_retain ? retain : NULL, use_retain ? 1 : 0, token, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (!rc) {
        rc = cfn_wait_stack(c, name, CFN_WAIT_STACK_DELETE_COMPLETE, &o->wait, &final, err);
    }
    if (rc == TPD_E_FAILED && retain_logical_id && s_eq(final.status, "DELETE_FAILED") &&
        !use_retain) {
        /* The resource must survive: delete again, keeping it explicitly. */
        s_add_event_reasons(c, name, token, err);
        TPD_INFO(
            "stack %s: DELETE_FAILED; deleting it again, keeping resource %s",
            name,
            retain_logical_id);
        cfn_stack_clear(&final);
        tpd_err_clear(err);
        cfn_deploy_token(token, sizeof token, o->token_prefix, "delete");
        rc = cfn_delete_stack(c, name, retain, 1, token, err);
        if (!rc) {
            rc = cfn_wait_stack(c, name, CFN_WAIT_STACK_DELETE_COMPLETE, &o->wait, &final, err);
        }
    }
    if (rc == TPD_E_FAILED) {
        s_add_event_reasons(c, name, token, err);
    }
    cfn_stack_clear(&final);
    return rc;
}

enum tpd_code cfn_deploy_wait_settled(
    struct aws_client *c,
    const struct cfn_deploy_options *o,
    const char *name,
    struct cfn_stack *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    char *last = NULL;
    enum tpd_code rc = TPD_OK;
    for (int n = 0;; n++) {
        cfn_stack_clear(out);
        rc = cfn_describe_stack(c, name, out, err);
        if (rc == TPD_E_NOT_FOUND) {
            tpd_err_clear(err);
            cfn_stack_clear(out);
            rc = TPD_OK;
            break;
        }
        if (rc || !cfn_deploy_status_in_progress(out->status)) {
            break;
        }
        if (!s_eq(last, out->status)) {
            TPD_INFO("stack %s: %s", name, out->status);
            free(last);
            last = s_dup(out->status);
        }
        rc = aws_waiter_sleep(c, &o->wait, n);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for stack %s to settle: %s (last status %s)",
                name,
                rc == TPD_E_STOPPED ? "stopped on request" : "timed out",
                last ? last : "unknown");
            break;
        }
    }
    free(last);
    if (rc) {
        cfn_stack_clear(out);
    }
    return rc;
}
