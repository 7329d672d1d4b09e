#!/usr/bin/env bash
# The SageMaker Studio scenario of the CLI checks, the seed documents' own flow with Debian's AWS CLI v2 and boto3: a
# VPC with two private subnets, a security group allowing NFS and 8192–65535 within itself, an execution role
# trusting SageMaker with AmazonSageMakerFullAccess, a VpcOnly domain, two user profiles, an app, presigned Studio
# URLs allowed for one's own profile and denied for another's by ${aws:username}, the page a URL opens, `sagebox
# reach --domain`, and the deletion order. It runs against its own in-memory server.
# Usage: .ci/cli-sagemaker.sh PATH-TO-SAGEBOX-BINARY
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
log=$(mktemp)
"$bin" serve --memory --addr "127.0.0.1:$port" --log-level warn --lifecycle-scale 0 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "$endpoint/_sagebox/health" >/dev/null && break; sleep 0.05; done

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; echo "     $2" | head -c 2000; echo; failures=$((failures + 1)); }
v2() { /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
value() { v2 "$@" --output text; }
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
if [ ! -x /usr/bin/aws ]; then fail "AWS CLI v2 at /usr/bin/aws" "not installed"; exit 1; fi

# The network.
vpc=$(value ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId)
a=$(value ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId)
b=$(value ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.2.0/24 --availability-zone us-east-1b --query Subnet.SubnetId)
sg=$(value ec2 create-security-group --vpc-id "$vpc" --group-name studio --description "Studio within itself" --query GroupId)
v2 ec2 authorize-security-group-ingress --group-id "$sg" --ip-permissions \
  "IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{GroupId=$sg}]" \
  "IpProtocol=tcp,FromPort=8192,ToPort=65535,UserIdGroupPairs=[{GroupId=$sg}]" >/dev/null
if [[ $vpc == vpc-* && $a == subnet-* && $b == subnet-* && $sg == sg-* ]]; then pass "a VPC, two private subnets and the Studio group"; else fail "the network" "$vpc $a $b $sg"; fi

# The execution role.
role=$(value iam create-role --role-name sm-exec --query Role.Arn --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
v2 iam attach-role-policy --role-name sm-exec --policy-arn arn:aws:iam::aws:policy/AmazonSageMakerFullAccess
notrust=$(value iam create-role --role-name not-sagemaker --query Role.Arn --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')

expect_err "create-domain with a role that does not trust SageMaker" \
  "allows principal 'sagemaker.amazonaws.com' to assume the role" \
  v2 sagemaker create-domain --domain-name ml --auth-mode IAM --vpc-id "$vpc" --subnet-ids "$a" "$b" \
    --app-network-access-type VpcOnly --default-user-settings "ExecutionRole=$notrust,SecurityGroups=$sg"
# Debian's CLI (2.9) has a model whose CreateDomainResponse predates DomainId: the id is read from the ARN.
domain_arn=$(value sagemaker create-domain --domain-name ml --auth-mode IAM --vpc-id "$vpc" --subnet-ids "$a" "$b" \
  --app-network-access-type VpcOnly --default-user-settings "ExecutionRole=$role,SecurityGroups=$sg" --query DomainArn)
domain=${domain_arn##*/}
if [[ $domain =~ ^d-[a-z0-9]{12}$ ]]; then pass "create-domain $domain"; else fail "create-domain" "$domain"; fi
expect_ok "describe-domain: InService, VpcOnly, an EFS file system" '"Status": "InService"' v2 sagemaker describe-domain --domain-id "$domain"
expect_ok "the domain's mount targets take an address in each subnet" '"AvailableIpAddressCount": 250' \
  v2 ec2 describe-subnets --subnet-ids "$a"

for p in alice bob; do
  v2 sagemaker create-user-profile --domain-id "$domain" --user-profile-name "$p" >/dev/null && pass "create-user-profile $p" || fail "create-user-profile $p" ""
done
expect_ok "create-app: alice's default JupyterServer" "app/$domain/alice/jupyterserver/default" \
  v2 sagemaker create-app --domain-id "$domain" --user-profile-name alice --app-type JupyterServer --app-name default
expect_ok "the app's interface is requester-managed in the domain's subnets" '"RequesterManaged": true' \
  v2 ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$vpc" "Name=description,Values=*Studio Domain($domain)*"

# Presigned URLs, each user for their own profile only.
for u in alice bob; do
  v2 iam create-user --user-name "$u" >/dev/null
  v2 iam put-user-policy --user-name "$u" --policy-name studio --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:CreatePresignedDomainUrl","Resource":"arn:aws:sagemaker:*:*:user-profile/*/${aws:username}"}]}'
  keys=$(v2 iam create-access-key --user-name "$u")
  eval "${u}_key=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["AccessKeyId"])' <<<"$keys")"
  eval "${u}_secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])' <<<"$keys")"
done
alice() { AWS_ACCESS_KEY_ID=$alice_key AWS_SECRET_ACCESS_KEY=$alice_secret /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
bob() { AWS_ACCESS_KEY_ID=$bob_key AWS_SECRET_ACCESS_KEY=$bob_secret /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
url=$(alice sagemaker create-presigned-domain-url --domain-id "$domain" --user-profile-name alice --query AuthorizedUrl --output text)
if [[ $url == "$endpoint/_sagebox/studio/auth?token="* ]]; then pass "alice presigns a URL for her own profile"; else fail "alice's presigned URL" "$url"; fi
expect_err "bob may not presign alice's profile" \
  "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sagemaker:CreatePresignedDomainUrl on resource: arn:aws:sagemaker:us-east-1:000000000000:user-profile/$domain/alice" \
  bob sagemaker create-presigned-domain-url --domain-id "$domain" --user-profile-name alice
jar=$(mktemp)
expect_ok "the URL opens alice's Studio page" "alice" curl -sfL -c "$jar" -b "$jar" "$url"
expect_ok "the page names her execution role" "sm-exec" curl -sfL -b "$jar" "$endpoint/_sagebox/studio/"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
if [ "$code" = 403 ]; then pass "the URL works once"; else fail "the URL a second time" "HTTP $code"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "${url}x")
if [ "$code" = 403 ]; then pass "an altered token is refused"; else fail "an altered token" "HTTP $code"; fi

# The network a VpcOnly domain without endpoints or a NAT gives its apps.
expect_err "sagebox reach --domain: a VpcOnly domain without endpoints or NAT reaches nothing" "has no route to" \
  "$bin" reach --domain "$domain" --endpoint "$endpoint"

# Deletion order.
expect_err "delete-domain with user profiles" "(ResourceInUse)" v2 sagemaker delete-domain --domain-id "$domain"
expect_err "delete-user-profile with an app" \
  "Unable to delete UserProfile [arn:aws:sagemaker:us-east-1:000000000000:user-profile/$domain/alice] because App(s) are associated with it." \
  v2 sagemaker delete-user-profile --domain-id "$domain" --user-profile-name alice
v2 sagemaker delete-app --domain-id "$domain" --user-profile-name alice --app-type JupyterServer --app-name default && pass "delete-app" || fail "delete-app" ""
for p in alice bob; do
  v2 sagemaker delete-user-profile --domain-id "$domain" --user-profile-name "$p" && pass "delete-user-profile $p" || fail "delete-user-profile $p" ""
done
v2 sagemaker delete-domain --domain-id "$domain" --retention-policy HomeEfsFileSystem=Delete && pass "delete-domain" || fail "delete-domain" ""
expect_err "describe-domain after it is gone" "(ResourceNotFound)" v2 sagemaker describe-domain --domain-id "$domain"

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -30 "$log"
  echo "$failures SageMaker CLI checks failed"
  exit 1
fi
echo "all SageMaker CLI checks passed"
