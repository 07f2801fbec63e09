/*
 * aws_ini: the AWS shared config/credentials file format.
 *
 *   [section]          names are trimmed; "[ profile  dev ]" is "profile dev"
 *   key = value        spaces around '=' and at both ends are dropped
 *   # or ; comment     whole-line comments only (a value may contain '#', as
 *                      botocore's parser allows; secrets can contain such bytes)
 *   key =              followed by indented "sub = v" lines: stored as "key.sub"
 *                      (the [services x] / nested-settings form)
 * Errors name the file and line: a key before any section, a line that is neither
 * a section, a comment nor "key = value", an unterminated "[".
 *
 * Parsing is O(n log n) in the number of lines: entries are collected in order, then
 * sorted once to merge duplicate sections and keys; lookups are binary searches.
 *
 * Ownership: aws_ini_parse/aws_ini_load return a tree the caller frees with
 * aws_ini_free (values are wiped: they may be secrets). Returned strings are
 * borrowed from the tree.
 * Threads: immutable after parsing.
 */
#ifndef AWS_INI_H
#define AWS_INI_H

#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_err.h"
#include "tpd_kv.h"

struct aws_ini_section {
    char *name;
    struct tpd_kv *kv; /* sorted by key, one entry per key (the last assignment) */
    size_t count;
};

struct aws_ini {
    struct aws_ini_section *sections; /* sorted by name, one per name (merged) */
    size_t count;
};

enum tpd_code
aws_ini_parse(struct tpd_span text, const char *filename, struct aws_ini **out, struct tpd_err *err)
    TPD_MUST_CHECK;
/* TPD_E_NOT_FOUND when the file does not exist; TPD_E_IO when unreadable. */
enum tpd_code
aws_ini_load(const char *path, struct aws_ini **out, struct tpd_err *err) TPD_MUST_CHECK;
void aws_ini_free(struct aws_ini *ini);

/* Section by exact name, or NULL. Later duplicate sections are merged into the first. */
const struct aws_ini_section *aws_ini_section(const struct aws_ini *ini, const char *name);
/* Section named prefix + name ("profile " + "dev"), or NULL; allocates nothing, so a
 * lookup can never turn out-of-memory into "no such section". */
const struct aws_ini_section *
aws_ini_section_prefixed(const struct aws_ini *ini, const char *prefix, const char *name);
/* Value of key in a section, or NULL (also when the section is NULL). */
const char *aws_ini_get(const struct aws_ini_section *s, const char *key);

#endif
