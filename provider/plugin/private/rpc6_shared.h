/*
 * rpc6_shared: what rpc5.c uses of rpc6.c. Eighteen of the twenty tfplugin5 RPCs have
 * request and response messages that are the same on the wire as those of their tfplugin6
 * counterpart (same field numbers, types and labels, down to every sub-message: the table
 * is in rpc5.c, tests/unit/test_rpc5.c checks it against the generated descriptors), so
 * rpc5.c serves the handlers below under the protocol 5 method names: the tfplugin6
 * unpack and pack code reads and writes exactly the bytes a protocol 5 host sends and
 * expects. The helpers build the tfplugin6 messages rpc5.c's own two handlers share.
 *
 * Ownership: messages returned are kept in the arena a (rpc_common.h) and borrow strings
 * from their arguments, as in rpc6.c. Threads: as rpc6.h.
 */
#ifndef TPD_RPC6_SHARED_H
#define TPD_RPC6_SHARED_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "rpc_common.h"
#include "server.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"

/* Handlers of the RPCs whose messages protocol 5 shares, by their protocol 6 names. */
tfp_handler_fn rpc6_get_metadata, rpc6_validate_resource_config, rpc6_validate_data_resource_config,
    rpc6_upgrade_resource_state, rpc6_configure_provider, rpc6_read_resource,
    rpc6_plan_resource_change, rpc6_apply_resource_change, rpc6_import_resource_state,
    rpc6_move_resource_state, rpc6_read_data_source, rpc6_validate_ephemeral_resource_config,
    rpc6_open_ephemeral_resource, rpc6_renew_ephemeral_resource, rpc6_close_ephemeral_resource,
    rpc6_get_functions, rpc6_call_function, rpc6_stop_provider;

/* Decode a DynamicValue (absent or empty: null) with type into *out; on failure an error
 * diagnostic naming `what` is added and false returned. */
bool rpc6_decode(
    const Tfplugin6__DynamicValue *dv,
    const struct tfv_type *type,
    const char *what,
    struct tfv **out,
    struct diag_list *diags);
/* v (NULL: null) as a msgpack DynamicValue; a value that cannot be encoded adds an error
 * diagnostic and is sent as null. NULL only when out of memory (the arena is failed). */
Tfplugin6__DynamicValue *rpc6_encode(
    struct rpc_arena *a,
    const struct tfv *v,
    const struct tfv_type *type,
    const char *what,
    struct diag_list *diags);
/* Diagnostic messages for l (*n receives the count; NULL when l is empty). */
Tfplugin6__Diagnostic **rpc6_diags_msg(struct rpc_arena *a, const struct diag_list *l, size_t *n);
/* The capabilities announced in GetMetadata and the schema response. */
Tfplugin6__ServerCapabilities *rpc6_caps_msg(struct rpc_arena *a);

#endif
