package app_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/authz/reference"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// recorder keeps every authorization a handler asks for. It denies everything, or, when allow is set, allows
// everything, so that a handler goes on to the authorizations it asks for after the first (PassRole after
// CreateRole's own, for instance).
type recorder struct {
	allow bool
	mu    sync.Mutex
	asked []api.Authorization
}

func (r *recorder) Authorize(_ context.Context, _ *api.Call, a *api.Authorization) (api.Decision, error) {
	r.mu.Lock()
	r.asked = append(r.asked, *a)
	r.mu.Unlock()
	if r.allow {
		return api.Decision{Allowed: true, Effect: "allow", Reason: "allowed by the test", Action: a.Action}, nil
	}
	return api.Decision{Effect: "implicitDeny", Reason: "denied by the test", Action: a.Action}, nil
}

// referenceExceptions are the findings of TestEveryAuthorizationFollowsTheReference that are known and kept on
// purpose, each with the reason. A finding is written "service.Operation: what is wrong". An entry whose finding no
// longer occurs fails the test too, so that the list only ever holds what is true.
var referenceExceptions = map[string]string{
	"iam.ListUsers: iam:ListUsers is asked on arn:aws:iam::000000000000:user/ but takes no resource: it must be asked on \"*\"":                                   listPrefix,
	"iam.ListGroups: iam:ListGroups is asked on arn:aws:iam::000000000000:group/ but takes no resource: it must be asked on \"*\"":                                listPrefix,
	"iam.ListRoles: iam:ListRoles is asked on arn:aws:iam::000000000000:role/ but takes no resource: it must be asked on \"*\"":                                   listPrefix,
	"iam.ListPolicies: iam:ListPolicies is asked on arn:aws:iam::000000000000:policy/ but takes no resource: it must be asked on \"*\"":                           listPrefix,
	"iam.ListInstanceProfiles: iam:ListInstanceProfiles is asked on arn:aws:iam::000000000000:instance-profile/ but takes no resource: it must be asked on \"*\"": listPrefix,
	"iam.GetAccessKeyLastUsed: iam:GetAccessKeyLastUsed is asked on arn:aws:iam::000000000000:user/*, which holds a wildcard": "a key the account does not " +
		"have belongs to no user, so the handler asks on every user of the default path before it answers NoSuchEntity; " +
		"which resource AWS names for an unknown key is not documented (a question for the lead)",
	"sagemaker.CreateApp: sagemaker:CreateApp is asked on arn:aws:sagemaker:us-east-1:000000000000:app/d-abcdefghijkl//jupyterserver/x, which matches none of its resource types (app)":     noAppOwner,
	"sagemaker.DeleteApp: sagemaker:DeleteApp is asked on arn:aws:sagemaker:us-east-1:000000000000:app/d-abcdefghijkl//jupyterserver/x, which matches none of its resource types (app)":     noAppOwner,
	"sagemaker.DescribeApp: sagemaker:DescribeApp is asked on arn:aws:sagemaker:us-east-1:000000000000:app/d-abcdefghijkl//jupyterserver/x, which matches none of its resource types (app)": noAppOwner,
}

// noAppOwner is the reason an app call that names neither a user profile nor a space is asked on an app ARN with
// an empty owner: the model leaves both optional, the handler must authorize before it answers the
// ValidationException ("Either UserProfileName or SpaceName must be passed"), and an ARN no real app has allows
// nothing that a policy meant for real apps would not.
const noAppOwner = "a request that names no owner is asked on the app ARN with an empty owner, before its ValidationException"

// listPrefix is the reason IAM's List actions are asked on their path prefix's ARN.
const listPrefix = "AWS authorizes IAM's List actions on the ARN of the request's path prefix, as its denial messages " +
	"show (\"iam:ListUsers on resource: arn:aws:iam::123456789012:user/\"; \"iam:ListInstanceProfiles on resource: " +
	"…:instance-profile/karpenter/\"), though the Service Authorization Reference lists no resource type for them: " +
	"a policy's \"Resource\": \"arn:aws:iam::123456789012:user/*\" allows ListUsers in AWS, and must in sagebox"

// TestEveryAuthorizationFollowsTheReference walks every registered operation of every service and calls it with
// inputs whose members are filled with plausible values — the required members only, then every member — under an
// authorizer that denies and one that allows. Every authorization a handler asks for must follow the Service
// Authorization Reference (package reference): the action exists; each resource ARN matches one of the action's
// resource types, and "*" is used only by actions that require no resource type; each condition key the handler
// supplies is one the action takes, or a global key.
func TestEveryAuthorizationFollowsTheReference(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.Log = quietLogger(t)
	ctx := context.Background()
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ref := reference.Load()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	w := &walker{ctx: ctx, now: now, ops: map[string]*api.Operation{}}
	for _, svc := range a.ServiceHandlers() {
		for _, op := range svc.Operations() {
			w.ops[svc.Name+"."+op.Name] = op
		}
	}
	// Two worlds: an empty store, where handlers stop at their lookups, and one with the entities the filler names,
	// where they go on and supply the keys of the stored entity (iam:PermissionsBoundary, aws:ResourceTag/…).
	empty, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	seeded, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer seeded.Close()
	for _, sd := range seeds {
		op := w.ops[sd.op]
		if op == nil {
			continue // the service has not registered it yet
		}
		if _, err := w.call(seeded, sd.op, op, sd.input, true, true); err != nil {
			t.Fatalf("seeding %s: %v", sd.op, err)
		}
	}

	findings := map[string]bool{}
	walked := 0
	for _, svc := range a.ServiceHandlers() {
		m, err := a.Models().Service(svc.Name)
		if err != nil {
			t.Fatalf("the model of %s: %v", svc.Name, err)
		}
		for _, op := range svc.Operations() {
			walked++
			mop := m.Operations[op.Name]
			if mop == nil {
				t.Errorf("%s.%s is registered but its model has no such operation", svc.Name, op.Name)
				continue
			}
			var asked []api.Authorization
			for _, st := range []store.Store{empty, seeded} {
				for _, all := range []bool{false, true} {
					for _, allow := range []bool{false, true} {
						input := map[string]any{}
						if mop.Input != nil {
							f := filler{all: all, now: now}
							input = f.structure(mop.Input.Shape, 0)
						}
						got, _ := w.call(st, svc.Name+"."+op.Name, op, input, allow, false)
						asked = append(asked, got...)
					}
				}
			}
			if len(asked) == 0 {
				t.Errorf("%s.%s asked for no authorization", svc.Name, op.Name)
				continue
			}
			seen := map[string]bool{}
			var summary []string
			for _, az := range asked {
				for _, f := range checkAuthorization(ref, az) {
					findings[svc.Name+"."+op.Name+": "+f] = true
				}
				line := az.Action + " on " + strings.Join(az.Resources, ", ")
				if keys := contextKeys(az); len(keys) > 0 {
					line += " with " + strings.Join(keys, ", ")
				}
				if !seen[line] {
					seen[line] = true
					summary = append(summary, line)
				}
			}
			t.Logf("%s.%s: %s", svc.Name, op.Name, strings.Join(summary, "; "))
			if missing := unsupplied(ref, asked); len(missing) > 0 {
				t.Logf("%s.%s does not supply the keys %s", svc.Name, op.Name, strings.Join(missing, ", "))
			}
		}
	}
	if walked == 0 {
		t.Fatal("no operation is registered")
	}
	var unexpected []string
	for f := range findings {
		if reason, ok := referenceExceptions[f]; !ok {
			unexpected = append(unexpected, f)
		} else if strings.TrimSpace(reason) == "" {
			t.Errorf("the exception %q has no reason", f)
		}
	}
	sort.Strings(unexpected)
	for _, f := range unexpected {
		t.Errorf("%s", f)
	}
	for f := range referenceExceptions {
		if !findings[f] {
			t.Errorf("the exception %q no longer occurs: remove it", f)
		}
	}
}

// walker calls handlers as the dispatcher does, with a principal of the default account.
type walker struct {
	ctx context.Context
	now time.Time
	ops map[string]*api.Operation
}

// call runs op ("service.Operation" is name) on st and returns the authorizations it asked for and its error. The
// call's transaction is committed when commit is set and the handler succeeded, rolled back otherwise.
func (w *walker) call(st store.Store, name string, op *api.Operation, input map[string]any, allow, commit bool) ([]api.Authorization, error) {
	rec := &recorder{allow: allow}
	c := api.NewCall(w.ctx, rec, st, op.Writes)
	c.Service, c.Operation, _ = strings.Cut(name, ".")
	c.Operation = op.Name
	c.Region, c.Now = "us-east-1", w.now
	c.Principal = &api.Principal{Type: api.User, Account: "000000000000", ARN: "arn:aws:iam::000000000000:user/walker", UserID: "AIDAWALKER", Name: "walker"}
	_, err := op.Handler(w.ctx, c, input)
	if ferr := c.Finish(commit && err == nil); err == nil {
		err = ferr
	}
	return rec.asked, err
}

// seeds are the entities of the second world, named as the filler names them ("x", and the ARNs of knownValues),
// with a permissions boundary and tags.
var seeds = []struct {
	op    string
	input map[string]any
}{
	{"iam.CreatePolicy", map[string]any{"PolicyName": "boundary", "PolicyDocument": knownValues["PolicyDocument"]}},
	{"iam.CreatePolicy", map[string]any{"PolicyName": "walked", "PolicyDocument": knownValues["PolicyDocument"], "Tags": seedTags}},
	{"iam.CreateUser", map[string]any{"UserName": "walker"}},
	{"iam.CreateUser", map[string]any{"UserName": "x", "PermissionsBoundary": knownValues["PermissionsBoundary"], "Tags": seedTags}},
	{"iam.CreateRole", map[string]any{"RoleName": "x", "AssumeRolePolicyDocument": knownValues["AssumeRolePolicyDocument"], "PermissionsBoundary": knownValues["PermissionsBoundary"], "Tags": seedTags}},
	{"iam.CreateGroup", map[string]any{"GroupName": "x"}},
	{"iam.CreateInstanceProfile", map[string]any{"InstanceProfileName": "x", "Tags": seedTags}},
	{"iam.AddUserToGroup", map[string]any{"GroupName": "x", "UserName": "x"}},
	{"iam.AddRoleToInstanceProfile", map[string]any{"InstanceProfileName": "x", "RoleName": "x"}},
	{"iam.AttachRolePolicy", map[string]any{"RoleName": "x", "PolicyArn": knownValues["PolicyArn"]}},
	{"iam.AttachUserPolicy", map[string]any{"UserName": "x", "PolicyArn": knownValues["PolicyArn"]}},
	{"iam.PutRolePolicy", map[string]any{"RoleName": "x", "PolicyName": "x", "PolicyDocument": knownValues["PolicyDocument"]}},
	{"iam.PutUserPolicy", map[string]any{"UserName": "x", "PolicyName": "x", "PolicyDocument": knownValues["PolicyDocument"]}},
	{"iam.CreateAccessKey", map[string]any{"UserName": "x"}},
	{"iam.CreateLoginProfile", map[string]any{"UserName": "x", "Password": knownValues["Password"]}},
	{"iam.CreateOpenIDConnectProvider", map[string]any{"Url": knownValues["Url"], "Tags": seedTags}},
}

var seedTags = []any{map[string]any{"Key": "team", "Value": "ml"}}

// checkAuthorization returns what is wrong with az by the reference, one sentence per fault.
func checkAuthorization(ref *reference.Reference, az api.Authorization) []string {
	prefix, name, ok := strings.Cut(az.Action, ":")
	if !ok {
		return []string{fmt.Sprintf("the action %q has no service prefix", az.Action)}
	}
	if _, served := ref.Service(prefix); !served {
		return []string{fmt.Sprintf("the action %s is of a service the reference does not hold", az.Action)}
	}
	act, ok := ref.Action(prefix, name)
	if !ok {
		return []string{fmt.Sprintf("the action %s does not exist", az.Action)}
	}
	var out []string
	if act.Name != name {
		out = append(out, fmt.Sprintf("the action %s is spelt %s in the reference", az.Action, act))
	}
	required := requiredTypes(act)
	resources := az.Resources
	if len(resources) == 0 {
		resources = []string{"*"} // what api.Call.Authorize passes on
	}
	for _, r := range resources {
		switch {
		case r == "*" && len(required) > 0:
			out = append(out, fmt.Sprintf("%s is asked on \"*\" but requires a resource of type %s", az.Action, strings.Join(required, " or ")))
		case r == "*":
		case prefix == "ec2" && strings.HasSuffix(r, "/*") && !strings.ContainsAny(strings.TrimSuffix(r, "/*"), "*?"):
			// EC2 names a resource a call is about to make by its type and "*" (arn:…:vpc/*), as its encoded
			// authorization messages show ("arn:aws:ec2:us-east-1:123456789012:instance/*" for RunInstances): a
			// policy can allow creating VPCs, but not a VPC whose id it cannot know.
			if len(act.MatchResource(r)) == 0 {
				out = append(out, fmt.Sprintf("%s is asked on %s, which matches none of its resource types (%s)", az.Action, r, typeNames(act)))
			}
		case strings.ContainsAny(r, "*?"):
			// A request names its resource; a wildcard in it would be matched by policies as a literal character.
			out = append(out, fmt.Sprintf("%s is asked on %s, which holds a wildcard", az.Action, r))
		case len(act.Resources) == 0:
			out = append(out, fmt.Sprintf("%s is asked on %s but takes no resource: it must be asked on \"*\"", az.Action, r))
		case len(act.MatchResource(r)) == 0:
			out = append(out, fmt.Sprintf("%s is asked on %s, which matches none of its resource types (%s)", az.Action, r, typeNames(act)))
		}
	}
	for _, k := range contextKeys(az) {
		if act.SupportsKey(k) {
			continue
		}
		if _, ok := ref.GlobalKey(k); ok {
			continue
		}
		out = append(out, fmt.Sprintf("%s is asked with the condition key %s, which it does not take and which is not global", az.Action, k))
	}
	return out
}

// unsupplied returns the condition keys that the reference lists for the actions asked (for the actions
// themselves, not for their resource types, whose keys depend on the stored resource) and that no call supplied.
// They are reported, not failed: a key such as iam:PermissionsBoundary is supplied only when the request has a
// boundary, and the walk cannot always reach that far.
func unsupplied(ref *reference.Reference, asked []api.Authorization) []string {
	supplied := map[string]map[string]bool{}
	for _, az := range asked {
		if supplied[az.Action] == nil {
			supplied[az.Action] = map[string]bool{}
		}
		for k := range az.Context {
			supplied[az.Action][strings.ToLower(k)] = true
		}
	}
	var out []string
	for action, keys := range supplied {
		prefix, name, _ := strings.Cut(action, ":")
		act, ok := ref.Action(prefix, name)
		if !ok {
			continue
		}
		for _, want := range act.ConditionKeys {
			found := false
			for k := range keys {
				if k == strings.ToLower(want) || strings.Contains(want, "${") && strings.HasPrefix(k, strings.ToLower(want[:strings.Index(want, "${")])) {
					found = true
				}
			}
			if !found {
				out = append(out, action+" "+want)
			}
		}
	}
	sort.Strings(out)
	return out
}

func requiredTypes(a *reference.Action) []string {
	var out []string
	for _, r := range a.Resources {
		if r.Required {
			out = append(out, r.Name)
		}
	}
	return out
}

func typeNames(a *reference.Action) string {
	var out []string
	for _, r := range a.Resources {
		out = append(out, r.Name)
	}
	return strings.Join(out, ", ")
}

func contextKeys(az api.Authorization) []string {
	keys := make([]string, 0, len(az.Context))
	for k := range az.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// filler builds an input value tree from a model shape: every required member (every member when all is set)
// with a plausible value. Strings are the first enum value, or a value known for the member's name, or the first of
// a few candidates that the shape's pattern and length accept.
type filler struct {
	all bool
	now time.Time
}

// knownValues are values for members whose meaning the handlers read: ARNs they parse, documents they parse,
// paths they check. Anything else is filled from its shape.
var knownValues = map[string]string{
	"PolicyArn":                "arn:aws:iam::000000000000:policy/walked",
	"PermissionsBoundary":      "arn:aws:iam::000000000000:policy/boundary",
	"RoleArn":                  "arn:aws:iam::000000000000:role/walked",
	"OpenIDConnectProviderArn": "arn:aws:iam::000000000000:oidc-provider/walked.example.com",
	"Url":                      "https://walked.example.com",
	"PolicyDocument":           `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	"AssumeRolePolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
	"Policy":                   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	"Path":                     "/walked/",
	"PathPrefix":               "/",
	"NewPath":                  "/walked/",
	"AWSServiceName":           "sagemaker.amazonaws.com",
	"VersionId":                "v1",
	"Key":                      "team",
	"Value":                    "ml",
	"AccessKeyId":              "AKIAIOSFODNN7EXAMPLE",
	"Password":                 "Walked-Passw0rd!",
	"NewPassword":              "Walked-Passw0rd!",
	"OldPassword":              "Walked-Passw0rd!",
	"DeletionTaskId":           "task/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMaker/0123456789abcdef",
	"AccountAlias":             "walked-alias",
	"DurationSeconds":          "",
}

var candidates = []string{"x", "walked", "x1", "1", "/", "d-abcdefghijkl", "arn:aws:iam::000000000000:role/walked", "000000000000"}

func (f *filler) structure(s *model.Shape, depth int) map[string]any {
	out := map[string]any{}
	if depth > 6 {
		return out
	}
	for _, m := range s.Members {
		if !m.Required && !f.all {
			continue
		}
		if m.Location == "header" || m.Location == "headers" || m.Location == "statusCode" {
			if !m.Required {
				continue
			}
		}
		if v := f.value(m, depth+1); v != nil {
			out[m.Name] = v
		}
	}
	return out
}

func (f *filler) value(ref *model.Ref, depth int) any {
	s := ref.Shape
	switch s.Type {
	case "structure":
		if s.Union {
			for _, m := range s.Members {
				if v := f.value(m, depth+1); v != nil {
					return map[string]any{m.Name: v}
				}
			}
			return nil
		}
		return f.structure(s, depth)
	case "list":
		v := f.value(s.Member, depth+1)
		if v == nil {
			return []any{}
		}
		return []any{v}
	case "map":
		k := f.str(s.Key.Shape, "Key")
		v := f.value(s.Value, depth+1)
		if v == nil {
			return map[string]any{}
		}
		return map[string]any{k: v}
	case "string":
		return f.str(s, ref.Name)
	case "integer", "long":
		n := int64(1)
		if s.Min != nil && int64(*s.Min) > n {
			n = int64(*s.Min)
		}
		return n
	case "float", "double":
		return float64(1)
	case "boolean":
		return false
	case "timestamp":
		return f.now
	case "blob":
		return []byte("x")
	}
	return nil
}

func (f *filler) str(s *model.Shape, member string) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if v, ok := knownValues[member]; ok && v != "" && fits(s, v) {
		return v
	}
	for _, c := range candidates {
		if fits(s, c) {
			return c
		}
	}
	return pad("x", s)
}

func fits(s *model.Shape, v string) bool {
	if s.Min != nil && float64(len(v)) < *s.Min || s.Max != nil && float64(len(v)) > *s.Max {
		return false
	}
	var re *regexp.Regexp = s.Regexp()
	return re == nil || re.MatchString(v)
}

func pad(v string, s *model.Shape) string {
	for s.Min != nil && float64(len(v)) < *s.Min {
		v += "x"
	}
	return v
}

// TestCheckAuthorizationFindsFaults holds the walk's checks to what they must find, so that the walk cannot pass by
// finding nothing.
func TestCheckAuthorizationFindsFaults(t *testing.T) {
	ref := reference.Load()
	cases := []struct {
		name string
		az   api.Authorization
		want string // a part of the one finding, "" for none
	}{
		{"a good one", api.Authorization{Action: "iam:CreateRole", Resources: []string{"arn:aws:iam::1:role/p/r"},
			Context: map[string][]string{"aws:RequestTag/team": {"ml"}, "aws:TagKeys": {"team"}, "iam:PermissionsBoundary": {"arn:aws:iam::1:policy/b"}}}, ""},
		{"a global key", api.Authorization{Action: "iam:GetRole", Resources: []string{"arn:aws:iam::1:role/r"}, Context: map[string][]string{"aws:CalledVia": {"x"}}}, ""},
		{"no resource for an action without types", api.Authorization{Action: "iam:ListAccountAliases"}, ""},
		{"an action that does not exist", api.Authorization{Action: "iam:GetRoles", Resources: []string{"*"}}, "does not exist"},
		{"a service that is not held", api.Authorization{Action: "dynamodb:GetItem", Resources: []string{"*"}}, "does not hold"},
		{"no prefix", api.Authorization{Action: "GetRole", Resources: []string{"*"}}, "no service prefix"},
		{"the wrong case", api.Authorization{Action: "iam:getRole", Resources: []string{"arn:aws:iam::1:role/r"}}, "is spelt iam:GetRole"},
		{"a star for a required type", api.Authorization{Action: "iam:GetRole", Resources: []string{"*"}}, "requires a resource of type role"},
		{"a wrong type", api.Authorization{Action: "iam:GetRole", Resources: []string{"arn:aws:iam::1:user/u"}}, "matches none of its resource types (role)"},
		{"a resource for an action without types", api.Authorization{Action: "iam:ListRoles", Resources: []string{"arn:aws:iam::1:role/r"}}, "takes no resource"},
		{"a wildcard", api.Authorization{Action: "iam:GetRole", Resources: []string{"arn:aws:iam::1:role/*"}}, "holds a wildcard"},
		{"a key the action does not take", api.Authorization{Action: "iam:GetRole", Resources: []string{"arn:aws:iam::1:role/r"}, Context: map[string][]string{"iam:PassedToService": {"x"}}}, "iam:PassedToService"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := checkAuthorization(ref, c.az)
			switch {
			case c.want == "" && len(got) > 0:
				t.Errorf("checkAuthorization(%+v) = %q, want nothing", c.az, got)
			case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
				t.Errorf("checkAuthorization(%+v) = %q, want one finding about %q", c.az, got, c.want)
			}
		})
	}
}
