/*
 * cloud: the real cloud_ops (cloud_ops.h) over an AWS client (aws/): DynamoDB and
 * CloudFormation reads translated into facts (cloud_read.c), the acts of an action plan
 * (cloud.c: change sets through aws/include/cfn_deploy.h, deletions, waits), and the repair
 * executor (cloud_repair.c).
 *
 * Change-set mechanics follow `aws cloudformation deploy` with the differences
 * aws/include/cfn_deploy.h lists; waits use the adaptive cadence of aws_waiter.h with the
 * resource's timeouts and the provider's stop flag.
 *
 * Ownership: cloud_new borrows the client and the stop flag (both outlive the cloud);
 * cloud_ops_of returns a table owned by the cloud.
 * Threads: a struct cloud is shared by every thread of the provider; every function is
 * thread-safe.
 */
#ifndef TPD_CLOUD_H
#define TPD_CLOUD_H

#include "aws_client.h"
#include "cloud_ops.h"
#include "tpd_clock.h"

struct cloud;

/* NULL on no memory. */
struct cloud *cloud_new(struct aws_client *aws, struct tpd_stop *stop);
void cloud_free(struct cloud *c);
/* The operations, with the cloud as their context. */
const struct cloud_ops *cloud_ops_of(struct cloud *c);
/* The AWS client inside (borrowed; for the account guard at configure time). */
struct aws_client *cloud_aws_client(struct cloud *c);

#endif
