/*
 * fake_aws: an AWS transport for unit tests that answers by operation. A test says what
 * AWS answers to each operation (fa_on: a queue per operation, the last answer repeats)
 * and afterwards checks what the code under test sent (fa_ops, fa_body). Unlike the
 * linear fake_transport, the order of reads between operations does not matter, so the
 * tests state facts and check actions.
 *
 * The operation is the X-Amz-Target suffix (DynamoDB) or the Action of a Query body
 * (CloudFormation, STS). An operation with no answer gets HTTP 400 with
 * "fake_aws: no answer scripted for OP", which fails the call loudly.
 *
 * Ownership: fa_new/fa_free; answer strings are copied. Threads: guarded by a mutex.
 */
#ifndef TPD_FAKE_AWS_H
#define TPD_FAKE_AWS_H

#include <stddef.h>

#include "aws_client.h"
#include "aws_http.h"

struct fake_aws;

struct fake_aws *fa_new(void);
void fa_free(struct fake_aws *f);
struct aws_http_transport *fa_transport(struct fake_aws *f);

/* Queue an answer for op. status 0 with body NULL: the connection drops (TPD_E_HTTP). */
void fa_on(struct fake_aws *f, const char *op, int status, const char *body);
/* Queue an answer for op when the request body contains match (URL-encoded form for
 * Query bodies: "PhysicalResourceId=t1"). Matching answers win over plain ones. */
void fa_on_if(struct fake_aws *f, const char *op, const char *match, int status, const char *body);
/* Forget every queued answer of op. */
void fa_clear(struct fake_aws *f, const char *op);

/* How many times op was called. */
size_t fa_count(struct fake_aws *f, const char *op);
/* The request body of the nth call (0-based) of op, NULL if none. Borrowed. */
const char *fa_body(struct fake_aws *f, const char *op, size_t nth);
/* The operations sent, in order, comma-separated; with mutating_only, only those that
 * change something (not Describe*, List*, Get*). Borrowed until the next call. */
const char *fa_ops(struct fake_aws *f, int mutating_only);

/* An AWS client over this transport: static keys, loopback endpoints never contacted,
 * one attempt (retries only where a test asks with max_attempts > 1). Free with
 * aws_client_free. */
struct aws_client *fa_client(struct fake_aws *f, int max_attempts);

#endif
