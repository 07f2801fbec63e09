/*
 * terraform-provider-dynamodb: the executable Terraform starts.
 *
 * Thin on purpose (docs/design.md "Layers"): answer --version, check that Terraform started
 * us, negotiate the protocol, set up AutoMTLS, create the provider, bind the socket,
 * print the handshake line, serve until Terraform's GRPCController.Shutdown or SIGTERM,
 * clean up. The only file of the project that calls exit(); everything below returns
 * errors.
 *
 * Signals (go-plugin server.go): SIGINT is ignored, because Ctrl-C in a terminal reaches
 * the whole process group and Terraform itself then calls StopProvider and Shutdown.
 * SIGTERM starts a clean shutdown. Both are blocked in every thread and SIGTERM is taken
 * by a dedicated sigwait thread, so no code runs in signal-handler context.
 */
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/log.h>
#if defined(__GLIBC__)
#    include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_parallel.h"
#include "handshake.h"
#include "mtls.h"
#include "provider.h"
#include "rpc5.h"
#include "rpc6.h"
#include "server.h"
#include "tpd_buf.h"
#include "tpd_err.h"
#include "tpd_log.h"
#include "tpd_version.h"

/* Application protocol versions we speak, preferred first (the default when the host
 * does not say): 6 is served by rpc6.c, 5 (hosts that only speak 5) by rpc5.c. */
static const int s_versions[] = {6, 5};

/*
 * The versions we offer: s_versions, capped by TPD_PLUGIN_MAX_PROTOCOL when it is set.
 * TPD_PLUGIN_MAX_PROTOCOL is a testing aid, not a user setting: Terraform 1.x speaks 5
 * and 6 and so always gets 6 from us; with TPD_PLUGIN_MAX_PROTOCOL=5 in its environment
 * (inherited by the plugin) the real terraform talks protocol 5 to us
 * (tests/e2e/test_protocol5.sh). Returns how many versions were written to out.
 */
static size_t s_offered_versions(int *out, struct tpd_err *err) {
    const char *cap_s = getenv("TPD_PLUGIN_MAX_PROTOCOL");
    long cap = 0;
    if (cap_s != NULL && cap_s[0] != '\0') {
        char *end = NULL;
        cap = strtol(cap_s, &end, 10);
        if (*end != '\0' || cap <= 0) {
            tpd_err_set(
                err,
                TPD_E_INVALID,
                "TPD_PLUGIN_MAX_PROTOCOL=\"%s\" is not a protocol version",
                cap_s);
            return 0;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < sizeof(s_versions) / sizeof(s_versions[0]); i++) {
        if (cap == 0 || s_versions[i] <= cap) {
            out[n++] = s_versions[i];
        }
    }
    if (n == 0) {
        tpd_err_set(
            err,
            TPD_E_INVALID,
            "TPD_PLUGIN_MAX_PROTOCOL=%ld leaves no protocol version to offer",
            cap);
    }
    return n;
}

/*
 * --version: what a user or a support request needs to identify the build (the release
 * version from CMakeLists.txt's project(), the git commit it was built from) and which
 * plugin protocols it speaks, as the release manifest lists them (scripts/package.sh
 * takes them from this output). Needs no Terraform and touches nothing else.
 */
static int s_print_version(void) {
    printf(
        "terraform-provider-dynamodb %s\ncommit %s\nprotocol versions",
        TPD_VERSION,
        TPD_GIT_COMMIT);
    for (size_t i = 0; i < sizeof(s_versions) / sizeof(s_versions[0]); i++) {
        printf(" %d.0", s_versions[i]);
    }
    putchar('\n');
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

struct s_signals {
    sigset_t set;
    /* Read by the signal thread, cleared by main before it wakes the thread. */
    struct tfp_server *_Atomic server;
    pthread_t thread;
    bool started;
};

static void *s_signal_main(void *arg) {
    struct s_signals *sig = arg;
    int signo = 0;
    if (sigwait(&sig->set, &signo) == 0 && signo == SIGTERM) {
        struct tfp_server *server = sig->server; /* one atomic load */
        if (server) {
            TPD_INFO("SIGTERM: shutting down");
            tfp_server_shutdown(server);
        }
    }
    return NULL;
}

/*
 * gRPC's own log lines (e.g. a failed TLS handshake) go through tpd_log so that Terraform
 * sees them in hclog JSON form with their level, not as unlabelled stderr text. gRPC
 * logs failed handshakes at ERROR even when the connection attempt was the peer's fault,
 * so they are reported as WARN.
 */
static void s_grpc_log(gpr_log_func_args *args) {
    enum tpd_log_level level = TPD_LOG_DEBUG;
    if (args->severity == GPR_LOG_SEVERITY_ERROR) {
        level = TPD_LOG_WARN;
    } else if (args->severity == GPR_LOG_SEVERITY_INFO) {
        level = TPD_LOG_INFO;
    }
    tpd_logf(level, "grpc", "%s (%s:%d)", args->message, args->file, args->line);
}

/* Stop long waits in the provider when the server shuts down (SIGTERM, Shutdown RPC). */
static void s_on_shutdown(void *ctx) {
    provider_stop(ctx);
}

static int s_fail(const char *what, struct tpd_err *err) {
    TPD_ERROR("%s: %s", what, err->msg ? err->msg : tpd_code_str(err->code));
    /* Also as a plain line, in case logging is off: Terraform shows plugin stderr. */
    if (!tpd_log_enabled(TPD_LOG_ERROR)) {
        fprintf(
            stderr,
            "terraform-provider-dynamodb: %s: %s\n",
            what,
            err->msg ? err->msg : tpd_code_str(err->code));
    }
    return 1;
}

static int s_run(void) {
    struct tpd_err err = {0};
    struct tfp_socket_dir sockdir = {0};
    struct tfp_cert cert = {0};
    struct tpd_buf line, address;
    struct provider *provider = NULL;
    struct tfp_server *server = NULL;
    struct grpc_server_credentials *creds = NULL;
    struct s_signals sig = {0};
    int version = 0;
    int rc = 1;
    tpd_buf_init(&line, 0);
    tpd_buf_init(&address, 0);

    int offered[sizeof(s_versions) / sizeof(s_versions[0])];
    size_t n_offered = s_offered_versions(offered, &err);
    if (n_offered == 0 ||
        tfp_handshake_negotiate(
            getenv("PLUGIN_PROTOCOL_VERSIONS"), offered, n_offered, &version, &err) != TPD_OK) {
        rc = s_fail("protocol negotiation", &err);
        goto done;
    }

    /* AutoMTLS when the host sent its certificate; plaintext only when it did not
     * (TF_DISABLE_PLUGIN_TLS). */
    const char *client_cert = getenv(TFP_ENV_CLIENT_CERT);
    bool tls = client_cert != NULL && client_cert[0] != '\0';
    if (tls && tfp_cert_generate(&cert, &err) != TPD_OK) {
        rc = s_fail("generating the TLS certificate", &err);
        goto done;
    }
    if (tfp_mtls_server_credentials(tls ? &cert : NULL, tpd_span_cstr(client_cert), &creds, &err) !=
        TPD_OK) {
        rc = s_fail("setting up TLS", &err);
        goto done;
    }

    provider = provider_new();
    if (provider == NULL) {
        TPD_ERROR("out of memory creating the provider");
        goto done;
    }
    if (tfp_socket_dir_create(NULL, &sockdir, &err) != TPD_OK) {
        rc = s_fail("creating the plugin socket", &err);
        goto done;
    }
    if (tpd_buf_printf(&address, "unix:%s", sockdir.path) != TPD_OK) {
        goto done;
    }

    struct tfp_server_options opt = {
        .address = tpd_buf_cstr(&address),
        .creds = creds,
        .ctx = provider,
        .on_shutdown = s_on_shutdown,
    };
    /* The service of the negotiated version: tfplugin5.Provider or tfplugin6.Provider. */
    opt.methods = version == 5 ? rpc5_methods(&opt.method_count) : rpc6_methods(&opt.method_count);
    server = tfp_server_new(&opt, &err);
    grpc_server_credentials_release(creds); /* the server keeps its own reference */
    creds = NULL;
    if (server == NULL) {
        rc = s_fail("starting the plugin server", &err);
        goto done;
    }

    sig.server = server;
    sigemptyset(&sig.set);
    sigaddset(&sig.set, SIGTERM);
    if (pthread_create(&sig.thread, NULL, s_signal_main, &sig) == 0) {
        sig.started = true;
    }

    if (tfp_handshake_format(version, sockdir.path, tpd_buf_span(&cert.cert_der), &line, &err) !=
            TPD_OK ||
        tfp_handshake_write(stdout, tpd_buf_span(&line), &err) != TPD_OK) {
        rc = s_fail("handshake", &err);
        tfp_server_shutdown(server);
    }
    /* gRPC holds its own copy of the key now. */
    tfp_cert_clear(&cert);
    TPD_DEBUG(
        "plugin: serving protocol %d on %s (%s)",
        version,
        sockdir.path,
        tls ? "mTLS" : "plaintext");

    tfp_server_run(server);
    if (err.code == TPD_OK) {
        rc = 0;
    }

done:
    if (sig.started) {
        /* Wake the sigwait thread if no SIGTERM came (shutdown by RPC). */
        sig.server = NULL;
        pthread_kill(sig.thread, SIGTERM);
        pthread_join(sig.thread, NULL);
    }
    tfp_server_free(server);
    aws_parallel_shutdown(); /* no RPC is running: no read is under way */
    if (creds) {
        grpc_server_credentials_release(creds);
    }
    provider_free(provider);
    tfp_socket_dir_remove(&sockdir);
    tfp_cert_clear(&cert);
    tpd_buf_clear(&line);
    tpd_buf_clear(&address);
    tpd_err_clear(&err);
    return rc;
}

/* ---- glibc's malloc ----------------------------------------------------------------- */

/* Whether a sanitizer or similar brings its own malloc (then glibc's is not used). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#    define S_OWN_MALLOC 1
#elif defined(__has_feature)
#    if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                     \
        __has_feature(memory_sanitizer)
#        define S_OWN_MALLOC 1
#    endif
#endif

#if defined(__GLIBC__) && !defined(S_OWN_MALLOC)
#    define S_TCACHE_TUNABLE "glibc.malloc.tcache_count"
/* Set for the second start only: "0" when Terraform gave no GLIBC_TUNABLES, "1" and
 * its value when it did. */
#    define S_TUNABLES_SAVED "TPD_GLIBC_TUNABLES_SAVED"

/*
 * glibc keeps a cache of freed small blocks per thread (tcache, up to 7 per size); a
 * thread's cache is memory no other thread reuses. A plan of 200 tables runs about 28
 * threads (Terraform's 10 resources at once on the server's workers, the parallel
 * reads' pool, gRPC's own), and their caches held about 1 MiB of the plan's 4.8 MiB of
 * private dirty memory (bench/rss.py: 3.8 MiB with the cache off, 4.2 with 2 per size).
 * The reads wait on the network, not on malloc, so the provider turns the cache off.
 * glibc reads that setting (a tunable) only when a process starts, so the provider
 * starts itself once more, the same executable with the same arguments and process ID
 * (execv), with GLIBC_TUNABLES naming it; the second start puts back the environment
 * Terraform gave, so what the provider runs (a credential_process) gets that one. A
 * GLIBC_TUNABLES that already sets the cache is the user's choice and kept; when the
 * executable cannot be started again, the provider goes on with the cache.
 */
static void s_malloc_cache_off(char **argv) {
    const char *saved = getenv(S_TUNABLES_SAVED);
    if (saved != NULL) { /* the second start */
        if (saved[0] == '1') {
            setenv("GLIBC_TUNABLES", saved + 1, 1);
        } else {
            unsetenv("GLIBC_TUNABLES");
        }
        unsetenv(S_TUNABLES_SAVED);
        return;
    }
    const char *given = getenv("GLIBC_TUNABLES");
    if (given != NULL && strstr(given, S_TCACHE_TUNABLE) != NULL) {
        return;
    }
    struct tpd_buf keep, tunables;
    tpd_buf_init(&keep, 0);
    tpd_buf_init(&tunables, 0);
    bool changed = false;
    if (tpd_buf_printf(&keep, "%s%s", given ? "1" : "0", given ? given : "") == TPD_OK &&
        tpd_buf_printf(
            &tunables, "%s%s" S_TCACHE_TUNABLE "=0", given ? given : "", given ? ":" : "") ==
            TPD_OK &&
        setenv(S_TUNABLES_SAVED, tpd_buf_cstr(&keep), 1) == 0) {
        changed = setenv("GLIBC_TUNABLES", tpd_buf_cstr(&tunables), 1) == 0;
        if (changed) {
            execv("/proc/self/exe", argv); /* returns only when it failed */
            TPD_DEBUG("malloc: could not start again with glibc's thread cache off; it stays on");
        }
    }
    unsetenv(S_TUNABLES_SAVED); /* not started again: the environment as it was */
    if (changed && given != NULL) {
        setenv("GLIBC_TUNABLES", tpd_buf_cstr(&keep) + 1, 1);
    } else if (changed) {
        unsetenv("GLIBC_TUNABLES");
    }
    tpd_buf_clear(&keep);
    tpd_buf_clear(&tunables);
}
#endif

int main(int argc, char **argv) {
    /* Terraform starts providers without arguments; --version is for people. */
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        exit(s_print_version());
    }
    tpd_log_init_from_env();
    if (!tfp_handshake_cookie_ok(getenv(TFP_MAGIC_COOKIE_KEY))) {
        fputs(tfp_handshake_not_a_plugin_message(), stderr);
        fputs("(terraform-provider-dynamodb --version prints its version.)\n", stderr);
        exit(1);
    }
#if defined(__GLIBC__) && !defined(S_OWN_MALLOC)
    s_malloc_cache_off(argv);
#endif
#if defined(__GLIBC__)
    /* glibc gives each thread that allocates its own arena, up to 8 per core, and an
     * arena keeps what was freed in it. When the provider ran a thread per parallel read
     * (66 threads in a plan of 200 tables), two arenas held the plan's private dirty
     * memory at 5.7 MiB instead of 6.5 and its peak RSS at 21.0 MiB instead of 21.9
     * (bench/rss.py, docs/benchmarks.md); the reads wait on the network, not on malloc.
     * MALLOC_ARENA_MAX, when set, is the user's choice and kept. */
    if (getenv("MALLOC_ARENA_MAX") == NULL) {
        mallopt(M_ARENA_MAX, 2);
    }
#endif
    /* Before any thread exists, so that every thread inherits the mask. */
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, NULL);

    /* One gRPC reference for the whole run: credentials are created before the server. */
    gpr_set_log_function(s_grpc_log);
    grpc_init();
    int rc = s_run();
    grpc_shutdown_blocking();
    exit(rc);
}
