/*
 * ownership: which stacks and tables this resource instance may touch, and which path a
 * change takes — pure decisions over the facts gathered (docs/resource.md, "Ownership
 * and safety" and "One owner per table").
 *
 * A stack is this provider's when its table resource carries the marker
 * {"TerraformProviderDynamoDB": {"Table": NAME, "Owner": OWNER_ID}} (table_template.h),
 * or its template is one an earlier release wrote (legacy), or it is an empty shell a
 * create or import of this provider left. It is this resource INSTANCE's own only if
 *   - the marker names this instance's owner id (recorded in the state at create or
 *     adoption, owner_id), or
 *   - the state records this very stack (its id: a stack ARN names one stack, never a
 *     later one of the same name) and no owner id of this instance was ever recorded
 *     (a state of an earlier release, or a stack imported with terraform import), or
 *   - this is the create half of a replacement of the instance that owns it;
 * and it holds nothing but the configured table, with no Transform. A stack of this
 * provider owned by another instance — another state, workspace, address, or this
 * resource before Terraform tainted it — is never updated, imported into, taken over or
 * deleted: the plan refuses and names what to do (untaint, moved, import). A create never
 * takes over a stack holding a table; only `terraform import` brings one into a state.
 *
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
    STACK_NONE,        /* no live stack of that name */
    STACK_OWN,         /* this instance's, holding the table (or creating it) */
    STACK_OWN_SHELL,   /* this provider's, holding no live table: nothing in it to lose */
    STACK_OTHER_OWNER, /* this provider's, holding the table, owned by another instance */
    STACK_FOREIGN,     /* anything else */
};

/* What this resource's state proves about which stack is its own. All may be NULL. */
struct owner_claim {
    const char *owner_id;           /* owner_id in state: this instance's */
    const char *stack_id;           /* stack_id in state */
    const char *replacing_owner;    /* create half of a replacement: the replaced owner */
    const char *replacing_stack_id; /* ... and its stack id */
};

/* Classify s for table and the claim (may be NULL: a claim of nothing). why (may be NULL)
 * gets, for a foreign stack or another owner's, a sentence saying what it holds and whose
 * it is. */
enum stack_kind ownership_classify(
    const struct stack_facts *s,
    const char *table,
    const struct owner_claim *claim,
    struct tpd_text *why);

/* The table resource of s is live or being created/imported/updated (a busy stack). */
bool ownership_stack_busy(const struct stack_facts *s);

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
/* Refuse with a printf-style detail. */
void refusal_setf(struct refusal *r, const char *attr, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Keep the first failure met while writing the refusal's text (no-op for TPD_OK). */
void refusal_fail(struct refusal *r, enum tpd_code rc);
/* Move src into dst (dst cleared first; src left initialised and empty). */
void refusal_move(struct refusal *dst, struct refusal *src);

/* ---- create (no prior state) ---- */

enum create_path {
    CREATE_FRESH,     /* CREATE change set */
    CREATE_ADOPT,     /* IMPORT change set, then the follow-up UPDATE */
    CREATE_TAKE_OVER, /* the replaced instance's stack still holds the table: UPDATE */
    CREATE_WAIT, /* the configured stack is busy and not provably another's: wait, then decide */
    CREATE_REFUSE,
};

struct create_facts {
    const struct table_spec *want;
    const struct table_live *table;  /* exists or not */
    const struct stack_facts *stack; /* the stack named want->stack_name */
    const char *owner_stack;         /* the stack holding the table (any stack), or NULL */
    const struct stack_facts *owner; /* that stack when it is not `stack` (may be NULL) */
    const struct owner_claim *claim; /* replacing_* only: a create has no state */
    const char *replacing;           /* create half of a replacement of this table name */
};

struct create_decision {
    enum create_path path;
    bool delete_shell_first; /* the configured stack is a shell that cannot be reused */
    struct refusal refusal;
};
void create_decision_clear(struct create_decision *d);
void ownership_decide_create(const struct create_facts *f, struct create_decision *out);

/* ---- update (prior state, no replacement) ---- */

enum update_path {
    UPDATE_NORMAL,  /* UPDATE change set on our stack */
    UPDATE_ADOPT,   /* the table is in no stack: IMPORT into the configured stack */
    UPDATE_MOVE,    /* stack_name changed: Retain in the old stack, delete it, IMPORT */
    UPDATE_RECOVER, /* our stack is DELETE_FAILED holding the table: finish its deletion
                       keeping the table, then IMPORT into the configured stack */
    UPDATE_WAIT,    /* a stack of ours is busy: wait, then decide */
    UPDATE_REFUSE,
};

struct update_facts {
    const struct table_spec *want; /* want->stack_name: the configured stack */
    const char *prior_stack_name;
    const struct owner_claim *claim; /* owner_id and stack_id from the state */
    const struct table_live *table;
    const struct stack_facts *old_stack; /* named prior_stack_name (read when claim->stack_id) */
    const struct stack_facts *new_stack; /* named want->stack_name (when it differs, or adopting) */
    const char *owner_stack;
    const struct stack_facts *owner; /* the owner stack when it is neither of the above */
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
    DESTROY_WAIT,             /* the stack is busy: wait, then decide */
};

struct destroy_facts {
    const char *table_name;
    const char *stack_name;
    const struct owner_claim *claim; /* owner_id and stack_id from the state */
    bool retain_on_destroy;
    bool explicit_destroy; /* terraform destroy or a removed resource, not a replacement */
    const struct table_live *table;
    const struct stack_facts *stack; /* read with resources and template */
    const char *owner_stack;         /* the stack holding the table now (any), or NULL */
};

struct destroy_decision {
    enum destroy_path path;
    const char *retain_logical_id; /* DESTROY_STACK*: keep this resource (borrowed from facts) */
    struct refusal refusal;
    struct tpd_buf note;   /* a warning to show (what was kept and why); may be empty */
    enum tpd_code note_rc; /* TPD_OK, or why the note could not be written */
};
void destroy_decision_clear(struct destroy_decision *d);
void ownership_decide_destroy(const struct destroy_facts *f, struct destroy_decision *out);

#endif
