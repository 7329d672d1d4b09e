#!/usr/bin/env bash
# The STS scenario of the CLI checks: an IAM user assumes a role with the AWS CLI, uses the session's credentials
# (AWS_SESSION_TOKEN), is held to the role's permissions and trust, gets the texts AWS gives for a missing token, a
# duration the role does not allow and the root user, and sees the session expire after `sagebox clock advance 2h`.
# Usage: .ci/cli-sts.sh PATH-TO-SAGEBOX-BINARY
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
log=$(mktemp)
"$bin" serve --memory --addr "127.0.0.1:$port" --log-level warn 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "$endpoint/_sagebox/health" >/dev/null && break; sleep 0.05; done

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; echo "     $2" | head -c 2000; echo; failures=$((failures + 1)); }
root() { /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
expect_ok() {
  local name=$1 want=$2; shift 2
  local out
  if out=$("$@" 2>&1) && grep -qF -- "$want" <<<"$out"; then pass "$name"; else fail "$name" "$out"; fi
}
expect_err() {
  local name=$1 want=$2; shift 2
  local out
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"; return; fi
  if grep -qF -- "$want" <<<"$out"; then pass "$name"; else fail "$name" "$out"; fi
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }

acct=000000000000
root iam create-user --user-name dev >/dev/null
root iam put-user-policy --user-name dev --policy-name assume --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
keys=$(root iam create-access-key --user-name dev)
dev_key=$(field AccessKey.AccessKeyId <<<"$keys")
dev_secret=$(field AccessKey.SecretAccessKey <<<"$keys")
dev() { AWS_ACCESS_KEY_ID=$dev_key AWS_SECRET_ACCESS_KEY=$dev_secret /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
root iam create-user --user-name outsider >/dev/null
keys=$(root iam create-access-key --user-name outsider)
outsider() { AWS_ACCESS_KEY_ID=$(field AccessKey.AccessKeyId <<<"$keys") AWS_SECRET_ACCESS_KEY=$(field AccessKey.SecretAccessKey <<<"$keys") \
  /usr/bin/aws --endpoint-url "$endpoint" "$@"; }

# The role trusts the account (so the caller's own policies must allow sts:AssumeRole) and may read roles.
root iam create-role --role-name ml-reader --assume-role-policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$acct:root\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
root iam put-role-policy --role-name ml-reader --policy-name read --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","iam:GetRole"],"Resource":"*"}]}'
role=arn:aws:iam::$acct:role/ml-reader
session=arn:aws:sts::$acct:assumed-role/ml-reader/ci

out=$(dev sts assume-role --role-arn "$role" --role-session-name ci 2>&1)
if grep -qF "\"Arn\": \"$session\"" <<<"$out" && grep -qF '"AccessKeyId": "ASIA' <<<"$out"; then
  pass "dev assumes ml-reader (an ASIA key and the assumed-role ARN)"
else
  fail "dev assumes ml-reader" "$out"
fi
s_key=$(field Credentials.AccessKeyId <<<"$out" 2>/dev/null)
s_secret=$(field Credentials.SecretAccessKey <<<"$out" 2>/dev/null)
s_token=$(field Credentials.SessionToken <<<"$out" 2>/dev/null)
v2s() { AWS_ACCESS_KEY_ID=$s_key AWS_SECRET_ACCESS_KEY=$s_secret AWS_SESSION_TOKEN=$s_token /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
v1s() { AWS_ACCESS_KEY_ID=$s_key AWS_SECRET_ACCESS_KEY=$s_secret AWS_SESSION_TOKEN=$s_token AWS_ENDPOINT_URL=$endpoint aws "$@"; }
notoken() { AWS_ACCESS_KEY_ID=$s_key AWS_SECRET_ACCESS_KEY=$s_secret /usr/bin/aws --endpoint-url "$endpoint" "$@"; }

expect_ok  "v2 with the session: get-caller-identity" "\"Arn\": \"$session\"" v2s sts get-caller-identity
expect_ok  "v1 with the session: get-caller-identity" "\"Arn\": \"$session\"" v1s sts get-caller-identity
expect_ok  "the session reads roles (the role's policy allows it)" '"RoleName": "ml-reader"' v2s iam get-role --role-name ml-reader
expect_err "the session lists users (the role's policy does not allow it)" \
  "User: $session is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::$acct:user/ because no identity-based policy allows the iam:ListUsers action" \
  v2s iam list-users
expect_err "the session's key without its token" "InvalidClientTokenId" notoken sts get-caller-identity
expect_err "a session longer than the role allows" \
  "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." \
  dev sts assume-role --role-arn "$role" --role-session-name ci --duration-seconds 7200
expect_err "the session assumes a role its own policies do not allow it to (role chaining)" \
  "User: $session is not authorized to perform: sts:AssumeRole on resource: $role" \
  v2s sts assume-role --role-arn "$role" --role-session-name chained
expect_err "a user without an identity-based allow (the trust names the account)" \
  "User: arn:aws:iam::$acct:user/outsider is not authorized to perform: sts:AssumeRole on resource: $role" \
  outsider sts assume-role --role-arn "$role" --role-session-name ci
expect_err "a role that does not exist" \
  "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::$acct:role/nope" \
  dev sts assume-role --role-arn "arn:aws:iam::$acct:role/nope" --role-session-name ci
expect_err "the root user" "Roles may not be assumed by root accounts." root sts assume-role --role-arn "$role" --role-session-name ci
expect_ok  "get-session-token: a session of the user" "\"Arn\": \"arn:aws:iam::$acct:user/dev\"" \
  env $(dev sts get-session-token --duration-seconds 900 | python3 -c 'import json,sys; c=json.load(sys.stdin)["Credentials"]
print("AWS_ACCESS_KEY_ID="+c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY="+c["SecretAccessKey"], "AWS_SESSION_TOKEN="+c["SessionToken"])') \
  /usr/bin/aws --endpoint-url "$endpoint" sts get-caller-identity
expect_ok  "get-access-key-info of the session's key" "\"Account\": \"$acct\"" root sts get-access-key-info --access-key-id "$s_key"

expect_ok  "sagebox clock advance 2h" "offset 2h0m0s" "$bin" clock advance 2h --endpoint "$endpoint"
expect_err "v2 with the session after it expired" "ExpiredToken" v2s sts get-caller-identity
expect_err "v1 with the session after it expired" "ExpiredToken" v1s iam get-role --role-name ml-reader

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -30 "$log"
  echo "$failures STS CLI checks failed"
  exit 1
fi
echo "all STS CLI checks passed"
