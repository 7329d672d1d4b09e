#!/usr/bin/env bash
# The authorization scenario of the CLI checks: an IAM user whose keys are decided by the policy engine — identity
# policies, an explicit deny, a permissions boundary, an SCP — with AWS's denial texts, GetCallerIdentity allowed
# whatever the policies say, and the decision log and explanations. Usage: .ci/cli-authz.sh PATH-TO-SAGEBOX-BINARY
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

root iam create-user --user-name bob >/dev/null
root iam put-user-policy --user-name bob --policy-name read --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:GetUser","iam:DeleteUser"],"Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}'
keys=$(root iam create-access-key --user-name bob)
bob_key=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["AccessKeyId"])' <<<"$keys")
bob_secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])' <<<"$keys")
bob() { AWS_ACCESS_KEY_ID=$bob_key AWS_SECRET_ACCESS_KEY=$bob_secret /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
bob1() { AWS_ACCESS_KEY_ID=$bob_key AWS_SECRET_ACCESS_KEY=$bob_secret AWS_ENDPOINT_URL=$endpoint aws "$@"; }
arn=arn:aws:iam::000000000000:user/bob

expect_ok  "bob lists users (allowed by his inline policy)" '"UserName": "bob"' bob iam list-users
expect_ok  "bob's GetCallerIdentity" "\"Arn\": \"$arn\"" bob sts get-caller-identity
expect_err "bob reads a role (no identity-based policy allows it)" \
  "User: $arn is not authorized to perform: iam:GetRole on resource: arn:aws:iam::000000000000:role/ml because no identity-based policy allows the iam:GetRole action" \
  bob iam get-role --role-name ml
expect_err "bob deletes a user (explicit deny; v1)" \
  "User: $arn is not authorized to perform: iam:DeleteUser on resource: arn:aws:iam::000000000000:user/alice with an explicit deny in an identity-based policy" \
  bob1 iam delete-user --user-name alice

root iam create-policy --policy-name only-get-user --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}' >/dev/null
root iam put-user-permissions-boundary --user-name bob --permissions-boundary arn:aws:iam::000000000000:policy/only-get-user
expect_err "bob lists users under a boundary that allows only GetUser" \
  "because no permissions boundary allows the iam:ListUsers action" bob iam list-users
expect_ok  "bob gets himself (identity and boundary allow)" '"UserName": "bob"' bob iam get-user

scp=$(mktemp)
echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}' >"$scp"
expect_ok  "sagebox scps put" "" "$bin" scps put no-get-user "$scp" --endpoint "$endpoint"
expect_err "bob gets himself under an SCP that denies it" \
  "with an explicit deny in a service control policy" bob iam get-user
expect_ok  "bob's GetCallerIdentity under the same SCP" "\"Arn\": \"$arn\"" bob sts get-caller-identity

expect_ok  "sagebox decisions --denied lists bob's refusals" "iam:GetUser" "$bin" decisions --denied --endpoint "$endpoint"
id=$("$bin" decisions --denied --limit 1 --json --endpoint "$endpoint" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decisions"][0]["requestId"])')
expect_ok  "sagebox explain names the SCP" "service control policy" "$bin" explain "$id" --endpoint "$endpoint"

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -30 "$log"
  echo "$failures authorization CLI checks failed"
  exit 1
fi
echo "all authorization CLI checks passed"
