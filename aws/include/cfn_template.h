/*
 * cfn_template: reading CloudFormation template text as CloudFormation does — JSON, or
 * YAML with the short-form intrinsic tags (!Ref, !GetAtt, !Sub, ...) — into one JSON
 * tree (jansson), so that callers inspect a deployed template (GetTemplate) the same
 * way whatever its author wrote. Short forms become their long forms: `!Ref X` is
 * {"Ref": "X"}, `!GetAtt T.Arn` is {"Fn::GetAtt": ["T", "Arn"]}, `!Sub s` is
 * {"Fn::Sub": "s"} (the CloudFormation user guide, "Intrinsic function reference").
 * YAML scalars stay strings except true/false/null (all a reader here needs: types,
 * policies, names). The text is untrusted (anyone may have written the stack): depth,
 * size and the nodes reached through aliases are bounded (tpd_limits.h).
 *
 * Ownership: *out is a new reference the caller releases with json_decref.
 * Threads: no shared state.
 */
#ifndef CFN_TEMPLATE_H
#define CFN_TEMPLATE_H

#include <jansson.h>

#include "tpd_buf.h"
#include "tpd_err.h"

/* Parse JSON (first non-blank byte '{') or YAML into *out (an object).
 * TPD_E_PARSE with the parser's message; TPD_E_TOO_LARGE over the limits. */
enum tpd_code
cfn_template_load(struct tpd_span text, json_t **out, struct tpd_err *err) TPD_MUST_CHECK;

#endif
