/*
 * index_plan: how the global secondary indexes get from what the stack's template
 * declares to what the configuration asks for, and what the table itself must look like
 * first (pure).
 *
 * CloudFormation compares a new template with the deployed one, not with the table, and
 * takes one GSI creation or deletion per stack update ("Cannot perform more than one GSI
 * creation or deletion in a single update"); DynamoDB builds one index at a time, and
 * CloudFormation does not wait for the build (docs/resource.md, "Indexes"). So a change
 * of several indexes is a sequence of stack updates, each template differing from the
 * deployed one by one index creation or deletion: deletions first (they also free the
 * name of a redefined index), then creations, by name. Capacity changes of the indexes
 * that stay go with the first update. Redefining an index (other keys or projection) is
 * a deletion and a creation. Every step is computed from the deployed template, so an
 * interrupted sequence continues from wherever it stopped.
 *
 * The table may also disagree with the deployed template (changed outside Terraform):
 *   - an index the template declares but the table lacks (deleted outside Terraform):
 *     CloudFormation cannot re-create it (an update with the same template is empty,
 *     and one without the index makes its handler delete an index that does not exist,
 *     which fails: tests/emulator/ddb_ext.py apply_gsi_updates). It is re-created with a
 *     direct UpdateTable from the template's definition first; then the template and the
 *     table agree again and the steps run as usual;
 *   - an index the table has but the template does not (created outside Terraform), or
 *     one the table has with another definition: CloudFormation would fail to create an
 *     index that exists, and never deletes one it does not know. Refused, with what to do.
 *
 * Ownership: steps and reconciliations own what they point to (_clear). Threads: pure.
 */
#ifndef TPD_INDEX_PLAN_H
#define TPD_INDEX_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "ownership.h"
#include "table_spec.h"
#include "tpd_buf.h"

enum gsi_step_kind {
    GSI_STEP_FINAL,  /* the wanted indexes: at most one creation or deletion left */
    GSI_STEP_DELETE, /* an intermediate update that deletes `name` */
    GSI_STEP_CREATE, /* an intermediate update that creates `name` */
};

struct gsi_step {
    enum gsi_step_kind kind;
    char *name;               /* DELETE, CREATE: the index; FINAL: NULL */
    struct table_index *gsis; /* the template's GSIs after this step, sorted by name */
    size_t gsi_count;
    size_t remaining; /* stack updates left after this one (0 for FINAL) */
};
void gsi_step_clear(struct gsi_step *s);

/*
 * The next stack update from the deployed GSIs towards the wanted ones. provisioned and
 * the capacities: the table's configured billing, for indexes still waiting for their
 * deletion that have no capacity of their own (a template of a PROVISIONED table needs
 * one for every index). TPD_E_NOMEM only.
 */
enum tpd_code gsi_next_step(
    const struct table_index *deployed,
    size_t deployed_count,
    const struct table_spec *want,
    struct gsi_step *out);

/* Number of stack updates from deployed to want (1 when it takes one update, also an
 * empty one). */
size_t gsi_update_count(
    const struct table_index *deployed, size_t deployed_count, const struct table_spec *want);

/* The sequence as text, one line per update ("  1. delete index by_status"), redefined
 * indexes named with what changes. Appended to out; nothing when one update does it. */
void gsi_describe_steps(
    const struct table_index *deployed,
    size_t deployed_count,
    const struct table_spec *want,
    struct tpd_text *out);

/* What the table must get before the template steps run (see the top). */
struct gsi_reconcile {
    const struct table_index **recreate; /* into deployed: re-create these first */
    size_t recreate_count;
    struct refusal refusal;
};
void gsi_reconcile_clear(struct gsi_reconcile *r);
enum tpd_code gsi_reconcile(
    const char *table,
    const struct table_index *deployed,
    size_t deployed_count,
    const struct table_index *live,
    size_t live_count,
    struct gsi_reconcile *out);

#endif
