/*
 * Unit tests of the ownership decisions (provider/resource/ownership.c) as tables: each
 * row is the facts AWS would report (the table, the stack by name, its resources and
 * template, the table's owner, the state) and the path or refusal expected. These are
 * the rules of docs/resource.md, "Ownership and safety".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ownership.h"
#include "table_template.h"
#include "tpd_alloc.h"

/* ---- fact builders ---------------------------------------------------------------- */

enum stack_shape {
    S_NONE,            /* no stack of that name */
    S_OURS,            /* marked for table T, holding T */
    S_OURS_OTHER,      /* marked for table T, holding another table */
    S_OURS_PLUS,       /* marked for T, holding T and a queue */
    S_OURS_SHELL,      /* ROLLBACK_COMPLETE, no resources, our description */
    S_OURS_REVIEW,     /* REVIEW_IN_PROGRESS, no resources, our change set (events) */
    S_OURS_TABLE_GONE, /* marked for T, T resource still listed (table deleted outside) */
    S_LEGACY,          /* written before the marker: legacy description, holding T */
    S_FOREIGN,         /* hand-made, holding another table */
    S_FOREIGN_T,       /* hand-made, holding T */
    S_FOREIGN_EMPTY,   /* ROLLBACK_COMPLETE, no resources, someone else's description */
    S_TRANSFORM,       /* holding T, marked, but with a Transform */
    S_OTHER,           /* marked for T with another owner (O2), holding T */
    S_MARK_NO_OWNER,   /* marked for T without an owner (an earlier release), holding T */
    S_DELETE_FAILED,   /* ours (O1), DELETE_FAILED, the table resource DELETE_FAILED */
    S_ROLLBACK_FAILED, /* ours (O1), UPDATE_ROLLBACK_FAILED */
    S_BUSY,            /* ours (O1), UPDATE_IN_PROGRESS, holding T */
    S_BUSY_OTHER,      /* another owner's (O2), CREATE_IN_PROGRESS, creating T */
    S_BUSY_EMPTY,      /* CREATE_IN_PROGRESS, no resources listed yet, our description */
};

/* Owner ids: the marker of S_OURS and friends says O1, S_OTHER's says O2. */
#define O1 "0123456789abcdef0123456789abcd01"
#define O2 "0123456789abcdef0123456789abcd02"

static char *s_dup(const char *s) {
    return s ? tpd_strdup(s) : NULL;
}

static void
s_stack(struct stack_facts *s, enum stack_shape shape, const char *name, const char *table) {
    memset(s, 0, sizeof(*s));
    if (shape == S_NONE) {
        return;
    }
    s->exists = true;
    s->name = s_dup(name);
    s->id = s_dup("arn:aws:cloudformation:us-east-1:123456789012:stack/s/1111");
    s->status = s_dup("UPDATE_COMPLETE");
    s->resources_read = true;
    s->tpl.read = true;
    const char *physical = table;
    switch (shape) {
        case S_OURS_OTHER:
            physical = "another-table";
            break;
        case S_FOREIGN:
            physical = "their-table";
            break;
        default:
            break;
    }
    bool marked = shape == S_OURS || shape == S_OURS_OTHER || shape == S_OURS_PLUS ||
                  shape == S_OURS_TABLE_GONE || shape == S_TRANSFORM || shape == S_OTHER ||
                  shape == S_MARK_NO_OWNER || shape == S_DELETE_FAILED ||
                  shape == S_ROLLBACK_FAILED || shape == S_BUSY || shape == S_BUSY_OTHER;
    bool empty = shape == S_OURS_SHELL || shape == S_OURS_REVIEW || shape == S_FOREIGN_EMPTY ||
                 shape == S_BUSY_EMPTY;
    if (!empty) {
        s->resource_count = 1;
        s->table_count = 1;
        s->table_logical_id = s_dup("Table");
        s->table_physical_id = s_dup(physical);
        s->table_resource_status = s_dup("UPDATE_COMPLETE");
        s->tpl.logical_id = s_dup("Table");
        s->tpl.deletion_policy = s_dup("Delete");
        s->tpl.resource_count = 1;
    }
    if (marked) {
        s->tpl.marked = true;
        s->tpl.marked_table = s_dup(table);
        if (shape != S_MARK_NO_OWNER) {
            s->tpl.marked_owner = s_dup(shape == S_OTHER || shape == S_BUSY_OTHER ? O2 : O1);
        }
    }
    switch (shape) {
        case S_OURS_PLUS:
            s->resource_count = 2;
            s->other_resources = s_dup("Queue (AWS::SQS::Queue)");
            break;
        case S_OURS_SHELL:
            free(s->status);
            s->status = s_dup("ROLLBACK_COMPLETE");
            s->description = s_dup(TABLE_TEMPLATE_DESCRIPTION);
            s->tpl.read = false;
            break;
        case S_OURS_REVIEW:
            free(s->status);
            s->status = s_dup("REVIEW_IN_PROGRESS");
            s->shell_marked = true;
            s->tpl.read = false;
            break;
        case S_FOREIGN_EMPTY:
            free(s->status);
            s->status = s_dup("ROLLBACK_COMPLETE");
            s->description = s_dup("something else");
            s->tpl.read = false;
            break;
        case S_LEGACY:
            s->tpl.legacy = true;
            break;
        case S_TRANSFORM:
            s->tpl.has_transform = true;
            break;
        case S_OURS_TABLE_GONE:
            free(s->table_resource_status);
            s->table_resource_status = s_dup("DELETE_COMPLETE");
            break;
        case S_DELETE_FAILED:
            free(s->status);
            s->status = s_dup("DELETE_FAILED");
            free(s->table_resource_status);
            s->table_resource_status = s_dup("DELETE_FAILED");
            s->status_reason = s_dup("The following resource(s) failed to delete: [Table].");
            break;
        case S_ROLLBACK_FAILED:
            free(s->status);
            s->status = s_dup("UPDATE_ROLLBACK_FAILED");
            break;
        case S_BUSY:
            free(s->status);
            s->status = s_dup("UPDATE_IN_PROGRESS");
            break;
        case S_BUSY_OTHER:
            free(s->status);
            s->status = s_dup("CREATE_IN_PROGRESS");
            free(s->table_resource_status);
            s->table_resource_status = s_dup("CREATE_IN_PROGRESS");
            break;
        case S_BUSY_EMPTY:
            free(s->status);
            s->status = s_dup("CREATE_IN_PROGRESS");
            s->description = s_dup(TABLE_TEMPLATE_DESCRIPTION);
            s->tpl.read = false;
            break;
        default:
            break;
    }
}

static void s_table(struct table_live *t, bool exists, const char *name, const char *hash_type) {
    memset(t, 0, sizeof(*t));
    if (!exists) {
        return;
    }
    t->exists = true;
    t->spec.name = s_dup(name);
    t->spec.hash.name = s_dup("id");
    t->spec.hash.type = s_dup(hash_type);
    t->status = s_dup("ACTIVE");
    t->tags_read = true;
}

static void s_want(struct table_spec *w, const char *name, const char *stack) {
    memset(w, 0, sizeof(*w));
    w->name = s_dup(name);
    w->stack_name = s_dup(stack);
    w->hash.name = s_dup("id");
    w->hash.type = s_dup("S");
    w->deletion_protection = true;
}

/* ---- classification ----------------------------------------------------------------- */

#define S_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1111"
#define OTHER_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s/2222"

static void test_classify(void **state) {
    (void)state;
    static const struct {
        enum stack_shape shape;
        struct owner_claim claim;
        enum stack_kind want;
        const char *why; /* substring of the explanation for foreign stacks */
    } rows[] = {
        {S_NONE, {0}, STACK_NONE, NULL},
        /* this instance's by the owner id on the marker */
        {S_OURS, {.owner_id = O1}, STACK_OWN, NULL},
        /* the same stack for a claim of nothing (a create, another workspace): another's */
        {S_OURS, {0}, STACK_OTHER_OWNER, "another resource instance (owner id " O1},
        /* a state of an earlier release (no owner id) names this stack: its own, also when
         * its interrupted first apply already wrote an owner */
        {S_OURS, {.stack_id = S_ID}, STACK_OWN, NULL},
        {S_MARK_NO_OWNER, {.stack_id = S_ID}, STACK_OWN, NULL},
        /* a state whose owner id differs from the marker's: another instance owns it now */
        {S_OURS, {.owner_id = O2, .stack_id = S_ID}, STACK_OTHER_OWNER, "owner id " O1},
        /* the marker lost its owner (edited outside): the state decides */
        {S_MARK_NO_OWNER, {.owner_id = O1, .stack_id = S_ID}, STACK_OWN, NULL},
        /* a marker without owner, unclaimed: made by this provider for some other state */
        {S_MARK_NO_OWNER, {0}, STACK_OTHER_OWNER, "names no owner"},
        {S_LEGACY, {0}, STACK_OTHER_OWNER, "names no owner"},
        {S_LEGACY, {.stack_id = S_ID}, STACK_OWN, NULL},
        /* the create half of a replacement: the replaced instance's stack */
        {S_OURS, {.replacing_owner = O1}, STACK_OWN, NULL},
        {S_MARK_NO_OWNER, {.replacing_stack_id = S_ID}, STACK_OWN, NULL},
        {S_OURS, {.replacing_owner = O2}, STACK_OTHER_OWNER, NULL},
        /* shells: nothing to lose, whoever made them */
        {S_OURS_SHELL, {0}, STACK_OWN_SHELL, NULL},
        {S_OURS_REVIEW, {0}, STACK_OWN_SHELL, NULL},
        {S_OURS_TABLE_GONE, {0}, STACK_OWN_SHELL, NULL},
        {S_BUSY_EMPTY, {0}, STACK_OWN_SHELL, NULL},
        /* another owner's stack creating the table right now */
        {S_BUSY_OTHER, {0}, STACK_OTHER_OWNER, "owner id " O2},
        /* never this provider's to touch */
        {S_OURS_OTHER, {.owner_id = O1}, STACK_FOREIGN, "another table"},
        {S_OURS_PLUS, {.owner_id = O1}, STACK_FOREIGN, "more than the table"},
        {S_FOREIGN, {0}, STACK_FOREIGN, "another table"},
        {S_FOREIGN_T, {0}, STACK_FOREIGN, "not created by this provider"},
        /* The stack recorded in state is ours even without a marker (imported by the
         * user with terraform import STACK/TABLE)... */
        {S_FOREIGN_T, {.stack_id = S_ID}, STACK_OWN, NULL},
        /* ...but a state id of another stack does not make this one ours. */
        {S_FOREIGN_T, {.stack_id = OTHER_ID}, STACK_FOREIGN, NULL},
        {S_FOREIGN_EMPTY, {0}, STACK_FOREIGN, "holding no resources"},
        {S_TRANSFORM, {.owner_id = O1}, STACK_FOREIGN, "Transform"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct stack_facts s;
        s_stack(&s, rows[i].shape, "stk", "T");
        struct tpd_text why;
        tpd_text_init(&why, 0);
        enum stack_kind k = ownership_classify(&s, "T", &rows[i].claim, &why);
        if (k != rows[i].want) {
            print_message(
                "row %zu: got %d, want %d (%s)\n", i, k, rows[i].want, tpd_text_cstr(&why));
        }
        assert_int_equal(k, rows[i].want);
        if (rows[i].why) {
            if (!strstr(tpd_text_cstr(&why), rows[i].why)) {
                print_message("row %zu: %s\n", i, tpd_text_cstr(&why));
            }
            assert_non_null(strstr(tpd_text_cstr(&why), rows[i].why));
        }
        tpd_text_clear(&why);
        stack_facts_clear(&s);
    }
}

/* ---- create -------------------------------------------------------------------------- */

static void test_decide_create(void **state) {
    (void)state;
    static const struct {
        bool table;             /* the configured table exists */
        const char *hash_type;  /* its key type */
        enum stack_shape stack; /* the stack named in the configuration */
        const char *owner;      /* the stack holding the table */
        const char *replacing;
        struct owner_claim claim; /* a create claims only what it replaces */
        enum create_path want;
        bool delete_first;
        const char *attr;   /* refusal's attribute ("-": none) */
        const char *advice; /* a phrase the refusal must contain */
    } rows[] = {
        /* neither exists */
        {false, "S", S_NONE, NULL, NULL, {0}, CREATE_FRESH, false, NULL, NULL},
        /* only our shell: a failed create (ROLLBACK_COMPLETE) is deleted first... */
        {false, "S", S_OURS_SHELL, NULL, NULL, {0}, CREATE_FRESH, true, NULL, NULL},
        /* ...a REVIEW_IN_PROGRESS one is reused */
        {false, "S", S_OURS_REVIEW, NULL, NULL, {0}, CREATE_FRESH, false, NULL, NULL},
        /* a stack whose table was deleted outside Terraform (its resource left the state) */
        {false, "S", S_OURS_TABLE_GONE, NULL, NULL, {0}, CREATE_FRESH, true, NULL, NULL},
        {false, "S", S_OURS, NULL, NULL, {0}, CREATE_FRESH, true, NULL, NULL},
        /* someone else's stack of that name: never touched */
        {false, "S", S_FOREIGN, NULL, NULL, {0}, CREATE_REFUSE, false, "stack_name", NULL},
        {false, "S", S_FOREIGN_EMPTY, NULL, NULL, {0}, CREATE_REFUSE, false, "stack_name", NULL},
        {false, "S", S_OURS_PLUS, NULL, NULL, {0}, CREATE_REFUSE, false, "stack_name", NULL},
        /* a stack being created with no table yet: wait, then decide */
        {false, "S", S_BUSY_EMPTY, NULL, NULL, {0}, CREATE_WAIT, false, NULL, NULL},
        /* a table in no stack is adopted */
        {true, "S", S_NONE, NULL, NULL, {0}, CREATE_ADOPT, false, NULL, NULL},
        {true, "S", S_OURS_SHELL, NULL, NULL, {0}, CREATE_ADOPT, true, NULL, NULL},
        {true, "S", S_OURS_REVIEW, NULL, NULL, {0}, CREATE_ADOPT, false, NULL, NULL},
        /* ...but not with another key schema */
        {true, "N", S_NONE, NULL, NULL, {0}, CREATE_REFUSE, false, "hash_key", NULL},
        /* ...nor into someone else's stack */
        {true, "S", S_FOREIGN, NULL, NULL, {0}, CREATE_REFUSE, false, "stack_name", NULL},
        /* a table in another stack */
        {true,
         "S",
         S_NONE,
         "elsewhere",
         NULL,
         {0},
         CREATE_REFUSE,
         false,
         "stack_name",
         "terraform import <address> elsewhere/T"},
        {true, "S", S_FOREIGN, "elsewhere", NULL, {0}, CREATE_REFUSE, false, "stack_name", NULL},
        /* another instance's stack holding the table (a second workspace or state, a
         * renamed address, this resource tainted after an interrupted create, a create
         * whose state was lost): never taken over; the refusal names each way out */
        {true, "S", S_OURS, "stk", NULL, {0}, CREATE_REFUSE, false, "-", "terraform untaint"},
        {true, "S", S_OURS, "stk", NULL, {0}, CREATE_REFUSE, false, "-", "moved block"},
        {true, "S", S_OURS, "stk", NULL, {0}, CREATE_REFUSE, false, "-", "import <address> stk/T"},
        {true, "S", S_OTHER, "stk", NULL, {0}, CREATE_REFUSE, false, "-", "owner id " O2},
        {true, "S", S_LEGACY, "stk", NULL, {0}, CREATE_REFUSE, false, "-", "terraform untaint"},
        {true, "S", S_MARK_NO_OWNER, "stk", NULL, {0}, CREATE_REFUSE, false, "-", NULL},
        /* ...also while it is still being created (an interrupted create, tainted) */
        {true, "S", S_BUSY_OTHER, "stk", NULL, {0}, CREATE_REFUSE, false, "-", "untaint"},
        /* ...also before CloudFormation made the table (waiting would let the tainted
         * replacement's destroy half delete the stack with the table first) */
        {false, "S", S_BUSY_OTHER, NULL, NULL, {0}, CREATE_REFUSE, false, "-", "untaint"},
        /* a hand-made stack holding the table: import it explicitly instead */
        {true,
         "S",
         S_FOREIGN_T,
         "stk",
         NULL,
         {0},
         CREATE_REFUSE,
         false,
         "stack_name",
         "terraform import <address> stk/T"},
        /* the create half of a replacement of T: T is about to be deleted */
        {true, "N", S_OURS, "stk", "T", {.replacing_owner = O1}, CREATE_FRESH, true, NULL, NULL},
        {true, "N", S_OURS, "stk", "T", {0}, CREATE_FRESH, true, NULL, NULL},
        /* the replaced instance's stack still holding the table (the destroy kept it) */
        {true,
         "S",
         S_OURS,
         "stk",
         NULL,
         {.replacing_owner = O1},
         CREATE_TAKE_OVER,
         false,
         NULL,
         NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct table_spec w;
        struct table_live t;
        struct stack_facts s;
        s_want(&w, "T", "stk");
        s_table(&t, rows[i].table, "T", rows[i].hash_type);
        s_stack(&s, rows[i].stack, "stk", "T");
        if (rows[i].stack == S_OURS_TABLE_GONE) {
            /* the stack still lists the table as live; the table is gone */
            free(s.table_resource_status);
            s.table_resource_status = s_dup("UPDATE_COMPLETE");
        }
        struct create_facts f = {
            &w, &t, &s, rows[i].owner, NULL, &rows[i].claim, rows[i].replacing};
        struct create_decision d;
        ownership_decide_create(&f, &d);
        if (d.path != rows[i].want || d.delete_shell_first != rows[i].delete_first) {
            print_message(
                "row %zu: path %d delete %d, want %d %d: %s\n",
                i,
                d.path,
                d.delete_shell_first,
                rows[i].want,
                rows[i].delete_first,
                tpd_buf_cstr(&d.refusal.detail));
        }
        assert_int_equal(d.path, rows[i].want);
        assert_int_equal(d.delete_shell_first, rows[i].delete_first);
        assert_int_equal(d.refusal.refused, rows[i].want == CREATE_REFUSE);
        if (rows[i].attr && strcmp(rows[i].attr, "-") == 0) {
            assert_null(d.refusal.attr);
        } else if (rows[i].attr) {
            assert_string_equal(d.refusal.attr, rows[i].attr);
        }
        if (rows[i].want == CREATE_REFUSE) {
            assert_non_null(strstr(tpd_buf_cstr(&d.refusal.detail), "Nothing was changed"));
        }
        if (rows[i].advice) {
            if (!strstr(tpd_buf_cstr(&d.refusal.detail), rows[i].advice)) {
                print_message("row %zu: %s\n", i, tpd_buf_cstr(&d.refusal.detail));
            }
            assert_non_null(strstr(tpd_buf_cstr(&d.refusal.detail), rows[i].advice));
        }
        create_decision_clear(&d);
        table_spec_clear(&w);
        table_live_clear(&t);
        stack_facts_clear(&s);
    }
}

/* A table in a stack a user can import (hand-made, holding only it) vs one that holds more:
 * the advice differs, and each is one a user can follow. */
static void test_create_elsewhere_advice(void **state) {
    (void)state;
    struct table_spec w;
    struct table_live t;
    struct stack_facts none, owner;
    s_want(&w, "T", "stk");
    s_table(&t, true, "T", "S");
    s_stack(&none, S_NONE, "stk", "T");
    s_stack(&owner, S_OURS_PLUS, "elsewhere", "T");
    struct owner_claim claim = {0};
    struct create_facts f = {&w, &t, &none, "elsewhere", &owner, &claim, NULL};
    struct create_decision d;
    ownership_decide_create(&f, &d);
    assert_int_equal(d.path, CREATE_REFUSE);
    assert_string_equal(d.refusal.attr, "name");
    assert_non_null(strstr(tpd_buf_cstr(&d.refusal.detail), "use another table name"));
    assert_null(strstr(tpd_buf_cstr(&d.refusal.detail), "terraform import"));
    create_decision_clear(&d);
    stack_facts_clear(&owner);
    s_stack(&owner, S_OTHER, "elsewhere", "T");
    ownership_decide_create(&f, &d);
    assert_int_equal(d.path, CREATE_REFUSE);
    assert_non_null(strstr(tpd_buf_cstr(&d.refusal.detail), "terraform untaint"));
    create_decision_clear(&d);
    stack_facts_clear(&owner);
    stack_facts_clear(&none);
    table_spec_clear(&w);
    table_live_clear(&t);
}

/* ---- update -------------------------------------------------------------------------- */

#define OLD_ID S_ID

static void test_decide_update(void **state) {
    (void)state;
    static const struct {
        const char *prior_stack;
        const char *prior_id;    /* NULL: imported, not adopted */
        const char *prior_owner; /* owner_id in state */
        enum stack_shape old_stack;
        const char *want_stack;
        enum stack_shape new_stack;
        const char *owner;
        bool table;
        enum update_path want;
        bool delete_first;
    } rows[] = {
        /* our stack, same name: a stack update */
        {"a", OLD_ID, O1, S_OURS, "a", S_NONE, "a", true, UPDATE_NORMAL, false},
        /* a state of an earlier release (no owner id) */
        {"a", OLD_ID, NULL, S_OURS, "a", S_NONE, "a", true, UPDATE_NORMAL, false},
        {"a", OLD_ID, NULL, S_MARK_NO_OWNER, "a", S_NONE, "a", true, UPDATE_NORMAL, false},
        /* a stack imported by the user (in state, no marker): still ours */
        {"a", OLD_ID, NULL, S_FOREIGN_T, "a", S_NONE, "a", true, UPDATE_NORMAL, false},
        /* the marker names another owner: another state took the stack */
        {"a", OLD_ID, O2, S_OURS, "a", S_NONE, "a", true, UPDATE_REFUSE, false},
        /* someone added resources to our stack: refuse, our update would delete them */
        {"a", OLD_ID, O1, S_OURS_PLUS, "a", S_NONE, "a", true, UPDATE_REFUSE, false},
        /* a stack that takes no change set */
        {"a", OLD_ID, O1, S_ROLLBACK_FAILED, "a", S_NONE, "a", true, UPDATE_REFUSE, false},
        /* an operation still running on our stack: wait, then decide */
        {"a", OLD_ID, O1, S_BUSY, "a", S_NONE, "a", true, UPDATE_WAIT, false},
        /* DELETE_FAILED (someone tried to delete it; protection kept the table): recover */
        {"a", OLD_ID, O1, S_DELETE_FAILED, "a", S_NONE, "a", true, UPDATE_RECOVER, false},
        {"a", OLD_ID, O1, S_DELETE_FAILED, "b", S_NONE, "a", true, UPDATE_RECOVER, false},
        {"a", OLD_ID, O1, S_DELETE_FAILED, "b", S_OURS_SHELL, "a", true, UPDATE_RECOVER, true},
        {"a", OLD_ID, O1, S_DELETE_FAILED, "b", S_FOREIGN, "a", true, UPDATE_REFUSE, false},
        /* stack_name changed: move */
        {"a", OLD_ID, O1, S_OURS, "b", S_NONE, "a", true, UPDATE_MOVE, false},
        {"a", OLD_ID, O1, S_OURS, "b", S_OURS_SHELL, "a", true, UPDATE_MOVE, true},
        /* ...but never into someone else's stack */
        {"a", OLD_ID, O1, S_OURS, "b", S_FOREIGN, "a", true, UPDATE_REFUSE, false},
        {"a", OLD_ID, O1, S_OURS, "b", S_OTHER, "a", true, UPDATE_REFUSE, false},
        /* imported, never adopted: adopt into the configured stack */
        {"a", NULL, NULL, S_NONE, "own", S_NONE, NULL, true, UPDATE_ADOPT, false},
        {"a", NULL, NULL, S_NONE, "own", S_OURS_REVIEW, NULL, true, UPDATE_ADOPT, false},
        {"a", NULL, NULL, S_NONE, "own", S_FOREIGN, NULL, true, UPDATE_REFUSE, false},
        /* ...adopted meanwhile by an apply of this instance whose state was lost */
        {"a", NULL, O1, S_NONE, "stk", S_OURS, "stk", true, UPDATE_NORMAL, false},
        /* ...adopted by another instance: never taken over */
        {"a", NULL, NULL, S_NONE, "stk", S_OURS, "stk", true, UPDATE_REFUSE, false},
        /* ...or adopted into another stack outside this configuration */
        {"a", NULL, NULL, S_NONE, "own", S_NONE, "elsewhere", true, UPDATE_REFUSE, false},
        /* our stack is gone (interrupted move): adopt again */
        {"a", OLD_ID, O1, S_NONE, "b", S_NONE, NULL, true, UPDATE_ADOPT, false},
        /* the table vanished after the plan */
        {"a", OLD_ID, O1, S_OURS, "a", S_NONE, "a", false, UPDATE_REFUSE, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct table_spec w;
        struct table_live t;
        struct stack_facts olds, news;
        s_want(&w, "T", rows[i].want_stack);
        s_table(&t, rows[i].table, "T", "S");
        s_stack(&olds, rows[i].old_stack, rows[i].prior_stack, "T");
        s_stack(&news, rows[i].new_stack, rows[i].want_stack, "T");
        if (rows[i].new_stack != S_NONE) {
            free(news.id);
            news.id = s_dup("arn:aws:cloudformation:us-east-1:123456789012:stack/s/3333");
        }
        bool same = strcmp(rows[i].prior_stack, rows[i].want_stack) == 0 && rows[i].prior_id;
        struct owner_claim claim = {.owner_id = rows[i].prior_owner, .stack_id = rows[i].prior_id};
        struct update_facts f = {
            &w, rows[i].prior_stack, &claim, &t, &olds, same ? &olds : &news, rows[i].owner, NULL};
        struct update_decision d;
        ownership_decide_update(&f, &d);
        if (d.path != rows[i].want || d.delete_shell_first != rows[i].delete_first) {
            print_message(
                "row %zu: path %d delete %d, want %d %d: %s\n",
                i,
                d.path,
                d.delete_shell_first,
                rows[i].want,
                rows[i].delete_first,
                tpd_buf_cstr(&d.refusal.detail));
        }
        assert_int_equal(d.path, rows[i].want);
        assert_int_equal(d.delete_shell_first, rows[i].delete_first);
        assert_int_equal(d.refusal.refused, rows[i].want == UPDATE_REFUSE);
        update_decision_clear(&d);
        table_spec_clear(&w);
        table_live_clear(&t);
        stack_facts_clear(&olds);
        stack_facts_clear(&news);
    }
}

/* ---- destroy ------------------------------------------------------------------------- */

static void test_decide_destroy(void **state) {
    (void)state;
    static const struct {
        const char *state_id;
        const char *state_owner;
        enum stack_shape stack;
        const char *policy; /* the deployed template's DeletionPolicy */
        bool table;
        bool protected_live;
        bool retain;
        bool explicit_destroy;
        const char *owner_stack; /* where the table is now, when the state names no stack */
        enum destroy_path want;
        const char *attr;
    } rows[] = {
        /* our stack: deleting it deletes the table by its policy */
        {OLD_ID, O1, S_OURS, "Delete", true, false, false, true, NULL, DESTROY_STACK, NULL},
        {OLD_ID, O1, S_OURS, "Delete", true, false, false, false, NULL, DESTROY_STACK, NULL},
        /* a state of an earlier release */
        {OLD_ID,
         NULL,
         S_MARK_NO_OWNER,
         "Delete",
         true,
         false,
         false,
         true,
         NULL,
         DESTROY_STACK,
         NULL},
        /* protected in AWS: refused, whatever the state said */
        {OLD_ID,
         O1,
         S_OURS,
         "Delete",
         true,
         true,
         false,
         true,
         NULL,
         DESTROY_REFUSE,
         "deletion_protection_enabled"},
        /* retain: the stack goes, the table stays — also when protected */
        {OLD_ID, O1, S_OURS, "Retain", true, true, true, true, NULL, DESTROY_STACK, NULL},
        /* retain, but the deployed template would delete the table */
        {OLD_ID,
         O1,
         S_OURS,
         "Delete",
         true,
         false,
         true,
         true,
         NULL,
         DESTROY_REFUSE,
         "retain_on_destroy"},
        /* the template retains (an adoption's follow-up never finished): an explicit
         * destroy deletes the table after the stack; a replacement keeps it */
        {OLD_ID,
         O1,
         S_OURS,
         "Retain",
         true,
         false,
         false,
         true,
         NULL,
         DESTROY_STACK_THEN_TABLE,
         NULL},
        {OLD_ID, O1, S_OURS, "Retain", true, false, false, false, NULL, DESTROY_STACK, NULL},
        /* a table in no stack: deleted only by an explicit destroy */
        {NULL, NULL, S_NONE, NULL, true, false, false, true, NULL, DESTROY_TABLE, NULL},
        {NULL, NULL, S_NONE, NULL, true, false, false, false, NULL, DESTROY_FORGET, NULL},
        {NULL, NULL, S_NONE, NULL, true, false, true, true, NULL, DESTROY_FORGET, NULL},
        /* ...unless it was adopted into a stack since: not ours to delete */
        {NULL, NULL, S_NONE, NULL, true, false, false, true, "elsewhere", DESTROY_FORGET, NULL},
        {NULL, NULL, S_NONE, NULL, true, true, false, true, "elsewhere", DESTROY_FORGET, NULL},
        /* our stack now holds something else too: refused, or forgotten with retain */
        {OLD_ID,
         O1,
         S_OURS_PLUS,
         "Delete",
         true,
         false,
         false,
         true,
         NULL,
         DESTROY_REFUSE,
         "stack_name"},
        {OLD_ID, O1, S_OURS_PLUS, "Delete", true, false, true, true, NULL, DESTROY_FORGET, NULL},
        /* another instance owns the stack now: never deleted here */
        {OLD_ID,
         O2,
         S_OURS,
         "Delete",
         true,
         false,
         false,
         true,
         NULL,
         DESTROY_REFUSE,
         "stack_name"},
        {OLD_ID, O2, S_OURS, "Delete", true, false, true, true, NULL, DESTROY_FORGET, NULL},
        /* a stack of that name that is not the one in state: not ours to delete */
        {OTHER_ID,
         O1,
         S_FOREIGN_T,
         "Delete",
         true,
         false,
         false,
         false,
         NULL,
         DESTROY_FORGET,
         NULL},
        /* busy: wait, then decide */
        {OLD_ID, O1, S_BUSY, "Delete", true, false, false, true, NULL, DESTROY_WAIT, NULL},
        /* nothing left */
        {OLD_ID, O1, S_NONE, NULL, false, false, false, true, NULL, DESTROY_FORGET, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct table_live t;
        struct stack_facts s;
        s_table(&t, rows[i].table, "T", "S");
        t.spec.deletion_protection = rows[i].protected_live;
        s_stack(&s, rows[i].stack, "stk", "T");
        if (rows[i].policy && s.exists) {
            free(s.tpl.deletion_policy);
            s.tpl.deletion_policy = s_dup(rows[i].policy);
        }
        struct owner_claim claim = {.owner_id = rows[i].state_owner, .stack_id = rows[i].state_id};
        struct destroy_facts f = {
            "T",
            "stk",
            &claim,
            rows[i].retain,
            rows[i].explicit_destroy,
            &t,
            &s,
            rows[i].owner_stack};
        struct destroy_decision d;
        ownership_decide_destroy(&f, &d);
        if (d.path != rows[i].want) {
            print_message(
                "row %zu: path %d, want %d: %s\n",
                i,
                d.path,
                rows[i].want,
                tpd_buf_cstr(&d.refusal.detail));
        }
        assert_int_equal(d.path, rows[i].want);
        if (rows[i].attr) {
            assert_string_equal(d.refusal.attr, rows[i].attr);
        }
        if (d.path == DESTROY_REFUSE) {
            assert_non_null(strstr(tpd_buf_cstr(&d.refusal.detail), "Nothing was deleted"));
        }
        destroy_decision_clear(&d);
        table_live_clear(&t);
        stack_facts_clear(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_decide_create),
        cmocka_unit_test(test_create_elsewhere_advice),
        cmocka_unit_test(test_decide_update),
        cmocka_unit_test(test_decide_destroy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
