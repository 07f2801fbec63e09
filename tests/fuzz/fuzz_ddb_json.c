/* Fuzz target: DynamoDB JSON 1.0 responses (DescribeTable, DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource, Scan) and JSON error bodies
 * (__type, message), through the real ddb_* calls over a scripted in-process
 * transport (no network). The input is split at '\f' (never valid raw in JSON) into
 * up to 4 pages answered in turn, so paginated calls see several responses. Every
 * call runs with HTTP 200; DescribeTable also with HTTP 400 (the shared error path). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_errors.h"
#include "ddb.h"
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

static void s_calls(const uint8_t *data, size_t size, int status) {
    struct aws_client *c = s_client();
    struct tpd_err err = {0};

    struct ddb_table t;
    s_script(data, size, status);
    ddb_describe_table(c, "t", &t, &err);
    ddb_table_clear(&t);
    tpd_err_clear(&err);
    if (status != 200) {
        return; /* the error path is the same for every call (aws_error_from_json) */
    }

    struct ddb_ttl ttl;
    s_script(data, size, status);
    ddb_describe_time_to_live(c, "t", &ttl, &err);
    ddb_ttl_clear(&ttl);
    tpd_err_clear(&err);

    bool pitr = false;
    s_script(data, size, status);
    ddb_describe_continuous_backups(c, "t", &pitr, &err);
    tpd_err_clear(&err);

    struct ddb_tags tags;
    s_script(data, size, status);
    ddb_list_tags_of_resource(c, "arn:aws:dynamodb:us-east-1:1:table/t", &tags, &err);
    ddb_tags_clear(&tags);
    tpd_err_clear(&err);

    int64_t count = 0;
    char *items = NULL;
    s_script(data, size, status);
    ddb_scan(c, "t", &count, &items, &err);
    free(items);
    tpd_err_clear(&err);
    s_script(data, size, status);
    ddb_scan(c, "t", &count, NULL, &err);
    tpd_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct tpd_span body = {data, size};
    struct tpd_err err = {0};
    aws_error_from_json("DescribeTable", 400, body, NULL, &err);
    tpd_err_clear(&err);
    aws_error_from_json("Scan", 500, body, "rid", &err);
    tpd_err_clear(&err);
    s_calls(data, size, 200);
    s_calls(data, size, 400);
    return 0;
}
