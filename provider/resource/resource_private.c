/*
 * resource_private: the private bytes as JSON (see resource_private.h).
 */
#include "resource_private.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

void resource_private_clear(struct resource_private *p) {
    free(p->replacing);
    memset(p, 0, sizeof(*p));
}

void resource_private_decode(struct tpd_span bytes, struct resource_private *out) {
    memset(out, 0, sizeof(*out));
    if (!bytes.len || bytes.len > 4096) {
        return;
    }
    json_t *j = json_loadb((const char *)bytes.ptr, bytes.len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *d = json_string_value(json_object_get(j, "destroy"));
    out->explicit_destroy = d && strcmp(d, "explicit") == 0;
    const char *r = json_string_value(json_object_get(j, "replacing"));
    out->replacing = r ? tpd_strdup(r) : NULL;
    out->protected_table = json_is_true(json_object_get(j, "protected"));
    out->imported = json_is_true(json_object_get(j, "imported"));
    out->forced = json_is_true(json_object_get(j, "forced"));
    json_t *ap = json_object_get(j, "applied_protection");
    out->protection_known = json_is_boolean(ap);
    out->protection_applied = json_is_true(ap);
    json_decref(j);
}

enum tpd_code resource_private_encode(const struct resource_private *p, struct tpd_buf *out) {
    json_t *j = json_pack("{s:i}", "v", 1);
    bool ok = j != NULL;
    if (ok && p->explicit_destroy) {
        ok = !json_object_set_new(j, "destroy", json_string("explicit"));
    }
    if (ok && p->replacing) {
        ok = !json_object_set_new(j, "replacing", json_string(p->replacing));
    }
    if (ok && p->protected_table) {
        ok = !json_object_set_new(j, "protected", json_true());
    }
    if (ok && p->imported) {
        ok = !json_object_set_new(j, "imported", json_true());
    }
    if (ok && p->forced) {
        ok = !json_object_set_new(j, "forced", json_true());
    }
    if (ok && p->protection_known) {
        ok = !json_object_set_new(j, "applied_protection", json_boolean(p->protection_applied));
    }
    char *text = ok ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!text) {
        return TPD_E_NOMEM;
    }
    enum tpd_code rc = tpd_buf_append_cstr(out, text);
    free(text);
    return rc;
}
