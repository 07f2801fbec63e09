/*
 * ttl_table_internal: what the ttl_table_*.c files share. Not for other modules.
 */
#ifndef TPD_TTL_TABLE_INTERNAL_H
#define TPD_TTL_TABLE_INTERNAL_H

#include "adoption.h"
#include "cloud.h"
#include "diag.h"
#include "ownership.h"
#include "tfv.h"

/* The stack name of a resource value: stack_name, else derived from name. *owned
 * (freed by the caller) holds a derived name. */
const char *ttl_table_stack_name(const struct tfv *v, char **owned);

/* A monotonic deadline from the resource's timeouts ("create", "update", "delete"). */
int64_t ttl_table_deadline(const struct tfv *v, const char *kind);

/* A refusal as an error diagnostic on its attribute. */
void ttl_table_refusal_diag(struct diag_list *diags, const struct refusal *r);
/* The note of a destroy decision (what was kept and why) as a warning; nothing when empty. */
void ttl_table_note_diag(struct diag_list *diags, const struct destroy_decision *d);

/* A failed AWS operation as an error (or, with as_warning, a warning) diagnostic,
 * with DynamoDB's TTL answers, AWS quotas (aws_quota.h: what was hit, until when, that
 * nothing was lost) and timeouts explained. */
void ttl_table_error_diag(
    struct diag_list *diags, const char *what, const struct tpd_err *err, bool as_warning);

/* Facts of a create: the table, the stack named want->stack_name, the owner of the
 * table. All out-structs are cleared by the caller (also on failure). */
enum tpd_code ttl_table_create_facts(
    struct cloud *c,
    const struct table_spec *want,
    struct table_live *table,
    struct stack_facts *stack,
    char **owner,
    struct tpd_err *err);

#endif
