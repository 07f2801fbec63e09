/*
 * ttl_table: placeholder until the resource lifecycle lands (issues 5 and 6):
 * every operation answers with an explicit error diagnostic.
 */
#include "ttl_table.h"

static void s_not_yet(struct diag_list *diags, const char *what) {
    diag_add(diags, DIAG_ERROR, NULL, "Not implemented yet",
             "dynamodb_ttl_table %s is not implemented in this build of the provider.", what);
}

void ttl_table_read(struct tfp_provider *p, const struct tfv *current, struct tpd_span private_in,
                    struct tfv **new_state, struct tpd_buf *private_out, struct diag_list *diags) {
    (void)p; (void)private_in; (void)private_out;
    *new_state = tfv_clone(current);
    (void)diags;
}

void ttl_table_plan(struct tfp_provider *p, const struct tfv *prior_state, const struct tfv *proposed_new_state,
                    const struct tfv *config, struct tpd_span prior_private, struct tfv **planned_state,
                    struct tfp_path_list *requires_replace, struct tpd_buf *planned_private,
                    struct diag_list *diags) {
    (void)p; (void)prior_state; (void)config; (void)prior_private; (void)requires_replace; (void)planned_private;
    *planned_state = tfv_clone(proposed_new_state);
    s_not_yet(diags, "planning");
}

void ttl_table_apply(struct tfp_provider *p, const struct tfv *prior_state, const struct tfv *planned_state,
                     const struct tfv *config, struct tpd_span planned_private, struct tfv **new_state,
                     struct tpd_buf *private_out, struct diag_list *diags) {
    (void)p; (void)planned_state; (void)config; (void)planned_private; (void)private_out;
    *new_state = tfv_clone(prior_state);
    s_not_yet(diags, "apply");
}

void ttl_table_import(struct tfp_provider *p, const char *id, struct tfv **state, struct tpd_buf *private_out,
                      struct diag_list *diags) {
    (void)p; (void)id; (void)private_out;
    *state = NULL;
    s_not_yet(diags, "import");
}
