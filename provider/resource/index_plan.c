/*
 * index_plan: the GSI steps and the reconciliation with the table (see index_plan.h).
 */
#include "index_plan.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_text.h"

void gsi_step_clear(struct gsi_step *s) {
    free(s->name);
    table_index_array_free(s->gsis, s->gsi_count);
    memset(s, 0, sizeof(*s));
}

/* Deployed index d goes away (not wanted, or wanted with another definition). */
static bool s_leaves(const struct table_index *d, const struct table_spec *want) {
    const struct table_index *w = table_index_find(want->gsis, want->gsi_count, d->name);
    return !w || !table_index_same_definition(d, w);
}

/* Wanted index w must be created (not deployed, or deployed with another definition). */
static bool s_arrives(const struct table_index *w, const struct table_index *d, size_t nd) {
    const struct table_index *x = table_index_find(d, nd, w->name);
    return !x || !table_index_same_definition(x, w);
}

size_t gsi_update_count(
    const struct table_index *deployed, size_t deployed_count, const struct table_spec *want) {
    size_t ops = 0;
    for (size_t i = 0; i < deployed_count; i++) {
        ops += s_leaves(&deployed[i], want);
    }
    for (size_t i = 0; i < want->gsi_count; i++) {
        ops += s_arrives(&want->gsis[i], deployed, deployed_count);
    }
    return ops > 1 ? ops : 1;
}

/* Append a copy of x to v (n entries, room for it). */
static enum tpd_code s_push(struct table_index *v, size_t *n, const struct table_index *x) {
    enum tpd_code rc = table_index_copy(&v[*n], x);
    if (!rc) {
        (*n)++;
    }
    return rc;
}

enum tpd_code gsi_next_step(
    const struct table_index *deployed,
    size_t deployed_count,
    const struct table_spec *want,
    struct gsi_step *out) {
    memset(out, 0, sizeof(*out));
    size_t updates = gsi_update_count(deployed, deployed_count, want);
    if (updates == 1) {
        out->kind = GSI_STEP_FINAL;
        enum tpd_code rc = table_index_array_copy(want->gsis, want->gsi_count, &out->gsis);
        out->gsi_count = rc ? 0 : want->gsi_count;
        return rc;
    }
    out->remaining = updates - 1;
    /* Deletions first, by name (deployed is sorted); then creations, by name. */
    const struct table_index *del = NULL, *add = NULL;
    for (size_t i = 0; i < deployed_count && !del; i++) {
        del = s_leaves(&deployed[i], want) ? &deployed[i] : NULL;
    }
    for (size_t i = 0; i < want->gsi_count && !del && !add; i++) {
        add = s_arrives(&want->gsis[i], deployed, deployed_count) ? &want->gsis[i] : NULL;
    }
    if (!del && !add) {
        return TPD_E_INTERNAL; /* unreachable: updates > 1 counted a deletion or a creation */
    }
    out->kind = del ? GSI_STEP_DELETE : GSI_STEP_CREATE;
    out->name = tpd_strdup(del ? del->name : add->name);
    out->gsis = tpd_calloc(deployed_count + 1, sizeof(*out->gsis));
    if (!out->name || !out->gsis) {
        gsi_step_clear(out);
        return TPD_E_NOMEM;
    }
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; !rc && i < deployed_count; i++) {
        const struct table_index *d = &deployed[i];
        if (d == del) {
            continue;
        }
        const struct table_index *w = table_index_find(want->gsis, want->gsi_count, d->name);
        if (w && table_index_same_definition(d, w)) {
            rc = s_push(out->gsis, &out->gsi_count, w); /* stays: with its wanted capacity */
            continue;
        }
        rc = s_push(out->gsis, &out->gsi_count, d); /* leaves in a later step */
        struct table_index *p = &out->gsis[out->gsi_count - 1];
        if (!rc && want->provisioned && (p->read_capacity <= 0 || p->write_capacity <= 0)) {
            /* Deployed without capacities (the table was PAY_PER_REQUEST): CloudFormation
             * needs some for every index of a PROVISIONED table until it is deleted. */
            p->read_capacity = want->read_capacity;
            p->write_capacity = want->write_capacity;
        }
    }
    if (!rc && add) {
        rc = s_push(out->gsis, &out->gsi_count, add);
    }
    if (rc) {
        gsi_step_clear(out);
        return rc;
    }
    table_index_array_sort(out->gsis, out->gsi_count);
    return TPD_OK;
}

void gsi_describe_steps(
    const struct table_index *deployed,
    size_t deployed_count,
    const struct table_spec *want,
    struct tpd_text *out) {
    if (gsi_update_count(deployed, deployed_count, want) == 1) {
        return;
    }
    struct table_index *cur = NULL;
    size_t ncur = 0;
    enum tpd_code rc = table_index_array_copy(deployed, deployed_count, &cur);
    if (rc) {
        tpd_text_fail(out, rc);
        return;
    }
    ncur = deployed_count;
    for (size_t n = 1; n <= 64; n++) {
        struct gsi_step st;
        rc = gsi_next_step(cur, ncur, want, &st);
        if (rc) {
            tpd_text_fail(out, rc);
            break;
        }
        const char *name = st.name;
        if (st.kind == GSI_STEP_FINAL) {
            /* The last creation or deletion, with the rest of the configuration. */
            const struct table_index *gone = NULL, *added = NULL;
            for (size_t i = 0; i < ncur && !gone; i++) {
                gone = s_leaves(&cur[i], want) ? &cur[i] : NULL;
            }
            for (size_t i = 0; i < want->gsi_count && !added; i++) {
                added = s_arrives(&want->gsis[i], cur, ncur) ? &want->gsis[i] : NULL;
            }
            if (added) {
                tpd_text_printf(out, "  %zu. create index %s (", n, added->name);
                table_index_describe(added, out);
                tpd_text_append(out, "), with the other settings\n");
            } else if (gone) {
                tpd_text_printf(
                    out, "  %zu. delete index %s, with the other settings\n", n, gone->name);
            } else {
                tpd_text_printf(out, "  %zu. the other settings\n", n);
            }
            gsi_step_clear(&st);
            break;
        }
        const struct table_index *w = table_index_find(want->gsis, want->gsi_count, name);
        const struct table_index *d = table_index_find(cur, ncur, name);
        if (st.kind == GSI_STEP_DELETE && w) {
            tpd_text_printf(out, "  %zu. delete index %s: it is redefined, from ", n, name);
            table_index_describe(d, out);
            tpd_text_append(out, " to ");
            table_index_describe(w, out);
            tpd_text_append(out, "; queries on it fail until a later step creates it again\n");
        } else if (st.kind == GSI_STEP_DELETE) {
            tpd_text_printf(out, "  %zu. delete index %s\n", n, name);
        } else {
            tpd_text_printf(out, "  %zu. create index %s (", n, name);
            table_index_describe(w, out);
            tpd_text_append(out, ")\n");
        }
        table_index_array_free(cur, ncur);
        cur = st.gsis;
        ncur = st.gsi_count;
        st.gsis = NULL;
        st.gsi_count = 0;
        gsi_step_clear(&st);
    }
    table_index_array_free(cur, ncur);
}

void gsi_reconcile_clear(struct gsi_reconcile *r) {
    free(r->recreate);
    refusal_clear(&r->refusal);
    r->recreate = NULL;
    r->recreate_count = 0;
}

enum tpd_code gsi_reconcile(
    const char *table,
    const struct table_index *deployed,
    size_t deployed_count,
    const struct table_index *live,
    size_t live_count,
    struct gsi_reconcile *out) {
    memset(out, 0, sizeof(*out));
    refusal_init(&out->refusal);
    if (deployed_count && !(out->recreate = tpd_calloc(deployed_count, sizeof(*out->recreate)))) {
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < deployed_count; i++) {
        if (!table_index_find(live, live_count, deployed[i].name)) {
            out->recreate[out->recreate_count++] = &deployed[i];
        }
    }
    struct tpd_text extra, changed;
    tpd_text_init(&extra, 0);
    tpd_text_init(&changed, 0);
    for (size_t i = 0; i < live_count; i++) {
        const struct table_index *d = table_index_find(deployed, deployed_count, live[i].name);
        if (!d) {
            tpd_text_printf(&extra, "%s%s (", tpd_text_len(&extra) ? ", " : "", live[i].name);
            table_index_describe(&live[i], &extra);
            tpd_text_append(&extra, ")");
        } else if (!table_index_same_definition(d, &live[i])) {
            tpd_text_printf(
                &changed, "%s%s (on the table: ", tpd_text_len(&changed) ? "; " : "", live[i].name);
            table_index_describe(&live[i], &changed);
            tpd_text_append(&changed, "; in the template: ");
            table_index_describe(d, &changed);
            tpd_text_append(&changed, ")");
        }
    }
    bool has_extra = !tpd_text_is_empty(&extra), has_changed = !tpd_text_is_empty(&changed);
    if (has_extra || has_changed) {
        struct tpd_text detail;
        tpd_text_init(&detail, 0);
        tpd_text_printf(
            &detail,
            "DynamoDB table \"%s\" has %s%s%s%s%s. CloudFormation compares templates, not "
            "tables: it would try to create an index that already exists, and it never deletes "
            "one its template does not have, so the stack cannot bring the table to the "
            "configuration. Nothing was changed. Either undo the change on the table (aws "
            "dynamodb update-table --table-name %s --global-secondary-index-updates "
            "'[{\"Delete\":{\"IndexName\":\"NAME\"}}]' removes an index; apply then creates the "
            "configured one), or keep the table as it is: declare the indexes as the table has "
            "them and set another stack_name, which moves the table in place and imports it "
            "with its indexes into the new stack.",
            table,
            has_extra ? "indexes the stack's template does not declare (created outside "
                        "Terraform): "
                      : "",
            tpd_text_cstr(&extra),
            has_extra && has_changed ? "; and " : "",
            has_changed ? "indexes that differ from the stack's template: " : "",
            tpd_text_cstr(&changed),
            table);
        tpd_text_fail(&detail, extra.rc);
        tpd_text_fail(&detail, changed.rc);
        refusal_set(
            &out->refusal, "global_secondary_indexes", "Index changed outside Terraform", &detail);
    }
    tpd_text_clear(&extra);
    tpd_text_clear(&changed);
    return TPD_OK;
}
