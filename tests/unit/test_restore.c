/*
 * Unit tests of `restore` (provider/resource/restore.c and the ACTION_RESTORE path of
 * decide.c, execute.c, ttl_table_apply.c, ttl_table_plan.c) through the cloud_ops seam over
 * the fake world (tests/support/fake_cloud.h): a restore from a backup or a point in time is
 * adopted into its stack and the rest of the configuration applied; a source with other keys
 * or indexes is refused at plan, changing nothing; a restored table that differs (the source
 * could not be read at plan time) is kept and not adopted; an interrupted restore is recorded
 * in no stack and adopted by the next apply; an existing table is adopted, not restored over;
 * a later change of `restore` only warns. And the validation of `restore` (attribute paths).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_cloud.h"
#include "resource_env.h"
#include "resource_private.h"
#include "restore.h"
#include "table_template.h"
#include "table_value.h"
#include "tpd_log.h"
#include "ttl_table.h"
#include "validate.h"

#define S1_1 FC_STACK_ID("s1", 1)
#define BACKUP "arn:aws:dynamodb:us-east-1:123456789012:table/src/backup/01700000000000-1a2b3c4d"

/* ---- values ------------------------------------------------------------------------- */

/* restore = { backup_arn } (arn) or { source_table_name = src, use_latest_restorable_time }. */
static struct tfv *s_restore(const char *arn, const char *src, const char *at, bool latest) {
    struct tfv *r = tfv_new_object();
    tfv_map_set(r, "backup_arn", arn ? tfv_new_string(arn) : tfv_new_null());
    tfv_map_set(r, "source_table_name", src ? tfv_new_string(src) : tfv_new_null());
    tfv_map_set(r, "point_in_time", at ? tfv_new_string(at) : tfv_new_null());
    tfv_map_set(r, "use_latest_restorable_time", latest ? tfv_new_bool(true) : tfv_new_null());
    return r;
}

/* A planned create of t1 in stack s1 with hash key id, index gsi_a, TTL on expires_at,
 * point-in-time recovery, protection and a tag, restored from restore. */
static struct tfv *s_planned(struct tfv *restore) {
    struct tfv *v = tfv_new_object();
    tfv_map_set(v, "name", tfv_new_string("t1"));
    tfv_map_set(v, "id", tfv_new_string("t1"));
    tfv_map_set(v, "stack_name", tfv_new_string("s1"));
    tfv_map_set(v, "hash_key", renv_key("id"));
    tfv_map_set(v, "range_key", tfv_new_null());
    tfv_map_set(v, "billing_mode", tfv_new_string("PAY_PER_REQUEST"));
    tfv_map_set(v, "read_capacity", tfv_new_null());
    tfv_map_set(v, "write_capacity", tfv_new_null());
    tfv_map_set(v, "deletion_protection_enabled", tfv_new_bool(true));
    tfv_map_set(v, "point_in_time_recovery", tfv_new_bool(true));
    tfv_map_set(v, "retain_on_destroy", tfv_new_bool(false));
    struct tfv *tags = tfv_new_map();
    tfv_map_set(tags, "team", tfv_new_string("orders"));
    tfv_map_set(v, "tags", tags);
    struct tfv *ttl = tfv_new_object();
    tfv_map_set(ttl, "attribute_name", tfv_new_string("expires_at"));
    tfv_map_set(ttl, "enabled", tfv_new_null());
    tfv_map_set(v, "ttl", ttl);
    tfv_map_set(v, "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_a")));
    tfv_map_set(v, "timeouts", tfv_new_null());
    tfv_map_set(v, "restore", restore ? restore : tfv_new_null());
    tfv_map_set(v, "arn", tfv_new_unknown());
    tfv_map_set(v, "stack_id", tfv_new_unknown());
    tfv_map_set(v, "owner_id", tfv_new_unknown());
    tfv_map_set(v, "table_status", tfv_new_unknown());
    tfv_map_set(v, "ttl_status", tfv_new_unknown());
    tfv_map_set(v, "stream_arn", tfv_new_unknown());
    return v;
}

/* The restore source: t1's configuration with hash key `hash` and indexes gsis (a backup
 * when backup, else a table with point-in-time recovery). */
static void s_source(struct renv *e, const char *hash, const char *const *gsis, bool backup) {
    struct tfv *v = s_planned(NULL);
    tfv_map_set(v, "name", tfv_new_string("src"));
    tfv_map_set(v, "hash_key", renv_key(hash));
    tfv_map_set(v, "global_secondary_indexes", renv_gsi_list(gsis));
    assert_int_equal(table_value_to_spec(v, NULL, &e->fc->restore_source, NULL), TPD_OK);
    e->fc->restore_backup = backup;
    fc_set(&e->fc->restore_status, backup ? "AVAILABLE" : "ACTIVE");
    tfv_free(v);
}

/* ---- calls -------------------------------------------------------------------------- */

/* ---- restores ------------------------------------------------------------------------ */

/* Plan then apply a create from cfg; the planned private bytes carry the path. */
static struct tfv *s_plan_apply(struct renv *e, const struct tfv *cfg) {
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    assert_non_null(planned);
    struct resource_private rp;
    resource_private_decode(tpd_buf_span(&e->priv), &rp);
    assert_string_equal(rp.path, "restore");
    resource_private_clear(&rp);
    struct tpd_buf pb;
    struct tpd_span priv = renv_keep_priv(e, &pb);
    struct tfv *out = renv_apply(e, NULL, planned, priv);
    tpd_buf_clear(&pb);
    tfv_free(planned);
    return out;
}

static void s_assert_as_configured(struct renv *e, const struct tfv *out) {
    const struct table_live *t = &e->fc->table;
    assert_true(t->exists);
    assert_string_equal(t->status, "ACTIVE");
    assert_int_equal(t->spec.gsi_count, 1); /* gsi_b of the source left out */
    assert_string_equal(t->spec.gsis[0].name, "gsi_a");
    assert_true(t->spec.deletion_protection);
    assert_true(t->spec.pitr);
    assert_string_equal(t->spec.ttl.attribute, "expires_at");
    assert_int_equal(t->spec.tag_count, 1);
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    assert_non_null(tfv_get(out, "restore"));
    assert_false(tfv_is_null(tfv_get(out, "restore")));
}

static void test_restore_from_a_backup_is_adopted_and_configured(void **state) {
    struct renv *e = *state;
    s_source(e, "id", RENV_NAMES("gsi_a", "gsi_b"), true);
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Table will be restored"));
    assert_true(tfv_is_unknown(tfv_get(planned, "stack_id")));
    assert_string_equal(fc_log(e->fc), ""); /* a plan acts on nothing */
    tfv_free(planned);
    struct tfv *out = s_plan_apply(e, cfg);
    assert_false(renv_errors(e));
    /* Restore, IMPORT (the restored table as it is, retained), one update for the rest. */
    assert_string_equal(fc_log(e->fc), "restore t1\ndeploy import s1\ndeploy update s1\n");
    struct template_facts imp = {0};
    assert_int_equal(table_template_read(tpd_span_cstr(fc_deployed(e->fc, 0)), &imp, NULL), TPD_OK);
    assert_string_equal(imp.deletion_policy, "Retain");
    assert_int_equal(imp.gsi_count, 1);
    template_facts_clear(&imp);
    assert_null(strstr(fc_deployed(e->fc, 0), "TimeToLiveSpecification"));
    s_assert_as_configured(e, out);
    tfv_free(out);
    tfv_free(cfg);
}

static void test_restore_to_a_point_in_time_is_adopted_and_configured(void **state) {
    struct renv *e = *state;
    s_source(e, "id", RENV_NAMES("gsi_a", "gsi_b"), false);
    struct tfv *cfg = s_planned(s_restore(NULL, "src", "2026-12-01T10:00:00Z", false));
    struct tfv *out = s_plan_apply(e, cfg);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "restore t1\ndeploy import s1\ndeploy update s1\n");
    s_assert_as_configured(e, out);
    tfv_free(out);
    tfv_free(cfg);
}

static void test_source_with_other_keys_or_indexes_is_refused_at_plan(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    s_source(e, "pk", RENV_NAMES("gsi_a"), true);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Restore source does not match the configuration"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "partition key id (S)"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "partition key pk"));
    tfv_free(planned);
    /* Apply decides again and refuses the same way: nothing restored. */
    struct tfv *out = renv_apply(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Restore source does not match the configuration"));
    assert_null(out);
    table_spec_clear(&e->fc->restore_source);
    s_source(e, "id", RENV_NAMES("gsi_b"), true); /* the configured gsi_a is not in the source */
    planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Restore source does not match the configuration"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "global secondary index gsi_a is not in"));
    tfv_free(planned);
    assert_string_equal(fc_log(e->fc), "");
    assert_false(e->fc->table.exists);
    assert_int_equal(e->fc->stack_count, 0);
    tfv_free(cfg);
}

static void test_missing_source_is_refused_at_plan(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Backup not found"));
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(planned);
    tfv_free(cfg);
}

/* The backup cannot be read (no permission): the plan says the source is not checked;
 * the restored table has other keys, and is kept, not adopted, not recorded. */
static void test_restored_table_that_differs_is_kept_not_adopted(void **state) {
    struct renv *e = *state;
    s_source(e, "pk", RENV_NAMES("gsi_a"), true);
    fc_fail(e->fc, FC_READ_RESTORE_SOURCE, 1, 0, TPD_E_AWS, "AccessDeniedException", "denied");
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Restore source not checked"));
    tfv_free(planned);
    struct tfv *out = renv_apply(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Restored table does not match the configuration"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "nothing was deleted"));
    assert_null(out);
    assert_string_equal(fc_log(e->fc), "restore t1\n");
    assert_true(e->fc->table.exists);
    assert_int_equal(e->fc->calls[FC_DELETE_TABLE], 0);
    assert_int_equal(e->fc->stack_count, 0);
    tfv_free(cfg);
}

/* The wait for the restored table times out: recorded in no stack with the error, the
 * table kept; the next apply (after untaint: an update from the recorded state) adopts
 * it into its stack. */
static void test_interrupted_restore_is_recorded_and_adopted_next(void **state) {
    struct renv *e = *state;
    s_source(e, "id", RENV_NAMES("gsi_a"), true);
    fc_fail(e->fc, FC_WAIT_TABLE, 1, 1, TPD_E_TIMEOUT, NULL, "waiting for table t1: timed out");
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    struct tfv *recorded = renv_apply(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Restore interrupted, table recorded"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform untaint"));
    assert_non_null(recorded);
    assert_true(tfv_is_null(tfv_get(recorded, "stack_id")));
    assert_string_equal(fc_log(e->fc), "restore t1\n");
    assert_true(e->fc->table.exists);
    /* Untainted: an update from the recorded state adopts the table. */
    struct tfv *planned = renv_plan(e, recorded, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    struct tpd_buf pb;
    struct tpd_span priv = renv_keep_priv(e, &pb);
    struct tfv *out = renv_apply(e, recorded, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "restore t1\ndeploy import s1\ndeploy update s1\n");
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    assert_true(e->fc->table.spec.deletion_protection);
    assert_int_equal(e->fc->calls[FC_DELETE_TABLE], 0);
    tpd_buf_clear(&pb);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(recorded);
    tfv_free(cfg);
}

/* The table exists already (a restore that ran while the provider was killed): adopted as
 * it is; a restore is never run over a table. */
static void test_existing_table_is_adopted_not_restored(void **state) {
    struct renv *e = *state;
    s_source(e, "id", RENV_NAMES("gsi_a"), true);
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    struct table_spec sp = {0};
    assert_int_equal(table_value_to_spec(cfg, NULL, &sp, NULL), TPD_OK);
    sp.deletion_protection = false;
    fc_set_table(e->fc, &sp);
    table_spec_clear(&sp);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Table exists: not restored"));
    struct tpd_buf pb;
    struct tpd_span priv = renv_keep_priv(e, &pb);
    struct tfv *out = renv_apply(e, NULL, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy import s1\ndeploy update s1\n");
    assert_int_equal(e->fc->calls[FC_RESTORE], 0);
    tpd_buf_clear(&pb);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(cfg);
}

/* A later change of restore: a warning, no replacement, and the apply changes nothing. */
static void test_changing_restore_later_only_warns(void **state) {
    struct renv *e = *state;
    s_source(e, "id", RENV_NAMES("gsi_a"), true);
    struct tfv *cfg = s_planned(s_restore(BACKUP, NULL, NULL, false));
    struct tfv *state1 = s_plan_apply(e, cfg);
    assert_false(renv_errors(e));
    struct tfv *changed = tfv_clone(state1);
    tfv_map_set(changed, "restore", s_restore(NULL, "src", NULL, true));
    size_t replace = 9;
    fc_log_clear(e->fc);
    struct tfv *planned = renv_plan_with(e, &e->fc->ops, state1, changed, renv_no_priv(), &replace);
    assert_false(renv_errors(e));
    assert_int_equal(replace, 0);
    assert_true(renv_has_diag(e, DIAG_WARNING, "Changing restore changes nothing"));
    struct tpd_buf pb;
    struct tpd_span priv = renv_keep_priv(e, &pb);
    struct tfv *out = renv_apply(e, state1, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy update s1 (empty)\n");
    assert_int_equal(e->fc->calls[FC_RESTORE], 1);
    assert_string_equal(tfv_get_str(tfv_get(out, "restore"), "source_table_name"), "src");
    tpd_buf_clear(&pb);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(changed);
    tfv_free(state1);
    tfv_free(cfg);
}

/* ---- validation ---------------------------------------------------------------------- */

static size_t s_validate(struct tfv *restore, const char *expect) {
    struct tfv *cfg = s_planned(restore);
    tfv_map_set(cfg, "name", tfv_new_string("orders"));
    struct diag_list d;
    diag_list_init(&d);
    validate_ttl_table(cfg, &d);
    size_t n = 0;
    bool found = expect == NULL;
    for (size_t i = 0; i < d.count; i++) {
        if (d.items[i].severity != DIAG_ERROR) {
            continue;
        }
        n++;
        assert_int_equal(d.items[i].path.count, 1);
        assert_string_equal(d.items[i].path.steps[0].name, "restore");
        found = found || (expect && strstr(d.items[i].summary, expect));
    }
    if (!found) {
        for (size_t i = 0; i < d.count; i++) {
            print_message("diag: %s: %s\n", d.items[i].summary, d.items[i].detail);
        }
    }
    assert_true(found);
    diag_list_clear(&d);
    tfv_free(cfg);
    return n;
}

static void test_validation(void **state) {
    (void)state;
    assert_int_equal(s_validate(s_restore(BACKUP, NULL, NULL, false), NULL), 0);
    assert_int_equal(s_validate(s_restore(NULL, "src", "2026-12-01T10:00:00Z", false), NULL), 0);
    assert_int_equal(
        s_validate(s_restore(NULL, "src", "2026-12-01T11:00:00.5+01:00", false), NULL), 0);
    assert_int_equal(s_validate(s_restore(NULL, "src", NULL, true), NULL), 0);
    assert_int_equal(s_validate(tfv_new_null(), NULL), 0);
    assert_true(s_validate(s_restore(NULL, NULL, NULL, false), "No restore source") >= 1);
    assert_true(s_validate(s_restore(BACKUP, "src", NULL, false), "Two restore sources") >= 1);
    assert_true(
        s_validate(s_restore(BACKUP, NULL, "2026-12-01T10:00:00Z", false), "with a backup") >= 1);
    assert_true(s_validate(s_restore(NULL, "src", NULL, false), "No restore time") >= 1);
    assert_true(
        s_validate(s_restore(NULL, "src", "2026-12-01T10:00:00Z", true), "Two restore times") >= 1);
    assert_true(
        s_validate(
            s_restore("arn:aws:dynamodb:us-east-1:1:table/x", NULL, NULL, false),
            "Invalid backup ARN") >= 1);
    assert_true(
        s_validate(s_restore(NULL, "src", "2026-12-01", false), "Invalid restore time") >= 1);
    assert_true(
        s_validate(s_restore(NULL, "src", "2026-12-01T10:00:00", false), "Invalid restore time") >=
        1);
    assert_true(s_validate(s_restore(NULL, "x", NULL, true), "Invalid table name") >= 1);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, renv_setup, renv_teardown)
    const struct CMUnitTest tests[] = {
        T(test_restore_from_a_backup_is_adopted_and_configured),
        T(test_restore_to_a_point_in_time_is_adopted_and_configured),
        T(test_source_with_other_keys_or_indexes_is_refused_at_plan),
        T(test_missing_source_is_refused_at_plan),
        T(test_restored_table_that_differs_is_kept_not_adopted),
        T(test_interrupted_restore_is_recorded_and_adopted_next),
        T(test_existing_table_is_adopted_not_restored),
        T(test_changing_restore_later_only_warns),
        cmocka_unit_test(test_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
