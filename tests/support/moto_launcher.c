/* moto_launcher: see moto_launcher.h. */
#include "moto_launcher.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int moto_start(struct moto_server *m, int timeout_s) {
    memset(m, 0, sizeof(*m));
    m->pid = -1;
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) {
        return -1;
    }
    const char *src = getenv("TPD_SOURCE_DIR");
    char script[1024];
    snprintf(script, sizeof(script), "%s/tests/support/moto_server.py", src ? src : ".");
    const char *py = getenv("PYTHON");
    if (!py || !*py) {
        py = "python3";
    }
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        /* Nothing may reach the internet: no proxies for the child. */
        unsetenv("http_proxy");
        unsetenv("https_proxy");
        unsetenv("HTTP_PROXY");
        unsetenv("HTTPS_PROXY");
        execlp(py, py, script, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    m->pid = pid;
    m->stdin_fd = in[1];
    char line[1024];
    size_t n = 0;
    time_t start = time(NULL);
    while (n + 1 < sizeof(line)) {
        struct pollfd p = {out[0], POLLIN, 0};
        if (time(NULL) - start > timeout_s) {
            break;
        }
        if (poll(&p, 1, 500) <= 0) {
            continue;
        }
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0) {
            break;
        }
        if (line[n] == '\n') {
            break;
        }
        n++;
    }
    line[n] = '\0';
    close(out[0]);
    char ak[256], sk[256];
    if (sscanf(line, "READY %d %255s %255s", &m->port, ak, sk) != 3) {
        fprintf(stderr, "moto did not start: \"%s\"\n", line);
        moto_stop(m);
        return -1;
    }
    m->access_key = strdup(ak);
    m->secret_key = strdup(sk);
    snprintf(m->endpoint, sizeof(m->endpoint), "http://127.0.0.1:%d", m->port);
    return 0;
}

void moto_stop(struct moto_server *m) {
    if (m->stdin_fd > 0) {
        close(m->stdin_fd);
        m->stdin_fd = 0;
    }
    if (m->pid > 0) {
        kill(m->pid, SIGTERM);
        int st;
        waitpid(m->pid, &st, 0);
        m->pid = -1;
    }
    free(m->access_key);
    free(m->secret_key);
    m->access_key = NULL;
    m->secret_key = NULL;
}
