/*
 * tpd_limits: every size limit of the project in one place (curl's DYN_* list idea).
 * Data that comes from outside (AWS answers, Terraform's values, files) is checked
 * against these before anything is allocated for it.
 */
#ifndef TPD_LIMITS_H
#define TPD_LIMITS_H

#include <stddef.h>

/* Limits on data that comes from outside. */
#define TPD_MAX_DEFAULT ((size_t)64 << 20)   /* 64 MiB: default for any buffer */
#define TPD_MAX_HTTP_BODY ((size_t)32 << 20) /* an AWS response body */
#define TPD_MAX_TEMPLATE ((size_t)51200)     /* CloudFormation TemplateBody limit */
#define TPD_MAX_ERROR_MSG ((size_t)16 << 10) /* one error message */
#define TPD_MAX_NESTING 64                   /* msgpack / JSON / XML depth */
#define TPD_MAX_PAGES 1000                   /* pages of one paginated AWS answer */

/* Another provider's state of a table, handed over by a `moved` block (move_state.h). */
#define TPD_MAX_MOVED_STATE ((size_t)1 << 20)

#endif
