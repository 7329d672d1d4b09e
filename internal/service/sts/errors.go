package sts

import (
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/protocol"
)

// The errors STS answers, with AWS's codes and texts (STS API Reference, and the texts AWS returned in public
// reports; where AWS's text is not known, the comment says so).

// validationError is the query protocol's ValidationError with msg.
func validationError(msg string) error {
	return &awserr.Error{Kind: awserr.KindValidation, Code: "ValidationError", Message: msg}
}

// lengthError is the model validator's text for a value longer than max, for the limits that the model does not
// carry (AssumeRole's Policy has no length in the model, but "the plaintext ... can't exceed 2,048 characters").
func lengthError(path string, value any, constraint string) error {
	return validationError(protocol.ValidationMessage([]protocol.Violation{{Path: path, Value: value, Constraint: constraint}}))
}

func accessDenied(format string, args ...any) error {
	return awserr.Newf(awserr.KindAccessDenied, format, args...)
}

// notAuthorized is AWS's denial of action on resource without a reason, as STS words the refusals it makes
// itself (AssumeRole by a principal that may not call it at all).
func notAuthorized(p *api.Principal, action, resource string) error {
	return accessDenied("User: %s is not authorized to perform: %s on resource: %s", p.ARN, action, resource)
}

// withSessionCredentials is AWS's refusal of an STS operation that temporary credentials may not call: "Cannot call
// GetSessionToken with session credentials" (seen in many public reports, for GetSessionToken and
// GetFederationToken; the same words are used here for the other operations that the IAM User Guide's "Comparing
// the AWS STS API operations" forbids to federated users and GetSessionToken sessions).
func withSessionCredentials(op string) error {
	return accessDenied("Cannot call %s with session credentials", op)
}

// mfaFailed is AWS's refusal of an MFA serial number and code it cannot validate.
func mfaFailed() error {
	return accessDenied("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
}

func malformedPolicy(msg string) error { return awserr.New("MalformedPolicyDocument", "%s", msg) }

func invalidParameter(format string, args ...any) error {
	return awserr.New("InvalidParameterValue", format, args...)
}
