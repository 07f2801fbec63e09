/* tpd_kv: owned key/value pairs (see tpd_kv.h). */
#include "tpd_kv.h"

#include <stdlib.h>

enum tpd_code tpd_kv_set(struct tpd_kv *kv, const char *key, const char *value) {
    char *k = key ? tpd_strdup(key) : NULL;
    char *v = value ? tpd_strdup(value) : NULL;
    if ((key && !k) || (value && !v)) {
        free(k);
        free(v);
        return TPD_E_NOMEM;
    }
    kv->key = k;
    kv->value = v;
    return TPD_OK;
}

void tpd_kv_clear(struct tpd_kv *kv) {
    free(kv->key);
    free(kv->value);
    kv->key = NULL;
    kv->value = NULL;
}

void tpd_kvs_free(struct tpd_kv *v, size_t n) {
    for (size_t i = 0; v && i < n; i++) {
        tpd_kv_clear(&v[i]);
    }
    free(v);
}
