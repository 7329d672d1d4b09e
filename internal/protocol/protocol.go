// Package protocol speaks the AWS wire protocols that sagebox serves — query (IAM, STS), ec2, json 1.1 (SageMaker,
// CloudWatch Logs) and rest-xml (S3) — driven entirely by the service models in package model.
//
// A Codec decodes an HTTP request into the operation it names and the operation's input, and encodes an output or
// an *awserr.Error as that protocol's response. Validate checks an input against the model's constraints, and the
// codec renders what it finds in its protocol's words. Bind and Unbind move values between the decoded form and
// the Go structs that handlers take and return. No handler writes XML or JSON.
//
// # Values
//
// A decoded input, and an output to encode, is a tree of plain Go values shaped by the model:
//
//	structure                   map[string]any, keyed by member name (the model's name, not its locationName);
//	                            an absent member is absent from the map
//	list                        []any
//	map                         map[string]any
//	string (and enums)          string
//	byte, short, integer, long  int64
//	float, double               float64 (NaN and ±Inf included)
//	boolean                     bool
//	timestamp                   time.Time, in UTC
//	blob                        []byte
//	document                    any, as encoding/json decodes into an interface value
//
// The package knows protocols and models; it knows nothing of any service's behaviour.
package protocol

import (
	"net/http"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// Codec is one AWS protocol.
type Codec interface {
	// Name is the protocol's name as the models write it: "query", "ec2", "json" or "rest-xml".
	Name() string

	// Decode finds the operation that the request names and decodes the request into the operation's input.
	// body is the whole request body, already read. Errors are *awserr.Error: KindUnknownOperation when the
	// request names no operation of svc, KindMalformedInput when it cannot be decoded. Decode does not validate
	// constraints; see Validate.
	Decode(svc *model.Service, r *http.Request, body []byte) (*model.Operation, map[string]any, error)

	// Encode writes a successful response to op carrying output (nil for an operation without output).
	Encode(w http.ResponseWriter, op *model.Operation, output map[string]any, meta Meta) error

	// EncodeError writes err as the protocol's error response. op is nil when the request named no operation.
	// An error without Code gets the protocol's code for its Kind; without Status, the status of the model's error
	// shape for its code, else the protocol's status for its Kind, else 400.
	EncodeError(w http.ResponseWriter, svc *model.Service, op *model.Operation, err *awserr.Error, meta Meta)

	// Resolve returns a copy of err with what it leaves to the protocol filled in: the protocol's code, status
	// and message for its Kind, the status of the model's error shape. EncodeError writes exactly that; the server
	// logs it.
	Resolve(svc *model.Service, err *awserr.Error) *awserr.Error

	// ValidationError renders what Validate found as the protocol's error, such as query's ValidationError or
	// ec2's MissingParameter. violations is never empty.
	ValidationError(violations []Violation) *awserr.Error
}

// Meta is what a response carries besides its output.
type Meta struct {
	// RequestID goes into the protocol's request id header(s) and, where the protocol has one, the body.
	RequestID string
}
