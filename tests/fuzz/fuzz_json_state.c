/* Fuzz target: raw state JSON (UpgradeResourceState) decoding, then JSON re-encoding. */
#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "tfv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct tfv *v = NULL;
    struct tpd_err err = {0};
    const struct tfv_type *t = schema_ttl_table()->type;
    if (tfv_decode_json((struct tpd_span){data, size}, t, &v, &err) == TPD_OK) {
        struct tpd_buf out;
        tpd_buf_init(&out, 0);
        tfv_encode_json(v, t, &out, NULL);
        tpd_buf_clear(&out);
        tfv_free(v);
    }
    tpd_err_clear(&err);
    return 0;
}
