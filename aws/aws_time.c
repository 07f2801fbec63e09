/* aws_time: ISO 8601 parsing without locale or strptime dependence. */
#include "aws_time.h"

#include <stdbool.h>
#include <string.h>

static bool s_num(const char **p, int digits, int *out) {
    int v = 0;
    for (int i = 0; i < digits; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *p += digits;
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t s_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

enum tpd_code aws_parse_iso8601(const char *s, int64_t *out) {
    int y, mo, d, h = 0, mi = 0, se = 0;
    const char *p = s;
    if (!s || !s_num(&p, 4, &y) || *p++ != '-' || !s_num(&p, 2, &mo) || *p++ != '-' ||
        !s_num(&p, 2, &d)) {
        return TPD_E_PARSE;
    }
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!s_num(&p, 2, &h) || *p++ != ':' || !s_num(&p, 2, &mi)) {
            return TPD_E_PARSE;
        }
        if (*p == ':') {
            p++;
            if (!s_num(&p, 2, &se)) {
                return TPD_E_PARSE;
            }
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                p++;
            }
        }
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh, om = 0;
        p++;
        if (!s_num(&p, 2, &oh)) {
            return TPD_E_PARSE;
        }
        if (*p == ':') {
            p++;
        }
        if (*p >= '0' && *p <= '9' && !s_num(&p, 2, &om)) {
            return TPD_E_PARSE;
        }
        off = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
        return TPD_E_PARSE;
    }
    *out = s_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se - off;
    return TPD_OK;
}
