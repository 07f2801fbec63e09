/* Fuzz target: DynamicValue msgpack decoding against the resource and provider schemas,
 * then re-encoding whatever decoded (must not fail or crash). */
#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "tfv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const struct tfv_type *types[] = {
        schema_ttl_table()->type, schema_provider()->type, &tfv_type_map_string};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        struct tfv *v = NULL;
        struct tpd_err err = {0};
        if (tfv_decode_msgpack((struct tpd_span){data, size}, types[i], &v, &err) == TPD_OK) {
            struct tpd_buf out;
            tpd_buf_init(&out, 0);
            tfv_encode_msgpack(v, types[i], &out, NULL);
            tpd_buf_clear(&out);
            tfv_free(v);
        }
        tpd_err_clear(&err);
    }
    return 0;
}
