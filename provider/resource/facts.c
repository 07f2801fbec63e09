/*
 * facts: the structs cloud.c fills and the decisions read (see facts.h).
 */
#include "facts.h"

#include <stdlib.h>
#include <string.h>

void table_live_clear(struct table_live *t) {
    table_spec_clear(&t->spec);
    free(t->arn);
    free(t->status);
    free(t->ttl_status);
    free(t->stream_arn);
    free(t->replicas);
    free(t->kinesis);
    free(t->gsi_insights);
    free(t->insights_mode);
    memset(t, 0, sizeof(*t));
}

bool table_live_ttl_active(const struct table_live *t) {
    return t->ttl_status &&
           (strcmp(t->ttl_status, "ENABLED") == 0 || strcmp(t->ttl_status, "ENABLING") == 0);
}

bool table_live_ready(const struct table_live *t) {
    bool ready = t->status && strcmp(t->status, "ACTIVE") == 0;
    for (size_t i = 0; ready && i < t->spec.gsi_count; i++) {
        const struct table_index *x = &t->spec.gsis[i];
        ready = x->status && strcmp(x->status, "ACTIVE") == 0 && !x->backfilling;
    }
    return ready;
}

void template_facts_clear(struct template_facts *f) {
    free(f->marked_table);
    free(f->marked_owner);
    free(f->logical_id);
    free(f->deletion_policy);
    table_index_array_free(f->gsis, f->gsi_count);
    memset(f, 0, sizeof(*f));
}

void stack_facts_clear(struct stack_facts *s) {
    free(s->id);
    free(s->name);
    free(s->status);
    free(s->status_reason);
    free(s->description);
    tpd_kv_array_free(s->tags, s->tag_count);
    for (size_t i = 0; i < s->output_count; i++) {
        free(s->outputs[i].key);
        free(s->outputs[i].value);
        free(s->outputs[i].export_name);
    }
    free(s->outputs);
    free(s->table_logical_id);
    free(s->table_physical_id);
    free(s->table_resource_status);
    free(s->other_resources);
    template_facts_clear(&s->tpl);
    memset(s, 0, sizeof(*s));
}

void resource_facts_clear(struct resource_facts *f) {
    table_live_clear(&f->table);
    stack_facts_clear(&f->config_stack);
    stack_facts_clear(&f->prior_stack);
    free(f->owner_stack);
    stack_facts_clear(&f->owner);
    for (size_t i = 0; i < f->importer_count; i++) {
        free(f->importers[i]);
    }
    free(f->importers);
    table_spec_clear(&f->restore_source);
    free(f->restore_status);
    free(f->restore_error);
    memset(f, 0, sizeof(*f));
}

static bool s_ends_with(const char *s, const char *suffix) {
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool stack_status_in_progress(const char *status) {
    return s_ends_with(status, "_IN_PROGRESS") && strcmp(status, "REVIEW_IN_PROGRESS") != 0;
}

bool stack_facts_holds_table(const struct stack_facts *s, const char *table) {
    if (!s->exists || !s->table_physical_id || !table || strcmp(s->table_physical_id, table) != 0) {
        return false;
    }
    const char *st = s->table_resource_status;
    return st && strcmp(st, "DELETE_COMPLETE") != 0 && strcmp(st, "DELETE_SKIPPED") != 0 &&
           strcmp(st, "CREATE_FAILED") != 0 && strcmp(st, "IMPORT_FAILED") != 0 &&
           strcmp(st, "IMPORT_ROLLBACK_COMPLETE") != 0 && strcmp(st, "DELETE_IN_PROGRESS") != 0;
}
