package policy

import "fmt"

// Error is a policy document that IAM would refuse. IAM answers MalformedPolicyDocument (HTTP 400) with Message.
type Error struct {
	// Code says which rule the document broke, for callers that phrase the refusal their own way (S3 answers
	// MalformedPolicy "Invalid principal in policy" without the principal) and for explanations.
	Code Code
	// Message is IAM's text for the document's kind.
	Message string
	// Statement is the index of the statement at fault, or -1 when the fault is the document's.
	Statement int
	// Value is the element or value at fault when there is one: a field name, a resource, an action, a principal.
	Value string
}

func (e *Error) Error() string { return e.Message }

// Code is a rule a policy document can break.
type Code uint8

// The rules. The comment of each names where sagebox raises it.
const (
	CodeSyntax             Code = iota + 1 // not the grammar: types, unknown fields, duplicate keys, bad Effect …
	CodeInvalidJSON                        // not JSON at all (trust and resource policies)
	CodeVersion                            // a managed policy without Version 2012-10-17
	CodePrincipalForbidden                 // Principal or NotPrincipal in an identity policy
	CodeLegacyParse                        // "The policy failed legacy parsing": Effect case, dates, ARN shape
	CodeSidCharacters                      // a Sid with characters other than A-Z, a-z, 0-9
	CodeSidNotUnique                       // two statements with the same Sid
	CodeNoActions                          // a statement without Action or NotAction, or with an empty list
	CodeNoResources                        // a statement without Resource or NotResource, or with an empty list
	CodeResource                           // a resource that is not "*" nor an acceptable ARN
	CodeAction                             // an action without a vendor, with two colons, or with a bad vendor
	CodeMissingField                       // a required field is absent (trust and resource policies)
	CodeProhibitedField                    // a field the kind forbids (Resource in a trust policy …)
	CodeUnknownField                       // a field the grammar does not have (trust and resource policies)
	CodeEmptyStatement                     // "Statement": [] (trust and resource policies)
	CodeEffect                             // an Effect other than Allow or Deny (trust and resource policies)
	CodeTrustAction                        // a trust policy action that does not assume a role
	CodePrincipal                          // a principal IAM does not accept, or that does not exist
	CodeEmptyPrincipal                     // "Principal": {} (trust and resource policies)
	CodeNotPrincipalAllow                  // NotPrincipal with Effect Allow
	CodeConditionOperator                  // an operator that does not exist (trust and resource policies)
)

// IAM's texts. Each says where it was seen; "unconfirmed" marks a text chosen by sagebox where no AWS answer was
// found, so that a later observation can correct it in one place.
const (
	// Seen for CreatePolicy and PutUserPolicy (moto's AWS-recorded cases in tests/test_iam/test_iam_policies.py; a
	// CloudTrail errorMessage in checkr/s3-sync#1; boto/boto3#180).
	msgSyntax = "Syntax errors in policy."
	// Seen for CreatePolicy without Version or with 2008-10-17 (Meteor-CollectionFS#630, moto's cases); inline
	// policies and trust policies accept both (the CloudFormation ManagedPolicy-only requirement,
	// Bayer-Group/cloudformation-template-generator#90).
	msgVersion = "Policy document must be version 2012-10-17 or greater."
	// Seen for PutRolePolicy with a Principal (hashicorp/terraform#13449).
	msgPrincipalForbidden = "Policy document should not specify a principal."
	// Seen for an Effect of "allow" (hashicorp/terraform#10057) and for ARNs and dates in moto's cases.
	msgLegacyParse = "The policy failed legacy parsing"
	// Seen through CloudFormation (aws-cloudformation/cfn-lint#1376, Wolox/carthage_cache#22).
	msgSidCharacters = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	// moto's cases; AWS-FACTS.md.
	msgSidNotUnique = "Statement IDs (SID) in a single policy must be unique."
	msgNoActions    = "Policy statement must contain actions."
	msgNoResources  = "Policy statement must contain resources."
	// garnaat/kappa#111 (two colons); moto's cases (no vendor, bad vendor).
	msgActionVendor = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgActionColon  = "Actions/Condition can contain only one colon."
	msgVendorFormat = "Vendor %s is not valid"
	// moto's cases; the "root" alternative is LocalStack's later correction of the same text.
	msgResourceFormat    = "Resource %s must be in ARN format or \"*\"."
	msgResourcePartition = "Partition \"%s\" is not valid for resource \"arn:%s:%s:%s:%s:%s\"."
	msgResourceVendor    = "Resource vendor must be fully qualified and cannot contain regexes."
	msgIAMRegion         = "IAM resource %s cannot contain region information."
	msgS3Region          = "Resource %s can not contain region information."
	msgIAMPath           = "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."

	// Trust policies, recorded against AWS in LocalStack's tests/aws/services/iam/test_iam_roles.snapshot.json
	// (UpdateAssumeRolePolicy, 2026).
	msgInvalidJSON      = "This policy contains invalid Json"
	msgTrustAction      = "AssumeRole policy may only specify STS AssumeRole actions."
	msgProhibitedField  = "Has prohibited field %s"
	msgMissingPrincipal = "Missing required field Principal"
	// Seen for S3 bucket policies and trust policies (an emulator's notes of real S3 answers; an emulator's CreateRole
	// table); the same parser answers "Missing required field Effect" and "Could not parse the policy: Statement is
	// empty!" for DynamoDB resource policies.
	msgEmptyPrincipal = "Missing required field Principal cannot be empty!"
	msgEmptyStatement = "Could not parse the policy: Statement is empty!"
	msgMissingField   = "Missing required field %s"
	// Unconfirmed: one emulator's CreateRole table, not seen from AWS.
	msgTrustNotResource  = "AssumeRole policy must not contain resources."
	msgNotPrincipalAllow = "Allow with NotPrincipal is not allowed."
	// Unconfirmed: sagebox's choice.
	msgUnknownField      = "Unknown field %s"
	msgInvalidEffect     = "Invalid effect: %s"
	msgConditionOperator = "Invalid Condition type : %s"
	msgNotAPolicy        = "This text appears not to be a policy" // seen for DynamoDB resource policies given null

	// Seen for CreateRole and UpdateAssumeRolePolicy naming a role that does not exist (hashicorp/terraform-provider-aws
	// #8905, opstrace/opstrace#88) and a service that is not one ("SERVICE":"amazonaws.com", aws-samples/
	// aws-cdk-examples#801). The upper-case type name is IAM's; FEDERATED and CANONICALUSER are inferred from it.
	msgInvalidPrincipal = "Invalid principal in policy: \"%s\":\"%s\""

	// Organizations answers every SCP violation with this (org-formation/org-formation-cli#225).
	msgPolicyType = "The provided policy document does not meet the requirements of the specified policy type."
)

// InvalidPrincipal returns the error IAM answers when a policy names a principal it does not accept, or one that
// does not exist. typ is the principal type as written ("AWS", "Service", "Federated", "CanonicalUser"); callers
// that check existence (an IAM user or role named in a trust policy) use it so the text is the same.
func InvalidPrincipal(typ, value string) *Error {
	return &Error{Code: CodePrincipal, Statement: -1, Value: value,
		Message: fmt.Sprintf(msgInvalidPrincipal, principalTypeName(typ), value)}
}

func principalTypeName(typ string) string {
	switch typ {
	case "AWS":
		return "AWS"
	case "Service":
		return "SERVICE"
	case "Federated":
		return "FEDERATED"
	case "CanonicalUser":
		return "CANONICALUSER"
	}
	b := []byte(typ)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func newError(code Code, stmt int, value, msg string) *Error {
	return &Error{Code: code, Message: msg, Statement: stmt, Value: value}
}
