/*
 * facts_handoff: the facts a PlanResourceChange gathered, handed to the
 * ApplyResourceChange Terraform sends right after it for the same resource instance, in
 * the same provider process (and what a refresh read, to the plan after it). Terraform's
 * apply walk plans each resource again on the provider it then applies with, and applies
 * at once (docs/design.md, "Calls per operation"): without the hand-off, apply read again,
 * a few milliseconds later, what the plan had just read.
 *
 * An entry is taken at most once, only by a request with the same key (gather.c: the
 * operation, the table and the stacks the request names), only while it is younger than
 * FACTS_HANDOFF_MAX_AGE_NS, and is dropped by any act on its table or one of its stacks
 * (facts_handoff_forget, called by every act of cloud_ops). A miss only means reading.
 *
 * Ownership: facts_handoff_new/_free; put takes the facts (left zeroed), take moves them
 * out; strings are copied. Threads: every function is thread-safe.
 */
#ifndef TPD_FACTS_HANDOFF_H
#define TPD_FACTS_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"

/* A PlanResourceChange and the ApplyResourceChange after it are milliseconds apart; a
 * hand-off older than this is not taken (the apply reads instead). */
#define FACTS_HANDOFF_MAX_AGE_NS (2LL * 1000000000LL)
/* Entries kept at once (Terraform applies ten resources at a time by default); the
 * oldest gives way. */
#define FACTS_HANDOFF_SLOTS 64

/* Separates the fields of a key; every table and stack name the request names is a
 * field, so that an act on any of them drops the entry. */
#define FACTS_HANDOFF_SEP '\x1f'

struct facts_handoff;

struct facts_handoff *facts_handoff_new(void);
void facts_handoff_free(struct facts_handoff *h);

/* Keep *f under key (replacing an entry of that key), table its table's name. */
void facts_handoff_put(
    struct facts_handoff *h,
    const char *key,
    const char *table,
    struct resource_facts *f,
    int64_t now_ns);
/* Move the facts kept under key into *out (cleared first) and drop the entry: true. False
 * when there is none, or it is too old. */
bool facts_handoff_take(
    struct facts_handoff *h, const char *key, struct resource_facts *out, int64_t now_ns);
/* Drop every entry about name: a field of its key, its table, or a stack in its facts. */
void facts_handoff_forget(struct facts_handoff *h, const char *name);

#endif
