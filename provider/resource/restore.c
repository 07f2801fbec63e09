/*
 * restore: the `restore` attribute (see restore.h).
 */
#include "restore.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws_time.h"
#include "tpd_alloc.h"
#include "validate.h"
#include "validate_internal.h"

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

void restore_spec_clear(struct restore_spec *r) {
    free(r->backup_arn);
    free(r->source_table);
    free(r->point_in_time);
    memset(r, 0, sizeof(*r));
}

/* ---- syntax ----------------------------------------------------------------------------- */

static bool s_digits(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i])) {
            return false;
        }
    }
    return true;
}

/* RFC 3339 date-time: 2026-12-01T10:00:00Z, with fractions and an offset allowed
 * (aws_parse_iso8601 accepts more: a date alone, no zone, which would be ambiguous). */
static bool s_rfc3339(const char *s, int64_t *out) {
    size_t n = strlen(s);
    if (n < 20 || !s_digits(s, 4) || s[4] != '-' || !s_digits(s + 5, 2) || s[7] != '-' ||
        !s_digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !s_digits(s + 11, 2) ||
        s[13] != ':' || !s_digits(s + 14, 2) || s[16] != ':' || !s_digits(s + 17, 2)) {
        return false;
    }
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) {
            return false;
        }
        while (isdigit((unsigned char)*p)) {
            p++;
        }
    }
    bool zone = ((*p == 'Z' || *p == 'z') && p[1] == '\0') ||
                ((*p == '+' || *p == '-') && strlen(p) == 6 && s_digits(p + 1, 2) && p[3] == ':' &&
                 s_digits(p + 4, 2));
    return zone && aws_parse_iso8601(s, out) == TPD_OK;
}

/* arn:PARTITION:dynamodb:REGION:ACCOUNT:table/TABLE/backup/ID (DynamoDB's backup ARNs). */
static bool s_backup_arn(const char *s) {
    size_t n = strlen(s);
    if (n < 37 || n > 1024 || strncmp(s, "arn:", 4) != 0) {
        return false;
    }
    const char *p = strchr(s + 4, ':');
    if (!p || p == s + 4 || strncmp(p, ":dynamodb:", 10) != 0) {
        return false;
    }
    const char *region = p + 10;
    const char *acct = strchr(region, ':');
    if (!acct || acct == region || strlen(acct) < 14 || !s_digits(acct + 1, 12) ||
        strncmp(acct + 13, ":table/", 7) != 0) {
        return false;
    }
    const char *table = acct + 20;
    const char *slash = strchr(table, '/');
    if (!slash || strncmp(slash, "/backup/", 8) != 0 || slash[8] == '\0') {
        return false;
    }
    char name[256];
    size_t tl = (size_t)(slash - table);
    if (tl >= sizeof name) {
        return false;
    }
    memcpy(name, table, tl);
    name[tl] = '\0';
    for (const char *q = slash + 8; *q; q++) {
        if (!isalnum((unsigned char)*q) && *q != '-') {
            return false;
        }
    }
    return validate_table_name(name);
}

/* ---- decode and validate ---------------------------------------------------------------- */

static bool s_set(const struct tfv *o, const char *k) {
    const struct tfv *v = tfv_get(o, k);
    return v && !tfv_is_null(v);
}

void restore_validate(const struct tfv *config, struct diag_list *d) {
    const struct tfv *r = tfv_get(config, "restore");
    if (!r || tfv_is_null(r) || tfv_is_unknown(r) || r->kind != TFV_OBJECT) {
        return;
    }
    bool backup = s_set(r, "backup_arn"), source = s_set(r, "source_table_name");
    bool at = s_set(r, "point_in_time");
    bool latest_set = s_set(r, "use_latest_restorable_time");
    bool latest = false;
    bool latest_known = !latest_set || tfv_get_bool(r, "use_latest_restorable_time", &latest);
    if (backup == source) {
        validate_err(
            d,
            "restore",
            backup ? "backup_arn" : NULL,
            backup ? "Two restore sources" : "No restore source",
            backup ? "Set either backup_arn (restore a backup) or source_table_name (restore a "
                     "point in time of that table), not both."
                   : "Set backup_arn (restore a backup) or source_table_name with point_in_time "
                     "or use_latest_restorable_time (restore a point in time of that table).");
    }
    if (backup && (at || latest_set)) {
        validate_err(
            d,
            "restore",
            at ? "point_in_time" : "use_latest_restorable_time",
            "Point in time with a backup",
            "point_in_time and use_latest_restorable_time choose the time of a point-in-time "
            "restore of source_table_name; a backup restores the time it was taken. Remove it.");
    }
    if (source && latest_known && at == latest) {
        validate_err(
            d,
            "restore",
            at ? "point_in_time" : "source_table_name",
            at ? "Two restore times" : "No restore time",
            at ? "Set either point_in_time or use_latest_restorable_time = true, not both."
               : "A point-in-time restore needs point_in_time (an RFC 3339 time such as "
                 "\"2026-12-01T10:00:00Z\") or use_latest_restorable_time = true.");
    }
    const char *arn = tfv_get_str(r, "backup_arn");
    if (arn && !s_backup_arn(arn)) {
        validate_err(
            d,
            "restore",
            "backup_arn",
            "Invalid backup ARN",
            "backup_arn is the ARN of a DynamoDB backup, such as "
            "\"arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/"
            "01700000000000-1a2b3c4d\" (aws dynamodb list-backups lists them).");
    }
    const char *src = tfv_get_str(r, "source_table_name");
    if (src && !validate_table_name(src)) {
        validate_err(
            d,
            "restore",
            "source_table_name",
            "Invalid table name",
            "source_table_name is the name of the table to restore from: 3 to 255 characters "
            "of A-Z, a-z, 0-9, '_', '.' and '-'.");
    }
    const char *t = tfv_get_str(r, "point_in_time");
    int64_t secs;
    if (t && !s_rfc3339(t, &secs)) {
        validate_err(
            d,
            "restore",
            "point_in_time",
            "Invalid restore time",
            "point_in_time is an RFC 3339 time with its zone, such as \"2026-12-01T10:00:00Z\" or "
            "\"2026-12-01T11:00:00+01:00\".");
    }
}

enum tpd_code restore_spec_decode(const struct tfv *v, struct restore_spec *out) {
    memset(out, 0, sizeof(*out));
    const struct tfv *r = tfv_get(v, "restore");
    if (!r || tfv_is_null(r)) {
        return TPD_OK;
    }
    if (!tfv_is_wholly_known(r)) {
        return TPD_E_INVALID;
    }
    const char *arn = tfv_get_str(r, "backup_arn");
    const char *src = tfv_get_str(r, "source_table_name");
    const char *at = tfv_get_str(r, "point_in_time");
    bool latest = false;
    tfv_get_bool(r, "use_latest_restorable_time", &latest);
    if (arn && !src) {
        out->kind = RESTORE_BACKUP;
        out->backup_arn = tpd_strdup(arn);
        if (!out->backup_arn) {
            return TPD_E_NOMEM;
        }
        return TPD_OK;
    }
    if (!src || arn || (at != NULL) == latest || (at && !s_rfc3339(at, &out->time))) {
        return TPD_E_INVALID;
    }
    out->kind = RESTORE_POINT_IN_TIME;
    out->use_latest = latest;
    out->source_table = tpd_strdup(src);
    out->point_in_time = at ? tpd_strdup(at) : NULL;
    if (!out->source_table || (at && !out->point_in_time)) {
        restore_spec_clear(out);
        return TPD_E_NOMEM;
    }
    return TPD_OK;
}

void restore_describe(const struct restore_spec *r, struct tpd_text *out) {
    switch (r->kind) {
        case RESTORE_NONE:
            tpd_text_printf(out, "nothing");
            break;
        case RESTORE_BACKUP:
            tpd_text_printf(out, "backup %s", r->backup_arn);
            break;
        case RESTORE_POINT_IN_TIME:
            if (r->use_latest) {
                tpd_text_printf(out, "table %s at its latest restorable time", r->source_table);
            } else {
                tpd_text_printf(out, "table %s as of %s", r->source_table, r->point_in_time);
            }
            break;
    }
}

/* ---- the comparison --------------------------------------------------------------------- */

/* Same key: names, and types when both are known. */
static bool s_key_same(const struct table_key *w, const struct table_key *s) {
    if (!w->name || !s->name) {
        return !w->name && !s->name;
    }
    return strcmp(w->name, s->name) == 0 && (!w->type || !s->type || strcmp(w->type, s->type) == 0);
}

static const char *s_projection(const struct table_index *x) {
    return x->projection ? x->projection : TABLE_PROJECTION_ALL;
}

/* Same definition as table_index_same_definition, with key types compared only when the
 * source has them. */
static bool s_index_same(const struct table_index *w, const struct table_index *s) {
    if (!s_key_same(&w->hash, &s->hash) || !s_key_same(&w->range, &s->range) ||
        strcmp(s_projection(w), s_projection(s)) != 0 || w->non_key_count != s->non_key_count) {
        return false;
    }
    for (size_t i = 0; i < w->non_key_count; i++) {
        bool found = false;
        for (size_t j = 0; !found && j < s->non_key_count; j++) {
            found = s_eq(w->non_key[i], s->non_key[j]);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

static void s_key_text(const char *role, const struct table_key *k, struct tpd_text *t) {
    if (!k->name) {
        tpd_text_printf(t, "no %s", role);
    } else if (k->type) {
        tpd_text_printf(t, "%s %s (%s)", role, k->name, k->type);
    } else {
        tpd_text_printf(t, "%s %s", role, k->name);
    }
}

static void s_indexes(
    const char *kind,
    const struct table_index *want,
    size_t nw,
    const struct table_index *src,
    size_t ns,
    bool restored,
    const char *what,
    struct tpd_text *t,
    size_t *problems) {
    for (size_t i = 0; i < nw; i++) {
        const struct table_index *s = table_index_find(src, ns, want[i].name);
        if (!s) {
            tpd_text_printf(t, "\n- %s %s is not in %s", kind, want[i].name, what);
            (*problems)++;
        } else if (!s_index_same(&want[i], s)) {
            struct tpd_text d;
            tpd_text_init(&d, 0);
            table_index_describe(s, &d);
            tpd_text_printf(
                t,
                "\n- %s %s is defined otherwise in %s: %s",
                kind,
                want[i].name,
                what,
                tpd_text_cstr_or(&d, "(out of memory describing it)"));
            tpd_text_clear(&d);
            (*problems)++;
        }
    }
    for (size_t j = 0; restored && j < ns; j++) {
        if (!table_index_find(want, nw, src[j].name)) {
            tpd_text_printf(
                t,
                "\n- %s %s is on the restored table, not in the configuration",
                kind,
                src[j].name);
            (*problems)++;
        }
    }
}

void restore_check(
    const struct table_spec *want,
    const struct table_spec *source,
    bool restored,
    const char *what,
    struct refusal *out) {
    refusal_init(out);
    struct tpd_text t;
    tpd_text_init(&t, 0);
    size_t problems = 0;
    if (!s_key_same(&want->hash, &source->hash) || !s_key_same(&want->range, &source->range)) {
        tpd_text_printf(&t, "\n- the keys: the configuration has ");
        s_key_text("partition key", &want->hash, &t);
        tpd_text_printf(&t, ", ");
        s_key_text("sort key", &want->range, &t);
        tpd_text_printf(&t, "; %s has ", what);
        s_key_text("partition key", &source->hash, &t);
        tpd_text_printf(&t, ", ");
        s_key_text("sort key", &source->range, &t);
        problems++;
    }
    s_indexes(
        "global secondary index",
        want->gsis,
        want->gsi_count,
        source->gsis,
        source->gsi_count,
        restored,
        what,
        &t,
        &problems);
    s_indexes(
        "local secondary index",
        want->lsis,
        want->lsi_count,
        source->lsis,
        source->lsi_count,
        restored,
        what,
        &t,
        &problems);
    if (!problems) {
        tpd_text_clear(&t);
        return;
    }
    if (restored) {
        refusal_setf(
            out,
            "restore",
            "Restored table does not match the configuration",
            "DynamoDB table \"%s\" was restored, but it differs from the configuration in what "
            "no update can change:%s\n\nThe restored table was kept, with its items, in no stack "
            "and not in the state; nothing was deleted. Either make the configuration match it "
            "(the next terraform apply then adopts it into stack \"%s\"), or delete it (aws "
            "dynamodb delete-table --table-name %s) and restore again with a matching "
            "configuration.",
            want->name,
            tpd_text_cstr_or(&t, " (out of memory listing the differences)"),
            want->stack_name ? want->stack_name : "?",
            want->name);
    } else {
        refusal_setf(
            out,
            "restore",
            "Restore source does not match the configuration",
            "DynamoDB table \"%s\" would be restored from %s, which differs from the "
            "configuration in what no update can change:%s\n\nA restore keeps the source's keys "
            "and can only leave out indexes, not add or redefine them. Make the keys and "
            "indexes of this resource match the source (indexes it has that the configuration "
            "leaves out are not restored); add other indexes in a later apply. Nothing was "
            "changed.",
            want->name,
            what,
            tpd_text_cstr_or(&t, " (out of memory listing the differences)"));
    }
    tpd_text_clear(&t);
}
