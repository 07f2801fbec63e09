/*
 * rpc5: the tfplugin5.Provider service (plugin protocol 5.8) over the provider API, for
 * hosts that do not speak protocol 6 (main.c serves this table or rpc6's, by the
 * negotiated version).
 *
 * Each handler unpacks one protobuf-c request, converts DynamicValues to struct tfv
 * trees with the schema's types (tfv_decode_msgpack), calls the matching tfp_* function
 * of provider.h, and packs the response (values with tfv_encode_msgpack, struct
 * diag_list as Diagnostic messages with AttributePaths). No provider logic lives here.
 * Eighteen of the twenty methods are rpc6.c's handlers, whose messages are the same on
 * the wire (rpc5.c lists them field by field); GetSchema and PrepareProviderConfig are
 * rpc5.c's own.
 * RPCs for features this provider does not have (ephemeral resources, functions)
 * answer the way the proto describes: GetFunctions an empty success (Terraform calls it
 * unconditionally), the others an error diagnostic; MoveResourceState and the data
 * source's RPCs are served like protocol 6's.
 * Protocol 5 has no nested attribute types: attributes that rpc6 sends as nested_type
 * are sent as plain attributes whose type is the equivalent cty object type, with the
 * optional nested attributes listed as optional object attributes
 * (["object",{...},["optional",...]]), so that configurations valid over protocol 6
 * stay valid (the data source's computed nested attributes are plain object attributes).
 * Values are encoded identically in both protocols.
 *
 * Ownership: the table is static; handlers expect ctx to be a struct provider *
 * that outlives the server.
 * Threads: handlers run concurrently on the server's workers; the provider API is
 * thread-safe (provider.h).
 */
#ifndef TPD_RPC5_H
#define TPD_RPC5_H

#include <stddef.h>

#include "server.h"

/* The method table ("/tfplugin5.Provider/<Method>" paths). *count receives its length. */
const struct tfp_method *rpc5_methods(size_t *count);

#endif
