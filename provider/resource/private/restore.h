/*
 * restore: the `restore` attribute of dynamodb_ttl_table — a table created by restoring a
 * backup (RestoreTableFromBackup) or a point in time of another table
 * (RestoreTableToPointInTime), then adopted into its stack (docs/resource.md, "Restore").
 * It offers the typed description decoded from a value, its validation (with attribute
 * paths), and the one comparison that decides whether a restore can give the configured
 * table: the keys and the indexes, which no later update can change in place.
 *
 * Ownership: a restore_spec owns its strings (restore_spec_clear). Threads: pure.
 */
#ifndef TPD_RESTORE_H
#define TPD_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "ownership.h"
#include "table_spec.h"
#include "tfv.h"
#include "tpd_err.h"
#include "tpd_text.h"

enum restore_kind { RESTORE_NONE, RESTORE_BACKUP, RESTORE_POINT_IN_TIME };

struct restore_spec {
    enum restore_kind kind;
    char *backup_arn;    /* RESTORE_BACKUP */
    char *source_table;  /* RESTORE_POINT_IN_TIME */
    char *point_in_time; /* as configured (RFC 3339); NULL: use_latest */
    int64_t time;        /* point_in_time in epoch seconds */
    bool use_latest;
};

void restore_spec_clear(struct restore_spec *r);

/* The `restore` of a resource value (kind RESTORE_NONE when null). TPD_E_INVALID when it
 * is unknown or not valid (validation reports why), TPD_E_NOMEM. */
enum tpd_code restore_spec_decode(const struct tfv *v, struct restore_spec *out);

/* Errors of `restore` in a configuration, each on the attribute `restore` with the field
 * named (exactly one source; with source_table_name exactly one of point_in_time and
 * use_latest_restorable_time; a backup ARN; an RFC 3339 time; a table name). */
void restore_validate(const struct tfv *config, struct diag_list *diags);

/* "backup arn:...", "table orders as of 2026-12-01T10:00:00Z", "table orders at its
 * latest restorable time", appended to out. */
void restore_describe(const struct restore_spec *r, struct tpd_text *out);

/*
 * Can a restore of source give the configured table want? The keys must be the same
 * (names; types when source has them: a backup reports none) and every configured index
 * must be in source with the same keys and projection (the restore leaves out the
 * source's other indexes: restore_overrides). When restored is true, source is the table
 * the restore made, which must then have exactly the configured indexes. On a mismatch
 * out is a refusal naming each difference and what to do; what: "the backup", ...
 */
void restore_check(
    const struct table_spec *want,
    const struct table_spec *source,
    bool restored,
    const char *what,
    struct refusal *out);

#endif
