/*
 * ttl_table_common: helpers shared by the resource's read, plan, apply and import.
 */
#include <stdlib.h>
#include <string.h>

#include "aws_quota.h"
#include "tpd_alloc.h"
#include "ttl_table_internal.h"

void ttl_table_refusal_diag(struct diag_list *diags, const struct refusal *r) {
    struct tfv_path path = {0};
    if (r->attr && tfv_path_push_attr(&path, r->attr) != TPD_OK) {
        tfv_path_clear(&path); /* out of memory: the diagnostic goes without its path */
    }
    if (r->rc) {
        /* Still a refusal: an error that stops the change, without the reason it lost. */
        diag_add(
            diags,
            DIAG_ERROR,
            r->attr ? &path : NULL,
            "Refused, out of memory",
            "The provider refused this change and ran out of memory writing why (%s); it did "
            "not go ahead. Run the command again to see the reason.",
            tpd_code_str(r->rc));
        tfv_path_clear(&path);
        return;
    }
    diag_add(
        diags,
        DIAG_ERROR,
        r->attr ? &path : NULL,
        tpd_buf_cstr(&r->summary),
        "%s",
        tpd_buf_cstr(&r->detail));
    tfv_path_clear(&path);
}

void ttl_table_plan_diags(struct diag_list *diags, const struct action_plan *p) {
    for (size_t i = 0; i < p->note_count; i++) {
        diag_add(diags, DIAG_WARNING, NULL, p->notes[i].summary, "%s", p->notes[i].detail);
    }
    if (p->rc) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Out of memory",
            "The provider ran out of memory writing out what it would do (%s); nothing was "
            "changed. Run the command again.",
            tpd_code_str(p->rc));
    }
}

/*
 * DynamoDB's Time to Live answers, as they surface in stack events or direct calls,
 * explained: the raw texts ("Time to live has been modified multiple times within a
 * fixed interval", "TimeToLive is already enabled", "TimeToLive is active on a different
 * AttributeName") do not say what to do next.
 */
static const char *s_ttl_hint(const char *msg) {
    if (!msg) {
        return NULL;
    }
    if (strstr(msg, "modified multiple times")) {
        return "DynamoDB allows about one Time to Live change per table per hour. The table keeps "
               "its current TTL setting; wait an hour and apply again.";
    }
    if (strstr(msg, "already enabled") || strstr(msg, "already disabled")) {
        return "Time to Live was already in the requested state, most likely changed outside "
               "Terraform. Run terraform apply again: the refresh picks up the real setting.";
    }
    if (strstr(msg, "active on a different AttributeName")) {
        return "TTL is enabled on another attribute. Rename it in two steps: set enabled = false "
               "with the current attribute_name and apply; about an hour later set the new "
               "attribute_name with enabled = true and apply.";
    }
    return NULL;
}

/* A quota AWS reports (aws/include/aws_quota.h: table class and on-demand switches, throughput
 * decreases, tables or indexes per account...): the answer explained, with what was hit,
 * when it can be tried again and that nothing was lost. True when it added one. */
static bool s_quota_diag(
    struct diag_list *diags, enum diag_severity sev, const char *what, const struct tpd_err *err) {
    struct aws_quota q;
    aws_quota_of_err(err->aws_service ? err->aws_service : "dynamodb", err, &q);
    if (q.kind != AWS_QUOTA_EXCEEDED) {
        return false;
    }
    struct tpd_buf text;
    tpd_buf_init(&text, TPD_MAX_ERROR_MSG * 4);
    enum tpd_code rc = aws_quota_explain(&q, &text);
    if (!rc) {
        rc = tpd_buf_printf(&text, "\n\n%s", err->msg ? err->msg : tpd_code_str(err->code));
    }
    if (!rc && err->aws_code) {
        rc = tpd_buf_printf(&text, "\n\nAWS error code: %s", err->aws_code);
    }
    if (!rc && err->request_id && *err->request_id) {
        rc = tpd_buf_printf(&text, "\nRequest ID: %s", err->request_id);
    }
    if (!rc) {
        diag_add(diags, sev, NULL, what, "%s", tpd_buf_cstr(&text));
    }
    tpd_buf_clear(&text);
    return rc == TPD_OK; /* else the plain error below still says what AWS answered */
}

static void s_error_diag(
    struct diag_list *diags,
    const char *what,
    const char *doing,
    const struct tpd_err *err,
    bool as_warning) {
    enum diag_severity sev = as_warning ? DIAG_WARNING : DIAG_ERROR;
    const char *hint = s_ttl_hint(err->msg);
    if (err->code != TPD_E_TIMEOUT && err->code != TPD_E_STOPPED &&
        s_quota_diag(diags, sev, what, err)) {
        return;
    }
    if (err->code == TPD_E_TIMEOUT) {
        diag_add(
            diags,
            sev,
            NULL,
            "Timed out waiting for AWS",
            "%s timed out (%s). CloudFormation carries on with the operation; the state records "
            "what exists and the next apply waits for the stack and continues. To wait longer, "
            "raise the matching value in `timeouts`.",
            doing,
            err->msg ? err->msg : "deadline reached");
    } else if (err->code == TPD_E_STOPPED) {
        diag_add(
            diags,
            sev,
            NULL,
            "Stopped",
            "%s was interrupted by a stop request; the state records what exists, and the next "
            "apply continues from there.",
            doing);
    } else if (hint) {
        diag_add(diags, sev, NULL, what, "%s\n\n%s", err->msg ? err->msg : "", hint);
    } else if (as_warning) {
        if (err->aws_code) {
            diag_add(
                diags,
                sev,
                NULL,
                what,
                "%s (AWS error %s)",
                err->msg ? err->msg : tpd_code_str(err->code),
                err->aws_code);
        } else {
            diag_add(diags, sev, NULL, what, "%s", err->msg ? err->msg : tpd_code_str(err->code));
        }
    } else {
        diag_add_err(diags, NULL, what, err);
    }
}

void ttl_table_error_diag(
    struct diag_list *diags, const char *doing, const struct tpd_err *err, bool as_warning) {
    struct tpd_buf failed;
    tpd_buf_init(&failed, 0);
    const char *what =
        tpd_buf_printf(&failed, "%s failed", doing) == TPD_OK ? tpd_buf_cstr(&failed) : doing;
    s_error_diag(diags, what, doing, err, as_warning);
    tpd_buf_clear(&failed);
}

void ttl_table_error_diag_as(
    struct diag_list *diags, const char *summary, const struct tpd_err *err, bool as_warning) {
    s_error_diag(diags, summary, summary, err, as_warning);
}
