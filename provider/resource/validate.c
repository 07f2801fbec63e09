/*
 * validate: the rules of the schema (docs/resource.md "Attributes"), with AWS's own
 * limits (docs/aws-behaviour.md §2.1, §4.1, §5.2):
 *   - TableName 3-255 of [a-zA-Z0-9_.-] (DynamoDB CreateTable);
 *   - stack names: a letter first, then [A-Za-z0-9-], at most 128 (CloudFormation);
 *   - key attribute names 1-255 bytes, types S, N or B;
 *   - ProvisionedThroughput only with PROVISIONED and then both capacities >= 1;
 *   - tags: at most 50, key 1-128, value at most 256, no "aws:" prefix;
 *   - secondary indexes: names as table names and unique, at most 20 GSIs and 5 LSIs
 *     (LSIs need the table's sort key), at most 100 projected non-key attributes summed
 *     over all indexes, INCLUDE with non_key_attributes and nothing else with them, GSI
 *     capacities as the table's; one attribute name has one key type;
 *   - stream view types, table classes, on-demand maxima (PAY_PER_REQUEST, >= 1) and
 *     KMS key ARNs;
 *   - timeouts are Go durations (as in the hashicorp/aws provider's timeouts).
 * The provider's configuration is checked in validate_provider.c.
 */
#include "validate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "restore.h"
#include "tpd_text.h"
#include "validate_internal.h"

#define MAX_DURATION_NS (366LL * 24 * 3600 * 1000000000LL)

void validate_err(
    struct diag_list *d, const char *a, const char *b, const char *summary, const char *detail) {
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

/* A detail built at run time, or what happened to it: the error stands either way. */
static const char *s_detail(const struct tpd_text *t) {
    return tpd_text_cstr_or(t, "Out of memory writing the details of this error.");
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
        validate_err(
            d,
            attr,
            "name",
            "Invalid key attribute name",
            "A key attribute name must be 1 to 255 bytes long.");
    }
    const char *type = tfv_get_str(k, "type");
    if (type && strcmp(type, "S") != 0 && strcmp(type, "N") != 0 && strcmp(type, "B") != 0) {
        struct tpd_text b;
        tpd_text_init(&b, 0);
        tpd_text_printf(
            &b,
            "Key type must be \"S\" (string), \"N\" (number) or \"B\" (binary), not \"%s\".",
            type);
        validate_err(d, attr, "type", "Invalid key type", s_detail(&b));
        tpd_text_clear(&b);
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
            validate_err(
                d,
                attr,
                NULL,
                "Missing capacity",
                "billing_mode = \"PROVISIONED\" needs both read_capacity and write_capacity.");
        }
        return;
    }
    if (!provisioned) {
        validate_err(
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
        validate_err(
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
        validate_err(
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
            if (tfv_path_push_attr(&p, "tags") != TPD_OK || tfv_path_push_key(&p, k) != TPD_OK) {
                tfv_path_clear(&p); /* out of memory: the diagnostic goes without its path */
            }
            diag_add(d, DIAG_ERROR, &p, "Invalid tag", "%s", problem);
            tfv_path_clear(&p);
        }
    }
}

/*
 * Error on element `index` of the list attribute a (its field b, may be NULL). The path
 * is [a, index]: Terraform points at that element of the list; the detail names the
 * field, as s_err does for the attributes of an object.
 */
static void s_err_elem(
    struct diag_list *d,
    const char *a,
    size_t index,
    const char *name,
    const char *b,
    const char *summary,
    const char *detail) {
    struct tfv_path p = {0};
    if (tfv_path_push_attr(&p, a) == TPD_OK && tfv_path_push_index(&p, (int64_t)index) == TPD_OK) {
        diag_add(
            d,
            DIAG_ERROR,
            &p,
            summary,
            "%s[%zu]%s%s%s%s%s: %s",
            a,
            index,
            name ? " (" : "",
            name ? name : "",
            name ? ")" : "",
            b ? "." : "",
            b ? b : "",
            detail);
    }
    tfv_path_clear(&p);
}

static bool s_is_key_type(const char *t) {
    return t && (strcmp(t, "S") == 0 || strcmp(t, "N") == 0 || strcmp(t, "B") == 0);
}

/* The key object k (hash_key / range_key) of an index element. */
static void s_check_index_key(
    struct diag_list *d,
    const char *list,
    size_t i,
    const char *name,
    const struct tfv *elem,
    const char *field) {
    const struct tfv *k = tfv_get(elem, field);
    const char *kn = tfv_get_str(k, "name"), *kt = tfv_get_str(k, "type");
    if (kn && (strlen(kn) < 1 || strlen(kn) > 255)) {
        s_err_elem(
            d,
            list,
            i,
            name,
            field,
            "Invalid key attribute name",
            "A key attribute name must be 1 to 255 bytes long.");
    }
    if (kt && !s_is_key_type(kt)) {
        s_err_elem(
            d,
            list,
            i,
            name,
            field,
            "Invalid key type",
            "Key type must be \"S\" (string), \"N\" (number) or \"B\" (binary).");
    }
}

/* Attribute names already used as keys, with their types: one name, one type. */
struct s_key_types {
    const char *name[2 + 2 * 25];
    const char *type[2 + 2 * 25];
    size_t n;
};

/* Record key k (name, type); on a conflict report it on element i of list (or on attr). */
static void s_key_type_use(
    struct s_key_types *kt,
    struct diag_list *d,
    const struct tfv *k,
    const char *list,
    size_t i,
    const char *iname,
    const char *field) {
    const char *kn = tfv_get_str(k, "name"), *ty = tfv_get_str(k, "type");
    if (!kn || !s_is_key_type(ty)) {
        return;
    }
    for (size_t j = 0; j < kt->n; j++) {
        if (strcmp(kt->name[j], kn) == 0) {
            if (strcmp(kt->type[j], ty) != 0) {
                struct tpd_text b;
                tpd_text_init(&b, 0);
                tpd_text_printf(
                    &b,
                    "Attribute \"%s\" is used as a key with type %s elsewhere and with type %s "
                    "here; DynamoDB defines each attribute once (AttributeDefinitions), with one "
                    "type.",
                    kn,
                    kt->type[j],
                    ty);
                if (list) {
                    s_err_elem(d, list, i, iname, field, "Conflicting key types", s_detail(&b));
                } else {
                    validate_err(d, field, "type", "Conflicting key types", s_detail(&b));
                }
                tpd_text_clear(&b);
            }
            return;
        }
    }
    if (kt->n < sizeof kt->name / sizeof kt->name[0]) {
        kt->name[kt->n] = kn;
        kt->type[kt->n] = ty;
        kt->n++;
    }
}

static bool s_valid_index_name(const char *s) {
    return validate_table_name(s); /* the same rule: 3-255 of [A-Za-z0-9_.-] */
}

/* A capacity of an index: required with PROVISIONED (1..40000), refused without. */
static void s_check_index_capacity(
    struct diag_list *d,
    const char *list,
    size_t i,
    const char *name,
    const struct tfv *elem,
    const char *field,
    bool provisioned,
    bool billing_known) {
    const struct tfv *v = tfv_get(elem, field);
    if (tfv_is_unknown(v) || !billing_known) {
        return;
    }
    if (tfv_is_null(v)) {
        if (provisioned) {
            s_err_elem(
                d,
                list,
                i,
                name,
                field,
                "Missing capacity",
                "billing_mode = \"PROVISIONED\" needs read_capacity and write_capacity on every "
                "global secondary index too.");
        }
        return;
    }
    int64_t n;
    if (!provisioned) {
        s_err_elem(
            d,
            list,
            i,
            name,
            field,
            "Capacity without PROVISIONED billing",
            "An index has read_capacity and write_capacity only with billing_mode = "
            "\"PROVISIONED\".");
    } else if (!tfv_get_int(elem, field, &n) || n < 1 || n > 40000) {
        s_err_elem(
            d,
            list,
            i,
            name,
            field,
            "Invalid capacity",
            "Capacity units must be a whole number from 1 to 40000.");
    }
}

/* projection_type and non_key_attributes of an index; adds the projected attribute
 * count to *projected. */
static void s_check_projection(
    struct diag_list *d,
    const char *list,
    size_t i,
    const char *name,
    const struct tfv *elem,
    size_t *projected) {
    const struct tfv *pt = tfv_get(elem, "projection_type");
    const char *p = tfv_str(pt);
    const struct tfv *nka = tfv_get(elem, "non_key_attributes");
    bool has_nka = nka && (nka->kind == TFV_SET || nka->kind == TFV_LIST);
    if (p && strcmp(p, "ALL") != 0 && strcmp(p, "KEYS_ONLY") != 0 && strcmp(p, "INCLUDE") != 0) {
        s_err_elem(
            d,
            list,
            i,
            name,
            "projection_type",
            "Invalid projection type",
            "projection_type must be \"ALL\" (the default), \"KEYS_ONLY\" or \"INCLUDE\".");
        return;
    }
    if (tfv_is_unknown(pt) || tfv_is_unknown(nka)) {
        return;
    }
    bool include = p && strcmp(p, "INCLUDE") == 0;
    if (include && (!has_nka || nka->u.list.count == 0)) {
        s_err_elem(
            d,
            list,
            i,
            name,
            "non_key_attributes",
            "Missing non_key_attributes",
            "projection_type = \"INCLUDE\" projects the attributes named in "
            "non_key_attributes: list at least one.");
    } else if (!include && has_nka) {
        s_err_elem(
            d,
            list,
            i,
            name,
            "non_key_attributes",
            "non_key_attributes without INCLUDE",
            "non_key_attributes go with projection_type = \"INCLUDE\" only (ALL projects every "
            "attribute, KEYS_ONLY none but the keys).");
    }
    for (size_t j = 0; has_nka && j < nka->u.list.count; j++) {
        const char *a = tfv_str(nka->u.list.items[j]);
        if (a && (strlen(a) < 1 || strlen(a) > 255)) {
            s_err_elem(
                d,
                list,
                i,
                name,
                "non_key_attributes",
                "Invalid attribute name",
                "A projected attribute name must be 1 to 255 bytes long.");
            break;
        }
    }
    if (has_nka) {
        *projected += nka->u.list.count;
    }
}

/* global_secondary_indexes and local_secondary_indexes (DynamoDB's limits: 20 GSIs, 5
 * LSIs, 100 projected non-key attributes summed over all indexes, names unique). */
static void s_check_indexes(struct diag_list *d, const struct tfv *cfg) {
    const struct tfv *bm = tfv_get(cfg, "billing_mode");
    const char *mode = tfv_str(bm);
    bool provisioned = mode && strcmp(mode, "PROVISIONED") == 0;
    bool billing_known = !tfv_is_unknown(bm);
    struct s_key_types kt = {{0}, {0}, 0};
    s_key_type_use(&kt, d, tfv_get(cfg, "hash_key"), NULL, 0, NULL, "hash_key");
    const char *table_hash = tfv_get_str(tfv_get(cfg, "hash_key"), "name");
    const char *table_range = tfv_get_str(tfv_get(cfg, "range_key"), "name");
    if (!table_hash || !table_range || strcmp(table_hash, table_range) != 0) {
        /* (the same name twice is "Duplicate key attribute" already) */
        s_key_type_use(&kt, d, tfv_get(cfg, "range_key"), NULL, 0, NULL, "range_key");
    }
    bool has_range = !tfv_is_null(tfv_get(cfg, "range_key"));
    size_t projected = 0;
    static const char *const lists[] = {"global_secondary_indexes", "local_secondary_indexes"};
    const char *seen[25] = {0};
    size_t nseen = 0;
    for (size_t li = 0; li < 2; li++) {
        bool gsi = li == 0;
        const struct tfv *l = tfv_get(cfg, lists[li]);
        if (!l || l->kind != TFV_LIST) {
            continue;
        }
        size_t max = gsi ? 20 : 5;
        if (l->u.list.count > max) {
            validate_err(
                d,
                lists[li],
                NULL,
                gsi ? "Too many global secondary indexes" : "Too many local secondary indexes",
                gsi ? "DynamoDB allows at most 20 global secondary indexes per table."
                    : "DynamoDB allows at most 5 local secondary indexes per table.");
        }
        if (!gsi && l->u.list.count && !has_range) {
            validate_err(
                d,
                lists[li],
                NULL,
                "Local secondary index without a sort key",
                "A local secondary index keeps the table's partition key with another sort key: "
                "the table needs range_key.");
        }
        for (size_t i = 0; i < l->u.list.count; i++) {
            const struct tfv *e = l->u.list.items[i];
            if (!e || e->kind != TFV_OBJECT) {
                continue;
            }
            const char *name = tfv_get_str(e, "name");
            if (name && !s_valid_index_name(name)) {
                s_err_elem(
                    d,
                    lists[li],
                    i,
                    NULL,
                    "name",
                    "Invalid index name",
                    "An index name must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '.' and "
                    "'-'.");
            }
            for (size_t j = 0; name && j < nseen; j++) {
                if (strcmp(seen[j], name) == 0) {
                    s_err_elem(
                        d,
                        lists[li],
                        i,
                        name,
                        "name",
                        "Duplicate index name",
                        "Index names must be unique across the table's global and local "
                        "secondary indexes.");
                    break;
                }
            }
            if (name && nseen < sizeof seen / sizeof seen[0]) {
                seen[nseen++] = name;
            }
            if (gsi) {
                s_check_index_key(d, lists[li], i, name, e, "hash_key");
                s_key_type_use(&kt, d, tfv_get(e, "hash_key"), lists[li], i, name, "hash_key");
                s_check_index_capacity(
                    d, lists[li], i, name, e, "read_capacity", provisioned, billing_known);
                s_check_index_capacity(
                    d, lists[li], i, name, e, "write_capacity", provisioned, billing_known);
            }
            s_check_index_key(d, lists[li], i, name, e, "range_key");
            s_key_type_use(&kt, d, tfv_get(e, "range_key"), lists[li], i, name, "range_key");
            const char *hk = gsi ? tfv_get_str(tfv_get(e, "hash_key"), "name") : table_hash;
            const char *rk = tfv_get_str(tfv_get(e, "range_key"), "name");
            if (hk && rk && strcmp(hk, rk) == 0) {
                s_err_elem(
                    d,
                    lists[li],
                    i,
                    name,
                    "range_key",
                    "Duplicate key attribute",
                    "The sort key of an index must be a different attribute from its partition "
                    "key.");
            }
            s_check_projection(d, lists[li], i, name, e, &projected);
        }
    }
    if (projected > 100) {
        validate_err(
            d,
            tfv_is_null(tfv_get(cfg, "global_secondary_indexes")) ? "local_secondary_indexes"
                                                                  : "global_secondary_indexes",
            NULL,
            "Too many projected attributes",
            "DynamoDB allows at most 100 projected non-key attributes summed over all secondary "
            "indexes of a table (an attribute projected into two indexes counts twice).");
    }
}

/* A KMS key ARN: arn:PARTITION:kms:REGION:ACCOUNT:key/ID (DescribeTable reports the key's
 * ARN, so a key id or an alias would never compare equal). */
static bool s_kms_key_arn(const char *s) {
    if (strncmp(s, "arn:", 4) != 0) {
        return false;
    }
    const char *p = strchr(s + 4, ':'); /* after the partition */
    if (!p || p == s + 4 || strncmp(p, ":kms:", 5) != 0) {
        return false;
    }
    const char *region = p + 5;
    const char *acct = strchr(region, ':');
    const char *res = acct ? strchr(acct + 1, ':') : NULL;
    if (!acct || acct == region || !res || res - acct - 1 != 12) {
        return false;
    }
    for (const char *q = acct + 1; q < res; q++) {
        if (!isdigit((unsigned char)*q)) {
            return false;
        }
    }
    return strncmp(res + 1, "key/", 4) == 0 && res[5] != '\0' && strlen(s) <= 2048;
}

static void s_check_extras(struct diag_list *d, const struct tfv *cfg) {
    const char *vt = tfv_get_str(tfv_get(cfg, "stream"), "view_type");
    if (vt && strcmp(vt, "NEW_IMAGE") != 0 && strcmp(vt, "OLD_IMAGE") != 0 &&
        strcmp(vt, "NEW_AND_OLD_IMAGES") != 0 && strcmp(vt, "KEYS_ONLY") != 0) {
        validate_err(
            d,
            "stream",
            "view_type",
            "Invalid stream view type",
            "view_type must be \"NEW_IMAGE\", \"OLD_IMAGE\", \"NEW_AND_OLD_IMAGES\" or "
            "\"KEYS_ONLY\".");
    }
    const char *key = tfv_get_str(tfv_get(cfg, "server_side_encryption"), "kms_key_arn");
    if (key && !s_kms_key_arn(key)) {
        validate_err(
            d,
            "server_side_encryption",
            "kms_key_arn",
            "Invalid KMS key ARN",
            "kms_key_arn is the ARN of a customer managed KMS key, such as "
            "\"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\" "
            "(DynamoDB reports the key's ARN, so a key id or an alias would never match); leave "
            "it null for the AWS managed key.");
    }
    const char *tc = tfv_get_str(cfg, "table_class");
    if (tc && strcmp(tc, "STANDARD") != 0 && strcmp(tc, "STANDARD_INFREQUENT_ACCESS") != 0) {
        validate_err(
            d,
            "table_class",
            NULL,
            "Invalid table class",
            "table_class must be \"STANDARD\" or \"STANDARD_INFREQUENT_ACCESS\".");
    }
    const struct tfv *od = tfv_get(cfg, "on_demand_throughput");
    if (od && od->kind == TFV_OBJECT) {
        const struct tfv *bm = tfv_get(cfg, "billing_mode");
        const char *mode = tfv_str(bm);
        if (!tfv_is_unknown(bm) && mode && strcmp(mode, "PROVISIONED") == 0) {
            validate_err(
                d,
                "on_demand_throughput",
                NULL,
                "On-demand throughput without PAY_PER_REQUEST",
                "on_demand_throughput limits a PAY_PER_REQUEST table; a PROVISIONED table has "
                "read_capacity and write_capacity instead.");
        }
        static const char *const k[] = {"max_read_request_units", "max_write_request_units"};
        size_t set = 0;
        for (size_t i = 0; i < 2; i++) {
            const struct tfv *v = tfv_get(od, k[i]);
            int64_t n;
            if (tfv_is_null(v)) {
                continue;
            }
            set++;
            if (!tfv_is_unknown(v) && (!tfv_get_int(od, k[i], &n) || n < 1)) {
                validate_err(
                    d,
                    "on_demand_throughput",
                    k[i],
                    "Invalid request units",
                    "A maximum of request units is a whole number of at least 1 (null: no "
                    "limit).");
            }
        }
        if (!set) {
            validate_err(
                d,
                "on_demand_throughput",
                NULL,
                "Empty on_demand_throughput",
                "Set max_read_request_units, max_write_request_units or both; to remove the "
                "limits, remove on_demand_throughput.");
        }
    }
}

void validate_ttl_table(const struct tfv *config, struct diag_list *diags) {
    const char *name = tfv_get_str(config, "name");
    if (name && !validate_table_name(name)) {
        validate_err(
            diags,
            "name",
            NULL,
            "Invalid table name",
            "A DynamoDB table name must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '.' and "
            "'-'.");
    }
    const char *stack = tfv_get_str(config, "stack_name");
    if (stack && !validate_stack_name(stack)) {
        validate_err(
            diags,
            "stack_name",
            NULL,
            "Invalid stack name",
            "A CloudFormation stack name must start with a letter and contain only letters, digits "
            "and '-', at most 128 characters.");
    }
    s_check_key(diags, config, "hash_key");
    s_check_key(diags, config, "range_key");
    const char *hk = tfv_get_str(tfv_get(config, "hash_key"), "name");
    const char *rk = tfv_get_str(tfv_get(config, "range_key"), "name");
    if (hk && rk && strcmp(hk, rk) == 0) {
        validate_err(
            diags,
            "range_key",
            "name",
            "Duplicate key attribute",
            "The sort key must be a different attribute from the partition key.");
    }

    const struct tfv *bm = tfv_get(config, "billing_mode");
    const char *mode = tfv_str(bm);
    if (!tfv_is_unknown(bm)) {
        if (mode && strcmp(mode, "PAY_PER_REQUEST") != 0 && strcmp(mode, "PROVISIONED") != 0) {
            validate_err(
                diags,
                "billing_mode",
                NULL,
                "Invalid billing mode",
                "billing_mode must be \"PAY_PER_REQUEST\" or \"PROVISIONED\".");
        } else {
            bool prov = mode && strcmp(mode, "PROVISIONED") == 0;
            s_check_capacity(diags, config, "read_capacity", prov);
            s_check_capacity(diags, config, "write_capacity", prov);
        }
    }

    const struct tfv *ttl = tfv_get(config, "ttl");
    const char *ttl_attr = tfv_get_str(ttl, "attribute_name");
    if (ttl && ttl->kind == TFV_OBJECT && tfv_is_null(tfv_get(ttl, "attribute_name"))) {
        /* `ttl = { attribute_name = null, ... }`: a TTL with no attribute cannot be
         * rendered (CloudFormation needs the name, also to switch TTL off) and would be
         * planned again on every run. */
        validate_err(
            diags,
            "ttl",
            "attribute_name",
            "Missing TTL attribute name",
            "ttl.attribute_name must be set. To switch Time to Live off, keep the attribute name "
            "and set enabled = false; to stop managing it, remove ttl.");
    }
    if (ttl_attr && (strlen(ttl_attr) < 1 || strlen(ttl_attr) > 255)) {
        validate_err(
            diags,
            "ttl",
            "attribute_name",
            "Invalid TTL attribute name",
            "The Time to Live attribute name must be 1 to 255 bytes long; to turn TTL off keep the "
            "name and set enabled = false.");
    }

    const struct tfv *to = tfv_get(config, "timeouts");
    static const char *const kinds[] = {"create", "update", "delete"};
    for (size_t i = 0; i < 3; i++) {
        const char *s = tfv_get_str(to, kinds[i]);
        int64_t ns;
        if (s && !validate_parse_duration(s, &ns)) {
            validate_err(
                diags,
                "timeouts",
                kinds[i],
                "Invalid duration",
                "A timeout is a positive duration such as \"30m\", \"1h30m\" or \"90s\" (units ns, "
                "us, ms, s, m, h).");
        }
    }
    s_check_tags(diags, config);
    s_check_indexes(diags, config);
    s_check_extras(diags, config);
    restore_validate(config, diags);
    validate_table_features(config, diags);
}
