package sagemaker_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// TestAmazonSageMakerFullAccess holds AWS's own managed policy to what it allows on AWS: every non-admin action,
// Studio's reads and presigned URLs, apps of user profiles — but not the admin actions on domains, user profiles
// and spaces, which its first statement leaves out with NotResource, and not spaces, whose statements name
// ${sagemaker:DomainId}: a key only requests from Studio carry, so that outside Studio the variable resolves to
// nothing and the statements match no resource.
func TestAmazonSageMakerFullAccess(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "studio-exec")
	domainID := domainCreate(t, f.SM, domainInput("ml", n, role, true))
	if _, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	ds := f.user(t, "ds", "")
	if _, err := f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ds"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")}); err != nil {
		t.Fatal(err)
	}
	denied := func(action, resource string) string {
		return "User: arn:aws:iam::" + account + ":user/ds is not authorized to perform: sagemaker:" + action + " on resource: " + resource +
			" because no identity-based policy allows the sagemaker:" + action + " action"
	}
	arn := "arn:aws:sagemaker:us-east-1:" + account + ":"

	t.Run("Studio's reads and presigned URLs are allowed", func(t *testing.T) {
		if _, err := ds.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{}); err != nil {
			t.Errorf("ListDomains: %v", err)
		}
		if _, err := ds.SM.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(domainID)}); err != nil {
			t.Errorf("DescribeDomain: %v", err)
		}
		if _, err := ds.SM.CreatePresignedDomainUrl(ctx, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")}); err != nil {
			t.Errorf("CreatePresignedDomainUrl: %v", err)
		}
	})
	t.Run("apps of a user profile are allowed", func(t *testing.T) {
		_, err := ds.SM.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice"),
			AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")})
		if err != nil {
			t.Errorf("CreateApp for alice: %v", err)
		}
	})
	t.Run("the admin actions are left out by NotResource", func(t *testing.T) {
		_, err := ds.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("bob")})
		wantError(t, "CreateUserProfile", err, "AccessDeniedException", denied("CreateUserProfile", arn+"user-profile/"+domainID+"/bob"))
		_, err = ds.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(domainID)})
		wantError(t, "DeleteDomain", err, "AccessDeniedException", denied("DeleteDomain", arn+"domain/"+domainID))
		_, err = ds.SM.CreateDomain(ctx, domainInput("other", n, role, true))
		wantError(t, "CreateDomain", err, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/ds is not authorized to perform: sagemaker:CreateDomain on resource: "+arn+"domain/…")
	})
	t.Run("spaces need Studio's sagemaker:DomainId, which a request from outside Studio lacks", func(t *testing.T) {
		_, err := ds.SM.CreateSpace(ctx, &sagemaker.CreateSpaceInput{DomainId: aws.String(domainID), SpaceName: aws.String("shared")})
		wantError(t, "CreateSpace", err, "AccessDeniedException", denied("CreateSpace", arn+"space/"+domainID+"/shared"))
	})
}
