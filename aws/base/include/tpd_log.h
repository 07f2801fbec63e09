/*
 * tpd_log: log lines to stderr in the form go-plugin understands.
 *
 * Terraform reads the plugin's stderr line by line and keeps the level of lines in
 * hclog's JSON form (docs/plugin-protocol.md §7). Each line is one JSON object:
 * {"@level": "warn", "@message": ..., "@module": ..., "@timestamp": UTC with
 * microseconds}; @module is "provider.dynamodb" unless the caller names one ("grpc").
 * The level threshold comes from TF_LOG_PROVIDER, else TF_LOG, case-insensitive: TRACE,
 * DEBUG, INFO, WARN, ERROR, OFF; JSON and any other value count as TRACE, as in
 * Terraform; unset or empty means nothing below WARN is written.
 * A message that does not fit in 4 x TPD_MAX_ERROR_MSG bytes, or meets out of memory,
 * is dropped, not truncated. stdout is never touched: it belongs to the handshake line.
 *
 * Secrets: callers never pass credentials, signatures or session tokens (aws_client.c
 * logs operations and error codes, never headers); the e2e tests search Terraform's
 * trace logs for secrets (tests/e2e/harness.py).
 * Threads: every function is safe to call from any thread (one write(2) per line).
 */
#ifndef TPD_LOG_H
#define TPD_LOG_H

#include <stdbool.h>

enum tpd_log_level {
    TPD_LOG_TRACE = 0,
    TPD_LOG_DEBUG,
    TPD_LOG_INFO,
    TPD_LOG_WARN,
    TPD_LOG_ERROR,
    TPD_LOG_OFF
};

/* Read TF_LOG_PROVIDER / TF_LOG once; later calls re-read (tests use it). */
void tpd_log_init_from_env(void);
void tpd_log_set_level(enum tpd_log_level level);
enum tpd_log_level tpd_log_level(void);
bool tpd_log_enabled(enum tpd_log_level level);

/* Write one line at level (no trailing newline needed). module may be NULL. */
void tpd_logf(enum tpd_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TPD_TRACE(...) tpd_logf(TPD_LOG_TRACE, NULL, __VA_ARGS__)
#define TPD_DEBUG(...) tpd_logf(TPD_LOG_DEBUG, NULL, __VA_ARGS__)
#define TPD_INFO(...) tpd_logf(TPD_LOG_INFO, NULL, __VA_ARGS__)
#define TPD_WARN(...) tpd_logf(TPD_LOG_WARN, NULL, __VA_ARGS__)
#define TPD_ERROR(...) tpd_logf(TPD_LOG_ERROR, NULL, __VA_ARGS__)

#endif
