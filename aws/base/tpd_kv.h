/*
 * tpd_kv: one owned key/value pair of strings (tags, identifiers, parameters) and the
 * helpers for arrays of them. Arrays are kept sorted by key where order matters for
 * comparison or for deterministic output.
 *
 * Ownership: a struct tpd_kv owns both strings (heap, freed with free()).
 * tpd_kv_array_free frees the strings and the array itself.
 * Threads: no shared state.
 */
#ifndef TPD_KV_H
#define TPD_KV_H

#include <stdbool.h>
#include <stddef.h>

#include "tpd_err.h"

struct tpd_kv {
    char *key;
    char *value;
};

/* Free every pair's strings and the array (NULL is fine). */
void tpd_kv_array_free(struct tpd_kv *kv, size_t count);
/* Deep copy of count pairs into *out (NULL when count is 0). TPD_E_NOMEM on failure,
 * with *out NULL. */
enum tpd_code tpd_kv_array_copy(const struct tpd_kv *src, size_t count, struct tpd_kv **out);
/* Sort by key (bytewise). */
void tpd_kv_array_sort(struct tpd_kv *kv, size_t count);
/* The value for key, or NULL. Borrowed. Linear search. */
const char *tpd_kv_find(const struct tpd_kv *kv, size_t count, const char *key);
/* Same keys with the same values (order-insensitive). */
bool tpd_kv_array_equal(const struct tpd_kv *a, size_t na, const struct tpd_kv *b, size_t nb);

#endif
