/*
 * aws_xml: a small read-only XML tree built with expat, for Query-protocol
 * responses (CloudFormation, STS) and their ErrorResponse bodies.
 *
 * Only elements and their text are kept (attributes and namespaces are ignored:
 * AWS Query responses carry data in element text). Depth is capped at
 * TPD_MAX_NESTING and the input at TPD_MAX_HTTP_BODY.
 *
 * Ownership: aws_xml_parse returns a tree the caller frees with aws_xml_free.
 * Node pointers and texts are borrowed from the tree.
 * Threads: a tree is immutable after parsing; reading from many threads is fine.
 */
#ifndef AWS_XML_H
#define AWS_XML_H

#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_err.h"

struct aws_xml_node {
    char *name;
    struct tpd_buf text; /* concatenated character data directly inside */
    struct aws_xml_node *first_child;
    struct aws_xml_node *last_child;
    struct aws_xml_node *next;
    struct aws_xml_node *parent;
};

/* Parse; *root is the document element. TPD_E_PARSE (with expat's message and the
 * line) for malformed, truncated or non-XML input. */
enum tpd_code aws_xml_parse(struct tpd_span input, struct aws_xml_node **root, struct tpd_err *err)
    TPD_MUST_CHECK;
void aws_xml_free(struct aws_xml_node *root);

/* First child element named name, or NULL. */
const struct aws_xml_node *aws_xml_child(const struct aws_xml_node *n, const char *name);
/* Follow a '/'-separated path of child names ("DescribeStacksResult/Stacks"). */
const struct aws_xml_node *aws_xml_path(const struct aws_xml_node *n, const char *path);
/* Next sibling with the same name (for <member> lists). */
const struct aws_xml_node *aws_xml_next_same(const struct aws_xml_node *n);
/* Text of the child at path, or NULL when absent. Borrowed. */
const char *aws_xml_text(const struct aws_xml_node *n, const char *path);
/* Heap copy of the text at path (NULL when absent or no memory). Caller frees. */
char *aws_xml_dup(const struct aws_xml_node *n, const char *path) TPD_MUST_CHECK;

#endif
