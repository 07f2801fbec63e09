/*
 * tpd_log: hclog-style JSON lines on stderr (see tpd_log.h for the contract).
 * jansson escapes the message, so any byte in it is safe in the JSON line.
 */
#include "tpd_log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tpd_buf.h"

static atomic_int s_level = TPD_LOG_WARN;

static const char *const s_level_names[] = {"trace", "debug", "info", "warn", "error", "off"};

static enum tpd_log_level s_parse_level(const char *v) {
    if (!v || !*v) {
        return TPD_LOG_OFF;
    }
    if (!strcasecmp(v, "trace") || !strcasecmp(v, "json")) {
        return TPD_LOG_TRACE;
    }
    if (!strcasecmp(v, "debug")) {
        return TPD_LOG_DEBUG;
    }
    if (!strcasecmp(v, "info")) {
        return TPD_LOG_INFO;
    }
    if (!strcasecmp(v, "warn")) {
        return TPD_LOG_WARN;
    }
    if (!strcasecmp(v, "error")) {
        return TPD_LOG_ERROR;
    }
    if (!strcasecmp(v, "off")) {
        return TPD_LOG_OFF;
    }
    /* Terraform treats unknown values as TRACE. */
    return TPD_LOG_TRACE;
}

void tpd_log_init_from_env(void) {
    const char *v = getenv("TF_LOG_PROVIDER");
    if (!v || !*v) {
        v = getenv("TF_LOG");
    }
    /* Without TF_LOG the host discards debug output anyway; keep warnings. */
    enum tpd_log_level l = (v && *v) ? s_parse_level(v) : TPD_LOG_WARN;
    atomic_store(&s_level, (int)l);
}

void tpd_log_set_level(enum tpd_log_level level) {
    atomic_store(&s_level, (int)level);
}

enum tpd_log_level tpd_log_level(void) {
    return (enum tpd_log_level)atomic_load(&s_level);
}

bool tpd_log_enabled(enum tpd_log_level level) {
    return level != TPD_LOG_OFF && (int)level >= atomic_load(&s_level);
}

void tpd_logf(enum tpd_log_level level, const char *module, const char *fmt, ...) {
    if (!tpd_log_enabled(level)) {
        return;
    }
    struct tpd_buf msg;
    tpd_buf_init(&msg, TPD_MAX_ERROR_MSG * 4);
    va_list ap;
    va_start(ap, fmt);
    enum tpd_code rc = tpd_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc != TPD_OK) {
        tpd_buf_clear(&msg);
        return;
    }

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(
        ts,
        sizeof ts,
        "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        (long)tv.tv_usec);

    json_t *o = json_object();
    if (!o) {
        tpd_buf_clear(&msg);
        return;
    }
    json_object_set_new(o, "@level", json_string(s_level_names[level]));
    json_object_set_new(o, "@message", json_stringn(tpd_buf_cstr(&msg), msg.len));
    json_object_set_new(o, "@module", json_string(module ? module : "provider.dynamodb"));
    json_object_set_new(o, "@timestamp", json_string(ts));
    char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    tpd_buf_clear(&msg);
    if (!line) {
        return;
    }
    size_t n = strlen(line);
    line[n] = '\n'; /* json_dumps NUL-terminates: reuse that byte for the newline */
    ssize_t w = write(STDERR_FILENO, line, n + 1);
    (void)w;
    free(line);
}
