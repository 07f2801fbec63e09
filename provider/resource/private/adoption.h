/*
 * adoption: the preview of taking over an existing table (an IMPORT into a new stack,
 * or an update of our own stack found without state). Terraform's plan of a create
 * cannot show current values, so the plan's warning lists every setting the follow-up
 * update will change, "current -> configured", with what it costs (and the stack updates
 * an index change takes, index_plan.h); and it refuses what the update cannot do, or
 * should not (docs/resource.md, "Ownership and safety"):
 *   - features of the live table the configuration leaves out (an index, the LSIs, a
 *     stream, a KMS key, the infrequent-access class, on-demand limits, contributor
 *     insights, a resource policy, a Kinesis destination), each with the HCL to add: the import
 * template mirrors the table, and the follow-up update would remove them;
 *   - what this resource cannot express (replicas, more than one Kinesis destination,
 *     contributor insights on an index or in THROTTLED_KEYS mode,
 *     on-demand limits on an index; the first reads need cloud_read_adoption_extras);
 *   - other LSIs than the table's (they exist only from creation);
 *   - a TTL enabled on another attribute (DynamoDB cannot move an enabled TTL; it needs
 *     a disable and an enable about an hour apart);
 *   - a TTL change while DynamoDB is still processing the last one (ENABLING or
 *     DISABLING: a second change within the hour is refused by DynamoDB).
 * DynamoDB does not say when TTL last changed; a change made less than an hour ago
 * that has finished is found only when the update runs (and reported then).
 *
 * Ownership: report buffers are owned by the report (adoption_report_clear).
 * Threads: pure.
 */
#ifndef TPD_ADOPTION_H
#define TPD_ADOPTION_H

#include "drift.h"
#include "facts.h"
#include "ownership.h"
#include "table_spec.h"

enum adoption_kind {
    ADOPTION_IMPORT,    /* a table in no stack, imported into want->stack_name */
    ADOPTION_TAKE_OVER, /* our own stack with the table, found without state */
};

struct adoption_report {
    struct refusal refusal; /* refused: an error */
    struct tpd_buf summary; /* else: the warning */
    struct tpd_buf detail;
};

void adoption_report_clear(struct adoption_report *r);

/*
 * The configuration leaves `ttl` out while the live table has TTL on: an adoption
 * switches it off under the live attribute name, as removing `ttl` from a configuration
 * does (table_value.h), so that the table ends as configured. Sets want->ttl to
 * {live attribute, enabled = false} then; otherwise changes nothing. TPD_E_NOMEM only.
 * Called before adoption_review, so the preview lists the change.
 */
enum tpd_code adoption_want_ttl(struct table_spec *want, const struct table_live *live);
/*
 * The review. TPD_E_NOMEM when the plan or the preview (summary, detail) could not be
 * computed or written. A refusal stays a refusal when its own text could not be written
 * (out->refusal.rc; ttl_table_refusal_diag reports it): TPD_OK then.
 */
enum tpd_code adoption_review(
    enum adoption_kind kind,
    const struct table_spec *want,
    const struct table_live *live,
    struct adoption_report *out);

#endif
