/*
 * action: the action plan's storage (see action.h).
 */
#include "action.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_text.h"

static const char *const s_names[] = {
    [ACTION_NONE] = "none",
    [ACTION_REFUSE] = "refuse",
    [ACTION_WAIT] = "wait",
    [ACTION_CREATE] = "create",
    [ACTION_ADOPT] = "adopt",
    [ACTION_TAKE_OVER] = "take-over",
    [ACTION_UPDATE] = "update",
    [ACTION_MOVE] = "move",
    [ACTION_RECOVER] = "recover",
    [ACTION_DESTROY_STACK] = "destroy-stack",
    [ACTION_DESTROY_STACK_THEN_TABLE] = "destroy-stack-then-table",
    [ACTION_DESTROY_TABLE] = "destroy-table",
    [ACTION_FORGET] = "forget",
    [ACTION_RESTORE] = "restore",
};

const char *action_path_name(enum action_path p) {
    return (size_t)p < sizeof s_names / sizeof s_names[0] && s_names[p] ? s_names[p] : "none";
}

enum action_path action_path_from_name(const char *name) {
    for (size_t i = 0; name && i < sizeof s_names / sizeof s_names[0]; i++) {
        if (s_names[i] && strcmp(s_names[i], name) == 0) {
            return (enum action_path)i;
        }
    }
    return ACTION_NONE;
}

void action_plan_init(struct action_plan *p) {
    memset(p, 0, sizeof(*p));
    refusal_init(&p->refusal);
}

static void s_step_clear(struct action_step *s) {
    free(s->stack);
    free(s->retain_logical_id);
    free(s->logical_id);
    table_index_array_free(s->indexes, s->index_count);
    tpd_kv_array_free(s->tags, s->tag_count);
    free(s->label);
}

void action_plan_clear(struct action_plan *p) {
    refusal_clear(&p->refusal);
    for (size_t i = 0; i < p->note_count; i++) {
        free(p->notes[i].summary);
        free(p->notes[i].detail);
    }
    free(p->notes);
    for (size_t i = 0; i < p->step_count; i++) {
        s_step_clear(&p->steps[i]);
    }
    free(p->steps);
    table_spec_clear(&p->target);
    free(p->owner_id);
    free(p->stack_id);
    free(p->wait_stack);
    action_plan_init(p);
}

static void s_fail(struct action_plan *p, enum tpd_code rc) {
    if (p->rc == TPD_OK) {
        p->rc = rc;
    }
}

void action_note(struct action_plan *p, const char *summary, const char *fmt, ...) {
    struct tpd_text t;
    tpd_text_init(&t, 0);
    va_list ap;
    va_start(ap, fmt);
    tpd_text_vprintf(&t, fmt, ap);
    va_end(ap);
    struct tpd_buf detail;
    tpd_buf_init(&detail, 0);
    enum tpd_code rc = tpd_text_finish(&t, &detail);
    char *d = rc ? NULL : tpd_buf_detach(&detail);
    char *s = tpd_strdup(summary);
    tpd_buf_clear(&detail);
    if (!d || !s || !TPD_ARRAY_RESERVE(p->notes, p->note_cap, p->note_count + 1)) {
        free(d);
        free(s);
        s_fail(p, rc ? rc : TPD_E_NOMEM);
        return;
    }
    p->notes[p->note_count].summary = s;
    p->notes[p->note_count].detail = d;
    p->note_count++;
}

struct action_step *
action_step(struct action_plan *p, enum action_step_kind kind, const char *stack) {
    if (!TPD_ARRAY_RESERVE(p->steps, p->step_cap, p->step_count + 1)) {
        s_fail(p, TPD_E_NOMEM);
        return NULL;
    }
    struct action_step *s = &p->steps[p->step_count];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    if (stack && !(s->stack = tpd_strdup(stack))) {
        s_fail(p, TPD_E_NOMEM);
        return NULL;
    }
    p->step_count++;
    return s;
}
