/*
 * gather: the facts a decision needs (facts.h), read through cloud_ops in rounds — the
 * independent reads of a round at once (one round trip) — and the decision made on them
 * (decide.h): a first round by the kind of request, then what the decision asks for
 * (an adoption's extras, the stack holding the table, the stacks importing exports).
 *
 * Ownership: f and p are caller storage (resource_facts_clear, action_plan_clear), also
 * after a failure. Threads: one call; the cloud_ops may run reads on other threads.
 */
#ifndef TPD_GATHER_H
#define TPD_GATHER_H

#include "action.h"
#include "cloud_ops.h"
#include "facts.h"
#include "request.h"

/* Gather, decide, and gather again while the decision needs more. A failed read: its
 * error (p holds no path). */
enum tpd_code gather_and_decide(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct action_plan *p,
    struct tpd_err *err);

/* gather_and_decide from the facts the plan of this same request handed off just before
 * (gather_hand_off, facts_handoff.h) when there are, else from reads. What the decision
 * asks for beyond them is read as usual. */
enum tpd_code gather_and_decide_handed(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct action_plan *p,
    struct tpd_err *err);

/* Hand the facts a plan gathered for req to the apply of the same request that follows in
 * this process (f is left zeroed). */
void gather_hand_off(
    const struct cloud_ops *ops, const struct request *req, struct resource_facts *f);

/* Hand what a refresh read (the table whole, the stack in state BASIC, moved out of
 * *table and *stack) to the plan of the same resource that follows in this process
 * (Terraform's plan walk refreshes, then plans, each resource): an update's plan then
 * reads only what the refresh did not (the stack's resources and template). */
void gather_hand_off_refresh(
    const struct cloud_ops *ops,
    const char *name,
    const char *stack_name,
    const char *stack_id,
    const char *arn,
    struct table_live *table,
    struct stack_facts *stack);

/* Only the first round (the reads every decision of req needs). */
enum tpd_code gather_first(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct tpd_err *err);

#endif
