/* Fuzz target: credential documents from outside — the IMDS / container / credential_process
 * JSON ({AccessKeyId, SecretAccessKey, Token|SessionToken, Expiration}), the STS
 * AssumeRole / AssumeRoleWithWebIdentity / GetCallerIdentity XML responses, the SSO
 * token cache file and the SSO portal's GetRoleCredentials JSON — directly (the
 * parsers) and through the real providers over a scripted in-process transport (no
 * network; the endpoints named in the environment are loopback and never contacted). IMDS gets a
 * token and a role first, then the input; an input containing '\f' is instead split into the three
 * IMDS answers (token, role list, credentials). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_creds.h"
#include "aws_creds_internal.h"
#include "aws_sts.h"
#include "fuzz_transport.h"
#include "tpd_log.h"

/* A fuzz target calls for what the parsing does to memory, not for the result. */
#define S_IGNORE(call) ((void)!(call))

/* The shared client, with the credential sources pointed at loopback first (they
 * read these variables when the client builds its chain). */
static struct aws_client *s_creds_client(void) {
    static bool env_set;
    if (!env_set) {
        unsetenv("AWS_EC2_METADATA_DISABLED");
        unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
        setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer fuzz", 1);
        env_set = true;
    }
    return s_client();
}

static void s_script1(struct tpd_span body, int status) {
    s_pages.page[0] = body;
    s_pages.count = 1;
    s_pages.next = 0;
    s_pages.status = status;
}

static void s_get(struct aws_creds_provider *p) {
    struct aws_creds cr;
    struct tpd_err err = {0};
    aws_creds_init(&cr);
    if (p) {
        S_IGNORE(aws_creds_get(p, &cr, &err));
    }
    aws_creds_clear(&cr);
    tpd_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct aws_client *c = s_creds_client();
    struct tpd_span body = {data, size};
    struct tpd_err err = {0};
    struct aws_creds cr;

    aws_creds_init(&cr);
    S_IGNORE(aws_creds_from_json(body, "fuzz", &cr, &err));
    aws_creds_clear(&cr);
    tpd_err_clear(&err);

    aws_creds_init(&cr);
    struct aws_sso_token tok;
    aws_sso_token_init(&tok);
    S_IGNORE(aws_sso_parse_token(body, "fuzz", &tok, &err));
    aws_sso_token_clear(&tok);
    tpd_err_clear(&err);
    S_IGNORE(aws_sso_parse_role_credentials(body, &cr, &err));
    tpd_err_clear(&err);
    S_IGNORE(aws_sts_parse_credentials(body, "AssumeRoleWithWebIdentityResult", "fuzz", &cr, &err));
    aws_creds_clear(&cr);
    tpd_err_clear(&err);
    char *acct = NULL, *arn = NULL;
    S_IGNORE(aws_sts_parse_caller_identity(body, &acct, &arn, &err));
    free(acct);
    free(arn);
    tpd_err_clear(&err);

    /* The account guard and web identity through the client's STS caller. */
    s_script1(body, 200);
    S_IGNORE(aws_sts_get_caller_identity(aws_client_sts_caller(c), NULL, &acct, &arn, &err));
    free(acct);
    free(arn);
    tpd_err_clear(&err);
    s_script1(body, 200);
    aws_creds_init(&cr);
    S_IGNORE(aws_sts_assume_role_with_web_identity(
        aws_client_sts_caller(c),
        "arn:aws:iam::123456789012:role/r",
        NULL,
        TPD_SPAN_LIT("tok.tok.tok"),
        &cr,
        &err));
    aws_creds_clear(&cr);
    tpd_err_clear(&err);

    /* EC2 instance metadata. */
    const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
    if (ff) {
        s_pages.count = s_pages.next = 0;
        s_pages.status = 200;
        size_t start = 0;
        for (size_t i = 0; i <= size && s_pages.count < 3; i++) {
            if (i == size || data[i] == '\f') {
                s_pages.page[s_pages.count++] = (struct tpd_span){data + start, i - start};
                start = i + 1;
            }
        }
        if (s_pages.count == 3) {
            s_pages.page[2].len = size - (size_t)(s_pages.page[2].ptr - data); /* rest */
        }
    } else {
        s_pages.page[0] = TPD_SPAN_LIT("imds-token");
        s_pages.page[1] = TPD_SPAN_LIT("my-role\n");
        s_pages.page[2] = body;
        s_pages.count = 3;
        s_pages.next = 0;
        s_pages.status = 200;
    }
    struct aws_creds_provider *p = aws_creds_imds_new(&s_pages.base);
    s_get(p);
    aws_creds_provider_free(p);

    /* Container endpoint. */
    s_script1(body, 200);
    p = aws_creds_container_new(&s_pages.base);
    s_get(p);
    aws_creds_provider_free(p);

    /* STS AssumeRole: success and error answers. */
    static const int statuses[] = {200, 403};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        struct aws_assume_role_options ro = {
            "arn:aws:iam::123456789012:role/r", "s", "ext", 900, NULL};
        s_script1(body, statuses[i]);
        p = aws_creds_sts_new(
            aws_client_sts_caller(c), aws_creds_static_new("AK", "SK", NULL), &ro);
        s_get(p);
        aws_creds_provider_free(p);
    }
    return 0;
}
