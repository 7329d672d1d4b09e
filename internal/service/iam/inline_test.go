package iam_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// inlineKind drives the inline policy tests for one kind of entity through its own operations.
type inlineKind struct {
	noun  string
	limit int
	put   func(f *fixture, entity, name, doc string) error
	get   func(f *fixture, entity, name string) (gotEntity, gotName string, doc *string, err error)
	del   func(f *fixture, entity, name string) error
	list  func(f *fixture, entity string, marker *string, max *int32) ([]string, bool, *string, error)
}

var inlineKinds = []inlineKind{
	{
		noun: "user", limit: 2048,
		put: func(f *fixture, entity, name, doc string) error {
			_, err := f.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(entity), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		},
		get: func(f *fixture, entity, name string) (string, string, *string, error) {
			out, err := f.IAM.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(entity), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", nil, err
			}
			return aws.ToString(out.UserName), aws.ToString(out.PolicyName), out.PolicyDocument, nil
		},
		del: func(f *fixture, entity, name string) error {
			_, err := f.IAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(entity), PolicyName: aws.String(name)})
			return err
		},
		list: func(f *fixture, entity string, marker *string, max *int32) ([]string, bool, *string, error) {
			out, err := f.IAM.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(entity), Marker: marker, MaxItems: max})
			if err != nil {
				return nil, false, nil, err
			}
			return out.PolicyNames, out.IsTruncated, out.Marker, nil
		},
	},
	{
		noun: "group", limit: 5120,
		put: func(f *fixture, entity, name, doc string) error {
			_, err := f.IAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(entity), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		},
		get: func(f *fixture, entity, name string) (string, string, *string, error) {
			out, err := f.IAM.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(entity), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", nil, err
			}
			return aws.ToString(out.GroupName), aws.ToString(out.PolicyName), out.PolicyDocument, nil
		},
		del: func(f *fixture, entity, name string) error {
			_, err := f.IAM.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String(entity), PolicyName: aws.String(name)})
			return err
		},
		list: func(f *fixture, entity string, marker *string, max *int32) ([]string, bool, *string, error) {
			out, err := f.IAM.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String(entity), Marker: marker, MaxItems: max})
			if err != nil {
				return nil, false, nil, err
			}
			return out.PolicyNames, out.IsTruncated, out.Marker, nil
		},
	},
	{
		noun: "role", limit: 10240,
		put: func(f *fixture, entity, name, doc string) error {
			_, err := f.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(entity), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		},
		get: func(f *fixture, entity, name string) (string, string, *string, error) {
			out, err := f.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(entity), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", nil, err
			}
			return aws.ToString(out.RoleName), aws.ToString(out.PolicyName), out.PolicyDocument, nil
		},
		del: func(f *fixture, entity, name string) error {
			_, err := f.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(entity), PolicyName: aws.String(name)})
			return err
		},
		list: func(f *fixture, entity string, marker *string, max *int32) ([]string, bool, *string, error) {
			out, err := f.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(entity), Marker: marker, MaxItems: max})
			if err != nil {
				return nil, false, nil, err
			}
			return out.PolicyNames, out.IsTruncated, out.Marker, nil
		},
	},
}

func TestInlinePolicies(t *testing.T) {
	f := start(t)
	for i, k := range inlineKinds {
		entity := "Inline-" + k.noun
		polOK(t, "create the "+k.noun, attachKinds[i].create(f, entity, "/"))

		t.Run(k.noun+" policies come back as put, URL-encoded, under the stored names", func(t *testing.T) {
			polOK(t, "put", k.put(f, "inline-"+k.noun, "Reader", polDocSpaced))
			gotEntity, gotName, doc, err := k.get(f, "INLINE-"+k.noun, "Reader")
			polOK(t, "get", err)
			if got := polDecode(t, "the document", doc); got != polDocSpaced {
				t.Errorf("the document = %q, want %q", got, polDocSpaced)
			}
			if gotEntity != entity || gotName != "Reader" {
				t.Errorf("the names = %q, %q, want %q, Reader", gotEntity, gotName, entity)
			}
		})
		t.Run("putting a "+k.noun+" policy of the same name replaces it", func(t *testing.T) {
			polOK(t, "put", k.put(f, entity, "Reader", polDocLogs))
			_, _, doc, err := k.get(f, entity, "Reader")
			polOK(t, "get", err)
			if got := polDecode(t, "the document", doc); got != polDocLogs {
				t.Errorf("the document = %q, want the replacement %q", got, polDocLogs)
			}
		})
		t.Run(k.noun+" policies are listed by name and page with MaxItems 2", func(t *testing.T) {
			for _, name := range []string{"zeta", "Alpha", "beta"} {
				polOK(t, "put "+name, k.put(f, entity, name, polDocEC2))
			}
			all, truncated, _, err := k.list(f, entity, nil, nil)
			polOK(t, "list", err)
			want := []string{"Alpha", "beta", "Reader", "zeta"}
			if !slices.Equal(all, want) || truncated {
				t.Errorf("the policies = %v truncated %v, want %v", all, truncated, want)
			}
			var seen []string
			var marker *string
			for pages := 0; ; pages++ {
				if pages > 4 {
					t.Fatal("the pages did not end")
				}
				page, truncated, next, err := k.list(f, entity, marker, aws.Int32(2))
				polOK(t, "list a page", err)
				if len(page) > 2 {
					t.Errorf("a page of %d names, want at most 2", len(page))
				}
				seen = append(seen, page...)
				if !truncated {
					break
				}
				marker = next
			}
			if !slices.Equal(seen, want) {
				t.Errorf("the pages hold %v, want %v", seen, want)
			}
		})
		t.Run("deleting a "+k.noun+" policy removes it", func(t *testing.T) {
			for _, name := range []string{"zeta", "alpha", "beta", "Reader"} {
				polOK(t, "delete "+name, k.del(f, entity, name))
			}
			names, _, _, err := k.list(f, entity, nil, nil)
			polOK(t, "list", err)
			if len(names) != 0 {
				t.Errorf("the policies left = %v, want none", names)
			}
		})

		missing := "The " + k.noun + " policy with name Gone cannot be found."
		t.Run("getting a "+k.noun+" policy that is not there is NoSuchEntity", func(t *testing.T) {
			_, _, _, err := k.get(f, entity, "Gone")
			wantError(t, "get", err, "NoSuchEntity", missing, 404)
		})
		t.Run("deleting a "+k.noun+" policy that is not there is NoSuchEntity", func(t *testing.T) {
			wantError(t, "delete", k.del(f, entity, "Gone"), "NoSuchEntity", missing, 404)
		})
		t.Run("a "+k.noun+" that does not exist is NoSuchEntity", func(t *testing.T) {
			msg := "The " + k.noun + " with name nobody cannot be found."
			wantError(t, "put", k.put(f, "nobody", "p", polDocS3), "NoSuchEntity", msg, 404)
			_, _, _, err := k.get(f, "nobody", "p")
			wantError(t, "get", err, "NoSuchEntity", msg, 404)
			_, _, _, err = k.list(f, "nobody", nil, nil)
			wantError(t, "list", err, "NoSuchEntity", msg, 404)
		})
		t.Run("a "+k.noun+" policy that names a principal is MalformedPolicyDocument", func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
			wantError(t, "put", k.put(f, entity, "p", doc), "MalformedPolicyDocument", "", 400)
		})

		// IAM limits the size of all of an entity's inline policies together, not each one.
		tooLarge := "Maximum policy size of " + strconv.Itoa(k.limit) + " bytes exceeded for " + k.noun + " " + entity
		t.Run(k.noun+" policies may weigh "+strconv.Itoa(k.limit)+" together, not a character more", func(t *testing.T) {
			half := k.limit / 2
			polOK(t, "put the first half", k.put(f, entity, "first", polSized(t, half)))
			polOK(t, "put the second half", k.put(f, entity, "second", polSized(t, k.limit-half)))
			wantError(t, "put a third", k.put(f, entity, "third", polSized(t, 120)), "LimitExceeded", tooLarge, 409)
			polOK(t, "replace the second, spread with whitespace", k.put(f, entity, "second", polSpread(polSized(t, k.limit-half))))
			wantError(t, "grow the second by one", k.put(f, entity, "second", polSized(t, k.limit-half+1)), "LimitExceeded", tooLarge, 409)
			polOK(t, "delete the first", k.del(f, entity, "first"))
			polOK(t, "grow the second alone to the limit", k.put(f, entity, "second", polSized(t, k.limit)))
		})
	}
}
