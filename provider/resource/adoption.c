/*
 * adoption: preview and refusals of an adoption (see adoption.h).
 */
#include "adoption.h"

#include <stdlib.h>
#include <string.h>

#include "index_plan.h"
#include "table_policy.h"
#include "tpd_alloc.h"
#include "tpd_text.h"

void adoption_report_clear(struct adoption_report *r) {
    refusal_clear(&r->refusal);
    tpd_buf_clear(&r->summary);
    tpd_buf_clear(&r->detail);
}

static bool s_ttl_in_transition(const struct table_live *l) {
    return l->ttl_status &&
           (strcmp(l->ttl_status, "ENABLING") == 0 || strcmp(l->ttl_status, "DISABLING") == 0);
}

/* What the live table has that this resource cannot express: a template without it would
 * leave CloudFormation's record of the table incomplete, and the configuration could never
 * say it. One line each, appended to b. */
static void s_unexpressible(const struct table_live *l, struct tpd_text *b) {
    if (l->replicas) {
        tpd_text_printf(
            b, "  - replicas of a global table (in %s): AWS::DynamoDB::GlobalTable\n", l->replicas);
    }
    if (l->kinesis) {
        /* KinesisStreamSpecification holds one destination. */
        tpd_text_printf(
            b,
            "  - more than one Kinesis streaming destination: %s, %s\n",
            l->spec.kinesis_arn ? l->spec.kinesis_arn : "?",
            l->kinesis);
    }
    if (l->insights_mode) {
        tpd_text_printf(b, "  - contributor insights in mode %s\n", l->insights_mode);
    }
    if (l->gsi_insights) {
        tpd_text_printf(b, "  - contributor insights on index %s\n", l->gsi_insights);
    }
    for (size_t i = 0; i < l->spec.gsi_count; i++) {
        const struct table_index *x = &l->spec.gsis[i];
        if (x->on_demand_read > 0 || x->on_demand_write > 0) {
            tpd_text_printf(b, "  - on-demand throughput limits on index %s\n", x->name);
        }
    }
}

/* What the live table has and the configuration leaves out, as the HCL to add. */
static void s_left_out(
    const struct table_spec *want,
    const struct table_live *live,
    const struct drift_plan *p,
    struct tpd_text *b) {
    const struct table_spec *l = &live->spec;
    for (size_t i = 0; i < p->gsi_extra_count; i++) {
        const struct table_index *x = table_index_find(l->gsis, l->gsi_count, p->gsi_extra[i]);
        tpd_text_printf(
            b,
            "  - the global secondary index %s; add to global_secondary_indexes:\n      ",
            x->name);
        table_index_hcl(x, true, l->provisioned, b);
        tpd_text_append(b, "\n");
    }
    if (p->lsi_differs && !want->lsi_count) {
        tpd_text_append(
            b, "  - local secondary indexes; add:\n      local_secondary_indexes = [\n");
        for (size_t i = 0; i < l->lsi_count; i++) {
            tpd_text_append(b, "        ");
            table_index_hcl(&l->lsis[i], false, false, b);
            tpd_text_append(b, ",\n");
        }
        tpd_text_append(b, "      ]\n");
    }
    if (l->stream_view_type && !want->stream_view_type) {
        tpd_text_printf(
            b, "  - a stream; add: stream = { view_type = \"%s\" }\n", l->stream_view_type);
    }
    if (l->sse && !want->sse) {
        tpd_text_printf(
            b,
            "  - encryption with KMS key %s; add: server_side_encryption = { kms_key_arn = "
            "\"%s\" } (or kms_key_arn = null if it is the AWS managed key aws/dynamodb)\n",
            l->sse_kms_key ? l->sse_kms_key : "?",
            l->sse_kms_key ? l->sse_kms_key : "?");
    }
    if (strcmp(table_spec_table_class(l), "STANDARD") != 0 && !want->table_class_set) {
        tpd_text_printf(
            b,
            "  - table class %s; add: table_class = \"%s\"\n",
            table_spec_table_class(l),
            table_spec_table_class(l));
    }
    if ((l->on_demand_read > 0 || l->on_demand_write > 0) && !want->on_demand_read &&
        !want->on_demand_write) {
        tpd_text_append(b, "  - on-demand throughput limits; add: on_demand_throughput = {");
        if (l->on_demand_read > 0) {
            tpd_text_printf(b, " max_read_request_units = %lld", (long long)l->on_demand_read);
        }
        if (l->on_demand_write > 0) {
            tpd_text_printf(
                b,
                "%s max_write_request_units = %lld",
                l->on_demand_read > 0 ? "," : "",
                (long long)l->on_demand_write);
        }
        tpd_text_append(b, " }\n");
    }
    if (live->features_read && l->kinesis_arn && !want->kinesis_arn) {
        tpd_text_printf(
            b,
            "  - a Kinesis streaming destination; add: kinesis_streaming_destination = { "
            "stream_arn = \"%s\"%s%s%s }\n",
            l->kinesis_arn,
            l->kinesis_precision && strcmp(l->kinesis_precision, "MILLISECOND") != 0
                ? ", approximate_creation_date_time_precision = \""
                : "",
            l->kinesis_precision && strcmp(l->kinesis_precision, "MILLISECOND") != 0
                ? l->kinesis_precision
                : "",
            l->kinesis_precision && strcmp(l->kinesis_precision, "MILLISECOND") != 0 ? "\"" : "");
    }
    if (live->features_read && l->resource_policy && !want->resource_policy) {
        char *doc = table_policy_canonical(l->resource_policy);
        tpd_text_printf(
            b,
            "  - a resource policy; add: resource_policy = jsonencode(...) of its document, "
            "which is %s\n",
            doc ? doc : l->resource_policy);
        free(doc);
    }
    if (l->contributor_insights && !want->insights_set) {
        tpd_text_append(b, "  - contributor insights; add: contributor_insights = true\n");
    }
}

/* The features refusals: what cannot be expressed, and what the configuration leaves
 * out. true when refused. */
static bool s_refuse_features(
    const struct table_spec *want,
    const struct table_live *live,
    const struct drift_plan *p,
    struct refusal *f) {
    struct tpd_text cannot, missing, detail;
    tpd_text_init(&cannot, 0);
    tpd_text_init(&missing, 0);
    tpd_text_init(&detail, 0);
    s_unexpressible(live, &cannot);
    s_left_out(want, live, p, &missing);
    bool lsi_other = p->lsi_differs && want->lsi_count;
    if (!tpd_text_is_empty(&cannot)) {
        tpd_text_printf(
            &detail,
            "DynamoDB table \"%s\" has what dynamodb_ttl_table cannot express:\n%s"
            "Adopting it would record a template without them, and the configuration could "
            "never say them. Nothing was changed. Manage this table with a resource that "
            "covers them, or remove them from the table first.",
            want->name,
            tpd_text_cstr(&cannot));
        tpd_text_fail(&detail, cannot.rc);
        if (!tpd_text_is_empty(&missing)) {
            tpd_text_printf(
                &detail, "\n\nThe configuration also leaves out:\n%s", tpd_text_cstr(&missing));
            tpd_text_fail(&detail, missing.rc);
        }
        refusal_set(f, NULL, "Table has features this resource cannot manage", &detail);
    } else if (!tpd_text_is_empty(&missing)) {
        tpd_text_printf(
            &detail,
            "DynamoDB table \"%s\" has features the configuration leaves out:\n%s"
            "Adopting it as configured would remove them (an index's data, a stream's "
            "consumers, an encryption key). Nothing was changed. Declare them as above to adopt "
            "the table as it is; remove them in a later apply if that is what you want.",
            want->name,
            tpd_text_cstr(&missing));
        tpd_text_fail(&detail, missing.rc);
        refusal_set(f, NULL, "Configuration leaves out features of the existing table", &detail);
    } else if (lsi_other) {
        tpd_text_printf(
            &detail,
            "DynamoDB table \"%s\" has other local secondary indexes than the configuration. "
            "LSIs exist only from a table's creation, so they cannot change without a new table "
            "and the loss of its items. Nothing was changed. Declare them as the table has "
            "them:\n      local_secondary_indexes = [\n",
            want->name);
        for (size_t i = 0; i < live->spec.lsi_count; i++) {
            tpd_text_append(&detail, "        ");
            table_index_hcl(&live->spec.lsis[i], false, false, &detail);
            tpd_text_append(&detail, ",\n");
        }
        tpd_text_append(&detail, "      ]");
        refusal_set(
            f,
            "local_secondary_indexes",
            "Existing table has other local secondary indexes",
            &detail);
    }
    tpd_text_clear(&cannot);
    tpd_text_clear(&missing);
    tpd_text_clear(&detail);
    return f->refused;
}

enum tpd_code adoption_review(
    enum adoption_kind kind,
    const struct table_spec *want,
    const struct table_live *live,
    struct adoption_report *out) {
    refusal_init(&out->refusal);
    tpd_buf_init(&out->summary, 0);
    tpd_buf_init(&out->detail, 0);
    struct drift_plan p;
    enum tpd_code rc = drift_compute(want, live, &p);
    if (rc) {
        return rc;
    }
    struct refusal *f = &out->refusal;
    if (s_refuse_features(want, live, &p, f)) {
        /* refused above */
    } else if (p.ttl == DRIFT_TTL_RENAME) {
        struct tpd_text detail;
        tpd_text_init(&detail, 0);
        tpd_text_printf(
            &detail,
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
        refusal_set(f, "ttl", "Adoption would move the table's Time to Live", &detail);
    } else if (p.ttl != DRIFT_TTL_NONE && s_ttl_in_transition(live)) {
        struct tpd_text detail;
        tpd_text_init(&detail, 0);
        tpd_text_printf(
            &detail,
            "Time to Live of DynamoDB table \"%s\" is %s: DynamoDB is still processing a change, "
            "and a second change of the same table within about an hour is refused. Nothing was "
            "changed. Apply again later, or adopt the table with the TTL it is moving to.",
            want->name,
            live->ttl_status);
        refusal_set(f, "ttl", "Table's Time to Live is still changing", &detail);
    }
    if (!f->refused) {
        struct tpd_text changes, summary, detail;
        tpd_text_init(&changes, 0);
        tpd_text_init(&summary, 0);
        tpd_text_init(&detail, 0);
        drift_describe(&p, live, &changes);
        if (kind == ADOPTION_IMPORT) {
            tpd_text_append(&summary, "Existing table will be adopted into a stack");
            tpd_text_printf(
                &detail,
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
            tpd_text_append(&summary, "Existing stack and table will be taken over");
            tpd_text_printf(
                &detail,
                "DynamoDB table \"%s\" and its stack \"%s\" already exist and were created by this "
                "provider (for example by an apply whose state was lost). Apply will update that "
                "stack to this configuration; no item is touched.",
                want->name,
                want->stack_name);
        }
        struct tpd_text steps;
        tpd_text_init(&steps, 0);
        gsi_describe_steps(live->spec.gsis, live->spec.gsi_count, want, &steps);
        if (!tpd_text_is_empty(&changes)) {
            tpd_text_printf(
                &detail,
                " The update changes these settings of the live table:\n%s"
                "To keep a setting as it is, set it in the configuration to its current value.",
                tpd_text_cstr(&changes));
            tpd_text_fail(&detail, changes.rc);
            if (!tpd_text_is_empty(&steps)) {
                tpd_text_printf(
                    &detail,
                    "\nCloudFormation takes one index creation or deletion per stack update, so "
                    "the indexes change in %zu updates, each waiting until the table and its "
                    "indexes are ACTIVE:\n%s",
                    gsi_update_count(live->spec.gsis, live->spec.gsi_count, want),
                    tpd_text_cstr(&steps));
                tpd_text_fail(&detail, steps.rc);
            }
        } else {
            tpd_text_append(
                &detail, " The configuration matches the live table: no setting changes.");
        }
        tpd_text_clear(&changes);
        tpd_text_clear(&steps);
        rc = tpd_text_finish(&summary, &out->summary);
        enum tpd_code drc = tpd_text_finish(&detail, &out->detail);
        rc = rc ? rc : drc;
    }
    drift_plan_clear(&p);
    return rc;
}

enum tpd_code adoption_want_ttl(struct table_spec *want, const struct table_live *live) {
    if (want->ttl.attribute || !table_live_ttl_active(live) || !live->spec.ttl.attribute) {
        return TPD_OK;
    }
    want->ttl.attribute = tpd_strdup(live->spec.ttl.attribute);
    want->ttl.enabled = false;
    return want->ttl.attribute ? TPD_OK : TPD_E_NOMEM;
}
