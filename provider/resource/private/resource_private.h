/*
 * resource_private: the private bytes this resource round-trips through Terraform
 * (PlanResourceChange -> ApplyResourceChange, state -> next plan), as small JSON.
 *
 * Terraform gives the provider no other way to tell apart calls that look the same
 * (internal/terraform/node_resource_abstract_instance.go in hashicorp/terraform):
 *   - the apply of a destroy the user asked for (terraform destroy, a resource removed
 *     from the configuration) and the destroy half of a replacement both arrive as
 *     ApplyResourceChange with a null planned state; the destroy plan marks the first
 *     ("destroy": "explicit");
 *   - the create half of a replacement (also `-replace`, which the provider does not
 *     see as one) is planned with a null prior state and the private bytes of the
 *     first plan; that plan records which table it replaces and whether it was
 *     protected ("replacing", "protected");
 *   - a table that `terraform import` (or an import block) brought in and no apply has
 *     since written: its configuration was never applied, so a key schema that differs is
 *     a mistake in the configuration, not a request to delete the table ("imported",
 *     until the first successful apply; "forced" marks a plan whose replacement the
 *     provider requires, as opposed to `-replace`);
 *   - the deletion protection Terraform last applied (or imported): switched off outside
 *     Terraform, the refreshed state says off, but the owner's intent, recorded here,
 *     still protects the table from a destroy or a replacement ("applied_protection");
 *   - which stack the replaced instance owned, so that the create half of a replacement
 *     (and only it) may find that stack still there ("replacing_owner",
 *     "replacing_stack_id"; ownership.h);
 *   - the path the plan decided and the stack it acts on ("path", "path_stack"): apply
 *     decides again on fresh facts and stops, touching nothing, when they differ (action.h);
 *   - the status of the stack in state when the refresh found it DELETE_FAILED
 *     ("stack_status"), so that the plan shows the recovery (ttl_table_read.c).
 * Unknown or malformed bytes decode as "nothing recorded", which every decision
 * treats as the careful case (not explicit, so nothing unadopted is deleted).
 *
 * Ownership: strings are owned by the struct (resource_private_clear).
 */
#ifndef TPD_RESOURCE_PRIVATE_H
#define TPD_RESOURCE_PRIVATE_H

#include <stdbool.h>

#include "tpd_buf.h"

struct resource_private {
    bool explicit_destroy;    /* planned by a destroy plan */
    char *replacing;          /* the table a replacement (or -replace) removes */
    bool protected_table;     /* that table had deletion protection on (retain off) */
    bool imported;            /* imported, no successful apply since */
    bool forced;              /* the plan's replacement is required by a changed attribute */
    bool protection_known;    /* protection_applied was recorded */
    bool protection_applied;  /* deletion_protection_enabled as last applied or imported */
    char *replacing_owner;    /* the replaced instance's owner id */
    char *replacing_stack_id; /* ... and its stack id */
    char *path;               /* the planned path (action_path_name) */
    char *path_stack;         /* the stack id the planned path acts on */
    char *stack_status;       /* the refresh found the stack in state in this status */
};

void resource_private_clear(struct resource_private *p);
/* Decode (never fails: unreadable bytes give a zeroed struct). */
void resource_private_decode(struct tpd_span bytes, struct resource_private *out);
/* Encode into out (appended). */
enum tpd_code resource_private_encode(const struct resource_private *p, struct tpd_buf *out);

#endif
