/*
 * cloud_restore: the restore acts of the real cloud_ops (see cloud_ops.h): the source of a
 * restore read (DescribeBackup or DescribeTable), and RestoreTableFromBackup /
 * RestoreTableToPointInTime with the overrides that make the restored table as configured
 * (docs/aws-behaviour.md §5.7: billing mode, capacities, indexes, encryption and on-demand
 * limits can be overridden; the rest is set after the adoption).
 */
#include <stdlib.h>
#include <string.h>

#include "cloud_internal.h"
#include "ddb.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

static bool s_take(char **dst, char **src) {
    *dst = *src;
    *src = NULL;
    return true;
}

/* The indexes of t (moved). false on no memory. */
static bool s_indexes(struct ddb_index *in, size_t n, struct table_index **out, size_t *count) {
    *out = NULL;
    *count = 0;
    if (!n) {
        return true;
    }
    struct table_index *v = tpd_calloc(n, sizeof(*v));
    if (!v) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        struct table_index *x = &v[i];
        s_take(&x->name, &in[i].name);
        s_take(&x->hash.name, &in[i].hash.name);
        s_take(&x->hash.type, &in[i].hash.type);
        s_take(&x->range.name, &in[i].range.name);
        s_take(&x->range.type, &in[i].range.type);
        s_take(&x->projection, &in[i].projection_type);
        s_take(&x->status, &in[i].status);
        x->non_key = in[i].non_key;
        x->non_key_count = in[i].non_key_count;
        in[i].non_key = NULL;
        in[i].non_key_count = 0;
        x->read_capacity = in[i].read_capacity;
        x->write_capacity = in[i].write_capacity;
    }
    table_index_array_sort(v, n);
    *out = v;
    *count = n;
    return true;
}

enum tpd_code cloud_read_restore_source(
    void *ctx,
    const struct restore_spec *r,
    struct table_spec *out,
    char **status,
    struct tpd_err *err) {
    struct cloud *c = ctx;
    memset(out, 0, sizeof(*out));
    *status = NULL;
    struct ddb_table t = {0};
    enum tpd_code rc = r->kind == RESTORE_BACKUP
                           ? ddb_describe_backup(c->aws, r->backup_arn, &t, err)
                           : ddb_describe_table(c->aws, r->source_table, &t, err);
    if (rc) {
        return rc;
    }
    s_take(&out->name, &t.name);
    s_take(&out->hash.name, &t.hash.name);
    s_take(&out->hash.type, &t.hash.type);
    s_take(&out->range.name, &t.range.name);
    s_take(&out->range.type, &t.range.type);
    s_take(status, &t.status);
    out->provisioned = t.billing_mode && strcmp(t.billing_mode, "PROVISIONED") == 0;
    out->read_capacity = out->provisioned ? t.read_capacity : 0;
    out->write_capacity = out->provisioned ? t.write_capacity : 0;
    bool ok = s_indexes(t.gsis, t.gsi_count, &out->gsis, &out->gsi_count) &&
              s_indexes(t.lsis, t.lsi_count, &out->lsis, &out->lsi_count);
    ddb_table_clear(&t);
    if (!ok) {
        table_spec_clear(out);
        free(*status);
        *status = NULL;
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}

/* want's indexes as a restore's override (the strings are want's). */
static struct ddb_restore_index *
s_override(const struct table_index *v, size_t n, bool provisioned) {
    struct ddb_restore_index *o = tpd_calloc(n ? n : 1, sizeof(*o));
    for (size_t i = 0; o && i < n; i++) {
        o[i].name = v[i].name;
        o[i].hash = v[i].hash.name;
        o[i].range = v[i].range.name;
        o[i].projection = v[i].projection;
        o[i].non_key = (const char *const *)v[i].non_key;
        o[i].non_key_count = v[i].non_key_count;
        o[i].read_capacity = provisioned ? v[i].read_capacity : 0;
        o[i].write_capacity = provisioned ? v[i].write_capacity : 0;
    }
    return o;
}

/* The table named want->name is a restore of r's source (its RestoreSummary says so). */
static bool
s_own_restore(struct cloud *c, const struct restore_spec *r, const struct table_spec *want) {
    char *backup = NULL, *table = NULL;
    struct tpd_err e = {0};
    bool own = false;
    if (ddb_restore_summary(c->aws, want->name, &backup, &table, &e) == TPD_OK) {
        if (r->kind == RESTORE_BACKUP) {
            own = backup && strcmp(backup, r->backup_arn) == 0;
        } else if (table && !backup) {
            const char *slash = strrchr(table, '/');
            own = slash && strstr(table, ":table/") && strcmp(slash + 1, r->source_table) == 0;
        }
    }
    free(backup);
    free(table);
    tpd_err_clear(&e);
    return own;
}

enum tpd_code cloud_restore(
    void *ctx, const struct restore_spec *r, const struct table_spec *want, struct tpd_err *err) {
    struct cloud *c = ctx;
    struct ddb_restore_index *gsis = s_override(want->gsis, want->gsi_count, want->provisioned);
    struct ddb_restore_index *lsis = s_override(want->lsis, want->lsi_count, false);
    if (!gsis || !lsis) {
        free(gsis);
        free(lsis);
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    struct ddb_restore_input in = {
        .target = want->name,
        .backup_arn = r->kind == RESTORE_BACKUP ? r->backup_arn : NULL,
        .source_table = r->kind == RESTORE_POINT_IN_TIME ? r->source_table : NULL,
        .use_latest = r->use_latest,
        .restore_time = r->time,
        .billing_mode = want->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        .read_capacity = want->provisioned ? want->read_capacity : 0,
        .write_capacity = want->provisioned ? want->write_capacity : 0,
        /* The configured indexes, and only those: a restore can leave indexes of the
         * source out, not add any (restore_check refused that at plan time). */
        .indexes_given = true,
        .gsis = gsis,
        .gsi_count = want->gsi_count,
        .lsis = lsis,
        .lsi_count = want->lsi_count,
        .sse_given = true,
        .sse_enabled = want->sse,
        .sse_kms_key = want->sse ? want->sse_kms_key : NULL,
        .on_demand_read = want->provisioned ? 0 : want->on_demand_read,
        .on_demand_write = want->provisioned ? 0 : want->on_demand_write,
    };
    enum tpd_code rc = ddb_restore_table(c->aws, &in, err);
    free(gsis);
    free(lsis);
    if (rc && tpd_err_is_aws(err, "TableAlreadyExistsException") && s_own_restore(c, r, want)) {
        /* The answer to an attempt that took effect was lost, and the client's retry met
         * its effect (docs/provider.md, "Mutating calls are idempotent"). */
        TPD_INFO("table %s: restored by this apply's earlier attempt", want->name);
        tpd_err_clear(err);
        rc = TPD_OK;
    }
    return rc;
}
