/*
 * request: a resource call's Terraform values turned, once, into the typed description
 * the decisions work on (docs/design.md, "Decode once, decide once"): what the prior state
 * records, what the configuration wants (table_spec), the timeout of the operation and
 * the private bytes. Nothing past this point reads a Terraform value tree; the state
 * returned is built at the end from what AWS reports (table_value.h).
 *
 * Ownership: a request owns its strings and spec (request_clear). Threads: one call.
 */
#ifndef TPD_REQUEST_H
#define TPD_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "ownership.h"
#include "resource_private.h"
#include "restore.h"
#include "table_spec.h"
#include "tfv.h"
#include "tpd_err.h"

enum request_op { REQUEST_CREATE, REQUEST_UPDATE, REQUEST_DESTROY };

/* What the prior state records about the table's place in AWS. */
struct request_prior {
    bool present;
    char *name;
    char *stack_name; /* recorded, else derived from the name */
    char *stack_id;   /* NULL: the table is in no stack of this resource (yet) */
    char *owner_id;   /* NULL: none recorded (an earlier release, or an import) */
    char *arn;
    bool retain_on_destroy;
    bool protection; /* deletion_protection_enabled (a null or unknown value counts as on) */
    bool features;   /* a resource policy or a Kinesis destination (table_spec_has_features) */
};

struct request {
    enum request_op op;
    struct request_prior prior;   /* UPDATE and DESTROY */
    struct table_spec want;       /* CREATE and UPDATE: the planned (known) values */
    int64_t timeout_ns;           /* of this operation: timeouts.create/update/delete */
    struct resource_private priv; /* prior private (plan) or planned private (apply) */
    bool explicit_destroy;        /* DESTROY planned by a destroy plan (priv) */
    struct owner_claim claim;     /* what the state proves (borrowed from prior and priv) */
    struct restore_spec restore;  /* CREATE: the configured `restore` (RESTORE_NONE: none) */
};

void request_clear(struct request *r);

/*
 * Decode a call: prior (null for a create), planned (null for a destroy), the private
 * bytes. TPD_E_INVALID when the values a decision needs are unknown (a plan with values
 * known only after apply: nothing to decide yet), TPD_E_NOMEM.
 */
enum tpd_code request_decode(
    const struct tfv *prior,
    const struct tfv *planned,
    struct tpd_span private_bytes,
    struct request *out,
    struct tpd_err *err);

/* The stack name of a resource value: stack_name, else derived from name. *owned
 * (freed by the caller) holds a derived name. */
const char *request_stack_name(const struct tfv *v, char **owned);

#endif
