package arn

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ARN
	}{
		{"IAM role with a path", "arn:aws:iam::123456789012:role/service-role/Exec",
			ARN{"aws", "iam", "", "123456789012", "role/service-role/Exec"}},
		{"AWS managed policy", "arn:aws:iam::aws:policy/AdministratorAccess",
			ARN{"aws", "iam", "", "aws", "policy/AdministratorAccess"}},
		{"S3 object", "arn:aws:s3:::bucket/a/b:c.txt", ARN{"aws", "s3", "", "", "bucket/a/b:c.txt"}},
		{"log group with colons", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*",
			ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:/aws/x:*"}},
		{"China partition", "arn:aws-cn:ec2:cn-north-1:123456789012:vpc/vpc-1",
			ARN{"aws-cn", "ec2", "cn-north-1", "123456789012", "vpc/vpc-1"}},
		{"GovCloud partition", "arn:aws-us-gov:sts::123456789012:assumed-role/R/s",
			ARN{"aws-us-gov", "sts", "", "123456789012", "assumed-role/R/s"}},
		{"ISO-B partition", "arn:aws-iso-b:iam::123456789012:user/u",
			ARN{"aws-iso-b", "iam", "", "123456789012", "user/u"}},
		{"public AMI without account", "arn:aws:ec2:us-east-1::image/ami-1",
			ARN{"aws", "ec2", "us-east-1", "", "image/ami-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) failed: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("Parse(%q).String() = %q, want the input back", tt.in, s)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"no prefix", "aws:iam::123456789012:role/x"},
		{"upper-case prefix", "ARN:aws:iam::123456789012:role/x"},
		{"five parts", "arn:aws:iam::123456789012"},
		{"empty resource", "arn:aws:iam::123456789012:"},
		{"unknown partition", "arn:azure:iam::123456789012:role/x"},
		{"empty partition", "arn::iam::123456789012:role/x"},
		{"partition ending in a hyphen", "arn:aws-:iam::123456789012:role/x"},
		{"empty service", "arn:aws:::123456789012:role/x"},
		{"upper-case service", "arn:aws:IAM::123456789012:role/x"},
		{"region with a space", "arn:aws:ec2:us east:123456789012:vpc/x"},
		{"short account", "arn:aws:iam::12345678901:role/x"},
		{"long account", "arn:aws:iam::1234567890123:role/x"},
		{"account with letters", "arn:aws:iam::12345678901a:role/x"},
		{"wildcard account", "arn:aws:iam::*:role/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%q) error %v does not wrap ErrMalformed", tt.in, err)
			}
		})
	}
}

func TestResourceParts(t *testing.T) {
	tests := []struct {
		in                  string
		typ, id, name, path string
		bucket, key         string
		wantSep             byte
	}{
		{in: "arn:aws:iam::123456789012:role/Exec", typ: "role", id: "Exec", name: "Exec", path: "/",
			bucket: "role", key: "Exec", wantSep: '/'},
		{in: "arn:aws:iam::123456789012:role/a/b/Exec", typ: "role", id: "a/b/Exec", name: "Exec", path: "/a/b/",
			bucket: "role", key: "a/b/Exec", wantSep: '/'},
		{in: "arn:aws:sagemaker:us-east-1:123456789012:user-profile/d-abc/alice", typ: "user-profile",
			id: "d-abc/alice", name: "alice", path: "/d-abc/", bucket: "user-profile", key: "d-abc/alice", wantSep: '/'},
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*", typ: "log-group", id: "/aws/x:*",
			name: "x:*", path: "", bucket: "log-group:", key: "aws/x:*", wantSep: ':'},
		{in: "arn:aws:s3:::data", typ: "", id: "data", name: "data", path: "", bucket: "data", key: "", wantSep: 0},
		{in: "arn:aws:s3:::data/in/x.csv", typ: "data", id: "in/x.csv", name: "x.csv", path: "/in/",
			bucket: "data", key: "in/x.csv", wantSep: '/'},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) failed: %v", tt.in, err)
			}
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s of %s = %q, want %q", what, tt.in, got, want)
				}
			}
			check("ResourceType", a.ResourceType(), tt.typ)
			check("ResourceID", a.ResourceID(), tt.id)
			check("Name", a.Name(), tt.name)
			check("Path", a.Path(), tt.path)
			check("Bucket", a.Bucket(), tt.bucket)
			check("Key", a.Key(), tt.key)
			if _, _, sep := SplitResource(a.Resource); sep != tt.wantSep {
				t.Errorf("SplitResource(%q) separator = %q, want %q", a.Resource, sep, tt.wantSep)
			}
		})
	}
}

func TestBuilders(t *testing.T) {
	tests := []struct {
		name string
		got  ARN
		want string
	}{
		{"IAM role at the root path", IAM("aws", "123456789012", "role", "/", "Exec"),
			"arn:aws:iam::123456789012:role/Exec"},
		{"IAM role with an empty path", IAM("aws", "123456789012", "role", "", "Exec"),
			"arn:aws:iam::123456789012:role/Exec"},
		{"IAM role with a path", IAM("aws", "123456789012", "role", "/path/", "name"),
			"arn:aws:iam::123456789012:role/path/name"},
		{"IAM user in GovCloud", IAM("aws-us-gov", "123456789012", "user", "/", "alice"),
			"arn:aws-us-gov:iam::123456789012:user/alice"},
		{"assumed role", AssumedRole("aws", "123456789012", "Exec", "job-1"),
			"arn:aws:sts::123456789012:assumed-role/Exec/job-1"},
		{"SageMaker domain", SageMaker("aws", "us-east-1", "123456789012", "domain", "d-abc123"),
			"arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc123"},
		{"SageMaker user profile in lower case", SageMaker("aws", "us-east-1", "123456789012", "user-profile",
			"d-abc123", "Alice"), "arn:aws:sagemaker:us-east-1:123456789012:user-profile/d-abc123/alice"},
		{"SageMaker app", SageMaker("aws", "us-east-1", "123456789012", "app", "d-abc", "alice", "JupyterServer",
			"Default"), "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc/alice/jupyterserver/default"},
		{"EC2 subnet", EC2("aws", "eu-west-1", "123456789012", "subnet", "subnet-0abc"),
			"arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0abc"},
		{"S3 bucket", S3("aws", "data", ""), "arn:aws:s3:::data"},
		{"S3 object", S3("aws", "data", "in/train.csv"), "arn:aws:s3:::data/in/train.csv"},
		{"log group", LogGroup("aws", "us-east-1", "123456789012", "/aws/sagemaker/TrainingJobs"),
			"arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := tt.got.String(); s != tt.want {
				t.Errorf("String() = %q, want %q", s, tt.want)
			}
			back, err := Parse(tt.want)
			if err != nil {
				t.Fatalf("Parse(%q) failed: %v", tt.want, err)
			}
			if back != tt.got {
				t.Errorf("Parse(%q) = %#v, want the built %#v", tt.want, back, tt.got)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:role/a/b/Exec",
		"arn:aws:s3:::bucket/key:with:colons",
		"arn:aws-cn:logs:cn-north-1:123456789012:log-group:/x:*",
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws::::", "arn:", "arn:aws-:x::1:r", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if got := a.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q, want the input back", s, got)
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("Parse(String(%#v)) = %#v, %v, want the same ARN", a, b, err)
		}
		// The resource helpers must not panic on any resource that parses.
		_, _, _ = a.ResourceType(), a.ResourceID(), a.Name()
		_, _, _ = a.Path(), a.Bucket(), a.Key()
	})
}
