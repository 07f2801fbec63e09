/*
 * resource_env: the harness of the resource tests that run through the cloud_ops seam
 * over the fake world (tests/support/fake_cloud.h): a fake world, the diagnostics and
 * private bytes the last call returned, and the calls Terraform makes (PlanResourceChange,
 * ApplyResourceChange) with their diagnostics checked by text. Shared by
 * tests/unit/test_resource.c and tests/unit/test_restore.c.
 *
 * Ownership: renv_setup allocates the env (cmocka's group/test state), renv_teardown
 * frees it with its world and claims. Values returned by renv_plan* / renv_apply and the
 * builders renv_key / renv_gsi_list belong to the caller (tfv_free). Spans returned by
 * renv_keep_priv point into the caller's buffer.
 */
#ifndef TPD_TEST_RESOURCE_ENV_H
#define TPD_TEST_RESOURCE_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "fake_cloud.h"
#include "tfv.h"
#include "tpd_buf.h"

struct plan_claims;

struct renv {
    struct fake_cloud *fc;
    struct diag_list diags;
    struct tpd_buf priv;        /* the private bytes the last call returned */
    struct plan_claims *claims; /* of the plan walk, when a test has one (else NULL) */
};

/* cmocka setup and teardown: *state is a new struct renv over an empty world. */
int renv_setup(void **state);
int renv_teardown(void **state);

/* Clears the diagnostics and private bytes of the last call. */
void renv_reset(struct renv *e);
/* Prints every diagnostic (cmocka's print_message), for a failing assertion's context. */
void renv_dump(const struct renv *e);
/* Whether a diagnostic of severity sev has text in its summary or detail. */
bool renv_has_diag(const struct renv *e, enum diag_severity sev, const char *text);
/* Whether the last call returned an error (then printed, with the rest). */
bool renv_errors(const struct renv *e);

/* ApplyResourceChange: prior (NULL: a create), planned (NULL: a destroy), the planned
 * private bytes; the new state, or NULL. */
struct tfv *renv_apply(
    struct renv *e, const struct tfv *prior, const struct tfv *planned, struct tpd_span priv);
/* PlanResourceChange with proposed as the configuration too (NULL: a destroy); ops NULL:
 * without AWS. The planned private bytes are left in e->priv; replace_count (may be NULL)
 * receives how many paths require replacement. */
struct tfv *renv_plan_with(
    struct renv *e,
    const struct cloud_ops *ops,
    const struct tfv *prior,
    const struct tfv *proposed,
    struct tpd_span priv,
    size_t *replace_count);
/* renv_plan_with over the fake world. */
struct tfv *renv_plan(
    struct renv *e, const struct tfv *prior, const struct tfv *proposed, struct tpd_span priv);

/* No private bytes. */
struct tpd_span renv_no_priv(void);
/* A copy, in b, of the private bytes the last call returned (caller: tpd_buf_clear(b)). */
struct tpd_span renv_keep_priv(const struct renv *e, struct tpd_buf *b);

/* Values: a key attribute {name, type "S"}; a list of GSIs named "gsi_<attribute>" on
 * that attribute (type S), projection ALL, from a NULL-terminated array (RENV_NAMES). */
struct tfv *renv_key(const char *name);
struct tfv *renv_gsi_list(const char *const *names);
#define RENV_NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RENV_NO_NAMES ((const char *const[]){NULL})

#endif
