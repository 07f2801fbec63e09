/* Fuzz target: CloudFormation template text as a deployed stack may hold it — JSON, or
 * YAML with short-form tags and aliases (cfn_template_load) — read for what the resource
 * decides on (table_template_read: the table resource, its DeletionPolicy, the ownership
 * marker, and the GlobalSecondaryIndexes that GSI sequencing starts from,
 * provider/resource/private/index_plan.h), rewritten to retain the table before a move
 * (table_template_retained), and the resource's private bytes (resource_private_decode),
 * which Terraform hands back from state files anyone can edit. Anyone may have written a
 * stack: the text is untrusted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cfn_template.h"
#include "resource_private.h"
#include "table_template.h"
#include "tpd_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tpd_log_set_level(TPD_LOG_OFF);
    struct tpd_span text = {data, size};
    json_t *j = NULL;
    if (cfn_template_load(text, &j, NULL) == TPD_OK) {
        json_decref(j);
    }
    struct template_facts f;
    struct tpd_err err = {0};
    if (table_template_read(text, &f, &err) == TPD_OK) {
        for (size_t i = 0; i < f.gsi_count; i++) {
            /* The definitions read are usable as such. */
            struct tpd_text b;
            tpd_text_init(&b, 0);
            table_index_describe(&f.gsis[i], &b);
            table_index_hcl(&f.gsis[i], true, true, &b);
            tpd_text_clear(&b);
            (void)table_index_same_definition(&f.gsis[i], &f.gsis[0]);
        }
        if (f.logical_id) {
            struct tpd_buf out;
            tpd_buf_init(&out, 0);
            (void)table_template_retained(text, f.logical_id, "moving to stack fuzz", &out, NULL);
            tpd_buf_clear(&out);
        }
    }
    template_facts_clear(&f);
    tpd_err_clear(&err);
    struct resource_private p;
    resource_private_decode(text, &p);
    resource_private_clear(&p);
    return 0;
}
