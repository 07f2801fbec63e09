/* The wire-level cloud_ops tests' harness: cloud_env.h. */
#include "cloud_env.h"

#include <stdlib.h>

#include "tpd_log.h"

int cenv_setup(void **state) {
    struct cenv *e = calloc(1, sizeof(*e));
    if (!e) {
        return -1;
    }
    tpd_log_set_level(TPD_LOG_OFF);
    e->fa = fa_new();
    e->aws = fa_client(e->fa, 1);
    tpd_stop_init(&e->stop);
    e->cloud = cloud_new(e->aws, &e->stop);
    e->ops = cloud_ops_of(e->cloud);
    *state = e;
    return 0;
}

int cenv_teardown(void **state) {
    struct cenv *e = *state;
    cloud_free(e->cloud);
    aws_client_free(e->aws);
    tpd_stop_clear(&e->stop);
    fa_free(e->fa);
    free(e);
    return 0;
}
