/*
 * plan_claims: tables claimed by the plans of one provider process (see plan_claims.h).
 */
#include "plan_claims.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

struct s_entry {
    char *table;
    unsigned creates, manages, destroys;
};

struct plan_claims {
    pthread_mutex_t mu;
    struct s_entry *v;
    size_t n, cap;
};

struct plan_claims *plan_claims_new(void) {
    struct plan_claims *c = tpd_calloc(1, sizeof(*c));
    if (c) {
        pthread_mutex_init(&c->mu, NULL);
    }
    return c;
}

void plan_claims_free(struct plan_claims *c) {
    if (!c) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].table);
    }
    free(c->v);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static struct s_entry *s_find(struct plan_claims *c, const char *table) {
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i].table, table) == 0) {
            return &c->v[i];
        }
    }
    char *copy = tpd_strdup(table);
    if (!copy || !TPD_ARRAY_RESERVE(c->v, c->cap, c->n + 1)) {
        free(copy);
        return NULL;
    }
    struct s_entry *e = &c->v[c->n++];
    memset(e, 0, sizeof(*e));
    e->table = copy;
    return e;
}

enum plan_claim plan_claims_add(struct plan_claims *c, const char *table, enum plan_claim claim) {
    if (!c || !table || claim == PLAN_CLAIM_NONE) {
        return PLAN_CLAIM_NONE;
    }
    enum plan_claim conflict = PLAN_CLAIM_NONE;
    pthread_mutex_lock(&c->mu);
    struct s_entry *e = s_find(c, table);
    if (e) {
        switch (claim) {
            case PLAN_CLAIM_CREATE:
                conflict = e->destroys  ? PLAN_CLAIM_DESTROY
                           : e->creates ? PLAN_CLAIM_CREATE
                           : e->manages ? PLAN_CLAIM_MANAGE
                                        : PLAN_CLAIM_NONE;
                e->creates++;
                break;
            case PLAN_CLAIM_MANAGE:
                conflict = e->creates   ? PLAN_CLAIM_CREATE
                           : e->manages ? PLAN_CLAIM_MANAGE
                                        : PLAN_CLAIM_NONE;
                e->manages++;
                break;
            case PLAN_CLAIM_DESTROY:
                conflict = e->creates ? PLAN_CLAIM_CREATE : PLAN_CLAIM_NONE;
                e->destroys++;
                break;
            case PLAN_CLAIM_NONE:
                break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return conflict;
}
