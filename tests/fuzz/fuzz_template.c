/* Fuzz target: deployed stack templates as GetTemplate returns them (JSON or YAML,
 * written by anyone), through table_template_read — the ownership marker, the
 * DeletionPolicy, and the table's GlobalSecondaryIndexes that GSI sequencing starts from
 * (provider/resource/index_plan.h) — and through table_template_retained, which rewrites
 * such a template before a move. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "table_template.h"
#include "tpd_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tpd_log_set_level(TPD_LOG_OFF);
    struct tpd_span text = {data, size};
    struct template_facts f;
    struct tpd_err err = {0};
    if (table_template_read(text, &f, &err) == TPD_OK) {
        for (size_t i = 0; i < f.gsi_count; i++) {
            /* The definitions read are usable as such. */
            struct tpd_buf b;
            tpd_buf_init(&b, 0);
            table_index_describe(&f.gsis[i], &b);
            table_index_hcl(&f.gsis[i], true, true, &b);
            tpd_buf_clear(&b);
            (void)table_index_same_definition(&f.gsis[i], &f.gsis[0]);
        }
        if (f.logical_id) {
            struct tpd_buf out;
            tpd_buf_init(&out, 0);
            table_template_retained(text, f.logical_id, "fuzz", &out, &err);
            tpd_buf_clear(&out);
        }
    }
    template_facts_clear(&f);
    tpd_err_clear(&err);
    return 0;
}
