/*
 * ownership: which stacks and tables this resource may touch, and which path an apply
 * takes — pure decisions over the facts cloud.c gathered (docs/resource.md,
 * "Ownership and safety").
 *
 * A stack is this resource's own only if
 *   - it is the stack recorded in state (its id: the provider created or adopted into
 *     it, or the user imported it with `terraform import STACK/TABLE`), or its table
 *     resource carries this provider's marker for the configured table
 *     (table_template.h), or it is an empty shell with this provider's template
 *     description; and
 *   - it holds nothing but the configured table (a stack update renders a template
 *     with the table alone, which would delete anything else), and no Transform.
 * Any other stack is foreign: never updated, imported into, or deleted.
 *
 * Decisions return a path, or a refusal whose text names the stack and what it holds.
 * Ownership: the _decision structs own their text buffers (_clear). Threads: pure.
 */
#ifndef TPD_OWNERSHIP_H
#define TPD_OWNERSHIP_H

#include <stdbool.h>

#include "facts.h"
#include "table_spec.h"
#include "tpd_buf.h"
#include "tpd_text.h"

enum stack_kind {
    STACK_NONE,      /* no live stack of that name */
    STACK_OWN,       /* ours and holding the table */
    STACK_OWN_SHELL, /* ours, holding no live table (failed create or import, table gone) */
    STACK_FOREIGN,   /* anything else */
};

/* Classify s for table (state_stack_id may be NULL). why (may be NULL) gets, for a
 * foreign stack, a sentence saying what it holds and why it is not ours. */
enum stack_kind ownership_classify(
    const struct stack_facts *s,
    const char *table,
    const char *state_stack_id,
    struct tpd_text *why);

/* A refusal: an error diagnostic on attribute `attr` (NULL: the resource). */
struct refusal {
    bool refused;
    const char *attr;
    struct tpd_buf summary;
    struct tpd_buf detail;
    /* TPD_OK, or why summary or detail could not be written (TPD_E_NOMEM...): still a
     * refusal, reported as such without its text (ttl_table_refusal_diag). */
    enum tpd_code rc;
};
void refusal_init(struct refusal *r);
void refusal_clear(struct refusal *r);
/* Refuse on attr (NULL: the resource) with summary and the text of detail, replacing any
 * earlier text; detail is finished (emptied). A failure of detail, or of copying either
 * text, is kept in r->rc. */
void refusal_set(struct refusal *r, const char *attr, const char *summary, struct tpd_text *detail);
/* Keep the first failure met while writing the refusal's text (no-op for TPD_OK). */
void refusal_fail(struct refusal *r, enum tpd_code rc);

/* ---- create (no prior state) ---- */

enum create_path {
    CREATE_FRESH,     /* CREATE change set */
    CREATE_ADOPT,     /* IMPORT change set, then the follow-up UPDATE */
    CREATE_TAKE_OVER, /* our own stack already holds the table: UPDATE */
    CREATE_REFUSE,
};

struct create_facts {
    const struct table_spec *want;
    const struct table_live *table;  /* exists or not */
    const struct stack_facts *stack; /* the stack named want->stack_name */
    const char *owner_stack;         /* the stack holding the table (any stack), or NULL */
    const char *replacing;           /* create half of a replacement of this table name */
};

struct create_decision {
    enum create_path path;
    bool delete_shell_first; /* our shell cannot be reused: DeleteStack it first */
    struct refusal refusal;
};
void create_decision_clear(struct create_decision *d);
void ownership_decide_create(const struct create_facts *f, struct create_decision *out);

/* ---- update (prior state, no replacement) ---- */

enum update_path {
    UPDATE_NORMAL, /* UPDATE change set on our stack */
    UPDATE_ADOPT,  /* the table is in no stack yet: IMPORT into the configured stack */
    UPDATE_MOVE,   /* stack_name changed: Retain in the old stack, delete it, IMPORT */
    UPDATE_REFUSE,
};

struct update_facts {
    const struct table_spec *want; /* want->stack_name: the configured stack */
    const char *prior_stack_name;
    const char *prior_stack_id; /* NULL: imported, never adopted */
    const struct table_live *table;
    const struct stack_facts *old_stack; /* named prior_stack_name (read when prior_stack_id) */
    const struct stack_facts *new_stack; /* named want->stack_name (when it differs, or adopting) */
    const char *owner_stack;
};

struct update_decision {
    enum update_path path;
    bool delete_shell_first; /* the configured stack is our shell: delete it first */
    struct refusal refusal;
};
void update_decision_clear(struct update_decision *d);
void ownership_decide_update(const struct update_facts *f, struct update_decision *out);

/* ---- destroy ---- */

enum destroy_path {
    DESTROY_REFUSE,
    DESTROY_STACK,            /* DeleteStack; the template's policy decides the table */
    DESTROY_STACK_THEN_TABLE, /* DeleteStack (its template retains), then DeleteTable */
    DESTROY_TABLE,            /* a table in no stack, destroyed on request: DeleteTable */
    DESTROY_FORGET,           /* remove from state, touch nothing */
};

struct destroy_facts {
    const char *table_name;
    const char *stack_name;
    const char *state_stack_id; /* NULL: never adopted */
    bool retain_on_destroy;
    bool explicit_destroy; /* terraform destroy or a removed resource, not a replacement */
    const struct table_live *table;
    const struct stack_facts *stack; /* read with resources and template */
};

struct destroy_decision {
    enum destroy_path path;
    struct refusal refusal;
    struct tpd_buf note;   /* a warning to show (what was kept and why); may be empty */
    enum tpd_code note_rc; /* TPD_OK, or why the note could not be written */
};
void destroy_decision_clear(struct destroy_decision *d);
void ownership_decide_destroy(const struct destroy_facts *f, struct destroy_decision *out);

#endif
