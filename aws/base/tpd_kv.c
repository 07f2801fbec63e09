/*
 * tpd_kv: owned key/value pairs (see tpd_kv.h).
 */
#include "tpd_kv.h"

#include <stdlib.h>
#include <string.h>

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

void tpd_kv_array_free(struct tpd_kv *kv, size_t count) {
    for (size_t i = 0; kv && i < count; i++) {
        tpd_kv_clear(&kv[i]);
    }
    free(kv);
}

enum tpd_code tpd_kv_array_copy(const struct tpd_kv *src, size_t count, struct tpd_kv **out) {
    *out = NULL;
    if (count == 0) {
        return TPD_OK;
    }
    struct tpd_kv *v = tpd_calloc(count, sizeof(*v));
    if (!v) {
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        if (tpd_kv_set(&v[i], src[i].key ? src[i].key : "", src[i].value ? src[i].value : "")) {
            tpd_kv_array_free(v, count);
            return TPD_E_NOMEM;
        }
    }
    *out = v;
    return TPD_OK;
}

const char *tpd_kv_find(const struct tpd_kv *kv, size_t count, const char *key) {
    for (size_t i = 0; kv && key && i < count; i++) {
        if (kv[i].key && strcmp(kv[i].key, key) == 0) {
            return kv[i].value ? kv[i].value : "";
        }
    }
    return NULL;
}
