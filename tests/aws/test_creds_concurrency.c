/*
 * The credential cache and the account guard under many threads (issue 24, item 4):
 * one refresh in flight; callers with still-valid credentials served while it runs;
 * callers without credentials waiting for it and sharing its result, a failure too; a
 * backoff after a failed refresh; the account check asked once, outside the lock. The
 * source and the STS endpoint are gates the test opens, so every interleaving asserted
 * here is forced, not hoped for. Also run under ThreadSanitizer (scripts/tsan.sh).
 */
// tpd-test-labels: tsan
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "aws_client.h"
#include "aws_creds.h"
#include "test_util.h"

#define N_THREADS 16
#define T0 1700000000LL

static atomic_llong g_now = T0;

static int64_t fake_now(void) {
    return (int64_t)atomic_load(&g_now);
}

/* Wait (1 ms steps, 60 s guard) until cond(ud) holds: synchronising on an event. */
static bool wait_until(bool (*cond)(void *), void *ud) {
    for (int i = 0; i < 60000; i++) {
        if (cond(ud)) {
            return true;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return cond(ud);
}

/* ---- a credential source that blocks while its gate is closed ---------------------- */

struct gated {
    struct aws_creds_provider base;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool closed;
    bool fail;
    int calls;
    int in_flight;
    int max_in_flight;
    int64_t lifetime_s; /* expiration = now + lifetime_s */
};

static enum tpd_code
gated_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct gated *g = p->impl;
    pthread_mutex_lock(&g->mu);
    int call = ++g->calls;
    if (++g->in_flight > g->max_in_flight) {
        g->max_in_flight = g->in_flight;
    }
    pthread_cond_broadcast(&g->cv);
    while (g->closed) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    g->in_flight--;
    bool fail = g->fail;
    int64_t life = g->lifetime_s;
    pthread_mutex_unlock(&g->mu);
    if (fail) {
        return tpd_err_set(err, TPD_E_CREDENTIALS, "source down (call %d)", call);
    }
    char ak[32];
    snprintf(ak, sizeof(ak), "AKID%d", call);
    enum tpd_code rc = aws_creds_set(out, ak, "secret", "token", fake_now() + life);
    return rc ? tpd_err_set(err, rc, "no memory") : TPD_OK;
}

static void gated_init(struct gated *g) {
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->lifetime_s = 1000; /* beyond the 900 s advisory window: fresh at first */
    g->base = (struct aws_creds_provider){gated_get, NULL, "gated", g};
}

static void gated_clear(struct gated *g) {
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

static void gated_set(struct gated *g, bool closed, bool fail) {
    pthread_mutex_lock(&g->mu);
    g->closed = closed;
    g->fail = fail;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static int gated_calls(struct gated *g) {
    pthread_mutex_lock(&g->mu);
    int n = g->calls;
    pthread_mutex_unlock(&g->mu);
    return n;
}

/* ---- callers ------------------------------------------------------------------------ */

struct caller {
    struct aws_creds_provider *p;
    int rounds;
    enum tpd_code rc;
    char key[32];
    char msg[128];
    atomic_int *done; /* incremented when this caller returned */
};

static void *call_get(void *ud) {
    struct caller *k = ud;
    for (int i = 0; i < k->rounds; i++) {
        struct aws_creds cr;
        aws_creds_init(&cr);
        struct tpd_err err;
        tpd_err_init(&err);
        k->rc = aws_creds_get(k->p, &cr, &err);
        snprintf(k->key, sizeof(k->key), "%s", tpd_buf_cstr(&cr.access_key_id));
        snprintf(k->msg, sizeof(k->msg), "%s", err.msg ? err.msg : "");
        aws_creds_clear(&cr);
        tpd_err_clear(&err);
    }
    if (k->done) {
        atomic_fetch_add(k->done, 1);
    }
    return NULL;
}

/* The cached provider over a gated source: the wrapper keeps the source (it is not
 * freed with the cache: destroy is NULL). */
static struct aws_creds_provider *cache_over(struct gated *g) {
    struct aws_creds_provider *p = aws_creds_cached_new(&g->base, 0, fake_now);
    assert_non_null(p);
    return p;
}

static enum tpd_code get_once(struct aws_creds_provider *p, char *key, size_t cap) {
    struct caller k = {p, 1, TPD_OK, "", "", NULL};
    call_get(&k);
    snprintf(key, cap, "%s", k.key);
    return k.rc;
}

struct counts {
    struct gated *g;
    struct aws_creds_provider *p;
    int calls;
    size_t waiters;
    atomic_int *done;
    int done_target;
};

static bool entered(void *ud) {
    struct counts *c = ud;
    return gated_calls(c->g) >= c->calls && aws_creds_cached_waiters(c->p) >= c->waiters;
}

static bool all_done(void *ud) {
    struct counts *c = ud;
    return atomic_load(c->done) >= c->done_target;
}

/* Credentials still valid for minutes (the advisory window): one caller refreshes, the
 * others are served from the cache at once, while the refresh is blocked in the source
 * (so no lock is held across it). */
static void test_usable_served_during_refresh(void **state) {
    (void)state;
    atomic_store(&g_now, T0);
    struct gated g;
    gated_init(&g);
    struct aws_creds_provider *p = cache_over(&g);
    char key[32];
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_OK);
    assert_string_equal(key, "AKID1");
    atomic_store(&g_now, T0 + 200); /* 800 s left: usable, refresh due */
    gated_set(&g, true, false);
    struct caller refresher = {p, 1, TPD_OK, "", "", NULL};
    pthread_t rt;
    assert_int_equal(pthread_create(&rt, NULL, call_get, &refresher), 0);
    struct counts c = {&g, p, 2, 0, NULL, 0};
    assert_true(wait_until(entered, &c)); /* the refresh is in the source, gate closed */

    atomic_int done = 0;
    struct caller k[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        k[i] = (struct caller){p, 20, TPD_OK, "", "", &done};
        assert_int_equal(pthread_create(&th[i], NULL, call_get, &k[i]), 0);
    }
    c.done = &done;
    c.done_target = N_THREADS;
    bool served = wait_until(all_done, &c);
    int calls_meanwhile = gated_calls(&g);
    gated_set(&g, false, false); /* open the gate in any case, so the test ends */
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    pthread_join(rt, NULL);
    assert_true(served); /* every reader returned while the refresh was still blocked */
    assert_int_equal(calls_meanwhile, 2);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(k[i].rc, TPD_OK);
        assert_string_equal(k[i].key, "AKID1");
    }
    assert_int_equal(refresher.rc, TPD_OK);
    assert_string_equal(refresher.key, "AKID2");
    assert_int_equal(gated_calls(&g), 2);
    assert_int_equal(g.max_in_flight, 1);
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_OK);
    assert_string_equal(key, "AKID2");
    aws_creds_provider_free(p);
    gated_clear(&g);
}

/* No credentials yet: sixteen callers at once make one call to the source; fifteen wait
 * for it and share its credentials. */
static void test_one_refresh_shared(void **state) {
    (void)state;
    atomic_store(&g_now, T0);
    struct gated g;
    gated_init(&g);
    struct aws_creds_provider *p = cache_over(&g);
    gated_set(&g, true, false);
    struct caller k[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        k[i] = (struct caller){p, 1, TPD_E_INTERNAL, "", "", NULL};
        assert_int_equal(pthread_create(&th[i], NULL, call_get, &k[i]), 0);
    }
    struct counts c = {&g, p, 1, N_THREADS - 1, NULL, 0};
    assert_true(wait_until(entered, &c));
    gated_set(&g, false, false);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(k[i].rc, TPD_OK);
        assert_string_equal(k[i].key, "AKID1");
    }
    assert_int_equal(gated_calls(&g), 1);
    assert_int_equal(g.max_in_flight, 1);
    assert_int_equal(aws_creds_cached_waiters(p), 0);
    aws_creds_provider_free(p);
    gated_clear(&g);
}

/* A failed refresh: the callers waiting for it get its failure (not one more call each),
 * and for the backoff (1 s, then 2 s...) later callers get it too without a call; after
 * the backoff the source is asked again. */
static void test_failure_shared_then_backoff(void **state) {
    (void)state;
    atomic_store(&g_now, T0);
    struct gated g;
    gated_init(&g);
    struct aws_creds_provider *p = cache_over(&g);
    gated_set(&g, true, true);
    struct caller k[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        k[i] = (struct caller){p, 1, TPD_OK, "", "", NULL};
        assert_int_equal(pthread_create(&th[i], NULL, call_get, &k[i]), 0);
    }
    struct counts c = {&g, p, 1, N_THREADS - 1, NULL, 0};
    assert_true(wait_until(entered, &c));
    gated_set(&g, false, true);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(k[i].rc, TPD_E_CREDENTIALS);
        assert_string_equal(k[i].msg, "source down (call 1)");
    }
    assert_int_equal(gated_calls(&g), 1);
    char key[32];
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_E_CREDENTIALS); /* in the backoff */
    assert_int_equal(gated_calls(&g), 1);
    assert_int_equal(aws_creds_retry_backoff_s(1), 1);
    assert_int_equal(aws_creds_retry_backoff_s(2), 2);
    assert_int_equal(aws_creds_retry_backoff_s(3), 4);
    assert_int_equal(aws_creds_retry_backoff_s(40), AWS_CREDS_RETRY_MAX_S);
    atomic_store(&g_now, T0 + 1);
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_E_CREDENTIALS); /* asked again */
    assert_int_equal(gated_calls(&g), 2);
    atomic_store(&g_now, T0 + 2); /* second failure: 2 s of backoff */
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_E_CREDENTIALS);
    assert_int_equal(gated_calls(&g), 2);
    gated_set(&g, false, false);
    atomic_store(&g_now, T0 + 3);
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_OK);
    assert_string_equal(key, "AKID3");
    assert_int_equal(gated_calls(&g), 3);
    aws_creds_provider_free(p);
    gated_clear(&g);
}

/* Credentials still usable when a refresh fails: they keep being used, and the refresh
 * is not tried again by every caller until the backoff has passed. */
static void test_usable_survive_failed_refresh(void **state) {
    (void)state;
    atomic_store(&g_now, T0);
    struct gated g;
    gated_init(&g);
    struct aws_creds_provider *p = cache_over(&g);
    char key[32];
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_OK);
    atomic_store(&g_now, T0 + 200);
    gated_set(&g, false, true);
    struct caller k[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        k[i] = (struct caller){p, 5, TPD_E_INTERNAL, "", "", NULL};
        assert_int_equal(pthread_create(&th[i], NULL, call_get, &k[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(k[i].rc, TPD_OK);
        assert_string_equal(k[i].key, "AKID1");
    }
    assert_int_equal(gated_calls(&g), 2); /* one failed refresh, then the backoff */
    atomic_store(&g_now, T0 + 201);
    gated_set(&g, false, false);
    assert_int_equal(get_once(p, key, sizeof(key)), TPD_OK);
    assert_string_equal(key, "AKID3");
    aws_creds_provider_free(p);
    gated_clear(&g);
}

/* ---- the account guard ------------------------------------------------------------- */

static const char *IDENTITY =
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/"
    "u</Arn><UserId>U</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    "</GetCallerIdentityResponse>";
static const char *DENIED =
    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message>"
    "</Error><RequestId>r</RequestId></ErrorResponse>";

/* An STS endpoint that blocks while its gate is closed. */
struct gated_sts {
    struct aws_http_transport base;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool closed;
    bool deny;
    int calls;
};

static enum tpd_code sts_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    (void)req;
    (void)err;
    struct gated_sts *s = t->impl;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    while (s->closed) {
        pthread_cond_wait(&s->cv, &s->mu);
    }
    bool deny = s->deny;
    pthread_mutex_unlock(&s->mu);
    resp->status = deny ? 403 : 200;
    return tpd_buf_append_cstr(&resp->body, deny ? DENIED : IDENTITY);
}

static int sts_calls(struct gated_sts *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->calls;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void sts_set(struct gated_sts *s, bool closed, bool deny) {
    pthread_mutex_lock(&s->mu);
    s->closed = closed;
    s->deny = deny;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

struct verifier {
    struct aws_client *c;
    enum tpd_code rc;
    enum aws_account_verdict verdict;
    char account[16];
    char msg[256];
};

static void *call_verify(void *ud) {
    struct verifier *v = ud;
    char *acct = NULL;
    struct tpd_err err;
    tpd_err_init(&err);
    v->rc = aws_client_verify_account(v->c, &v->verdict, &acct, &err);
    snprintf(v->account, sizeof(v->account), "%s", acct ? acct : "");
    snprintf(v->msg, sizeof(v->msg), "%s", err.msg ? err.msg : "");
    free(acct);
    tpd_err_clear(&err);
    return NULL;
}

struct guard_counts {
    struct gated_sts *s;
    struct aws_client *c;
    int want_calls;
};

static bool guard_entered(void *ud) {
    struct guard_counts *g = ud;
    if (sts_calls(g->s) < g->want_calls) {
        return false;
    }
    /* aws_client_guard_waiters takes the guard's lock: it answering while the check is
     * blocked in STS is itself the proof that the lock is not held across the call. */
    return aws_client_guard_waiters(g->c) >= N_THREADS - 1;
}

static void run_verifiers(struct aws_client *c, struct gated_sts *s, struct verifier *v) {
    pthread_t th[N_THREADS];
    int before = sts_calls(s);
    for (int i = 0; i < N_THREADS; i++) {
        v[i] = (struct verifier){c, TPD_E_INTERNAL, AWS_ACCOUNT_FORBIDDEN, "", ""};
        assert_int_equal(pthread_create(&th[i], NULL, call_verify, &v[i]), 0);
    }
    struct guard_counts gc = {s, c, before + 1};
    bool ok = wait_until(guard_entered, &gc);
    int calls = sts_calls(s);
    sts_set(s, false, s->deny);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    assert_true(ok);
    assert_int_equal(calls, before + 1);
}

/* Sixteen callers need the verdict at once: STS is asked once, outside the guard's lock;
 * the others wait and share the answer, a failure too (which is not remembered: the next
 * caller asks again); a verdict is remembered. */
static void test_account_check_once(void **state) {
    (void)state;
    struct gated_sts s;
    memset(&s, 0, sizeof(s));
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    s.base = (struct aws_http_transport){sts_send, NULL, &s, NULL};
    const char *allowed[] = {"123456789012"};
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_sts = "http://sts.invalid";
    o.transport = &s.base;
    o.skip_instance_metadata = true;
    o.allowed_account_ids = allowed;
    o.allowed_account_ids_count = 1;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    struct verifier v[N_THREADS];

    sts_set(&s, true, true); /* first: STS refuses (AccessDenied is not retried) */
    run_verifiers(c, &s, v);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_not_equal(v[i].rc, TPD_OK);
        assert_int_equal(v[i].rc, v[0].rc);
        assert_non_null(strstr(v[i].msg, "checking the AWS account"));
        assert_non_null(strstr(v[i].msg, "AccessDenied"));
    }
    assert_int_equal(sts_calls(&s), 1);

    sts_set(&s, true, false); /* then: the account, allowed */
    run_verifiers(c, &s, v);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(v[i].rc, TPD_OK);
        assert_int_equal(v[i].verdict, AWS_ACCOUNT_OK);
        assert_string_equal(v[i].account, "123456789012");
    }
    assert_int_equal(sts_calls(&s), 2);
    struct verifier again = {c, TPD_E_INTERNAL, AWS_ACCOUNT_FORBIDDEN, "", ""};
    call_verify(&again); /* remembered: no third call */
    assert_int_equal(again.rc, TPD_OK);
    assert_int_equal(sts_calls(&s), 2);
    aws_client_free(c);
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.mu);
}

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_usable_served_during_refresh, setup),
        cmocka_unit_test_setup(test_one_refresh_shared, setup),
        cmocka_unit_test_setup(test_failure_shared_then_backoff, setup),
        cmocka_unit_test_setup(test_usable_survive_failed_refresh, setup),
        cmocka_unit_test_setup(test_account_check_once, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
