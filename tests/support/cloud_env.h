/*
 * cloud_env: the harness of the wire-level tests of the real cloud_ops (provider/resource/
 * cloud*.c) over a fake AWS that answers by operation (tests/support/fake_aws.h): the
 * fake, a client bound to it, the cloud and its ops. Shared by tests/aws/test_cloud_ops.c
 * and tests/aws/test_cloud_restore.c.
 *
 * Ownership: cenv_setup allocates the env (cmocka's test state) and everything in it;
 * cenv_teardown frees it all.
 */
#ifndef TPD_TEST_CLOUD_ENV_H
#define TPD_TEST_CLOUD_ENV_H

#include "cloud.h"
#include "fake_aws.h"
#include "tpd_clock.h"

struct cenv {
    struct fake_aws *fa;
    struct aws_client *aws;
    struct cloud *cloud;
    const struct cloud_ops *ops;
    struct tpd_stop stop;
};

/* cmocka setup and teardown: *state is a new struct cenv, logging off. */
int cenv_setup(void **state);
int cenv_teardown(void **state);

#endif
