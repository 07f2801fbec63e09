/*
 * aws_url: endpoint and proxy URL checks over libcurl's URL parser (see aws_url.h).
 */
#include "aws_url.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>

/* The URL's scheme is one of schemes (NULL-terminated) and it has a host. flags: libcurl's
 * parser flags (socks* are proxy schemes, not transfer protocols: the parser must be told
 * with CURLU_NON_SUPPORT_SCHEME). */
static bool s_check(const char *url, const char *const *schemes, unsigned flags) {
    if (!url) {
        return false;
    }
    bool ok = false;
    CURLU *h = curl_url();
    if (h && curl_url_set(h, CURLUPART_URL, url, flags) == CURLUE_OK) {
        char *scheme = NULL, *host = NULL;
        if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
            curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0]) {
            for (size_t i = 0; schemes[i] && !ok; i++) {
                ok = strcasecmp(scheme, schemes[i]) == 0;
            }
        }
        curl_free(scheme);
        curl_free(host);
    }
    curl_url_cleanup(h);
    return ok;
}

bool aws_url_is_endpoint(const char *url) {
    static const char *const schemes[] = {"http", "https", NULL};
    return s_check(url, schemes, 0);
}

bool aws_url_is_proxy(const char *url) {
    static const char *const schemes[] = {
        "http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL};
    return s_check(url, schemes, CURLU_NON_SUPPORT_SCHEME);
}
