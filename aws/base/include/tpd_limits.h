/*
 * tpd_limits: every size limit of the project in one place (curl's DYN_* list idea).
 * Data that comes from outside (AWS answers, Terraform's values, files) is checked
 * against these before anything is allocated for it.
 */
#ifndef TPD_LIMITS_H
#define TPD_LIMITS_H

#include <stddef.h>

/* Limits on data that comes from outside. */
#define TPD_MAX_DEFAULT ((size_t)64 << 20)        /* 64 MiB: default for any buffer */
#define TPD_MAX_HTTP_BODY ((size_t)32 << 20)      /* an AWS response body */
#define TPD_MAX_TEMPLATE ((size_t)51200)          /* CloudFormation TemplateBody limit */
#define TPD_MAX_ERROR_MSG ((size_t)16 << 10)      /* one error message */
#define TPD_MAX_NESTING 64                        /* msgpack / JSON / XML depth */
#define TPD_MAX_PAGES 1000                        /* pages of one paginated AWS answer */
#define TPD_MAX_URL ((size_t)8192)                /* an endpoint URL, host or path, a file path */
#define TPD_MAX_SECRET ((size_t)8192)             /* one credential field (key, secret, token) */
#define TPD_MAX_CA_BUNDLE ((size_t)16 << 20)      /* a PEM CA bundle (Mozilla's is ~220 KiB) */
#define TPD_MAX_INI_FILE ((size_t)4 << 20)        /* a shared config or credentials file */
#define TPD_MAX_FILE_LIST ((size_t)64 << 10)      /* the shared files' names, joined */
#define TPD_MAX_PROCESS_OUTPUT ((size_t)64 << 10) /* credential_process's answer */
#define TPD_MAX_SSO_CACHE_FILE ((size_t)1 << 20)  /* ~/.aws/sso/cache/<hash>.json */
#define TPD_MAX_TOKEN ((size_t)64 << 10)          /* an SSO access or container auth token */
/* STS's WebIdentityToken: clientTokenType in botocore's STS model, at most 20000. */
#define TPD_MAX_WEB_IDENTITY_TOKEN ((size_t)20000)
#define TPD_MAX_SIGNING ((size_t)1 << 20) /* a SigV4 canonical request / string to sign */
/* A template read back (JSON or YAML): CloudFormation's limit for templates in S3. */
#define TPD_MAX_TEMPLATE_TEXT ((size_t)1 << 20)
/* YAML nodes converted from one template: aliases let a few bytes of YAML reach the same
 * node many times ("billion laughs"); a real template has a few thousand. */
#define TPD_MAX_TEMPLATE_NODES 200000
#define TPD_MAX_NAME ((size_t)1024)    /* a name, key or label built into a message or path */
#define TPD_MAX_TIMESTAMP ((size_t)64) /* a timestamp read from a file or an answer */
#define TPD_MAX_SIGV4_SCOPE 128 /* "<date>/<region>/<service>" kept by the signing-key cache */

/* Limits on the project's own bookkeeping. */
/* A name built from the project's own constants (an operation or variable name). */
#define TPD_MAX_LABEL 128
#define TPD_MAX_ROLE_HOPS 32          /* source_profile chain of assumed roles */
#define TPD_MAX_BUDGET_OPS 256        /* operations with a request budget (aws_budget.h) */
#define TPD_MAX_HTTP_ORIGINS 32       /* endpoints with pooled connections */
#define TPD_MAX_POOL_CONNECTIONS 1000 /* largest max_pool_connections */
#define TPD_READ_CHUNK ((size_t)4096) /* bytes read from a file or pipe at a time */
/* Threads running parallel reads for the whole process (aws_parallel.h). With Terraform's
 * 10 resources at once, each reading on its own thread too, 8 more keep 18 requests in
 * flight: a pool of 10 connections per endpoint (max_pool_connections), two endpoints. */
#define TPD_PARALLEL_WORKERS 8

/* Another provider's state of a table, handed over by a `moved` block (move_state.h). */
#define TPD_MAX_MOVED_STATE ((size_t)1 << 20)

/* A table's resource policy: DynamoDB's limit, whitespace counted (docs/aws-behaviour.md
 * §5.8). */
#define TPD_MAX_RESOURCE_POLICY ((size_t)20480)

#endif
