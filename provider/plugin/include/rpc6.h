/*
 * rpc6: the tfplugin6.Provider service (plugin protocol 6.8) over the provider API.
 *
 * Each handler unpacks one protobuf-c request, converts DynamicValues to struct tfv
 * trees with the schema's types (tfv_decode_msgpack), calls the matching tfp_* function
 * of provider.h, and packs the response (values with tfv_encode_msgpack, struct
 * diag_list as Diagnostic messages with AttributePaths). No provider logic lives here.
 * The data source (ValidateDataResourceConfig, ReadDataSource) and MoveResourceState (a
 * `moved` block from hashicorp/aws, announced by ServerCapabilities.move_resource_state)
 * are served like the resource's RPCs. RPCs for features this provider does not have
 * (ephemeral resources, functions) answer the way the proto describes: GetFunctions an
 * empty success (Terraform calls it unconditionally), the others an error diagnostic.
 *
 * Ownership: the table is static; handlers expect ctx to be a struct provider *
 * that outlives the server.
 * Threads: handlers run concurrently on the server's workers; the provider API is
 * thread-safe (provider.h).
 */
#ifndef TPD_RPC6_H
#define TPD_RPC6_H

#include <stddef.h>

#include "server.h"

/* The method table ("/tfplugin6.Provider/<Method>" paths). *count receives its length. */
const struct tfp_method *rpc6_methods(size_t *count);

#endif
