"""Endpoint and partition facts from botocore for tests/aws/test_endpoints.c.

Prints one line per fact, from the botocore data installed on the machine (the
contract, see the preamble of docs/provider.md):
  partition <region> <partition id or ->       first partition whose regionRegex matches
  endpoint <service> <region> <fips> <dualstack> <url or ->
The regions are every region listed in data/partitions.json (the "-global" pseudo
regions included, which no pattern matches) plus made-up names that must not match.
"""
import re

import botocore.loaders
from botocore.endpoint_provider import EndpointProvider

loader = botocore.loaders.create_loader()
partitions = loader.load_data("partitions")
regions = []
for p in partitions["partitions"]:
    regions.extend(p["regions"].keys())
regions += ["mars-1", "us-east", "us-east-1a", "US-EAST-1", "useast-1", "local",
            "eusc-fr-east-1", "cn-north", "us-iso-1", "eu-isoe-1", "us-", "-1", ""]


def partition_of(region):
    for p in partitions["partitions"]:
        if re.match(p["regionRegex"], region):
            return p["id"]
    return "-"


for r in regions:
    print("partition %s %s" % (r or '""', partition_of(r)))

versions = {"dynamodb": "2012-08-10", "cloudformation": "2010-05-15", "sts": "2011-06-15"}
for svc, ver in versions.items():
    provider = EndpointProvider(loader.load_service_model(svc, "endpoint-rule-set-1", ver),
                                partitions)
    for r in regions:
        if partition_of(r) == "-":
            continue
        for fips in (False, True):
            for dual in (False, True):
                params = {"Region": r, "UseFIPS": fips, "UseDualStack": dual}
                if svc == "sts":
                    params["UseGlobalEndpoint"] = False
                url = provider.resolve_endpoint(**params).url
                print("endpoint %s %s %d %d %s" % (svc, r, fips, dual, url))
