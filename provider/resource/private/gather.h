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

/* Only the first round (the reads every decision of req needs). */
enum tpd_code gather_first(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct tpd_err *err);

#endif
