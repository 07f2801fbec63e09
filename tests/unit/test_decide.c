/*
 * Unit tests of decide() (provider/resource/decide.c) as tables: each row is a request
 * and the facts gathered so far, and the action plan expected — its path, the facts it
 * still needs (rounds of gather.c), and its steps in order. The ownership rules under it
 * are tested in test_ownership.c; plan and apply on top of it in test_resource.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decide.h"
#include "table_template.h"

#define O1 "0123456789abcdef0123456789abcd01"
#define O2 "0123456789abcdef0123456789abcd02"
#define ID_S1 "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/1111"
#define ID_S9 "arn:aws:cloudformation:us-east-1:123456789012:stack/s9/9999"

static char *s_dup(const char *s) {
    return s ? strdup(s) : NULL;
}

/* ---- facts ----------------------------------------------------------------------------- */

enum table_shape {
    T_NONE,
    T_ACTIVE,    /* table T, protection off, no index */
    T_PROTECTED, /* deletion protection on */
    T_GSI_A,     /* with index gsi_a */
    T_UPDATING,  /* the table is still changing */
};

enum stack_shape {
    S_NONE,
    S_OURS,          /* marker T / O1, holding T, policy Delete, no index in the template */
    S_OURS_GSI_A,    /* ...its template declaring gsi_a */
    S_OURS_RETAIN,   /* ...its template retaining the table */
    S_OURS_NO_OWNER, /* a marker of an earlier release: no owner */
    S_OTHER,         /* marker T / O2: another instance's */
    S_SHELL,         /* ROLLBACK_COMPLETE, empty, made by this provider */
    S_REVIEW,        /* REVIEW_IN_PROGRESS, empty, made by this provider */
    S_BUSY,          /* ours, UPDATE_IN_PROGRESS */
    S_DELETE_FAILED, /* ours, DELETE_FAILED, the table resource DELETE_FAILED */
    S_CREATING,      /* CREATE_IN_PROGRESS, no resources listed yet, made by this provider */
};

/* An index "gsi_<attr>" on attribute attr (type S), projection ALL. */
static void s_index(struct table_index *x, const char *name, bool live) {
    memset(x, 0, sizeof(*x));
    x->name = s_dup(name);
    x->hash.name = s_dup(name + 4);
    x->hash.type = s_dup("S");
    x->projection = s_dup("ALL");
    x->status = live ? s_dup("ACTIVE") : NULL;
}

/* Indexes named in a comma-separated list ("" or NULL: none). */
static void s_indexes(const char *names, bool live, struct table_index **out, size_t *n) {
    *out = NULL;
    *n = 0;
    if (!names || !*names) {
        return;
    }
    *out = calloc(4, sizeof(**out));
    char buf[64];
    snprintf(buf, sizeof buf, "%s", names);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        s_index(&(*out)[(*n)++], t, live);
    }
}

static void s_table(struct table_live *t, enum table_shape shape) {
    memset(t, 0, sizeof(*t));
    if (shape == T_NONE) {
        return;
    }
    t->exists = true;
    t->spec.name = s_dup("T");
    t->spec.hash.name = s_dup("id");
    t->spec.hash.type = s_dup("S");
    t->spec.deletion_protection = shape == T_PROTECTED;
    t->arn = s_dup("arn:aws:dynamodb:us-east-1:123456789012:table/T");
    t->status = s_dup(shape == T_UPDATING ? "UPDATING" : "ACTIVE");
    t->ttl_status = s_dup("DISABLED");
    t->tags_read = true;
    s_indexes(shape == T_GSI_A ? "gsi_a" : NULL, true, &t->spec.gsis, &t->spec.gsi_count);
}

static void
s_stack(struct stack_facts *s, enum stack_shape shape, const char *name, const char *id) {
    memset(s, 0, sizeof(*s));
    if (shape == S_NONE) {
        return;
    }
    bool empty = shape == S_SHELL || shape == S_REVIEW || shape == S_CREATING;
    static const char *const status[] = {
        [S_SHELL] = "ROLLBACK_COMPLETE",
        [S_REVIEW] = "REVIEW_IN_PROGRESS",
        [S_BUSY] = "UPDATE_IN_PROGRESS",
        [S_DELETE_FAILED] = "DELETE_FAILED",
        [S_CREATING] = "CREATE_IN_PROGRESS",
    };
    s->exists = true;
    s->name = s_dup(name);
    s->id = s_dup(id);
    s->status = s_dup(status[shape] ? status[shape] : "UPDATE_COMPLETE");
    s->resources_read = true;
    if (empty) {
        s->description = s_dup(TABLE_TEMPLATE_DESCRIPTION);
        s->shell_marked = true;
        return;
    }
    s->description = s_dup(TABLE_TEMPLATE_DESCRIPTION);
    s->resource_count = s->table_count = 1;
    s->table_logical_id = s_dup("Table");
    s->table_physical_id = s_dup("T");
    s->table_resource_status =
        s_dup(shape == S_DELETE_FAILED ? "DELETE_FAILED" : "UPDATE_COMPLETE");
    if (shape == S_DELETE_FAILED) {
        s->status_reason = s_dup("The following resource(s) failed to delete: [Table].");
    }
    s->tpl.read = s->tpl.marked = true;
    s->tpl.marked_table = s_dup("T");
    s->tpl.marked_owner = shape == S_OURS_NO_OWNER ? NULL : s_dup(shape == S_OTHER ? O2 : O1);
    s->tpl.logical_id = s_dup("Table");
    s->tpl.deletion_policy = s_dup(shape == S_OURS_RETAIN ? "Retain" : "Delete");
    s->tpl.resource_count = 1;
    s->tpl.gsis_read = true;
    s_indexes(shape == S_OURS_GSI_A ? "gsi_a" : NULL, false, &s->tpl.gsis, &s->tpl.gsi_count);
}

/* Facts read so far. */
enum { R_OWNER = 1, R_OWNER_FULL = 2, R_EXTRAS = 4, R_IMPORTERS = 8 };

struct row {
    const char *what;
    enum request_op op;
    enum table_shape table;
    enum stack_shape config; /* the stack named by the configuration (s1, or s2 moving) */
    enum stack_shape prior;  /* the stack in state (s1), when state_stack */
    bool state_stack;        /* the state records the id of s1 */
    const char *owner;       /* owner id in state */
    bool moving;             /* stack_name changes from s1 to s2 */
    const char *want_gsis;   /* the configuration's indexes */
    bool explicit_destroy;
    bool retain; /* retain_on_destroy, in state and configuration */
    const char *replacing_owner;
    unsigned read;                /* R_* */
    const char *owner_stack;      /* with R_OWNER: the stack holding the table */
    enum stack_shape owner_shape; /* with R_OWNER_FULL: that stack (s9) */
    const char *importer;         /* with R_IMPORTERS: a stack importing an export */
    /* expected */
    enum action_path path;
    unsigned needs;
    const char *steps;
};

static void s_request(const struct row *r, struct request *q) {
    memset(q, 0, sizeof(*q));
    q->op = r->op;
    if (r->op != REQUEST_CREATE) {
        q->prior.present = true;
        q->prior.name = s_dup("T");
        q->prior.stack_name = s_dup("s1");
        q->prior.stack_id = r->state_stack ? s_dup(ID_S1) : NULL;
        q->prior.owner_id = s_dup(r->owner);
        q->prior.arn = s_dup("arn:aws:dynamodb:us-east-1:123456789012:table/T");
        q->prior.retain_on_destroy = r->retain;
        q->prior.protection = r->table == T_PROTECTED;
    }
    if (r->op != REQUEST_DESTROY) {
        struct table_spec *w = &q->want;
        w->name = s_dup("T");
        w->stack_name = s_dup(r->moving ? "s2" : "s1");
        w->hash.name = s_dup("id");
        w->hash.type = s_dup("S");
        w->retain_on_destroy = r->retain;
        s_indexes(r->want_gsis, false, &w->gsis, &w->gsi_count);
    }
    q->explicit_destroy = q->priv.explicit_destroy = r->explicit_destroy;
    if (r->replacing_owner) {
        q->priv.replacing = s_dup("T");
        q->priv.replacing_owner = s_dup(r->replacing_owner);
    }
    q->claim.owner_id = q->prior.owner_id;
    q->claim.stack_id = q->prior.stack_id;
    q->claim.replacing_owner = q->priv.replacing_owner;
}

/* The facts as gather.c leaves them for this row (gather_first, then what row->read says). */
static void s_facts(const struct row *r, struct resource_facts *f) {
    memset(f, 0, sizeof(*f));
    s_table(&f->table, r->table);
    f->table.extras_read = f->table.exists && (r->read & R_EXTRAS);
    bool config =
        r->op == REQUEST_CREATE || (r->op == REQUEST_UPDATE && (r->moving || !r->state_stack));
    if (config) {
        s_stack(&f->config_stack, r->config, r->moving ? "s2" : "s1", ID_S1);
    }
    if (r->op != REQUEST_CREATE && r->state_stack) {
        s_stack(&f->prior_stack, r->prior, "s1", ID_S1);
    }
    f->owner_read = r->read & R_OWNER;
    f->owner_stack = s_dup(r->owner_stack);
    f->owner_full_read = r->read & R_OWNER_FULL;
    if (r->read & R_OWNER_FULL) {
        s_stack(&f->owner, r->owner_shape, r->owner_stack, ID_S9);
    }
    f->importers_read = r->read & R_IMPORTERS;
    if (f->importers_read) {
        f->importers = calloc(2, sizeof(*f->importers));
        if (r->importer) {
            f->importers[f->importer_count++] = s_dup(r->importer);
        }
    }
}

/* "delete_stack s1 retain=Table, import s2, update s2 [gsi_b], wait_table, ..." */
static void s_steps(const struct action_plan *p, char *out, size_t cap) {
    static const char *const kinds[] = {
        [STEP_DELETE_STACK] = "delete_stack",
        [STEP_RETAIN] = "retain",
        [STEP_CREATE] = "create",
        [STEP_IMPORT] = "import",
        [STEP_WAIT_TABLE] = "wait_table",
        [STEP_RECREATE_INDEXES] = "recreate_indexes",
        [STEP_UPDATE] = "update",
        [STEP_REPAIR] = "repair",
        [STEP_DELETE_TABLE] = "delete_table",
        [STEP_READ_BACK] = "read_back",
    };
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < p->step_count && n < cap; i++) {
        const struct action_step *s = &p->steps[i];
        n += (size_t)snprintf(
            out + n,
            cap - n,
            "%s%s%s%s",
            i ? ", " : "",
            kinds[s->kind],
            s->stack ? " " : "",
            s->stack ? s->stack : "");
        if (s->retain_logical_id && n < cap) {
            n += (size_t)snprintf(out + n, cap - n, " retain=%s", s->retain_logical_id);
        }
        if ((s->indexes_given || s->kind == STEP_RECREATE_INDEXES) && n < cap) {
            n += (size_t)snprintf(out + n, cap - n, " [");
            for (size_t k = 0; k < s->index_count && n < cap; k++) {
                n += (size_t)snprintf(out + n, cap - n, "%s%s", k ? "," : "", s->indexes[k].name);
            }
            n += n < cap ? (size_t)snprintf(out + n, cap - n, "]") : 0;
        }
    }
}

#define STEPS_UPDATE(stack) "update " stack ", wait_table, repair, read_back"
#define STEPS_CREATE "create s1, wait_table, repair, read_back"

static const struct row s_rows[] = {
    /* ---- create ---- */
    {"fresh", REQUEST_CREATE, T_NONE, S_NONE, .path = ACTION_CREATE, .steps = STEPS_CREATE},
    {"fresh over a leftover shell",
     REQUEST_CREATE,
     T_NONE,
     S_SHELL,
     .path = ACTION_CREATE,
     .steps = "delete_stack s1, " STEPS_CREATE},
    {"fresh over a REVIEW_IN_PROGRESS shell (takes a CREATE as it is)",
     REQUEST_CREATE,
     T_NONE,
     S_REVIEW,
     .path = ACTION_CREATE,
     .steps = STEPS_CREATE},
    {"table exists: which stack holds it?",
     REQUEST_CREATE,
     T_ACTIVE,
     S_NONE,
     .needs = DECIDE_NEED_OWNER},
    {"table in no stack: the adoption's extras",
     REQUEST_CREATE,
     T_ACTIVE,
     S_NONE,
     .read = R_OWNER,
     .needs = DECIDE_NEED_EXTRAS},
    {"adopt",
     REQUEST_CREATE,
     T_ACTIVE,
     S_NONE,
     .read = R_OWNER | R_EXTRAS,
     .path = ACTION_ADOPT,
     .steps = "import s1, " STEPS_UPDATE("s1")},
    {"adopt into a leftover shell",
     REQUEST_CREATE,
     T_ACTIVE,
     S_SHELL,
     .read = R_OWNER | R_EXTRAS,
     .path = ACTION_ADOPT,
     .steps = "delete_stack s1, import s1, " STEPS_UPDATE("s1")},
    {"another instance's stack holds it",
     REQUEST_CREATE,
     T_ACTIVE,
     S_OTHER,
     .read = R_OWNER,
     .owner_stack = "s1",
     .path = ACTION_REFUSE},
    {"another instance's stack still creating the table (not visible yet): refused",
     REQUEST_CREATE,
     T_NONE,
     S_BUSY,
     .path = ACTION_REFUSE},
    {"a stack being created, nothing in it yet: wait, then decide",
     REQUEST_CREATE,
     T_NONE,
     S_CREATING,
     .path = ACTION_WAIT},
    {"create half of a replacement: the replaced instance's stack",
     REQUEST_CREATE,
     T_ACTIVE,
     S_OURS,
     .replacing_owner = O1,
     .read = R_OWNER,
     .owner_stack = "s1",
     .path = ACTION_CREATE,
     .steps = "delete_stack s1, " STEPS_CREATE},
    {"held by a third stack: read it",
     REQUEST_CREATE,
     T_ACTIVE,
     S_NONE,
     .read = R_OWNER,
     .owner_stack = "s9",
     .needs = DECIDE_NEED_OWNER},
    {"held by a third stack of another instance",
     REQUEST_CREATE,
     T_ACTIVE,
     S_NONE,
     .read = R_OWNER | R_OWNER_FULL,
     .owner_stack = "s9",
     .owner_shape = S_OTHER,
     .path = ACTION_REFUSE},
    /* ---- update ---- */
    {"update",
     REQUEST_UPDATE,
     T_ACTIVE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .path = ACTION_UPDATE,
     .steps = STEPS_UPDATE("s1")},
    {"update of a state without owner id (owner recorded)",
     REQUEST_UPDATE,
     T_ACTIVE,
     .prior = S_OURS_NO_OWNER,
     .state_stack = true,
     .path = ACTION_UPDATE,
     .steps = STEPS_UPDATE("s1")},
    {"index swap: one index per stack update",
     REQUEST_UPDATE,
     T_GSI_A,
     .prior = S_OURS_GSI_A,
     .state_stack = true,
     .owner = O1,
     .want_gsis = "gsi_b",
     .path = ACTION_UPDATE,
     .steps = "update s1 [], wait_table, " STEPS_UPDATE("s1")},
    {"two indexes added: two stack updates",
     REQUEST_UPDATE,
     T_ACTIVE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .want_gsis = "gsi_b,gsi_c",
     .path = ACTION_UPDATE,
     .steps = "update s1 [gsi_b], wait_table, " STEPS_UPDATE("s1")},
    {"index deleted outside: created again first",
     REQUEST_UPDATE,
     T_ACTIVE,
     .prior = S_OURS_GSI_A,
     .state_stack = true,
     .owner = O1,
     .want_gsis = "gsi_a",
     .path = ACTION_UPDATE,
     .steps = "recreate_indexes s1 [gsi_a], " STEPS_UPDATE("s1")},
    {"table still changing: wait first",
     REQUEST_UPDATE,
     T_UPDATING,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .path = ACTION_UPDATE,
     .steps = "wait_table, " STEPS_UPDATE("s1")},
    {"our stack busy",
     REQUEST_UPDATE,
     T_ACTIVE,
     .prior = S_BUSY,
     .state_stack = true,
     .owner = O1,
     .path = ACTION_WAIT},
    {"another instance took the stack",
     REQUEST_UPDATE,
     T_ACTIVE,
     .prior = S_OTHER,
     .state_stack = true,
     .owner = O1,
     .path = ACTION_REFUSE},
    {"move: which stack holds it?",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_NONE,
     S_OURS,
     true,
     O1,
     true,
     .needs = DECIDE_NEED_OWNER},
    {"move: who imports the old stack's exports?",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_NONE,
     S_OURS,
     true,
     O1,
     true,
     .read = R_OWNER,
     .owner_stack = "s1",
     .needs = DECIDE_NEED_IMPORTERS},
    {"move",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_NONE,
     S_OURS,
     true,
     O1,
     true,
     .read = R_OWNER | R_IMPORTERS,
     .owner_stack = "s1",
     .path = ACTION_MOVE,
     .steps = "retain s1, delete_stack s1 retain=Table, import s2, " STEPS_UPDATE("s2")},
    {"move refused: another stack imports an export",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_NONE,
     S_OURS,
     true,
     O1,
     true,
     .read = R_OWNER | R_IMPORTERS,
     .owner_stack = "s1",
     .importer = "consumer",
     .path = ACTION_REFUSE},
    {"move into another instance's stack",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_OTHER,
     S_OURS,
     true,
     O1,
     true,
     .read = R_OWNER | R_IMPORTERS,
     .owner_stack = "s1",
     .path = ACTION_REFUSE},
    {"DELETE_FAILED: recover",
     REQUEST_UPDATE,
     T_PROTECTED,
     .prior = S_DELETE_FAILED,
     .state_stack = true,
     .owner = O1,
     .read = R_IMPORTERS,
     .path = ACTION_RECOVER,
     .steps = "delete_stack s1 retain=Table, import s1, " STEPS_UPDATE("s1")},
    {"state in no stack: adopt",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_NONE,
     .read = R_OWNER | R_EXTRAS,
     .path = ACTION_ADOPT,
     .steps = "import s1, " STEPS_UPDATE("s1")},
    {"state in no stack, table adopted by another instance since",
     REQUEST_UPDATE,
     T_ACTIVE,
     S_OTHER,
     .read = R_OWNER | R_EXTRAS,
     .owner_stack = "s1",
     .path = ACTION_REFUSE},
    {"table gone since the plan",
     REQUEST_UPDATE,
     T_NONE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .path = ACTION_REFUSE},
    /* ---- destroy ---- */
    {"destroy: who imports the stack's exports?",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .needs = DECIDE_NEED_IMPORTERS},
    {"destroy the stack (its policy deletes the table)",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .read = R_IMPORTERS,
     .path = ACTION_DESTROY_STACK,
     .steps = "delete_stack s1"},
    {"destroy refused: other stacks import its exports",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .read = R_IMPORTERS,
     .importer = "consumer",
     .path = ACTION_REFUSE},
    {"destroy: the template retains the table, destroy asked for",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS_RETAIN,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .read = R_IMPORTERS,
     .path = ACTION_DESTROY_STACK_THEN_TABLE,
     .steps = "delete_stack s1 retain=Table, delete_table"},
    {"destroy half of a replacement: the retained table stays",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS_RETAIN,
     .state_stack = true,
     .owner = O1,
     .read = R_IMPORTERS,
     .path = ACTION_DESTROY_STACK,
     .steps = "delete_stack s1 retain=Table"},
    {"destroy with retain_on_destroy",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS_RETAIN,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .retain = true,
     .read = R_IMPORTERS,
     .path = ACTION_DESTROY_STACK,
     .steps = "delete_stack s1 retain=Table"},
    {"destroy with retain_on_destroy, the template would delete",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .retain = true,
     .path = ACTION_REFUSE},
    {"destroy refused: protected",
     REQUEST_DESTROY,
     T_PROTECTED,
     .prior = S_OURS,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .path = ACTION_REFUSE},
    {"destroy, our stack busy",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_BUSY,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .path = ACTION_WAIT},
    {"destroy of another instance's stack: refused",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OTHER,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .path = ACTION_REFUSE},
    {"... with retain_on_destroy: forgotten",
     REQUEST_DESTROY,
     T_ACTIVE,
     .prior = S_OTHER,
     .state_stack = true,
     .owner = O1,
     .explicit_destroy = true,
     .retain = true,
     .path = ACTION_FORGET},
    {"destroy, table in no stack: which stack holds it?",
     REQUEST_DESTROY,
     T_ACTIVE,
     .explicit_destroy = true,
     .needs = DECIDE_NEED_OWNER},
    {"destroy a table in no stack",
     REQUEST_DESTROY,
     T_ACTIVE,
     .explicit_destroy = true,
     .read = R_OWNER,
     .path = ACTION_DESTROY_TABLE,
     .steps = "delete_table"},
    {"destroy half of a replacement, table in no stack: kept",
     REQUEST_DESTROY,
     T_ACTIVE,
     .read = R_OWNER,
     .path = ACTION_FORGET},
    {"destroy, table adopted into a stack since: kept",
     REQUEST_DESTROY,
     T_ACTIVE,
     .explicit_destroy = true,
     .read = R_OWNER,
     .owner_stack = "s9",
     .path = ACTION_FORGET},
    {"destroy, table gone",
     REQUEST_DESTROY,
     T_NONE,
     .explicit_destroy = true,
     .path = ACTION_FORGET},
};

static void test_decide_rows(void **state) {
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof s_rows / sizeof s_rows[0]; i++) {
        const struct row *r = &s_rows[i];
        struct request q;
        struct resource_facts f;
        struct action_plan p;
        s_request(r, &q);
        s_facts(r, &f);
        decide(&q, &f, &p);
        char steps[512];
        s_steps(&p, steps, sizeof steps);
        const char *want_steps = r->steps ? r->steps : "";
        bool ok = p.rc == TPD_OK && p.path == r->path && p.needs == r->needs &&
                  strcmp(steps, want_steps) == 0 && (p.path == ACTION_REFUSE) == p.refusal.refused;
        if (!ok) {
            failures++;
            print_message(
                "row %zu (%s):\n  got  %s needs %u [%s]%s%s\n  want %s needs %u [%s]\n",
                i,
                r->what,
                action_path_name(p.path),
                p.needs,
                steps,
                p.refusal.refused ? " refused: " : "",
                p.refusal.refused ? tpd_buf_cstr(&p.refusal.summary) : "",
                action_path_name(r->path),
                r->needs,
                want_steps);
        }
        action_plan_clear(&p);
        resource_facts_clear(&f);
        request_clear(&q);
    }
    assert_int_equal(failures, 0);
}

/* Runs one row and returns its plan (caller clears). */
static void s_decide_row(const struct row *r, struct action_plan *p) {
    struct request q;
    struct resource_facts f;
    s_request(r, &q);
    s_facts(r, &f);
    decide(&q, &f, p);
    resource_facts_clear(&f);
    request_clear(&q);
}

static bool s_has_note(const struct action_plan *p, const char *summary) {
    for (size_t i = 0; i < p->note_count; i++) {
        if (strstr(p->notes[i].summary, summary)) {
            return true;
        }
    }
    return false;
}

/* Which owner id the templates carry, whether the stack is new, and the notes shown. */
static void test_decide_owner_and_notes(void **state) {
    (void)state;
    struct action_plan p;
    /* A create mints an owner; its stack is new. */
    s_decide_row(&s_rows[0], &p);
    assert_true(p.mint_owner && p.new_stack);
    assert_null(p.owner_id);
    action_plan_clear(&p);
    /* A leftover shell is deleted first, and the plan says so. */
    s_decide_row(&s_rows[1], &p);
    assert_true(s_has_note(&p, "Leftover stack will be deleted"));
    action_plan_clear(&p);
    /* An update keeps the state's owner id, on the stack in state. */
    const struct row upd = {
        "update", REQUEST_UPDATE, T_ACTIVE, .prior = S_OURS, .state_stack = true, .owner = O1};
    s_decide_row(&upd, &p);
    assert_false(p.mint_owner || p.new_stack);
    assert_string_equal(p.owner_id, O1);
    assert_string_equal(p.stack_id, ID_S1);
    assert_int_equal(p.note_count, 0);
    action_plan_clear(&p);
    /* A state without one (an earlier release): minted, and the plan says it is recorded. */
    const struct row upgrade = {
        "upgrade", REQUEST_UPDATE, T_ACTIVE, .prior = S_OURS_NO_OWNER, .state_stack = true};
    s_decide_row(&upgrade, &p);
    assert_true(p.mint_owner);
    assert_true(s_has_note(&p, "Owner will be recorded on the stack"));
    action_plan_clear(&p);
    /* A move and a recovery keep the owner and say what they do. */
    const struct row move = {
        "move",
        REQUEST_UPDATE,
        T_ACTIVE,
        S_NONE,
        S_OURS,
        true,
        O1,
        true,
        .read = R_OWNER | R_IMPORTERS,
        .owner_stack = "s1"};
    s_decide_row(&move, &p);
    assert_string_equal(p.owner_id, O1);
    assert_true(p.new_stack);
    assert_true(s_has_note(&p, "Table will move to another stack"));
    action_plan_clear(&p);
    const struct row recover = {
        "recover",
        REQUEST_UPDATE,
        T_PROTECTED,
        .prior = S_DELETE_FAILED,
        .state_stack = true,
        .owner = O1,
        .read = R_IMPORTERS};
    s_decide_row(&recover, &p);
    assert_true(s_has_note(&p, "Stack will be recovered from DELETE_FAILED"));
    assert_true(p.new_stack);
    assert_string_equal(p.stack_id, ID_S1);
    action_plan_clear(&p);
    /* Another instance's stack: the refusal names what resolves it. */
    s_decide_row(&s_rows[7], &p);
    assert_int_equal(p.path, ACTION_REFUSE);
    assert_string_equal(tpd_buf_cstr(&p.refusal.summary), "Table is managed by another resource");
    assert_non_null(strstr(tpd_buf_cstr(&p.refusal.detail), "terraform untaint"));
    assert_non_null(strstr(tpd_buf_cstr(&p.refusal.detail), "moved block"));
    action_plan_clear(&p);
}

/* decide_keeps_plan: apply's decision against the path the plan recorded. */
static void test_decide_keeps_plan(void **state) {
    (void)state;
    static const struct {
        const char *planned, *planned_stack;
        enum action_path now;
        const char *now_stack;
        bool keeps;
    } rows[] = {
        {NULL, NULL, ACTION_DESTROY_STACK, ID_S1, true}, /* nothing recorded */
        {"create", NULL, ACTION_CREATE, NULL, true},
        {"create", NULL, ACTION_ADOPT, NULL, false}, /* a table appeared */
        {"adopt", NULL, ACTION_CREATE, NULL, false}, /* the table went */
        {"update", ID_S1, ACTION_UPDATE, ID_S1, true},
        {"update", ID_S1, ACTION_UPDATE, ID_S9, false}, /* another stack of that name */
        {"wait", ID_S1, ACTION_UPDATE, ID_S1, true},    /* the busy stack settled */
        {"wait", NULL, ACTION_CREATE, NULL, true},
        {"wait", ID_S1, ACTION_MOVE, ID_S1, false},
        {"move", ID_S1, ACTION_MOVE, ID_S1, true},
        {"recover", ID_S1, ACTION_UPDATE, ID_S1, false},
        {"update", ID_S1, ACTION_REFUSE, NULL, true}, /* the refusal itself is reported */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct request q;
        memset(&q, 0, sizeof(q));
        q.op = REQUEST_UPDATE;
        q.want.name = s_dup("T");
        q.priv.path = s_dup(rows[i].planned);
        q.priv.path_stack = s_dup(rows[i].planned_stack);
        struct action_plan now;
        action_plan_init(&now);
        now.path = rows[i].now;
        now.stack_id = s_dup(rows[i].now_stack);
        struct refusal why;
        bool keeps = decide_keeps_plan(&q, &now, &why);
        if (keeps != rows[i].keeps) {
            print_message("row %zu: got %d\n", i, keeps);
        }
        assert_int_equal(keeps, rows[i].keeps);
        if (!keeps) {
            assert_string_equal(tpd_buf_cstr(&why.summary), "AWS changed since the plan");
            assert_non_null(strstr(tpd_buf_cstr(&why.detail), "Nothing was changed"));
        }
        refusal_clear(&why);
        action_plan_clear(&now);
        request_clear(&q);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide_rows),
        cmocka_unit_test(test_decide_owner_and_notes),
        cmocka_unit_test(test_decide_keeps_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
