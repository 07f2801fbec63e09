/*
 * aws_parallel_run: every call runs exactly once, call 0 on the calling thread, the
 * calls really run at the same time (each waits until all have started: a sequential
 * run could never finish), graceful fallback when out of memory, and five client calls
 * at once over one scripted transport.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "aws_parallel.h"
#include "ddb.h"
#include "fake_transport.h"
#include "tpd_alloc.h"

#define N_MAX 8

struct rendezvous {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t n;         /* calls expected */
    size_t inside;    /* calls that have started */
    bool all_met;     /* every call saw all n inside at once */
    int calls[N_MAX]; /* times each i ran */
    pthread_t caller;
    bool zero_on_caller;
};

/* Waits (up to 60 s, a guard against a hang) until all n calls are inside. */
static void meet(void *ud, size_t i) {
    struct rendezvous *r = ud;
    pthread_mutex_lock(&r->mu);
    r->calls[i]++;
    if (i == 0) {
        r->zero_on_caller = pthread_equal(pthread_self(), r->caller);
    }
    r->inside++;
    pthread_cond_broadcast(&r->cv);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    int rc = 0;
    while (r->inside < r->n && rc == 0) {
        rc = pthread_cond_timedwait(&r->cv, &r->mu, &until);
    }
    if (r->inside < r->n) {
        r->all_met = false;
    }
    pthread_mutex_unlock(&r->mu);
}

static void rendezvous_init(struct rendezvous *r, size_t n) {
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->n = n;
    r->all_met = true;
    r->caller = pthread_self();
}

static void rendezvous_clear(struct rendezvous *r) {
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

static void test_all_run_at_once(void **state) {
    (void)state;
    for (size_t n = 0; n <= 6; n++) {
        struct rendezvous r;
        rendezvous_init(&r, n);
        aws_parallel_run(n, meet, &r);
        assert_true(r.all_met);
        for (size_t i = 0; i < N_MAX; i++) {
            assert_int_equal(r.calls[i], i < n ? 1 : 0);
        }
        if (n > 0) {
            assert_true(r.zero_on_caller);
        }
        rendezvous_clear(&r);
    }
}

static void count(void *ud, size_t i) {
    int *calls = ud;
    calls[i]++;
}

/* Without memory for the bookkeeping every call still runs, one after the other. */
static void test_out_of_memory_runs_everything(void **state) {
    (void)state;
    int calls[N_MAX] = {0};
    tpd_alloc_fail_at(1, true);
    aws_parallel_run(5, count, calls);
    bool failed = tpd_alloc_failed();
    tpd_alloc_fail_at(0, false);
    assert_true(failed);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(calls[i], 1);
    }
}

static const char *OK_TABLE = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}";

struct describe_all {
    struct aws_client *c;
    enum tpd_code rc[5];
};

static void describe(void *ud, size_t i) {
    struct describe_all *d = ud;
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    d->rc[i] = ddb_describe_table(d->c, "t", &t, &err);
    if (d->rc[i] == TPD_OK) {
        ddb_table_clear(&t);
    }
    tpd_err_clear(&err);
}

static void test_client_calls_at_once(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    ft->fallback = (struct ft_answer){TPD_OK, 200, OK_TABLE, NULL, AWS_HTTP_ERR_NONE};
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.shared_credentials_file = "/nonexistent/tpd/credentials";
    o.shared_config_file = "/nonexistent/tpd/config";
    struct tpd_err err;
    tpd_err_init(&err);
    struct describe_all d = {aws_client_new(&o, &err), {TPD_E_INTERNAL}};
    assert_non_null(d.c);
    aws_parallel_run(5, describe, &d);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(d.rc[i], TPD_OK);
    }
    assert_int_equal(ft->req_count, 5);
    aws_client_free(d.c);
    ft_free(ft);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_run_at_once),
        cmocka_unit_test(test_out_of_memory_runs_everything),
        cmocka_unit_test(test_client_calls_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
