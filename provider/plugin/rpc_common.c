/*
 * rpc_common: shared helpers of rpc5.c and rpc6.c (see rpc_common.h).
 */
#include "rpc_common.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

/* ---- per-call arena ------------------------------------------------------------- */

void *rpc_keep(struct rpc_arena *a, void *p) {
    if (p == NULL) {
        a->failed = true;
        return NULL;
    }
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        void **n = tpd_realloc(a->ptrs, cap * sizeof(*n));
        if (n == NULL) {
            free(p);
            a->failed = true;
            return NULL;
        }
        a->ptrs = n;
        a->cap = cap;
    }
    a->ptrs[a->count++] = p;
    return p;
}

void *rpc_alloc(struct rpc_arena *a, size_t n, size_t size) {
    return rpc_keep(a, tpd_calloc(n ? n : 1, size));
}

/* Move a buffer's bytes into the arena; returns them as protobuf bytes. */
ProtobufCBinaryData rpc_take_bytes(struct rpc_arena *a, struct tpd_buf *b) {
    ProtobufCBinaryData out = {0, NULL};
    size_t len = b->len;
    char *p = tpd_buf_detach(b);
    if (rpc_keep(a, p) != NULL) {
        out.len = len;
        out.data = (uint8_t *)p;
    }
    return out;
}

void rpc_arena_free(struct rpc_arena *a) {
    for (size_t i = 0; i < a->count; i++) {
        free(a->ptrs[i]);
    }
    free(a->ptrs);
    memset(a, 0, sizeof(*a));
}

/* ---- packing -------------------------------------------------------------------- */

struct rpc_pack_buf {
    ProtobufCBuffer base;
    struct tpd_buf *out;
    enum tpd_code rc;
};

static void rpc_pack_append(ProtobufCBuffer *b, size_t len, const uint8_t *data) {
    struct rpc_pack_buf *pb = (struct rpc_pack_buf *)b;
    if (pb->rc == TPD_OK) {
        pb->rc = tpd_buf_append(pb->out, data, len);
    }
}

/* Pack msg into the reply, or turn the reply into an INTERNAL error. */
void rpc_pack(const ProtobufCMessage *msg, struct rpc_arena *a, struct tfp_reply *reply) {
    if (a->failed) {
        tfp_reply_error(reply, TFP_STATUS_INTERNAL, "out of memory building the response");
        return;
    }
    struct rpc_pack_buf pb = {
        .base = {.append = rpc_pack_append}, .out = &reply->body, .rc = TPD_OK};
    protobuf_c_message_pack_to_buffer(msg, &pb.base);
    if (pb.rc != TPD_OK) {
        tpd_buf_reset(&reply->body);
        tfp_reply_error(reply, TFP_STATUS_INTERNAL, "response too large: %s", tpd_code_str(pb.rc));
    }
}

ProtobufCBinaryData rpc_bytes(struct rpc_arena *a, struct tpd_buf *b) {
    if (b->len == 0) {
        return (ProtobufCBinaryData){0, NULL};
    }
    return rpc_take_bytes(a, b);
}

struct tpd_span rpc_span(ProtobufCBinaryData d) {
    return (struct tpd_span){d.data, d.len};
}

const char *rpc_str(const char *s) {
    return s ? s : "";
}
