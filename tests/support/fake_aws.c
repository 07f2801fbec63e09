/* fake_aws: see fake_aws.h. */
#include "fake_aws.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FA_MAX_OPS 64
#define FA_MAX_ANSWERS 16
#define FA_MAX_CALLS 512

struct fa_answer {
    int status;
    char *body;
};

struct fa_op {
    char *name;
    struct fa_answer answers[FA_MAX_ANSWERS];
    size_t count, next;
};

struct fa_call {
    char *op;
    char *body;
};

struct fake_aws {
    struct aws_http_transport base;
    pthread_mutex_t mu;
    struct fa_op ops[FA_MAX_OPS];
    size_t op_count;
    struct fa_call calls[FA_MAX_CALLS];
    size_t call_count;
    char *ops_text;
};

static struct fa_op *s_find(struct fake_aws *f, const char *op, int create) {
    for (size_t i = 0; i < f->op_count; i++) {
        if (strcmp(f->ops[i].name, op) == 0) {
            return &f->ops[i];
        }
    }
    if (!create || f->op_count == FA_MAX_OPS) {
        return NULL;
    }
    struct fa_op *o = &f->ops[f->op_count++];
    memset(o, 0, sizeof(*o));
    o->name = strdup(op);
    return o;
}

/* The operation of a request: X-Amz-Target "DynamoDB_20120810.Op", or Action=Op. */
static char *s_operation(const struct aws_http_request *req) {
    for (size_t i = 0; i < req->header_count; i++) {
        if (strcasecmp(req->headers[i].name, "X-Amz-Target") == 0) {
            const char *dot = strrchr(req->headers[i].value, '.');
            return strdup(dot ? dot + 1 : req->headers[i].value);
        }
    }
    const char *b = (const char *)req->body.ptr;
    size_t n = req->body.len;
    for (size_t i = 0; b && i + 7 <= n; i++) {
        if ((i == 0 || b[i - 1] == '&') && strncmp(b + i, "Action=", 7) == 0) {
            size_t j = i + 7;
            while (j < n && b[j] != '&') {
                j++;
            }
            return strndup(b + i + 7, j - i - 7);
        }
    }
    return strdup("?");
}

static enum tpd_code s_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    struct fake_aws *f = t->impl;
    char *op = s_operation(req);
    pthread_mutex_lock(&f->mu);
    if (f->call_count < FA_MAX_CALLS) {
        struct fa_call *c = &f->calls[f->call_count++];
        c->op = strdup(op);
        c->body = strndup(req->body.ptr ? (const char *)req->body.ptr : "", req->body.len);
    }
    /* An answer for this operation and a body containing a given text wins over the
     * operation's plain answers (fa_on_if). */
    struct fa_op *o = NULL;
    size_t oplen = strlen(op);
    for (size_t i = 0; i < f->op_count && !o; i++) {
        const char *n = f->ops[i].name;
        if (strncmp(n, op, oplen) == 0 && n[oplen] == '|' && f->ops[i].count &&
            f->calls[f->call_count - 1].body &&
            strstr(f->calls[f->call_count - 1].body, n + oplen + 1)) {
            o = &f->ops[i];
        }
    }
    if (!o) {
        o = s_find(f, op, 0);
    }
    struct fa_answer a = {400, NULL};
    int scripted = o && o->count;
    if (scripted) {
        a = o->answers[o->next < o->count ? o->next : o->count - 1];
        if (o->next < o->count) {
            o->next++;
        }
    }
    char *body = a.body ? strdup(a.body) : NULL;
    pthread_mutex_unlock(&f->mu);
    enum tpd_code rc = TPD_OK;
    if (!scripted) {
        char msg[256];
        snprintf(
            msg,
            sizeof msg,
            "<ErrorResponse><Error><Type>Sender</Type><Code>FakeNotScripted</"
            "Code><Message>fake_aws: no "
            "answer scripted for %s</Message></Error></ErrorResponse>",
            op);
        resp->status = 400;
        rc = tpd_buf_append_cstr(&resp->body, msg);
    } else if (a.status == 0) {
        rc = tpd_err_set(err, TPD_E_HTTP, "fake_aws: connection dropped (%s)", op);
    } else {
        resp->status = a.status;
        resp->request_id = strdup("fake-request-id");
        rc = body ? tpd_buf_append_cstr(&resp->body, body) : TPD_OK;
    }
    free(body);
    free(op);
    return rc;
}

struct fake_aws *fa_new(void) {
    struct fake_aws *f = calloc(1, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
    f->base.send = s_send;
    f->base.impl = f;
    return f;
}

void fa_free(struct fake_aws *f) {
    if (!f) {
        return;
    }
    for (size_t i = 0; i < f->op_count; i++) {
        for (size_t k = 0; k < f->ops[i].count; k++) {
            free(f->ops[i].answers[k].body);
        }
        free(f->ops[i].name);
    }
    for (size_t i = 0; i < f->call_count; i++) {
        free(f->calls[i].op);
        free(f->calls[i].body);
    }
    free(f->ops_text);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

struct aws_http_transport *fa_transport(struct fake_aws *f) {
    return &f->base;
}

void fa_on(struct fake_aws *f, const char *op, int status, const char *body) {
    pthread_mutex_lock(&f->mu);
    struct fa_op *o = s_find(f, op, 1);
    if (o && o->count < FA_MAX_ANSWERS) {
        o->answers[o->count].status = status;
        o->answers[o->count].body = body ? strdup(body) : NULL;
        o->count++;
    }
    pthread_mutex_unlock(&f->mu);
}

void fa_on_if(struct fake_aws *f, const char *op, const char *match, int status, const char *body) {
    char key[512];
    snprintf(key, sizeof key, "%s|%s", op, match);
    fa_on(f, key, status, body);
}

void fa_clear(struct fake_aws *f, const char *op) {
    pthread_mutex_lock(&f->mu);
    struct fa_op *o = s_find(f, op, 0);
    for (size_t k = 0; o && k < o->count; k++) {
        free(o->answers[k].body);
        o->answers[k].body = NULL;
    }
    if (o) {
        o->count = o->next = 0;
    }
    pthread_mutex_unlock(&f->mu);
}

size_t fa_count(struct fake_aws *f, const char *op) {
    size_t n = 0;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->call_count; i++) {
        n += strcmp(f->calls[i].op, op) == 0;
    }
    pthread_mutex_unlock(&f->mu);
    return n;
}

const char *fa_body(struct fake_aws *f, const char *op, size_t nth) {
    const char *b = NULL;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->call_count && !b; i++) {
        if (strcmp(f->calls[i].op, op) == 0 && nth-- == 0) {
            b = f->calls[i].body;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return b;
}

static int s_reads(const char *op) {
    return !strncmp(op, "Describe", 8) || !strncmp(op, "List", 4) || !strncmp(op, "Get", 3);
}

const char *fa_ops(struct fake_aws *f, int mutating_only) {
    pthread_mutex_lock(&f->mu);
    /* libc, not tpd_alloc: the OOM tests fail the code's allocations, not the fake's. */
    size_t cap = 1;
    for (size_t i = 0; i < f->call_count; i++) {
        cap += strlen(f->calls[i].op) + 1;
    }
    free(f->ops_text);
    f->ops_text = malloc(cap);
    if (f->ops_text == NULL) {
        abort();
    }
    f->ops_text[0] = '\0';
    size_t at = 0;
    for (size_t i = 0; i < f->call_count; i++) {
        if (mutating_only && s_reads(f->calls[i].op)) {
            continue;
        }
        at += (size_t)snprintf(f->ops_text + at, cap - at, "%s%s", at ? "," : "", f->calls[i].op);
    }
    pthread_mutex_unlock(&f->mu);
    return f->ops_text;
}

struct aws_client *fa_client(struct fake_aws *f, int max_attempts) {
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKIDEXAMPLE";
    o.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    o.endpoint_dynamodb = "http://127.0.0.1:9";
    o.endpoint_cloudformation = "http://127.0.0.1:9";
    o.endpoint_sts = "http://127.0.0.1:9";
    o.shared_credentials_file = "/nonexistent/fake-aws/credentials";
    o.shared_config_file = "/nonexistent/fake-aws/config";
    o.transport = &f->base;
    o.skip_instance_metadata = true;
    o.max_attempts = max_attempts > 0 ? max_attempts : 1;
    o.retry_base_ns = 1000;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    tpd_err_clear(&err);
    return c;
}
