package protocol

// Sources of the AWS behaviour these tests assert:
//
//   - Type mismatches and malformed bodies: measured against Athena (awsJson1_1, Coral) on 2026-09-23 and recorded
//     in a public emulator's tests (aoyagikouhei/athena-local): "NUMBER_VALUE can not be converted to a String",
//     "STRING_VALUE can not be converted to an Integer", "TRUE_VALUE can not be converted to an Integer", "Start of
//     list found where not expected", "Start of structure or map found where not expected.", "Expected list or
//     null" (a scalar for a list), "Expected null" (a scalar for a structure); a body that is not JSON, null or a
//     string gets SerializationException with no message, a body that is an array the "Start of list" text; null
//     members and null list elements are absent; an unknown or missing X-Amz-Target gets
//     {"__type":"UnknownOperationException"} with no message; a decimal for an integer is truncated.
//   - "NUMBER_VALUE can not be converted to a Boolean" and a string taken as true for a boolean: SES v2 probes
//     recorded by the floci emulator (2026-06-13).
//   - Authentication: DynamoDB's raw 400 {"__type":"…MissingAuthenticationTokenException","message":"Request is
//     missing Authentication Token"}; UnrecognizedClientException "The security token included in the request is
//     invalid." with status 400 from SageMaker (aws/amazon-sagemaker-operator-for-k8s#99) and Cognito.
//   - Timestamps as Java doubles of epoch seconds: Kinesis Video's raw "CreationTime":1.735442939457E9, Athena's
//     measured "CreationTime":1.<12 digits>E9.

import (
	"bytes"
	"flag"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// jsonRequest is a request to svc naming target, with body.
func jsonRequest(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://api.sagemaker.us-east-1.amazonaws.com/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	return r
}

// tinyJSONService is a small model with every type the codec handles, for what the served models lack (blobs,
// timestamps in requests, documents, floats).
func tinyJSONService(t testing.TB) *model.Service {
	t.Helper()
	one := 1.0
	shapes := map[string]*model.Shape{
		"In": {Type: "structure", Members: model.Members{
			{ShapeName: "Str", Name: "Str"}, {ShapeName: "Int", Name: "Int"}, {ShapeName: "Long", Name: "Long"},
			{ShapeName: "Dbl", Name: "Dbl"}, {ShapeName: "Flt", Name: "Flt"}, {ShapeName: "Bool", Name: "Bool"},
			{ShapeName: "Time", Name: "Time"}, {ShapeName: "Time", Name: "IsoTime", TimestampFormat: "iso8601"},
			{ShapeName: "Blob", Name: "Blob"}, {ShapeName: "Doc", Name: "Doc"}, {ShapeName: "List", Name: "List"},
			{ShapeName: "Map", Name: "Map"}, {ShapeName: "In", Name: "Nested"},
			{ShapeName: "Str", Name: "Renamed", LocationName: "wireName"},
		}},
		"Str":  {Type: "string", Min: &one},
		"Int":  {Type: "integer"},
		"Long": {Type: "long"},
		"Dbl":  {Type: "double"},
		"Flt":  {Type: "float"},
		"Bool": {Type: "boolean"},
		"Time": {Type: "timestamp"},
		"Blob": {Type: "blob"},
		"Doc":  {Type: "structure", Document: true},
		"List": {Type: "list", Member: &model.Ref{ShapeName: "Str"}},
		"Map":  {Type: "map", Key: &model.Ref{ShapeName: "Str"}, Value: &model.Ref{ShapeName: "In"}},
		"Oops": {Type: "structure", Exception: true, Error: &model.ErrorTrait{HTTPStatusCode: 409},
			Members: model.Members{{ShapeName: "Str", Name: "Message"}, {ShapeName: "Int", Name: "Count"}}},
	}
	ops := map[string]*model.Operation{
		"Put":  {Input: &model.Ref{ShapeName: "In"}, Output: &model.Ref{ShapeName: "In"}},
		"Ping": {},
	}
	svc, err := model.Build(model.Metadata{Protocol: "json", JSONVersion: "1.1", TargetPrefix: "Tiny_20240101"}, ops, shapes)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestJSONDecodeValues(t *testing.T) {
	svc := tinyJSONService(t)
	cases := []struct {
		name, body string
		want       map[string]any
	}{
		{"an empty body is an empty input", ``, map[string]any{}},
		{"white space is an empty body", " \n", map[string]any{}},
		{"an empty object", `{}`, map[string]any{}},
		{"scalars", `{"Str":"a","Int":-7,"Long":9007199254740993,"Dbl":1.5,"Flt":-2e3,"Bool":false}`,
			map[string]any{"Str": "a", "Int": int64(-7), "Long": int64(9007199254740993), "Dbl": 1.5, "Flt": -2000.0, "Bool": false}},
		{"null members are absent", `{"Str":null,"Int":null,"List":null,"Nested":null}`, map[string]any{}},
		{"unknown members are ignored, whatever they hold", `{"Other":{"a":[1,{"b":null}]},"Str":"x","__type":"y"}`,
			map[string]any{"Str": "x"}},
		{"the last of duplicate members wins", `{"Str":"a","Str":"b","Int":1,"Int":null}`, map[string]any{"Str": "b"}},
		{"a decimal for an integer is truncated", `{"Int":1.9,"Long":-2.5e0}`, map[string]any{"Int": int64(1), "Long": int64(-2)}},
		{"floats spelled as strings", `{"Dbl":"NaN","Flt":"-Infinity"}`, map[string]any{"Dbl": math.NaN(), "Flt": math.Inf(-1)}},
		{"a string is true for a boolean", `{"Bool":"false"}`, map[string]any{"Bool": true}},
		{"epoch seconds with a fraction, to the millisecond", `{"Time":1576540098.1239}`,
			map[string]any{"Time": time.UnixMilli(1576540098123).UTC()}},
		{"negative epoch seconds", `{"Time":-1.5}`, map[string]any{"Time": time.UnixMilli(-1500).UTC()}},
		{"epoch seconds in exponent form", `{"Time":1.5765E9}`, map[string]any{"Time": time.Unix(1576500000, 0).UTC()}},
		{"an ISO 8601 member", `{"IsoTime":"2019-12-16T22:48:18-01:00"}`, map[string]any{"IsoTime": time.Unix(1576540098, 0).UTC()}},
		{"an ISO 8601 string where epoch seconds are the default", `{"Time":"2000-01-02T20:34:56.123Z"}`,
			map[string]any{"Time": time.UnixMilli(946845296123).UTC()}},
		{"base64 blobs, padded or not", `{"Blob":"Zm9vYg=="}`, map[string]any{"Blob": []byte("foob")}},
		{"unpadded base64", `{"Blob":"Zm9vYg"}`, map[string]any{"Blob": []byte("foob")}},
		{"documents keep their nulls", `{"Doc":{"a":[1,"x",null,true],"b":null}}`,
			map[string]any{"Doc": map[string]any{"a": []any{1.0, "x", nil, true}, "b": nil}}},
		{"a document may be a scalar", `{"Doc":"text"}`, map[string]any{"Doc": "text"}},
		{"null list elements are dropped, an empty list kept", `{"List":["a",null,"b"],"Nested":{"List":[]}}`,
			map[string]any{"List": []any{"a", "b"}, "Nested": map[string]any{"List": []any{}}}},
		{"maps of structures, null values dropped", `{"Map":{"k":{"Int":1},"n":null}}`,
			map[string]any{"Map": map[string]any{"k": map[string]any{"Int": int64(1)}}}},
		{"escapes and UTF-8", `{"Str":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é😀"}`, map[string]any{"Str": "\"\\/\b\f\n\r\té😀 é😀"}},
		{"escaped member names", `{"\u0053tr":"x"}`, map[string]any{"Str": "x"}},
		{"a lone surrogate becomes U+FFFD", `{"Str":"\ud800x"}`, map[string]any{"Str": "\ufffdx"}},
		{"members by their wire name", `{"wireName":"x","Renamed":"ignored"}`, map[string]any{"Renamed": "x"}},
	}
	codec := JSON()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op, got, err := codec.Decode(svc, jsonRequest("Tiny_20240101.Put", c.body), []byte(c.body))
			if err != nil {
				t.Fatalf("Decode(%s) failed: %v", c.body, err)
			}
			if op.Name != "Put" {
				t.Errorf("Decode(%s) found operation %s, want Put", c.body, op.Name)
			}
			if !equal(got, c.want) {
				t.Errorf("Decode(%s) = %s, want %s", c.body, show(got), show(c.want))
			}
		})
	}
}

func TestJSONDecodeOperationWithoutInput(t *testing.T) {
	svc := tinyJSONService(t)
	_, got, err := JSON().Decode(svc, jsonRequest("Tiny_20240101.Ping", `{"x":1}`), []byte(`{"x":1}`))
	if err != nil || len(got) != 0 {
		t.Errorf("Decode(Ping {\"x\":1}) = %v, %v; want an empty input", got, err)
	}
	_, _, err = JSON().Decode(svc, jsonRequest("Tiny_20240101.Ping", `{"x":}`), []byte(`{"x":}`))
	if !isMalformed(err, "") {
		t.Errorf("Decode(Ping {\"x\":}) = %v, want a SerializationException", err)
	}
}

func isMalformed(err error, msg string) bool {
	e, ok := err.(*awserr.Error)
	return ok && e.Kind == awserr.KindMalformedInput && e.Code == "SerializationException" && e.Message == msg
}

// TestJSONDecodeErrors checks AWS's answers to bodies that cannot be decoded, on SageMaker's real model.
func TestJSONDecodeErrors(t *testing.T) {
	svc := realService(t, "sagemaker")
	cases := []struct {
		name, op, body, message string
	}{
		{"a number for a string", "DescribeDomain", `{"DomainId": 1}`, "NUMBER_VALUE can not be converted to a String"},
		{"a decimal for a string", "DescribeDomain", `{"DomainId": 1.5}`, "NUMBER_VALUE can not be converted to a String"},
		{"true for a string", "DescribeDomain", `{"DomainId": true}`, "TRUE_VALUE can not be converted to a String"},
		{"false for a string", "DescribeDomain", `{"DomainId": false}`, "FALSE_VALUE can not be converted to a String"},
		{"an object for a string", "DescribeDomain", `{"DomainId": {"a": 1}}`, "Start of structure or map found where not expected."},
		{"an array for a string", "DescribeDomain", `{"DomainId": ["d-1"]}`, "Start of list found where not expected"},
		{"a string for an integer", "ListDomains", `{"MaxResults": "1"}`, "STRING_VALUE can not be converted to an Integer"},
		{"true for an integer", "ListDomains", `{"MaxResults": true}`, "TRUE_VALUE can not be converted to an Integer"},
		{"an integer beyond 64 bits", "ListDomains", `{"MaxResults": 99999999999999999999}`, ""},
		{"a string for a list", "CreateDomain", `{"SubnetIds": "subnet-1"}`, "Expected list or null"},
		{"a number for a list", "CreateDomain", `{"SubnetIds": 1}`, "Expected list or null"},
		{"an object for a list", "CreateDomain", `{"SubnetIds": {}}`, "Start of structure or map found where not expected."},
		{"a number in a list of strings", "CreateDomain", `{"SubnetIds": ["a", 1]}`, "NUMBER_VALUE can not be converted to a String"},
		{"a string for a structure", "CreateDomain", `{"DefaultUserSettings": "x"}`, "Expected null"},
		{"an array for a structure", "CreateDomain", `{"DefaultUserSettings": []}`, "Start of list found where not expected"},
		{"a number for a boolean", "CreateTrainingJob", `{"EnableNetworkIsolation": 1}`, "NUMBER_VALUE can not be converted to a Boolean"},
		{"an array for a map", "CreateTrainingJob", `{"Environment": []}`, "Start of list found where not expected"},
		{"a type error comes before a later syntax error", "DescribeDomain", `{"DomainId": 1, }`, "NUMBER_VALUE can not be converted to a String"},
		{"a body that is an array", "DescribeDomain", `[]`, "Start of list found where not expected"},
		{"a body that is null", "DescribeDomain", `null`, ""},
		{"a body that is a string", "DescribeDomain", `"x"`, ""},
		{"a body that is a number", "DescribeDomain", `1`, ""},
		{"an unfinished object", "DescribeDomain", `{`, ""},
		{"an unfinished string", "DescribeDomain", `{"DomainId": "d-1`, ""},
		{"a trailing comma", "DescribeDomain", `{"DomainId": "d-1",}`, ""},
		{"a missing colon", "DescribeDomain", `{"DomainId" "d-1"}`, ""},
		{"text after the object", "DescribeDomain", `{"DomainId": "d-1"} x`, ""},
		{"a bad literal", "DescribeDomain", `{"DomainId": tru}`, ""},
		{"a bad literal where a structure was expected", "CreateDomain", `{"DefaultUserSettings": nul}`, ""},
		{"a number with a leading zero", "ListDomains", `{"MaxResults": 01}`, ""},
		{"a bad escape", "DescribeDomain", `{"DomainId": "\x"}`, ""},
		{"a control character in a string", "DescribeDomain", "{\"DomainId\": \"a\tb\"}", ""},
		{"bytes that are not UTF-8", "DescribeDomain", "{\"DomainId\": \"\xff\"}", ""},
		{"single quotes", "DescribeDomain", `{'DomainId': 'd-1'}`, ""},
		{"nesting deeper than allowed", "DescribeDomain", `{"x":` + strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1) + `}`, ""},
	}
	codec := JSON()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := codec.Decode(svc, jsonRequest("SageMaker."+c.op, c.body), []byte(c.body))
			if !isMalformed(err, c.message) {
				t.Errorf("Decode(%s %s) = %v, want SerializationException %q", c.op, c.body, err, c.message)
			}
		})
	}
}

func TestJSONDecodeBlobsAndTimestampErrors(t *testing.T) {
	svc := tinyJSONService(t)
	for _, body := range []string{`{"Blob":"!!"}`, `{"Blob":1}`, `{"Time":"yesterday"}`, `{"Time":true}`,
		`{"Time":1e300}`, `{"IsoTime":"Sun, 02 Jan 2000 20:34:56 GMT"}`, `{"Map":{"k":1}}`, `{"Map":"x"}`} {
		_, _, err := JSON().Decode(svc, jsonRequest("Tiny_20240101.Put", body), []byte(body))
		if e, ok := err.(*awserr.Error); !ok || e.Kind != awserr.KindMalformedInput {
			t.Errorf("Decode(%s) = %v, want a SerializationException", body, err)
		}
	}
}

func TestJSONDecodeTooLarge(t *testing.T) {
	svc := tinyJSONService(t)
	body := make([]byte, maxJSONBody+1)
	_, _, err := JSON().Decode(svc, jsonRequest("Tiny_20240101.Put", ""), body)
	if e, ok := err.(*awserr.Error); !ok || e.Kind != awserr.KindMalformedInput || e.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("Decode(%d bytes) = %v, want a 413 SerializationException", len(body), err)
	}
}

func TestJSONDecodeUnknownOperation(t *testing.T) {
	svc := realService(t, "sagemaker")
	for _, target := range []string{"", "SageMaker.", "SageMaker.NoSuchThing", "SageMaker.describeDomain",
		"sagemaker.DescribeDomain", "Logs_20140328.DescribeDomain", "SageMakerDescribeDomain", "DescribeDomain"} {
		op, _, err := JSON().Decode(svc, jsonRequest(target, "{}"), []byte("{}"))
		e, ok := err.(*awserr.Error)
		if op != nil || !ok || e.Kind != awserr.KindUnknownOperation || e.Code != "UnknownOperationException" || e.Message != "" {
			t.Errorf("Decode(X-Amz-Target %q) = %v, %v; want a bare UnknownOperationException", target, op, err)
		}
	}
	op, _, err := JSON().Decode(svc, jsonRequest("SageMaker.DescribeDomain", `{"DomainId":"d-1"}`), []byte(`{"DomainId":"d-1"}`))
	if err != nil || op == nil || op.Name != "DescribeDomain" {
		t.Errorf("Decode(SageMaker.DescribeDomain) = %v, %v; want DescribeDomain", op, err)
	}
}

// TestJSONEncodeErrorKinds checks the code, status and message each kind gets.
func TestJSONEncodeErrorKinds(t *testing.T) {
	svc := realService(t, "sagemaker")
	cases := []struct {
		err    *awserr.Error
		status int
		body   string
	}{
		{awserr.Newf(awserr.KindMissingAuthentication, ""), 400,
			`{"__type":"MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`},
		{awserr.Newf(awserr.KindIncompleteSignature, "Authorization header requires 'Signature' parameter."), 400,
			`{"__type":"IncompleteSignatureException","message":"Authorization header requires 'Signature' parameter."}`},
		{awserr.Newf(awserr.KindUnknownAccessKey, ""), 400,
			`{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`},
		{awserr.Newf(awserr.KindSignatureMismatch, ""), 400,
			`{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`},
		{awserr.Newf(awserr.KindClockSkew, "Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T002500Z - 15 min.)"), 400,
			`{"__type":"InvalidSignatureException","message":"Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T002500Z - 15 min.)"}`},
		{awserr.Newf(awserr.KindExpiredToken, ""), 400,
			`{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`},
		{awserr.Newf(awserr.KindAccessDenied, "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sagemaker:CreateDomain"), 400,
			`{"__type":"AccessDeniedException","message":"User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sagemaker:CreateDomain"}`},
		{awserr.Newf(awserr.KindValidation, "Requested resource not found."), 400,
			`{"__type":"ValidationException","message":"Requested resource not found."}`},
		{awserr.Newf(awserr.KindMalformedInput, ""), 400, `{"__type":"SerializationException"}`},
		{awserr.Newf(awserr.KindUnknownOperation, ""), 400, `{"__type":"UnknownOperationException"}`},
		{awserr.Newf(awserr.KindNotImplemented, "sagebox does not implement CreateCluster yet"), 501,
			`{"__type":"NotImplemented","message":"sagebox does not implement CreateCluster yet"}`},
		{awserr.Internal(os.ErrClosed), 500, `{"__type":"InternalFailure"}`},
		// A modelled error: SageMaker names its message member "Message".
		{awserr.New("ResourceNotFound", "Domain d-xxxxxxxxxxxx not found"), 400,
			`{"__type":"ResourceNotFound","Message":"Domain d-xxxxxxxxxxxx not found"}`},
		{awserr.New("ResourceInUse", "busy").WithStatus(409), 409, `{"__type":"ResourceInUse","Message":"busy"}`},
		// An error the model does not have keeps Coral's "message", and its fields.
		{&awserr.Error{Code: "ThrottlingException", Message: "Rate exceeded", Fields: map[string]any{"b": int64(1), "a": "x"}}, 400,
			`{"__type":"ThrottlingException","message":"Rate exceeded","a":"x","b":1}`},
	}
	codec := JSON()
	for _, c := range cases {
		t.Run(c.err.Error(), func(t *testing.T) {
			rec := httptest.NewRecorder()
			codec.EncodeError(rec, svc, nil, c.err, Meta{RequestID: "r-1"})
			if rec.Code != c.status || rec.Body.String() != c.body {
				t.Errorf("EncodeError(%v) = %d %s, want %d %s", c.err, rec.Code, rec.Body, c.status, c.body)
			}
			var want struct{ Type string }
			want.Type = c.body[len(`{"__type":"`):]
			want.Type = want.Type[:strings.IndexByte(want.Type, '"')]
			if h := rec.Header(); h.Get("X-Amzn-ErrorType") != want.Type || h.Get("X-Amzn-RequestId") != "r-1" ||
				h.Get("Content-Type") != "application/x-amz-json-1.1" || h.Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("EncodeError(%v) headers = %v", c.err, h)
			}
		})
	}
}

// TestJSONEncodeErrorModelled checks the status and fields that come from the model's error shape.
func TestJSONEncodeErrorModelled(t *testing.T) {
	cases := []struct {
		name   string
		svc    *model.Service
		err    *awserr.Error
		status int
		body   string
	}{
		{"the shape's status, its message member and fields", tinyJSONService(t),
			&awserr.Error{Code: "Oops", Message: "no", Fields: map[string]any{"Count": int64(2), "Message": "ignored"}}, 409,
			`{"__type":"Oops","Message":"no","Count":2}`},
		{"the message from the fields when Message is empty", tinyJSONService(t),
			&awserr.Error{Code: "Oops", Fields: map[string]any{"Message": "from fields"}}, 409,
			`{"__type":"Oops","Message":"from fields"}`},
		{"a field of the wrong type is still written", tinyJSONService(t),
			&awserr.Error{Code: "Oops", Message: "m", Fields: map[string]any{"Count": "two"}}, 409,
			`{"__type":"Oops","Message":"m","Count":"two"}`},
		{"Logs' fault shapes answer 500", realService(t, "logs"),
			awserr.New("ServiceUnavailableException", "try later"), 500,
			`{"__type":"ServiceUnavailableException","message":"try later"}`},
		{"Logs' modelled fields", realService(t, "logs"),
			&awserr.Error{Code: "InvalidSequenceTokenException", Message: "The given sequenceToken is invalid.",
				Fields: map[string]any{"expectedSequenceToken": "49039"}}, 400,
			`{"__type":"InvalidSequenceTokenException","message":"The given sequenceToken is invalid.","expectedSequenceToken":"49039"}`},
		{"no service", nil, awserr.Newf(awserr.KindUnknownOperation, ""), 400, `{"__type":"UnknownOperationException"}`},
		{"a message that needs escaping", nil, awserr.New("X", "a \"b\"\n\x01 <é>"), 400,
			`{"__type":"X","message":"a \"b\"\n\u0001 <é>"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			JSON().EncodeError(rec, c.svc, nil, c.err, Meta{})
			if rec.Code != c.status || rec.Body.String() != c.body {
				t.Errorf("EncodeError(%v) = %d %s, want %d %s", c.err, rec.Code, rec.Body, c.status, c.body)
			}
		})
	}
}

func TestJSONEncodeErrorNil(t *testing.T) {
	rec := httptest.NewRecorder()
	JSON().EncodeError(rec, nil, nil, nil, Meta{})
	if rec.Code != 500 || rec.Body.String() != `{"__type":"InternalFailure"}` {
		t.Errorf("EncodeError(nil) = %d %s, want 500 InternalFailure", rec.Code, rec.Body)
	}
}

func TestJSONValidationError(t *testing.T) {
	svc := realService(t, "sagemaker")
	op := svc.Operations["DescribeDomain"]
	vs := Validate(op.Input, map[string]any{})
	e := JSON().ValidationError(vs)
	if e.Kind != awserr.KindValidation || e.Code != "ValidationException" || e.Status != 400 ||
		e.Message != "1 validation error detected: Value null at 'domainId' failed to satisfy constraint: Member must not be null" {
		t.Errorf("ValidationError(%v) = %#v", vs, e)
	}
	rec := httptest.NewRecorder()
	JSON().EncodeError(rec, svc, op, e, Meta{})
	want := `{"__type":"ValidationException","message":"1 validation error detected: Value null at 'domainId' failed to satisfy constraint: Member must not be null"}`
	if rec.Code != 400 || rec.Body.String() != want {
		t.Errorf("EncodeError(%v) = %d %s, want 400 %s", e, rec.Code, rec.Body, want)
	}
}

func TestJSONEncode(t *testing.T) {
	svc := tinyJSONService(t)
	op := svc.Operations["Put"]
	out := map[string]any{
		"Str": "x", "Int": int64(3), "Long": 9007199254740993, "Dbl": 1e7, "Flt": 1.2, "Bool": true,
		"Time": time.UnixMilli(946845296123).UTC(), "IsoTime": time.Unix(946845296, 0),
		"Blob": []byte("foob"), "Doc": map[string]any{"n": 123.0, "l": []any{nil, "s", 1.5}},
		"List": []any{"a", nil}, "Map": map[string]any{"z": map[string]any{}, "a": map[string]any{"Bool": false}},
		"Renamed": "w", "Nested": map[string]any{"Dbl": math.NaN(), "Flt": math.Inf(1), "Str": nil},
	}
	rec := httptest.NewRecorder()
	if err := JSON().Encode(rec, op, out, Meta{RequestID: "r"}); err != nil {
		t.Fatal(err)
	}
	want := `{"Str":"x","Int":3,"Long":9007199254740993,"Dbl":1.0E7,"Flt":1.2,"Bool":true,"Time":9.46845296123E8,` +
		`"IsoTime":"2000-01-02T20:34:56Z","Blob":"Zm9vYg==","Doc":{"l":[null,"s",1.5],"n":123},"List":["a",null],` +
		`"Map":{"a":{"Bool":false},"z":{}},"Nested":{"Dbl":"NaN","Flt":"Infinity"},"wireName":"w"}`
	if rec.Code != 200 || rec.Body.String() != want {
		t.Errorf("Encode = %d %s\nwant %s", rec.Code, rec.Body, want)
	}
}

func TestJSONEncodeEmpty(t *testing.T) {
	svc := tinyJSONService(t)
	for _, c := range []struct {
		op  string
		out map[string]any
	}{{"Ping", nil}, {"Ping", map[string]any{"x": 1}}, {"Put", nil}, {"Put", map[string]any{}}} {
		rec := httptest.NewRecorder()
		if err := JSON().Encode(rec, svc.Operations[c.op], c.out, Meta{}); err != nil || rec.Body.String() != "{}" {
			t.Errorf("Encode(%s, %v) = %s, %v; want {}", c.op, c.out, rec.Body, err)
		}
	}
}

func TestJSONEncodeRefusesWhatTheModelDoesNotHave(t *testing.T) {
	svc := tinyJSONService(t)
	op := svc.Operations["Put"]
	for _, out := range []map[string]any{
		{"Nope": "x"}, {"Str": 1}, {"Int": "1"}, {"Dbl": "x"}, {"Bool": 1}, {"Time": 1.5}, {"Blob": 1},
		{"List": "a"}, {"List": []any{1}}, {"Map": []any{}}, {"Nested": "x"}, {"Doc": struct{}{}},
		{"Map": map[string]any{"k": map[string]any{"Nope": 1}}},
	} {
		rec := httptest.NewRecorder()
		if err := JSON().Encode(rec, op, out, Meta{}); err == nil {
			t.Errorf("Encode(%s) wrote %s, want an error", show(out), rec.Body)
		} else if rec.Body.Len() != 0 {
			t.Errorf("Encode(%s) failed but wrote %s", show(out), rec.Body)
		}
	}
}

func TestJSONEpochSeconds(t *testing.T) {
	cases := []struct {
		text string
		ms   int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"1576540098", 1576540098000, true}, {"1576540098.1239", 1576540098123, true},
		{"-1.5", -1500, true}, {"-0.0009", 0, true}, {"1.5765E9", 1576500000000, true},
		{"9.46845296123E8", 946845296123, true}, {"946845296123e-3", 946845296123, true}, {"1e-4", 0, true},
		{"0.000000000000000000000000000000000000000000001", 0, true}, {"1E11", 1e14, true}, {"-1E11", -1e14, true},
		{"1.00000000001E11", 0, false}, {"1e101", 0, false}, {"123456789012345678901234567890123456789012", 0, false},
		{"", 0, false}, {"-", 0, false}, {"1.", 1000, true}, {"x", 0, false}, {"1e", 0, false},
	}
	for _, c := range cases {
		got, ok := epochSeconds([]byte(c.text))
		if ok != c.ok || ok && !got.Equal(time.UnixMilli(c.ms)) {
			t.Errorf("epochSeconds(%q) = %v, %v; want %v, %v", c.text, got.UnixMilli(), ok, c.ms, c.ok)
		}
	}
}

func TestJSONJavaFloats(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{0, 64, "0.0"}, {math.Copysign(0, -1), 64, "-0.0"}, {1, 64, "1.0"}, {-1234.5, 64, "-1234.5"},
		{0.001, 64, "0.001"}, {0.0001, 64, "1.0E-4"}, {-1.5e-5, 64, "-1.5E-5"}, {9999999, 64, "9999999.0"},
		{1e7, 64, "1.0E7"}, {1735442939.457, 64, "1.735442939457E9"}, {123456789.12345679, 64, "1.2345678912345679E8"},
		{1e21, 64, "1.0E21"}, {math.MaxFloat64, 64, "1.7976931348623157E308"}, {5e-324, 64, "4.9E-324"},
		{1.2, 32, "1.2"}, {float64(float32(0.1)), 32, "0.1"}, {1e40, 32, "1.0E40"},
	}
	for _, c := range cases {
		if got := string(appendJavaFloat(nil, c.f, c.bits)); got != c.want {
			t.Errorf("appendJavaFloat(%v, %d) = %s, want %s", c.f, c.bits, got, c.want)
		}
	}
}

// updateGolden reports whether the tests were run with -update, which the package's golden tests share (the flag
// is registered in xml_golden_test.go).
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenResponse renders a recorded response as the golden files hold it: status, sorted headers, body.
func goldenResponse(rec *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP " + strconv.Itoa(rec.Code) + "\n")
	keys := make([]string, 0, len(rec.Header()))
	for k := range rec.Header() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + strings.Join(rec.Header()[k], ", ") + "\n")
	}
	b.WriteString("\n")
	b.Write(rec.Body.Bytes())
	b.WriteString("\n")
	return b.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "json", name)
	if updateGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("response differs from %s:\n%s\nwant\n%s", path, got, want)
	}
}

// describeDomainOutput is a DescribeDomain answer as SageMaker gives it for a VPC-only IAM domain.
func describeDomainOutput() map[string]any {
	created := time.UnixMilli(1735442939457).UTC()
	return map[string]any{
		"DomainArn":            "arn:aws:sagemaker:us-east-1:000000000000:domain/d-abcdefghijkl",
		"DomainId":             "d-abcdefghijkl",
		"DomainName":           "studio",
		"HomeEfsFileSystemId":  "fs-0123456789abcdef0",
		"Status":               "InService",
		"CreationTime":         created,
		"LastModifiedTime":     created.Add(90*time.Second + 3*time.Millisecond),
		"AuthMode":             "IAM",
		"AppNetworkAccessType": "VpcOnly",
		"DefaultUserSettings": map[string]any{
			"ExecutionRole":  "arn:aws:iam::000000000000:role/service-role/AmazonSageMaker-ExecutionRole",
			"SecurityGroups": []any{"sg-0123456789abcdef0"},
		},
		"SubnetIds":                  []any{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
		"Url":                        "https://d-abcdefghijkl.studio.us-east-1.sagemaker.aws",
		"VpcId":                      "vpc-0123456789abcdef0",
		"AppSecurityGroupManagement": "Service",
	}
}

func TestJSONGoldenDescribeDomain(t *testing.T) {
	op := realService(t, "sagemaker").Operations["DescribeDomain"]
	rec := httptest.NewRecorder()
	if err := JSON().Encode(rec, op, describeDomainOutput(), Meta{RequestID: "0d4e5f6a-7b8c-4d9e-8f01-23456789abcd"}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "describe_domain.golden", goldenResponse(rec))
}

func TestJSONGoldenValidationException(t *testing.T) {
	svc := realService(t, "sagemaker")
	op := svc.Operations["CreateDomain"]
	in := map[string]any{"DomainName": "my_domain", "SubnetIds": []any{"subnet_1"}, "DefaultUserSettings": map[string]any{}}
	rec := httptest.NewRecorder()
	JSON().EncodeError(rec, svc, op, JSON().ValidationError(Validate(op.Input, in)), Meta{RequestID: "0d4e5f6a-7b8c-4d9e-8f01-23456789abce"})
	checkGolden(t, "validation_exception.golden", goldenResponse(rec))
}

func BenchmarkJSONDecode(b *testing.B) {
	svc := realService(b, "sagemaker")
	body := []byte(`{"DomainName":"studio","AuthMode":"IAM","DefaultUserSettings":{"ExecutionRole":` +
		`"arn:aws:iam::000000000000:role/sm","SecurityGroups":["sg-0123456789abcdef0"]},"SubnetIds":` +
		`["subnet-0123456789abcdef0","subnet-0123456789abcdef1"],"VpcId":"vpc-0123456789abcdef0",` +
		`"AppNetworkAccessType":"VpcOnly","Tags":[{"Key":"team","Value":"ml"}]}`)
	r := jsonRequest("SageMaker.CreateDomain", "")
	codec := JSON()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := codec.Decode(svc, r, body); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark measures the encoder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkJSONEncode(b *testing.B) {
	op := realService(b, "sagemaker").Operations["DescribeDomain"]
	out := describeDomainOutput()
	codec := JSON()
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := codec.Encode(w, op, out, Meta{RequestID: "0d4e5f6a-7b8c-4d9e-8f01-23456789abcd"}); err != nil {
			b.Fatal(err)
		}
	}
}
