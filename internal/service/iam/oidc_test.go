package iam_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const (
	githubURL   = "https://token.actions.githubusercontent.com"
	githubARN   = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"
	thumbprint1 = "6938fd4d98bab03faadb97b34396831e3780aea1"
	thumbprint2 = "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
)

func createGitHubProvider(t *testing.T, f *fixture) {
	t.Helper()
	_, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url:          aws.String(githubURL),
		ClientIDList: []string{"sts.amazonaws.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOIDCProviderLifecycle(t *testing.T) {
	f := start(t)
	out, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String("https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF"),
		ClientIDList:   []string{"sts.amazonaws.com", "sts.amazonaws.com", "other"},
		ThumbprintList: []string{thumbprint1},
		Tags:           []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::000000000000:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF"
	if got := aws.ToString(out.OpenIDConnectProviderArn); got != arn {
		t.Errorf("CreateOpenIDConnectProvider ARN = %s, want %s", got, arn)
	}
	if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "team" {
		t.Errorf("CreateOpenIDConnectProvider tags = %v, want the tag team", out.Tags)
	}

	got, err := f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Url) != "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF" {
		t.Errorf("GetOpenIDConnectProvider Url = %q, want the URL without its scheme", aws.ToString(got.Url))
	}
	if !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com", "other"}) {
		t.Errorf("ClientIDList = %q, want [sts.amazonaws.com other] (each once)", got.ClientIDList)
	}
	if !slices.Equal(got.ThumbprintList, []string{thumbprint1}) || got.CreateDate == nil || len(got.Tags) != 1 {
		t.Errorf("GetOpenIDConnectProvider = thumbprints %q, created %v, tags %v; want the thumbprint, a date and the tag", got.ThumbprintList, got.CreateDate, got.Tags)
	}

	t.Run("client ids", func(t *testing.T) {
		for _, id := range []string{"third", "third"} { // adding one it has is no error
			if _, err := f.IAM.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []string{"other", "never-added"} { // removing one it lacks is no error either
			if _, err := f.IAM.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com", "third"}) {
			t.Errorf("ClientIDList after adding third twice and removing other = %q, want [sts.amazonaws.com third]", got.ClientIDList)
		}
	})

	t.Run("thumbprints", func(t *testing.T) {
		if _, err := f.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{thumbprint2}}); err != nil {
			t.Fatal(err)
		}
		got, err := f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.ThumbprintList, []string{thumbprint2}) {
			t.Errorf("ThumbprintList after the update = %q, want it replaced by [%s]", got.ThumbprintList, thumbprint2)
		}
		six := []string{thumbprint1, thumbprint1, thumbprint1, thumbprint1, thumbprint1, thumbprint1}
		_, err = f.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: six})
		wantError(t, "UpdateOpenIDConnectProviderThumbprint with six thumbprints", err, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400)
	})

	t.Run("tags", func(t *testing.T) {
		_, err := f.IAM.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []types.Tag{
			{Key: aws.String("cost"), Value: aws.String("1")}, {Key: aws.String("TEAM"), Value: aws.String("platform")},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.IAM.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"cost"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.IAM.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("x")}}}); err != nil {
			t.Fatal(err)
		}
		list, err := f.IAM.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range list.Tags {
			got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		// TEAM replaced team (keys are unique without regard to case), and the list is sorted by key.
		if want := []string{"TEAM=platform", "a=x"}; !slices.Equal(got, want) {
			t.Errorf("ListOpenIDConnectProviderTags = %q, want %q", got, want)
		}
	})

	t.Run("list and delete", func(t *testing.T) {
		createGitHubProvider(t, f)
		list, err := f.IAM.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, p := range list.OpenIDConnectProviderList {
			arns = append(arns, aws.ToString(p.Arn))
		}
		if want := []string{arn, githubARN}; !slices.Equal(arns, want) {
			t.Errorf("ListOpenIDConnectProviders = %q, want %q", arns, want)
		}
		for range 2 { // deleting what is gone is no error
			if _, err := f.IAM.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
				t.Fatalf("DeleteOpenIDConnectProvider = %v, want no error", err)
			}
		}
		_, err = f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		wantError(t, "GetOpenIDConnectProvider after the delete", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn, 404)
	})
}

func TestOIDCProviderErrors(t *testing.T) {
	f := start(t)
	createGitHubProvider(t, f)
	create := func(url string, clients []string, thumbs []string) error {
		_, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(url), ClientIDList: clients, ThumbprintList: thumbs})
		return err
	}
	manyClients := make([]string, 101)
	for i := range manyClients {
		manyClients[i] = fmt.Sprintf("client-%d", i)
	}
	cases := []struct {
		name          string
		err           error
		code, message string
		status        int
	}{
		{"the same URL again", create(githubURL, nil, nil), "EntityAlreadyExists", "Provider with url https://token.actions.githubusercontent.com already exists.", 409},
		{"the same host in capitals", create("https://TOKEN.actions.githubusercontent.com", nil, nil), "EntityAlreadyExists", "Provider with url https://TOKEN.actions.githubusercontent.com already exists.", 409},
		{"an http URL", create("http://issuer.example.com", nil, nil), "ValidationError", "Invalid Open ID Connect Provider URL", 400},
		{"a URL with a query", create("https://issuer.example.com/?tenant=1", nil, nil), "ValidationError", "Invalid Open ID Connect Provider URL", 400},
		{"a URL with a port", create("https://issuer.example.com:8443", nil, nil), "ValidationError", "Invalid Open ID Connect Provider URL", 400},
		{"no URL at all", create("issuer.example.com", nil, nil), "ValidationError", "Invalid Open ID Connect Provider URL", 400},
		{"six thumbprints", create("https://six.example.com", nil, slices.Repeat([]string{thumbprint1}, 6)), "InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400},
		{"101 client ids", create("https://many.example.com", manyClients, nil), "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, "CreateOpenIDConnectProvider with "+tc.name, tc.err, tc.code, tc.message, tc.status)
		})
	}

	t.Run("unknown and malformed ARNs", func(t *testing.T) {
		missing := "arn:aws:iam::000000000000:oidc-provider/nobody.example.com"
		_, err := f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing)})
		wantError(t, "GetOpenIDConnectProvider of a provider that does not exist", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+missing, 404)
		_, err = f.IAM.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing), ClientID: aws.String("x")})
		wantError(t, "AddClientIDToOpenIDConnectProvider of a provider that does not exist", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+missing, 404)
		other := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
		_, err = f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(other)})
		wantError(t, "GetOpenIDConnectProvider of another account's provider", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+other, 404)
		bad := "arn:aws:iam::000000000000:role/not-a-provider"
		_, err = f.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(bad)})
		wantError(t, "GetOpenIDConnectProvider of a role's ARN", err, "InvalidInput", "ARN "+bad+" is not valid.", 400)
	})

	t.Run("client id quota", func(t *testing.T) {
		arn := "arn:aws:iam::000000000000:oidc-provider/full.example.com"
		if err := create("https://full.example.com", manyClients[:100], nil); err != nil {
			t.Fatal(err)
		}
		_, err := f.IAM.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("one-more")})
		wantError(t, "AddClientIDToOpenIDConnectProvider to a provider with 100 client ids", err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)
		_, err = f.IAM.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("client-7")})
		if err != nil {
			t.Errorf("AddClientIDToOpenIDConnectProvider of a client id it has, at the quota = %v, want no error", err)
		}
	})
}

func TestOIDCProviderQuota(t *testing.T) {
	f := start(t)
	for i := range 100 {
		if _, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(fmt.Sprintf("https://issuer-%03d.example.com", i))}); err != nil {
			t.Fatalf("provider %d: %v", i, err)
		}
	}
	_, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://one-too-many.example.com")})
	wantError(t, "the 101st CreateOpenIDConnectProvider", err, "LimitExceeded", "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100", 409)
}

func TestOIDCProviderAuthorization(t *testing.T) {
	f := start(t)
	createGitHubProvider(t, f)
	if _, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
	// ci may read providers tagged env=test only.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetOpenIDConnectProvider","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"test"}}}]}`
	if _, err := f.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ci"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	key, err := f.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	ci := iam.NewFromConfig(f.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	_, err = ci.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(githubARN)})
	code, msg, _ := apiError(t, err)
	if code != "AccessDenied" || !strings.Contains(msg, "iam:GetOpenIDConnectProvider on resource: "+githubARN) {
		t.Errorf("GetOpenIDConnectProvider of an untagged provider by ci = %s %q, want AccessDenied naming the provider", code, msg)
	}
	if _, err := f.IAM.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(githubARN), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ci.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(githubARN)}); err != nil {
		t.Errorf("GetOpenIDConnectProvider of the provider tagged env=test by ci = %v, want it allowed", err)
	}
}
