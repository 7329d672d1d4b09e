#!/usr/bin/env bash
# Drives real AWS clients — the AWS CLI v1 (pip, honours AWS_ENDPOINT_URL), Debian's AWS CLI v2 (/usr/bin/aws,
# --endpoint-url only) and boto3 — against a sagebox started here, and checks what the README promises of them:
# get-caller-identity as root, and each protocol's authentication and validation errors.
# Usage: .ci/cli-test.sh [PATH-TO-SAGEBOX-BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."

bin=${1:-}
if [ -z "$bin" ]; then
  bin=$(mktemp -d)/sagebox
  go build -o "$bin" ./cmd/sagebox || exit 1
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
log=$(mktemp)
"$bin" serve --memory --addr "127.0.0.1:$port" --log-level warn 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do
  curl -sf "$endpoint/_sagebox/health" >/dev/null && break
  sleep 0.05
done

# AWS_EC2_METADATA_DISABLED: without it the CLIs spend seconds asking a metadata service that is not there.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; echo "     $2" | head -c 2000; echo; failures=$((failures + 1)); }

# expect_ok NAME WANT-IN-STDOUT CMD...
expect_ok() {
  local name=$1 want=$2; shift 2
  local out
  if out=$("$@" 2>&1) && grep -qF -- "$want" <<<"$out"; then pass "$name"; else fail "$name" "$out"; fi
}
# expect_err NAME WANT-IN-OUTPUT CMD...: the command must fail and say WANT; a WANT of several parts joined by
# " && " needs each part.
expect_err() {
  local name=$1 want=$2; shift 2
  local out part
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"; return; fi
  local rest=$want
  while [ -n "$rest" ]; do
    part=${rest%% && *}
    if [ "$part" = "$rest" ]; then rest=""; else rest=${rest#* && }; fi
    if ! grep -qF -- "$part" <<<"$out"; then fail "$name" "no '$part' in: $out"; return; fi
  done
  pass "$name"
}

v1() { AWS_ENDPOINT_URL=$endpoint aws "$@"; }
v2() { /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
bad_secret() { AWS_SECRET_ACCESS_KEY=wrong "$@"; }
unknown_key() { AWS_ACCESS_KEY_ID=AKIAUNKNOWNUNKNOWN00 "$@"; }

for cli in v1 v2; do
  if [ "$cli" = v2 ] && [ ! -x /usr/bin/aws ]; then fail "$cli: AWS CLI v2 at /usr/bin/aws" "not installed"; continue; fi
  expect_ok  "$cli sts get-caller-identity as root" '"Arn": "arn:aws:iam::000000000000:root"' $cli sts get-caller-identity
  expect_err "$cli sts wrong secret" "SignatureDoesNotMatch" bad_secret $cli sts get-caller-identity
  expect_err "$cli sts unknown key" "InvalidClientTokenId" unknown_key $cli sts get-caller-identity
  expect_err "$cli sts unsigned" "MissingAuthenticationToken" $cli sts get-caller-identity --no-sign-request
  expect_err "$cli iam wrong secret" "SignatureDoesNotMatch" bad_secret $cli iam list-users
  expect_err "$cli iam not implemented" "NotImplemented" $cli iam list-saml-providers
  expect_err "$cli sagemaker validation" \
    "(ValidationException) when calling the CreateDomain operation && : 1 validation error detected: Value 'bad name!' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}" \
    $cli sagemaker create-domain --domain-name 'bad name!' --auth-mode IAM --vpc-id vpc-1 --subnet-ids subnet-1 \
      --default-user-settings ExecutionRole=arn:aws:iam::000000000000:role/r
  expect_err "$cli sagemaker wrong secret" "InvalidSignatureException" bad_secret $cli sagemaker list-domains
  expect_err "$cli sagemaker unknown key" "UnrecognizedClientException" unknown_key $cli sagemaker list-domains
  expect_err "$cli sagemaker unsigned" "MissingAuthenticationTokenException" $cli sagemaker list-domains --no-sign-request
  expect_err "$cli ec2 wrong secret" "SignatureDoesNotMatch" bad_secret $cli ec2 describe-vpcs
  expect_err "$cli ec2 unknown key" "AuthFailure" unknown_key $cli ec2 describe-vpcs
  expect_err "$cli s3 unknown key" "InvalidAccessKeyId" unknown_key $cli s3api list-buckets
  expect_err "$cli s3 wrong secret" "SignatureDoesNotMatch" bad_secret $cli s3api list-buckets
  expect_err "$cli logs wrong secret" "InvalidSignatureException" bad_secret $cli logs describe-log-groups
done

# The sagebox CLI against the same server: a new account's root keys work; the clock moves.
acct=$("$bin" accounts create --endpoint "$endpoint" --name ci 2>&1)
if grep -q '^AWS_ACCESS_KEY_ID=AKIA' <<<"$acct"; then
  pass "sagebox accounts create"
  id=$(sed -n 's/^AWS_ACCOUNT_ID=//p' <<<"$acct")
  expect_ok "v2 get-caller-identity with the new account's keys" "arn:aws:iam::$id:root" \
    env AWS_ACCESS_KEY_ID="$(sed -n 's/^AWS_ACCESS_KEY_ID=//p' <<<"$acct")" \
        AWS_SECRET_ACCESS_KEY="$(sed -n 's/^AWS_SECRET_ACCESS_KEY=//p' <<<"$acct")" \
        /usr/bin/aws --endpoint-url "$endpoint" sts get-caller-identity
else
  fail "sagebox accounts create" "$acct"
fi
expect_ok "sagebox clock advance 2h" "offset 2h0m0s" "$bin" clock advance 2h --endpoint "$endpoint"
expect_err "v1 after the server clock moved 2h ahead" "Signature expired" v1 sts get-caller-identity
expect_ok "sagebox reset" "reset" "$bin" reset --endpoint "$endpoint"
expect_ok "v1 after reset" '"Account": "000000000000"' v1 sts get-caller-identity

# boto3, the library behind most ML platform code.
out=$(SAGEBOX_ENDPOINT=$endpoint python3 .ci/boto3_test.py 2>&1) && pass "boto3: $out" || fail "boto3" "$out"

# IAM, against a server of its own with a data directory (it restarts it).
.ci/cli-iam.sh "$bin" || failures=$((failures + 1))
# Authorization by the policy engine, against another server of its own.
.ci/cli-authz.sh "$bin" || failures=$((failures + 1))
# STS sessions and web identity federation, each against a server of its own.
.ci/cli-sts.sh "$bin" || failures=$((failures + 1))
.ci/cli-oidc.sh "$bin" || failures=$((failures + 1))
# EC2 networking with the AWS CLI v2.
.ci/cli-ec2.sh "$bin" || failures=$((failures + 1))
# SageMaker Studio, the seed documents' flow, with presigned URLs and the page they open.
.ci/cli-sagemaker.sh "$bin" || failures=$((failures + 1))

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -50 "$log"
  echo "$failures CLI checks failed"
  exit 1
fi
echo "all CLI checks passed"
