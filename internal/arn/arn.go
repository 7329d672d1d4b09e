// Package arn parses and formats Amazon Resource Names.
//
// An ARN is arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. Parse checks the shape every concrete ARN has (the
// prefix, six parts, a known kind of partition, an account that is empty, "aws" or twelve digits); it knows nothing
// of what a service accepts in the resource part, and it does not match the wildcards of policy documents: that is
// the policy engine's job. The builders (IAM, AssumedRole, SageMaker, EC2, S3, LogGroup) write the ARNs that the
// services hand out, in AWS's forms.
package arn

import (
	"errors"
	"fmt"
	"strings"
)

// ARN is an Amazon Resource Name split into its parts.
type ARN struct {
	Partition string // "aws", "aws-cn", "aws-us-gov", …
	Service   string // "iam", "s3", "sagemaker", …
	Region    string // empty for global services such as IAM and for S3 buckets
	Account   string // twelve digits; empty for S3 buckets; "aws" for AWS managed IAM policies
	Resource  string // everything after the fifth colon; may itself contain colons and slashes
}

// ErrMalformed is the error every Parse failure wraps.
var ErrMalformed = errors.New("malformed ARN")

// Parse splits s into its parts and checks their shape.
func Parse(s string) (ARN, error) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, parseError(s, "it does not begin with \"arn:\"")
	}
	var parts [4]string
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, parseError(s, "it has fewer than six colon-separated parts")
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	a := ARN{Partition: parts[0], Service: parts[1], Region: parts[2], Account: parts[3], Resource: rest}
	if !validPartition(a.Partition) {
		return ARN{}, parseError(s, fmt.Sprintf("the partition %q is not an AWS partition", a.Partition))
	}
	if !validName(a.Service) {
		return ARN{}, parseError(s, fmt.Sprintf("the service %q is not a service name", a.Service))
	}
	if a.Region != "" && !validName(a.Region) {
		return ARN{}, parseError(s, fmt.Sprintf("the region %q is not a region name", a.Region))
	}
	if !validAccount(a.Account) {
		return ARN{}, parseError(s, fmt.Sprintf("the account %q is not a 12-digit account ID", a.Account))
	}
	if a.Resource == "" {
		return ARN{}, parseError(s, "the resource is empty")
	}
	return a, nil
}

func parseError(s, why string) error {
	return fmt.Errorf("%w %q: %s", ErrMalformed, s, why)
}

// validPartition accepts "aws" and the "aws-…" partitions (aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-eusc, …),
// so that a partition AWS adds later parses without a change here.
func validPartition(p string) bool {
	if p == "aws" {
		return true
	}
	rest, ok := strings.CutPrefix(p, "aws-")
	if !ok || rest == "" || rest[len(rest)-1] == '-' {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// validName accepts service and region names: lower-case letters, digits and hyphens.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validAccount(s string) bool {
	switch len(s) {
	case 0:
		return true
	case 3:
		return s == "aws"
	case 12:
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}

// String formats a as arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
func (a ARN) String() string {
	var b strings.Builder
	b.Grow(9 + len(a.Partition) + len(a.Service) + len(a.Region) + len(a.Account) + len(a.Resource))
	b.WriteString("arn:")
	b.WriteString(a.Partition)
	b.WriteByte(':')
	b.WriteString(a.Service)
	b.WriteByte(':')
	b.WriteString(a.Region)
	b.WriteByte(':')
	b.WriteString(a.Account)
	b.WriteByte(':')
	b.WriteString(a.Resource)
	return b.String()
}

// SplitResource splits a resource of the form TYPE/ID or TYPE:ID at its first separator and returns the type,
// the ID and the separator. A resource with neither separator is all ID, with an empty type and separator 0.
func SplitResource(resource string) (typ, id string, sep byte) {
	i := strings.IndexAny(resource, "/:")
	if i < 0 {
		return "", resource, 0
	}
	return resource[:i], resource[i+1:], resource[i]
}

// ResourceType is the TYPE of a TYPE/ID or TYPE:ID resource ("role", "user-profile", "vpc", "log-group"), or ""
// when the resource has no type. S3 object ARNs have no type: use Bucket and Key for them.
func (a ARN) ResourceType() string {
	typ, _, _ := SplitResource(a.Resource)
	return typ
}

// ResourceID is what follows the resource type and its separator: "path/name" for an IAM role with a path,
// "d-abc123/alice" for a SageMaker user profile. It is the whole resource when there is no type.
func (a ARN) ResourceID() string {
	_, id, _ := SplitResource(a.Resource)
	return id
}

// Name is the last slash-separated segment of the resource: the name of an IAM entity without its path, the
// session name of an assumed role, a SageMaker resource name.
func (a ARN) Name() string {
	return a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
}

// Path is the IAM path of an IAM entity's ARN: "/" for arn:aws:iam::123456789012:role/name and "/a/b/" for
// arn:aws:iam::123456789012:role/a/b/name. It is "" for a resource without a type.
func (a ARN) Path() string {
	typ, id, sep := SplitResource(a.Resource)
	if typ == "" || sep != '/' {
		return ""
	}
	i := strings.LastIndexByte(id, '/')
	if i < 0 {
		return "/"
	}
	return "/" + id[:i+1]
}

// Bucket is the bucket of an S3 bucket or object ARN (arn:aws:s3:::bucket/key).
func (a ARN) Bucket() string {
	bucket, _, _ := strings.Cut(a.Resource, "/")
	return bucket
}

// Key is the object key of an S3 object ARN, "" for a bucket ARN.
func (a ARN) Key() string {
	_, key, _ := strings.Cut(a.Resource, "/")
	return key
}

// IAM returns the ARN of an IAM entity: typ is "user", "group", "role", "policy", "instance-profile", …; path is
// its IAM path ("/" or "/a/b/", an empty path counting as "/").
//
//	IAM("aws", "123456789012", "role", "/service-role/", "Exec") = arn:aws:iam::123456789012:role/service-role/Exec
func IAM(partition, account, typ, path, name string) ARN {
	if path == "" {
		path = "/"
	}
	return ARN{Partition: partition, Service: "iam", Account: account, Resource: typ + path + name}
}

// AssumedRole returns the ARN of an STS role session, which names the role without its path:
//
//	AssumedRole("aws", "123456789012", "Exec", "job-1") = arn:aws:sts::123456789012:assumed-role/Exec/job-1
func AssumedRole(partition, account, roleName, sessionName string) ARN {
	return ARN{Partition: partition, Service: "sts", Account: account,
		Resource: "assumed-role/" + roleName + "/" + sessionName}
}

// SageMaker returns the ARN of a SageMaker resource: typ is "domain", "user-profile", "notebook-instance",
// "training-job", …, and ids are the slash-separated parts after it (a user profile is domain ID then profile
// name). SageMaker writes names in lower case in its ARNs, and so does this.
//
//	SageMaker("aws", "us-east-1", "123456789012", "user-profile", "d-abc", "Alice")
//	    = arn:aws:sagemaker:us-east-1:123456789012:user-profile/d-abc/alice
func SageMaker(partition, region, account, typ string, ids ...string) ARN {
	return ARN{Partition: partition, Service: "sagemaker", Region: region, Account: account,
		Resource: typ + "/" + strings.ToLower(strings.Join(ids, "/"))}
}

// EC2 returns the ARN of an EC2 resource such as a VPC, subnet or security group:
//
//	EC2("aws", "us-east-1", "123456789012", "vpc", "vpc-0abc") = arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc
func EC2(partition, region, account, typ, id string) ARN {
	return ARN{Partition: partition, Service: "ec2", Region: region, Account: account, Resource: typ + "/" + id}
}

// S3 returns the ARN of a bucket (key empty) or of an object. S3 ARNs have neither region nor account:
//
//	S3("aws", "data", "in/train.csv") = arn:aws:s3:::data/in/train.csv
func S3(partition, bucket, key string) ARN {
	resource := bucket
	if key != "" {
		resource += "/" + key
	}
	return ARN{Partition: partition, Service: "s3", Resource: resource}
}

// LogGroup returns the ARN of a CloudWatch Logs log group as DescribeLogGroups reports it, with the ":*" that
// AWS appends:
//
//	LogGroup("aws", "us-east-1", "123456789012", "/aws/sagemaker/TrainingJobs")
//	    = arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*
func LogGroup(partition, region, account, name string) ARN {
	return ARN{Partition: partition, Service: "logs", Region: region, Account: account,
		Resource: "log-group:" + name + ":*"}
}
