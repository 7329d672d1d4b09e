package iam

import (
	"errors"
	"testing"

	"github.com/sagebox/sagebox/internal/awserr"
)

// FuzzParsePolicyARN checks that any PolicyArn a client sends is either refused as InvalidInput or taken apart into
// parts that put back together give the same ARN, with a valid owner, path and name.
func FuzzParsePolicyARN(f *testing.F) {
	for _, seed := range []string{
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/service-role/AmazonSageMakerServiceCatalogProductsUseRole",
		"arn:aws:iam::000000000000:policy/team/ml/Reader",
		"arn:aws:iam::000000000000:policy/",
		"arn:aws:iam::000000000000:policy//x",
		"arn:aws:iam::aws:policy/arn:aws:iam::aws:policy/SecurityAudit",
		"arn:aws:iam::000000000000:role/Reader",
		"arn:aws:iam::12345:policy/x",
		"arn:aws:iam:us-east-1:000000000000:policy/x",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		p, err := parsePolicyARN(arn)
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != "InvalidInput" || ae.Message != "ARN "+arn+" is not valid." {
				t.Errorf("parsePolicyARN(%q) = error %v, want InvalidInput naming the ARN", arn, err)
			}
			return
		}
		if back := policyARN(p.owner, p.path, p.name); back != arn {
			t.Errorf("parsePolicyARN(%q) = %+v, which makes %q", arn, p, back)
		}
		if !validOwner(p.owner) || !validPolicyPath(p.path) || !validPolicyName(p.name) {
			t.Errorf("parsePolicyARN(%q) = %+v, with a part IAM would not accept", arn, p)
		}
	})
}
