/*
 * rss_floor: the peak RSS of a program that does nothing but what the provider cannot do
 * without: link Debian's libcurl (with OpenSSL and every library libcurl brings), and send
 * one request. It is the floor under the provider's own peak RSS (docs/benchmarks.md,
 * "Executable size and memory"): no gRPC, no Terraform handshake, no code of ours.
 *
 *     cc -std=c11 -O2 -o rss_floor bench/rss_floor.c -lcurl
 *     ./rss_floor URL [CA_FILE]      (for example the emulator's endpoint, tests/emulator/)
 *
 * Prints VmHWM (peak RSS) and the file-backed and anonymous parts of the resident set
 * after loading, after curl_global_init and after the request. The request's answer is
 * not checked: only that it was sent (a TLS handshake for an https:// URL).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t s_discard(char *data, size_t size, size_t n, void *ud) {
    (void)data;
    (void)ud;
    return size * n;
}

static void s_report(const char *when) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) {
        return;
    }
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmHWM:", 6) == 0 || strncmp(line, "RssFile:", 8) == 0 ||
            strncmp(line, "RssAnon:", 8) == 0) {
            printf("%-12s %s", when, line);
        }
    }
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s URL [CA_FILE]\n", argv[0]);
        return 2;
    }
    s_report("loaded");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    s_report("initialised");
    CURL *h = curl_easy_init();
    if (!h) {
        return 1;
    }
    struct curl_slist *hl = curl_slist_append(NULL, "X-Amz-Target: DynamoDB_20120810.ListTables");
    curl_easy_setopt(h, CURLOPT_URL, argv[1]);
    if (argc > 2) {
        curl_easy_setopt(h, CURLOPT_CAINFO, argv[2]);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_discard);
    CURLcode rc = curl_easy_perform(h);
    printf("request: %s\n", curl_easy_strerror(rc));
    s_report("after");
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return rc == CURLE_OK ? 0 : 1;
}
