/*
 * Unit tests of the resource's plan, apply, refresh and import (provider/resource/
 * ttl_table_*.c) through the cloud_ops seam, over a fake world (tests/support/
 * fake_cloud.h): each test states what AWS holds as structs, runs the calls Terraform
 * would make, and checks the acts (the world's log), the diagnostics, the state and
 * private bytes returned, and what the world holds afterwards. No AWS wire text: the
 * wire is tested in tests/aws. The decisions themselves are tested as tables in
 * test_decide.c and test_ownership.c.
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
#include "plan_claims.h"
#include "resource_env.h"
#include "resource_private.h"
#include "table_template.h"
#include "table_value.h"
#include "tpd_log.h"
#include "ttl_table.h"

#define ARN_T FC_ARN_PREFIX "t1"
#define S1_1 FC_STACK_ID("s1", 1)
#define S1_2 FC_STACK_ID("s1", 2)
#define OLD_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/0999"
/* Owner ids of resource instances: this one's, another one's. */
#define O1 "0123456789abcdef0123456789abcd01"
#define O2 "0123456789abcdef0123456789abcd02"

/* ---- values ------------------------------------------------------------------------- */

/* A planned value for table t1 in stack s1 (computed values unknown, as for a create). */
static struct tfv *s_planned(bool protection) {
    struct tfv *v = tfv_new_object();
    tfv_map_set(v, "name", tfv_new_string("t1"));
    tfv_map_set(v, "id", tfv_new_string("t1"));
    tfv_map_set(v, "stack_name", tfv_new_string("s1"));
    tfv_map_set(v, "hash_key", renv_key("id"));
    tfv_map_set(v, "range_key", tfv_new_null());
    tfv_map_set(v, "billing_mode", tfv_new_string("PAY_PER_REQUEST"));
    tfv_map_set(v, "read_capacity", tfv_new_null());
    tfv_map_set(v, "write_capacity", tfv_new_null());
    tfv_map_set(v, "deletion_protection_enabled", tfv_new_bool(protection));
    tfv_map_set(v, "point_in_time_recovery", tfv_new_bool(false));
    tfv_map_set(v, "retain_on_destroy", tfv_new_bool(false));
    tfv_map_set(v, "tags", tfv_new_null());
    tfv_map_set(v, "ttl", tfv_new_null());
    tfv_map_set(v, "timeouts", tfv_new_null());
    tfv_map_set(v, "arn", tfv_new_unknown());
    tfv_map_set(v, "stack_id", tfv_new_unknown());
    tfv_map_set(v, "owner_id", tfv_new_unknown());
    tfv_map_set(v, "table_status", tfv_new_unknown());
    tfv_map_set(v, "ttl_status", tfv_new_unknown());
    tfv_map_set(v, "stream_arn", tfv_new_unknown());
    return v;
}

/* A ttl value: attribute on or off. */
static struct tfv *s_ttl(const char *attribute, bool enabled) {
    struct tfv *t = tfv_new_object();
    tfv_map_set(t, "attribute_name", tfv_new_string(attribute));
    tfv_map_set(t, "enabled", tfv_new_bool(enabled));
    return t;
}

static struct tfv *s_str_or_null(const char *s) {
    return s ? tfv_new_string(s) : tfv_new_null();
}

/* The state of t1 in stack s1 (stack_id NULL: in no stack), owned by owner (NULL: none
 * recorded). */
static struct tfv *s_prior(bool protection, const char *stack_id, const char *owner) {
    struct tfv *v = s_planned(protection);
    tfv_map_set(v, "arn", tfv_new_string(ARN_T));
    tfv_map_set(v, "stack_id", s_str_or_null(stack_id));
    tfv_map_set(v, "owner_id", s_str_or_null(owner));
    tfv_map_set(v, "table_status", tfv_new_string("ACTIVE"));
    tfv_map_set(v, "ttl_status", tfv_new_string("DISABLED"));
    tfv_map_set(v, "stream_arn", tfv_new_null());
    return v;
}

static struct tfv *s_with(struct tfv *v, const char *key, struct tfv *x) {
    tfv_map_set(v, key, x);
    return v;
}

/* ---- the world ---------------------------------------------------------------------- */

/* The world's table is what the value v describes. */
static void s_world_table(struct renv *e, const struct tfv *v) {
    struct table_spec sp = {0};
    assert_int_equal(table_value_to_spec(v, NULL, &sp, NULL), TPD_OK);
    fc_set_table(e->fc, &sp);
    table_spec_clear(&sp);
}

/* A stack of this provider holding t1, its template rendered from v with owner. */
static struct fc_stack *
s_world_stack(struct renv *e, const char *name, const struct tfv *v, const char *owner) {
    struct table_spec sp = {0};
    assert_int_equal(table_value_to_spec(v, NULL, &sp, NULL), TPD_OK);
    fc_set(&sp.stack_name, name);
    char *tpl = fc_template(&sp, owner);
    struct fc_stack *s = fc_add_stack(e->fc, name, "UPDATE_COMPLETE", tpl, "t1");
    free(tpl);
    table_spec_clear(&sp);
    return s;
}

/* A template written by hand (no marker of this provider) for table with policy. */
static char *s_hand_made(const char *table, const char *policy) {
    char *t = malloc(1024);
    snprintf(
        t,
        1024,
        "{\"Description\": \"hand made\", \"Resources\": {\"Table\": {\"Type\": "
        "\"AWS::DynamoDB::Table\", \"DeletionPolicy\": \"%s\", \"Properties\": {\"TableName\": "
        "\"%s\", \"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}], "
        "\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}], "
        "\"BillingMode\": \"PAY_PER_REQUEST\"}}}}",
        policy,
        table);
    return t;
}

/* What the template of a stack (or of a deploy) says about the table. */
static void s_read_template(const char *body, struct template_facts *tf) {
    assert_non_null(body);
    assert_int_equal(table_template_read(tpd_span_cstr(body), tf, NULL), TPD_OK);
}

/* ---- calls -------------------------------------------------------------------------- */

/* The private bytes of p, in b. */
static struct tpd_span s_priv(struct tpd_buf *b, const struct resource_private *p) {
    tpd_buf_init(b, 0);
    assert_int_equal(resource_private_encode(p, b), TPD_OK);
    return tpd_buf_span(b);
}

static bool s_bool(const struct tfv *v, const char *key) {
    bool b = false;
    assert_true(tfv_get_bool(v, key, &b));
    return b;
}

/* ---- create --------------------------------------------------------------------------- */

static void test_create_fresh(void **state) {
    struct renv *e = *state;
    struct tfv *planned = s_planned(true);
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy create s1\n");
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(out, "arn"), ARN_T);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    assert_true(s_bool(out, "deletion_protection_enabled"));
    /* The stack's marker names the new owner; the table is protected from the start. */
    struct template_facts tf;
    s_read_template(fc_stack(e->fc, "s1")->template_body, &tf);
    assert_true(tf.marked);
    assert_string_equal(tf.marked_owner, FC_MINTED(1));
    assert_string_equal(tf.deletion_policy, "Delete");
    template_facts_clear(&tf);
    assert_true(e->fc->table.spec.deletion_protection);
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    /* Two reads: the facts before deciding, and the table after the stack settled, which
     * found it ACTIVE, so no separate wait for it (issue 23). */
    assert_int_equal(e->fc->calls[FC_READ], 2);
    assert_int_equal(e->fc->calls[FC_WAIT_TABLE], 0);
    /* The first read probed: DescribeTable (none) and the stack, no settings. */
    assert_int_equal(e->fc->table_reads[CLOUD_TABLE_PROBE], 1);
    tfv_free(out);
    tfv_free(planned);
}

static void s_table_creating(void *arg) {
    struct fake_cloud *fc = arg;
    fc_set(&fc->table.status, "CREATING");
}

/* The table read after the stack settled is not ACTIVE yet: apply waits for it, reads it
 * again and records it ACTIVE. */
static void test_create_waits_for_a_table_not_ready(void **state) {
    struct renv *e = *state;
    struct tfv *planned = s_planned(false);
    fc_before(e->fc, FC_READ, 2, s_table_creating, e->fc);
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy create s1\n");
    assert_int_equal(e->fc->calls[FC_WAIT_TABLE], 1);
    assert_int_equal(e->fc->calls[FC_READ], 3);
    assert_string_equal(tfv_get_str(out, "table_status"), "ACTIVE");
    tfv_free(out);
    tfv_free(planned);
}

static void test_create_adopts_with_retain_then_updates(void **state) {
    struct renv *e = *state;
    struct tfv *planned = s_planned(true), *live = s_planned(false);
    s_world_table(e, live);
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_false(renv_errors(e));
    /* IMPORT, then the follow-up UPDATE switches protection on: no repair needed. */
    assert_string_equal(fc_log(e->fc), "deploy import s1\ndeploy update s1\n");
    struct template_facts imp, upd;
    s_read_template(fc_deployed(e->fc, 0), &imp);
    s_read_template(fc_deployed(e->fc, 1), &upd);
    /* The IMPORT template always retains the table, and has no Outputs. */
    assert_string_equal(imp.deletion_policy, "Retain");
    assert_null(strstr(fc_deployed(e->fc, 0), "Outputs"));
    assert_string_equal(upd.deletion_policy, "Delete");
    assert_string_equal(imp.marked_owner, FC_MINTED(1));
    assert_string_equal(upd.marked_owner, FC_MINTED(1));
    template_facts_clear(&imp);
    template_facts_clear(&upd);
    assert_true(e->fc->table.spec.deletion_protection);
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    tfv_free(out);
    tfv_free(live);
    tfv_free(planned);
}

static void test_create_refuses_foreign_stack(void **state) {
    struct renv *e = *state;
    char *tpl = s_hand_made("their-table", "Delete");
    fc_add_stack(e->fc, "s1", "CREATE_COMPLETE", tpl, "their-table");
    free(tpl);
    struct tfv *planned = s_planned(true);
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Stack belongs to someone else"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "their-table"));
    assert_string_equal(fc_log(e->fc), "");
    assert_null(out);
    tfv_free(planned);
}

static void test_failed_followup_is_a_warning_not_a_taint(void **state) {
    struct renv *e = *state;
    struct tfv *planned = s_planned(true), *live = s_planned(false);
    s_world_table(e, live);
    fc_fail_deploy(
        e->fc, 2, FC_DEPLOY_ROLLED_BACK, TPD_E_FAILED, "stack s1 is UPDATE_ROLLBACK_COMPLETE");
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    /* No error: an error during a create would taint, and the next apply would replace. */
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "configuration not fully applied"));
    assert_true(renv_has_diag(e, DIAG_WARNING, "UPDATE_ROLLBACK_COMPLETE"));
    assert_string_equal(fc_log(e->fc), "deploy import s1\ndeploy update s1 (rolled back)\n");
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    assert_true(tfv_is_wholly_known(out));
    /* The table stays in its stack, whose template still retains it. */
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    struct template_facts tf;
    s_read_template(fc_stack(e->fc, "s1")->template_body, &tf);
    assert_string_equal(tf.deletion_policy, "Retain");
    template_facts_clear(&tf);
    tfv_free(out);
    tfv_free(live);
    tfv_free(planned);
}

/* Reading the table back after a create fails: a warning with the planned values, never
 * a crash or a taint. */
static void test_create_fresh_read_back_fails(void **state) {
    struct renv *e = *state;
    fc_fail(e->fc, FC_READ, 2, 0, TPD_E_AWS, "AccessDeniedException", "not allowed");
    struct tfv *planned = s_planned(true);
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "not allowed"));
    assert_string_equal(fc_log(e->fc), "deploy create s1\n");
    assert_non_null(out);
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    /* Every value known after apply (Terraform rejects an unknown one: stream_arn was). */
    assert_true(tfv_is_wholly_known(out));
    tfv_free(out);
    tfv_free(planned);
}

/* Adoption while the configuration leaves out the live table's index: refused at apply as
 * at plan, without an act. */
static void test_create_refuses_adoption_leaving_out_an_index(void **state) {
    struct renv *e = *state;
    struct tfv *live =
        s_with(s_planned(false), "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_a")));
    s_world_table(e, live);
    struct tfv *planned = s_planned(false);
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "leaves out features"));
    assert_true(renv_has_diag(
        e,
        DIAG_ERROR,
        "{ name = \"gsi_a\", hash_key = { name = \"a\", type = \"S\" }, projection_type = "
        "\"ALL\" }"));
    assert_string_equal(fc_log(e->fc), "");
    assert_null(out);
    tfv_free(planned);
    tfv_free(live);
}

/* ---- update: indexes ------------------------------------------------------------------ */

static void test_update_swaps_an_index_in_two_stack_updates(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_with(
        s_prior(false, S1_1, O1), "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_a")));
    struct tfv *planned = s_with(
        s_prior(false, S1_1, O1), "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_b")));
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    /* Delete, then create: two stack updates (the world refuses two index changes in
     * one), no direct index call. */
    assert_string_equal(fc_log(e->fc), "deploy update s1\ndeploy update s1\n");
    struct template_facts first, second;
    s_read_template(fc_deployed(e->fc, 0), &first);
    s_read_template(fc_deployed(e->fc, 1), &second);
    assert_int_equal(first.gsi_count, 0);
    assert_int_equal(second.gsi_count, 1);
    assert_string_equal(second.gsis[0].name, "gsi_b");
    template_facts_clear(&first);
    template_facts_clear(&second);
    const struct tfv *g = tfv_get(out, "global_secondary_indexes");
    assert_int_equal(g->u.list.count, 1);
    assert_string_equal(tfv_get_str(g->u.list.items[0], "name"), "gsi_b");
    assert_int_equal(e->fc->table.spec.gsi_count, 1);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

/* An interrupted swap continues from the deployed template: it already lacks gsi_a, so
 * the one update left creates gsi_b. */
static void test_update_resumes_an_interrupted_sequence(void **state) {
    struct renv *e = *state;
    struct tfv *prior =
        s_with(s_prior(false, S1_1, O1), "global_secondary_indexes", tfv_new_list());
    struct tfv *planned = s_with(
        s_prior(false, S1_1, O1), "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_b")));
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy update s1\n");
    assert_non_null(strstr(fc_deployed(e->fc, 0), "gsi_b"));
    assert_int_equal(tfv_get(out, "global_secondary_indexes")->u.list.count, 1);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

/* Deleted outside Terraform: created again from the template's definition (a direct
 * repair, first), then the stack update is empty. */
static void test_update_recreates_an_index_deleted_outside(void **state) {
    struct renv *e = *state;
    struct tfv *prior =
        s_with(s_prior(false, S1_1, O1), "global_secondary_indexes", tfv_new_list());
    struct tfv *planned = s_with(
        s_prior(false, S1_1, O1), "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_a")));
    s_world_table(e, prior);
    s_world_stack(e, "s1", planned, O1);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc), "repair t1: creating an index again gsi_a\ndeploy update s1 (empty)\n");
    assert_int_equal(e->fc->table.spec.gsi_count, 1);
    assert_string_equal(e->fc->table.spec.gsis[0].hash.name, "a");
    assert_int_equal(tfv_get(out, "global_secondary_indexes")->u.list.count, 1);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

/* Added outside Terraform: refused before any change, the state is what AWS has. */
static void test_update_refuses_an_index_added_outside(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_with(
        s_prior(false, S1_1, O1),
        "global_secondary_indexes",
        renv_gsi_list(RENV_NAMES("gsi_a", "gsi_x")));
    struct tfv *planned = s_with(
        s_prior(false, S1_1, O1), "global_secondary_indexes", renv_gsi_list(RENV_NAMES("gsi_a")));
    tfv_map_set(planned, "point_in_time_recovery", tfv_new_bool(true));
    s_world_table(e, prior);
    s_world_stack(e, "s1", planned, O1);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Index changed outside Terraform"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "gsi_x (partition key x (S)"));
    assert_string_equal(fc_log(e->fc), "");
    assert_int_equal(tfv_get(out, "global_secondary_indexes")->u.list.count, 2);
    assert_false(e->fc->table.spec.pitr);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

/* ---- update: drift and the stack ----------------------------------------------------- */

/* Protection was switched off outside Terraform; the template still says on: the stack
 * update is empty, the repair switches it on, and the private bytes record the protection
 * applied (resource_private.h). */
static void test_update_repairs_drift_after_empty_change_set(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *planned = s_prior(true, S1_1, O1);
    s_world_table(e, prior);
    s_world_stack(e, "s1", planned, O1);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc), "deploy update s1 (empty)\nrepair t1: switching deletion protection on\n");
    assert_true(s_bool(out, "deletion_protection_enabled"));
    assert_true(e->fc->table.spec.deletion_protection);
    struct resource_private p;
    resource_private_decode(tpd_buf_span(&e->priv), &p);
    assert_true(p.protection_known && p.protection_applied);
    assert_false(p.imported);
    resource_private_clear(&p);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

/* The properties of issue 25 (docs/resource.md "Attributes"): the template already says
 * them, the table drifted outside Terraform (period, policy, Kinesis destination, warm
 * throughput): the stack update is empty, the repair sets each back in order, and the
 * state read back is the configuration (the policy's text as written). */
static struct tfv *s_features(struct tfv *v, const char *policy, int64_t warm_read) {
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "stream_arn", tfv_new_string("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
    tfv_map_set(k, "approximate_creation_date_time_precision", tfv_new_string("MICROSECOND"));
    struct tfv *w = tfv_new_object();
    tfv_map_set(w, "read_units_per_second", tfv_new_int(warm_read));
    tfv_map_set(w, "write_units_per_second", tfv_new_null());
    s_with(v, "point_in_time_recovery", tfv_new_bool(true));
    s_with(v, "recovery_period_in_days", tfv_new_int(14));
    s_with(v, "resource_policy", tfv_new_string(policy));
    s_with(v, "kinesis_streaming_destination", k);
    return s_with(v, "warm_throughput", w);
}

static void test_update_repairs_issue25_properties(void **state) {
    struct renv *e = *state;
    const char *pol = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\"}]}";
    struct tfv *prior = s_features(s_prior(true, S1_1, O1), pol, 15000);
    struct tfv *planned = s_features(s_prior(true, S1_1, O1), pol, 15000);
    s_world_table(e, prior);
    s_world_stack(e, "s1", planned, O1);
    /* Outside Terraform: a 7-day period, another policy, the destination disabled, warm
     * throughput not yet raised (the emulated handler raises it; here the table lags). */
    e->fc->table.spec.pitr_days = 7;
    fc_set(&e->fc->table.spec.resource_policy, "{\"Statement\":[{\"Effect\":\"Deny\"}]}");
    fc_set(&e->fc->table.spec.kinesis_arn, NULL);
    fc_set(&e->fc->table.spec.kinesis_precision, NULL);
    e->fc->table.spec.warm_read = 12000;
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc),
        "deploy update s1 (empty)\n"
        "repair t1: raising the warm throughput\n"
        "repair t1: setting point-in-time recovery\n"
        "repair t1: setting the resource policy\n"
        "repair t1: enabling the Kinesis destination\n");
    assert_int_equal(e->fc->table.spec.pitr_days, 14);
    assert_int_equal(e->fc->table.spec.warm_read, 15000);
    assert_string_equal(e->fc->table.spec.kinesis_precision, "MICROSECOND");
    assert_string_equal(tfv_get_str(out, "resource_policy"), pol); /* as written */
    int64_t n = 0;
    assert_true(tfv_get_int(out, "recovery_period_in_days", &n));
    assert_int_equal(n, 14);
    assert_true(tfv_get_int(tfv_get(out, "warm_throughput"), "read_units_per_second", &n));
    assert_int_equal(n, 15000);
    assert_string_equal(
        tfv_get_str(tfv_get(out, "kinesis_streaming_destination"), "stream_arn"),
        "arn:aws:kinesis:us-east-1:123456789012:stream/s");
    tfv_free(out);
    tfv_free(planned);

    /* A lower warm throughput than the table's is refused at plan, touching nothing. */
    fc_log_clear(e->fc);
    planned = s_features(s_prior(true, S1_1, O1), pol, 13000);
    struct tfv *p = renv_plan(e, prior, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Warm throughput cannot be lower"));
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(p);
    tfv_free(prior);
    tfv_free(planned);
}

/* TTL switched off outside Terraform, the template still says on: the repair switches it
 * on (ENABLING), and apply waits for it to settle polling DescribeTimeToLive alone: one
 * read of the setting per poll, not the five reads of the table (issue 23). */
static void test_update_ttl_settle_polls_only_ttl(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *planned = s_prior(false, S1_1, O1);
    tfv_map_set(planned, "ttl", s_ttl("exp", true));
    s_world_table(e, prior);
    s_world_stack(e, "s1", planned, O1);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc), "deploy update s1 (empty)\nrepair t1: setting Time to Live\n");
    assert_string_equal(tfv_get_str(out, "ttl_status"), "ENABLED");
    assert_string_equal(e->fc->table.ttl_status, "ENABLED");
    /* Read: the facts before deciding, the table after the stack settled, the table after
     * the repair; then one pause and one DescribeTimeToLive, which found it ENABLED. */
    assert_int_equal(e->fc->calls[FC_PAUSE], 1);
    assert_int_equal(e->fc->calls[FC_READ_TTL], 1);
    assert_int_equal(e->fc->calls[FC_READ], 3);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

static void test_update_refuses_stack_with_other_resources(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *planned = s_prior(true, S1_1, O1);
    s_world_table(e, prior);
    struct fc_stack *s = s_world_stack(e, "s1", prior, O1);
    fc_set(&s->other_resources, "Queue (AWS::SQS::Queue)");
    s->other_count = 1;
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Queue (AWS::SQS::Queue)"));
    assert_string_equal(fc_log(e->fc), "");
    /* The state is what AWS has: protection still off. */
    assert_false(s_bool(out, "deletion_protection_enabled"));
    tfv_free(out);
    tfv_free(prior);
    tfv_free(planned);
}

/* A customer managed key back to the AWS owned key: the template keeps SSESpecification,
 * now {SSEEnabled: false} (CloudFormation rolls back an update that drops it), and the
 * stack update alone switches the table over: no repair. */
static void test_update_encryption_back_to_the_owned_key(void **state) {
    struct renv *e = *state;
    struct tfv *sse = tfv_new_object();
    tfv_map_set(sse, "kms_key_arn", tfv_new_string("arn:aws:kms:us-east-1:123456789012:key/k1"));
    struct tfv *prior = s_with(s_prior(false, S1_1, O1), "server_side_encryption", sse);
    struct tfv *planned =
        s_with(s_prior(false, S1_1, O1), "server_side_encryption", tfv_new_null());
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    assert_true(e->fc->table.spec.sse);
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy update s1\n");
    assert_non_null(strstr(fc_deployed(e->fc, 0), "\"SSESpecification\""));
    assert_false(e->fc->table.spec.sse);
    assert_true(tfv_is_null(tfv_get(out, "server_side_encryption")));
    tfv_free(out);
    tfv_free(planned);
    tfv_free(prior);
}

/* stack_name changed: Retain in the old stack, delete it keeping the table, IMPORT into
 * the new one, then the configuration. */
static void test_update_moves_the_table_to_another_stack(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(true, S1_1, O1);
    struct tfv *proposed = s_with(s_prior(true, S1_1, O1), "stack_name", tfv_new_string("s2"));
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    struct tfv *planned = renv_plan(e, prior, proposed, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Table will move to another stack"));
    assert_true(tfv_is_unknown(tfv_get(planned, "stack_id")));
    assert_string_equal(fc_log(e->fc), "");
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *out = renv_apply(e, prior, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc),
        "deploy update s1\ndelete_stack s1 retain=Table\ndeploy import s2\ndeploy update s2\n");
    assert_true(e->fc->table.exists);
    assert_string_equal(fc_owner_stack(e->fc), "s2");
    assert_null(fc_stack(e->fc, "s1"));
    assert_string_equal(tfv_get_str(out, "stack_id"), FC_STACK_ID("s2", 2));
    assert_string_equal(tfv_get_str(out, "stack_name"), "s2");
    assert_string_equal(tfv_get_str(out, "owner_id"), O1);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* A move interrupted after the old stack was deleted (its IMPORT change set failed): the
 * state records the table in no stack under the new stack_name, and the next apply adopts
 * it there, reusing the REVIEW_IN_PROGRESS stack the failed change set left. */
static void test_update_interrupted_move_continues(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(true, S1_1, O1);
    struct tfv *planned = s_with(s_prior(true, S1_1, O1), "stack_name", tfv_new_string("s2"));
    tfv_map_set(planned, "stack_id", tfv_new_unknown());
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    fc_fail_deploy(e->fc, 2, FC_DEPLOY_REFUSED, TPD_E_FAILED, "the import change set failed");
    struct tfv *out = renv_apply(e, prior, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "the import change set failed"));
    assert_string_equal(
        fc_log(e->fc),
        "deploy update s1\ndelete_stack s1 retain=Table\ndeploy import s2 (refused)\n");
    assert_true(tfv_is_null(tfv_get(out, "stack_id")));
    assert_string_equal(tfv_get_str(out, "stack_name"), "s2");
    assert_string_equal(tfv_get_str(out, "owner_id"), O1);
    assert_true(e->fc->table.exists);
    assert_null(fc_owner_stack(e->fc));
    assert_string_equal(fc_stack(e->fc, "s2")->status, "REVIEW_IN_PROGRESS");
    /* The next plan adopts it into s2; the apply does. */
    struct tfv *next = renv_plan(e, out, out, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(tfv_is_unknown(tfv_get(next, "stack_id")));
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *done = renv_apply(e, out, next, priv);
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc),
        "deploy update s1\ndelete_stack s1 retain=Table\ndeploy import s2 (refused)\n"
        "deploy import s2\ndeploy update s2\n");
    assert_string_equal(tfv_get_str(done, "stack_id"), FC_STACK_ID("s2", 2));
    assert_string_equal(tfv_get_str(done, "owner_id"), O1);
    assert_string_equal(fc_owner_stack(e->fc), "s2");
    tfv_free(done);
    tfv_free(next);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* ---- destroy -------------------------------------------------------------------------- */

static void test_destroy_table_in_no_stack(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, NULL, NULL);
    s_world_table(e, prior);
    /* The destroy half of a replacement: nothing is deleted. */
    struct tfv *out = renv_apply(e, prior, NULL, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "kept with all its items"));
    assert_string_equal(fc_log(e->fc), "");
    assert_null(out);
    assert_true(e->fc->table.exists);
    /* A destroy the user asked for deletes it. */
    struct tpd_buf pp;
    struct resource_private explicit = {.explicit_destroy = true};
    out = renv_apply(e, prior, NULL, s_priv(&pp, &explicit));
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "delete_table t1\n");
    assert_null(out);
    assert_false(e->fc->table.exists);
    /* Each destroy read DescribeTable alone (existence and protection are all it decides
     * on), before deciding and again right before DeleteTable; never the settings. */
    assert_int_equal(e->fc->table_reads[CLOUD_TABLE_DESCRIBE], 3);
    assert_int_equal(e->fc->table_reads[CLOUD_TABLE_ALL], 0);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* A protected table is refused by a destroy that read DescribeTable alone: the protection
 * is one of DescribeTable's answers. */
static void test_destroy_reads_protection_from_describe_table(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, NULL, NULL), *live = s_prior(true, NULL, NULL);
    tfv_map_set(live, "ttl", s_ttl("exp", true));
    s_world_table(e, live);
    struct tpd_buf pp;
    struct resource_private explicit = {.explicit_destroy = true};
    struct tfv *out = renv_apply(e, prior, NULL, s_priv(&pp, &explicit));
    assert_true(renv_has_diag(e, DIAG_ERROR, "deletion protection"));
    assert_string_equal(fc_log(e->fc), "");
    assert_true(e->fc->table.exists);
    assert_int_equal(e->fc->table_reads[CLOUD_TABLE_DESCRIBE], 1);
    assert_int_equal(
        e->fc->table_reads[CLOUD_TABLE_ALL] + e->fc->table_reads[CLOUD_TABLE_PROBE], 0);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(live);
    tpd_buf_clear(&pp);
}

static void test_destroy_refused_when_protected_live(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *live = s_prior(true, S1_1, O1);
    s_world_table(e, live);
    s_world_stack(e, "s1", prior, O1);
    struct tpd_buf pp;
    struct resource_private explicit = {.explicit_destroy = true};
    struct tfv *out = renv_apply(e, prior, NULL, s_priv(&pp, &explicit));
    assert_true(renv_has_diag(e, DIAG_ERROR, "protected against deletion"));
    assert_string_equal(fc_log(e->fc), "");
    assert_non_null(out); /* kept in state */
    assert_true(e->fc->table.exists);
    tfv_free(out);
    tfv_free(live);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* The stack's template decides what DeleteStack does to the table: Delete deletes it with
 * the stack; Retain (an adoption whose follow-up did not finish) keeps it, and only a
 * destroy the user asked for deletes it afterwards. */
static void test_destroy_paths(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1);
    struct tpd_buf pp;
    struct resource_private explicit = {.explicit_destroy = true};
    struct tpd_span priv = s_priv(&pp, &explicit);
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    struct tfv *out = renv_apply(e, prior, NULL, priv);
    assert_false(renv_errors(e));
    assert_null(out);
    assert_string_equal(fc_log(e->fc), "delete_stack s1\n");
    assert_false(e->fc->table.exists);
    assert_null(fc_stack(e->fc, "s1"));
    /* The template retains the table: a replacement keeps it, saying so... */
    struct tfv *retained =
        s_with(s_prior(false, S1_1, O1), "retain_on_destroy", tfv_new_bool(true));
    for (int explicit_destroy = 0; explicit_destroy < 2; explicit_destroy++) {
        fc_free(e->fc);
        e->fc = fc_new();
        s_world_table(e, prior);
        s_world_stack(e, "s1", retained, O1);
        out = renv_apply(e, prior, NULL, explicit_destroy ? priv : renv_no_priv());
        assert_false(renv_errors(e));
        assert_null(out);
        if (explicit_destroy) {
            /* ...a destroy deletes it after the stack. */
            assert_string_equal(fc_log(e->fc), "delete_stack s1 retain=Table\ndelete_table t1\n");
            assert_false(e->fc->table.exists);
        } else {
            assert_string_equal(fc_log(e->fc), "delete_stack s1 retain=Table\n");
            assert_true(renv_has_diag(e, DIAG_WARNING, "retains table"));
            assert_true(e->fc->table.exists);
            assert_null(fc_owner_stack(e->fc));
        }
    }
    tfv_free(retained);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* ---- refresh and import --------------------------------------------------------------- */

static void test_refresh_stack_replaced_by_another(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(true, OLD_ID, O1);
    s_world_table(e, prior);
    char *tpl = s_hand_made("t1", "Delete");
    fc_add_stack(e->fc, "s1", "CREATE_COMPLETE", tpl, "t1");
    free(tpl);
    struct tfv *out = NULL;
    ttl_table_read(&e->fc->ops, prior, renv_no_priv(), &out, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    /* The table stays; it is in no stack of ours now. */
    assert_non_null(out);
    assert_true(tfv_is_null(tfv_get(out, "stack_id")));
    /* One read: the table and the stack at once. */
    assert_int_equal(e->fc->calls[FC_READ], 1);
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(out);
    tfv_free(prior);
}

/* Terraform's plan walk refreshes a resource, then plans it, on one provider process: an
 * update's plan starts from the refresh's reads of the table and its stack and reads only
 * the stack's resources and template (issue 23). A plan without that refresh reads all. */
static void test_plan_starts_from_the_refresh(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *cfg = s_prior(true, S1_1, O1);
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    struct tfv *out = NULL;
    ttl_table_read(&e->fc->ops, prior, renv_no_priv(), &out, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    assert_int_equal(e->fc->calls[FC_READ], 1);
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *planned = renv_plan(e, out, cfg, priv);
    assert_false(renv_errors(e));
    assert_int_equal(e->fc->taken, 1);
    assert_int_equal(e->fc->calls[FC_READ], 1);
    assert_int_equal(e->fc->calls[FC_COMPLETE_STACK], 1);
    struct resource_private rp;
    resource_private_decode(tpd_buf_span(&e->priv), &rp);
    assert_string_equal(rp.path, "update");
    resource_private_clear(&rp);
    /* Planned again (no refresh before it): everything is read. */
    tfv_free(planned);
    planned = renv_plan(e, out, cfg, priv);
    assert_false(renv_errors(e));
    assert_int_equal(e->fc->taken, 1);
    assert_int_equal(e->fc->calls[FC_READ], 2);
    tfv_free(planned);
    tfv_free(out);
    tfv_free(prior);
    tfv_free(cfg);
    tpd_buf_clear(&pp);
}

static void test_import_id_naming_wrong_stack(void **state) {
    struct renv *e = *state;
    struct tfv *live = s_planned(false);
    s_world_table(e, live);
    struct tfv *out = NULL;
    ttl_table_import(&e->fc->ops, "s1/t1", &out, &e->priv, &e->diags);
    assert_true(renv_has_diag(e, DIAG_ERROR, "Import ID names the wrong stack"));
    assert_null(out);
    tfv_free(live);
}

static void test_import_reads_retain(void **state) {
    struct renv *e = *state;
    struct tfv *live = s_planned(false);
    s_world_table(e, live);
    char *tpl = s_hand_made("t1", "Retain");
    fc_add_stack(e->fc, "s1", "CREATE_COMPLETE", tpl, "t1");
    free(tpl);
    struct tfv *out = NULL;
    ttl_table_import(&e->fc->ops, "s1/t1", &out, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    assert_true(s_bool(out, "retain_on_destroy"));
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_true(tfv_is_null(tfv_get(out, "owner_id")));
    struct resource_private p;
    resource_private_decode(tpd_buf_span(&e->priv), &p);
    assert_true(p.imported);
    resource_private_clear(&p);
    tfv_free(out);
    tfv_free(live);
}

/* ---- plan ----------------------------------------------------------------------------- */

static void test_plan_marks_destroys_and_replacements(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(true, S1_1, O1);
    /* A destroy plan: refused while protected (retain off), and marked explicit. */
    struct tfv *planned = renv_plan_with(e, NULL, prior, NULL, renv_no_priv(), NULL);
    assert_true(renv_has_diag(e, DIAG_ERROR, "protected against deletion"));
    struct resource_private p;
    resource_private_decode(tpd_buf_span(&e->priv), &p);
    assert_true(p.explicit_destroy);
    resource_private_clear(&p);
    tfv_free(planned);
    /* With retain_on_destroy the table is kept: allowed. */
    tfv_map_set(prior, "retain_on_destroy", tfv_new_bool(true));
    planned = renv_plan_with(e, NULL, prior, NULL, renv_no_priv(), NULL);
    assert_false(renv_errors(e));
    tfv_free(planned);
    /* The create half of `-replace` of a protected table is refused at plan. */
    struct tpd_buf pp;
    char t1[] = "t1";
    struct resource_private rep = {.replacing = t1, .protected_table = true};
    struct tfv *cfg = s_planned(true);
    planned = renv_plan(e, NULL, cfg, s_priv(&pp, &rep));
    assert_true(renv_has_diag(e, DIAG_ERROR, "cannot be replaced"));
    assert_string_equal(fc_log(e->fc), "");
    assert_int_equal(e->fc->calls[FC_READ], 0);
    tfv_free(planned);
    tfv_free(cfg);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* Plans prior -> cfg without AWS with the prior private bytes `in`; returns whether the
 * plan forces a replacement; *out (optional) gets the planned private bytes. */
static bool s_plan_offline(
    struct renv *e,
    const struct tfv *prior,
    const struct tfv *cfg,
    const struct resource_private *in,
    struct resource_private *out) {
    struct tpd_buf inb;
    struct tfv *planned = NULL;
    struct tfv *null = tfv_new_null();
    struct provider_path_list rr = {0};
    renv_reset(e);
    ttl_table_plan(
        NULL,
        NULL,
        prior ? prior : null,
        cfg ? cfg : null,
        cfg ? cfg : null,
        s_priv(&inb, in),
        &planned,
        &rr,
        &e->priv,
        &e->diags);
    bool forced = rr.count > 0;
    if (out) {
        resource_private_decode(tpd_buf_span(&e->priv), out);
    }
    tfv_free(planned);
    tfv_free(null);
    provider_path_list_clear(&rr);
    tpd_buf_clear(&inb);
    return forced;
}

/* An imported table (no apply since) whose configuration has another key schema: the
 * plan refuses instead of replacing it; once applied, a key change is an ordinary
 * replacement. (Regression: tests/safety/repros/import-then-keys-replace.json.) */
static void test_plan_refuses_replacing_an_imported_table(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *cfg = s_planned(false);
    tfv_map_set(cfg, "range_key", renv_key("sk"));
    struct resource_private imported = {.imported = true}, none = {0}, p;
    s_plan_offline(e, prior, cfg, &imported, NULL);
    assert_true(renv_has_diag(e, DIAG_ERROR, "Imported table would be replaced"));
    assert_true(e->diags.items[0].has_path);
    assert_string_equal(e->diags.items[0].path.steps[0].name, "range_key");
    assert_true(renv_has_diag(e, DIAG_ERROR, "DynamoDB table \"t1\" was imported"));
    /* The create half of a forced replacement, reached only if that refusal was
     * bypassed, refuses again and names the table it would replace. */
    char t1[] = "t1";
    struct resource_private half = {.imported = true, .forced = true, .replacing = t1};
    s_plan_offline(e, NULL, cfg, &half, NULL);
    assert_true(renv_has_diag(e, DIAG_ERROR, "Imported table would be replaced"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "DynamoDB table \"t1\" was imported"));
    /* The same change after an apply (no "imported"): a replacement, no error. */
    assert_true(s_plan_offline(e, prior, cfg, &none, &p));
    assert_false(renv_errors(e));
    assert_true(p.forced);
    assert_string_equal(p.replacing, "t1");
    assert_string_equal(p.replacing_owner, O1);
    assert_string_equal(p.replacing_stack_id, S1_1);
    resource_private_clear(&p);
    tfv_free(cfg);
    tfv_free(prior);
}

/* Deletion protection last applied on, switched off outside Terraform (the refreshed
 * state says off): a destroy and a replacement are refused; with the protection applied
 * off they are allowed. (Regression: tests/safety/repros/protection-off-outside-then-
 * replace.json.) */
static void test_plan_keeps_protection_switched_off_outside(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *cfg = s_planned(true);
    tfv_map_set(cfg, "range_key", renv_key("sk"));
    struct resource_private on = {.protection_known = true, .protection_applied = true};
    struct resource_private off = {.protection_known = true, .protection_applied = false};
    s_plan_offline(e, prior, NULL, &on, NULL);
    assert_true(renv_has_diag(e, DIAG_ERROR, "switched off outside Terraform"));
    s_plan_offline(e, prior, cfg, &on, NULL);
    assert_true(renv_has_diag(e, DIAG_ERROR, "switched off outside Terraform"));
    /* Applied off: both allowed. */
    s_plan_offline(e, prior, NULL, &off, NULL);
    assert_false(renv_errors(e));
    s_plan_offline(e, prior, cfg, &off, NULL);
    assert_false(renv_errors(e));
    tfv_free(cfg);
    tfv_free(prior);
}

/* ---- one owner per table (issue 21) --------------------------------------------------- */

/* A second workspace (or state, or address) configures the same table: its create is
 * refused at plan, naming what resolves each way this happens; nothing is touched. */
static void test_owner_second_workspace_refused_at_plan(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(true);
    s_world_table(e, cfg);
    s_world_stack(e, "s1", cfg, O2);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Table is managed by another resource"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "owner id " O2));
    assert_true(renv_has_diag(e, DIAG_ERROR, "moved block"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform untaint"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform import <address> s1/t1"));
    assert_string_equal(fc_log(e->fc), "");
    /* Applied anyway (a plan made before the other workspace's apply): refused too. */
    struct tfv *out = renv_apply(e, NULL, planned, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Table is managed by another resource"));
    assert_null(out);
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(planned);
    tfv_free(cfg);
}

/* -replace: the create half is planned while the replaced instance's stack still holds
 * the table; it is allowed (its private bytes name the replaced owner), and the apply
 * after the destroy half creates the table again. */
static void test_owner_replace_create_half_allowed(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1), *cfg = s_planned(false);
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    /* The plan of the update Terraform turns into a replacement records what it replaces. */
    struct tfv *planned = renv_plan(e, prior, prior, renv_no_priv());
    assert_false(renv_errors(e));
    tfv_free(planned);
    struct resource_private rep;
    resource_private_decode(tpd_buf_span(&e->priv), &rep);
    assert_string_equal(rep.replacing, "t1");
    assert_string_equal(rep.replacing_owner, O1);
    assert_string_equal(rep.replacing_stack_id, S1_1);
    struct tpd_buf rb;
    planned = renv_plan(e, NULL, cfg, s_priv(&rb, &rep));
    resource_private_clear(&rep);
    assert_false(renv_errors(e));
    struct tpd_buf pp;
    struct tpd_span create_priv = renv_keep_priv(e, &pp);
    struct resource_private p;
    resource_private_decode(create_priv, &p);
    assert_string_equal(p.path, "create");
    resource_private_clear(&p);
    /* Destroy half (not explicit), then the create half. */
    struct tfv *out = renv_apply(e, prior, NULL, renv_no_priv());
    assert_false(renv_errors(e));
    assert_null(out);
    out = renv_apply(e, NULL, planned, create_priv);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "delete_stack s1\ndeploy create s1\n");
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_2);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    tfv_free(out);
    tfv_free(planned);
    tfv_free(cfg);
    tfv_free(prior);
    tpd_buf_clear(&rb);
    tpd_buf_clear(&pp);
}

/* A create interrupted while its stack is being created: recorded with the stack and the
 * owner id, with an error (Terraform taints it); the tainted replacement is refused at
 * plan naming untaint; after untaint the apply waits for the stack and continues — no
 * delete anywhere. */
static void test_owner_interrupted_create_resumes_after_untaint(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(true);
    fc_fail_deploy(
        e->fc, 1, FC_DEPLOY_INTERRUPTED, TPD_E_STOPPED, "waiting for stack s1: stopped on request");
    struct tfv *recorded = renv_apply(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Create interrupted, table recorded"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform untaint"));
    assert_string_equal(fc_log(e->fc), "deploy create s1 (interrupted)\n");
    assert_non_null(recorded);
    assert_string_equal(tfv_get_str(recorded, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(recorded, "owner_id"), FC_MINTED(1));
    assert_string_equal(fc_stack(e->fc, "s1")->status, "CREATE_IN_PROGRESS");
    /* Tainted: Terraform plans a create with no prior state and no private bytes. */
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Table is managed by another resource"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform untaint"));
    tfv_free(planned);
    /* Untainted: an update from the recorded state (the configuration now also turns on
     * point-in-time recovery). The stack is still busy: the plan waits. */
    struct tfv *proposed =
        s_with(tfv_clone(recorded), "point_in_time_recovery", tfv_new_bool(true));
    planned = renv_plan(e, recorded, proposed, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Stack is busy"));
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *out = renv_apply(e, recorded, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc), "deploy create s1 (interrupted)\nwait_stack s1\ndeploy update s1\n");
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    assert_string_equal(tfv_get_str(out, "table_status"), "ACTIVE");
    assert_true(s_bool(out, "point_in_time_recovery"));
    assert_true(e->fc->table.exists && e->fc->table.spec.pitr);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(recorded);
    tfv_free(cfg);
    tpd_buf_clear(&pp);
}

/* The same interruption, planned again so soon that CloudFormation has not made the table
 * yet (the stack still CREATE_IN_PROGRESS): the tainted replacement is refused all the
 * same. Were it planned, Terraform would run its destroy half first, which waits for the
 * stack and then deletes it with the table (protection off). */
static struct table_live s_pending_table;

static void s_table_appears(void *arg) {
    struct renv *e = arg;
    table_live_clear(&e->fc->table);
    e->fc->table = s_pending_table;
    memset(&s_pending_table, 0, sizeof(s_pending_table));
}

static void test_owner_interrupted_create_refused_before_table_exists(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(false);
    fc_fail_deploy(
        e->fc, 1, FC_DEPLOY_INTERRUPTED, TPD_E_STOPPED, "waiting for stack s1: stopped on request");
    struct tfv *recorded = renv_apply(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Create interrupted, table recorded"));
    /* Not visible yet; CloudFormation makes it while the stack runs. */
    s_pending_table = e->fc->table;
    memset(&e->fc->table, 0, sizeof(e->fc->table));
    fc_before(e->fc, FC_WAIT_STACK, 1, s_table_appears, e);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Table is managed by another resource"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform untaint"));
    assert_string_equal(fc_log(e->fc), "deploy create s1 (interrupted)\n");
    table_live_clear(&s_pending_table);
    tfv_free(planned);
    tfv_free(recorded);
    tfv_free(cfg);
}

/* An adoption interrupted while its IMPORT runs: recorded with the stack and the owner
 * id; after untaint the apply waits for the import and applies the configuration. */
static void test_owner_interrupted_adoption_resumes(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(true), *live = s_planned(false);
    s_world_table(e, live);
    fc_fail_deploy(
        e->fc, 1, FC_DEPLOY_INTERRUPTED, TPD_E_TIMEOUT, "waiting for stack s1: timed out");
    struct tfv *recorded = renv_apply(e, NULL, cfg, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Adoption interrupted, table recorded"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "timed out"));
    assert_string_equal(fc_log(e->fc), "deploy import s1 (interrupted)\n");
    assert_string_equal(tfv_get_str(recorded, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(recorded, "owner_id"), FC_MINTED(1));
    /* Untainted: the refresh reads the table as it is (protection still off), the plan
     * turns it on and waits for the busy stack. */
    struct tfv *refreshed = NULL;
    renv_reset(e);
    ttl_table_read(&e->fc->ops, recorded, renv_no_priv(), &refreshed, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    assert_false(s_bool(refreshed, "deletion_protection_enabled"));
    assert_string_equal(tfv_get_str(refreshed, "stack_id"), S1_1);
    struct tfv *proposed =
        s_with(tfv_clone(refreshed), "deletion_protection_enabled", tfv_new_bool(true));
    struct tfv *planned = renv_plan(e, refreshed, proposed, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Stack is busy"));
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *out = renv_apply(e, refreshed, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc), "deploy import s1 (interrupted)\nwait_stack s1\ndeploy update s1\n");
    assert_true(e->fc->table.spec.deletion_protection);
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(proposed);
    tfv_free(refreshed);
    tfv_free(recorded);
    tfv_free(live);
    tfv_free(cfg);
    tpd_buf_clear(&pp);
}

/* A state of an earlier release has no owner id: the plan shows owner_id unknown and says
 * the owner will be recorded; the apply writes this instance's owner into the stack's
 * marker, changing nothing else. */
static void test_owner_recorded_on_upgrade(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(true, S1_1, NULL);
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, NULL);
    struct tfv *planned = renv_plan(e, prior, prior, renv_no_priv());
    assert_false(renv_errors(e));
    assert_true(tfv_is_unknown(tfv_get(planned, "owner_id")));
    assert_false(tfv_is_unknown(tfv_get(planned, "stack_id")));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Owner will be recorded on the stack"));
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *out = renv_apply(e, prior, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy update s1\n");
    assert_string_equal(tfv_get_str(out, "owner_id"), FC_MINTED(1));
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    struct template_facts tf;
    s_read_template(fc_stack(e->fc, "s1")->template_body, &tf);
    assert_string_equal(tf.marked_owner, FC_MINTED(1));
    template_facts_clear(&tf);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

/* Someone tried to delete the stack in the console; the protected table survived and the
 * stack is DELETE_FAILED. The refresh notes it, the plan shows the recovery, the apply
 * finishes the deletion keeping the table, adopts it again and applies the configuration:
 * no table is deleted. */
static void test_owner_delete_failed_stack_recovered(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(true, S1_1, O1);
    s_world_table(e, prior);
    struct fc_stack *s = s_world_stack(e, "s1", prior, O1);
    fc_set(&s->status, "DELETE_FAILED");
    fc_set(&s->table_status, "DELETE_FAILED");
    fc_set(&s->status_reason, "The following resource(s) failed to delete: [Table].");
    struct tfv *refreshed = NULL;
    ttl_table_read(&e->fc->ops, prior, renv_no_priv(), &refreshed, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    assert_string_equal(tfv_get_str(refreshed, "stack_id"), S1_1);
    struct tpd_buf rb, pp;
    struct tpd_span read_priv = renv_keep_priv(e, &rb);
    struct tfv *planned = renv_plan(e, refreshed, refreshed, read_priv);
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Stack will be recovered from DELETE_FAILED"));
    assert_true(tfv_is_unknown(tfv_get(planned, "stack_id")));
    assert_string_equal(fc_log(e->fc), "");
    struct tfv *out = renv_apply(e, refreshed, planned, renv_keep_priv(e, &pp));
    assert_false(renv_errors(e));
    assert_string_equal(
        fc_log(e->fc), "delete_stack s1 retain=Table\ndeploy import s1\ndeploy update s1\n");
    assert_true(e->fc->table.exists);
    assert_true(e->fc->table.spec.deletion_protection);
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    assert_string_equal(fc_stack(e->fc, "s1")->status, "UPDATE_COMPLETE");
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_2);
    assert_string_equal(tfv_get_str(out, "owner_id"), O1);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(refreshed);
    tfv_free(prior);
    tpd_buf_clear(&rb);
    tpd_buf_clear(&pp);
}

/* The plan is the contract: a create planned when nothing existed meets a table made
 * since (another address or state): apply stops before any act. */
static void test_owner_apply_stops_when_aws_changed_since_plan(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(true);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    s_world_table(e, cfg); /* made meanwhile, in no stack */
    fc_new_process(e->fc); /* apply runs in the apply walk's own provider process */
    struct tfv *out = renv_apply(e, NULL, planned, priv);
    assert_true(renv_has_diag(e, DIAG_ERROR, "AWS changed since the plan"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "was to create"));
    assert_string_equal(fc_log(e->fc), "");
    assert_null(out);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(cfg);
    tpd_buf_clear(&pp);
}

/* The stack in state now carries another owner's marker: destroy is refused (nothing of
 * another instance is deleted); with retain_on_destroy the resource is forgotten. */
/* Terraform's apply walk plans a resource again, then applies it, on one provider
 * process: the apply starts from the facts that plan read and reads only what changes
 * after its own acts (issue 23, facts_handoff.h). */
static void test_apply_takes_the_facts_its_plan_read(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(false);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    assert_false(renv_errors(e));
    assert_int_equal(e->fc->calls[FC_READ], 1);
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    struct tfv *out = renv_apply(e, NULL, planned, priv);
    assert_false(renv_errors(e));
    assert_string_equal(fc_log(e->fc), "deploy create s1\n");
    assert_int_equal(e->fc->taken, 1);
    /* The apply's only read: the table after its stack settled. */
    assert_int_equal(e->fc->calls[FC_READ], 2);
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    tfv_free(out);
    tfv_free(planned);
    tfv_free(cfg);
    tpd_buf_clear(&pp);
}

/* What a plan handed off is not used after an act on its table or stack (another
 * resource's apply in the same process), nor after FACTS_HANDOFF_MAX_AGE_NS, nor by
 * another request: the apply reads. */
static void test_apply_reads_when_the_handoff_is_stale(void **state) {
    struct renv *e = *state;
    struct tfv *cfg = s_planned(false);
    struct tfv *planned = renv_plan(e, NULL, cfg, renv_no_priv());
    struct tpd_buf pp;
    struct tpd_span priv = renv_keep_priv(e, &pp);
    /* An act on stack s1 meanwhile: it now exists, holding the table, another owner's. */
    struct tfv *other = s_planned(false);
    s_world_table(e, other);
    s_world_stack(e, "s1", other, O2);
    struct tpd_err err = {0};
    assert_int_equal(e->fc->ops.wait_stack(e->fc->ops.ctx, "s1", 0, &err), TPD_OK);
    struct cloud_deploy d = {
        .stack_name = "s1",
        .type = CLOUD_DEPLOY_UPDATE,
        .template_body = fc_stack(e->fc, "s1")->template_body};
    struct cloud_deploy_result r = {0};
    assert_int_equal(e->fc->ops.deploy(e->fc->ops.ctx, &d, &r, &err), TPD_OK);
    cloud_deploy_result_clear(&r);
    fc_log_clear(e->fc);
    struct tfv *out = renv_apply(e, NULL, planned, priv);
    assert_int_equal(e->fc->taken, 0);
    /* Read again, the apply finds another owner's stack holding the table: refused,
     * nothing changed. */
    assert_true(diag_list_has_errors(&e->diags));
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(out);
    tpd_buf_clear(&pp);
    /* Too old: read again. */
    fc_free(e->fc);
    e->fc = fc_new();
    struct tfv *p2 = renv_plan(e, NULL, cfg, renv_no_priv());
    priv = renv_keep_priv(e, &pp);
    e->fc->now_ns += FACTS_HANDOFF_MAX_AGE_NS + 1;
    out = renv_apply(e, NULL, p2, priv);
    assert_false(renv_errors(e));
    assert_int_equal(e->fc->taken, 0);
    assert_int_equal(e->fc->calls[FC_READ], 3);
    tfv_free(out);
    tfv_free(p2);
    tfv_free(planned);
    tfv_free(other);
    tfv_free(cfg);
    tpd_buf_clear(&pp);
    tpd_err_clear(&err);
}

static void test_owner_destroy_of_another_owners_stack(void **state) {
    struct renv *e = *state;
    struct tfv *prior = s_prior(false, S1_1, O1);
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O2);
    struct tpd_buf pp;
    struct resource_private explicit = {.explicit_destroy = true};
    struct tpd_span priv = s_priv(&pp, &explicit);
    struct tfv *out = renv_apply(e, prior, NULL, priv);
    assert_true(renv_has_diag(e, DIAG_ERROR, "Stack now belongs to another resource"));
    assert_true(renv_has_diag(e, DIAG_ERROR, "terraform state rm"));
    assert_non_null(out);
    tfv_free(out);
    tfv_map_set(prior, "retain_on_destroy", tfv_new_bool(true));
    out = renv_apply(e, prior, NULL, priv);
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Table kept"));
    assert_null(out);
    assert_string_equal(fc_log(e->fc), "");
    assert_true(e->fc->table.exists);
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    tfv_free(prior);
    tpd_buf_clear(&pp);
}

static void test_import_by_table_arn(void **state) {
    struct renv *e = *state;
    struct tfv *live = s_planned(false);
    s_world_table(e, live);
    struct tfv *out = NULL;
    ttl_table_import(&e->fc->ops, ARN_T, &out, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    assert_true(renv_has_diag(e, DIAG_WARNING, "Table is not in a CloudFormation stack"));
    assert_string_equal(tfv_get_str(out, "name"), "t1");
    assert_string_equal(tfv_get_str(out, "stack_name"), "t1");
    assert_true(tfv_is_null(tfv_get(out, "stack_id")));
    tfv_free(out);
    out = NULL;
    renv_reset(e);
    ttl_table_import(&e->fc->ops, "arn:aws:s3:::t1", &out, &e->priv, &e->diags);
    assert_true(renv_has_diag(e, DIAG_ERROR, "Invalid import ID"));
    assert_null(out);
    tfv_free(live);
}

/* terraform import is the one explicit way to take a stack another instance owns: the
 * state records that owner id, so this state's updates are its own from then on. */
static void test_import_records_the_stacks_owner(void **state) {
    struct renv *e = *state;
    struct tfv *live = s_planned(true);
    s_world_table(e, live);
    s_world_stack(e, "s1", live, O2);
    struct tfv *out = NULL;
    ttl_table_import(&e->fc->ops, "t1", &out, &e->priv, &e->diags);
    assert_false(renv_errors(e));
    assert_string_equal(tfv_get_str(out, "stack_name"), "s1");
    assert_string_equal(tfv_get_str(out, "stack_id"), S1_1);
    assert_string_equal(tfv_get_str(out, "owner_id"), O2);
    assert_false(s_bool(out, "retain_on_destroy"));
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(out);
    tfv_free(live);
}

/* One plan (one provider process) in which two resources claim one table: the second is
 * refused at plan — two creates, or a destroy at one address and a create at another (a
 * rename without a moved block). */
static void test_owner_one_plan_claims_a_table_once(void **state) {
    struct renv *e = *state;
    e->claims = plan_claims_new();
    struct tfv *a = s_planned(false);
    struct tfv *b = s_with(s_planned(false), "stack_name", tfv_new_string("s2"));
    struct tfv *planned = renv_plan(e, NULL, a, renv_no_priv());
    assert_false(renv_errors(e));
    tfv_free(planned);
    planned = renv_plan(e, NULL, b, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "Two resources create one table"));
    tfv_free(planned);
    /* A rename without moved: the old address destroys, the new one creates. */
    plan_claims_free(e->claims);
    e->claims = plan_claims_new();
    struct tfv *prior = s_prior(false, S1_1, O1);
    s_world_table(e, prior);
    s_world_stack(e, "s1", prior, O1);
    planned = renv_plan(e, prior, NULL, renv_no_priv());
    assert_false(renv_errors(e));
    tfv_free(planned);
    planned = renv_plan(e, NULL, a, renv_no_priv());
    assert_true(renv_has_diag(e, DIAG_ERROR, "moved block"));
    assert_string_equal(fc_log(e->fc), "");
    tfv_free(planned);
    tfv_free(prior);
    tfv_free(b);
    tfv_free(a);
}

/* Two resources create the same table with different stack names, at once, from separate
 * plans (two workspaces or configurations: no plan claims in common): the loser's CREATE
 * rolls back (the table exists). One success, one error — never two. */
struct s_race {
    struct renv *e;
    const struct tfv *planned;
    struct tpd_span priv;
    struct tfv *out;
    bool errors;
};

static void s_race_apply(void *arg) {
    struct s_race *r = arg;
    struct diag_list diags;
    struct tpd_buf priv;
    diag_list_init(&diags);
    tpd_buf_init(&priv, 0);
    struct tfv *null = tfv_new_null();
    ttl_table_apply(&r->e->fc->ops, null, r->planned, r->planned, r->priv, &r->out, &priv, &diags);
    r->errors = diag_list_has_errors(&diags);
    tfv_free(null);
    tpd_buf_clear(&priv);
    diag_list_clear(&diags);
}

static void test_owner_racing_creates_one_wins(void **state) {
    struct renv *e = *state;
    struct tfv *a = s_planned(false);
    struct tfv *b = s_with(s_planned(false), "stack_name", tfv_new_string("s2"));
    struct tpd_buf pa, pb;
    struct tfv *planned_a = renv_plan(e, NULL, a, renv_no_priv());
    struct tpd_span priv_a = renv_keep_priv(e, &pa);
    struct tfv *planned_b = renv_plan(e, NULL, b, renv_no_priv());
    struct tpd_span priv_b = renv_keep_priv(e, &pb);
    assert_false(renv_errors(e));
    /* A's apply runs while B's CREATE is being made (B decided already). */
    struct s_race ra = {e, planned_a, priv_a, NULL, false};
    fc_before(e->fc, FC_DEPLOY, 1, s_race_apply, &ra);
    struct tfv *out_b = renv_apply(e, NULL, planned_b, priv_b);
    bool b_failed = diag_list_has_errors(&e->diags);
    assert_false(ra.errors);
    assert_true(b_failed);
    assert_true(renv_has_diag(e, DIAG_ERROR, "already exists"));
    assert_string_equal(fc_log(e->fc), "deploy create s1\ndeploy create s2 (rolled back)\n");
    assert_string_equal(tfv_get_str(ra.out, "stack_id"), S1_1);
    assert_string_equal(fc_owner_stack(e->fc), "s1");
    assert_true(e->fc->table.exists);
    /* B records its empty stack (the replacement deletes it, holding nothing). */
    assert_non_null(out_b);
    assert_string_equal(tfv_get_str(out_b, "stack_id"), FC_STACK_ID("s2", 2));
    assert_string_equal(fc_stack(e->fc, "s2")->status, "ROLLBACK_COMPLETE");
    tfv_free(out_b);
    tfv_free(ra.out);
    /* The same race lost earlier (A done before B reads): B stops before any act. */
    fc_log_clear(e->fc);
    fc_free(e->fc);
    e->fc = fc_new();
    ra.out = NULL;
    fc_before(e->fc, FC_READ, 1, s_race_apply, &ra);
    out_b = renv_apply(e, NULL, planned_b, priv_b);
    assert_false(ra.errors);
    assert_true(diag_list_has_errors(&e->diags));
    assert_null(out_b);
    assert_string_equal(fc_log(e->fc), "deploy create s1\n");
    tfv_free(ra.out);
    tfv_free(planned_a);
    tfv_free(planned_b);
    tfv_free(a);
    tfv_free(b);
    tpd_buf_clear(&pa);
    tpd_buf_clear(&pb);
}

#define T(name) cmocka_unit_test_setup_teardown(name, renv_setup, renv_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_create_fresh),
        T(test_create_waits_for_a_table_not_ready),
        T(test_create_adopts_with_retain_then_updates),
        T(test_create_refuses_foreign_stack),
        T(test_failed_followup_is_a_warning_not_a_taint),
        T(test_create_fresh_read_back_fails),
        T(test_create_refuses_adoption_leaving_out_an_index),
        T(test_update_swaps_an_index_in_two_stack_updates),
        T(test_update_resumes_an_interrupted_sequence),
        T(test_update_recreates_an_index_deleted_outside),
        T(test_update_refuses_an_index_added_outside),
        T(test_update_repairs_drift_after_empty_change_set),
        T(test_update_repairs_issue25_properties),
        T(test_update_ttl_settle_polls_only_ttl),
        T(test_update_refuses_stack_with_other_resources),
        T(test_update_encryption_back_to_the_owned_key),
        T(test_update_moves_the_table_to_another_stack),
        T(test_update_interrupted_move_continues),
        T(test_destroy_table_in_no_stack),
        T(test_destroy_refused_when_protected_live),
        T(test_destroy_reads_protection_from_describe_table),
        T(test_destroy_paths),
        T(test_refresh_stack_replaced_by_another),
        T(test_plan_starts_from_the_refresh),
        T(test_import_id_naming_wrong_stack),
        T(test_import_reads_retain),
        T(test_plan_marks_destroys_and_replacements),
        T(test_plan_refuses_replacing_an_imported_table),
        T(test_plan_keeps_protection_switched_off_outside),
        T(test_owner_second_workspace_refused_at_plan),
        T(test_owner_replace_create_half_allowed),
        T(test_owner_interrupted_create_resumes_after_untaint),
        T(test_owner_interrupted_create_refused_before_table_exists),
        T(test_owner_interrupted_adoption_resumes),
        T(test_owner_recorded_on_upgrade),
        T(test_owner_delete_failed_stack_recovered),
        T(test_owner_apply_stops_when_aws_changed_since_plan),
        T(test_apply_takes_the_facts_its_plan_read),
        T(test_apply_reads_when_the_handoff_is_stale),
        T(test_owner_destroy_of_another_owners_stack),
        T(test_import_by_table_arn),
        T(test_import_records_the_stacks_owner),
        T(test_owner_one_plan_claims_a_table_once),
        T(test_owner_racing_creates_one_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
