"""boto3 against a running sagebox (SAGEBOX_ENDPOINT): the calls and errors the README promises boto3 users."""
import os
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

endpoint = os.environ["SAGEBOX_ENDPOINT"]
config = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, key="test", secret="test"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, config=config)


def expect_error(name, code, fn):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        if got != code:
            sys.exit(f"{name}: error {got} ({e}), want {code}")
        return e
    sys.exit(f"{name}: succeeded, want {code}")


ident = client("sts").get_caller_identity()
if ident["Arn"] != "arn:aws:iam::000000000000:root" or ident["Account"] != "000000000000":
    sys.exit(f"get_caller_identity: {ident}")
if not ident["ResponseMetadata"]["RequestId"]:
    sys.exit("get_caller_identity: no request id")

expect_error("sts wrong secret", "SignatureDoesNotMatch",
             lambda: client("sts", secret="wrong").get_caller_identity())
expect_error("sts unknown key", "InvalidClientTokenId",
             lambda: client("sts", key="AKIAUNKNOWNUNKNOWN00").get_caller_identity())
e = expect_error("sagemaker validation", "ValidationException",
                 lambda: client("sagemaker").create_domain(
                     DomainName="bad name!", AuthMode="IAM", VpcId="vpc-1", SubnetIds=["subnet-1"],
                     DefaultUserSettings={"ExecutionRole": "arn:aws:iam::000000000000:role/r"}))
if "at 'domainName' failed to satisfy constraint" not in str(e):
    sys.exit(f"sagemaker validation message: {e}")
expect_error("sagemaker not implemented", "NotImplemented", lambda: client("sagemaker").list_notebook_instances())
expect_error("ec2 wrong secret", "SignatureDoesNotMatch", lambda: client("ec2", secret="wrong").describe_vpcs())
expect_error("ec2 unknown key", "AuthFailure", lambda: client("ec2", key="AKIAUNKNOWNUNKNOWN00").describe_vpcs())
print("get_caller_identity, auth errors, validation and NotImplemented as expected")
