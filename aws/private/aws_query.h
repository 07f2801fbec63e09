/*
 * aws_query: form bodies for the AWS Query protocol (CloudFormation, STS).
 *
 * Keys follow botocore's QuerySerializer: structure members "A.B", lists
 * "Name.member.N" (N from 1), maps "Name.entry.N.key" / ".value", an empty list as
 * "Name=". Keys and values are form-encoded as botocore does (RFC 3986 unreserved kept,
 * space as '+', other bytes %XX).
 *
 * Ownership: struct aws_query is caller storage (init/clear); its body is owned.
 * Threads: one query per thread.
 */
#ifndef AWS_QUERY_H
#define AWS_QUERY_H

#include "tpd_buf.h"
#include "tpd_err.h"

struct aws_query {
    struct tpd_buf body;
    enum tpd_code rc; /* sticky: the first failure of an add */
};

/* Starts the body with Action=<action>&Version=<version>. */
void aws_query_init(struct aws_query *q, const char *action, const char *version);
void aws_query_clear(struct aws_query *q);

/* Add key=value (value NULL: nothing added). Failures are sticky in q->rc. */
void aws_query_add(struct aws_query *q, const char *key, const char *value);
/* Key built with printf, e.g. aws_query_addf(q, v, "Tags.member.%zu.Key", i + 1). */
void aws_query_addf(struct aws_query *q, const char *value, const char *key_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add a list of strings as Name.member.N; an empty list adds "Name=". */
void aws_query_add_list(
    struct aws_query *q, const char *name, const char *const *items, size_t count);

#endif
