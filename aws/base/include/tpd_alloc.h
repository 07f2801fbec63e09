/*
 * tpd_alloc: every heap allocation of the project goes through these functions,
 * so that tests can make the Nth allocation fail and check that each caller turns
 * out-of-memory into TPD_E_NOMEM, frees what it holds and loses nothing
 * (the torture tests of curl and SQLite; tests/aws/test_oom.c).
 *
 * Memory from tpd_malloc/tpd_calloc/tpd_realloc/tpd_strdup is ordinary heap memory:
 * release it with free(). Third-party libraries (jansson, expat, msgpack-c, libcurl,
 * gRPC) keep their own allocators.
 *
 * Threads: all functions are thread-safe; the failure injection is process-wide
 * (tests that use it run single-threaded).
 */
#ifndef TPD_ALLOC_H
#define TPD_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#    define TPD_MUST_CHECK __attribute__((warn_unused_result))
#    define TPD_MALLOC_LIKE __attribute__((malloc))
#else
#    define TPD_MUST_CHECK
#    define TPD_MALLOC_LIKE
#endif

/* malloc/calloc/realloc/strdup with failure injection. NULL on failure (for
 * tpd_realloc the old block is then untouched). tpd_strdup(NULL) is NULL. */
void *tpd_malloc(size_t n) TPD_MALLOC_LIKE TPD_MUST_CHECK;
void *tpd_calloc(size_t count, size_t size) TPD_MALLOC_LIKE TPD_MUST_CHECK;
void *tpd_realloc(void *p, size_t n) TPD_MUST_CHECK;
char *tpd_strdup(const char *s) TPD_MALLOC_LIKE TPD_MUST_CHECK;
/* Copy of the first n bytes of s (which need not be NUL-terminated), NUL added. */
char *tpd_strndup(const char *s, size_t n) TPD_MALLOC_LIKE TPD_MUST_CHECK;

/*
 * Make room for `need` elements of `size` bytes in *items (capacity *cap), growing
 * geometrically; the size arithmetic is checked. On failure *items and *cap are
 * unchanged. Returns false on overflow or no memory.
 */
bool tpd_array_reserve(void **items, size_t *cap, size_t need, size_t size) TPD_MUST_CHECK;
#define TPD_ARRAY_RESERVE(items, cap, need)                                                        \
    tpd_array_reserve((void **)&(items), &(cap), (need), sizeof(*(items)))

/*
 * Test hooks. tpd_alloc_fail_at(n): the n-th allocation from now (1 = the next one)
 * fails, and with `persist` every later one too; 0 switches injection off.
 * tpd_alloc_failed(): whether an injected failure happened since then.
 */
void tpd_alloc_fail_at(unsigned long n, bool persist);
bool tpd_alloc_failed(void);

#endif
