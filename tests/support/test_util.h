/*
 * test_util: small helpers for tests (file reading, temp dirs, env save/restore).
 * Ownership: returned strings are heap, freed by the caller with free().
 * Threads: not thread-safe (tests call them from the main thread).
 */
#ifndef TPD_TEST_UTIL_H
#define TPD_TEST_UTIL_H

#include <stddef.h>

/* Read a whole file, NUL-terminated; *len (may be NULL) gets its size. NULL if missing. */
char *tt_read_file(const char *path, size_t *len);
/* Write text to path (truncating). Returns 0 on success. */
int tt_write_file(const char *path, const char *text);
/* Create a fresh temporary directory; caller frees the returned path and may
 * remove it with tt_rmtree. */
char *tt_mkdtemp(void);
void tt_rmtree(const char *path);
/* Unset every AWS_* variable and the proxy variables (http_proxy, HTTPS_PROXY, ...),
 * which influence the client, so that tests are hermetic. */
void tt_clear_aws_env(void);

#endif
