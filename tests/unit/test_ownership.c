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
};

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
                  shape == S_OURS_TABLE_GONE || shape == S_TRANSFORM;
    bool empty = shape == S_OURS_SHELL || shape == S_OURS_REVIEW || shape == S_FOREIGN_EMPTY;
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

static void test_classify(void **state) {
    (void)state;
    static const struct {
        enum stack_shape shape;
        const char *state_id;
        enum stack_kind want;
        const char *why; /* substring of the explanation for foreign stacks */
    } rows[] = {
        {S_NONE, NULL, STACK_NONE, NULL},
        {S_OURS, NULL, STACK_OWN, NULL},
        {S_OURS_OTHER, NULL, STACK_FOREIGN, "another table"},
        {S_OURS_PLUS, NULL, STACK_FOREIGN, "more than the table"},
        {S_OURS_SHELL, NULL, STACK_OWN_SHELL, NULL},
        {S_OURS_REVIEW, NULL, STACK_OWN_SHELL, NULL},
        {S_LEGACY, NULL, STACK_OWN, NULL},
        {S_FOREIGN, NULL, STACK_FOREIGN, "another table"},
        {S_FOREIGN_T, NULL, STACK_FOREIGN, "not created by this provider"},
        /* The stack recorded in state is ours even without a marker (imported by the
         * user with terraform import STACK/TABLE)... */
        {S_FOREIGN_T,
         "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1111",
         STACK_OWN,
         NULL},
        /* ...but a state id of another stack does not make this one ours. */
        {S_FOREIGN_T,
         "arn:aws:cloudformation:us-east-1:123456789012:stack/s/2222",
         STACK_FOREIGN,
         NULL},
        {S_FOREIGN_EMPTY, NULL, STACK_FOREIGN, "holding no resources"},
        {S_TRANSFORM, NULL, STACK_FOREIGN, "Transform"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct stack_facts s;
        s_stack(&s, rows[i].shape, "stk", "T");
        struct tpd_text why;
        tpd_text_init(&why, 0);
        enum stack_kind k = ownership_classify(&s, "T", rows[i].state_id, &why);
        if (k != rows[i].want) {
            print_message(
                "row %zu: got %d, want %d (%s)\n", i, k, rows[i].want, tpd_text_cstr(&why));
        }
        assert_int_equal(k, rows[i].want);
        if (rows[i].why) {
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
        enum create_path want;
        bool delete_first;
        const char *attr; /* refusal's attribute */
    } rows[] = {
        /* neither exists */
        {false, "S", S_NONE, NULL, NULL, CREATE_FRESH, false, NULL},
        /* only our shell: a failed create (ROLLBACK_COMPLETE) is deleted first... */
        {false, "S", S_OURS_SHELL, NULL, NULL, CREATE_FRESH, true, NULL},
        /* ...a REVIEW_IN_PROGRESS one is reused */
        {false, "S", S_OURS_REVIEW, NULL, NULL, CREATE_FRESH, false, NULL},
        /* our stack whose table was deleted outside Terraform */
        {false, "S", S_OURS_TABLE_GONE, NULL, NULL, CREATE_FRESH, true, NULL},
        /* someone else's stack of that name: never touched */
        {false, "S", S_FOREIGN, NULL, NULL, CREATE_REFUSE, false, "stack_name"},
        {false, "S", S_FOREIGN_EMPTY, NULL, NULL, CREATE_REFUSE, false, "stack_name"},
        {false, "S", S_OURS_PLUS, NULL, NULL, CREATE_REFUSE, false, "stack_name"},
        /* a table in no stack is adopted */
        {true, "S", S_NONE, NULL, NULL, CREATE_ADOPT, false, NULL},
        {true, "S", S_OURS_SHELL, NULL, NULL, CREATE_ADOPT, true, NULL},
        {true, "S", S_OURS_REVIEW, NULL, NULL, CREATE_ADOPT, false, NULL},
        /* ...but not with another key schema */
        {true, "N", S_NONE, NULL, NULL, CREATE_REFUSE, false, "hash_key"},
        /* ...nor into someone else's stack */
        {true, "S", S_FOREIGN, NULL, NULL, CREATE_REFUSE, false, "stack_name"},
        /* a table in another stack */
        {true, "S", S_NONE, "elsewhere", NULL, CREATE_REFUSE, false, "stack_name"},
        {true, "S", S_FOREIGN, "elsewhere", NULL, CREATE_REFUSE, false, "stack_name"},
        /* our own stack holding the table (state lost): taken over */
        {true, "S", S_OURS, "stk", NULL, CREATE_TAKE_OVER, false, NULL},
        {true, "S", S_LEGACY, "stk", NULL, CREATE_TAKE_OVER, false, NULL},
        /* a hand-made stack holding the table: import it explicitly instead */
        {true, "S", S_FOREIGN_T, "stk", NULL, CREATE_REFUSE, false, "stack_name"},
        /* the create half of a replacement of T: T is about to be deleted */
        {true, "N", S_OURS, "stk", "T", CREATE_FRESH, true, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct table_spec w;
        struct table_live t;
        struct stack_facts s;
        s_want(&w, "T", "stk");
        s_table(&t, rows[i].table, "T", rows[i].hash_type);
        s_stack(&s, rows[i].stack, "stk", "T");
        if (rows[i].stack == S_OURS_TABLE_GONE) {
            free(s.table_resource_status);
            s.table_resource_status = s_dup("UPDATE_COMPLETE");
        }
        struct create_facts f = {&w, &t, &s, rows[i].owner, rows[i].replacing};
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
        if (rows[i].attr) {
            assert_string_equal(d.refusal.attr, rows[i].attr);
            assert_non_null(strstr(tpd_buf_cstr(&d.refusal.detail), "Nothing was changed"));
        }
        create_decision_clear(&d);
        table_spec_clear(&w);
        table_live_clear(&t);
        stack_facts_clear(&s);
    }
}

/* ---- update -------------------------------------------------------------------------- */

#define OLD_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1111"

static void test_decide_update(void **state) {
    (void)state;
    static const struct {
        const char *prior_stack;
        const char *prior_id; /* NULL: imported, not adopted */
        enum stack_shape old_stack;
        const char *want_stack;
        enum stack_shape new_stack;
        const char *owner;
        bool table;
        enum update_path want;
        bool delete_first;
    } rows[] = {
        /* our stack, same name: a stack update */
        {"a", OLD_ID, S_OURS, "a", S_NONE, "a", true, UPDATE_NORMAL, false},
        /* a stack imported by the user (in state, no marker): still ours */
        {"a", OLD_ID, S_FOREIGN_T, "a", S_NONE, "a", true, UPDATE_NORMAL, false},
        /* someone added resources to our stack: refuse, our update would delete them */
        {"a", OLD_ID, S_OURS_PLUS, "a", S_NONE, "a", true, UPDATE_REFUSE, false},
        /* stack_name changed: move */
        {"a", OLD_ID, S_OURS, "b", S_NONE, "a", true, UPDATE_MOVE, false},
        {"a", OLD_ID, S_OURS, "b", S_OURS_SHELL, "a", true, UPDATE_MOVE, true},
        /* ...but never into someone else's stack */
        {"a", OLD_ID, S_OURS, "b", S_FOREIGN, "a", true, UPDATE_REFUSE, false},
        /* imported, never adopted: adopt into the configured stack */
        {"a", NULL, S_NONE, "own", S_NONE, NULL, true, UPDATE_ADOPT, false},
        {"a", NULL, S_NONE, "own", S_OURS_REVIEW, NULL, true, UPDATE_ADOPT, false},
        {"a", NULL, S_NONE, "own", S_FOREIGN, NULL, true, UPDATE_REFUSE, false},
        /* ...adopted meanwhile by an apply whose state was lost */
        {"a", NULL, S_NONE, "stk", S_OURS, "stk", true, UPDATE_NORMAL, false},
        /* ...or adopted into another stack outside this configuration */
        {"a", NULL, S_NONE, "own", S_NONE, "elsewhere", true, UPDATE_REFUSE, false},
        /* our stack is gone (interrupted move): adopt again */
        {"a", OLD_ID, S_NONE, "b", S_NONE, NULL, true, UPDATE_ADOPT, false},
        /* the table vanished after the plan */
        {"a", OLD_ID, S_OURS, "a", S_NONE, "a", false, UPDATE_REFUSE, false},
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
        struct update_facts f = {
            &w, rows[i].prior_stack, rows[i].prior_id, &t, &olds, &news, rows[i].owner};
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
        enum stack_shape stack;
        const char *policy; /* the deployed template's DeletionPolicy */
        bool table;
        bool protected_live;
        bool retain;
        bool explicit_destroy;
        enum destroy_path want;
        const char *attr;
    } rows[] = {
        /* our stack: deleting it deletes the table by its policy */
        {OLD_ID, S_OURS, "Delete", true, false, false, true, DESTROY_STACK, NULL},
        {OLD_ID, S_OURS, "Delete", true, false, false, false, DESTROY_STACK, NULL},
        /* protected in AWS: refused, whatever the state said */
        {OLD_ID,
         S_OURS,
         "Delete",
         true,
         true,
         false,
         true,
         DESTROY_REFUSE,
         "deletion_protection_enabled"},
        /* retain: the stack goes, the table stays — also when protected */
        {OLD_ID, S_OURS, "Retain", true, true, true, true, DESTROY_STACK, NULL},
        /* retain, but the deployed template would delete the table */
        {OLD_ID, S_OURS, "Delete", true, false, true, true, DESTROY_REFUSE, "retain_on_destroy"},
        /* the template retains (an adoption's follow-up never finished): an explicit
         * destroy deletes the table after the stack; a replacement keeps it */
        {OLD_ID, S_OURS, "Retain", true, false, false, true, DESTROY_STACK_THEN_TABLE, NULL},
        {OLD_ID, S_OURS, "Retain", true, false, false, false, DESTROY_STACK, NULL},
        /* a table in no stack: deleted only by an explicit destroy */
        {NULL, S_NONE, NULL, true, false, false, true, DESTROY_TABLE, NULL},
        {NULL, S_NONE, NULL, true, false, false, false, DESTROY_FORGET, NULL},
        {NULL, S_NONE, NULL, true, false, true, true, DESTROY_FORGET, NULL},
        /* our stack now holds something else too: refused */
        {OLD_ID, S_OURS_PLUS, "Delete", true, false, false, true, DESTROY_REFUSE, "stack_name"},
        /* a stack of that name that is not the one in state: not ours to delete */
        {"arn:aws:cloudformation:us-east-1:123456789012:stack/s/9999",
         S_FOREIGN_T,
         "Delete",
         true,
         false,
         false,
         false,
         DESTROY_FORGET,
         NULL},
        /* nothing left */
        {OLD_ID, S_NONE, NULL, false, false, false, true, DESTROY_FORGET, NULL},
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
        struct destroy_facts f = {
            "T", "stk", rows[i].state_id, rows[i].retain, rows[i].explicit_destroy, &t, &s};
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
        destroy_decision_clear(&d);
        table_live_clear(&t);
        stack_facts_clear(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_decide_create),
        cmocka_unit_test(test_decide_update),
        cmocka_unit_test(test_decide_destroy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
