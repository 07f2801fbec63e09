/*
 * facts: what AWS reports about a table and a stack, gathered by cloud.c before any
 * decision is made. The decisions (ownership.h, adoption.h, drift.h) are pure
 * functions of these structs, so they are tested with tables of facts and no AWS
 * (the "gather facts, decide, then act" rule of docs/design.md).
 *
 * Ownership: each struct owns its strings; its _clear function frees them and zeroes
 * it (a zeroed struct is "nothing known"). Threads: one call.
 */
#ifndef TPD_FACTS_H
#define TPD_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "table_spec.h"
#include "tpd_kv.h"

/* The table as DynamoDB reports it (DescribeTable, DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource, DescribeContributorInsights). spec.stack_name and
 * spec.retain_on_destroy are not DynamoDB's and stay unset. */
struct table_live {
    bool exists;
    struct table_spec spec; /* ttl.attribute: the enabled (or enabling) attribute, else NULL */
    char *arn;
    char *status;     /* CREATING, ACTIVE, UPDATING, DELETING, ... */
    char *ttl_status; /* ENABLED, ENABLING, DISABLED, DISABLING */
    int64_t item_count;
    bool tags_read;     /* ListTagsOfResource was called (spec.tags without aws:* keys) */
    bool settings_read; /* DescribeTimeToLive, DescribeContinuousBackups and
                           DescribeContributorInsights were called (CLOUD_TABLE_DESCRIBE:
                           not; spec.ttl, pitr and contributor_insights then unknown) */
    char *stream_arn;   /* LatestStreamArn of the enabled stream */
    char *replicas;     /* regions of a global table's replicas, ", "-separated; NULL: none */
    /* The resource policy and Kinesis destination were read (cloud_read_request
     * with_features, or cloud_read_extras) into spec.resource_policy and spec.kinesis_*:
     * only then do they count as drift. */
    bool features_read;
    /* What only an adoption reads (cloud_read_adoption_extras), features this resource
     * cannot express: */
    bool extras_read;
    char *kinesis;        /* Kinesis streaming destinations not DISABLED beyond the first
                             (spec.kinesis_arn): this resource holds one */
    bool resource_policy; /* the table has a resource policy (spec.resource_policy) */
    char *gsi_insights;   /* GSIs with contributor insights on, ", "-separated */
    char *insights_mode;  /* the table's contributor insights mode when it is not
                             the default ACCESSED_AND_THROTTLED_KEYS */
};
void table_live_clear(struct table_live *t);
/* TTL is on or turning on. */
bool table_live_ttl_active(const struct table_live *t);
/* The table and every GSI are ACTIVE with no backfill (what wait_table_ready waits for). */
bool table_live_ready(const struct table_live *t);

/* What the deployed template says about the table (GetTemplate, JSON or YAML). */
struct template_facts {
    bool read;
    bool marked;           /* carries this provider's ownership marker ... */
    char *marked_table;    /* ... naming this table */
    char *marked_owner;    /* ... and this owner id (NULL: none, written before owner ids) */
    bool legacy;           /* written by this provider before the marker existed */
    char *logical_id;      /* the AWS::DynamoDB::Table resource; NULL when there is none */
    char *deletion_policy; /* of that resource: "Delete" when absent */
    size_t resource_count; /* all resources of the template */
    bool has_transform;    /* Transform (SAM, macros): the template is not what runs */
    /* The table resource's GlobalSecondaryIndexes (sorted by name): what CloudFormation
     * compares the next template with. gsis_read is false when the template does not
     * spell them as plain values (intrinsic functions, a shape this provider never
     * writes). */
    bool gsis_read;
    struct table_index *gsis;
    size_t gsi_count;
    /* The table resource's Properties carry these (whatever their value): the next
     * template keeps them explicitly (table_template.h). */
    bool sse_written;
    bool table_class_written;
    bool insights_written;
};
void template_facts_clear(struct template_facts *f);

struct stack_output {
    char *key;
    char *value;
    char *export_name; /* NULL when not exported */
};

/* A stack found by name (DescribeStacks, DescribeStackResources, GetTemplate). */
struct stack_facts {
    bool exists; /* a live stack has this name (DELETE_COMPLETE ones do not count) */
    char *id;
    char *name;
    char *status;
    char *status_reason;
    char *description; /* the template's Description as DescribeStacks reports it */
    struct tpd_kv *tags;
    size_t tag_count;
    struct stack_output *outputs;
    size_t output_count;
    /* DescribeStackResources (resources_read): */
    bool resources_read;
    size_t resource_count;
    size_t table_count;          /* AWS::DynamoDB::Table resources */
    char *table_logical_id;      /* the (first) table resource */
    char *table_physical_id;     /* its table name; NULL until created */
    char *table_resource_status; /* CREATE_COMPLETE, DELETE_SKIPPED, ... */
    char *other_resources;       /* "LogicalId (Type), ..." of the rest; NULL when none */
    bool shell_marked;           /* no resources, and its events carry this provider's tokens */
    struct template_facts tpl;
};
void stack_facts_clear(struct stack_facts *s);

/* Everything a decision reads (decide.h), gathered once per call (gather.h). */
struct resource_facts {
    struct table_live table;         /* the configured (or recorded) table */
    struct stack_facts config_stack; /* named by the configuration's stack_name, when read */
    struct stack_facts prior_stack;  /* named in the state (a state with a stack id) */
    bool owner_read;                 /* owner_stack was looked up */
    char *owner_stack;               /* the stack holding the table as a live resource */
    bool owner_full_read;            /* owner was read (when it is neither stack above) */
    struct stack_facts owner;        /* that stack, when it is neither stack above and matters */
    bool importers_read;
    char **importers; /* stacks importing an export of the stack a path deletes */
    size_t importer_count;
    /* A create with `restore` (restore.h): its source, read once (DECIDE_NEED_RESTORE). */
    bool restore_read;                /* looked up */
    bool restore_found;               /* ... and read into restore_source */
    struct table_spec restore_source; /* keys and indexes (key types NULL for a backup) */
    char *restore_status;             /* the backup's BackupStatus, or the table's status */
    char *restore_error;              /* why it could not be read (not "not found") */
};
void resource_facts_clear(struct resource_facts *f);

/* Status helpers. */
bool stack_status_in_progress(const char *status); /* *_IN_PROGRESS but REVIEW_IN_PROGRESS */
/* The table resource is live (not deleted, not skipped on delete, not failed to create). */
bool stack_facts_holds_table(const struct stack_facts *s, const char *table);

#endif
