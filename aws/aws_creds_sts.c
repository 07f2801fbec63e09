/*
 * aws_creds_sts: the provider-level assume_role: sts:AssumeRole signed with the
 * credentials of a source provider (the default chain), through an aws_sts_caller
 * (aws_sts.h). The cache above refreshes the role's credentials before they expire;
 * each refresh asks the source again (its own credentials may have rotated).
 */
#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_sts.h"
#include "tpd_alloc.h"

struct s_sts {
    struct aws_creds_provider base;
    const struct aws_sts_caller *sts;
    struct aws_creds_provider *source;
    char *role_arn;
    char *session_name;
    char *external_id;
    char *policy;
    int duration_s;
};

static enum tpd_code
s_get(struct aws_creds_provider *p, struct aws_creds *out, struct tpd_err *err) {
    struct s_sts *s = p->impl;
    struct aws_creds src;
    aws_creds_init(&src);
    enum tpd_code rc = aws_creds_get(s->source, &src, err);
    if (rc) {
        /* The chain's "not found" is a failure here: the role needs a source. */
        tpd_err_prefix(err, "assume role %s: source credentials: ", s->role_arn);
        if (rc == TPD_E_NOT_FOUND) {
            rc = TPD_E_CREDENTIALS;
            if (err) {
                err->code = rc;
            }
        }
    } else {
        struct aws_assume_role_options o = {
            s->role_arn, s->session_name, s->external_id, s->duration_s, s->policy};
        rc = aws_sts_assume_role(s->sts, &src, &o, out, err);
    }
    aws_creds_clear(&src);
    return rc;
}

static void s_destroy(struct aws_creds_provider *p) {
    struct s_sts *s = p->impl;
    aws_creds_provider_free(s->source);
    free(s->role_arn);
    free(s->session_name);
    free(s->external_id);
    free(s->policy);
    free(s);
}

static bool s_dup(char **dst, const char *src) {
    *dst = src && *src ? tpd_strdup(src) : NULL;
    return !(src && *src) || *dst;
}

struct aws_creds_provider *aws_creds_sts_new(
    const struct aws_sts_caller *sts,
    struct aws_creds_provider *source,
    const struct aws_assume_role_options *o) {
    struct s_sts *s = tpd_calloc(1, sizeof(*s));
    if (!s) {
        aws_creds_provider_free(source);
        return NULL;
    }
    s->sts = sts;
    s->source = source;
    s->duration_s = o->duration_s;
    s->base = (struct aws_creds_provider){s_get, s_destroy, "STS AssumeRole", s};
    bool ok = s_dup(&s->role_arn, o->role_arn) && s->role_arn &&
              s_dup(&s->session_name, o->session_name) && s_dup(&s->external_id, o->external_id) &&
              s_dup(&s->policy, o->policy);
    if (!ok || !source) {
        s_destroy(&s->base);
        return NULL;
    }
    return &s->base;
}
