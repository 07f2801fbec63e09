/*
 * tpd_kv: an owned key/value pair of heap strings, the one pair type for data the
 * project keeps (stack and table tags, shared-config entries).
 *
 * Borrowed pairs handed to a call (request headers, tags to send) stay in their own
 * const-qualified structs (aws_http_kv, cfn_kv_in, ddb_tag_in): a char * field cannot
 * hold a string literal under -Wwrite-strings, and a const one cannot be freed.
 *
 * Ownership: key and value are heap strings (either may be NULL) freed by
 * tpd_kv_clear / tpd_kvs_free.
 * Threads: plain data.
 */
#ifndef TPD_KV_H
#define TPD_KV_H

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
/* Clear n pairs and free the array. */
void tpd_kvs_free(struct tpd_kv *v, size_t n);

#endif
