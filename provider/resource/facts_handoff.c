/*
 * facts_handoff: a few slots under a mutex (see facts_handoff.h).
 */
#include "facts_handoff.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

struct s_slot {
    char *key; /* NULL: free */
    char *table;
    int64_t at_ns;
    struct resource_facts facts;
};

struct facts_handoff {
    pthread_mutex_t mu;
    struct s_slot slots[FACTS_HANDOFF_SLOTS];
};

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static void s_slot_clear(struct s_slot *s) {
    free(s->key);
    free(s->table);
    resource_facts_clear(&s->facts);
    memset(s, 0, sizeof(*s));
}

struct facts_handoff *facts_handoff_new(void) {
    struct facts_handoff *h = tpd_calloc(1, sizeof(*h));
    if (h) {
        pthread_mutex_init(&h->mu, NULL);
    }
    return h;
}

void facts_handoff_free(struct facts_handoff *h) {
    if (!h) {
        return;
    }
    for (size_t i = 0; i < FACTS_HANDOFF_SLOTS; i++) {
        s_slot_clear(&h->slots[i]);
    }
    pthread_mutex_destroy(&h->mu);
    free(h);
}

void facts_handoff_put(
    struct facts_handoff *h,
    const char *key,
    const char *table,
    struct resource_facts *f,
    int64_t now_ns) {
    char *k = key ? tpd_strdup(key) : NULL;
    char *t = table ? tpd_strdup(table) : NULL;
    if (!h || !k || !t) {
        /* Lost to memory: nothing kept, the apply reads. */
        free(k);
        free(t);
        resource_facts_clear(f);
        return;
    }
    pthread_mutex_lock(&h->mu);
    struct s_slot *use = NULL;
    for (size_t i = 0; i < FACTS_HANDOFF_SLOTS && !use; i++) {
        if (s_eq(h->slots[i].key, key)) {
            use = &h->slots[i];
        }
    }
    for (size_t i = 0; i < FACTS_HANDOFF_SLOTS && !use; i++) {
        if (!h->slots[i].key) {
            use = &h->slots[i];
        }
    }
    for (size_t i = 0; i < FACTS_HANDOFF_SLOTS && !use; i++) {
        /* All taken: the oldest gives way. */
        size_t oldest = 0;
        for (size_t j = 1; j < FACTS_HANDOFF_SLOTS; j++) {
            oldest = h->slots[j].at_ns < h->slots[oldest].at_ns ? j : oldest;
        }
        use = &h->slots[oldest];
    }
    s_slot_clear(use);
    use->key = k;
    use->table = t;
    use->at_ns = now_ns;
    use->facts = *f;
    memset(f, 0, sizeof(*f));
    pthread_mutex_unlock(&h->mu);
}

bool facts_handoff_take(
    struct facts_handoff *h, const char *key, struct resource_facts *out, int64_t now_ns) {
    resource_facts_clear(out);
    if (!h || !key) {
        return false;
    }
    bool found = false;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < FACTS_HANDOFF_SLOTS; i++) {
        struct s_slot *s = &h->slots[i];
        if (!s_eq(s->key, key)) {
            continue;
        }
        if (now_ns - s->at_ns <= FACTS_HANDOFF_MAX_AGE_NS && now_ns >= s->at_ns) {
            *out = s->facts;
            memset(&s->facts, 0, sizeof(s->facts));
            found = true;
        }
        s_slot_clear(s);
        break;
    }
    pthread_mutex_unlock(&h->mu);
    return found;
}

/* name is one of the key's fields (FACTS_HANDOFF_SEP-separated). */
static bool s_in_key(const char *key, const char *name) {
    size_t n = strlen(name);
    for (const char *p = key; p;) {
        const char *end = strchr(p, FACTS_HANDOFF_SEP);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0) {
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

static bool s_about(const struct s_slot *s, const char *name) {
    const struct resource_facts *f = &s->facts;
    return s_eq(s->table, name) || s_in_key(s->key, name) || s_eq(f->table.spec.name, name) ||
           s_eq(f->config_stack.name, name) || s_eq(f->prior_stack.name, name) ||
           s_eq(f->owner_stack, name) || s_eq(f->owner.name, name);
}

void facts_handoff_forget(struct facts_handoff *h, const char *name) {
    if (!h || !name) {
        return;
    }
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < FACTS_HANDOFF_SLOTS; i++) {
        if (h->slots[i].key && s_about(&h->slots[i], name)) {
            s_slot_clear(&h->slots[i]);
        }
    }
    pthread_mutex_unlock(&h->mu);
}
