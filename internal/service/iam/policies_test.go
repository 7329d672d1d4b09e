package iam_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagebox/sagebox/internal/service/iam/managed"
)

// Documents the policy tests store. polDocSpaced is polDocS3 laid out with whitespace, which IAM keeps in what it
// returns and leaves out of what it counts.
const (
	polDocS3     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	polDocSpaced = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n  ]\n}"
	polDocLogs   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`
	polDocEC2    = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`
	polAccount   = "000000000000"
	sageMakerARN = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
	trustSageDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// polOK fails the test when a call that sets the scene fails.
func polOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// polDecode undoes the URL encoding of a policy document as IAM returns it.
func polDecode(t *testing.T, what string, doc *string) string {
	t.Helper()
	if doc == nil {
		t.Fatalf("%s has no document", what)
	}
	s, err := url.QueryUnescape(*doc)
	if err != nil {
		t.Fatalf("%s: document %q is not URL-encoded: %v", what, *doc, err)
	}
	return s
}

// polSized returns an identity policy document of exactly n characters, none of them whitespace.
func polSized(t *testing.T, n int) string {
	t.Helper()
	const head, tail = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/`, `"}]}`
	pad := n - len(head) - len(tail)
	if pad < 1 {
		t.Fatalf("no document of %d characters", n)
	}
	return head + strings.Repeat("k", pad) + tail
}

// polSpread lays doc out with whitespace between its tokens, as a person would write it.
func polSpread(doc string) string {
	r := strings.NewReplacer(`{"`, "{\n  \"", `,"`, ",\n  \"", `":`, `" : `, `[{`, "[\n {", `}]`, "}\n]\n")
	return r.Replace(doc)
}

func createPolicy(t *testing.T, f *fixture, name, path, doc string) *types.Policy {
	t.Helper()
	in := &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := f.IAM.CreatePolicy(ctx, in)
	polOK(t, "CreatePolicy "+name, err)
	return out.Policy
}

func TestPolicyCreateGetDelete(t *testing.T) {
	f := start(t)
	created, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String("ReadBuckets"),
		Path:           aws.String("/team/"),
		PolicyDocument: aws.String(polDocSpaced),
		Description:    aws.String("reads the team's buckets"),
		Tags:           []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	})
	polOK(t, "CreatePolicy", err)
	p := created.Policy
	arn := "arn:aws:iam::" + polAccount + ":policy/team/ReadBuckets"

	t.Run("CreatePolicy answers the policy with its ARN, id, first version and no attachments", func(t *testing.T) {
		if got := aws.ToString(p.Arn); got != arn {
			t.Errorf("Arn = %q, want %q", got, arn)
		}
		if id := aws.ToString(p.PolicyId); len(id) != 21 || !strings.HasPrefix(id, "ANPA") {
			t.Errorf("PolicyId = %q, want ANPA and 17 more characters", id)
		}
		if aws.ToString(p.DefaultVersionId) != "v1" || aws.ToString(p.Path) != "/team/" || aws.ToString(p.PolicyName) != "ReadBuckets" {
			t.Errorf("DefaultVersionId, Path, PolicyName = %q, %q, %q, want v1, /team/, ReadBuckets",
				aws.ToString(p.DefaultVersionId), aws.ToString(p.Path), aws.ToString(p.PolicyName))
		}
		if aws.ToInt32(p.AttachmentCount) != 0 || aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 || !p.IsAttachable {
			t.Errorf("AttachmentCount, PermissionsBoundaryUsageCount, IsAttachable = %d, %d, %v, want 0, 0, true",
				aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount), p.IsAttachable)
		}
		if p.CreateDate == nil || !p.CreateDate.Equal(aws.ToTime(p.UpdateDate)) {
			t.Errorf("CreateDate %v, UpdateDate %v, want both set and equal", p.CreateDate, p.UpdateDate)
		}
	})

	t.Run("GetPolicy answers the description and tags", func(t *testing.T) {
		out, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		polOK(t, "GetPolicy", err)
		if got := aws.ToString(out.Policy.Description); got != "reads the team's buckets" {
			t.Errorf("Description = %q, want the one given", got)
		}
		if len(out.Policy.Tags) != 1 || aws.ToString(out.Policy.Tags[0].Key) != "team" {
			t.Errorf("Tags = %v, want team=ml", out.Policy.Tags)
		}
		if aws.ToString(out.Policy.PolicyId) != aws.ToString(p.PolicyId) {
			t.Errorf("PolicyId = %q, want %q", aws.ToString(out.Policy.PolicyId), aws.ToString(p.PolicyId))
		}
	})

	t.Run("GetPolicyVersion answers the document as it was given, URL-encoded", func(t *testing.T) {
		out, err := f.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
		polOK(t, "GetPolicyVersion", err)
		if strings.ContainsAny(aws.ToString(out.PolicyVersion.Document), "{\n \"") {
			t.Errorf("Document = %q, want it URL-encoded", aws.ToString(out.PolicyVersion.Document))
		}
		if got := polDecode(t, "GetPolicyVersion", out.PolicyVersion.Document); got != polDocSpaced {
			t.Errorf("Document = %q, want %q", got, polDocSpaced)
		}
		if !out.PolicyVersion.IsDefaultVersion {
			t.Error("IsDefaultVersion = false, want true for v1")
		}
	})

	errorCases := []struct {
		name, code, message string
		status              int
		call                func() error
	}{
		{"a second policy of the same name, in another case and path", "EntityAlreadyExists",
			"A policy called readbuckets already exists. Duplicate names are not allowed.", 409, func() error {
				_, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("readbuckets"), PolicyDocument: aws.String(polDocS3)})
				return err
			}},
		{"a document that is not JSON", "MalformedPolicyDocument", "", 400, func() error {
			_, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Broken"), PolicyDocument: aws.String(`{"Version":`)})
			return err
		}},
		{"a managed policy document without Version 2012-10-17", "MalformedPolicyDocument", "", 400, func() error {
			doc := `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
			_, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoVersion"), PolicyDocument: aws.String(doc)})
			return err
		}},
		{"GetPolicy of a policy that does not exist", "NoSuchEntity",
			"Policy arn:aws:iam::000000000000:policy/Nothing does not exist or is not attachable.", 404, func() error {
				_, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/Nothing")})
				return err
			}},
		{"GetPolicy with the right name on the wrong path", "NoSuchEntity",
			"Policy arn:aws:iam::000000000000:policy/ReadBuckets does not exist or is not attachable.", 404, func() error {
				_, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/ReadBuckets")})
				return err
			}},
		{"GetPolicy of an ARN that names no policy", "InvalidInput",
			"ARN arn:aws:iam::000000000000:role/team/ReadBuckets is not valid.", 400, func() error {
				_, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:role/team/ReadBuckets")})
				return err
			}},
		{"GetPolicy of another account's policy", "NoSuchEntity",
			"Policy arn:aws:iam::111122223333:policy/team/ReadBuckets does not exist or is not attachable.", 404, func() error {
				_, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::111122223333:policy/team/ReadBuckets")})
				return err
			}},
		{"an AWS managed policy that does not exist", "NoSuchEntity",
			"Policy arn:aws:iam::aws:policy/NoSuchAWSPolicy does not exist or is not attachable.", 404, func() error {
				_, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchAWSPolicy")})
				return err
			}},
		{"DeletePolicy of a policy that does not exist", "NoSuchEntity",
			"Policy arn:aws:iam::000000000000:policy/Nothing does not exist or is not attachable.", 404, func() error {
				_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/Nothing")})
				return err
			}},
	}
	for _, tc := range errorCases {
		t.Run(tc.name+" is "+tc.code, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message, tc.status)
		})
	}

	t.Run("DeletePolicy removes the policy and frees its name", func(t *testing.T) {
		_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		polOK(t, "DeletePolicy", err)
		_, err = f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		wantError(t, "GetPolicy after DeletePolicy", err, "NoSuchEntity", "Policy "+arn+" does not exist or is not attachable.", 404)
		again := createPolicy(t, f, "ReadBuckets", "", polDocS3)
		if aws.ToString(again.PolicyId) == aws.ToString(p.PolicyId) {
			t.Errorf("the policy created again has the old id %s, want a new one", aws.ToString(p.PolicyId))
		}
	})
}

func TestPolicySizeLimit(t *testing.T) {
	f := start(t)
	cases := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"6,144 characters", polSized(t, 6144), true},
		{"6,144 characters and whitespace", polSpread(polSized(t, 6144)), true},
		{"6,145 characters", polSized(t, 6145), false},
	}
	for i, tc := range cases {
		name := "Sized" + string(rune('A'+i))
		t.Run("CreatePolicy of "+tc.name, func(t *testing.T) {
			_, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(tc.doc)})
			if tc.ok {
				polOK(t, "CreatePolicy", err)
				return
			}
			wantError(t, "CreatePolicy", err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
		})
	}
	t.Run("CreatePolicyVersion of 6,145 characters", func(t *testing.T) {
		_, err := f.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
			PolicyArn: aws.String("arn:aws:iam::" + polAccount + ":policy/SizedA"), PolicyDocument: aws.String(polSized(t, 6145)),
		})
		wantError(t, "CreatePolicyVersion", err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
	})
}

func TestPolicyVersions(t *testing.T) {
	f := start(t)
	p := createPolicy(t, f, "Versioned", "", polDocS3)
	arn := p.Arn
	createVersion := func(t *testing.T, doc string, setDefault bool) *types.PolicyVersion {
		t.Helper()
		f.Advance(time.Minute)
		out, err := f.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(doc), SetAsDefault: setDefault})
		polOK(t, "CreatePolicyVersion", err)
		return out.PolicyVersion
	}
	defaultVersion := func(t *testing.T) (string, *types.Policy) {
		t.Helper()
		out, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
		polOK(t, "GetPolicy", err)
		return aws.ToString(out.Policy.DefaultVersionId), out.Policy
	}
	listVersions := func(t *testing.T) []string {
		t.Helper()
		out, err := f.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn})
		polOK(t, "ListPolicyVersions", err)
		var ids []string
		for _, v := range out.Versions {
			id := aws.ToString(v.VersionId)
			if v.IsDefaultVersion {
				id += "*"
			}
			ids = append(ids, id)
		}
		return ids
	}

	t.Run("a version created without SetAsDefault leaves the default alone", func(t *testing.T) {
		v := createVersion(t, polDocLogs, false)
		if aws.ToString(v.VersionId) != "v2" || v.IsDefaultVersion {
			t.Errorf("CreatePolicyVersion = %s default %v, want v2 not default", aws.ToString(v.VersionId), v.IsDefaultVersion)
		}
		if v.Document != nil {
			t.Errorf("CreatePolicyVersion answered a document %q, want none", aws.ToString(v.Document))
		}
		if d, _ := defaultVersion(t); d != "v1" {
			t.Errorf("DefaultVersionId = %s, want v1", d)
		}
	})
	t.Run("a version created with SetAsDefault becomes the default and dates the policy", func(t *testing.T) {
		v := createVersion(t, polDocEC2, true)
		if aws.ToString(v.VersionId) != "v3" || !v.IsDefaultVersion {
			t.Errorf("CreatePolicyVersion = %s default %v, want v3 default", aws.ToString(v.VersionId), v.IsDefaultVersion)
		}
		d, got := defaultVersion(t)
		if d != "v3" {
			t.Errorf("DefaultVersionId = %s, want v3", d)
		}
		if !aws.ToTime(got.UpdateDate).Equal(aws.ToTime(v.CreateDate)) || !got.UpdateDate.After(aws.ToTime(got.CreateDate)) {
			t.Errorf("UpdateDate = %v, want the newest version's CreateDate %v, after CreateDate %v", got.UpdateDate, v.CreateDate, got.CreateDate)
		}
	})
	t.Run("GetPolicyVersion answers each version's own document", func(t *testing.T) {
		for id, want := range map[string]string{"v1": polDocS3, "v2": polDocLogs, "v3": polDocEC2} {
			out, err := f.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String(id)})
			polOK(t, "GetPolicyVersion "+id, err)
			if got := polDecode(t, id, out.PolicyVersion.Document); got != want {
				t.Errorf("GetPolicyVersion(%s) = %q, want %q", id, got, want)
			}
			if out.PolicyVersion.IsDefaultVersion != (id == "v3") {
				t.Errorf("GetPolicyVersion(%s).IsDefaultVersion = %v, want %v", id, out.PolicyVersion.IsDefaultVersion, id == "v3")
			}
		}
	})
	t.Run("ListPolicyVersions lists the newest first", func(t *testing.T) {
		if got, want := listVersions(t), []string{"v3*", "v2", "v1"}; !slices.Equal(got, want) {
			t.Errorf("ListPolicyVersions = %v, want %v", got, want)
		}
	})
	t.Run("a sixth version is LimitExceeded", func(t *testing.T) {
		createVersion(t, polDocS3, false)
		createVersion(t, polDocS3, false)
		_, err := f.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(polDocS3)})
		wantError(t, "CreatePolicyVersion of a sixth version", err, "LimitExceeded",
			"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", 409)
	})
	t.Run("the default version cannot be deleted", func(t *testing.T) {
		_, err := f.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
		wantError(t, "DeletePolicyVersion of the default", err, "DeleteConflict", "Cannot delete the default version of a policy.", 409)
	})
	t.Run("version ids are not reused after a delete", func(t *testing.T) {
		_, err := f.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v5")})
		polOK(t, "DeletePolicyVersion v5", err)
		if v := createVersion(t, polDocS3, false); aws.ToString(v.VersionId) != "v6" {
			t.Errorf("CreatePolicyVersion after deleting v5 = %s, want v6", aws.ToString(v.VersionId))
		}
		if got, want := listVersions(t), []string{"v6", "v4", "v3*", "v2", "v1"}; !slices.Equal(got, want) {
			t.Errorf("ListPolicyVersions = %v, want %v", got, want)
		}
	})
	t.Run("ListPolicyVersions pages with MaxItems 2, visiting each version once", func(t *testing.T) {
		var got []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("ListPolicyVersions did not end after 5 pages")
			}
			out, err := f.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn, MaxItems: aws.Int32(2), Marker: marker})
			polOK(t, "ListPolicyVersions", err)
			if len(out.Versions) > 2 {
				t.Errorf("a page of %d versions, want at most 2", len(out.Versions))
			}
			for _, v := range out.Versions {
				got = append(got, aws.ToString(v.VersionId))
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if want := []string{"v6", "v4", "v3", "v2", "v1"}; !slices.Equal(got, want) {
			t.Errorf("the pages hold %v, want %v", got, want)
		}
	})
	t.Run("SetDefaultPolicyVersion moves the default", func(t *testing.T) {
		_, err := f.IAM.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
		polOK(t, "SetDefaultPolicyVersion", err)
		if d, _ := defaultVersion(t); d != "v1" {
			t.Errorf("DefaultVersionId = %s, want v1", d)
		}
		_, err = f.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
		polOK(t, "DeletePolicyVersion of the former default", err)
	})

	missing := "Policy " + aws.ToString(arn) + " version v5 does not exist or is not attachable."
	errorCases := []struct {
		name string
		call func() error
	}{
		{"GetPolicyVersion", func() error {
			_, err := f.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v5")})
			return err
		}},
		{"DeletePolicyVersion", func() error {
			_, err := f.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v5")})
			return err
		}},
		{"SetDefaultPolicyVersion", func() error {
			_, err := f.IAM.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v5")})
			return err
		}},
	}
	for _, tc := range errorCases {
		t.Run(tc.name+" of a deleted version is NoSuchEntity", func(t *testing.T) {
			wantError(t, tc.name, tc.call(), "NoSuchEntity", missing, 404)
		})
	}

	t.Run("DeletePolicy refuses while other versions remain", func(t *testing.T) {
		_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
		wantError(t, "DeletePolicy", err, "DeleteConflict",
			"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.", 409)
		for _, id := range []string{"v2", "v4", "v6"} {
			_, err := f.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(id)})
			polOK(t, "DeletePolicyVersion "+id, err)
		}
		_, err = f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
		polOK(t, "DeletePolicy with only the default version left", err)
	})
}

func TestPolicyTags(t *testing.T) {
	f := start(t)
	p := createPolicy(t, f, "Tagged", "", polDocS3)
	_, err := f.IAM.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c"), Value: aws.String("3")},
	}})
	polOK(t, "TagPolicy", err)
	_, err = f.IAM.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{{Key: aws.String("A"), Value: aws.String("one")}}})
	polOK(t, "TagPolicy of a key in another case", err)
	_, err = f.IAM.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: p.Arn, TagKeys: []string{"b"}})
	polOK(t, "UntagPolicy", err)

	t.Run("ListPolicyTags answers the tags as set, replaced case-insensitively and removed", func(t *testing.T) {
		out, err := f.IAM.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Arn})
		polOK(t, "ListPolicyTags", err)
		var got []string
		for _, tg := range out.Tags {
			got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		if want := []string{"A=one", "c=3"}; !slices.Equal(got, want) {
			t.Errorf("ListPolicyTags = %v, want %v", got, want)
		}
	})
	t.Run("ListPolicyTags pages", func(t *testing.T) {
		out, err := f.IAM.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Arn, MaxItems: aws.Int32(1)})
		polOK(t, "ListPolicyTags", err)
		if len(out.Tags) != 1 || !out.IsTruncated || out.Marker == nil {
			t.Fatalf("the first page = %d tags, truncated %v, want 1 tag and a marker", len(out.Tags), out.IsTruncated)
		}
		out, err = f.IAM.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Arn, MaxItems: aws.Int32(1), Marker: out.Marker})
		polOK(t, "ListPolicyTags", err)
		if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "c" || out.IsTruncated {
			t.Errorf("the second page = %v truncated %v, want c alone and the end", out.Tags, out.IsTruncated)
		}
	})
	t.Run("duplicate keys in one request are InvalidInput", func(t *testing.T) {
		_, err := f.IAM.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{
			{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("X"), Value: aws.String("2")},
		}})
		wantError(t, "TagPolicy", err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
	})
	t.Run("tagging a policy that does not exist is NoSuchEntity", func(t *testing.T) {
		missing := "arn:aws:iam::" + polAccount + ":policy/Untagged"
		_, err := f.IAM.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(missing), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
		wantError(t, "TagPolicy", err, "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.", 404)
	})
}

func TestAWSManagedPolicies(t *testing.T) {
	f := start(t)
	catalog, err := managed.Load()
	polOK(t, "managed.Load", err)
	want, ok := catalog.Get(sageMakerARN)
	if !ok {
		t.Fatalf("the catalog has no %s", sageMakerARN)
	}

	t.Run("GetPolicy answers the catalog's policy in every account", func(t *testing.T) {
		out, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(sageMakerARN)})
		polOK(t, "GetPolicy", err)
		p := out.Policy
		if aws.ToString(p.PolicyName) != want.Name || aws.ToString(p.PolicyId) != want.PolicyID ||
			aws.ToString(p.DefaultVersionId) != want.DefaultVersionID || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Errorf("GetPolicy = %s %s %s attached %d, want %s %s %s attached 0", aws.ToString(p.PolicyName), aws.ToString(p.PolicyId),
				aws.ToString(p.DefaultVersionId), aws.ToInt32(p.AttachmentCount), want.Name, want.PolicyID, want.DefaultVersionID)
		}
	})
	t.Run("GetPolicyVersion answers the default version's document", func(t *testing.T) {
		out, err := f.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(sageMakerARN), VersionId: aws.String(want.DefaultVersionID)})
		polOK(t, "GetPolicyVersion", err)
		if got := polDecode(t, "GetPolicyVersion", out.PolicyVersion.Document); got != want.Document {
			t.Errorf("the document differs from the catalog's:\n%s\nwant\n%s", got, want.Document)
		}
		_, err = f.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(sageMakerARN), VersionId: aws.String("v1000")})
		wantError(t, "GetPolicyVersion of a version the catalog lacks", err, "NoSuchEntity", "", 404)
	})
	t.Run("ListPolicyVersions shows the catalog's version", func(t *testing.T) {
		out, err := f.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(sageMakerARN)})
		polOK(t, "ListPolicyVersions", err)
		if len(out.Versions) != 1 || aws.ToString(out.Versions[0].VersionId) != want.DefaultVersionID || !out.Versions[0].IsDefaultVersion {
			t.Errorf("ListPolicyVersions = %+v, want %s alone, default", out.Versions, want.DefaultVersionID)
		}
	})

	// AWS managed policies belong to AWS's account: the caller's policies cannot allow changing them.
	denied := []struct {
		action string
		call   func() error
	}{
		{"DeletePolicy", func() error {
			_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(sageMakerARN)})
			return err
		}},
		{"CreatePolicyVersion", func() error {
			_, err := f.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(sageMakerARN), PolicyDocument: aws.String(polDocS3)})
			return err
		}},
		{"DeletePolicyVersion", func() error {
			_, err := f.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(sageMakerARN), VersionId: aws.String("v1")})
			return err
		}},
		{"SetDefaultPolicyVersion", func() error {
			_, err := f.IAM.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(sageMakerARN), VersionId: aws.String("v1")})
			return err
		}},
		{"TagPolicy", func() error {
			_, err := f.IAM.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(sageMakerARN), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
			return err
		}},
		{"UntagPolicy", func() error {
			_, err := f.IAM.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(sageMakerARN), TagKeys: []string{"a"}})
			return err
		}},
	}
	for _, tc := range denied {
		t.Run(tc.action+" of an AWS managed policy is AccessDenied, even for root", func(t *testing.T) {
			msg := "User: arn:aws:iam::" + polAccount + ":root is not authorized to perform: iam:" + tc.action +
				" on resource: policy " + sageMakerARN + " because no resource-based policy allows the iam:" + tc.action + " action"
			wantError(t, tc.action, tc.call(), "AccessDenied", msg, 403)
		})
	}

	t.Run("an AWS managed policy attached to a role is listed and counted in the account", func(t *testing.T) {
		_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("SageMakerExecution"), AssumeRolePolicyDocument: aws.String(trustSageDoc)})
		polOK(t, "CreateRole", err)
		_, err = f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("SageMakerExecution"), PolicyArn: aws.String(sageMakerARN)})
		polOK(t, "AttachRolePolicy", err)
		attached, err := f.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("SageMakerExecution")})
		polOK(t, "ListAttachedRolePolicies", err)
		if len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != sageMakerARN ||
			aws.ToString(attached.AttachedPolicies[0].PolicyName) != "AmazonSageMakerFullAccess" {
			t.Errorf("ListAttachedRolePolicies = %+v, want AmazonSageMakerFullAccess alone", attached.AttachedPolicies)
		}
		listed, err := f.IAM.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
		polOK(t, "ListPolicies", err)
		if len(listed.Policies) != 1 || aws.ToString(listed.Policies[0].Arn) != sageMakerARN || aws.ToInt32(listed.Policies[0].AttachmentCount) != 1 {
			var got []string
			for _, p := range listed.Policies {
				got = append(got, aws.ToString(p.Arn))
			}
			t.Errorf("ListPolicies(Scope AWS, OnlyAttached) = %v, want %s alone with AttachmentCount 1", got, sageMakerARN)
		}
	})
	t.Run("ListPolicyTags of an AWS managed policy is empty", func(t *testing.T) {
		out, err := f.IAM.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(sageMakerARN)})
		polOK(t, "ListPolicyTags", err)
		if len(out.Tags) != 0 || out.IsTruncated {
			t.Errorf("ListPolicyTags = %v truncated %v, want none", out.Tags, out.IsTruncated)
		}
	})
}

func TestListPolicies(t *testing.T) {
	f := start(t)
	catalog, err := managed.Load()
	polOK(t, "managed.Load", err)
	// A customer policy named as an AWS managed one sits beside it in the merged list.
	for _, p := range []struct{ name, path string }{
		{"AdministratorAccess", "/"}, {"alpha", "/team/"}, {"Beta", "/team/ml/"}, {"gamma", "/"}, {"zeta", "/other/"},
	} {
		createPolicy(t, f, p.name, p.path, polDocS3)
	}
	_, err = f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("lister")})
	polOK(t, "CreateUser", err)
	local := func(name string) string { return "arn:aws:iam::" + polAccount + ":policy" + name }
	_, err = f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("lister"), PolicyArn: aws.String(local("/team/alpha"))})
	polOK(t, "AttachUserPolicy", err)
	_, err = f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("lister"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	polOK(t, "AttachUserPolicy", err)
	_, err = f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("lister"), PermissionsBoundary: aws.String(local("/gamma"))})
	polOK(t, "PutUserPermissionsBoundary", err)

	list := func(t *testing.T, in *iam.ListPoliciesInput) []string {
		t.Helper()
		out, err := f.IAM.ListPolicies(ctx, in)
		polOK(t, "ListPolicies", err)
		if out.IsTruncated {
			t.Fatalf("ListPolicies is truncated at %d policies, want all of them", len(out.Policies))
		}
		var arns []string
		for _, p := range out.Policies {
			arns = append(arns, aws.ToString(p.Arn))
			if p.Description != nil || p.Tags != nil {
				t.Errorf("ListPolicies shows %s with a description or tags, which AWS leaves to GetPolicy", aws.ToString(p.Arn))
			}
		}
		return arns
	}
	var awsARNs []string
	for _, p := range catalog.All() {
		awsARNs = append(awsARNs, p.ARN)
	}

	t.Run("Scope Local lists the account's policies by name", func(t *testing.T) {
		got := list(t, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
		want := []string{local("/AdministratorAccess"), local("/team/alpha"), local("/team/ml/Beta"), local("/gamma"), local("/other/zeta")}
		if !slices.Equal(got, want) {
			t.Errorf("ListPolicies(Local) = %v, want %v", got, want)
		}
	})
	t.Run("Scope AWS lists the catalog", func(t *testing.T) {
		got := list(t, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
		if len(got) != len(awsARNs) || !slices.Contains(got, sageMakerARN) {
			t.Errorf("ListPolicies(AWS) has %d policies, want the catalog's %d with %s", len(got), len(awsARNs), sageMakerARN)
		}
		for _, arn := range got {
			if !strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
				t.Errorf("ListPolicies(AWS) lists %s", arn)
			}
		}
	})
	all := list(t, &iam.ListPoliciesInput{MaxItems: aws.Int32(1000)})
	t.Run("Scope All lists both, merged by name", func(t *testing.T) {
		if len(all) != len(awsARNs)+5 {
			t.Errorf("ListPolicies(All) has %d policies, want %d", len(all), len(awsARNs)+5)
		}
		i, j := slices.Index(all, local("/AdministratorAccess")), slices.Index(all, "arn:aws:iam::aws:policy/AdministratorAccess")
		if i < 0 || j != i+1 {
			t.Errorf("the customer AdministratorAccess is at %d and AWS's at %d, want them side by side, the customer's first", i, j)
		}
	})
	t.Run("ListPolicies pages with MaxItems 2, visiting each policy once", func(t *testing.T) {
		var got []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("ListPolicies did not end after %d pages", pages)
			}
			out, err := f.IAM.ListPolicies(ctx, &iam.ListPoliciesInput{MaxItems: aws.Int32(2), Marker: marker})
			polOK(t, "ListPolicies", err)
			if len(out.Policies) > 2 {
				t.Errorf("a page of %d policies, want at most 2", len(out.Policies))
			}
			for _, p := range out.Policies {
				got = append(got, aws.ToString(p.Arn))
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if !slices.Equal(got, all) {
			t.Errorf("the pages hold %d policies, want the %d of one list, in its order", len(got), len(all))
		}
	})
	filterCases := []struct {
		name string
		in   *iam.ListPoliciesInput
		want []string
	}{
		{"PathPrefix /team/", &iam.ListPoliciesInput{PathPrefix: aws.String("/team/")},
			[]string{local("/team/alpha"), local("/team/ml/Beta")}},
		{"OnlyAttached", &iam.ListPoliciesInput{OnlyAttached: true},
			[]string{local("/team/alpha"), "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		{"OnlyAttached and Scope Local", &iam.ListPoliciesInput{OnlyAttached: true, Scope: types.PolicyScopeTypeLocal},
			[]string{local("/team/alpha")}},
		{"PolicyUsageFilter PermissionsBoundary", &iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary},
			[]string{local("/gamma")}},
		{"PolicyUsageFilter PermissionsPolicy", &iam.ListPoliciesInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy},
			[]string{local("/team/alpha"), "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
	}
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := list(t, tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("ListPolicies(%s) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	t.Run("the counts are per account and per use", func(t *testing.T) {
		out, err := f.IAM.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
		polOK(t, "ListPolicies", err)
		for _, p := range out.Policies {
			wantAttached, wantBoundary := int32(0), int32(0)
			switch aws.ToString(p.PolicyName) {
			case "alpha":
				wantAttached = 1
			case "gamma":
				wantBoundary = 1
			}
			if aws.ToInt32(p.AttachmentCount) != wantAttached || aws.ToInt32(p.PermissionsBoundaryUsageCount) != wantBoundary {
				t.Errorf("%s: AttachmentCount %d, PermissionsBoundaryUsageCount %d, want %d and %d", aws.ToString(p.PolicyName),
					aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount), wantAttached, wantBoundary)
			}
		}
	})
	t.Run("a marker IAM did not issue is InvalidInput", func(t *testing.T) {
		_, err := f.IAM.ListPolicies(ctx, &iam.ListPoliciesInput{Marker: aws.String("not a marker!")})
		wantError(t, "ListPolicies", err, "InvalidInput", "", 400)
	})
}
