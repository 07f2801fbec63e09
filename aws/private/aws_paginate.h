/*
 * aws_paginate: the loop of every paginated AWS call (CloudFormation NextToken,
 * DynamoDB NextToken and LastEvaluatedKey).
 *
 * page(ctx, token, &next, err) sends one page with token (NULL for the first), takes
 * what it needs from the answer, and sets *next to the token of the following page
 * (heap, NULL when it was the last page or the caller has seen enough). The loop frees
 * the tokens. A server that keeps answering with a token must not keep a call looping
 * (and growing) forever: after TPD_MAX_PAGES pages the call fails with TPD_E_TOO_LARGE.
 *
 * Ownership: tokens passed to page are borrowed for the call; *next is handed over.
 * Threads: no shared state.
 */
#ifndef AWS_PAGINATE_H
#define AWS_PAGINATE_H

#include "tpd_alloc.h"
#include "tpd_err.h"

typedef enum tpd_code(aws_page_fn)(void *ctx, const char *token, char **next, struct tpd_err *err);

/* op names the operation in the too-many-pages error. Returns page's first error. */
enum tpd_code
aws_paginate(const char *op, aws_page_fn *page, void *ctx, struct tpd_err *err) TPD_MUST_CHECK;

#endif
