package protocol

// The ec2 protocol: requests are form parameters like query's, named by queryName or a capitalized locationName,
// with every list flattened; responses are the output's members directly under <OpResponse> after a requestId, and
// errors are <Response><Errors><Error>…</Error></Errors><RequestID/></Response>.

import (
	"net/http"
	"strings"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// EC2 returns the codec of the ec2 protocol. Create it once and share it: it caches per-shape lookups. It is safe
// for concurrent use.
func EC2() Codec {
	return &ec2Codec{forms: formIndexes{style: formEC2}}
}

type ec2Codec struct {
	forms formIndexes
	bufs  xmlBufPool
}

var _ Codec = (*ec2Codec)(nil)

func (c *ec2Codec) Name() string { return "ec2" }

// Decode reads the form parameters of the URL and the body. EC2 accepts every API version it ever published, so the
// Version is not checked; a parameter that names no member is UnknownParameter, as EC2 answers it.
func (c *ec2Codec) Decode(svc *model.Service, r *http.Request, body []byte) (*model.Operation, map[string]any, error) {
	pairs, err := formPairs(r, body)
	if err != nil {
		return nil, nil, err
	}
	action, _, _ := formActionVersion(pairs)
	if action == "" {
		return nil, nil, &awserr.Error{Kind: awserr.KindUnknownOperation, Code: "MissingAction", Message: "The request must contain the parameter Action", Status: 400}
	}
	op := svc.Operations[action]
	if op == nil {
		return nil, nil, awserr.Newf(awserr.KindUnknownOperation, "The action %s is not valid for this web service.", action)
	}
	input, err := formDecode(&c.forms, op, pairs)
	if err != nil {
		return nil, nil, err
	}
	return op, input, nil
}

// Encode writes <OpResponse xmlns=NS><requestId>ID</requestId>…members…</OpResponse>, indented as EC2 indents.
func (c *ec2Codec) Encode(w http.ResponseWriter, op *model.Operation, output map[string]any, meta Meta) error {
	buf := c.bufs.get()
	xw := xmlWriter{b: *buf, indent: "    ", millis: true}
	defer func() { *buf = xw.b; c.bufs.put(buf) }()
	xw.b = append(xw.b, xmlDeclaration...)
	name := op.Name + "Response"
	var attrs []string
	if op.Output != nil {
		var err error
		if attrs, err = xmlAttrs(op.Output.Shape, output); err != nil {
			return err
		}
	}
	xw.start(name, xmlServiceNamespace(op.Service), attrs...)
	xw.element("requestId", meta.RequestID)
	if op.Output != nil {
		if err := xw.writeMembers(op.Output.Shape, output, 0); err != nil {
			return err
		}
	}
	xw.end(name)
	xw.b = append(xw.b, '\n')
	writeXMLResponse(w, http.StatusOK, "text/xml;charset=UTF-8", "x-amzn-RequestId", meta.RequestID, xw.b)
	return nil
}

// Resolve fills in the code, status and message that err leaves to the protocol.
func (c *ec2Codec) Resolve(svc *model.Service, err *awserr.Error) *awserr.Error {
	r, _ := resolve(svc, err, ec2Kind)
	return r
}

// EncodeError writes <Response><Errors><Error><Code/><Message/>…</Error></Errors><RequestID/></Response>.
func (c *ec2Codec) EncodeError(w http.ResponseWriter, svc *model.Service, op *model.Operation, err *awserr.Error, meta Meta) {
	e := xmlResolveError(svc, err, ec2Kind)
	buf := c.bufs.get()
	xw := xmlWriter{b: *buf, millis: true}
	defer func() { *buf = xw.b; c.bufs.put(buf) }()
	xw.b = append(xw.b, xmlDeclaration...)
	xw.start("Response", nil)
	xw.start("Errors", nil)
	xw.start("Error", nil)
	xw.element("Code", e.code)
	if e.message != "" {
		xw.element("Message", e.message)
	}
	e.writeFields(&xw)
	xw.end("Error")
	xw.end("Errors")
	xw.element("RequestID", meta.RequestID)
	xw.end("Response")
	writeXMLResponse(w, e.status, "text/xml;charset=UTF-8", "x-amzn-RequestId", meta.RequestID, xw.b)
}

// ValidationError answers the first missing parameter with MissingParameter, as EC2 does, and anything else with
// InvalidParameterValue in EC2's words.
func (c *ec2Codec) ValidationError(violations []Violation) *awserr.Error {
	for _, v := range violations {
		if v.Missing {
			name := v.Path
			if v.Ref != nil {
				name = formEC2.memberName(v.Ref)
			}
			return &awserr.Error{Kind: awserr.KindMissingParameter, Code: "MissingParameter", Status: 400,
				Message: "The request must contain the parameter " + name}
		}
	}
	v := violations[0]
	name := v.Path
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if v.Ref != nil && v.Ref.LocationName != "" {
		name = v.Ref.LocationName
	}
	var b strings.Builder
	b.WriteString("Value (")
	if v.Ref == nil || v.Ref.Shape == nil || !v.Ref.Shape.Sensitive {
		vmValue(&b, v.Value, vmRefShape(v.Ref))
	}
	b.WriteString(") for parameter ")
	b.WriteString(name)
	b.WriteString(" is invalid. ")
	b.WriteString(v.Constraint)
	if !strings.HasSuffix(v.Constraint, ".") {
		b.WriteByte('.')
	}
	return &awserr.Error{Kind: awserr.KindValidation, Code: "InvalidParameterValue", Status: 400, Message: b.String()}
}

// xmlDeclaration starts the documents of EC2 and S3.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// ec2Kind is how EC2 answers each kind of error (EC2 API Reference, "Error codes for the Amazon EC2 API").
func ec2Kind(k awserr.Kind) (code string, status int, message string) {
	switch k {
	case awserr.KindMissingAuthentication:
		return "MissingAuthenticationToken", 401, "The request must contain valid credentials."
	case awserr.KindIncompleteSignature:
		return "IncompleteSignature", 400, "The request signature does not conform to AWS standards."
	case awserr.KindUnknownAccessKey:
		return "AuthFailure", 401, "AWS was not able to validate the provided access credentials"
	case awserr.KindSignatureMismatch:
		return "SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	case awserr.KindClockSkew, awserr.KindRequestExpired, awserr.KindExpiredToken:
		return "RequestExpired", 400, "Request has expired."
	case awserr.KindAccessDenied:
		return "UnauthorizedOperation", 403, "You are not authorized to perform this operation."
	case awserr.KindValidation, awserr.KindMalformedInput:
		return "InvalidParameterValue", 400, "An invalid or out-of-range value was supplied for the input parameter."
	case awserr.KindMissingParameter:
		return "MissingParameter", 400, "The request is missing a required parameter."
	case awserr.KindUnknownOperation:
		return "InvalidAction", 400, "The action or operation requested is not valid."
	case awserr.KindNotImplemented:
		return "NotImplemented", 501, "The operation is not implemented."
	case awserr.KindInternal:
		return "InternalError", 500, "An internal error has occurred"
	case awserr.KindDryRun:
		return "DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set."
	}
	return "", 400, ""
}
