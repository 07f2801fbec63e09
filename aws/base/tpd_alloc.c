/*
 * tpd_alloc: allocation wrappers with failure injection for out-of-memory tests.
 *
 * The counters are relaxed atomics: in normal use injection is off and the cost is
 * one atomic load per allocation.
 */
#include "tpd_alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong s_fail_at; /* 0: off; else the count at which to fail */
static atomic_bool s_persist;  /* fail every allocation from s_fail_at on */
static atomic_ulong s_count;   /* allocations since tpd_alloc_fail_at */
static atomic_bool s_failed;   /* an injected failure happened */

static bool s_should_fail(void) {
    unsigned long at = atomic_load_explicit(&s_fail_at, memory_order_relaxed);
    if (at == 0) {
        return false;
    }
    unsigned long n = atomic_fetch_add_explicit(&s_count, 1, memory_order_relaxed) + 1;
    bool fail = n == at || (n > at && atomic_load_explicit(&s_persist, memory_order_relaxed));
    if (fail) {
        atomic_store_explicit(&s_failed, true, memory_order_relaxed);
    }
    return fail;
}

void *tpd_malloc(size_t n) {
    return s_should_fail() ? NULL : malloc(n ? n : 1);
}

void *tpd_calloc(size_t count, size_t size) {
    return s_should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1);
}

void *tpd_realloc(void *p, size_t n) {
    return s_should_fail() ? NULL : realloc(p, n ? n : 1);
}

char *tpd_strndup(const char *s, size_t n) {
    if (!s || n == SIZE_MAX) {
        return NULL;
    }
    char *p = tpd_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *tpd_strdup(const char *s) {
    return s ? tpd_strndup(s, strlen(s)) : NULL;
}

bool tpd_array_reserve(void **items, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) {
        return true;
    }
    size_t want = *cap ? *cap : 4;
    while (want < need) {
        if (want > SIZE_MAX / 2) {
            return false;
        }
        want *= 2;
    }
    if (size && want > SIZE_MAX / size) {
        return false;
    }
    void *p = tpd_realloc(*items, want * size);
    if (!p) {
        return false;
    }
    *items = p;
    *cap = want;
    return true;
}

void tpd_alloc_fail_at(unsigned long n, bool persist) {
    atomic_store(&s_count, 0);
    atomic_store(&s_failed, false);
    atomic_store(&s_persist, persist);
    atomic_store(&s_fail_at, n);
}

bool tpd_alloc_failed(void) {
    return atomic_load(&s_failed);
}
