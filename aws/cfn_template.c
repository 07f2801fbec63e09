/*
 * cfn_template: JSON or YAML template text into a JSON tree (see cfn_template.h).
 * YAML goes through libyaml's document API, then a bounded recursive conversion.
 */
#include "cfn_template.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "tpd_limits.h"

struct s_conv {
    yaml_document_t *doc;
    size_t nodes;
    enum tpd_code rc;
};

static json_t *s_node(struct s_conv *c, yaml_node_t *n, int depth);

static json_t *s_scalar(const yaml_node_t *n) {
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if ((len == 4 && (!memcmp(v, "true", 4) || !memcmp(v, "True", 4))) ||
            (len == 4 && !memcmp(v, "TRUE", 4))) {
            return json_true();
        }
        if (len == 5 &&
            (!memcmp(v, "false", 5) || !memcmp(v, "False", 5) || !memcmp(v, "FALSE", 5))) {
            return json_false();
        }
        if ((len == 4 && !memcmp(v, "null", 4)) || (len == 1 && v[0] == '~') || len == 0) {
            return json_null();
        }
    }
    return json_stringn(v, len);
}

/* The long form of a short-form tag ("!Ref" -> "Ref", "!Sub" -> "Fn::Sub"), or NULL
 * for the standard YAML tags. */
/* The intrinsic function a short-form tag names ("!Sub" -> "Fn::Sub", "!Ref" -> "Ref"),
 * in buf (the caller's, cleared by it); NULL when the node has no such tag, or when the
 * name cannot be built (*rc then says why). */
static const char *s_tag_function(const yaml_node_t *n, struct tpd_buf *buf, enum tpd_code *rc) {
    const char *tag = (const char *)n->tag;
    if (!tag || tag[0] != '!' || tag[1] == '!' || !tag[1]) {
        return NULL;
    }
    const char *name = tag + 1;
    if (!strcmp(name, "Ref") || !strcmp(name, "Condition")) {
        return name;
    }
    *rc = tpd_buf_printf(buf, "Fn::%s", name);
    return *rc ? NULL : tpd_buf_cstr(buf);
}

static json_t *s_wrap(const char *fn, json_t *v, const yaml_node_t *n) {
    if (!v) {
        return NULL;
    }
    /* !GetAtt Logical.Attr is a string in short form, a list in long form. */
    if (!strcmp(fn, "Fn::GetAtt") && n->type == YAML_SCALAR_NODE && json_is_string(v)) {
        const char *s = json_string_value(v);
        const char *dot = strchr(s, '.');
        if (dot) {
            json_t *l = json_pack("[s#,s]", s, (int)(dot - s), dot + 1);
            json_decref(v);
            v = l;
            if (!v) {
                return NULL;
            }
        }
    }
    json_t *o = json_object();
    if (!o || json_object_set_new(o, fn, v)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *s_node(struct s_conv *c, yaml_node_t *n, int depth) {
    if (!n || c->rc) {
        return NULL;
    }
    if (depth > TPD_MAX_NESTING || ++c->nodes > TPD_MAX_TEMPLATE_NODES) {
        c->rc = TPD_E_TOO_LARGE;
        return NULL;
    }
    json_t *v = NULL;
    switch (n->type) {
        case YAML_SCALAR_NODE:
            v = s_scalar(n);
            break;
        case YAML_SEQUENCE_NODE:
            v = json_array();
            for (yaml_node_item_t *i = n->data.sequence.items.start;
                 v && i < n->data.sequence.items.top;
                 i++) {
                json_t *e = s_node(c, yaml_document_get_node(c->doc, *i), depth + 1);
                if (!e || json_array_append_new(v, e)) {
                    json_decref(v);
                    v = NULL;
                }
            }
            break;
        case YAML_MAPPING_NODE:
            v = json_object();
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
                 v && p < n->data.mapping.pairs.top;
                 p++) {
                yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
                if (!k || k->type != YAML_SCALAR_NODE) {
                    c->rc = c->rc ? c->rc : TPD_E_PARSE;
                    json_decref(v);
                    v = NULL;
                    break;
                }
                json_t *e = s_node(c, yaml_document_get_node(c->doc, p->value), depth + 1);
                size_t klen = k->data.scalar.length;
                char *key = e && klen <= TPD_MAX_NAME
                                ? tpd_strndup((const char *)k->data.scalar.value, klen)
                                : NULL;
                if (!key) {
                    json_decref(e);
                    c->rc =
                        c->rc ? c->rc : (e && klen > TPD_MAX_NAME ? TPD_E_TOO_LARGE : TPD_E_NOMEM);
                    json_decref(v);
                    v = NULL;
                    break;
                }
                if (json_object_set_new(v, key, e)) {
                    json_decref(v);
                    v = NULL;
                }
                free(key);
            }
            break;
        case YAML_NO_NODE:
        default:
            v = json_null();
            break;
    }
    if (!v) {
        c->rc = c->rc ? c->rc : TPD_E_NOMEM;
        return NULL;
    }
    struct tpd_buf buf;
    tpd_buf_init(&buf, TPD_MAX_NAME);
    enum tpd_code frc = TPD_OK;
    const char *fn = s_tag_function(n, &buf, &frc);
    if (fn) {
        v = s_wrap(fn, v, n);
        if (!v) {
            c->rc = TPD_E_NOMEM;
        }
    } else if (frc) {
        json_decref(v);
        v = NULL;
        c->rc = c->rc ? c->rc : frc;
    }
    tpd_buf_clear(&buf);
    return v;
}

static enum tpd_code s_load_yaml(struct tpd_span text, json_t **out, struct tpd_err *err) {
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        return tpd_err_set(err, TPD_E_NOMEM, "template: cannot start the YAML parser");
    }
    yaml_parser_set_input_string(&parser, text.ptr, text.len);
    enum tpd_code rc = TPD_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = tpd_err_set(
            err,
            TPD_E_PARSE,
            "template is neither JSON nor valid YAML: %s at line %zu",
            parser.problem ? parser.problem : "syntax error",
            (size_t)parser.problem_mark.line + 1);
        yaml_parser_delete(&parser);
        return rc;
    }
    struct s_conv c = {&doc, 0, TPD_OK};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    json_t *v = root ? s_node(&c, root, 0) : NULL;
    if (c.rc || !v || !json_is_object(v)) {
        json_decref(v);
        rc = c.rc == TPD_E_TOO_LARGE
                 ? tpd_err_set(err, TPD_E_TOO_LARGE, "template: YAML nested or aliased too deeply")
             : c.rc == TPD_E_NOMEM ? tpd_err_set(err, TPD_E_NOMEM, "template: out of memory")
                                   : tpd_err_set(err, TPD_E_PARSE, "template: not a YAML mapping");
    } else {
        *out = v;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

enum tpd_code cfn_template_load(struct tpd_span text, json_t **out, struct tpd_err *err) {
    *out = NULL;
    if (text.len > TPD_MAX_TEMPLATE_TEXT) {
        return tpd_err_set(
            err,
            TPD_E_TOO_LARGE,
            "template: %zu bytes, more than %zu",
            text.len,
            TPD_MAX_TEMPLATE_TEXT);
    }
    size_t i = 0;
    while (i < text.len && (text.ptr[i] == ' ' || text.ptr[i] == '\t' || text.ptr[i] == '\r' ||
                            text.ptr[i] == '\n')) {
        i++;
    }
    if (i < text.len && text.ptr[i] == '{') {
        json_error_t je;
        json_t *v = json_loadb((const char *)text.ptr, text.len, 0, &je);
        if (!v || !json_is_object(v)) {
            json_decref(v);
            return tpd_err_set(
                err, TPD_E_PARSE, "template: invalid JSON: %s (line %d)", je.text, je.line);
        }
        *out = v;
        return TPD_OK;
    }
    return s_load_yaml(text, out, err);
}
