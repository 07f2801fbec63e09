/*
 * cloud_internal: what cloud.c, cloud_read.c and cloud_repair.c share. Not for other
 * modules.
 */
#ifndef TPD_CLOUD_INTERNAL_H
#define TPD_CLOUD_INTERNAL_H

#include "aws_client.h"
#include "aws_waiter.h"
#include "cfn_deploy.h"
#include "cloud.h"
#include "cloud_ops.h"
#include "facts_handoff.h"

/* The Description of every change set this provider creates: how a REVIEW_IN_PROGRESS
 * stack (no template of its own yet) is recognised as ours. */
#define CLOUD_CHANGE_SET_DESCRIPTION "terraform-provider-dynamodb"
/* Every token (and change set name) this provider sends starts with it; the stack events
 * of an operation carry its token, so an empty stack left by a failed create or import
 * of this provider is recognised by its events (facts.h, shell_marked). */
#define CLOUD_TOKEN_PREFIX "tfddb-"

struct cloud {
    struct aws_client *aws;
    struct tpd_stop *stop;
    struct cloud_ops ops;
    struct facts_handoff *handoff; /* NULL (no memory): nothing handed off */
};

/* The wait cadence of every poll, with deadline_ns (0: none) and the stop flag. */
struct aws_wait_options cloud_wait_opts(const struct cloud *c, int64_t deadline_ns);
struct cfn_deploy_options cloud_deploy_opts(const struct cloud *c, int64_t deadline_ns);

/* cloud_read.c */
enum tpd_code cloud_read(
    void *ctx,
    const struct cloud_read_request *q,
    struct cloud_read_result *out,
    struct tpd_err *err);
enum tpd_code cloud_read_extras(void *ctx, struct table_live *t, struct tpd_err *err);
enum tpd_code cloud_list_importers(
    void *ctx, const struct stack_facts *s, char ***names, size_t *count, struct tpd_err *err);
enum tpd_code cloud_read_ttl(void *ctx, struct table_live *t, struct tpd_err *err);
enum tpd_code
cloud_complete_stack(void *ctx, struct stack_facts *s, unsigned what, struct tpd_err *err);
enum tpd_code cloud_get_template(void *ctx, const char *stack, char **body, struct tpd_err *err);

/* cloud_restore.c */
enum tpd_code cloud_read_restore_source(
    void *ctx,
    const struct restore_spec *r,
    struct table_spec *out,
    char **status,
    struct tpd_err *err);
enum tpd_code cloud_restore(
    void *ctx, const struct restore_spec *r, const struct table_spec *want, struct tpd_err *err);

/* cloud_repair.c */
enum tpd_code
cloud_repair(void *ctx, const struct repair_plan *p, int64_t deadline_ns, struct tpd_err *err);
/* Poll DescribeTable until the table and every GSI are ACTIVE with no backfill (a
 * CloudFormation update does not wait for an index build), logging changes at INFO. */
enum tpd_code
cloud_wait_table_ready(void *ctx, const char *table, int64_t deadline_ns, struct tpd_err *err);

#endif
