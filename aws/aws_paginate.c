/* aws_paginate: the pagination loop (see aws_paginate.h). */
#include "aws_paginate.h"

#include <stdlib.h>

#include "tpd_limits.h"

enum tpd_code aws_paginate(const char *op, aws_page_fn *page, void *ctx, struct tpd_err *err) {
    char *token = NULL;
    for (int n = 1;; n++) {
        char *next = NULL;
        enum tpd_code rc = page(ctx, token, &next, err);
        free(token);
        token = next;
        if (rc || !token) {
            free(token);
            return rc;
        }
        if (n >= TPD_MAX_PAGES) {
            free(token);
            return tpd_err_set(
                err, TPD_E_TOO_LARGE, "%s: more than %d pages of results", op, TPD_MAX_PAGES);
        }
    }
}
