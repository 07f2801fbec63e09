/* Fuzz target: CloudFormation Query XML responses (DescribeStacks, DescribeChangeSet,
 * DescribeStackEvents, DescribeStackResources, GetTemplate, ListExports, ListImports,
 * CreateChangeSet) and the XML ErrorResponse, through the real cfn_* calls over a
 * scripted in-process transport (no network). The input is split at '\f' (never
 * valid in XML) into up to 4 pages answered in turn, so paginated calls see several
 * responses. Calls run with HTTP 200, those with error-message rules also with 400. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_errors.h"
#include "aws_xml.h"
#include "cfn.h"
#include "tpd_log.h"

#define MAX_PAGES 4

struct pages {
    struct aws_http_transport base;
    struct tpd_span page[MAX_PAGES];
    size_t count, next;
    int status;
};

static enum tpd_code s_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    (void)req;
    struct pages *p = t->impl;
    if (p->next >= p->count) {
        return tpd_err_set(err, TPD_E_HTTP, "fuzz transport: no more pages");
    }
    resp->status = p->status;
    return tpd_buf_append_span(&resp->body, p->page[p->next++]);
}

static struct pages s_pages = {{s_send, NULL, &s_pages}, {{NULL, 0}}, 0, 0, 200};

static int64_t s_clock(void) {
    return 1700000000;
}

static struct aws_client *s_client(void) {
    static struct aws_client *c;
    if (!c) {
        tpd_log_set_level(TPD_LOG_OFF);
        struct aws_client_options o;
        memset(&o, 0, sizeof(o));
        o.region = "us-east-1";
        o.profile = "fuzz-none";
        o.shared_credentials_file = "/nonexistent/fuzz/credentials";
        o.shared_config_file = "/nonexistent/fuzz/config";
        o.access_key = "AKIDEXAMPLE";
        o.secret_key = "secret";
        o.endpoint_dynamodb = "http://127.0.0.1:1";
        o.endpoint_cloudformation = "http://127.0.0.1:1";
        o.endpoint_sts = "http://127.0.0.1:1";
        o.max_attempts = 1;
        o.retry_base_ns = 1000;
        o.transport = &s_pages.base;
        o.skip_instance_metadata = true;
        struct tpd_err err = {0};
        c = aws_client_new(&o, &err);
        tpd_err_clear(&err);
        if (!c) {
            abort();
        }
        aws_client_set_clock(c, s_clock);
    }
    return c;
}

/* Script the pages for the next call. */
static void s_script(const uint8_t *data, size_t size, int status) {
    s_pages.count = s_pages.next = 0;
    s_pages.status = status;
    const uint8_t *p = data, *end = data + size;
    while (s_pages.count < MAX_PAGES) {
        const uint8_t *ff = p < end ? memchr(p, '\f', (size_t)(end - p)) : NULL;
        s_pages.page[s_pages.count++] = (struct tpd_span){p, (size_t)((ff ? ff : end) - p)};
        if (!ff) {
            break;
        }
        p = ff + 1;
    }
}

static void s_walk(const struct aws_xml_node *n, size_t *count) {
    for (; n; n = n->next) {
        (*count)++;
        (void)aws_xml_next_same(n);
        s_walk(n->first_child, count);
    }
}

/* With HTTP 200 every call; with an error status only the calls that map AWS error
 * messages to TPD_E_NOT_FOUND / TPD_OK (the rest share aws_error_from_query_xml). */
static void s_calls(const uint8_t *data, size_t size, int status, bool first_ok) {
    struct aws_client *c = s_client();
    struct tpd_err err = {0};
    bool ok = status == 200;

    struct cfn_stack st;
    s_script(data, size, status);
    cfn_describe_stack(c, "s", &st, &err);
    cfn_stack_clear(&st);
    tpd_err_clear(&err);
    if (!first_ok) {
        return;
    }

    struct cfn_change_set cs;
    s_script(data, size, status);
    if (cfn_describe_change_set(c, "s", "cs", &cs, &err) == TPD_OK) {
        (void)cfn_change_set_is_empty(cs.status, cs.status_reason);
    }
    cfn_change_set_clear(&cs);
    tpd_err_clear(&err);

    struct cfn_resources res;
    s_script(data, size, status);
    cfn_describe_stack_resources(c, NULL, "phys", &res, &err);
    cfn_resources_clear(&res);
    tpd_err_clear(&err);

    char *tmpl = NULL;
    s_script(data, size, status);
    cfn_get_template(c, "s", &tmpl, &err);
    free(tmpl);
    tpd_err_clear(&err);

    char **names = NULL;
    size_t n = 0;
    s_script(data, size, status);
    cfn_list_imports(c, "e", &names, &n, &err);
    cfn_strv_free(names);
    tpd_err_clear(&err);
    if (!ok) {
        return;
    }

    struct cfn_events ev;
    s_script(data, size, status);
    if (cfn_describe_stack_events(c, "s", 1600000000, 5, &ev, &err) == TPD_OK) {
        char *text = NULL;
        cfn_failure_reasons_from_events(&ev, 0, &text);
        free(text);
        cfn_failure_reasons_from_events(&ev, 1700000000, &text);
        free(text);
    }
    cfn_events_clear(&ev);
    tpd_err_clear(&err);

    struct cfn_exports ex;
    s_script(data, size, status);
    cfn_list_exports(c, &ex, &err);
    cfn_exports_clear(&ex);
    tpd_err_clear(&err);

    struct cfn_create_change_set_input in = {
        .stack_name = "s", .change_set_name = "cs", .type = CFN_CHANGE_SET_UPDATE, .template_body = "{}"};
    char *cs_id = NULL, *stack_id = NULL;
    s_script(data, size, status);
    cfn_create_change_set(c, &in, &cs_id, &stack_id, &err);
    free(cs_id);
    free(stack_id);
    tpd_err_clear(&err);

    s_script(data, size, status);
    cfn_execute_change_set(c, "s", "cs", &err);
    tpd_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct tpd_span body = {data, size};
    struct tpd_err err = {0};
    struct aws_xml_node *root = NULL;
    if (aws_xml_parse(body, &root, &err) == TPD_OK) {
        size_t count = 0;
        s_walk(root, &count);
        free(aws_xml_dup(root, "DescribeStacksResult/Stacks/member/StackName"));
        (void)aws_xml_text(root, "Error/Code");
        aws_xml_free(root);
    }
    tpd_err_clear(&err);
    aws_error_from_query_xml("DescribeStacks", 400, body, NULL, &err);
    tpd_err_clear(&err);
    aws_error_from_query_xml("ListImports", 503, body, "rid", &err);
    tpd_err_clear(&err);
    /* When the first response is not XML every call fails the same way at it: one
     * call per status covers that (and keeps the corpus replay fast under valgrind). */
    s_script(data, size, 200);
    bool first_ok = aws_xml_parse(s_pages.page[0], &root, &err) == TPD_OK;
    aws_xml_free(root);
    tpd_err_clear(&err);
    s_calls(data, size, 200, first_ok);
    s_calls(data, size, 400, first_ok);
    return 0;
}
