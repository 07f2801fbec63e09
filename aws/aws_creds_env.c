/* aws_creds_env: credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN (legacy AWS_SECURITY_TOKEN), as botocore and the Go SDK read them. */
#include <stdlib.h>

#include "aws_creds.h"
#include "tpd_alloc.h"

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    (void)p;
    const char *ak = getenv("AWS_ACCESS_KEY_ID");
    const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    if (!tok || !*tok) {
        tok = getenv("AWS_SECURITY_TOKEN");
    }
    bool have_ak = ak && *ak;
    bool have_sk = sk && *sk;
    if (!have_ak && !have_sk) {
        return tpd_err_set(
            err, TPD_E_NOT_FOUND, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
    }
    if (!have_ak || !have_sk) {
        return tpd_err_set(
            err,
            TPD_E_CREDENTIALS,
            "%s is set but %s is not",
            have_ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
            have_ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    }
    enum tpd_code rc = aws_creds_set(out, ak, sk, tok, 0);
    return rc ? tpd_err_set(err, rc, "environment credentials: %s", tpd_code_str(rc)) : TPD_OK;
}

static void s_destroy(struct aws_creds_provider *p) {
    free(p);
}

struct aws_creds_provider *aws_creds_env_new(void) {
    struct aws_creds_provider *p = tpd_calloc(1, sizeof(*p));
    if (p) {
        *p = (struct aws_creds_provider){s_get, s_destroy, "environment", p};
    }
    return p;
}
