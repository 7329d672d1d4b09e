#!/usr/bin/env bash
# The web identity scenario of the CLI checks: a GitHub Actions trust policy tested offline. An IAM OIDC provider
# for https://token.actions.githubusercontent.com, a role that trusts org/repo's workflows, and tokens minted by
# `sagebox oidc token` (the built-in test issuer, whose key sagebox trusts for every OIDC provider) handed to
# `aws sts assume-role-with-web-identity` (unsigned, as in AWS); the session works; other repositories, foreign
# keys and expired tokens are refused with AWS's texts. Usage: .ci/cli-oidc.sh PATH-TO-SAGEBOX-BINARY
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
# A CI job has no AWS credentials before it assumes its role: the CLI sends the request unsigned either way.
nocreds() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
sagebox() { "$bin" "$@" --endpoint "$endpoint"; }
expect_ok() {
  local name=$1 want=$2; shift 2
  local out
  if out=$("$@" 2>&1) && grep -qF -- "$want" <<<"$out"; then pass "$name"; else fail "$name" "$out"; fi
}
# expect_err NAME WANT CMD...: the command must fail and say WANT; a WANT of several parts joined by " && " needs
# each part (the CLI puts "(reached max retries: 0)" between the operation and the message).
expect_err() {
  local name=$1 want=$2; shift 2
  local out part rest
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"; return; fi
  rest=$want
  while [ -n "$rest" ]; do
    part=${rest%% && *}
    if [ "$part" = "$rest" ]; then rest=""; else rest=${rest#* && }; fi
    if ! grep -qF -- "$part" <<<"$out"; then fail "$name" "no '$part' in: $out"; return; fi
  done
  pass "$name"
}

provider=arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com
# Debian's AWS CLI v2 (2.9) predates optional thumbprints and insists on one; IAM keeps it and checks nothing with it.
thumbprint=6938fd4d98bab03faadb97b34396831e3780aea1
expect_ok "create the GitHub OIDC provider" "\"OpenIDConnectProviderArn\": \"$provider\"" \
  root iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com \
  --thumbprint-list $thumbprint
expect_err "create it again" "Provider with url https://token.actions.githubusercontent.com already exists." \
  root iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com \
  --thumbprint-list $thumbprint
expect_ok "list the providers" "$provider" root iam list-open-id-connect-providers

trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"'$provider'"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/repo:*"}}}]}'
root iam create-role --role-name deploy --assume-role-policy-document "$trust" >/dev/null
root iam put-role-policy --role-name deploy --policy-name list-roles --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}'
role=arn:aws:iam::000000000000:role/deploy

main_token=$(sagebox oidc token --sub repo:org/repo:ref:refs/heads/main --claim repository=org/repo)
if [ -n "$main_token" ]; then pass "sagebox oidc token mints a token"; else fail "sagebox oidc token mints a token" "no output"; fi
expect_ok "the issuer serves its keys" '"kty": "RSA"' curl -sf "$endpoint/_sagebox/oidc/jwks"

out=$(nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha --web-identity-token "$main_token" 2>&1)
if grep -qF '"SubjectFromWebIdentityToken": "repo:org/repo:ref:refs/heads/main"' <<<"$out" &&
  grep -qF "\"Provider\": \"$provider\"" <<<"$out" &&
  grep -qF '"Arn": "arn:aws:sts::000000000000:assumed-role/deploy/gha"' <<<"$out"; then
  pass "assume-role-with-web-identity with a token of org/repo's main branch"
else
  fail "assume-role-with-web-identity with a token of org/repo's main branch" "$out"
fi
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)["Credentials"]["'$1'"])' <<<"$out"; }
if key=$(field AccessKeyId) && secret=$(field SecretAccessKey) && token=$(field SessionToken); then
  session() { AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
  expect_ok "the session is the role's" '"Arn": "arn:aws:sts::000000000000:assumed-role/deploy/gha"' session sts get-caller-identity
  expect_ok "the session lists roles (the role allows it)" '"RoleName": "deploy"' session iam list-roles
  expect_err "the session lists users (the role does not allow it)" "AccessDenied" session iam list-users
fi

expect_err "a token of another repository" "(AccessDenied) && : Not authorized to perform sts:AssumeRoleWithWebIdentity" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha \
  --web-identity-token "$(sagebox oidc token --sub repo:evil/repo:ref:refs/heads/main)"
expect_err "a token for another audience" "(InvalidIdentityToken) && : Incorrect token audience" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha \
  --web-identity-token "$(sagebox oidc token --sub repo:org/repo:ref:refs/heads/main --aud https://github.com/org)"
expect_err "a token of an issuer without a provider" "(InvalidIdentityToken) && : No OpenIDConnect provider found in your account for https://gitlab.com" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha \
  --web-identity-token "$(sagebox oidc token --iss https://gitlab.com --sub project_path:g/p:ref_type:branch:ref:main)"
# A token signed by a key sagebox does not trust: header and claims of a real token, another signature.
forged="${main_token%.*}.$(python3 -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(256)).decode().rstrip("="))')"
expect_err "a token with a signature sagebox's key did not make" "(InvalidIdentityToken)" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha --web-identity-token "$forged"
expect_err "a token that expired in 1970" \
  "(ExpiredTokenException) && : Token expired: current date/time && must be before the expiration date/time 1" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha \
  --web-identity-token "$(sagebox oidc token --sub repo:org/repo:ref:refs/heads/main --claim exp=1)"
expect_err "an unsigned call of another STS operation" "MissingAuthenticationToken" nocreds sts get-caller-identity --no-sign-request

expect_ok "delete the provider" "" root iam delete-open-id-connect-provider --open-id-connect-provider-arn "$provider"
expect_err "a token once the provider is gone" "(InvalidIdentityToken) && : No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha \
  --web-identity-token "$(sagebox oidc token --sub repo:org/repo:ref:refs/heads/main)"

# Last, as signed calls would fail once the server's clock is ahead of the client's: tokens expire on the server's
# clock, which `sagebox clock advance` moves.
root iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com \
  --thumbprint-list $thumbprint >/dev/null
expired=$(sagebox oidc token --sub repo:org/repo:ref:refs/heads/main --expires 10m)
expect_ok "a 10-minute token, fresh" '"SubjectFromWebIdentityToken"' \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha --web-identity-token "$expired"
sagebox clock advance 20m >/dev/null
expect_err "the same token 20 minutes later on the server's clock" \
  "(ExpiredTokenException) && : Token expired: current date/time" \
  nocreds sts assume-role-with-web-identity --role-arn "$role" --role-session-name gha --web-identity-token "$expired"

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -30 "$log"
  echo "$failures web identity CLI checks failed"
  exit 1
fi
echo "all web identity CLI checks passed"
