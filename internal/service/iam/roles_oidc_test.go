package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestTrustNamingAnOIDCProviderNeedsIt: IAM refuses a trust policy whose Federated principal is an OIDC provider
// the account does not have, and accepts it once the provider exists.
func TestTrustNamingAnOIDCProviderNeedsIt(t *testing.T) {
	f := start(t)
	provider := "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider +
		`"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(trust)})
	wantError(t, "CreateRole naming a missing OIDC provider", err, "MalformedPolicyDocument",
		"Federated principals must be valid domain names or SAML metadata ARNs", 400)
	if _, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Errorf("CreateRole naming an existing OIDC provider: %v", err)
	}
}
