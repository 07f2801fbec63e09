/* test_util: see test_util.h. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

char *tt_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096;
    size_t n = 0;
    char *p = malloc(cap);
    size_t got;
    while (p && (got = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *q = realloc(p, cap);
            if (!q) {
                free(p);
                p = NULL;
            }
            p = q;
        }
    }
    fclose(f);
    if (p) {
        p[n] = '\0';
    }
    if (len) {
        *len = n;
    }
    return p;
}

int tt_write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        return -1;
    }
    size_t n = strlen(text);
    int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

char *tt_mkdtemp(void) {
    char tmpl[] = "/tmp/tpd_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void tt_rmtree(const char *path) {
    if (!path) {
        return;
    }
    char cmd[1200];
    if (strncmp(path, "/tmp/tpd_test_", 14) != 0 || strchr(path, '\'')) {
        return;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    if (system(cmd) != 0) {
        fprintf(stderr, "tt_rmtree: could not remove %s\n", path);
    }
}

void tt_clear_aws_env(void) {
    static const char *const proxies[] = {
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "no_proxy",
        "NO_PROXY",
        "all_proxy",
        "ALL_PROXY"};
    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
        unsetenv(proxies[i]);
    }
    for (;;) {
        char *victim = NULL;
        for (char **e = environ; e && *e; e++) {
            if (strncmp(*e, "AWS_", 4) == 0) {
                victim = *e;
                break;
            }
        }
        if (!victim) {
            return;
        }
        const char *eq = strchr(victim, '=');
        size_t n = eq ? (size_t)(eq - victim) : strlen(victim);
        char name[256];
        if (n >= sizeof(name)) {
            return;
        }
        memcpy(name, victim, n);
        name[n] = '\0';
        unsetenv(name);
    }
}
