/*
 * action: the one decision of a change — an action plan (docs/design.md, "One decision").
 *
 * decide.c computes it, purely, from the request (request.h) and the facts gathered
 * (facts.h); PlanResourceChange renders it (its notes as warnings, a refusal as an error,
 * a new stack as an unknown stack_id) and records its path in the private bytes; apply
 * gathers the facts again, decides again, stops touching nothing when the path is not the
 * one planned, and carries the steps out in order through cloud_ops (execute.c). A rule
 * lives in one place: the decision.
 *
 * Ownership: a plan owns its notes, steps and strings (action_plan_clear).
 * Threads: plain data.
 */
#ifndef TPD_ACTION_H
#define TPD_ACTION_H

#include <stdbool.h>
#include <stddef.h>

#include "ownership.h"
#include "restore.h"
#include "table_spec.h"
#include "tpd_kv.h"

enum action_path {
    ACTION_NONE,                     /* nothing to do in AWS */
    ACTION_REFUSE,                   /* the refusal says why and what to do */
    ACTION_WAIT,                     /* a stack is busy: wait for it, then decide again */
    ACTION_CREATE,                   /* a new stack with a new table (CREATE change set) */
    ACTION_ADOPT,                    /* IMPORT the existing table, then the configuration */
    ACTION_TAKE_OVER,                /* the replaced instance's stack, updated in place */
    ACTION_UPDATE,                   /* UPDATE change set(s) on this instance's stack */
    ACTION_MOVE,                     /* Retain, delete the old stack, IMPORT into the new one */
    ACTION_RECOVER,                  /* finish a DELETE_FAILED stack keeping the table, IMPORT */
    ACTION_DESTROY_STACK,            /* DeleteStack (the template's policy decides the table) */
    ACTION_DESTROY_STACK_THEN_TABLE, /* DeleteStack keeping the table, then DeleteTable */
    ACTION_DESTROY_TABLE,            /* DeleteTable: a table in no stack */
    ACTION_FORGET,                   /* remove from state, touch nothing */
    ACTION_RESTORE,                  /* restore the table (restore.h), then IMPORT, then the rest */
};
/* "create", "adopt", ...: stable names, also stored in the private bytes. */
const char *action_path_name(enum action_path p);
/* The path of a name (ACTION_NONE for an unknown one). */
enum action_path action_path_from_name(const char *name);

enum action_step_kind {
    STEP_DELETE_STACK,     /* stack; retain_logical_id kept should the stack fail to delete */
    STEP_RETAIN,           /* stack: its template again with DeletionPolicy Retain (a move) */
    STEP_CREATE,           /* CREATE change set of the target */
    STEP_IMPORT,           /* IMPORT change set mirroring the live table, into stack */
    STEP_WAIT_TABLE,       /* the table and its indexes ACTIVE */
    STEP_RECREATE_INDEXES, /* create `indexes` (in the template, not on the table) */
    STEP_UPDATE,           /* UPDATE change set of the target (with `indexes` when given) */
    STEP_REPAIR,           /* compare the table with the target again, repair what differs */
    STEP_DELETE_TABLE,     /* after checking again that protection is still off */
    STEP_READ_BACK,        /* read the table for the state; wait while TTL settles */
    STEP_RESTORE,          /* restore the table from the plan's restore source */
};

struct action_step {
    enum action_step_kind kind;
    char *stack;                 /* the stack acted on */
    char *retain_logical_id;     /* DELETE_STACK: keep this resource (NULL: none) */
    char *logical_id;            /* UPDATE: the table's logical id in the stack (NULL: "Table") */
    struct table_index *indexes; /* UPDATE (indexes_given): the template's GSIs at this step;
                                    RECREATE_INDEXES: the indexes to create */
    size_t index_count;
    bool indexes_given;
    struct tpd_kv *tags; /* RETAIN: the stack's tags, kept */
    size_t tag_count;
    char *label; /* "stack update 2 of 3: creating index by_status", for logs and errors */
};

struct action_note {
    char *summary;
    char *detail;
};

struct action_plan {
    enum action_path path;
    unsigned needs; /* facts to gather before deciding again (DECIDE_NEED_*, decide.h) */
    struct refusal refusal;
    struct action_note *notes; /* warnings the plan shows */
    size_t note_count;
    size_t note_cap;
    enum tpd_code rc; /* TPD_OK, or why the plan could not be written out (out of memory):
                         apply then stops and the plan says so */
    struct action_step *steps;
    size_t step_count;
    size_t step_cap;
    struct table_spec target; /* what the stack's template renders (the configuration, with
                                 what an adoption must set: adoption_want_ttl) */
    char *owner_id;           /* the owner id the templates carry; NULL: mint one (mint_owner) */
    bool mint_owner;          /* a new owner id is minted when the first template is written */
    bool new_stack;           /* the table ends in a stack other than the one in state */
    char *stack_id;           /* the stack the path acts on, as read (NULL: none yet) */
    char *wait_stack;         /* ACTION_WAIT: the busy stack */
    const struct restore_spec *restore; /* ACTION_RESTORE: the source (the request's) */
};

void action_plan_init(struct action_plan *p);
void action_plan_clear(struct action_plan *p);

/* Append a warning (printf-style detail). A failure is kept in p->rc. */
void action_note(struct action_plan *p, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append a step of kind on stack (may be NULL); the new step is returned (NULL on no
 * memory, kept in p->rc). */
struct action_step *
action_step(struct action_plan *p, enum action_step_kind kind, const char *stack);

#endif
