package sagemaker_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

func tagsOf(kv ...string) []smtypes.Tag {
	var out []smtypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, smtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// listTags returns a resource's tags as "k=v" sorted, or fails the test.
func (f *fixture) listTags(t testing.TB, c *sagemaker.Client, arn string) string {
	t.Helper()
	out, err := c.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTags(%s): %v", arn, err)
	}
	var kv []string
	for _, tg := range out.Tags {
		kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	sort.Strings(kv)
	return strings.Join(kv, " ")
}

// tagStudio makes a domain, a profile, a space and an app, and returns their ARNs by kind.
func (f *fixture) tagStudio(t testing.TB) (appStudio, map[string]string) {
	t.Helper()
	s := f.appStudio(t)
	f.appSpace(t, s, "shared", "JupyterLab")
	out, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	})
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	prefix := "arn:aws:sagemaker:us-east-1:" + account + ":"
	return s, map[string]string{
		"domain":       prefix + "domain/" + s.domain,
		"user profile": prefix + "user-profile/" + s.domain + "/alice",
		"space":        prefix + "space/" + s.domain + "/shared",
		"app":          aws.ToString(out.AppArn),
	}
}

func TestTagsOnEveryResourceKind(t *testing.T) {
	f := start(t)
	_, arns := f.tagStudio(t)
	for kind, arn := range arns {
		t.Run(kind, func(t *testing.T) {
			if got := f.listTags(t, f.SM, arn); got != "" {
				t.Fatalf("ListTags of a new %s = %q, want none", kind, got)
			}
			added, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: tagsOf("team", "ml", "env", "dev")})
			if err != nil {
				t.Fatalf("AddTags: %v", err)
			}
			if len(added.Tags) != 2 {
				t.Errorf("AddTags answered %d tags, want the 2 it set", len(added.Tags))
			}
			if _, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: tagsOf("team", "data")}); err != nil {
				t.Fatalf("AddTags over a key: %v", err)
			}
			if got, want := f.listTags(t, f.SM, arn), "env=dev team=data"; got != want {
				t.Errorf("ListTags = %q, want %q", got, want)
			}
			if _, err := f.SM.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "absent"}}); err != nil {
				t.Fatalf("DeleteTags: %v", err)
			}
			if got, want := f.listTags(t, f.SM, arn), "env=dev"; got != want {
				t.Errorf("ListTags after DeleteTags = %q, want %q", got, want)
			}
		})
	}
}

func TestTagsRefusals(t *testing.T) {
	f := start(t)
	s, arns := f.tagStudio(t)
	domainARN := arns["domain"]
	if _, err := f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("DeleteApp: %v", err)
	}
	notFound := "Requested resource not found."
	cases := []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"a reserved key", func() error {
			_, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(domainARN), Tags: tagsOf("aws:team", "ml")})
			return err
		}, "ValidationException", "Tag keys starting with 'aws:' are reserved for internal use"},
		{"deleting a reserved key", func() error {
			_, err := f.SM.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(domainARN), TagKeys: []string{"Aws:team"}})
			return err
		}, "ValidationException", "Tag keys starting with 'aws:' are reserved for internal use"},
		{"a domain that does not exist", func() error {
			_, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String("arn:aws:sagemaker:us-east-1:" + account + ":domain/d-000000000000"), Tags: tagsOf("team", "ml")})
			return err
		}, "ValidationException", notFound},
		{"the domain's ARN in another region", func() error {
			_, err := f.SM.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(strings.Replace(domainARN, "us-east-1", "eu-west-1", 1))})
			return err
		}, "ValidationException", notFound},
		{"a Deleted app", func() error {
			_, err := f.SM.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(arns["app"])})
			return err
		}, "ValidationException", notFound},
		{"a profile that does not exist", func() error {
			_, err := f.SM.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arns["user profile"] + "x"), TagKeys: []string{"team"}})
			return err
		}, "ValidationException", notFound},
		{"a kind of resource that has no tags here", func() error {
			_, err := f.SM.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String("arn:aws:sagemaker:us-east-1:" + account + ":notebook-instance/nb")})
			return err
		}, "ValidationException", notFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantError(t, c.name, c.call(), c.code, c.message) })
	}
	t.Run("more than 50 tags", func(t *testing.T) {
		var kv []string
		for i := range 50 {
			kv = append(kv, fmt.Sprintf("k%02d", i), "v")
		}
		if _, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(domainARN), Tags: tagsOf(kv...)}); err != nil {
			t.Fatalf("AddTags of 50 tags: %v", err)
		}
		out, err := f.SM.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(domainARN), MaxResults: aws.Int32(50)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tags) != 50 || out.NextToken != nil {
			t.Errorf("ListTags of 50 tags = %d tags, token %v; want 50 on one page", len(out.Tags), out.NextToken)
		}
		_, err = f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(domainARN), Tags: tagsOf("one", "more")})
		wantError(t, "AddTags of a 51st tag", err, "ResourceLimitExceeded", "You have exceeded the limit of 50 tags for the resource.")
		_, err = f.SM.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(domainARN), NextToken: aws.String("!")})
		wantError(t, "ListTags with a token sagebox did not make", err, "ValidationException", "Invalid pagination token: !")
	})
}

func TestTagsPropagateToApps(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "studio-execution")
	propagating := f.appDomain(t, n, role, func(in *sagemaker.CreateDomainInput) {
		in.TagPropagation = smtypes.TagPropagationEnabled
		in.Tags = tagsOf("env", "prod", "team", "platform")
	})
	f.appProfile(t, propagating, "alice", tagsOf("owner", "alice")...)
	plain := f.appDomain(t, n, role, func(in *sagemaker.CreateDomainInput) { in.Tags = tagsOf("env", "prod") })
	f.appProfile(t, plain, "alice", tagsOf("owner", "alice")...)
	create := func(domainID, name string, tags ...smtypes.Tag) string {
		t.Helper()
		out, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
			DomainId: aws.String(domainID), UserProfileName: aws.String("alice"), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String(name), Tags: tags,
		})
		if err != nil {
			t.Fatalf("CreateApp(%s): %v", name, err)
		}
		return aws.ToString(out.AppArn)
	}
	// The request's tags win over the propagated ones, the profile's over the domain's.
	if got, want := f.listTags(t, f.SM, create(propagating, "first", tagsOf("team", "ml")...)), "env=prod owner=alice team=ml"; got != want {
		t.Errorf("the tags of an app in a domain with TagPropagation ENABLED = %q, want %q", got, want)
	}
	if got, want := f.listTags(t, f.SM, create(plain, "first", tagsOf("team", "ml")...)), "team=ml"; got != want {
		t.Errorf("the tags of an app in a domain without TagPropagation = %q, want %q", got, want)
	}
	// Tags propagate to apps launched afterwards, not to those running.
	if _, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String("arn:aws:sagemaker:us-east-1:" + account + ":domain/" + propagating), Tags: tagsOf("cost", "42")}); err != nil {
		t.Fatal(err)
	}
	if got, want := f.listTags(t, f.SM, create(propagating, "second")), "cost=42 env=prod owner=alice team=platform"; got != want {
		t.Errorf("the tags of an app launched after the domain was tagged = %q, want %q", got, want)
	}
	if got, want := f.listTags(t, f.SM, appARN(propagating, "alice", "KernelGateway", "first")), "env=prod owner=alice team=ml"; got != want {
		t.Errorf("the tags of an app that ran before the domain was tagged = %q, want %q", got, want)
	}
}

func TestTagsAuthorization(t *testing.T) {
	f := start(t)
	s, arns := f.tagStudio(t)
	if _, err := f.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arns["domain"]), Tags: tagsOf("team", "ml")}); err != nil {
		t.Fatal(err)
	}
	user := f.user(t, "bob", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sagemaker:AddTags","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"ml"}}},
		{"Effect":"Allow","Action":["sagemaker:ListTags","sagemaker:DeleteTags"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ml"}}},
		{"Effect":"Allow","Action":"sagemaker:CreateApp","Resource":"*"},
		{"Effect":"Allow","Action":"sagemaker:AddTags","Resource":"arn:aws:sagemaker:*:*:app/*","Condition":{"StringEquals":{"sagemaker:TaggingAction":"CreateApp"}}}]}`)
	deny := func(action, arn string) string {
		return "User: arn:aws:iam::" + account + ":user/bob is not authorized to perform: sagemaker:" + action + " on resource: " + arn +
			" because no identity-based policy allows the sagemaker:" + action + " action"
	}
	if _, err := user.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arns["user profile"]), Tags: tagsOf("team", "ml")}); err != nil {
		t.Errorf("AddTags team=ml by a user allowed it: %v", err)
	}
	_, err := user.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arns["user profile"]), Tags: tagsOf("team", "other")})
	wantError(t, "AddTags team=other by a user allowed only team=ml", err, "AccessDeniedException", deny("AddTags", arns["user profile"]))
	if got := f.listTags(t, user.SM, arns["domain"]); got != "team=ml" {
		t.Errorf("ListTags of the domain tagged team=ml by a user allowed it = %q, want team=ml", got)
	}
	_, err = user.SM.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(arns["space"])})
	wantError(t, "ListTags of an untagged space by a user allowed only team=ml resources", err, "AccessDeniedException", deny("ListTags", arns["space"]))
	// Tags on CreateApp: allowed by sagemaker:TaggingAction = CreateApp.
	if _, err := user.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg"), Tags: tagsOf("team", "ml"),
	}); err != nil {
		t.Errorf("CreateApp with tags by a user allowed sagemaker:AddTags for CreateApp: %v", err)
	}
	// The AddTags statement for CreateApp allows no AddTags call of its own on an app.
	_, err = user.SM.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arns["app"]), Tags: tagsOf("env", "dev")})
	wantError(t, "AddTags env=dev on an app by a user allowed AddTags only while creating apps", err, "AccessDeniedException", deny("AddTags", arns["app"]))
}
