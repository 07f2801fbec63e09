/*
 * adoption: preview and refusals of an adoption (see adoption.h).
 */
#include "adoption.h"

#include <string.h>

void adoption_report_clear(struct adoption_report *r) {
    refusal_clear(&r->refusal);
    tpd_buf_clear(&r->summary);
    tpd_buf_clear(&r->detail);
}

static bool s_ttl_in_transition(const struct table_live *l) {
    return l->ttl_status &&
           (strcmp(l->ttl_status, "ENABLING") == 0 || strcmp(l->ttl_status, "DISABLING") == 0);
}

enum tpd_code adoption_review(
    enum adoption_kind kind,
    const struct table_spec *want,
    const struct table_live *live,
    struct adoption_report *r) {
    refusal_init(&r->refusal);
    tpd_buf_init(&r->summary, 0);
    tpd_buf_init(&r->detail, 0);
    struct drift_plan p;
    enum tpd_code rc = drift_compute(want, live, &p);
    if (rc) {
        return rc;
    }
    struct refusal *f = &r->refusal;
    if (p.ttl == DRIFT_TTL_RENAME) {
        f->refused = true;
        f->attr = "ttl";
        tpd_buf_append_cstr(&f->summary, "Adoption would move the table's Time to Live");
        tpd_buf_printf(
            &f->detail,
            "Time to Live of DynamoDB table \"%s\" is enabled on \"%s\"; the configuration says "
            "\"%s\". "
            "DynamoDB cannot move an enabled TTL to another attribute, and allows about one TTL "
            "change "
            "per table per hour, so the adoption would fail halfway. Nothing was changed.\n"
            "Adopt the table with its current setting first: ttl = { attribute_name = \"%s\" }. "
            "Then "
            "rename in two steps: set enabled = false and apply; about an hour later set "
            "attribute_name = \"%s\" with enabled = true and apply.",
            want->name,
            p.ttl_attribute,
            p.ttl_attribute_want,
            p.ttl_attribute,
            p.ttl_attribute_want);
    } else if (p.ttl != DRIFT_TTL_NONE && s_ttl_in_transition(live)) {
        f->refused = true;
        f->attr = "ttl";
        tpd_buf_append_cstr(&f->summary, "Table's Time to Live is still changing");
        tpd_buf_printf(
            &f->detail,
            "Time to Live of DynamoDB table \"%s\" is %s: DynamoDB is still processing a change, "
            "and a second change of the same table within about an hour is refused. Nothing was "
            "changed. Apply again later, or adopt the table with the TTL it is moving to.",
            want->name,
            live->ttl_status);
    }
    if (!f->refused) {
        struct tpd_buf changes;
        tpd_buf_init(&changes, 0);
        drift_describe(&p, live, &changes);
        if (kind == ADOPTION_IMPORT) {
            tpd_buf_append_cstr(&r->summary, "Existing table will be adopted into a stack");
            tpd_buf_printf(
                &r->detail,
                "DynamoDB table \"%s\" already exists outside any CloudFormation stack (%lld "
                "items). "
                "Apply will adopt it into stack \"%s\" with an IMPORT change set (no item is "
                "touched; "
                "the import template keeps the table if the stack is ever deleted), then apply the "
                "configuration with a stack update.",
                want->name,
                (long long)live->item_count,
                want->stack_name);
        } else {
            tpd_buf_append_cstr(&r->summary, "Existing stack and table will be taken over");
            tpd_buf_printf(
                &r->detail,
                "DynamoDB table \"%s\" and its stack \"%s\" already exist and were created by this "
                "provider (for example by an apply whose state was lost). Apply will update that "
                "stack to this configuration; no item is touched.",
                want->name,
                want->stack_name);
        }
        if (changes.len) {
            tpd_buf_printf(
                &r->detail,
                " The update changes these settings of the live table:\n%s"
                "To keep a setting as it is, set it in the configuration to its current value.",
                tpd_buf_cstr(&changes));
        } else {
            tpd_buf_append_cstr(
                &r->detail, " The configuration matches the live table: no setting changes.");
        }
        tpd_buf_clear(&changes);
    }
    drift_plan_clear(&p);
    return TPD_OK;
}
