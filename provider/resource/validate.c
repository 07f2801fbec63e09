/*
 * validate: the rules of product.md's schema, with AWS's own limits:
 *   - TableName 3-255 of [a-zA-Z0-9_.-] (DynamoDB CreateTable);
 *   - stack names: a letter first, then [A-Za-z0-9-], at most 128 (CloudFormation);
 *   - key attribute names 1-255 bytes, types S, N or B;
 *   - ProvisionedThroughput only with PROVISIONED and then both capacities >= 1;
 *   - tags: at most 50, key 1-128, value at most 256, no "aws:" prefix;
 *   - timeouts are Go durations (as in the hashicorp/aws provider's timeouts).
 */
#include "validate.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DURATION_NS (366LL * 24 * 3600 * 1000000000LL)

/*
 * Error on attribute a, or on the nested attribute a.b. For a nested attribute the
 * diagnostic's path stops at a, and the detail names a.b: Terraform 1.11 cannot follow
 * a path into an object expression (`hash_key = { name = "", ... }`); given [hash_key,
 * name] it highlights the resource's top-level `name` line instead, while [hash_key]
 * highlights the line that holds the bad value.
 */
static void
s_err(struct diag_list *d, const char *a, const char *b, const char *summary, const char *detail) {
    struct tfv_path p = {0};
    if (tfv_path_of(&p, a, (const char *)NULL) == TPD_OK) {
        if (b) {
            diag_add(d, DIAG_ERROR, &p, summary, "%s.%s: %s", a, b, detail);
        } else {
            diag_add(d, DIAG_ERROR, &p, summary, "%s", detail);
        }
    }
    tfv_path_clear(&p);
}

bool validate_table_name(const char *s) {
    size_t n = strlen(s);
    if (n < 3 || n > 255) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '_' && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

bool validate_stack_name(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > 128 || !isalpha((unsigned char)s[0])) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

bool validate_parse_duration(const char *s, int64_t *out_ns) {
    static const struct {
        const char *unit;
        double ns;
    } units[] = {
        {"ns", 1.0},
        {"us", 1e3},
        {"µs", 1e3},
        {"ms", 1e6},
        {"s", 1e9},
        {"m", 60e9},
        {"h", 3600e9},
    };
    if (!s || !*s) {
        return false;
    }
    double total = 0;
    const char *p = s;
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '.') {
            return false;
        }
        char *end = NULL;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v)) {
            return false;
        }
        p = end;
        /* Longest unit match first ("ms" before "m"). */
        double mult = 0;
        size_t best = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t ul = strlen(units[i].unit);
            if (ul > best && strncmp(p, units[i].unit, ul) == 0) {
                best = ul;
                mult = units[i].ns;
            }
        }
        if (!best) {
            return false;
        }
        p += best;
        total += v * mult;
        if (total > (double)MAX_DURATION_NS) {
            return false;
        }
    }
    if (total < 1) {
        return false;
    }
    *out_ns = (int64_t)total;
    return true;
}

static void s_check_key(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const struct tfv *k = tfv_get(cfg, attr);
    if (tfv_is_null(k) || tfv_is_unknown(k)) {
        return;
    }
    const char *name = tfv_get_str(k, "name");
    if (name && (strlen(name) < 1 || strlen(name) > 255)) {
        s_err(
            d,
            attr,
            "name",
            "Invalid key attribute name",
            "A key attribute name must be 1 to 255 bytes long.");
    }
    const char *type = tfv_get_str(k, "type");
    if (type && strcmp(type, "S") != 0 && strcmp(type, "N") != 0 && strcmp(type, "B") != 0) {
        struct tpd_buf b;
        tpd_buf_init(&b, 0);
        tpd_buf_printf(
            &b,
            "Key type must be \"S\" (string), \"N\" (number) or \"B\" (binary), not \"%s\".",
            type);
        s_err(d, attr, "type", "Invalid key type", tpd_buf_cstr(&b));
        tpd_buf_clear(&b);
    }
}

static void
s_check_capacity(struct diag_list *d, const struct tfv *cfg, const char *attr, bool provisioned) {
    const struct tfv *v = tfv_get(cfg, attr);
    if (tfv_is_unknown(v)) {
        return;
    }
    if (tfv_is_null(v)) {
        if (provisioned) {
            s_err(
                d,
                attr,
                NULL,
                "Missing capacity",
                "billing_mode = \"PROVISIONED\" needs both read_capacity and write_capacity.");
        }
        return;
    }
    if (!provisioned) {
        s_err(
            d,
            attr,
            NULL,
            "Capacity without PROVISIONED billing",
            "read_capacity and write_capacity can only be set with billing_mode = \"PROVISIONED\"; "
            "PAY_PER_REQUEST tables have no provisioned throughput.");
        return;
    }
    int64_t n;
    if (!tfv_get_int(cfg, attr, &n) || n < 1 || n > 40000) {
        s_err(
            d,
            attr,
            NULL,
            "Invalid capacity",
            "Capacity units must be a whole number from 1 to 40000.");
    }
}

static void s_check_tags(struct diag_list *d, const struct tfv *cfg) {
    const struct tfv *tags = tfv_get(cfg, "tags");
    if (tfv_is_null(tags) || tfv_is_unknown(tags) || tags->kind != TFV_MAP) {
        return;
    }
    if (tags->u.map.count > 50) {
        s_err(
            d,
            "tags",
            NULL,
            "Too many tags",
            "CloudFormation and DynamoDB accept at most 50 tags.");
    }
    for (size_t i = 0; i < tags->u.map.count; i++) {
        const char *k = tags->u.map.keys[i];
        const char *v = tfv_str(tags->u.map.vals[i]);
        const char *problem = NULL;
        if (strlen(k) < 1 || strlen(k) > 128) {
            problem = "A tag key must be 1 to 128 characters long.";
        } else if (strncmp(k, "aws:", 4) == 0) {
            problem = "Tag keys starting with \"aws:\" are reserved for AWS.";
        } else if (v && strlen(v) > 256) {
            problem = "A tag value must be at most 256 characters long.";
        } else if (!v && !tfv_is_unknown(tags->u.map.vals[i])) {
            problem = "A tag value must not be null.";
        }
        if (problem) {
            struct tfv_path p = {0};
            tfv_path_push_attr(&p, "tags");
            tfv_path_push_key(&p, k);
            diag_add(d, DIAG_ERROR, &p, "Invalid tag", "%s", problem);
            tfv_path_clear(&p);
        }
    }
}

void validate_ttl_table(const struct tfv *cfg, struct diag_list *d) {
    const char *name = tfv_get_str(cfg, "name");
    if (name && !validate_table_name(name)) {
        s_err(
            d,
            "name",
            NULL,
            "Invalid table name",
            "A DynamoDB table name must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '.' and "
            "'-'.");
    }
    const char *stack = tfv_get_str(cfg, "stack_name");
    if (stack && !validate_stack_name(stack)) {
        s_err(
            d,
            "stack_name",
            NULL,
            "Invalid stack name",
            "A CloudFormation stack name must start with a letter and contain only letters, digits "
            "and '-', at most 128 characters.");
    }
    s_check_key(d, cfg, "hash_key");
    s_check_key(d, cfg, "range_key");
    const char *hk = tfv_get_str(tfv_get(cfg, "hash_key"), "name");
    const char *rk = tfv_get_str(tfv_get(cfg, "range_key"), "name");
    if (hk && rk && strcmp(hk, rk) == 0) {
        s_err(
            d,
            "range_key",
            "name",
            "Duplicate key attribute",
            "The sort key must be a different attribute from the partition key.");
    }

    const struct tfv *bm = tfv_get(cfg, "billing_mode");
    const char *mode = tfv_str(bm);
    if (!tfv_is_unknown(bm)) {
        if (mode && strcmp(mode, "PAY_PER_REQUEST") != 0 && strcmp(mode, "PROVISIONED") != 0) {
            s_err(
                d,
                "billing_mode",
                NULL,
                "Invalid billing mode",
                "billing_mode must be \"PAY_PER_REQUEST\" or \"PROVISIONED\".");
        } else {
            bool prov = mode && strcmp(mode, "PROVISIONED") == 0;
            s_check_capacity(d, cfg, "read_capacity", prov);
            s_check_capacity(d, cfg, "write_capacity", prov);
        }
    }

    const struct tfv *ttl = tfv_get(cfg, "ttl");
    const char *ttl_attr = tfv_get_str(ttl, "attribute_name");
    if (ttl && ttl->kind == TFV_OBJECT && tfv_is_null(tfv_get(ttl, "attribute_name"))) {
        /* `ttl = { attribute_name = null, ... }`: a TTL with no attribute cannot be
         * rendered (CloudFormation needs the name, also to switch TTL off) and would be
         * planned again on every run. */
        s_err(
            d,
            "ttl",
            "attribute_name",
            "Missing TTL attribute name",
            "ttl.attribute_name must be set. To switch Time to Live off, keep the attribute name "
            "and set enabled = false; to stop managing it, remove ttl.");
    }
    if (ttl_attr && (strlen(ttl_attr) < 1 || strlen(ttl_attr) > 255)) {
        s_err(
            d,
            "ttl",
            "attribute_name",
            "Invalid TTL attribute name",
            "The Time to Live attribute name must be 1 to 255 bytes long; to turn TTL off keep the "
            "name and set enabled = false.");
    }

    const struct tfv *to = tfv_get(cfg, "timeouts");
    static const char *const kinds[] = {"create", "update", "delete"};
    for (size_t i = 0; i < 3; i++) {
        const char *s = tfv_get_str(to, kinds[i]);
        int64_t ns;
        if (s && !validate_parse_duration(s, &ns)) {
            s_err(
                d,
                "timeouts",
                kinds[i],
                "Invalid duration",
                "A timeout is a positive duration such as \"30m\", \"1h30m\" or \"90s\" (units ns, "
                "us, ms, s, m, h).");
        }
    }
    s_check_tags(d, cfg);
}

static void s_check_url(struct diag_list *d, const struct tfv *block, const char *attr) {
    const char *u = tfv_get_str(block, attr);
    if (!u) {
        return;
    }
    bool ok = false;
    CURLU *h = curl_url();
    if (h && curl_url_set(h, CURLUPART_URL, u, 0) == CURLUE_OK) {
        char *scheme = NULL, *host = NULL;
        if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
            curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
            ok = (!strcmp(scheme, "http") || !strcmp(scheme, "https")) && host[0];
        }
        curl_free(scheme);
        curl_free(host);
    }
    curl_url_cleanup(h);
    if (!ok) {
        s_err(
            d,
            "endpoints",
            attr,
            "Invalid endpoint URL",
            "An endpoint must be an absolute http:// or https:// URL with a host, e.g. "
            "\"http://127.0.0.1:4566\".");
    }
}

/* A proxy URL: a scheme libcurl speaks to proxies with, and a host. */
static void s_check_proxy(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const char *u = tfv_get_str(cfg, attr);
    if (!u) {
        return;
    }
    static const char *const schemes[] = {
        "http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL};
    bool ok = false;
    CURLU *h = curl_url();
    /* socks* are proxy schemes, not transfer protocols: the parser must be told. */
    if (h && curl_url_set(h, CURLUPART_URL, u, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        char *scheme = NULL, *host = NULL;
        if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
            curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0]) {
            for (size_t i = 0; schemes[i] && !ok; i++) {
                ok = strcmp(scheme, schemes[i]) == 0;
            }
        }
        curl_free(scheme);
        curl_free(host);
    }
    curl_url_cleanup(h);
    if (!ok) {
        s_err(
            d,
            attr,
            NULL,
            "Invalid proxy URL",
            "A proxy is an absolute URL with a host: http://, https://, socks4://, socks4a://, "
            "socks5:// or socks5h://, e.g. \"http://proxy.example.com:3128\".");
    }
}

/* The settings that decide how AWS is reached (TLS, proxies, retries). */
static void s_check_network(const struct tfv *cfg, struct diag_list *d) {
    const char *ca = tfv_get_str(cfg, "custom_ca_bundle");
    if (ca && !*ca) {
        s_err(
            d,
            "custom_ca_bundle",
            NULL,
            "Empty custom_ca_bundle",
            "custom_ca_bundle is the path of a PEM file; omit it to use AWS_CA_BUNDLE, the "
            "profile's ca_bundle or the system's certificate authorities.");
    }
    s_check_proxy(d, cfg, "http_proxy");
    s_check_proxy(d, cfg, "https_proxy");
    const char *mode = tfv_get_str(cfg, "retry_mode");
    if (mode && strcmp(mode, "standard") != 0) {
        bool known = strcmp(mode, "adaptive") == 0 || strcmp(mode, "legacy") == 0;
        s_err(
            d,
            "retry_mode",
            NULL,
            known ? "Unsupported retry mode" : "Invalid retry mode",
            known ? "This provider implements the standard retry mode only (exponential backoff "
                    "with full jitter and a retry quota); it has no client-side rate limiting as "
                    "\"adaptive\" would need. Use \"standard\" or leave retry_mode out."
                  : "retry_mode must be \"standard\".");
    }
}

static void s_check_region(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const char *region = tfv_get_str(cfg, attr);
    if (region) {
        bool ok = strlen(region) >= 1 && strlen(region) <= 64;
        for (const char *p = region; ok && *p; p++) {
            ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-';
        }
        if (!ok) {
            s_err(
                d,
                attr,
                NULL,
                "Invalid region",
                "A region is lower-case letters, digits and '-', such as \"us-east-1\".");
        }
    }
}

/* Elements of a known list/set attribute (NULL when null or unknown). */
static const struct tfv *s_known_list(const struct tfv *cfg, const char *attr) {
    const struct tfv *v = tfv_get(cfg, attr);
    return v && (v->kind == TFV_LIST || v->kind == TFV_SET) ? v : NULL;
}

static void s_check_accounts(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const struct tfv *v = s_known_list(cfg, attr);
    for (size_t i = 0; v && i < v->u.list.count; i++) {
        const char *s = tfv_str(v->u.list.items[i]);
        bool ok = s && strlen(s) == 12;
        for (const char *p = s; ok && *p; p++) {
            ok = isdigit((unsigned char)*p);
        }
        if (s && !ok) {
            s_err(d, attr, NULL, "Invalid AWS account ID", "An AWS account ID is 12 digits.");
            return;
        }
    }
}

static void s_check_files(struct diag_list *d, const struct tfv *cfg, const char *attr) {
    const struct tfv *v = s_known_list(cfg, attr);
    for (size_t i = 0; v && i < v->u.list.count; i++) {
        const char *s = tfv_str(v->u.list.items[i]);
        if (s && !*s) {
            s_err(d, attr, NULL, "Empty file name", "Each entry must be a file path.");
            return;
        }
    }
}

void validate_provider_config(const struct tfv *cfg, struct diag_list *d) {
    s_check_network(cfg, d);
    s_check_region(d, cfg, "region");
    s_check_region(d, cfg, "sts_region");
    s_check_accounts(d, cfg, "allowed_account_ids");
    s_check_accounts(d, cfg, "forbidden_account_ids");
    const struct tfv *al = s_known_list(cfg, "allowed_account_ids");
    const struct tfv *fo = s_known_list(cfg, "forbidden_account_ids");
    if (al && fo) {
        s_err(
            d,
            "forbidden_account_ids",
            NULL,
            "Conflicting account lists",
            "Set allowed_account_ids or forbidden_account_ids, not both.");
    }
    s_check_files(d, cfg, "shared_config_files");
    s_check_files(d, cfg, "shared_credentials_files");
    const struct tfv *mr = tfv_get(cfg, "max_retries");
    if (!tfv_is_null(mr) && !tfv_is_unknown(mr)) {
        int64_t n;
        if (!tfv_get_int(cfg, "max_retries", &n) || n < 0 || n > 100) {
            s_err(
                d,
                "max_retries",
                NULL,
                "Invalid max_retries",
                "max_retries must be a whole number from 0 to 100.");
        }
    }
    const struct tfv *ak = tfv_get(cfg, "access_key"), *sk = tfv_get(cfg, "secret_key");
    if (!tfv_is_unknown(ak) && !tfv_is_unknown(sk)) {
        const char *a = tfv_str(ak), *s = tfv_str(sk);
        if (a && !*a) {
            s_err(
                d,
                "access_key",
                NULL,
                "Empty access_key",
                "access_key must not be empty; omit it to use the credential chain.");
        } else if (s && !*s) {
            s_err(
                d,
                "secret_key",
                NULL,
                "Empty secret_key",
                "secret_key must not be empty; omit it to use the credential chain.");
        } else if (a && !s) {
            s_err(
                d,
                "secret_key",
                NULL,
                "Missing secret_key",
                "access_key is set, so secret_key must be set too.");
        } else if (s && !a) {
            s_err(
                d,
                "access_key",
                NULL,
                "Missing access_key",
                "secret_key is set, so access_key must be set too.");
        }
    }
    const struct tfv *ep = tfv_get(cfg, "endpoints");
    if (!tfv_is_null(ep) && !tfv_is_unknown(ep)) {
        s_check_url(d, ep, "dynamodb");
        s_check_url(d, ep, "cloudformation");
        s_check_url(d, ep, "sts");
    }
    const struct tfv *ar = tfv_get(cfg, "assume_role");
    const char *arn = tfv_get_str(ar, "role_arn");
    if (arn && strncmp(arn, "arn:", 4) != 0) {
        s_err(
            d,
            "assume_role",
            "role_arn",
            "Invalid role ARN",
            "role_arn must be an IAM role ARN such as \"arn:aws:iam::123456789012:role/name\".");
    }
    const char *sn = tfv_get_str(ar, "session_name");
    if (sn && (strlen(sn) < 2 || strlen(sn) > 64)) {
        s_err(
            d,
            "assume_role",
            "session_name",
            "Invalid session name",
            "session_name must be 2 to 64 characters.");
    }
    const char *dur = tfv_get_str(ar, "duration");
    int64_t ns = 0;
    /* roleDurationSecondsType in botocore's STS model: 900 to 43200 seconds. */
    if (dur && (!validate_parse_duration(dur, &ns) || ns < 900 * 1000000000LL ||
                ns > 43200 * 1000000000LL || ns % 1000000000LL != 0)) {
        s_err(
            d,
            "assume_role",
            "duration",
            "Invalid duration",
            "duration must be whole seconds from 15m to 12h, such as \"1h\".");
    }
    const char *pol = tfv_get_str(ar, "policy");
    if (pol) {
        /* sessionPolicyDocumentType: 1 to 2048 characters, and IAM wants a JSON object. */
        json_error_t je;
        json_t *j = json_loads(pol, 0, &je);
        if (!json_is_object(j) || strlen(pol) > 2048) {
            s_err(
                d,
                "assume_role",
                "policy",
                "Invalid policy",
                "policy must be an IAM policy document: a JSON object of at most 2048 "
                "characters.");
        }
        json_decref(j);
    }
}
