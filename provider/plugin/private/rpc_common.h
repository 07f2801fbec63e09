/*
 * rpc_common: what the protocol 5 and protocol 6 RPC layers share: a per-call arena
 * for response memory, packing a protobuf-c message into the reply, and small
 * conversions. Everything here is independent of the generated message types.
 *
 * Ownership: memory kept in an arena lives until rpc_arena_free; rpc_take_bytes moves
 * a buffer's bytes into the arena. Threads: an arena belongs to one call.
 */
#ifndef TPD_RPC_COMMON_H
#define TPD_RPC_COMMON_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "server.h"
#include "tpd_buf.h"

/* Every allocation made to build one response; freed together after packing. */
struct rpc_arena {
    void **ptrs;
    size_t count;
    size_t cap;
    bool failed;
};

/* Keep p (freed with the arena); NULL p marks the arena failed. Returns p. */
void *rpc_keep(struct rpc_arena *a, void *p);
/* Zeroed array of n elements kept in the arena. */
void *rpc_alloc(struct rpc_arena *a, size_t n, size_t size);
/* Move a buffer's bytes into the arena as protobuf bytes (b is left empty). */
ProtobufCBinaryData rpc_take_bytes(struct rpc_arena *a, struct tpd_buf *b);
/* Same, but an empty buffer gives empty bytes without allocating. */
ProtobufCBinaryData rpc_bytes(struct rpc_arena *a, struct tpd_buf *b);
void rpc_arena_free(struct rpc_arena *a);
/* Pack msg into the reply, or turn the reply into an INTERNAL error. */
void rpc_pack(const ProtobufCMessage *msg, struct rpc_arena *a, struct tfp_reply *reply);
struct tpd_span rpc_span(ProtobufCBinaryData d);
/* s, or "" for NULL. */
const char *rpc_str(const char *s);

/* protobuf-c generates unpack/free functions only for top-level messages; requests are
 * nested (GetMetadata.Request), so the generic calls with their descriptors are used. */
#define RPC_UNPACK(type, lc, reply, in, name)                                                      \
    type *name = (type *)protobuf_c_message_unpack(&lc##__descriptor, NULL, (in).len, (in).ptr);   \
    if ((name) == NULL) {                                                                          \
        tfp_reply_error(reply, TFP_STATUS_INVALID_ARGUMENT, "malformed %s", #type);                \
        return;                                                                                    \
    }

#endif
