/*
 * aws_xml: expat callbacks building a minimal element tree (see aws_xml.h).
 * Parsing stops at the first error; a depth over TPD_MAX_NESTING is an error too,
 * so a hostile or broken body can neither crash nor exhaust the stack.
 */
#include "aws_xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

struct s_ctx {
    XML_Parser p;
    struct aws_xml_node *root;
    struct aws_xml_node *cur;
    int depth;
    enum tpd_code rc;
};

static void s_free_node(struct aws_xml_node *n) {
    while (n) {
        struct aws_xml_node *next = n->next;
        s_free_node(n->first_child);
        free(n->name);
        tpd_buf_clear(&n->text);
        free(n);
        n = next;
    }
}

void aws_xml_free(struct aws_xml_node *root) {
    s_free_node(root);
}

static void s_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
    (void)attrs;
    struct s_ctx *c = ud;
    if (c->rc) {
        return;
    }
    if (++c->depth > TPD_MAX_NESTING) {
        c->rc = TPD_E_TOO_LARGE;
        XML_StopParser(c->p, XML_FALSE);
        return;
    }
    struct aws_xml_node *n = tpd_calloc(1, sizeof(*n));
    if (!n || !(n->name = tpd_strdup(name))) {
        free(n);
        c->rc = TPD_E_NOMEM;
        XML_StopParser(c->p, XML_FALSE);
        return;
    }
    tpd_buf_init(&n->text, TPD_MAX_HTTP_BODY);
    n->parent = c->cur;
    if (!c->cur) {
        c->root = n;
    } else if (c->cur->last_child) {
        c->cur->last_child->next = n;
        c->cur->last_child = n;
    } else {
        c->cur->first_child = c->cur->last_child = n;
    }
    c->cur = n;
}

static void s_end(void *ud, const XML_Char *name) {
    (void)name;
    struct s_ctx *c = ud;
    if (c->rc || !c->cur) {
        return;
    }
    c->depth--;
    c->cur = c->cur->parent;
}

static void s_text(void *ud, const XML_Char *s, int len) {
    struct s_ctx *c = ud;
    if (c->rc || !c->cur || len <= 0) {
        return;
    }
    enum tpd_code rc = tpd_buf_append(&c->cur->text, s, (size_t)len);
    if (rc != TPD_OK) {
        c->rc = rc; /* TPD_E_TOO_LARGE, or TPD_E_NOMEM: never reported as malformed XML */
        XML_StopParser(c->p, XML_FALSE);
    }
}

enum tpd_code
aws_xml_parse(struct tpd_span input, struct aws_xml_node **root, struct tpd_err *err) {
    *root = NULL;
    if (input.len > TPD_MAX_HTTP_BODY || input.len > (size_t)INT32_MAX) {
        return tpd_err_set(err, TPD_E_TOO_LARGE, "XML body too large (%zu bytes)", input.len);
    }
    struct s_ctx c;
    memset(&c, 0, sizeof(c));
    c.p = XML_ParserCreate("UTF-8");
    if (!c.p) {
        return tpd_err_set(err, TPD_E_NOMEM, "XML: cannot create a parser");
    }
    XML_SetUserData(c.p, &c);
    XML_SetElementHandler(c.p, s_start, s_end);
    XML_SetCharacterDataHandler(c.p, s_text);
    enum XML_Status st =
        XML_Parse(c.p, input.ptr ? (const char *)input.ptr : "", (int)input.len, XML_TRUE);
    enum tpd_code rc = TPD_OK;
    if (c.rc) {
        rc = tpd_err_set(
            err,
            c.rc == TPD_E_TOO_LARGE ? TPD_E_PARSE : c.rc,
            "XML: %s",
            c.rc == TPD_E_TOO_LARGE ? "nesting or size limit exceeded" : tpd_code_str(c.rc));
    } else if (st != XML_STATUS_OK) {
        rc = tpd_err_set(
            err,
            TPD_E_PARSE,
            "malformed XML (line %lu): %s",
            (unsigned long)XML_GetCurrentLineNumber(c.p),
            XML_ErrorString(XML_GetErrorCode(c.p)));
    } else if (!c.root) {
        rc = tpd_err_set(err, TPD_E_PARSE, "XML: no document element");
    }
    XML_ParserFree(c.p);
    if (rc) {
        s_free_node(c.root);
        return rc;
    }
    *root = c.root;
    return TPD_OK;
}

const struct aws_xml_node *aws_xml_child(const struct aws_xml_node *n, const char *name) {
    for (const struct aws_xml_node *k = n ? n->first_child : NULL; k; k = k->next) {
        if (strcmp(k->name, name) == 0) {
            return k;
        }
    }
    return NULL;
}

const struct aws_xml_node *aws_xml_path(const struct aws_xml_node *n, const char *path) {
    const char *p = path;
    while (n && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        const struct aws_xml_node *found = NULL;
        for (const struct aws_xml_node *k = n->first_child; k; k = k->next) {
            if (strlen(k->name) == len && memcmp(k->name, p, len) == 0) {
                found = k;
                break;
            }
        }
        n = found;
        p += len;
        if (*p == '/') {
            p++;
        }
    }
    return n;
}

const struct aws_xml_node *aws_xml_next_same(const struct aws_xml_node *n) {
    for (const struct aws_xml_node *k = n ? n->next : NULL; k; k = k->next) {
        if (strcmp(k->name, n->name) == 0) {
            return k;
        }
    }
    return NULL;
}

const char *aws_xml_text(const struct aws_xml_node *n, const char *path) {
    const struct aws_xml_node *k = path && *path ? aws_xml_path(n, path) : n;
    return k ? tpd_buf_cstr(&k->text) : NULL;
}

char *aws_xml_dup(const struct aws_xml_node *n, const char *path) {
    const struct aws_xml_node *k = path && *path ? aws_xml_path(n, path) : n;
    return k ? tpd_span_strdup(tpd_buf_span(&k->text)) : NULL;
}
