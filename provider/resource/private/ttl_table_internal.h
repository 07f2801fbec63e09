/*
 * ttl_table_internal: what the ttl_table_*.c files share. Not for other modules.
 */
#ifndef TPD_TTL_TABLE_INTERNAL_H
#define TPD_TTL_TABLE_INTERNAL_H

#include "action.h"
#include "diag.h"
#include "ownership.h"
#include "tfv.h"
#include "tpd_err.h"

/* A refusal as an error diagnostic on its attribute. */
void ttl_table_refusal_diag(struct diag_list *diags, const struct refusal *r);
/* The notes of an action plan as warnings; its failure to be written out (p->rc) as an
 * error. */
void ttl_table_plan_diags(struct diag_list *diags, const struct action_plan *p);

/* A failed AWS operation as an error (or, with as_warning, a warning) diagnostic, with
 * DynamoDB's TTL answers, AWS quotas (aws_quota.h: what was hit, until when, that nothing
 * was lost), timeouts and stops explained. `doing` names the operation ("Updating the
 * table"); the summary says it failed, or was interrupted. */
void ttl_table_error_diag(
    struct diag_list *diags, const char *doing, const struct tpd_err *err, bool as_warning);
/* The same with summary as it is. */
void ttl_table_error_diag_as(
    struct diag_list *diags, const char *summary, const struct tpd_err *err, bool as_warning);

#endif
