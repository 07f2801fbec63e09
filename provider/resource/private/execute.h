/*
 * execute: carry out an action plan's steps (action.h) in order through cloud_ops. It
 * decides nothing the plan has not decided: after a step that changes the facts it only
 * re-runs a pure decision the plan names (STEP_REPAIR computes drift.h on the table read
 * again; STEP_DELETE_TABLE checks again that protection is off), and it stops at the first
 * failure, saying how far it got, so that apply records what exists (execute_outcome).
 *
 * Ownership: out is caller storage (execute_result_clear), valid after a failure too.
 * Threads: one call.
 */
#ifndef TPD_EXECUTE_H
#define TPD_EXECUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "action.h"
#include "cloud_ops.h"
#include "facts.h"
#include "request.h"

struct execute_result {
    size_t steps_done;
    char *stack_id;          /* the stack holding (or being made to hold) the table, once known */
    char *owner_id;          /* the owner id the templates carry (minted here or the plan's) */
    bool executed;           /* a CREATE or IMPORT change set was executed: the stack has the table
                                or is getting it */
    bool placed;             /* the CREATE or IMPORT completed: the table is in its stack */
    bool owner_sent;         /* a template carrying owner_id was deployed (or was already there) */
    bool old_stack_gone;     /* MOVE, RECOVER: the stack in state was deleted, keeping the table */
    bool stack_deleted;      /* DESTROY*: the stack is gone */
    bool table_deleted;      /* DESTROY*: the table is gone */
    struct table_live table; /* READ_BACK (or the last REPAIR read): the table as it is */
    bool empty;              /* every stack change set was empty */
    bool restored;           /* RESTORE: DynamoDB accepted the restore: the table exists */
    struct refusal mismatch; /* RESTORE: the restored table differs in keys or indexes (kept,
                                not adopted; restore_check) */
};
void execute_result_clear(struct execute_result *r);

/* Run p's steps. f: the facts p was decided on (the live table an IMPORT mirrors). */
enum tpd_code execute_plan(
    const struct cloud_ops *ops,
    const struct action_plan *p,
    const struct resource_facts *f,
    int64_t deadline_ns,
    struct execute_result *out,
    struct tpd_err *err);

#endif
