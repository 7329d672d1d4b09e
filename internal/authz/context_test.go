package authz

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// TestRequestContext checks the global keys each kind of request carries, as the IAM User Guide's "AWS global
// condition context keys" gives their availability: a key listed with "" must be absent.
func TestRequestContext(t *testing.T) {
	session := &api.Principal{Type: api.AssumedRole, Account: acct, ARN: "arn:aws:sts::111122223333:assumed-role/exec/job-7",
		UserID: "AROAEXEC:job-7", AccessKeyID: "ASIASESSION"}
	issued := time.Date(2026, 5, 1, 11, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		c    *api.Call
		a    *api.Authorization
		pp   *PrincipalPolicies
		s    *Session
		want map[string][]string
	}{
		{
			name: "an IAM user with a long-term key",
			c:    call(alice, "sagemaker"),
			a:    &api.Authorization{Action: "sagemaker:ListDomains"},
			pp:   &PrincipalPolicies{Tags: map[string]string{"team": "ml", "cost": "42"}},
			want: map[string][]string{
				"aws:PrincipalArn": {aliceARN}, "aws:PrincipalAccount": {acct}, "aws:PrincipalType": {"User"},
				"aws:userid": {"AIDAALICE"}, "aws:username": {"alice"}, "aws:PrincipalTag/team": {"ml"},
				"aws:PrincipalTag/cost": {"42"}, "aws:PrincipalIsAWSService": {"false"},
				"aws:RequestedRegion": {"eu-west-1"}, "aws:CurrentTime": {"2026-05-01T12:00:00Z"},
				"aws:EpochTime": {"1777636800"}, "aws:SecureTransport": {"false"}, "aws:SourceIp": {"192.0.2.10"},
				"aws:ViaAWSService": {"false"}, "aws:ResourceAccount": {acct},
				"aws:MultiFactorAuthPresent": nil, "aws:TokenIssueTime": nil, "aws:CalledVia": nil,
			},
		},
		{
			name: "the root user, calling IAM signed for another region",
			c:    call(root, "iam"),
			a:    &api.Authorization{Action: "iam:ListUsers"},
			want: map[string][]string{
				"aws:PrincipalArn": {"arn:aws:iam::111122223333:root"}, "aws:PrincipalType": {"Account"},
				"aws:userid": {acct}, "aws:username": nil, "aws:RequestedRegion": {"us-east-1"},
			},
		},
		{
			name: "a role session with session tags",
			c:    call(session, "s3"),
			a:    &api.Authorization{Action: "s3:GetObject", Context: map[string][]string{"s3:prefix": {"data/"}}},
			pp:   &PrincipalPolicies{Tags: map[string]string{"team": "ml", "env": "dev"}},
			s: &Session{Issued: issued, MFA: true, MFAAuthenticated: issued, Tags: map[string]string{"team": "research"},
				RoleARN: "arn:aws:iam::111122223333:role/service/exec", SourceIdentity: "alice"},
			want: map[string][]string{
				"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/service/exec"}, "aws:PrincipalType": {"AssumedRole"},
				"aws:userid": {"AROAEXEC:job-7"}, "aws:username": nil,
				"aws:PrincipalTag/team": {"research"}, "aws:PrincipalTag/env": {"dev"},
				"aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"3600"},
				"aws:TokenIssueTime": {"2026-05-01T11:00:00Z"}, "aws:SourceIdentity": {"alice"}, "s3:prefix": {"data/"},
			},
		},
		{
			name: "a role session STS says nothing of",
			c:    call(session, "s3"),
			a:    &api.Authorization{Action: "s3:GetObject"},
			want: map[string][]string{
				"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/exec"}, "aws:MultiFactorAuthPresent": {"false"},
				"aws:TokenIssueTime": nil,
			},
		},
		{
			name: "a call SageMaker makes on a user's behalf",
			c:    call(alice, "ec2"),
			a: &api.Authorization{Action: "ec2:CreateNetworkInterface", Context: map[string][]string{
				"aws:CalledVia": {"cloudformation.amazonaws.com", "sagemaker.amazonaws.com"}, "ec2:Vpc": {"vpc-1"}}},
			want: map[string][]string{
				"aws:CalledVia":      {"cloudformation.amazonaws.com", "sagemaker.amazonaws.com"},
				"aws:CalledViaFirst": {"cloudformation.amazonaws.com"}, "aws:CalledViaLast": {"sagemaker.amazonaws.com"},
				"aws:ViaAWSService": {"true"}, "aws:SourceIp": nil, "aws:MultiFactorAuthPresent": {"false"},
				"ec2:Vpc": {"vpc-1"},
			},
		},
		{
			name: "a service principal",
			c:    call(&api.Principal{Type: api.Service, Name: "sagemaker.amazonaws.com"}, "sts"),
			a:    &api.Authorization{Action: "sts:AssumeRole"},
			want: map[string][]string{
				"aws:PrincipalServiceName": {"sagemaker.amazonaws.com"}, "aws:PrincipalIsAWSService": {"true"},
				"aws:PrincipalArn": nil, "aws:userid": nil, "aws:PrincipalAccount": nil,
			},
		},
		{
			name: "a cross-account request",
			c:    call(alice, "s3"),
			a:    &api.Authorization{Action: "s3:GetObject", ResourceAccount: "444455556666"},
			want: map[string][]string{"aws:ResourceAccount": {"444455556666"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := (&Authorizer{}).requestContext(tc.c, tc.a, tc.pp, tc.s)
			for key, want := range tc.want {
				got, ok := ctx.Get(key)
				switch {
				case want == nil && ok:
					t.Errorf("context has %s = %q, want it absent", key, got)
				case want != nil && !ok:
					t.Errorf("context has no %s, want %q", key, want)
				case want != nil && !slices.Equal(got, want):
					t.Errorf("context %s = %q, want %q", key, got, want)
				}
			}
		})
	}
}

// TestRequestContextAllocations checks that filling the context of the usual requests allocates the Context and its
// array of keys, and nothing else: the keys are prepared once for the process, the principal's tags once for the
// principal, and the array is made as large as the keys need.
func TestRequestContextAllocations(t *testing.T) {
	session := &api.Principal{Type: api.AssumedRole, Account: acct, ARN: "arn:aws:sts::111122223333:assumed-role/exec/job-7",
		UserID: "AROAEXEC:job-7", AccessKeyID: "ASIASESSION"}
	tags := &PrincipalPolicies{Tags: map[string]string{"team": "ml", "cost": "42", "env": "dev"}}
	cases := []struct {
		name string
		c    *api.Call
		a    *api.Authorization
		pp   *PrincipalPolicies
		s    *Session
	}{
		{"an IAM user with tags", call(alice, "iam"), &api.Authorization{Action: "iam:GetUser"}, tags, nil},
		{"a role session with its role's tags", call(session, "s3"), &api.Authorization{Action: "s3:GetObject"}, tags,
			&Session{RoleARN: "arn:aws:iam::111122223333:role/exec"}},
		{"a service principal", call(&api.Principal{Type: api.Service, Name: "sagemaker.amazonaws.com"}, "sts"),
			&api.Authorization{Action: "sts:AssumeRole"}, nil, nil},
		{"a call SageMaker makes on a user's behalf", call(alice, "ec2"), &api.Authorization{Action: "ec2:CreateNetworkInterface",
			Context: map[string][]string{"aws:CalledVia": {"sagemaker.amazonaws.com"}, "ec2:vpc": {"vpc-1"}}}, tags, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := &Authorizer{}
			if n := testing.AllocsPerRun(100, func() { z.requestContext(tc.c, tc.a, tc.pp, tc.s) }); n > 2 {
				t.Errorf("requestContext allocates %v times, want 2 (the Context and its keys)", n)
			}
		})
	}
}

// TestPrincipalTagsPreparedConcurrently has the first requests of a principal prepare its tags at the same time:
// run with -race.
func TestPrincipalTagsPreparedConcurrently(t *testing.T) {
	pp := &PrincipalPolicies{Tags: map[string]string{"team": "ml", "env": "dev"}}
	done := make(chan []string, 4)
	for range 4 {
		go func() {
			ctx := (&Authorizer{}).requestContext(call(alice, "iam"), &api.Authorization{Action: "iam:GetUser"}, pp, nil)
			v, _ := ctx.Get("aws:PrincipalTag/env")
			done <- v
		}()
	}
	for range 4 {
		if v := <-done; !slices.Equal(v, []string{"dev"}) {
			t.Errorf("aws:PrincipalTag/env = %q, want dev", v)
		}
	}
}

func TestEnginePrincipal(t *testing.T) {
	session := &api.Principal{Type: api.AssumedRole, Account: acct, ARN: "arn:aws:sts::111122223333:assumed-role/exec/job-7", UserID: "AROAEXEC:job-7"}
	cases := []struct {
		name string
		p    *api.Principal
		s    *Session
		want policy.Principal
	}{
		{"a user", alice, nil, policy.Principal{ARN: aliceARN, Account: acct, UniqueID: "AIDAALICE"}},
		{"root", root, nil, policy.Principal{ARN: root.ARN, Account: acct, UniqueID: acct, Root: true}},
		{"a role session", session, nil, policy.Principal{ARN: session.ARN, Account: acct, UniqueID: "AROAEXEC",
			RoleARN: "arn:aws:iam::111122223333:role/exec"}},
		{"a role session with its role's path", session, &Session{RoleARN: "arn:aws:iam::111122223333:role/p/exec"},
			policy.Principal{ARN: session.ARN, Account: acct, UniqueID: "AROAEXEC", RoleARN: "arn:aws:iam::111122223333:role/p/exec"}},
		{"a service", &api.Principal{Type: api.Service, Name: "sagemaker.amazonaws.com"}, nil, policy.Principal{Service: "sagemaker.amazonaws.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := enginePrincipal(tc.p, tc.s); got != tc.want {
				t.Errorf("enginePrincipal(%s) = %+v, want %+v", tc.name, got, tc.want)
			}
		})
	}
}

func TestDenialText(t *testing.T) {
	const head = "User: " + aliceARN + " is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k "
	cases := []struct {
		outcome policy.Outcome
		layer   policy.PolicyType
		want    string
	}{
		{policy.ImplicitDeny, policy.IdentityPolicy, "because no identity-based policy allows the s3:GetObject action"},
		{policy.ImplicitDeny, 0, "because no identity-based policy allows the s3:GetObject action"},
		{policy.ImplicitDeny, policy.BoundaryPolicy, "because no permissions boundary allows the s3:GetObject action"},
		{policy.ImplicitDeny, policy.SessionPolicy, "because no session policy allows the s3:GetObject action"},
		{policy.ImplicitDeny, policy.ControlPolicy, "because no service control policy allows the s3:GetObject action"},
		{policy.ImplicitDeny, policy.ResourcePolicy, "because no resource-based policy allows the s3:GetObject action"},
		{policy.ImplicitDeny, policy.EndpointPolicy, "because no VPC endpoint policy allows the s3:GetObject action"},
		{policy.ExplicitDeny, policy.IdentityPolicy, "with an explicit deny in an identity-based policy"},
		{policy.ExplicitDeny, policy.BoundaryPolicy, "with an explicit deny in a permissions boundary"},
		{policy.ExplicitDeny, policy.SessionPolicy, "with an explicit deny in a session policy"},
		{policy.ExplicitDeny, policy.ControlPolicy, "with an explicit deny in a service control policy"},
		{policy.ExplicitDeny, policy.ResourcePolicy, "with an explicit deny in a resource-based policy"},
		{policy.ExplicitDeny, policy.EndpointPolicy, "with an explicit deny in a VPC endpoint policy"},
	}
	for _, tc := range cases {
		name := tc.outcome.String() + " " + layerName(tc.layer)
		t.Run(strings.TrimSpace(name), func(t *testing.T) {
			got := denialText(alice, "s3:GetObject", "arn:aws:s3:::b/k", policy.Decision{Outcome: tc.outcome, Layer: tc.layer}, nil)
			if got != head+tc.want {
				t.Errorf("denialText = %q, want %q", got, head+tc.want)
			}
		})
	}
}
