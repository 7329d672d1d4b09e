package iam_test

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The policy simulator through the front door: SimulatePrincipalPolicy, SimulateCustomPolicy and the two
// GetContextKeysFor… operations.

// simDateDoc is the AWS CLI reference's example policy for simulate-custom-policy, one statement written as an object.
const simDateDoc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

func simCustom(t *testing.T, f *fixture, in *iam.SimulateCustomPolicyInput) *iam.SimulateCustomPolicyOutput {
	t.Helper()
	out, err := f.IAM.SimulateCustomPolicy(ctx, in)
	if err != nil {
		t.Fatalf("SimulateCustomPolicy: %v", err)
	}
	return out
}

func simPrincipal(t *testing.T, f *fixture, in *iam.SimulatePrincipalPolicyInput) *iam.SimulatePrincipalPolicyOutput {
	t.Helper()
	out, err := f.IAM.SimulatePrincipalPolicy(ctx, in)
	if err != nil {
		t.Fatalf("SimulatePrincipalPolicy(%s): %v", aws.ToString(in.PolicySourceArn), err)
	}
	return out
}

// simOnly returns the only evaluation result of out.
func simOnly(t *testing.T, out []types.EvaluationResult) types.EvaluationResult {
	t.Helper()
	if len(out) != 1 {
		t.Fatalf("the simulation answered %d results, want 1", len(out))
	}
	return out[0]
}

// simStatements renders matched statements as "ID (TYPE) L:C-L:C", one per statement.
func simStatements(sts []types.Statement) []string {
	out := []string{}
	for _, st := range sts {
		s := fmt.Sprintf("%s (%s)", aws.ToString(st.SourcePolicyId), st.SourcePolicyType)
		if st.StartPosition != nil && st.EndPosition != nil {
			s += fmt.Sprintf(" %d:%d-%d:%d", st.StartPosition.Line, st.StartPosition.Column, st.EndPosition.Line, st.EndPosition.Column)
		}
		out = append(out, s)
	}
	return out
}

func simEntry(name, typ string, values ...string) types.ContextEntry {
	return types.ContextEntry{ContextKeyName: aws.String(name), ContextKeyType: types.ContextKeyTypeEnum(typ), ContextKeyValues: values}
}

func simPutUserPolicy(t *testing.T, f *fixture, user, name, doc string) {
	t.Helper()
	if _, err := f.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatalf("PutUserPolicy(%s, %s): %v", user, name, err)
	}
}

func simCreatePolicy(t *testing.T, f *fixture, name, doc string) string {
	t.Helper()
	out, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatalf("CreatePolicy(%s): %v", name, err)
	}
	return aws.ToString(out.Policy.Arn)
}

func TestSimulateCustomPolicyDecisions(t *testing.T) {
	f := start(t)
	twoStatements := `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
  ]
}`
	cases := []struct {
		name     string
		docs     []string
		action   string
		entries  []types.ContextEntry
		decision types.PolicyEvaluationDecisionType
		matched  []string
		missing  []string
	}{
		{
			// The AWS CLI reference's example and its answer: 1:38 to 1:167.
			name: "a date after the condition's is allowed, at AWS's positions", docs: []string{simDateDoc},
			action: "dynamodb:CreateBackup", entries: []types.ContextEntry{simEntry("aws:CurrentTime", "date", "2019-04-25T11:00:00Z")},
			decision: "allowed", matched: []string{"PolicyInputList.1 (IAM Policy) 1:38-1:167"}, missing: []string{},
		},
		{
			name: "a date before the condition's is implicitly denied", docs: []string{simDateDoc},
			action: "dynamodb:CreateBackup", entries: []types.ContextEntry{simEntry("aws:CurrentTime", "date", "2014-04-25T11:00:00Z")},
			decision: "implicitDeny", matched: []string{}, missing: []string{},
		},
		{
			name: "without the key the statement cannot match and the key is missing", docs: []string{simDateDoc},
			action: "dynamodb:CreateBackup", decision: "implicitDeny", matched: []string{}, missing: []string{"aws:CurrentTime"},
		},
		{
			name: "an action no statement names is implicitly denied", docs: []string{simDateDoc},
			action: "s3:GetObject", entries: []types.ContextEntry{simEntry("aws:CurrentTime", "date", "2019-04-25T11:00:00Z")},
			decision: "implicitDeny", matched: []string{}, missing: []string{},
		},
		{
			// In a list, a statement starts after the token before it: the "[" for the first, the previous "}" for
			// the next; it ends after its "}".
			name: "an explicit deny lists the denying statement only", docs: []string{twoStatements},
			action: "s3:DeleteObject", decision: "explicitDeny", matched: []string{"PolicyInputList.1 (IAM Policy) 4:74-5:88"}, missing: []string{},
		},
		{
			name: "an allow lists the allowing statement", docs: []string{twoStatements},
			action: "s3:GetObject", decision: "allowed", matched: []string{"PolicyInputList.1 (IAM Policy) 3:17-4:74"}, missing: []string{},
		},
		{
			name: "the policies are numbered in the order given", docs: []string{simDateDoc, twoStatements},
			action: "s3:PutObject", decision: "allowed", matched: []string{"PolicyInputList.2 (IAM Policy) 3:17-4:74"}, missing: []string{"aws:CurrentTime"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: c.docs, ActionNames: []string{c.action}, ContextEntries: c.entries})
			r := simOnly(t, out.EvaluationResults)
			if aws.ToString(r.EvalActionName) != c.action || aws.ToString(r.EvalResourceName) != "*" {
				t.Errorf("the result is for %s on %s, want %s on *", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), c.action)
			}
			if r.EvalDecision != c.decision {
				t.Errorf("EvalDecision = %s, want %s", r.EvalDecision, c.decision)
			}
			if got := simStatements(r.MatchedStatements); !reflect.DeepEqual(got, c.matched) {
				t.Errorf("MatchedStatements = %q, want %q", got, c.matched)
			}
			if !reflect.DeepEqual(r.MissingContextValues, c.missing) {
				t.Errorf("MissingContextValues = %q, want %q", r.MissingContextValues, c.missing)
			}
			if r.EvalDecisionDetails != nil || r.ResourceSpecificResults != nil || r.PermissionsBoundaryDecisionDetail != nil || r.OrganizationsDecisionDetail != nil {
				t.Errorf("a simulation on * within one account answered details %v, resource results %v, boundary %v, organizations %v; want none",
					r.EvalDecisionDetails, r.ResourceSpecificResults, r.PermissionsBoundaryDecisionDetail, r.OrganizationsDecisionDetail)
			}
			if out.IsTruncated {
				t.Error("IsTruncated = true for one action, want false")
			}
		})
	}
}

// TestSimulatePrincipalPolicyPositions checks positions in a managed policy's text: AdministratorAccess, as AWS
// keeps it indented by two spaces, gives 3:17 to 8:6 in AWS's answers.
func TestSimulatePrincipalPolicyPositions(t *testing.T) {
	f := start(t)
	u := createUser(t, f, "admin")
	if _, err := f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	out := simPrincipal(t, f, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, ActionNames: []string{"s3:ListBucket"}})
	r := simOnly(t, out.EvaluationResults)
	want := []string{"AdministratorAccess (IAM Policy) 3:17-8:6"}
	if got := simStatements(r.MatchedStatements); r.EvalDecision != "allowed" || !reflect.DeepEqual(got, want) {
		t.Errorf("SimulatePrincipalPolicy(admin, s3:ListBucket) = %s %q, want allowed %q", r.EvalDecision, got, want)
	}
}

func TestSimulatePrincipalPolicySources(t *testing.T) {
	f := start(t)
	u := createUser(t, f, "ana")
	simPutUserPolicy(t, f, "ana", "own", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	createGroup(t, f, "ml")
	addToGroup(t, f, "ml", "ana")
	if _, err := f.IAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ml"), PolicyName: aws.String("team"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	managed := simCreatePolicy(t, f, "logs-read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}]}`)
	if _, err := f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ana"), PolicyArn: aws.String(managed)}); err != nil {
		t.Fatal(err)
	}
	role, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Trainer"), Path: aws.String("/ml/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Trainer"), PolicyName: aws.String("data"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::models/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	group := "arn:aws:iam::000000000000:group/ml"

	cases := []struct {
		name, source, action string
		decision             types.PolicyEvaluationDecisionType
		matched              string
	}{
		{"a user's own inline policy", aws.ToString(u.Arn), "s3:GetObject", "allowed", "own (IAM Policy) 1:38-1:95"},
		{"a user's attached managed policy, named by its name", aws.ToString(u.Arn), "logs:GetLogEvents", "allowed", "logs-read (IAM Policy) 1:38-1:92"},
		{"a user's group's inline policy", aws.ToString(u.Arn), "sagemaker:CreateDomain", "allowed", "team (IAM Policy) 1:38-1:94"},
		{"a group's own policies", group, "sagemaker:CreateDomain", "allowed", "team (IAM Policy) 1:38-1:94"},
		{"a group has not its members' policies", group, "s3:GetObject", "implicitDeny", ""},
		{"a role's policies, its path in the ARN", aws.ToString(role.Role.Arn), "s3:PutObject", "allowed", "data (IAM Policy) 1:38-1:115"},
		{"a role has nothing it was not given", aws.ToString(role.Role.Arn), "s3:GetObject", "implicitDeny", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource := "arn:aws:s3:::models/m.tar.gz"
			if !strings.HasPrefix(c.action, "s3:") {
				resource = "*"
			}
			out := simPrincipal(t, f, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(c.source), ActionNames: []string{c.action}, ResourceArns: []string{resource}})
			r := simOnly(t, out.EvaluationResults)
			got := strings.Join(simStatements(r.MatchedStatements), "; ")
			if r.EvalDecision != c.decision || got != c.matched {
				t.Errorf("SimulatePrincipalPolicy(%s, %s) = %s [%s], want %s [%s]", c.source, c.action, r.EvalDecision, got, c.decision, c.matched)
			}
		})
	}

	t.Run("PolicyInputList adds to the principal's policies", func(t *testing.T) {
		out := simPrincipal(t, f, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, ActionNames: []string{"ec2:DescribeVpcs"},
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`}})
		r := simOnly(t, out.EvaluationResults)
		if got := simStatements(r.MatchedStatements); r.EvalDecision != "allowed" || !reflect.DeepEqual(got, []string{"PolicyInputList.1 (IAM Policy) 1:38-1:95"}) {
			t.Errorf("SimulatePrincipalPolicy with PolicyInputList = %s %q, want allowed by PolicyInputList.1", r.EvalDecision, got)
		}
	})

	errs := []struct {
		name, source, code, message string
	}{
		{"a user that does not exist", "arn:aws:iam::000000000000:user/nobody", "NoSuchEntity", "The user with name nobody cannot be found."},
		{"a role that does not exist", "arn:aws:iam::000000000000:role/Nobody", "NoSuchEntity", "The role with name Nobody cannot be found."},
		{"a group that does not exist", "arn:aws:iam::000000000000:group/nobody", "NoSuchEntity", "The group with name nobody cannot be found."},
		{"a role named with another path", "arn:aws:iam::000000000000:role/Trainer", "NoSuchEntity", "The role with name Trainer cannot be found."},
		{"a role session", "arn:aws:sts::000000000000:assumed-role/Trainer/s1", "InvalidInput",
			"Invalid Entity Arn: arn:aws:sts::000000000000:assumed-role/Trainer/s1 does not clearly define entity type and name."},
		{"another account's role", "arn:aws:iam::111122223333:role/Trainer", "InvalidInput",
			"Invalid Policy Source Arn: caller's account 000000000000 does not have access to policies in account 111122223333"},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.IAM.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(c.source), ActionNames: []string{"s3:GetObject"}})
			wantError(t, "SimulatePrincipalPolicy("+c.source+")", err, c.code, c.message, 0)
		})
	}
}

func TestSimulateBoundaries(t *testing.T) {
	f := start(t)
	boundary := simCreatePolicy(t, f, "only-s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	if _, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bo"), PermissionsBoundary: aws.String(boundary)}); err != nil {
		t.Fatal(err)
	}
	simPutUserPolicy(t, f, "bo", "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	bo := "arn:aws:iam::000000000000:user/bo"
	onlyLogs := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`

	cases := []struct {
		name       string
		boundaries []string
		action     string
		decision   types.PolicyEvaluationDecisionType
		allowed    bool
		matched    []string
	}{
		{"the principal's own boundary allows", nil, "s3:GetObject", "allowed", true, []string{"all (IAM Policy) 1:38-1:84", "only-s3 (IAM Policy) 1:38-1:87"}},
		{"the principal's own boundary does not allow", nil, "iam:CreateUser", "implicitDeny", false, []string{"all (IAM Policy) 1:38-1:84"}},
		{"a boundary given replaces the principal's", []string{onlyLogs}, "s3:GetObject", "implicitDeny", false, []string{"all (IAM Policy) 1:38-1:84"}},
		{"a boundary given allows", []string{onlyLogs}, "logs:GetLogEvents", "allowed", true,
			[]string{"all (IAM Policy) 1:38-1:84", "PermissionsBoundaryPolicyInputList.1 (IAM Policy) 1:38-1:89"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := simPrincipal(t, f, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(bo), ActionNames: []string{c.action}, PermissionsBoundaryPolicyInputList: c.boundaries})
			r := simOnly(t, out.EvaluationResults)
			if r.EvalDecision != c.decision {
				t.Errorf("EvalDecision = %s, want %s", r.EvalDecision, c.decision)
			}
			if r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary != c.allowed {
				t.Errorf("PermissionsBoundaryDecisionDetail = %+v, want AllowedByPermissionsBoundary %v", r.PermissionsBoundaryDecisionDetail, c.allowed)
			}
			if got := simStatements(r.MatchedStatements); !reflect.DeepEqual(got, c.matched) {
				t.Errorf("MatchedStatements = %q, want %q", got, c.matched)
			}
		})
	}

	t.Run("SimulateCustomPolicy takes a boundary too", func(t *testing.T) {
		out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
			PermissionsBoundaryPolicyInputList: []string{onlyLogs}, ActionNames: []string{"s3:GetObject", "logs:GetLogEvents"}})
		got := []string{}
		for _, r := range out.EvaluationResults {
			got = append(got, fmt.Sprintf("%s %s %v", aws.ToString(r.EvalActionName), r.EvalDecision, r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary))
		}
		want := []string{"s3:GetObject implicitDeny false", "logs:GetLogEvents allowed true"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SimulateCustomPolicy with a boundary = %q, want %q", got, want)
		}
	})

	t.Run("more than one boundary is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{onlyLogs},
			PermissionsBoundaryPolicyInputList: []string{onlyLogs, onlyLogs}, ActionNames: []string{"s3:GetObject"}})
		wantError(t, "SimulateCustomPolicy with two boundaries", err, "InvalidInput", "The list of Permissions Boundary policies cannot exceed 1 items.", 400)
	})
}

func TestSimulateResourcePolicy(t *testing.T) {
	f := start(t)
	caller := "arn:aws:iam::000000000000:user/reader"
	bucketPolicy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::reports/*"}]}`
	nothing := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}]}`
	everything := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

	t.Run("a grant to the caller stands alone within one account", func(t *testing.T) {
		out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String(caller), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q3.csv"}})
		r := simOnly(t, out.EvaluationResults)
		want := []string{"ResourcePolicy (Resource Policy) 1:38-1:176"}
		if got := simStatements(r.MatchedStatements); r.EvalDecision != "allowed" || !reflect.DeepEqual(got, want) {
			t.Errorf("GetObject = %s %q, want allowed %q", r.EvalDecision, got, want)
		}
		if aws.ToString(r.EvalResourceName) != "arn:aws:s3:::reports/q3.csv" {
			t.Errorf("EvalResourceName = %q, want the resource", aws.ToString(r.EvalResourceName))
		}
		if r.EvalDecisionDetails == nil || len(r.EvalDecisionDetails) != 0 {
			t.Errorf("EvalDecisionDetails = %v, want present and empty for a resource within one account", r.EvalDecisionDetails)
		}
		if len(r.ResourceSpecificResults) != 1 || r.ResourceSpecificResults[0].EvalResourceDecision != "allowed" {
			t.Errorf("ResourceSpecificResults = %+v, want the resource allowed", r.ResourceSpecificResults)
		}
	})
	t.Run("a deny in the resource policy is listed alone", func(t *testing.T) {
		out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{everything}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String(caller), ActionNames: []string{"s3:DeleteObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q3.csv"}})
		r := simOnly(t, out.EvaluationResults)
		want := []string{"ResourcePolicy (Resource Policy) 1:176-1:273"}
		if got := simStatements(r.MatchedStatements); r.EvalDecision != "explicitDeny" || !reflect.DeepEqual(got, want) {
			t.Errorf("DeleteObject = %s %q, want explicitDeny %q", r.EvalDecision, got, want)
		}
	})
	t.Run("across accounts both sides must allow and the details say which did", func(t *testing.T) {
		out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String(caller), ResourceOwner: aws.String("arn:aws:iam::444455556666:root"),
			ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q3.csv"}})
		r := simOnly(t, out.EvaluationResults)
		wantDetails := map[string]types.PolicyEvaluationDecisionType{"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
		if r.EvalDecision != "implicitDeny" || !reflect.DeepEqual(r.EvalDecisionDetails, wantDetails) {
			t.Errorf("cross-account GetObject = %s %v, want implicitDeny %v", r.EvalDecision, r.EvalDecisionDetails, wantDetails)
		}
	})
	t.Run("a ResourceOwner that is not an account is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourceOwner: aws.String("ops"), ActionNames: []string{"s3:GetObject"}})
		wantError(t, "SimulateCustomPolicy with ResourceOwner ops", err, "InvalidInput", "'ops' is not a valid as a Resource Owner.", 400)
	})
	t.Run("a resource policy without a caller is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourcePolicy: aws.String(bucketPolicy), ActionNames: []string{"s3:GetObject"}})
		wantError(t, "SimulateCustomPolicy without CallerArn", err, "InvalidInput", "Invalid caller - Caller must be an IAM user in this context.", 400)
	})
	t.Run("a caller that is not a user is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String("arn:aws:iam::000000000000:role/Trainer"), ActionNames: []string{"s3:GetObject"}})
		wantError(t, "SimulateCustomPolicy with a role as CallerArn", err, "InvalidInput", "Invalid caller - Caller must be an IAM user in this context.", 400)
	})
	t.Run("a role's policies with a resource policy need a caller", func(t *testing.T) {
		if _, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Reader"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
			t.Fatal(err)
		}
		role := aws.String("arn:aws:iam::000000000000:role/Reader")
		_, err := f.IAM.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: role, ResourcePolicy: aws.String(bucketPolicy), ActionNames: []string{"s3:GetObject"}})
		wantError(t, "SimulatePrincipalPolicy(role) with a resource policy", err, "InvalidInput", "Invalid caller - Caller must be an IAM user in this context.", 400)
		out := simPrincipal(t, f, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: role, ResourcePolicy: aws.String(bucketPolicy), CallerArn: aws.String(caller),
			ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q3.csv"}})
		if r := simOnly(t, out.EvaluationResults); r.EvalDecision != "allowed" {
			t.Errorf("SimulatePrincipalPolicy(role) as the reader = %s, want allowed by the bucket policy", r.EvalDecision)
		}
	})
	t.Run("a resource policy IAM would refuse is MalformedPolicyDocument", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourcePolicy: aws.String(`{"Version":"2012-10-17"`),
			CallerArn: aws.String(caller), ActionNames: []string{"s3:GetObject"}})
		if code, _, _ := apiError(t, err); code != "MalformedPolicyDocument" {
			t.Errorf("SimulateCustomPolicy with a broken resource policy answered %s, want MalformedPolicyDocument", code)
		}
	})
}

func TestSimulateSeveralResources(t *testing.T) {
	f := start(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::public/*"},` +
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}`
	cases := []struct {
		name      string
		resources []string
		decision  types.PolicyEvaluationDecisionType
		each      []string
	}{
		{"all allowed", []string{"arn:aws:s3:::public/a", "arn:aws:s3:::public/b"}, "allowed", []string{"arn:aws:s3:::public/a allowed", "arn:aws:s3:::public/b allowed"}},
		{"one not allowed", []string{"arn:aws:s3:::public/a", "arn:aws:s3:::other/b"}, "implicitDeny", []string{"arn:aws:s3:::public/a allowed", "arn:aws:s3:::other/b implicitDeny"}},
		{"one denied", []string{"arn:aws:s3:::public/a", "arn:aws:s3:::secret/b"}, "explicitDeny", []string{"arn:aws:s3:::public/a allowed", "arn:aws:s3:::secret/b explicitDeny"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"}, ResourceArns: c.resources})
			r := simOnly(t, out.EvaluationResults)
			var each []string
			for _, rs := range r.ResourceSpecificResults {
				each = append(each, aws.ToString(rs.EvalResourceName)+" "+string(rs.EvalResourceDecision))
			}
			if r.EvalDecision != c.decision || !reflect.DeepEqual(each, c.each) {
				t.Errorf("GetObject on %q = %s %q, want %s %q", c.resources, r.EvalDecision, each, c.decision, c.each)
			}
		})
	}
	t.Run("a resource that is not an ARN is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"},
			ResourceArns: []string{"14a050d4-021e-4efe-84bb-0871bf6d0fda"}})
		wantError(t, "SimulateCustomPolicy on a key id", err, "InvalidInput", "ResourceNames are not in a valid ARN format: 14a050d4-021e-4efe-84bb-0871bf6d0fda.", 400)
	})
	t.Run("a ResourceHandlingOption needs its resources", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"ec2:RunInstances"},
			ResourceArns: []string{"arn:aws:ec2:us-east-1:000000000000:instance/*"}, ResourceHandlingOption: aws.String("EC2-VPC-EBS")})
		wantError(t, "SimulateCustomPolicy EC2-VPC-EBS with an instance only", err, "InvalidInput", "The ResourceHandlingOption EC2-VPC-EBS requires a resource of type image.", 400)
	})
}

// TestSimulateContextEntryTypes gives a value of every ContextKeyTypeEnum type to a condition that reads it: a
// matching value allows, another does not, and a value that is not of the type is refused.
func TestSimulateContextEntryTypes(t *testing.T) {
	f := start(t)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		typ, condition   string
		match, miss, bad []string
	}{
		{"string", `{"StringEquals":{"s3:prefix":"home/"}}`, []string{"home/"}, []string{"etc/"}, nil},
		{"stringList", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}`, []string{"env", "team"}, []string{"env", "cost"}, nil},
		{"numeric", `{"NumericLessThan":{"s3:max-keys":"10"}}`, []string{"5"}, []string{"50"}, []string{"ten"}},
		{"numericList", `{"ForAllValues:NumericLessThan":{"ec2:VolumeSize":"100"}}`, []string{"8", "20"}, []string{"8", "500"}, []string{"8", "x"}},
		{"boolean", `{"Bool":{"aws:SecureTransport":"true"}}`, []string{"true"}, []string{"false"}, []string{"yes"}},
		{"booleanList", `{"ForAnyValue:Bool":{"sagemaker:Flags":"true"}}`, []string{"false", "true"}, []string{"false", "false"}, []string{"maybe"}},
		{"ip", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"203.0.113.7"}, []string{"198.51.100.7"}, []string{"203.0.113"}},
		{"ipList", `{"ForAnyValue:IpAddress":{"sagemaker:Ips":"10.0.0.0/8"}}`, []string{"192.168.0.1", "10.1.2.3"}, []string{"192.168.0.1"}, []string{"10.1.2.300"}},
		{"binary", `{"BinaryEquals":{"sagemaker:Blob":"` + b64("abc") + `"}}`, []string{b64("abc")}, []string{b64("abd")}, []string{"not base64!"}},
		{"binaryList", `{"ForAnyValue:BinaryEquals":{"sagemaker:Blobs":"` + b64("abc") + `"}}`, []string{b64("x"), b64("abc")}, []string{b64("x")}, []string{"%%"}},
		{"date", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"2024-05-01T00:00:00Z"}, []string{"2019-05-01T00:00:00Z"}, []string{"yesterday"}},
		{"dateList", `{"ForAnyValue:DateLessThan":{"sagemaker:Dates":"2020-01-01T00:00:00Z"}}`, []string{"2030-01-01T00:00:00Z", "2019-01-01T00:00:00Z"}, []string{"2030-01-01T00:00:00Z"}, []string{"2019-13-45"}},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":` + c.condition + `}]}`
			keys, err := f.IAM.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}})
			if err != nil || len(keys.ContextKeyNames) != 1 {
				t.Fatalf("GetContextKeysForCustomPolicy = %v, %v; want the condition's key", keys, err)
			}
			key := keys.ContextKeyNames[0]
			for _, v := range []struct {
				values []string
				want   types.PolicyEvaluationDecisionType
			}{{c.match, "allowed"}, {c.miss, "implicitDeny"}} {
				out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:ListBucket"},
					ContextEntries: []types.ContextEntry{simEntry(key, c.typ, v.values...)}})
				if r := simOnly(t, out.EvaluationResults); r.EvalDecision != v.want || len(r.MissingContextValues) != 0 {
					t.Errorf("%s %s = %q: %s missing %q, want %s and nothing missing", c.typ, key, v.values, r.EvalDecision, r.MissingContextValues, v.want)
				}
			}
			if c.bad != nil {
				_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:ListBucket"},
					ContextEntries: []types.ContextEntry{simEntry(key, c.typ, c.bad...)}})
				if code, msg, _ := apiError(t, err); code != "InvalidInput" || !strings.Contains(msg, key) {
					t.Errorf("%s %s = %q answered %s %q, want InvalidInput naming the key", c.typ, key, c.bad, code, msg)
				}
			}
		})
	}
	t.Run("a single-valued type with two values is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{simDateDoc}, ActionNames: []string{"s3:ListBucket"},
			ContextEntries: []types.ContextEntry{simEntry("aws:username", "string", "a", "b")}})
		wantError(t, "a string entry with two values", err, "InvalidInput", "Context key aws:username of type string takes one value; use the type stringList for several.", 400)
	})
}

func TestSimulatePagination(t *testing.T) {
	f := start(t)
	actions := []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:DescribeVpcs", "iam:GetUser"}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	var got []string
	var marker *string
	pages := 0
	for {
		out := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: actions, MaxItems: aws.Int32(2), Marker: marker})
		pages++
		if len(out.EvaluationResults) > 2 {
			t.Fatalf("page %d has %d results, want at most MaxItems 2", pages, len(out.EvaluationResults))
		}
		for _, r := range out.EvaluationResults {
			got = append(got, aws.ToString(r.EvalActionName)+" "+string(r.EvalDecision))
		}
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Errorf("the last page has Marker %q, want none", aws.ToString(out.Marker))
			}
			break
		}
		if out.Marker == nil || pages > 5 {
			t.Fatalf("page %d is truncated with Marker %v", pages, out.Marker)
		}
		marker = out.Marker
	}
	want := []string{"s3:GetObject allowed", "s3:PutObject allowed", "s3:ListBucket allowed", "ec2:DescribeVpcs implicitDeny", "iam:GetUser implicitDeny"}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("the pages of 2 answered %q in %d pages, want %q in 3", got, pages, want)
	}
	t.Run("the paginator of the SDK reads them all", func(t *testing.T) {
		p := iam.NewSimulatePrincipalPolicyPaginator(f.IAM, &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: createUser(t, f, "pager").Arn, PolicyInputList: []string{doc}, ActionNames: actions, MaxItems: aws.Int32(1)})
		n := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.EvaluationResults)
		}
		if n != len(actions) {
			t.Errorf("the paginator read %d results, want %d", n, len(actions))
		}
	})
	t.Run("a marker that is not one is refused", func(t *testing.T) {
		_, err := f.IAM.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: actions, Marker: aws.String("!!")})
		wantError(t, "SimulateCustomPolicy with a bad marker", err, "InvalidInput", "Invalid Marker.", 400)
	})
}

func TestGetContextKeys(t *testing.T) {
	f := start(t)
	// The AWS CLI reference's example, and its answer.
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`
	out, err := f.IAM.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws:username", "aws:CurrentTime"}; !reflect.DeepEqual(out.ContextKeyNames, want) {
		t.Errorf("GetContextKeysForCustomPolicy = %q, want %q", out.ContextKeyNames, want)
	}

	createUser(t, f, "saanvi")
	simPutUserPolicy(t, f, "saanvi", "own", doc)
	createGroup(t, f, "ops")
	addToGroup(t, f, "ops", "saanvi")
	if _, err := f.IAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("net"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"AWS:USERNAME":"x","ec2:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, source string
		more         []string
		want         []string
	}{
		{"a user's policies and its groups', each key once whatever its case", "arn:aws:iam::000000000000:user/saanvi", nil,
			[]string{"aws:username", "aws:CurrentTime", "aws:SourceIp", "ec2:ResourceTag/team", "aws:PrincipalTag/team"}},
		{"a group's own", "arn:aws:iam::000000000000:group/ops", nil, []string{"aws:SourceIp", "AWS:USERNAME", "ec2:ResourceTag/team", "aws:PrincipalTag/team"}},
		{"with more policies", "arn:aws:iam::000000000000:group/ops", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"false"}}}]}`},
			[]string{"aws:SourceIp", "AWS:USERNAME", "ec2:ResourceTag/team", "aws:PrincipalTag/team", "s3:x-amz-server-side-encryption"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := f.IAM.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(c.source), PolicyInputList: c.more})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.ContextKeyNames, c.want) {
				t.Errorf("GetContextKeysForPrincipalPolicy(%s) = %q, want %q", c.source, out.ContextKeyNames, c.want)
			}
		})
	}
	t.Run("a principal that does not exist", func(t *testing.T) {
		_, err := f.IAM.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:user/nobody")})
		wantError(t, "GetContextKeysForPrincipalPolicy(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
	})
	t.Run("a document IAM would refuse", func(t *testing.T) {
		_, err := f.IAM.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`}})
		if code, _, _ := apiError(t, err); code != "MalformedPolicyDocument" {
			t.Errorf("GetContextKeysForCustomPolicy of a policy with a Principal answered %s, want MalformedPolicyDocument", code)
		}
	})
}

// TestSimulateServiceControlPolicies: SimulatePrincipalPolicy evaluates the SCPs of the account and says whether
// they allowed; SimulateCustomPolicy evaluates none.
func TestSimulateServiceControlPolicies(t *testing.T) {
	f := start(t)
	u := createUser(t, f, "sam")
	simPutUserPolicy(t, f, "sam", "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	z := f.App.Authorizer()
	if _, err := z.PutSCP(ctx, "", "FullAWSAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := z.PutSCP(ctx, "", "NoDelete", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	out := simPrincipal(t, f, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, ActionNames: []string{"s3:GetObject", "s3:DeleteBucket"}})
	got := []string{}
	for _, r := range out.EvaluationResults {
		if r.OrganizationsDecisionDetail == nil {
			t.Fatalf("%s has no OrganizationsDecisionDetail, want one for an account with SCPs", aws.ToString(r.EvalActionName))
		}
		got = append(got, fmt.Sprintf("%s %s %v %q", aws.ToString(r.EvalActionName), r.EvalDecision, r.OrganizationsDecisionDetail.AllowedByOrganizations, simStatements(r.MatchedStatements)))
	}
	want := []string{`s3:GetObject allowed true ["all (IAM Policy) 1:38-1:84"]`, `s3:DeleteBucket explicitDeny false []`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SimulatePrincipalPolicy under SCPs = %q, want %q", got, want)
	}
	custom := simCustom(t, f, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}, ActionNames: []string{"s3:DeleteBucket"}})
	if r := simOnly(t, custom.EvaluationResults); r.EvalDecision != "allowed" || r.OrganizationsDecisionDetail != nil {
		t.Errorf("SimulateCustomPolicy under SCPs = %s %+v, want allowed without OrganizationsDecisionDetail", r.EvalDecision, r.OrganizationsDecisionDetail)
	}
}

// TestSimulateAuthorization: the simulator's actions are authorized on the PolicySourceArn, or on "*".
func TestSimulateAuthorization(t *testing.T) {
	f := start(t)
	target := createUser(t, f, "target")
	createUser(t, f, "auditor")
	simPutUserPolicy(t, f, "auditor", "sim", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["iam:SimulatePrincipalPolicy","iam:GetContextKeysForPrincipalPolicy"],"Resource":"arn:aws:iam::000000000000:user/target"},`+
		`{"Effect":"Allow","Action":"iam:GetContextKeysForCustomPolicy","Resource":"*"}]}`)
	asAuditor, _ := clientsOf(f, createKey(t, f, "auditor"))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

	if _, err := asAuditor.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: target.Arn, ActionNames: []string{"s3:GetObject"}}); err != nil {
		t.Errorf("SimulatePrincipalPolicy(target) by a user allowed on it: %v", err)
	}
	if _, err := asAuditor.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: target.Arn}); err != nil {
		t.Errorf("GetContextKeysForPrincipalPolicy(target) by a user allowed on it: %v", err)
	}
	if _, err := asAuditor.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}}); err != nil {
		t.Errorf("GetContextKeysForCustomPolicy by a user allowed on *: %v", err)
	}
	_, err := asAuditor.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:user/auditor"), ActionNames: []string{"s3:GetObject"}})
	wantError(t, "SimulatePrincipalPolicy(auditor) by the auditor", err, "AccessDenied",
		"User: arn:aws:iam::000000000000:user/auditor is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::000000000000:user/auditor because no identity-based policy allows the iam:SimulatePrincipalPolicy action", 403)
	_, err = asAuditor.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"}})
	if code, msg, _ := apiError(t, err); code != "AccessDenied" || !strings.Contains(msg, "iam:SimulateCustomPolicy") {
		t.Errorf("SimulateCustomPolicy by a user not allowed it answered %s %q, want AccessDenied for iam:SimulateCustomPolicy", code, msg)
	}
}
