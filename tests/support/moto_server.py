"""Start a moto server on 127.0.0.1 for tests/aws (see moto_launcher.h).

Creates an IAM user with an allow-all inline policy and an access key, and a role
"tpd-ci" with the same policy (for AssumeRoleWithWebIdentity), then turns moto's
request authentication on (/moto-api/reset-auth with 0), so a request with a wrong
signature fails. STS AssumeRoleWithWebIdentity stays unsigned, as in AWS (its botocore
model says "authtype": "none"; moto's access control would fail it on the missing
Authorization header). Prints "READY <port> <access key> <secret key>" and runs
until stdin closes or the process is terminated.
"""
import logging
import socket
import sys
import urllib.request

import boto3
from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import ThreadedMotoServer

_UNSIGNED_ACTIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")
_authorize = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authorize_signed_only(self, iam_request_cls, resource="*"):
    if "Authorization" not in self.headers and self._get_action() in _UNSIGNED_ACTIONS:
        return
    _authorize(self, iam_request_cls, resource)


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authorize_signed_only


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = "http://127.0.0.1:%d" % port
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="tpd-test")
    iam.put_user_policy(UserName="tpd-test", PolicyName="all",
                        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    key = iam.create_access_key(UserName="tpd-test")["AccessKey"]
    iam.create_role(RoleName="tpd-ci", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}')
    iam.put_role_policy(RoleName="tpd-ci", PolicyName="all",
                        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    # moto loads a service's backend at its first request, which takes seconds on a loaded
    # machine: longer than the client's 30-second stall timeout (aws/private/aws_retry.h) when many
    # tests start at once. Load the services the tests use now, before they are timed.
    for service, call in (("dynamodb", "list_tables"), ("cloudformation", "list_stacks"),
                          ("sts", "get_caller_identity")):
        getattr(boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="bootstrap",
                             aws_secret_access_key="bootstrap"), call)()
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST",
                                                  headers={"Content-Type": "text/plain"})).read()
    print("READY %d %s %s" % (port, key["AccessKeyId"], key["SecretAccessKey"]), flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
