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
#include "fuzz_transport.h"
#include "tpd_log.h"

/* A fuzz target calls for what the parsing does to memory, not for the result. */
#define S_IGNORE(call) ((void)!(call))

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
    S_IGNORE(cfn_describe_stack(c, "s", &st, &err));
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
    S_IGNORE(cfn_describe_stack_resources(c, NULL, "phys", &res, &err));
    cfn_resources_clear(&res);
    tpd_err_clear(&err);

    char *tmpl = NULL;
    s_script(data, size, status);
    S_IGNORE(cfn_get_template(c, "s", NULL, &tmpl, &err));
    free(tmpl);
    tpd_err_clear(&err);

    char **names = NULL;
    size_t n = 0;
    s_script(data, size, status);
    S_IGNORE(cfn_list_imports(c, "e", &names, &n, &err));
    cfn_strv_free(names);
    tpd_err_clear(&err);
    if (!ok) {
        return;
    }

    struct cfn_events ev;
    s_script(data, size, status);
    if (cfn_describe_stack_events(c, "s", 1600000000, 5, &ev, &err) == TPD_OK) {
        char *text = NULL;
        S_IGNORE(cfn_failure_reasons_from_events(&ev, NULL, &text));
        free(text);
        S_IGNORE(cfn_failure_reasons_from_events(&ev, "tok", &text));
        free(text);
    }
    cfn_events_clear(&ev);
    tpd_err_clear(&err);

    struct cfn_exports ex;
    s_script(data, size, status);
    S_IGNORE(cfn_list_exports(c, &ex, &err));
    cfn_exports_clear(&ex);
    tpd_err_clear(&err);

    struct cfn_create_change_set_input in = {
        .stack_name = "s",
        .change_set_name = "cs",
        .type = CFN_CHANGE_SET_UPDATE,
        .template_body = "{}"};
    char *cs_id = NULL, *stack_id = NULL;
    s_script(data, size, status);
    S_IGNORE(cfn_create_change_set(c, &in, &cs_id, &stack_id, &err));
    free(cs_id);
    free(stack_id);
    tpd_err_clear(&err);

    s_script(data, size, status);
    S_IGNORE(cfn_execute_change_set(c, "s", "cs", "tok", &err));
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
    S_IGNORE(aws_error_from_query_xml("DescribeStacks", 400, body, NULL, &err));
    tpd_err_clear(&err);
    S_IGNORE(aws_error_from_query_xml("ListImports", 503, body, "rid", &err));
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
