/*
 * The libcurl transport and the client end to end against loopback servers:
 * throttling and 5xx retried, request ids kept, explicit Content-Length and no
 * Expect header, 10 threads sharing one client; the failure budget (a refused port,
 * an unresolvable name, a server that never answers), StopProvider aborting a
 * request in flight, trusted CAs from each source (read once per client), a CONNECT
 * proxy and its precedence.
 * Every server listens on 127.0.0.1; nothing here needs the network.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_client.h"
#include "aws_parallel.h"
#include "blackhole_server.h"
#include "connect_proxy.h"
#include "ddb.h"
#include "fake_http_server.h"
#include "keepalive_server.h"
#include "test_pki.h"
#include "test_util.h"

static const char *THROTTLE =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\","
    "\"message\":\"Rate of requests exceeds the allowed throughput.\"}";
static const char *OK_TABLE = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}";

static struct aws_client *client_for(const char *url, long timeout_ms) {
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.session_token = "TOKEN";
    o.endpoint_dynamodb = url;
    o.endpoint_cloudformation = url;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000000;
    o.request_timeout_ms = timeout_ms;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    /* A loopback server writing to a connection the client gave up on (a refused
     * certificate) must fail the test with an assertion, not kill it. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Options as the provider sets them (10 attempts), with a 1 ms backoff base. */
static void base_options(struct aws_client_options *o, const char *url) {
    memset(o, 0, sizeof(*o));
    o->region = "us-east-1";
    o->access_key = "AKID";
    o->secret_key = "secret";
    o->endpoint_dynamodb = url;
    o->endpoint_cloudformation = url;
    o->endpoint_sts = url;
    o->skip_instance_metadata = true;
    o->shared_credentials_file = "/nonexistent/tpd/credentials";
    o->shared_config_file = "/nonexistent/tpd/config";
    o->retry_base_ns = 1000000;
    o->max_attempts = 10;
}

static struct aws_client *new_client(const struct aws_client_options *o) {
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(o, &err);
    if (!c) {
        print_message("aws_client_new: %s\n", err.msg ? err.msg : "?");
    }
    tpd_err_clear(&err);
    assert_non_null(c);
    return c;
}

static uint64_t requests_sent(struct aws_client *c) {
    struct aws_http_stats st;
    aws_client_stats(c, &st);
    return st.requests;
}

/* A loopback port with nobody listening: bound by the kernel, then released. */
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_throttle_and_5xx_retried(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    struct fhs_route *r = fhs_route(&s, "POST", "/");
    fhs_answer(r, 400, THROTTLE);
    fhs_answer(r, 503, "");
    fhs_answer(r, 200, OK_TABLE);
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 0);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    ddb_table_clear(&t);
    assert_int_equal(fhs_hits(&s, "POST", "/"), 3);
    /* What went on the wire (last request). */
    assert_non_null(strcasestr(s.last_headers, "Content-Length: 17"));
    assert_null(strcasestr(s.last_headers, "Expect:"));
    assert_null(strcasestr(s.last_headers, "Transfer-Encoding"));
    assert_non_null(strcasestr(s.last_headers, "X-Amz-Security-Token: TOKEN"));
    assert_non_null(strcasestr(
        s.last_headers,
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
        "x-amz-target"));
    fhs_stop(&s);
    aws_client_free(c);
}

static void test_5xx_exhausted_keeps_request_id(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(
        fhs_route(&s, "POST", "/"),
        500,
        "<ErrorResponse><Error><Code>InternalFailure</Code><Message>oops</Message></Error></"
        "ErrorResponse>");
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 0);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    enum tpd_code rc = aws_client_call(
        c,
        AWS_SVC_CLOUDFORMATION,
        "DescribeStacks",
        tpd_span_cstr("Action=DescribeStacks&Version=2010-05-15"),
        &resp,
        &err);
    assert_int_equal(rc, TPD_E_AWS);
    assert_string_equal(err.aws_code, "InternalFailure");
    assert_string_equal(err.request_id, "fake-500");
    assert_int_equal(err.http_status, 500);
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    assert_int_equal(fhs_hits(&s, "POST", "/"), 3);
    tpd_err_clear(&err);
    aws_http_response_clear(&resp);
    fhs_stop(&s);
    aws_client_free(c);
}

static void test_connection_refused_and_timeout(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    struct fhs_route *r = fhs_route(&s, "POST", "/");
    r->answers[0] = (struct fhs_answer){200, OK_TABLE, NULL, 400};
    r->answer_count = 1;
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 100);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "timed out"));
    tpd_err_clear(&err);
    char url[64];
    snprintf(url, sizeof(url), "%s", s.url);
    fhs_stop(&s);
    aws_client_free(c);
    c = client_for(url, 0);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_HTTP);
    assert_non_null(strstr(err.msg, "DescribeTable"));
    tpd_err_clear(&err);
    aws_client_free(c);
}

struct worker {
    struct aws_client *c;
    int ok;
};

static void *run_worker(void *ud) {
    struct worker *w = ud;
    for (int i = 0; i < 20; i++) {
        struct ddb_table t;
        struct tpd_err err;
        tpd_err_init(&err);
        if (ddb_describe_table(w->c, "t", &t, &err) == TPD_OK) {
            w->ok++;
            ddb_table_clear(&t);
        }
        tpd_err_clear(&err);
    }
    return NULL;
}

static void test_ten_threads_one_client(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(fhs_route(&s, "POST", "/"), 200, OK_TABLE);
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 0);
    pthread_t th[10];
    struct worker w[10];
    for (int i = 0; i < 10; i++) {
        w[i] = (struct worker){c, 0};
        pthread_create(&th[i], NULL, run_worker, &w[i]);
    }
    int total = 0;
    for (int i = 0; i < 10; i++) {
        pthread_join(th[i], NULL);
        total += w[i].ok;
    }
    assert_int_equal(total, 200);
    assert_int_equal(fhs_hits(&s, "POST", "/"), 200);
    fhs_stop(&s);
    aws_client_free(c);
}

/* A refused connection never reached AWS: it is retried, but only up to the connect
 * budget (3 attempts, aws_retry.h), not the 10 attempts throttling gets; the error names
 * the endpoint and what failed. */
static void test_refused_fails_fast(void **state) {
    (void)state;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", free_port());
    struct aws_client_options o;
    base_options(&o, url);
    struct aws_client *c = new_client(&o);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_HTTP);
    assert_non_null(strstr(err.msg, "connection refused"));
    assert_non_null(strstr(err.msg, url));
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    assert_int_equal(requests_sent(c), 3);
    tpd_err_clear(&err);
    aws_client_free(c);
}

/* An unresolvable host fails the same way. The name's first label has 64 characters,
 * over DNS's 63-octet limit (RFC 1035 2.3.4): glibc cannot encode a query for it and
 * fails without sending one (checked with strace: no socket but the nscd attempt on
 * its unix socket), so the resolver is never asked off loopback. */
static void test_unresolvable_host_fails_fast(void **state) {
    (void)state;
    char url[128];
    snprintf(
        url,
        sizeof(url),
        "http://%s.invalid:9/",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    struct aws_client_options o;
    base_options(&o, url);
    struct aws_client *c = new_client(&o);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_HTTP);
    assert_non_null(strstr(err.msg, "could not resolve host"));
    assert_non_null(strstr(err.msg, ".invalid:9/"));
    assert_int_equal(requests_sent(c), 3);
    tpd_err_clear(&err);
    aws_client_free(c);
}

/* A server that accepts and never answers: each attempt ends at the stall timeout (1 s
 * here, 30 s by default), and a silent endpoint gets one retry, not ten. */
static void test_blackhole_stall_budget(void **state) {
    (void)state;
    struct bh_server bh;
    assert_int_equal(bh_start(&bh), 0);
    struct aws_client_options o;
    base_options(&o, bh.url);
    o.stall_timeout_ms = 1000;
    struct aws_client *c = new_client(&o);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "no response"));
    assert_non_null(strstr(err.msg, bh.url));
    assert_non_null(strstr(err.msg, "after 2 attempts"));
    assert_int_equal(bh_requests(&bh), 2);
    tpd_err_clear(&err);
    aws_client_free(c);
    bh_stop(&bh);
}

struct call {
    struct aws_client *c;
    enum tpd_code rc;
    struct tpd_err err;
};

static void *describe_in_thread(void *ud) {
    struct call *k = ud;
    struct ddb_table t;
    k->rc = ddb_describe_table(k->c, "t", &t, &k->err);
    if (k->rc == TPD_OK) {
        ddb_table_clear(&t);
    }
    return NULL;
}

/* StopProvider while a request waits for an answer that never comes (the stall timeout
 * is the default 30 s): the transfer is aborted and the call returns TPD_E_STOPPED
 * without a retry. The stop is requested once the server has the request. */
static void test_stop_aborts_request_in_flight(void **state) {
    (void)state;
    struct bh_server bh;
    assert_int_equal(bh_start(&bh), 0);
    struct tpd_stop stop;
    tpd_stop_init(&stop);
    struct aws_client_options o;
    base_options(&o, bh.url);
    o.stop = &stop;
    struct call k = {new_client(&o), TPD_OK, {0}};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, describe_in_thread, &k), 0);
    assert_true(bh_wait_requests(&bh, 1));
    tpd_stop_request(&stop);
    pthread_join(th, NULL);
    assert_int_equal(k.rc, TPD_E_STOPPED);
    assert_non_null(strstr(k.err.msg, "stopped"));
    assert_int_equal(bh_requests(&bh), 1);
    assert_int_equal(requests_sent(k.c), 1);
    tpd_err_clear(&k.err);
    aws_client_free(k.c);
    tpd_stop_clear(&stop);
    bh_stop(&bh);
}

/* ---- TLS and proxies ------------------------------------------------------------- */

struct tls_env {
    struct tt_pki pki;
    struct fake_http_server srv;
    char *dir;
    char ca_path[256];
};

static void tls_env_start(struct tls_env *e) {
    memset(e, 0, sizeof(*e));
    assert_int_equal(tt_pki_make(&e->pki), 0);
    e->dir = tt_mkdtemp();
    assert_non_null(e->dir);
    snprintf(e->ca_path, sizeof(e->ca_path), "%s/ca.pem", e->dir);
    assert_int_equal(tt_write_file(e->ca_path, e->pki.ca_pem), 0);
    e->srv.tls_cert_pem = e->pki.cert_pem;
    e->srv.tls_key_pem = e->pki.key_pem;
    fhs_answer(fhs_route(&e->srv, "POST", "/"), 200, OK_TABLE);
    assert_int_equal(fhs_start(&e->srv), 0);
    assert_non_null(strstr(e->srv.url, "https://127.0.0.1:"));
}

static void tls_env_stop(struct tls_env *e) {
    fhs_stop(&e->srv);
    tt_rmtree(e->dir);
    free(e->dir);
    tt_pki_clear(&e->pki);
}

static enum tpd_code describe_once(const struct aws_client_options *o, struct tpd_err *err) {
    struct aws_client *c = new_client(o);
    struct ddb_table t;
    enum tpd_code rc = ddb_describe_table(c, "t", &t, err);
    if (rc == TPD_OK) {
        ddb_table_clear(&t);
    }
    aws_client_free(c);
    return rc;
}

/* A private CA is trusted through custom_ca_bundle (the option), AWS_CA_BUNDLE or the
 * profile's ca_bundle, and refused without any of them (TLS errors are not retried). */
static void test_ca_bundle_sources(void **state) {
    (void)state;
    struct tls_env e;
    tls_env_start(&e);
    struct aws_client_options o;
    base_options(&o, e.srv.url);
    struct tpd_err err;
    tpd_err_init(&err);

    struct aws_client *c = new_client(&o);
    struct ddb_table t;
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_TLS);
    assert_non_null(strstr(err.msg, "TLS failure talking to https://127.0.0.1:"));
    assert_non_null(strstr(err.msg, "AWS_CA_BUNDLE"));
    assert_int_equal(requests_sent(c), 1);
    assert_int_equal(fhs_hits(&e.srv, "POST", "/"), 0);
    tpd_err_clear(&err);
    aws_client_free(c);

    o.ca_bundle = e.ca_path;
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    o.ca_bundle = NULL;

    setenv("AWS_CA_BUNDLE", e.ca_path, 1);
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    unsetenv("AWS_CA_BUNDLE");

    char conf[512], text[512];
    snprintf(conf, sizeof(conf), "%s/config", e.dir);
    snprintf(text, sizeof(text), "[profile tls]\nca_bundle = %s\n", e.ca_path);
    assert_int_equal(tt_write_file(conf, text), 0);
    o.shared_config_file = conf;
    o.profile = "tls";
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    assert_int_equal(fhs_hits(&e.srv, "POST", "/"), 3);

    /* The configuration wins over the environment. */
    setenv("AWS_CA_BUNDLE", "/nonexistent/ca.pem", 1);
    o.ca_bundle = e.ca_path;
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    /* An unreadable bundle is refused when the client is built. */
    o.ca_bundle = NULL;
    assert_null(aws_client_new(&o, &err));
    assert_int_equal(err.code, TPD_E_INVALID);
    assert_non_null(strstr(err.msg, "/nonexistent/ca.pem (from AWS_CA_BUNDLE) cannot be read"));
    tpd_err_clear(&err);
    unsetenv("AWS_CA_BUNDLE");
    o.ca_bundle = conf; /* a file, but no certificate in it */
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "holds no PEM certificate"));
    tpd_err_clear(&err);
    o.ca_bundle = "/dev/zero"; /* would be read forever */
    assert_null(aws_client_new(&o, &err));
    assert_non_null(strstr(err.msg, "is not a regular file"));
    tpd_err_clear(&err);
    tls_env_stop(&e);
}

/* HTTPS through a CONNECT proxy; the proxy attribute wins over https_proxy in the
 * environment, no_proxy bypasses it, and the environment is used when nothing is
 * configured. */
static void test_https_through_connect_proxy(void **state) {
    (void)state;
    struct tls_env e;
    tls_env_start(&e);
    struct connect_proxy px;
    assert_int_equal(cp_start(&px), 0);
    char dead[64];
    snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", free_port());
    struct aws_client_options o;
    base_options(&o, e.srv.url);
    o.ca_bundle = e.ca_path;
    o.https_proxy = px.url;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    assert_int_equal(cp_tunnels(&px), 1);
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", e.srv.port);
    assert_string_equal(px.last, want);

    setenv("https_proxy", dead, 1);
    setenv("HTTPS_PROXY", dead, 1);
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    assert_int_equal(cp_tunnels(&px), 2);

    o.no_proxy = "127.0.0.1";
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    assert_int_equal(cp_tunnels(&px), 2);
    o.no_proxy = NULL;

    o.https_proxy = NULL;
    unsetenv("https_proxy");
    setenv("HTTPS_PROXY", px.url, 1);
    assert_int_equal(describe_once(&o, &err), TPD_OK);
    assert_int_equal(cp_tunnels(&px), 3);
    setenv("https_proxy", dead, 1); /* lower case first, as libcurl and botocore read it */
    assert_int_equal(describe_once(&o, &err), TPD_E_HTTP);
    assert_non_null(strstr(err.msg, "connection refused"));
    tpd_err_clear(&err);
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    assert_int_equal(fhs_hits(&e.srv, "POST", "/"), 4);
    cp_stop(&px);
    tls_env_stop(&e);
}

/* Every transfer and every new connection is counted (the test server closes each
 * connection, so each request opens one). */
static void test_connections_counted(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(fhs_route(&s, "POST", "/"), 200, OK_TABLE);
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client_options o;
    base_options(&o, s.url);
    struct aws_client *c = new_client(&o);
    for (int i = 0; i < 3; i++) {
        struct ddb_table t;
        struct tpd_err err;
        tpd_err_init(&err);
        assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
        ddb_table_clear(&t);
    }
    struct aws_http_stats st;
    aws_client_stats(c, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.connections, 3);
    aws_client_free(c);
    fhs_stop(&s);
}

struct many {
    struct aws_client *c;
    int ok[8];
};

static void describe_five(void *ud, size_t i) {
    struct many *m = ud;
    for (int k = 0; k < 5; k++) {
        struct ddb_table t;
        struct tpd_err err;
        tpd_err_init(&err);
        if (ddb_describe_table(m->c, "t", &t, &err) == TPD_OK) {
            m->ok[i]++;
            ddb_table_clear(&t);
        }
        tpd_err_clear(&err);
    }
}

/* One connection pool for every call and thread: against a server that keeps
 * connections open (as AWS does), sequential calls share one connection, and calls made
 * at once by aws_parallel_run open at most one connection each, reused by the next
 * round; the client's counter agrees with what the server saw. */
static void test_connections_reused(void **state) {
    (void)state;
    struct keepalive_server ka;
    assert_int_equal(ka_start(&ka, OK_TABLE), 0);
    struct aws_client_options o;
    base_options(&o, ka.url);
    struct aws_client *c = new_client(&o);
    struct many m = {c, {0}};
    describe_five(&m, 0);
    assert_int_equal(m.ok[0], 5);
    int conns = 0, reqs = 0;
    ka_counts(&ka, &conns, &reqs);
    assert_int_equal(reqs, 5);
    assert_int_equal(conns, 1);
    for (int round = 0; round < 2; round++) {
        memset(m.ok, 0, sizeof(m.ok));
        aws_parallel_run(4, describe_five, &m);
        for (int i = 0; i < 4; i++) {
            assert_int_equal(m.ok[i], 5);
        }
    }
    ka_counts(&ka, &conns, &reqs);
    assert_int_equal(reqs, 45);
    assert_true(conns >= 1 && conns <= 4);
    struct aws_http_stats st;
    aws_client_stats(c, &st);
    assert_int_equal(st.requests, 45);
    assert_int_equal(st.connections, (uint64_t)conns);
    print_message("45 requests from 1 + 2 x 4 concurrent callers: %d connections\n", conns);
    aws_client_free(c);
    ka_stop(&ka);
}

/* The pool is bounded per endpoint (max_pool_connections): 8 callers at once, 5 requests
 * each, against a server that keeps connections open, share at most 2 connections;
 * without the bound each caller had its own. Every request succeeds: a caller finding
 * both connections lent out waits for one. */
static void test_pool_bounded_per_endpoint(void **state) {
    (void)state;
    struct keepalive_server ka;
    assert_int_equal(ka_start(&ka, OK_TABLE), 0);
    struct aws_client_options o;
    base_options(&o, ka.url);
    o.max_pool_connections = 2;
    struct aws_client *c = new_client(&o);
    struct many m = {c, {0}};
    aws_parallel_run(8, describe_five, &m);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(m.ok[i], 5);
    }
    int conns = 0, reqs = 0;
    ka_counts(&ka, &conns, &reqs);
    assert_int_equal(reqs, 40);
    assert_true(conns >= 1 && conns <= 2);
    struct aws_http_stats st;
    aws_client_stats(c, &st);
    assert_int_equal(st.requests, 40);
    assert_int_equal(st.connections, (uint64_t)conns);
    print_message(
        "40 requests from 8 concurrent callers, pool of 2: %d connections, %llu waits\n",
        conns,
        (unsigned long long)st.pool_waits);
    aws_client_free(c);
    ka_stop(&ka);
}

struct pool_call {
    struct aws_http_transport *t;
    const char *url;
    int64_t deadline_ns;
    struct tpd_stop *stop;
    enum tpd_code rc;
    enum aws_http_error net;
};

static void *send_in_thread(void *ud) {
    struct pool_call *k = ud;
    struct aws_http_request req = {
        "POST", k->url, NULL, 0, {NULL, 0}, 0, 0, 0, k->stop, k->deadline_ns};
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    struct tpd_err err;
    tpd_err_init(&err);
    k->rc = aws_http_send(k->t, &req, &resp, &err);
    k->net = resp.error;
    aws_http_response_clear(&resp);
    tpd_err_clear(&err);
    return NULL;
}

/* A request waiting for a pooled connection waits no longer than its deadline (the
 * operation's timeout) and no longer than a stop request: with a pool of one held by a
 * request the server never answers, a second request fails with the deadline kind at its
 * deadline, without opening a connection, and the stop ends the first. */
static void test_pool_wait_ends_at_deadline_and_stop(void **state) {
    (void)state;
    struct bh_server bh;
    assert_int_equal(bh_start(&bh), 0);
    struct tpd_stop stop;
    tpd_stop_init(&stop);
    struct aws_http_curl_options ho = {.max_connections_per_host = 1};
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_http_transport *t = aws_http_curl_new_opts(&ho, &err);
    assert_non_null(t);
    struct pool_call held = {t, bh.url, 0, &stop, TPD_OK, AWS_HTTP_ERR_NONE};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, send_in_thread, &held), 0);
    assert_true(bh_wait_requests(&bh, 1)); /* the only connection is in use */
    struct pool_call late = {
        t, bh.url, tpd_now_ns() + 50 * 1000000LL, NULL, TPD_OK, AWS_HTTP_ERR_NONE};
    send_in_thread(&late);
    assert_int_equal(late.rc, TPD_E_TIMEOUT);
    assert_int_equal(late.net, AWS_HTTP_ERR_DEADLINE);
    assert_true(tpd_now_ns() >= late.deadline_ns);
    assert_int_equal(bh_requests(&bh), 1);
    struct aws_http_stats st;
    aws_http_transport_stats(t, &st);
    assert_int_equal(st.pool_waits, 1);
    /* a waiting request also ends on the stop flag */
    struct pool_call waiting = {t, bh.url, 0, &stop, TPD_OK, AWS_HTTP_ERR_NONE};
    pthread_t th2;
    assert_int_equal(pthread_create(&th2, NULL, send_in_thread, &waiting), 0);
    /* synchronise on the event: the second request waits for the pool (60 s: a guard) */
    for (int i = 0; i < 60000; i++) {
        aws_http_transport_stats(t, &st);
        if (st.pool_waits == 2) {
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(st.pool_waits, 2);
    tpd_stop_request(&stop);
    pthread_join(th, NULL);
    pthread_join(th2, NULL);
    assert_int_equal(held.rc, TPD_E_STOPPED);
    assert_int_equal(waiting.rc, TPD_E_STOPPED);
    assert_int_equal(waiting.net, AWS_HTTP_ERR_STOPPED);
    assert_int_equal(bh_requests(&bh), 1);
    aws_http_transport_free(t);
    tpd_stop_clear(&stop);
    bh_stop(&bh);
}

/* The trusted CAs are read once per client, not once per connection or thread: the
 * bundle file is deleted after the first HTTPS request, and 4 concurrent callers x 5
 * requests, each on a new connection (this server closes every connection), still verify
 * the server. Left to libcurl, every pooled handle read the file again (its CA cache
 * belongs to a multi handle, and each slot has its own): 16 ms of CPU per read of the
 * system's bundle, and here a TLS failure for every new slot. */
static void test_ca_bundle_read_once(void **state) {
    (void)state;
    struct tls_env e;
    tls_env_start(&e);
    char copy[300];
    snprintf(copy, sizeof(copy), "%s/once.pem", e.dir);
    assert_int_equal(tt_write_file(copy, e.pki.ca_pem), 0);
    struct aws_client_options o;
    base_options(&o, e.srv.url);
    o.ca_bundle = copy;
    struct aws_client *c = new_client(&o);
    struct many m = {c, {0}};
    describe_five(&m, 0);
    assert_int_equal(m.ok[0], 5);
    assert_int_equal(unlink(copy), 0);
    memset(m.ok, 0, sizeof(m.ok));
    aws_parallel_run(4, describe_five, &m);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(m.ok[i], 5);
    }
    struct aws_http_stats st;
    aws_client_stats(c, &st);
    assert_int_equal(st.requests, 25);
    assert_int_equal(st.connections, 25);
    assert_int_equal(st.trust_loads, 1);
    aws_client_free(c);
    tls_env_stop(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throttle_and_5xx_retried),
        cmocka_unit_test(test_5xx_exhausted_keeps_request_id),
        cmocka_unit_test(test_connection_refused_and_timeout),
        cmocka_unit_test(test_ten_threads_one_client),
        cmocka_unit_test(test_refused_fails_fast),
        cmocka_unit_test(test_unresolvable_host_fails_fast),
        cmocka_unit_test(test_blackhole_stall_budget),
        cmocka_unit_test(test_stop_aborts_request_in_flight),
        cmocka_unit_test(test_ca_bundle_sources),
        cmocka_unit_test(test_https_through_connect_proxy),
        cmocka_unit_test(test_connections_counted),
        cmocka_unit_test(test_connections_reused),
        cmocka_unit_test(test_pool_bounded_per_endpoint),
        cmocka_unit_test(test_pool_wait_ends_at_deadline_and_stop),
        cmocka_unit_test(test_ca_bundle_read_once),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
