#!/usr/bin/env bash
# The IAM scenario of the CLI checks: users, groups, roles, policies with versions, attachments, pagination,
# authorization details, a created access key calling STS, and a restart that reads everything back. It runs
# against its own server with a data directory. Usage: .ci/cli-iam.sh PATH-TO-SAGEBOX-BINARY
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
log=$(mktemp)
pid=
serve() {
  "$bin" serve --data-dir "$data" --addr "127.0.0.1:$port" --log-level warn 2>>"$log" &
  pid=$!
  for _ in $(seq 100); do curl -sf "$endpoint/_sagebox/health" >/dev/null && return; sleep 0.05; done
}
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
serve

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; echo "     $2" | head -c 2000; echo; failures=$((failures + 1)); }
v1() { AWS_ENDPOINT_URL=$endpoint aws "$@"; }
v2() { /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
# check NAME PYTHON-EXPRESSION CMD...: the command succeeds and the expression holds of its JSON output (as j).
check() {
  local name=$1 expr=$2; shift 2
  local out
  if ! out=$("$@" 2>&1); then fail "$name" "$out"; return; fi
  if python3 -c "import json,sys; j=json.loads(sys.stdin.read() or 'null'); sys.exit(0 if ($expr) else 1)" <<<"$out"; then
    pass "$name"
  else
    fail "$name" "$out"
  fi
}
expect_err() {
  local name=$1 want=$2; shift 2
  local out
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"; return; fi
  if grep -qF -- "$want" <<<"$out"; then pass "$name"; else fail "$name" "$out"; fi
}

trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
doc1='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}'
doc2='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/*"}]}'

check "create-user alice" 'j["User"]["UserId"].startswith("AIDA") and j["User"]["Arn"]=="arn:aws:iam::000000000000:user/eng/alice"' \
  v2 iam create-user --user-name alice --path /eng/
for u in bob carol dave erin; do v1 iam create-user --user-name $u >/dev/null || fail "create-user $u" "failed"; done
expect_err "create-user alice again" "EntityAlreadyExists" v2 iam create-user --user-name ALICE
check "list-users pages of 2 (v2 follows the markers)" 'len(j["Users"])==5' v2 iam list-users --page-size 2
check "list-users --max-items 2 stops with a token" 'len(j["Users"])==2 and "NextToken" in j' v1 iam list-users --max-items 2
check "create-group ml" 'j["Group"]["GroupId"].startswith("AGPA")' v2 iam create-group --group-name ml
v2 iam add-user-to-group --group-name ml --user-name alice && pass "add-user-to-group" || fail "add-user-to-group" ""
check "get-group shows alice" '[u["UserName"] for u in j["Users"]]==["alice"]' v2 iam get-group --group-name ml
check "create-role with a trust policy" 'j["Role"]["RoleId"].startswith("AROA")' \
  v2 iam create-role --role-name sm-exec --assume-role-policy-document "$trust" --max-session-duration 7200
check "get-role decodes the trust policy" 'j["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]=="sagemaker.amazonaws.com"' \
  v2 iam get-role --role-name sm-exec
expect_err "create-role with a malformed trust" "MalformedPolicyDocument" \
  v2 iam create-role --role-name bad --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'
check "create-policy" 'j["Policy"]["DefaultVersionId"]=="v1"' v2 iam create-policy --policy-name data-read --policy-document "$doc1"
arn=arn:aws:iam::000000000000:policy/data-read
check "create-policy-version v2 as default" 'j["PolicyVersion"]["VersionId"]=="v2" and j["PolicyVersion"]["IsDefaultVersion"]' \
  v2 iam create-policy-version --policy-arn $arn --policy-document "$doc2" --set-as-default
check "list-policy-versions" 'sorted(v["VersionId"] for v in j["Versions"])==["v1","v2"]' v2 iam list-policy-versions --policy-arn $arn
v2 iam attach-role-policy --role-name sm-exec --policy-arn $arn && v2 iam attach-role-policy --role-name sm-exec \
  --policy-arn arn:aws:iam::aws:policy/AmazonSageMakerFullAccess && pass "attach-role-policy (customer and AWS managed)" || fail "attach-role-policy" ""
check "list-attached-role-policies" 'sorted(p["PolicyName"] for p in j["AttachedPolicies"])==["AmazonSageMakerFullAccess","data-read"]' \
  v2 iam list-attached-role-policies --role-name sm-exec
v2 iam put-user-policy --user-name alice --policy-name inline --policy-document "$doc1" && pass "put-user-policy" || fail "put-user-policy" ""
expect_err "delete-policy while attached" "DeleteConflict" v2 iam delete-policy --policy-arn $arn
check "get-account-authorization-details" \
  'len(j["UserDetailList"])==5 and j["RoleDetailList"][0]["RoleName"]=="sm-exec" and any(p["PolicyName"]=="data-read" and len(p["PolicyVersionList"])==2 for p in j["Policies"])' \
  v2 iam get-account-authorization-details
keys=$(v2 iam create-access-key --user-name alice)
kid=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["AccessKeyId"])' <<<"$keys")
ksecret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])' <<<"$keys")
check "alice's new key calls STS as alice" 'j["Arn"]=="arn:aws:iam::000000000000:user/eng/alice" and j["UserId"].startswith("AIDA")' \
  env AWS_ACCESS_KEY_ID="$kid" AWS_SECRET_ACCESS_KEY="$ksecret" /usr/bin/aws --endpoint-url "$endpoint" sts get-caller-identity

# Restart: everything reads back, and the key still authenticates.
kill $pid; wait $pid 2>/dev/null
serve
check "after restart: users" 'len(j["Users"])==5' v2 iam list-users
check "after restart: the role and its attachments" 'len(j["AttachedPolicies"])==2' v2 iam list-attached-role-policies --role-name sm-exec
check "after restart: the policy's default version" 'j["Policy"]["DefaultVersionId"]=="v2"' v2 iam get-policy --policy-arn $arn
check "after restart: alice's key" 'j["Arn"]=="arn:aws:iam::000000000000:user/eng/alice"' \
  env AWS_ACCESS_KEY_ID="$kid" AWS_SECRET_ACCESS_KEY="$ksecret" /usr/bin/aws --endpoint-url "$endpoint" sts get-caller-identity

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -30 "$log"
  echo "$failures IAM CLI checks failed"
  exit 1
fi
echo "all IAM CLI checks passed"
