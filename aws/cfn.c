/*
 * cfn: CloudFormation Query calls over aws_client (see cfn.h). Bodies are built
 * with aws_query (botocore QuerySerializer key forms); responses are read from the
 * <Op>Response/<Op>Result envelope with aws_xml; paginated calls go through
 * aws_paginate. Out of memory is always TPD_E_NOMEM: a text that could not be copied
 * is never taken for an absent one.
 */
#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_paginate.h"
#include "aws_query.h"
#include "aws_time.h"
#include "aws_xml.h"
#include "tpd_alloc.h"

#define CFN_VERSION "2010-05-15"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One text field of a response element: where it is and where its copy goes. */
struct s_field {
    const char *path;
    char **dst;
    bool keep_empty; /* copy "" as "" (values that may be empty), else as NULL */
};

/* Copy the fields; NULL for absent ones. TPD_E_NOMEM when a present text could not be
 * copied (what was copied stays in place for the caller's _clear). */
static enum tpd_code s_fields(const struct aws_xml_node *n, const struct s_field *f, size_t count) {
    for (size_t i = 0; i < count; i++) {
        const char *t = aws_xml_text(n, f[i].path);
        if (!t || (!*t && !f[i].keep_empty)) {
            *f[i].dst = NULL;
            continue;
        }
        *f[i].dst = tpd_strdup(t);
        if (!*f[i].dst) {
            return TPD_E_NOMEM;
        }
    }
    return TPD_OK;
}

/* One non-empty text as a heap copy (NULL when absent or empty). */
static enum tpd_code s_text(const struct aws_xml_node *n, const char *path, char **out) {
    const struct s_field f = {path, out, false};
    return s_fields(n, &f, 1);
}

static int64_t s_time(const struct aws_xml_node *n, const char *path) {
    int64_t v = 0;
    const char *t = aws_xml_text(n, path);
    if (t && *t && aws_parse_iso8601(t, &v) != TPD_OK) {
        v = 0;
    }
    return v;
}

static enum tpd_code s_nomem(struct tpd_err *err, const char *op) {
    return tpd_err_set(err, TPD_E_NOMEM, "%s: out of memory", op);
}

/* Send q; on success *root is the parsed response and *result its <op>Result. */
static enum tpd_code s_call(
    struct aws_client *c,
    const char *op,
    struct aws_query *q,
    struct aws_xml_node **root,
    const struct aws_xml_node **result,
    struct tpd_err *err) {
    *root = NULL;
    if (result) {
        *result = NULL;
    }
    if (q->rc) {
        return tpd_err_set(err, q->rc, "%s: cannot build the request: %s", op, tpd_code_str(q->rc));
    }
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    enum tpd_code rc =
        aws_client_call(c, AWS_SVC_CLOUDFORMATION, op, tpd_buf_span(&q->body), &resp, err);
    if (rc) {
        goto done;
    }
    rc = aws_xml_parse(tpd_buf_span(&resp.body), root, err);
    if (rc) {
        tpd_err_prefix(err, "%s: response: ", op);
        tpd_err_set_aws(err, resp.status, NULL, resp.request_id);
        goto done;
    }
    if (result) {
        char name[TPD_MAX_LABEL]; /* op is one of this module's operation names */
        snprintf(name, sizeof(name), "%sResult", op);
        *result = aws_xml_child(*root, name);
        if (!*result) {
            aws_xml_free(*root);
            *root = NULL;
            rc = tpd_err_set(err, TPD_E_PARSE, "%s: the response has no <%s> element", op, name);
            tpd_err_set_aws(err, resp.status, NULL, resp.request_id);
        }
    }
done:
    aws_http_response_clear(&resp);
    return rc;
}

static bool s_msg_has(const struct tpd_err *err, const char *needle) {
    return err && err->msg && strstr(err->msg, needle);
}

/* ---- DescribeStacks ------------------------------------------------------------ */

void cfn_stack_clear(struct cfn_stack *s) {
    free(s->description);
    free(s->id);
    free(s->name);
    free(s->status);
    free(s->status_reason);
    for (size_t i = 0; i < s->output_count; i++) {
        free(s->outputs[i].key);
        free(s->outputs[i].value);
        free(s->outputs[i].description);
        free(s->outputs[i].export_name);
    }
    free(s->outputs);
    tpd_kv_array_free(s->tags, s->tag_count);
    memset(s, 0, sizeof(*s));
}

static size_t s_count_members(const struct aws_xml_node *list) {
    size_t n = 0;
    for (const struct aws_xml_node *m = aws_xml_child(list, "member"); m;
         m = aws_xml_next_same(m)) {
        n++;
    }
    return n;
}

static enum tpd_code s_parse_outputs(const struct aws_xml_node *outs, struct cfn_stack *out) {
    size_t no = s_count_members(outs);
    if (!no) {
        return TPD_OK;
    }
    out->outputs = tpd_calloc(no, sizeof(*out->outputs));
    if (!out->outputs) {
        return TPD_E_NOMEM;
    }
    for (const struct aws_xml_node *o = aws_xml_child(outs, "member"); o;
         o = aws_xml_next_same(o)) {
        struct cfn_output *d = &out->outputs[out->output_count++];
        const struct s_field f[] = {
            {"OutputKey", &d->key, false},
            {"OutputValue", &d->value, true},
            {"Description", &d->description, false},
            {"ExportName", &d->export_name, false},
        };
        enum tpd_code rc = s_fields(o, f, COUNT(f));
        if (rc) {
            return rc;
        }
    }
    return TPD_OK;
}

static enum tpd_code s_parse_tags(const struct aws_xml_node *tags, struct cfn_stack *out) {
    size_t nt = s_count_members(tags);
    if (!nt) {
        return TPD_OK;
    }
    out->tags = tpd_calloc(nt, sizeof(*out->tags));
    if (!out->tags) {
        return TPD_E_NOMEM;
    }
    for (const struct aws_xml_node *t = aws_xml_child(tags, "member"); t;
         t = aws_xml_next_same(t)) {
        enum tpd_code rc = tpd_kv_set(
            &out->tags[out->tag_count], aws_xml_text(t, "Key"), aws_xml_text(t, "Value"));
        if (rc) {
            return rc;
        }
        out->tag_count++;
    }
    return TPD_OK;
}

static enum tpd_code s_parse_stack(const struct aws_xml_node *m, struct cfn_stack *out) {
    const struct s_field f[] = {
        {"StackId", &out->id, false},
        {"StackName", &out->name, false},
        {"StackStatus", &out->status, false},
        {"StackStatusReason", &out->status_reason, false},
        {"Description", &out->description, false},
    };
    enum tpd_code rc = s_fields(m, f, COUNT(f));
    out->creation_time_s = s_time(m, "CreationTime");
    out->last_updated_time_s = s_time(m, "LastUpdatedTime");
    rc = rc ? rc : s_parse_outputs(aws_xml_child(m, "Outputs"), out);
    rc = rc ? rc : s_parse_tags(aws_xml_child(m, "Tags"), out);
    if (rc) {
        return rc;
    }
    return out->id && out->name && out->status ? TPD_OK : TPD_E_PARSE;
}

enum tpd_code cfn_describe_stack(
    struct aws_client *c, const char *name, struct cfn_stack *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct aws_query q;
    aws_query_init(&q, "DescribeStacks", CFN_VERSION);
    aws_query_add(&q, "StackName", name);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(c, "DescribeStacks", &q, &root, &res, err);
    if (rc) {
        if (tpd_err_is_aws(err, "ValidationError") && s_msg_has(err, "does not exist")) {
            rc = TPD_E_NOT_FOUND;
            err->code = rc;
        }
        goto done;
    }
    const struct aws_xml_node *m = aws_xml_path(res, "Stacks/member");
    if (!m) {
        rc = tpd_err_set(err, TPD_E_NOT_FOUND, "DescribeStacks: stack %s not found", name);
        goto done;
    }
    rc = s_parse_stack(m, out);
    if (rc) {
        cfn_stack_clear(out);
        tpd_err_set(
            err,
            rc,
            "DescribeStacks %s: %s",
            name,
            rc == TPD_E_PARSE ? "StackId, StackName or StackStatus missing" : tpd_code_str(rc));
    }
done:
    aws_xml_free(root);
    aws_query_clear(&q);
    return rc;
}

/* ---- change sets --------------------------------------------------------------- */

static const char *s_cs_type(enum cfn_change_set_type t) {
    switch (t) {
        case CFN_CHANGE_SET_CREATE:
            return "CREATE";
        case CFN_CHANGE_SET_IMPORT:
            return "IMPORT";
        case CFN_CHANGE_SET_UPDATE:
        default:
            return "UPDATE";
    }
}

static void
s_build_create_change_set(struct aws_query *q, const struct cfn_create_change_set_input *in) {
    aws_query_add(q, "StackName", in->stack_name);
    aws_query_add(q, "TemplateBody", in->template_body);
    if (in->capability_count) { /* botocore omits absent lists */
        aws_query_add_list(q, "Capabilities", in->capabilities, in->capability_count);
    }
    for (size_t i = 0; i < in->import_count; i++) {
        const struct cfn_import_resource *r = &in->imports[i];
        aws_query_addf(q, r->resource_type, "ResourcesToImport.member.%zu.ResourceType", i + 1);
        aws_query_addf(q, r->logical_id, "ResourcesToImport.member.%zu.LogicalResourceId", i + 1);
        for (size_t k = 0; k < r->identifier_count; k++) {
            aws_query_addf(
                q,
                r->identifier[k].key,
                "ResourcesToImport.member.%zu.ResourceIdentifier.entry.%zu.key",
                i + 1,
                k + 1);
            aws_query_addf(
                q,
                r->identifier[k].value,
                "ResourcesToImport.member.%zu.ResourceIdentifier.entry.%zu.value",
                i + 1,
                k + 1);
        }
    }
    if (in->tag_count == 0 && in->clear_tags_when_empty) {
        aws_query_add(q, "Tags", "");
    }
    for (size_t i = 0; i < in->tag_count; i++) {
        aws_query_addf(q, in->tags[i].key, "Tags.member.%zu.Key", i + 1);
        aws_query_addf(q, in->tags[i].value, "Tags.member.%zu.Value", i + 1);
    }
    aws_query_add(q, "ChangeSetName", in->change_set_name);
    aws_query_add(q, "ClientToken", in->client_token);
    aws_query_add(q, "Description", in->description);
    aws_query_add(q, "ChangeSetType", s_cs_type(in->type));
}

enum tpd_code cfn_create_change_set_body(
    const struct cfn_create_change_set_input *in, struct tpd_buf *body, struct tpd_err *err) {
    struct aws_query q;
    aws_query_init(&q, "CreateChangeSet", CFN_VERSION);
    s_build_create_change_set(&q, in);
    enum tpd_code rc = q.rc ? q.rc : tpd_buf_append_span(body, tpd_buf_span(&q.body));
    aws_query_clear(&q);
    return rc ? tpd_err_set(err, rc, "CreateChangeSet: %s", tpd_code_str(rc)) : TPD_OK;
}

enum tpd_code cfn_create_change_set(
    struct aws_client *c,
    const struct cfn_create_change_set_input *in,
    char **change_set_id,
    char **stack_id,
    struct tpd_err *err) {
    if (change_set_id) {
        *change_set_id = NULL;
    }
    if (stack_id) {
        *stack_id = NULL;
    }
    if (!in->stack_name || !in->change_set_name || !in->template_body) {
        return tpd_err_set(
            err,
            TPD_E_INVALID,
            "CreateChangeSet: stack name, change set name and template are required");
    }
    struct aws_query q;
    aws_query_init(&q, "CreateChangeSet", CFN_VERSION);
    s_build_create_change_set(&q, in);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(c, "CreateChangeSet", &q, &root, &res, err);
    if (!rc && change_set_id) {
        rc = s_text(res, "Id", change_set_id);
    }
    if (!rc && stack_id) {
        rc = s_text(res, "StackId", stack_id);
    }
    if (rc == TPD_E_NOMEM) {
        /* The change set exists but we cannot say which: report, never guess. */
        s_nomem(err, "CreateChangeSet");
        if (change_set_id) {
            free(*change_set_id);
            *change_set_id = NULL;
        }
    }
    aws_xml_free(root);
    aws_query_clear(&q);
    return rc;
}

void cfn_change_set_clear(struct cfn_change_set *cs) {
    free(cs->id);
    free(cs->stack_id);
    free(cs->status);
    free(cs->status_reason);
    free(cs->execution_status);
    for (size_t i = 0; i < cs->change_count; i++) {
        free(cs->changes[i].action);
        free(cs->changes[i].logical_id);
        free(cs->changes[i].physical_id);
        free(cs->changes[i].resource_type);
        free(cs->changes[i].replacement);
    }
    free(cs->changes);
    memset(cs, 0, sizeof(*cs));
}

struct s_cs_pages {
    struct aws_client *c;
    const char *stack;
    const char *change_set;
    struct cfn_change_set *out;
    size_t cap;
};

static enum tpd_code s_parse_changes(const struct aws_xml_node *changes, struct s_cs_pages *p) {
    struct cfn_change_set *out = p->out;
    size_t n = s_count_members(changes);
    if (n && !TPD_ARRAY_RESERVE(out->changes, p->cap, out->change_count + n)) {
        return TPD_E_NOMEM;
    }
    for (const struct aws_xml_node *m = aws_xml_child(changes, "member"); m;
         m = aws_xml_next_same(m)) {
        const struct aws_xml_node *rcg = aws_xml_child(m, "ResourceChange");
        struct cfn_change *d = &out->changes[out->change_count++];
        memset(d, 0, sizeof(*d));
        const struct s_field f[] = {
            {"Action", &d->action, false},
            {"LogicalResourceId", &d->logical_id, false},
            {"PhysicalResourceId", &d->physical_id, false},
            {"ResourceType", &d->resource_type, false},
            {"Replacement", &d->replacement, false},
        };
        enum tpd_code rc = s_fields(rcg, f, COUNT(f));
        if (rc) {
            return rc;
        }
    }
    return TPD_OK;
}

static enum tpd_code
s_change_set_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_cs_pages *p = ud;
    struct aws_query q;
    aws_query_init(&q, "DescribeChangeSet", CFN_VERSION);
    aws_query_add(&q, "ChangeSetName", p->change_set);
    aws_query_add(&q, "StackName", p->stack);
    aws_query_add(&q, "NextToken", token);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(p->c, "DescribeChangeSet", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        /* AWS answers ChangeSetNotFound; some emulators a ValidationError. */
        if (tpd_err_is_aws(err, "ValidationError") && s_msg_has(err, "does not exist")) {
            rc = TPD_E_NOT_FOUND;
            err->code = rc;
        }
        return rc;
    }
    if (!token) {
        struct cfn_change_set *out = p->out;
        const struct s_field f[] = {
            {"ChangeSetId", &out->id, false},
            {"StackId", &out->stack_id, false},
            {"Status", &out->status, false},
            {"StatusReason", &out->status_reason, false},
            {"ExecutionStatus", &out->execution_status, false},
        };
        rc = s_fields(res, f, COUNT(f));
    }
    rc = rc ? rc : s_parse_changes(aws_xml_child(res, "Changes"), p);
    rc = rc ? rc : s_text(res, "NextToken", next);
    aws_xml_free(root);
    return rc == TPD_E_NOMEM ? s_nomem(err, "DescribeChangeSet") : rc;
}

enum tpd_code cfn_describe_change_set(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    struct cfn_change_set *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct s_cs_pages p = {c, stack, change_set, out, 0};
    enum tpd_code rc = aws_paginate("DescribeChangeSet", s_change_set_page, &p, err);
    if (!rc && !out->status) {
        rc = tpd_err_set(
            err, TPD_E_PARSE, "DescribeChangeSet %s: no Status in the response", change_set);
    }
    if (rc) {
        cfn_change_set_clear(out);
    }
    return rc;
}

bool cfn_change_set_is_empty(const char *status, const char *status_reason) {
    if (!status || strcmp(status, "FAILED") != 0 || !status_reason) {
        return false;
    }
    return strstr(status_reason, "didn't contain changes") != NULL ||
           strstr(status_reason, "No updates are to be performed") != NULL;
}

static enum tpd_code s_simple(
    struct aws_client *c,
    const char *op,
    const char *k1,
    const char *v1,
    const char *k2,
    const char *v2,
    const char *k3,
    const char *v3,
    struct tpd_err *err) {
    struct aws_query q;
    aws_query_init(&q, op, CFN_VERSION);
    aws_query_add(&q, k1, v1);
    aws_query_add(&q, k2, v2);
    if (k3) {
        aws_query_add(&q, k3, v3);
    }
    struct aws_xml_node *root = NULL;
    enum tpd_code rc = s_call(c, op, &q, &root, NULL, err);
    aws_xml_free(root);
    aws_query_clear(&q);
    return rc;
}

enum tpd_code cfn_execute_change_set(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    const char *client_request_token,
    struct tpd_err *err) {
    return s_simple(
        c,
        "ExecuteChangeSet",
        "ChangeSetName",
        change_set,
        "StackName",
        stack,
        "ClientRequestToken",
        client_request_token,
        err);
}

enum tpd_code cfn_delete_change_set(
    struct aws_client *c, const char *stack, const char *change_set, struct tpd_err *err) {
    return s_simple(
        c, "DeleteChangeSet", "ChangeSetName", change_set, "StackName", stack, NULL, NULL, err);
}

enum tpd_code cfn_delete_stack(
    struct aws_client *c,
    const char *stack,
    const char *const *retain,
    size_t retain_count,
    const char *client_request_token,
    struct tpd_err *err) {
    struct aws_query q;
    aws_query_init(&q, "DeleteStack", CFN_VERSION);
    aws_query_add(&q, "StackName", stack);
    if (retain_count) {
        aws_query_add_list(&q, "RetainResources", retain, retain_count);
    }
    aws_query_add(&q, "ClientRequestToken", client_request_token);
    struct aws_xml_node *root = NULL;
    enum tpd_code rc = s_call(c, "DeleteStack", &q, &root, NULL, err);
    aws_xml_free(root);
    aws_query_clear(&q);
    return rc;
}

/* ---- events -------------------------------------------------------------------- */

void cfn_events_clear(struct cfn_events *e) {
    for (size_t i = 0; i < e->count; i++) {
        struct cfn_event *v = &e->v[i];
        free(v->event_id);
        free(v->logical_id);
        free(v->physical_id);
        free(v->resource_type);
        free(v->status);
        free(v->reason);
        free(v->client_request_token);
    }
    free(e->v);
    memset(e, 0, sizeof(*e));
}

struct s_event_pages {
    struct aws_client *c;
    const char *stack;
    int64_t since_s;
    size_t max_events;
    struct cfn_events *out;
    size_t cap;
    bool older_seen; /* an event older than since_s: no need for more pages */
};

static enum tpd_code s_parse_event(const struct aws_xml_node *m, struct cfn_event *d) {
    const struct s_field f[] = {
        {"EventId", &d->event_id, false},
        {"LogicalResourceId", &d->logical_id, false},
        {"PhysicalResourceId", &d->physical_id, false},
        {"ResourceType", &d->resource_type, false},
        {"ResourceStatus", &d->status, false},
        {"ResourceStatusReason", &d->reason, false},
        {"ClientRequestToken", &d->client_request_token, false},
    };
    return s_fields(m, f, COUNT(f));
}

static enum tpd_code s_events_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_event_pages *p = ud;
    struct cfn_events *out = p->out;
    struct aws_query q;
    aws_query_init(&q, "DescribeStackEvents", CFN_VERSION);
    aws_query_add(&q, "StackName", p->stack);
    aws_query_add(&q, "NextToken", token);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(p->c, "DescribeStackEvents", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        return rc;
    }
    const struct aws_xml_node *list = aws_xml_child(res, "StackEvents");
    for (const struct aws_xml_node *m = aws_xml_child(list, "member");
         m && out->count < p->max_events && !rc;
         m = aws_xml_next_same(m)) {
        int64_t ts = s_time(m, "Timestamp");
        if (p->since_s > 0 && ts < p->since_s) {
            p->older_seen = true;
            continue;
        }
        if (!TPD_ARRAY_RESERVE(out->v, p->cap, out->count + 1)) {
            rc = TPD_E_NOMEM;
            break;
        }
        struct cfn_event *d = &out->v[out->count++];
        memset(d, 0, sizeof(*d));
        d->timestamp_s = ts;
        rc = s_parse_event(m, d);
    }
    if (!rc && !p->older_seen && out->count < p->max_events) {
        rc = s_text(res, "NextToken", next);
    }
    aws_xml_free(root);
    return rc == TPD_E_NOMEM ? s_nomem(err, "DescribeStackEvents") : rc;
}

enum tpd_code cfn_describe_stack_events(
    struct aws_client *c,
    const char *stack,
    int64_t since_s,
    size_t max_events,
    struct cfn_events *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct s_event_pages p = {c, stack, since_s, max_events ? max_events : 1000, out, 0, false};
    enum tpd_code rc = aws_paginate("DescribeStackEvents", s_events_page, &p, err);
    if (rc) {
        cfn_events_clear(out);
    }
    return rc;
}

static bool s_ends_with(const char *s, const char *suffix) {
    size_t a = s ? strlen(s) : 0;
    size_t b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool s_is_operation_start(const struct cfn_event *e) {
    return e->resource_type && strcmp(e->resource_type, "AWS::CloudFormation::Stack") == 0 &&
           s_ends_with(e->status, "_IN_PROGRESS") && e->reason &&
           strstr(e->reason, "User Initiated");
}

static bool s_same(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

enum tpd_code
cfn_failure_reasons_from_events(const struct cfn_events *ev, const char *token, char **text) {
    *text = NULL;
    /* Events are newest first. With a token, the operation's events are the ones that
     * carry it; without one, those after the latest operation's start. */
    size_t end = ev->count;
    if (!token) {
        for (size_t i = 0; i < ev->count; i++) {
            if (s_is_operation_start(&ev->v[i])) {
                end = i + 1;
                break;
            }
        }
    }
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_ERROR_MSG);
    enum tpd_code rc = TPD_OK;
    for (size_t k = end; k-- > 0 && !rc;) { /* oldest first */
        const struct cfn_event *e = &ev->v[k];
        if (token && !s_same(e->client_request_token, token)) {
            continue;
        }
        if (!s_ends_with(e->status, "_FAILED") || !e->reason || !*e->reason) {
            continue;
        }
        rc = tpd_buf_printf(
            &b,
            "%s%s (%s) %s: %s",
            b.len ? "\n" : "",
            e->logical_id ? e->logical_id : "?",
            e->resource_type ? e->resource_type : "?",
            e->status,
            e->reason);
    }
    if (rc == TPD_E_TOO_LARGE) {
        rc = TPD_OK; /* keep what fits */
    }
    if (rc) {
        tpd_buf_clear(&b);
        return rc;
    }
    *text = tpd_buf_detach(&b);
    return *text ? TPD_OK : TPD_E_NOMEM;
}

enum tpd_code cfn_collect_failure_reasons(
    struct aws_client *c, const char *stack, const char *token, char **text, struct tpd_err *err) {
    struct cfn_events ev;
    *text = NULL;
    /* One operation's events are among the newest few hundred: a stack update touches
     * one resource here. */
    enum tpd_code rc = cfn_describe_stack_events(c, stack, 0, 500, &ev, err);
    if (rc) {
        return rc;
    }
    rc = cfn_failure_reasons_from_events(&ev, token, text);
    cfn_events_clear(&ev);
    return rc ? tpd_err_set(err, rc, "stack events: %s", tpd_code_str(rc)) : TPD_OK;
}

/* ---- resources, template, exports, imports ------------------------------------- */

void cfn_resources_clear(struct cfn_resources *r) {
    for (size_t i = 0; i < r->count; i++) {
        struct cfn_resource *v = &r->v[i];
        free(v->stack_name);
        free(v->stack_id);
        free(v->logical_id);
        free(v->physical_id);
        free(v->resource_type);
        free(v->status);
        free(v->reason);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

enum tpd_code cfn_describe_stack_resources(
    struct aws_client *c,
    const char *stack,
    const char *physical_id,
    struct cfn_resources *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct aws_query q;
    aws_query_init(&q, "DescribeStackResources", CFN_VERSION);
    aws_query_add(&q, "StackName", stack);
    aws_query_add(&q, "PhysicalResourceId", physical_id);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(c, "DescribeStackResources", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        if (tpd_err_is_aws(err, "ValidationError") &&
            (s_msg_has(err, "does not exist") || s_msg_has(err, "not in any stack") ||
             s_msg_has(err, "is not in a stack") || s_msg_has(err, "No stack found"))) {
            rc = TPD_E_NOT_FOUND;
            err->code = rc;
        }
        return rc;
    }
    const struct aws_xml_node *list = aws_xml_child(res, "StackResources");
    size_t n = s_count_members(list);
    if (n) {
        out->v = tpd_calloc(n, sizeof(*out->v));
        if (!out->v) {
            aws_xml_free(root);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
    for (const struct aws_xml_node *m = aws_xml_child(list, "member"); m && !rc;
         m = aws_xml_next_same(m)) {
        struct cfn_resource *d = &out->v[out->count++];
        const struct s_field f[] = {
            {"StackName", &d->stack_name, false},
            {"StackId", &d->stack_id, false},
            {"LogicalResourceId", &d->logical_id, false},
            {"PhysicalResourceId", &d->physical_id, false},
            {"ResourceType", &d->resource_type, false},
            {"ResourceStatus", &d->status, false},
            {"ResourceStatusReason", &d->reason, false},
        };
        rc = s_fields(m, f, COUNT(f));
    }
    aws_xml_free(root);
    if (rc) {
        cfn_resources_clear(out);
        return s_nomem(err, "DescribeStackResources");
    }
    if (!stack && physical_id && out->count == 0) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "no stack owns the resource %s", physical_id);
    }
    return TPD_OK;
}

enum tpd_code cfn_get_template(
    struct aws_client *c,
    const char *stack,
    const char *change_set,
    char **body,
    struct tpd_err *err) {
    *body = NULL;
    struct aws_query q;
    aws_query_init(&q, "GetTemplate", CFN_VERSION);
    aws_query_add(&q, "StackName", stack);
    aws_query_add(&q, "ChangeSetName", change_set);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(c, "GetTemplate", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        if ((tpd_err_is_aws(err, "ValidationError") && s_msg_has(err, "does not exist")) ||
            tpd_err_is_aws(err, "ChangeSetNotFound")) {
            rc = TPD_E_NOT_FOUND;
            err->code = rc;
        }
        return rc;
    }
    const struct aws_xml_node *tb = aws_xml_child(res, "TemplateBody");
    *body = tb ? tpd_span_strdup(tpd_buf_span(&tb->text)) : NULL;
    aws_xml_free(root);
    if (!tb) {
        return tpd_err_set(err, TPD_E_PARSE, "GetTemplate %s: no TemplateBody", stack);
    }
    return *body ? TPD_OK : s_nomem(err, "GetTemplate");
}

void cfn_change_set_summaries_clear(struct cfn_change_set_summaries *s) {
    for (size_t i = 0; i < s->count; i++) {
        free(s->v[i].name);
        free(s->v[i].id);
        free(s->v[i].status);
        free(s->v[i].execution_status);
        free(s->v[i].description);
    }
    free(s->v);
    memset(s, 0, sizeof(*s));
}

struct s_change_set_pages {
    struct aws_client *c;
    const char *stack;
    struct cfn_change_set_summaries *out;
    size_t cap;
};

static enum tpd_code
s_change_sets_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_change_set_pages *p = ud;
    struct cfn_change_set_summaries *out = p->out;
    struct aws_query q;
    aws_query_init(&q, "ListChangeSets", CFN_VERSION);
    aws_query_add(&q, "StackName", p->stack);
    aws_query_add(&q, "NextToken", token);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(p->c, "ListChangeSets", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        return rc;
    }
    const struct aws_xml_node *list = aws_xml_child(res, "Summaries");
    for (const struct aws_xml_node *m = aws_xml_child(list, "member"); m && !rc;
         m = aws_xml_next_same(m)) {
        if (!TPD_ARRAY_RESERVE(out->v, p->cap, out->count + 1)) {
            rc = TPD_E_NOMEM;
            break;
        }
        struct cfn_change_set_summary *d = &out->v[out->count++];
        memset(d, 0, sizeof(*d));
        const struct s_field f[] = {
            {"ChangeSetName", &d->name, false},
            {"ChangeSetId", &d->id, false},
            {"Status", &d->status, false},
            {"ExecutionStatus", &d->execution_status, false},
            {"Description", &d->description, false},
        };
        rc = s_fields(m, f, COUNT(f));
    }
    rc = rc ? rc : s_text(res, "NextToken", next);
    aws_xml_free(root);
    return rc == TPD_E_NOMEM ? s_nomem(err, "ListChangeSets") : rc;
}

enum tpd_code cfn_list_change_sets(
    struct aws_client *c,
    const char *stack,
    struct cfn_change_set_summaries *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct s_change_set_pages p = {c, stack, out, 0};
    enum tpd_code rc = aws_paginate("ListChangeSets", s_change_sets_page, &p, err);
    if (rc) {
        if (tpd_err_is_aws(err, "ValidationError") && s_msg_has(err, "does not exist")) {
            rc = TPD_E_NOT_FOUND;
            err->code = rc;
        }
        cfn_change_set_summaries_clear(out);
    }
    return rc;
}

void cfn_exports_clear(struct cfn_exports *e) {
    for (size_t i = 0; i < e->count; i++) {
        free(e->v[i].name);
        free(e->v[i].value);
        free(e->v[i].exporting_stack_id);
    }
    free(e->v);
    memset(e, 0, sizeof(*e));
}

struct s_export_pages {
    struct aws_client *c;
    struct cfn_exports *out;
    size_t cap;
};

static enum tpd_code s_exports_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_export_pages *p = ud;
    struct cfn_exports *out = p->out;
    struct aws_query q;
    aws_query_init(&q, "ListExports", CFN_VERSION);
    aws_query_add(&q, "NextToken", token);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(p->c, "ListExports", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        return rc;
    }
    const struct aws_xml_node *list = aws_xml_child(res, "Exports");
    for (const struct aws_xml_node *m = aws_xml_child(list, "member"); m && !rc;
         m = aws_xml_next_same(m)) {
        if (!TPD_ARRAY_RESERVE(out->v, p->cap, out->count + 1)) {
            rc = TPD_E_NOMEM;
            break;
        }
        struct cfn_export *d = &out->v[out->count++];
        memset(d, 0, sizeof(*d));
        const struct s_field f[] = {
            {"Name", &d->name, false},
            {"Value", &d->value, true},
            {"ExportingStackId", &d->exporting_stack_id, false},
        };
        rc = s_fields(m, f, COUNT(f));
    }
    rc = rc ? rc : s_text(res, "NextToken", next);
    aws_xml_free(root);
    return rc == TPD_E_NOMEM ? s_nomem(err, "ListExports") : rc;
}

enum tpd_code cfn_list_exports(struct aws_client *c, struct cfn_exports *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct s_export_pages p = {c, out, 0};
    enum tpd_code rc = aws_paginate("ListExports", s_exports_page, &p, err);
    if (rc) {
        cfn_exports_clear(out);
    }
    return rc;
}

void cfn_strv_free(char **v) {
    for (size_t i = 0; v && v[i]; i++) {
        free(v[i]);
    }
    free(v);
}

struct s_import_pages {
    struct aws_client *c;
    const char *export_name;
    char **names; /* NULL-terminated at every step */
    size_t count;
    size_t cap;
};

static enum tpd_code s_imports_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_import_pages *p = ud;
    struct aws_query q;
    aws_query_init(&q, "ListImports", CFN_VERSION);
    aws_query_add(&q, "ExportName", p->export_name);
    aws_query_add(&q, "NextToken", token);
    struct aws_xml_node *root = NULL;
    const struct aws_xml_node *res = NULL;
    enum tpd_code rc = s_call(p->c, "ListImports", &q, &root, &res, err);
    aws_query_clear(&q);
    if (rc) {
        if (tpd_err_is_aws(err, "ValidationError") &&
            s_msg_has(err, "is not imported by any stack")) {
            tpd_err_clear(err);
            rc = TPD_OK;
        }
        return rc;
    }
    const struct aws_xml_node *list = aws_xml_child(res, "Imports");
    for (const struct aws_xml_node *m = aws_xml_child(list, "member"); m && !rc;
         m = aws_xml_next_same(m)) {
        /* A name that cannot be copied fails the call: a NULL in the middle would end
         * the list early and hide the stacks after it. */
        char *name = tpd_strdup(aws_xml_text(m, NULL));
        if (!name || !TPD_ARRAY_RESERVE(p->names, p->cap, p->count + 2)) {
            free(name);
            rc = TPD_E_NOMEM;
            break;
        }
        p->names[p->count++] = name;
        p->names[p->count] = NULL;
    }
    rc = rc ? rc : s_text(res, "NextToken", next);
    aws_xml_free(root);
    return rc == TPD_E_NOMEM ? s_nomem(err, "ListImports") : rc;
}

enum tpd_code cfn_list_imports(
    struct aws_client *c,
    const char *export_name,
    char ***names,
    size_t *count,
    struct tpd_err *err) {
    *names = NULL;
    *count = 0;
    struct s_import_pages p = {c, export_name, NULL, 0, 0};
    if (!TPD_ARRAY_RESERVE(p.names, p.cap, 1)) {
        return s_nomem(err, "ListImports");
    }
    p.names[0] = NULL;
    enum tpd_code rc = aws_paginate("ListImports", s_imports_page, &p, err);
    if (rc) {
        cfn_strv_free(p.names);
        return rc;
    }
    *names = p.names;
    *count = p.count;
    return TPD_OK;
}
