#!/usr/bin/env bash
# The EC2 VPC scenario of the CLI checks, with Debian's AWS CLI v2: the default VPC, a VPC with a secondary block,
# subnets in chosen and picked zones, tags, filters, refusals with EC2's codes (a conflicting subnet, a dependency,
# DryRun), and the cleanup. It runs against its own in-memory server. Usage: .ci/cli-ec2.sh PATH-TO-SAGEBOX-BINARY
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
# expect_err NAME WANT CMD...: the command fails and its output holds WANT; a WANT of several parts joined by
# " && " needs each part (the CLI puts "(reached max retries: 0)" between the operation and the message).
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
# value CMD...: a command's output as text, one value with --query.
value() { v2 "$@" --output text; }

if [ ! -x /usr/bin/aws ]; then fail "AWS CLI v2 at /usr/bin/aws" "not installed"; exit 1; fi

check "the default VPC" 'len(j["Vpcs"])==1 and j["Vpcs"][0]["CidrBlock"]=="172.31.0.0/16" and j["Vpcs"][0]["IsDefault"]' \
  v2 ec2 describe-vpcs --filters Name=is-default,Values=true
check "its default subnets, one per zone" 'len(j["Subnets"])==6 and all(s["DefaultForAz"] and s["MapPublicIpOnLaunch"] for s in j["Subnets"])' \
  v2 ec2 describe-subnets --filters Name=default-for-az,Values=true
check "describe-availability-zones" '[z["ZoneId"] for z in j["AvailabilityZones"]][:2]==["use1-az1","use1-az2"]' \
  v2 ec2 describe-availability-zones
check "describe-regions eu-*" 'sorted(r["RegionName"] for r in j["Regions"])==["eu-central-1","eu-north-1","eu-west-1","eu-west-2","eu-west-3"]' \
  v2 ec2 describe-regions --filters 'Name=region-name,Values=eu-*'

vpc=$(value ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=ml}]' --query Vpc.VpcId)
if [[ $vpc == vpc-* ]]; then pass "create-vpc $vpc"; else fail "create-vpc" "$vpc"; fi
v2 ec2 wait vpc-available --vpc-ids "$vpc" && pass "wait vpc-available" || fail "wait vpc-available" ""
v2 ec2 modify-vpc-attribute --vpc-id "$vpc" --enable-dns-hostnames && pass "modify-vpc-attribute" || fail "modify-vpc-attribute" ""
check "describe-vpc-attribute enableDnsHostnames" 'j["EnableDnsHostnames"]["Value"] is True' \
  v2 ec2 describe-vpc-attribute --vpc-id "$vpc" --attribute enableDnsHostnames
check "associate-vpc-cidr-block" 'j["CidrBlockAssociation"]["CidrBlock"]=="10.1.0.0/16"' \
  v2 ec2 associate-vpc-cidr-block --vpc-id "$vpc" --cidr-block 10.1.0.0/16
expect_err "associate-vpc-cidr-block from another RFC 1918 range" "(InvalidVpc.Range) when calling the AssociateVpcCidrBlock operation && : The CIDR '192.168.0.0/16' is restricted." \
  v2 ec2 associate-vpc-cidr-block --vpc-id "$vpc" --cidr-block 192.168.0.0/16

a=$(value ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId)
b=$(value ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.1.0.0/28 --query Subnet.SubnetId)
if [[ $a == subnet-* && $b == subnet-* ]]; then pass "create-subnet (a chosen zone, and the secondary block)"; else fail "create-subnet" "$a $b"; fi
expect_err "create-subnet overlapping another" "(InvalidSubnet.Conflict) when calling the CreateSubnet operation && : The CIDR '10.0.1.128/25' conflicts with another subnet" \
  v2 ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.128/25
expect_err "create-subnet outside the VPC" "(InvalidSubnet.Range) when calling the CreateSubnet operation && : The CIDR '10.9.0.0/24' is invalid." \
  v2 ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.9.0.0/24
expect_err "create-subnet in an unknown zone" "Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b" \
  v2 ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.2.0/24 --availability-zone us-east-1z
expect_err "create-subnet --dry-run" "(DryRunOperation) when calling the CreateSubnet operation && : Request would have succeeded, but DryRun flag is set." \
  v2 ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.2.0/24 --dry-run
v2 ec2 modify-subnet-attribute --subnet-id "$a" --map-public-ip-on-launch && pass "modify-subnet-attribute" || fail "modify-subnet-attribute" ""
check "describe-subnets of the VPC" 'sorted((s["CidrBlock"], s["AvailableIpAddressCount"], s["MapPublicIpOnLaunch"]) for s in j["Subnets"])==[("10.0.1.0/24",251,True),("10.1.0.0/28",11,False)]' \
  v2 ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc"
v2 ec2 create-tags --resources "$vpc" "$a" --tags Key=team,Value=ml && pass "create-tags on two resources" || fail "create-tags" ""
check "describe-tags team=ml" 'sorted(t["ResourceType"] for t in j["Tags"])==["subnet","vpc"]' \
  v2 ec2 describe-tags --filters Name=key,Values=team Name=value,Values=ml
check "describe-vpcs by tag with a wildcard" '[v["VpcId"] for v in j["Vpcs"]]==["'"$vpc"'"]' \
  v2 ec2 describe-vpcs --filters 'Name=tag:Name,Values=m*'
expect_err "delete-vpc with subnets" "(DependencyViolation) when calling the DeleteVpc operation && : The vpc '$vpc' has dependencies and cannot be deleted." \
  v2 ec2 delete-vpc --vpc-id "$vpc"
expect_err "create-tags on a VPC that does not exist" "(InvalidVpcID.NotFound) when calling the CreateTags operation && : The vpc ID 'vpc-0000000000000000a' does not exist" \
  v2 ec2 create-tags --resources vpc-0000000000000000a --tags Key=a,Value=b

v2 ec2 delete-subnet --subnet-id "$a" && v2 ec2 delete-subnet --subnet-id "$b" && pass "delete-subnet" || fail "delete-subnet" ""
v2 ec2 delete-vpc --vpc-id "$vpc" && pass "delete-vpc" || fail "delete-vpc" ""
expect_err "describe-vpcs of the deleted VPC" "(InvalidVpcID.NotFound) when calling the DescribeVpcs operation && : The vpc ID '$vpc' does not exist" \
  v2 ec2 describe-vpcs --vpc-ids "$vpc"

if [ "$failures" -gt 0 ]; then
  echo "--- server log"; tail -30 "$log"
  echo "$failures EC2 CLI checks failed"
  exit 1
fi
echo "all EC2 CLI checks passed"
