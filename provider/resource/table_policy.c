/*
 * table_policy: resource policies compared as JSON (see table_policy.h).
 */
#include "table_policy.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_limits.h"

char *table_policy_canonical(const char *text) {
    if (!text || strlen(text) > TPD_MAX_RESOURCE_POLICY) {
        return NULL;
    }
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    char *out = json_is_object(j) ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    json_decref(j);
    return out;
}

bool table_policy_equal(const char *a, const char *b) {
    if (!a || !b) {
        return !a && !b;
    }
    if (strcmp(a, b) == 0) {
        return true;
    }
    char *ca = table_policy_canonical(a), *cb = table_policy_canonical(b);
    bool eq = ca && cb && strcmp(ca, cb) == 0;
    free(ca);
    free(cb);
    return eq;
}
