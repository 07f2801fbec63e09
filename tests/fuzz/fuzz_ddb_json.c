/* Fuzz target: DynamoDB JSON 1.0 responses (DescribeTable with its indexes, stream,
 * encryption, class, on-demand limits and replicas; DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource, DescribeContributorInsights,
 * GetResourcePolicy, DescribeKinesisStreamingDestination, DescribeBackup, Scan) and JSON
 * error bodies
 * (__type, message), through the real ddb_* calls over a scripted in-process
 * transport (no network). The input is split at '\f' (never valid raw in JSON) into
 * up to 4 pages answered in turn, so paginated calls see several responses. Every
 * call runs with HTTP 200; DescribeTable also with HTTP 400 (the shared error path). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_errors.h"
#include "ddb.h"
#include "fuzz_transport.h"
#include "tpd_log.h"

/* A fuzz target calls for what the parsing does to memory, not for the result. */
#define S_IGNORE(call) ((void)!(call))

static void s_calls(const uint8_t *data, size_t size, int status) {
    struct aws_client *c = s_client();
    struct tpd_err err = {0};

    struct ddb_table t;
    s_script(data, size, status);
    S_IGNORE(ddb_describe_table(c, "t", &t, &err));
    ddb_table_clear(&t);
    tpd_err_clear(&err);
    if (status != 200) {
        return; /* the error path is the same for every call (aws_error_from_json) */
    }

    struct ddb_ttl ttl;
    s_script(data, size, status);
    S_IGNORE(ddb_describe_time_to_live(c, "t", &ttl, &err));
    ddb_ttl_clear(&ttl);
    tpd_err_clear(&err);

    bool pitr = false;
    s_script(data, size, status);
    int64_t days = 0;
    S_IGNORE(ddb_describe_continuous_backups(c, "t", &pitr, &days, &err));
    tpd_err_clear(&err);

    struct ddb_tags tags;
    s_script(data, size, status);
    S_IGNORE(ddb_list_tags_of_resource(c, "arn:aws:dynamodb:us-east-1:1:table/t", &tags, &err));
    ddb_tags_clear(&tags);
    tpd_err_clear(&err);

    struct ddb_contributor_insights ci;
    s_script(data, size, status);
    S_IGNORE(ddb_describe_contributor_insights(c, "t", "i", &ci, &err));
    ddb_contributor_insights_clear(&ci);
    tpd_err_clear(&err);

    bool policy = false;
    s_script(data, size, status);
    S_IGNORE(ddb_get_resource_policy(c, "arn:aws:dynamodb:us-east-1:1:table/t", &policy, &err));
    tpd_err_clear(&err);

    char *streams = NULL;
    s_script(data, size, status);
    S_IGNORE(ddb_describe_kinesis_streaming_destination(c, "t", &streams, &err));
    free(streams);
    tpd_err_clear(&err);

    struct ddb_table backup;
    s_script(data, size, status);
    S_IGNORE(
        ddb_describe_backup(c, "arn:aws:dynamodb:us-east-1:1:table/t/backup/1", &backup, &err));
    ddb_table_clear(&backup);
    tpd_err_clear(&err);

    char *doc = NULL;
    s_script(data, size, status);
    S_IGNORE(ddb_read_resource_policy(c, "arn:aws:dynamodb:us-east-1:1:table/t", &doc, &err));
    free(doc);
    tpd_err_clear(&err);

    struct ddb_kinesis_dest *dests = NULL;
    size_t ndests = 0;
    s_script(data, size, status);
    S_IGNORE(ddb_read_kinesis_destinations(c, "t", &dests, &ndests, &err));
    ddb_kinesis_dests_free(dests, ndests);
    tpd_err_clear(&err);

    int64_t count = 0;
    char *items = NULL;
    s_script(data, size, status);
    S_IGNORE(ddb_scan(c, "t", &count, &items, &err));
    free(items);
    tpd_err_clear(&err);
    s_script(data, size, status);
    S_IGNORE(ddb_scan(c, "t", &count, NULL, &err));
    tpd_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct tpd_span body = {data, size};
    struct tpd_err err = {0};
    S_IGNORE(aws_error_from_json("DescribeTable", 400, body, NULL, &err));
    tpd_err_clear(&err);
    S_IGNORE(aws_error_from_json("Scan", 500, body, "rid", &err));
    tpd_err_clear(&err);
    s_calls(data, size, 200);
    s_calls(data, size, 400);
    return 0;
}
