/* Fuzz target: another provider's state JSON as MoveResourceState hands it over (a
 * `moved` block from hashicorp/aws's aws_dynamodb_table), mapped to this resource's state
 * (move_state_parse_aws, then move_state_run: the state built, encoded to msgpack, and the
 * private bytes). State files are anyone's to edit: the text is untrusted. Seeds: the
 * states hashicorp/aws 5.100.0 wrote (tests/vectors/aws_dynamodb_table/) and damaged ones. */
#include <stddef.h>
#include <stdint.h>

#include "move_state.h"
#include "schema.h"
#include "tpd_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tpd_log_set_level(TPD_LOG_OFF);
    struct move_request req = {
        .source_provider = MOVE_STATE_AWS_PROVIDER,
        .source_type = MOVE_STATE_AWS_TYPE,
        .source_schema_version = MOVE_STATE_AWS_SCHEMA_VERSION,
        .source_state_json = {data, size},
        .target_type = SCHEMA_RESOURCE_TTL_TABLE,
    };
    struct diag_list diags;
    diag_list_init(&diags);
    struct tfv *state = NULL;
    struct tpd_buf priv, mp;
    tpd_buf_init(&priv, 0);
    tpd_buf_init(&mp, 0);
    move_state_run(&req, &state, &priv, &diags);
    if (state) {
        /* What the RPC layer does with it: it must fit the schema's type. */
        (void)tfv_encode_msgpack(state, schema_ttl_table()->type, &mp, NULL);
        tfv_free(state);
    }
    tpd_buf_clear(&mp);
    tpd_buf_clear(&priv);
    diag_list_clear(&diags);
    return 0;
}
