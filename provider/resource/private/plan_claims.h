/*
 * plan_claims: which tables the resources of one plan create, manage or destroy — so that
 * two resources naming one table, or a plan that destroys a table at one address and
 * creates it at another (a rename, a count or for_each change without a moved block), are
 * refused at plan time, before any apply runs them side by side.
 *
 * Terraform starts a provider process for each walk (plan, apply) and plans each resource
 * instance once per walk (plus the second plan of a replacement's create half, which is
 * the same instance: internal/terraform/node_resource_abstract_instance.go); the provider
 * sees no addresses. So within one process, two claims of a table are two instances. The
 * claims live as long as the provider instance (one walk).
 *
 * Ownership: plan_claims_new/_free; names are copied. Threads: every function is
 * thread-safe (Terraform plans resources in parallel).
 */
#ifndef TPD_PLAN_CLAIMS_H
#define TPD_PLAN_CLAIMS_H

#include <stdbool.h>

enum plan_claim {
    PLAN_CLAIM_NONE = 0,
    PLAN_CLAIM_CREATE,  /* a resource with no state plans to create or adopt it */
    PLAN_CLAIM_MANAGE,  /* a resource in state plans (a change or none) */
    PLAN_CLAIM_DESTROY, /* a resource in state plans to destroy it */
};

struct plan_claims;

struct plan_claims *plan_claims_new(void);
void plan_claims_free(struct plan_claims *c);

/*
 * Record claim of table; the claim of another resource it conflicts with, or
 * PLAN_CLAIM_NONE: a create conflicts with any other create, manage or destroy of the
 * table; a manage with a create or another manage. (A destroy and a manage do not: the
 * user removes one of two resources that both had the table.) Out of memory: nothing is
 * recorded, PLAN_CLAIM_NONE (the AWS checks still apply).
 */
enum plan_claim plan_claims_add(struct plan_claims *c, const char *table, enum plan_claim claim);

#endif
