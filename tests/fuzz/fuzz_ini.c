/* Fuzz target: the shared credentials/config file format (aws_ini_parse), section and
 * key lookup, and profile resolution from files (aws_profile_load → region, endpoint
 * URL, aws_client_new). The input is both files; an input containing '\f' is split
 * there into the credentials file (before) and the config file (after). Files go to a
 * private temporary directory removed at exit. credential_process is never run: the
 * profile credential provider is not called. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_client.h"
#include "aws_endpoint.h"
#include "aws_ini.h"
#include "aws_profile.h"
#include "tpd_log.h"

static char s_dir[64];
static char s_cred_path[96];
static char s_conf_path[96];

static enum tpd_code s_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    (void)t;
    (void)req;
    (void)resp;
    return tpd_err_set(err, TPD_E_HTTP, "fuzz transport: offline");
}

static struct aws_http_transport s_transport = {.send = s_send};

static void s_cleanup(void) {
    unlink(s_cred_path);
    unlink(s_conf_path);
    rmdir(s_dir);
}

static void s_init(void) {
    if (s_dir[0]) {
        return;
    }
    tpd_log_set_level(TPD_LOG_OFF);
    static const char *const vars[] = {
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_CLOUDFORMATION",
        "AWS_ENDPOINT_URL_STS",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        unsetenv(vars[i]);
    }
    snprintf(s_dir, sizeof s_dir, "/tmp/tpd-fuzz-ini-XXXXXX");
    if (!mkdtemp(s_dir)) {
        abort();
    }
    snprintf(s_cred_path, sizeof s_cred_path, "%s/credentials", s_dir);
    snprintf(s_conf_path, sizeof s_conf_path, "%s/config", s_dir);
    atexit(s_cleanup);
}

static void s_write(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        abort();
    }
    if (size && fwrite(data, 1, size, f) != size) {
        abort();
    }
    fclose(f);
}

static void s_profile(const char *name) {
    static const char *const keys[] = {
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "credential_process",
        "role_arn",
        "source_profile",
        "region",
        "endpoint_url",
        "dynamodb.endpoint_url"};
    struct aws_profile prof;
    struct tpd_err err = {0};
    if (aws_profile_load(name, s_cred_path, s_conf_path, &prof, &err) == TPD_OK) {
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            (void)aws_profile_get(&prof, keys[i]);
        }
        /* What the role and SSO sources look up: other profiles, sso-session sections. */
        const char *src = aws_profile_get(&prof, "source_profile");
        if (src && aws_profile_exists(&prof, src)) {
            (void)aws_profile_get_in(&prof, src, "role_arn");
        }
        const char *sess = aws_profile_get(&prof, "sso_session");
        if (sess && aws_profile_sso_session_exists(&prof, sess)) {
            (void)aws_profile_sso_session_get(&prof, sess, "sso_start_url");
        }
        char *region = NULL;
        if (aws_region_resolve(NULL, &prof, &region, &err) == TPD_OK && !region) {
            abort(); /* success must give a region */
        }
        if (region) {
            (void)aws_partition_of(region);
        }
        tpd_err_clear(&err);
        char *ep = NULL;
        if (aws_endpoint_resolve(
                "dynamodb", "DYNAMODB", NULL, region ? region : "us-east-1", &prof, &ep, &err) ==
            TPD_OK) {
            struct tpd_buf host, path;
            tpd_buf_init(&host, 8192);
            tpd_buf_init(&path, 8192);
            if (aws_http_url_host_path(ep, &host, &path, &err) == TPD_OK && path.len == 0) {
                abort(); /* success must give a path ("/" at least) */
            }
            tpd_buf_clear(&host);
            tpd_buf_clear(&path);
        }
        free(ep);
        free(region);
    }
    tpd_err_clear(&err);
    aws_profile_clear(&prof);

    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.profile = name;
    o.shared_credentials_file = s_cred_path;
    o.shared_config_file = s_conf_path;
    o.transport = &s_transport;
    o.skip_instance_metadata = true;
    aws_client_free(aws_client_new(&o, &err));
    tpd_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    s_init();
    struct aws_ini *ini = NULL;
    struct tpd_err err = {0};
    char *names[4] = {NULL};
    size_t nn = 0;
    if (aws_ini_parse((struct tpd_span){data, size}, "fuzz", &ini, &err) == TPD_OK) {
        for (size_t i = 0; i < ini->count; i++) {
            const struct aws_ini_section *s = aws_ini_section(ini, ini->sections[i].name);
            for (size_t k = 0; k < s->count; k++) {
                (void)aws_ini_get(s, s->kv[k].key);
            }
            (void)aws_ini_get(s, "region");
            const char *n = s->name;
            if (strncmp(n, "profile ", 8) == 0) {
                n += 8;
            }
            if (nn < sizeof names / sizeof names[0] && strcmp(n, "default") != 0) {
                names[nn++] = strdup(n);
            }
        }
    }
    aws_ini_free(ini);
    tpd_err_clear(&err);

    const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
    size_t cred_len = ff ? (size_t)(ff - data) : size;
    s_write(s_cred_path, data, cred_len);
    if (ff) {
        s_write(s_conf_path, ff + 1, size - cred_len - 1);
    } else {
        s_write(s_conf_path, data, size);
    }
    s_profile("default");
    for (size_t i = 0; i < nn; i++) {
        if (names[i]) {
            s_profile(names[i]);
        }
        free(names[i]);
    }
    return 0;
}
