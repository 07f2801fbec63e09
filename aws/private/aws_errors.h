/*
 * aws_errors: turn an AWS error response into struct tpd_err.
 *
 *   JSON 1.0 (DynamoDB): {"__type":"ns#Code","message":"..."} — the code is the text
 *     after the last '#' (and before a ':'), the message in "message" or "Message";
 *     without "__type" the HTTP status names the error (botocore BaseJSONParser).
 *   Query (CloudFormation, STS): <ErrorResponse><Error><Code/><Message/></Error>
 *     <RequestId/></ErrorResponse>, also the nested <Errors><Error> form.
 *
 * The result code is TPD_E_THROTTLED for throttling codes, TPD_E_NOT_FOUND for
 * ResourceNotFoundException / TableNotFoundException / ChangeSetNotFound, and
 * TPD_E_AWS otherwise (LimitExceededException is TPD_E_AWS when it reports a quota:
 * always CloudFormation's, DynamoDB's by its message, aws_quota.h); aws_code,
 * http_status and request_id are always kept.
 * A body that is not valid JSON/XML still yields an error naming the operation and
 * the HTTP status (never a crash).
 * Threads: pure functions.
 */
#ifndef AWS_ERRORS_H
#define AWS_ERRORS_H

#include "tpd_buf.h"
#include "tpd_err.h"

enum tpd_code aws_error_from_json(
    const char *op,
    int http_status,
    struct tpd_span body,
    const char *request_id,
    struct tpd_err *err) TPD_MUST_CHECK;

enum tpd_code aws_error_from_query_xml(
    const char *op,
    int http_status,
    struct tpd_span body,
    const char *request_id,
    struct tpd_err *err) TPD_MUST_CHECK;

#endif
