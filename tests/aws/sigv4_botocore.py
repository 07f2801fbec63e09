"""Sign requests with botocore's SigV4Auth for tests/aws/test_sigv4.c.

Reads one JSON object per line on stdin ({method, url, headers:[[k,v],...], body,
ak, sk, token, region, service, time}) and writes one Authorization value per line.
The clock is pinned by replacing botocore.auth.get_current_datetime.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    t = datetime.datetime.fromtimestamp(c["time"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda t=t: t
    req = AWSRequest(method=c["method"], url=c["url"], data=c["body"].encode())
    for k, v in c["headers"]:
        req.headers[k] = v
    creds = Credentials(c["ak"], c["sk"], c["token"] or None)
    botocore.auth.SigV4Auth(creds, c["service"], c["region"]).add_auth(req)
    print(req.headers["Authorization"], flush=True)
