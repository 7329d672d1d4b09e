// Package awserr defines the one error type that sagebox answers with.
//
// Service code and the request path create *Error values; only the protocol encoders in package protocol render
// them, as XML or JSON, with the code, status and envelope of the protocol the request came in on. Anything else
// that escapes a handler is answered as an internal failure and its detail is only logged.
//
// An error names either a service-specific Code ("NoSuchEntity", "InvalidVpcID.NotFound"), which every protocol
// renders as it is, or a Kind shared by every protocol (access denied, a bad signature, a validation failure), which
// each protocol renders under its own code: AccessDenied is "AccessDenied" for IAM, "AccessDeniedException" for
// SageMaker and "UnauthorizedOperation" for EC2.
package awserr

import (
	"errors"
	"fmt"
)

// Kind is a class of error that every protocol answers under a code of its own.
type Kind uint8

// The kinds. KindNone means the error's Code says everything.
const (
	KindNone Kind = iota
	// KindMissingAuthentication: the request carries no signature at all.
	KindMissingAuthentication
	// KindIncompleteSignature: a signature is there but lacks parts or is malformed.
	KindIncompleteSignature
	// KindUnknownAccessKey: the access key id is not one sagebox issued (or is inactive).
	KindUnknownAccessKey
	// KindSignatureMismatch: the signature does not match the one computed with the key's secret.
	KindSignatureMismatch
	// KindClockSkew: the request's date is more than 15 minutes from the server's clock.
	KindClockSkew
	// KindRequestExpired: a presigned request has passed its expiry.
	KindRequestExpired
	// KindExpiredToken: the temporary credentials the request was signed with have expired.
	KindExpiredToken
	// KindAccessDenied: authorization denied the request.
	KindAccessDenied
	// KindValidation: the input broke a constraint of the service model.
	KindValidation
	// KindMissingParameter: a required input member is absent (EC2 answers this apart from other validation).
	KindMissingParameter
	// KindMalformedInput: the request could not be decoded (bad JSON, bad XML, a value of the wrong type).
	KindMalformedInput
	// KindUnknownOperation: the request names an operation that the service's model does not have.
	KindUnknownOperation
	// KindNotImplemented: the operation is in the model, but sagebox does not implement it yet.
	KindNotImplemented
	// KindInternal: sagebox failed; the detail is logged, never sent.
	KindInternal
	// KindDryRun: an EC2 DryRun request that would have succeeded.
	KindDryRun
)

var kindNames = [...]string{
	KindNone:                  "None",
	KindMissingAuthentication: "MissingAuthentication",
	KindIncompleteSignature:   "IncompleteSignature",
	KindUnknownAccessKey:      "UnknownAccessKey",
	KindSignatureMismatch:     "SignatureMismatch",
	KindClockSkew:             "ClockSkew",
	KindRequestExpired:        "RequestExpired",
	KindExpiredToken:          "ExpiredToken",
	KindAccessDenied:          "AccessDenied",
	KindValidation:            "Validation",
	KindMissingParameter:      "MissingParameter",
	KindMalformedInput:        "MalformedInput",
	KindUnknownOperation:      "UnknownOperation",
	KindNotImplemented:        "NotImplemented",
	KindInternal:              "Internal",
	KindDryRun:                "DryRun",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Error is an error that sagebox answers to a client.
type Error struct {
	// Kind is set for errors that each protocol names differently; Code is then filled in by the encoder.
	Kind Kind
	// Code is the error code on the wire, such as "NoSuchEntity". The encoder fills it from Kind when empty.
	Code string
	// Message is the text a client sees. Empty means the protocol's usual text for the Kind.
	Message string
	// Status is the HTTP status. Zero means: the status of the error shape in the service model, or the
	// protocol's status for the Kind, or 400.
	Status int
	// Receiver marks a fault of the service rather than of the caller (query's <Type>Receiver</Type>).
	Receiver bool
	// Fields are extra members of the error shape, such as S3's BucketName, keyed by member name.
	Fields map[string]any
	// Detail is logged with the error and never sent to the client.
	Detail string
}

// New returns an error with a service-specific code.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: sprintf(format, args)}
}

// Newf returns an error of a kind that every protocol names in its own way.
func Newf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: sprintf(format, args)}
}

// Internal returns an internal failure whose cause is logged and never sent.
func Internal(cause error) *Error {
	e := &Error{Kind: KindInternal, Status: 500, Receiver: true}
	if cause != nil {
		e.Detail = cause.Error()
	}
	return e
}

func sprintf(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// WithStatus sets the HTTP status and returns e.
func (e *Error) WithStatus(status int) *Error {
	e.Status = status
	return e
}

// Error returns "Code: Message", or the kind when the code is not known yet.
func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = e.Kind.String()
	}
	if e.Message == "" {
		return code
	}
	return code + ": " + e.Message
}

// Is reports whether target is an *Error with the same code (when target has one) and kind (when it has one),
// so that errors.Is(err, &awserr.Error{Code: "NoSuchEntity"}) matches any NoSuchEntity.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code == "" && t.Kind == KindNone {
		return false
	}
	return (t.Code == "" || t.Code == e.Code) && (t.Kind == KindNone || t.Kind == e.Kind)
}

// As returns the *Error in err's chain, or an internal failure wrapping err when there is none.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
