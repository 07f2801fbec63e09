/*
 * decide: the one decision of a resource change (action.h), as a pure function of the
 * request (request.h) and the facts gathered (facts.h). It composes the rules of
 * ownership.h (whose stack, which path), adoption.h (what adopting changes, what refuses
 * it), index_plan.h (index changes one per stack update; indexes deleted or added outside)
 * into an ordered list of steps with the warnings the plan shows.
 *
 * Facts are gathered in rounds: when a rule needs a fact that costs extra calls (an
 * adoption's extras, the stacks importing exports, the stack holding the table), decide
 * returns with p->needs set and no path; gather.c reads it and decide runs again.
 *
 * Threads: pure.
 */
#ifndef TPD_DECIDE_H
#define TPD_DECIDE_H

#include <stdbool.h>

#include "action.h"
#include "facts.h"
#include "request.h"

enum decide_need {
    DECIDE_NEED_EXTRAS = 1,    /* cloud_ops.read_extras of the table (an adoption's review) */
    DECIDE_NEED_IMPORTERS = 2, /* the stacks importing an export of the stack to delete */
    DECIDE_NEED_OWNER = 4,     /* the stack holding the table: looked up, and read fully */
    DECIDE_NEED_RESTORE = 8,   /* the source of a restore (cloud_ops.read_restore_source) */
};

/* The plan of req on f. *out is initialised here; action_plan_clear frees it. */
void decide(const struct request *req, const struct resource_facts *f, struct action_plan *out);

/*
 * Does the path decided now (apply, on fresh facts) keep the plan's promise, recorded in
 * req->priv (path, path_stack)? Nothing recorded (a destroy, an older release's plan): yes.
 * A plan that waited for a busy stack accepts the path that needs no preview (an update of
 * this instance's stack, a create). Otherwise the paths must be the same, on the same
 * stack. When not, *why (initialised here) says what changed and what to do.
 */
bool decide_keeps_plan(
    const struct request *req, const struct action_plan *now, struct refusal *why);

#endif
