/* Fuzz target: credential documents from outside — the IMDS / container / credential_process
 * JSON ({AccessKeyId, SecretAccessKey, Token|SessionToken, Expiration}) and the STS
 * AssumeRole XML response — directly (aws_creds_from_json) and through the real
 * providers over a scripted in-process transport (no network; the endpoints named in
 * the environment are loopback and never contacted). IMDS gets a token and a role
 * first, then the input; an input containing '\f' is instead split into the three
 * IMDS answers (token, role list, credentials). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_creds.h"
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
        unsetenv("AWS_EC2_METADATA_DISABLED");
        unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
        setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer fuzz", 1);
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

static void s_script1(struct tpd_span body, int status) {
    s_pages.page[0] = body;
    s_pages.count = 1;
    s_pages.next = 0;
    s_pages.status = status;
}

static void s_get(struct aws_creds_provider *p) {
    struct aws_creds cr;
    struct tpd_err err = {0};
    aws_creds_init(&cr);
    if (p) {
        aws_creds_get(p, &cr, &err);
    }
    aws_creds_clear(&cr);
    tpd_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct aws_client *c = s_client();
    struct tpd_span body = {data, size};
    struct tpd_err err = {0};
    struct aws_creds cr;

    aws_creds_init(&cr);
    aws_creds_from_json(body, "fuzz", &cr, &err);
    aws_creds_clear(&cr);
    tpd_err_clear(&err);

    /* EC2 instance metadata. */
    const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
    if (ff) {
        s_pages.count = s_pages.next = 0;
        s_pages.status = 200;
        size_t start = 0;
        for (size_t i = 0; i <= size && s_pages.count < 3; i++) {
            if (i == size || data[i] == '\f') {
                s_pages.page[s_pages.count++] = (struct tpd_span){data + start, i - start};
                start = i + 1;
            }
        }
        if (s_pages.count == 3) {
            s_pages.page[2].len = size - (size_t)(s_pages.page[2].ptr - data); /* rest */
        }
    } else {
        s_pages.page[0] = TPD_SPAN_LIT("imds-token");
        s_pages.page[1] = TPD_SPAN_LIT("my-role\n");
        s_pages.page[2] = body;
        s_pages.count = 3;
        s_pages.next = 0;
        s_pages.status = 200;
    }
    struct aws_creds_provider *p = aws_creds_imds_new(&s_pages.base);
    s_get(p);
    aws_creds_provider_free(p);

    /* Container endpoint. */
    s_script1(body, 200);
    p = aws_creds_container_new(&s_pages.base);
    s_get(p);
    aws_creds_provider_free(p);

    /* STS AssumeRole: success and error answers. */
    static const int statuses[] = {200, 403};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        struct aws_assume_role_options ro = {"arn:aws:iam::123456789012:role/r", "s", "ext", 900};
        s_script1(body, statuses[i]);
        p = aws_creds_sts_new(c, aws_creds_static_new("AK", "SK", NULL), &ro);
        s_get(p);
        aws_creds_provider_free(p);
    }
    return 0;
}
