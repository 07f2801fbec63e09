/*
 * table_policy: a table's resource policy compared as JSON, so that equal policies never
 * show a diff: the same document with other whitespace or another key order (DynamoDB
 * and CloudFormation may return it reformatted; GetTemplate returns the object as
 * submitted, docs/aws-behaviour.md §4.5, §5.8) is the same policy. Arrays keep their order.
 *
 * Ownership: returned strings are the caller's (free). Threads: pure.
 */
#ifndef TPD_TABLE_POLICY_H
#define TPD_TABLE_POLICY_H

#include <stdbool.h>

/* The document with keys sorted and no whitespace; NULL when text is not a JSON object
 * (or on no memory). */
char *table_policy_canonical(const char *text);

/* Both NULL, or the same canonical document (text that is not JSON compares as bytes). */
bool table_policy_equal(const char *a, const char *b);

#endif
