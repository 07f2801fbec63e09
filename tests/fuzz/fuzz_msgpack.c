/* Fuzz target: DynamicValue msgpack decoding against the resource and provider schemas,
 * then re-encoding whatever decoded (must not fail or crash); a resource value is also
 * validated (validate.h) and its `restore` decoded (restore.h: the RFC 3339 time and the
 * backup ARN parsers). */
#include <stddef.h>
#include <stdint.h>

#include "restore.h"
#include "schema.h"
#include "tfv.h"
#include "validate.h"

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
            if (i == 0) {
                struct diag_list diags;
                diag_list_init(&diags);
                validate_ttl_table(v, &diags);
                diag_list_clear(&diags);
                struct restore_spec r;
                (void)restore_spec_decode(v, &r);
                restore_spec_clear(&r);
            }
            tfv_free(v);
        }
        tpd_err_clear(&err);
    }
    return 0;
}
