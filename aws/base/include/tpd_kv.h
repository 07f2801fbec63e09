/*
 * tpd_kv: an owned key/value pair of heap strings, the one pair type for data the
 * project keeps (stack and table tags, shared-config entries), and the helpers for
 * arrays of them.
 *
 * Borrowed pairs handed to a call (request headers, tags to send) stay in their own
 * const-qualified structs (aws_http_kv, cfn_kv_in, ddb_tag_in): a char * field cannot
 * hold a string literal under -Wwrite-strings, and a const one cannot be freed.
 *
 * Ownership: key and value are heap strings (either may be NULL) freed by
 * tpd_kv_clear / tpd_kv_array_free (which also frees the array).
 * Threads: plain data.
 */
#ifndef TPD_KV_H
#define TPD_KV_H

#include <stdbool.h>
#include <stddef.h>

#include "tpd_alloc.h"
#include "tpd_err.h"

struct tpd_kv {
    char *key;
    char *value;
};

/* Set kv to copies of key and value (NULL stays NULL). On TPD_E_NOMEM kv is untouched. */
enum tpd_code tpd_kv_set(struct tpd_kv *kv, const char *key, const char *value) TPD_MUST_CHECK;
/* Free both strings; the pair is then {NULL, NULL}. */
void tpd_kv_clear(struct tpd_kv *kv);
/* Clear count pairs and free the array (NULL is fine). */
void tpd_kv_array_free(struct tpd_kv *kv, size_t count);
/* Deep copy of count pairs into *out (NULL when count is 0). TPD_E_NOMEM on failure,
 * with *out NULL. */
enum tpd_code tpd_kv_array_copy(const struct tpd_kv *src, size_t count, struct tpd_kv **out);
/* Sort by key (bytewise). */
void tpd_kv_array_sort(struct tpd_kv *kv, size_t count);
/* The value for key, or NULL. Borrowed. Linear search. */
const char *tpd_kv_find(const struct tpd_kv *kv, size_t count, const char *key);

#endif
