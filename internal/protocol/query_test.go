package protocol

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://iam.amazonaws.com/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func TestQueryDecodeErrors(t *testing.T) {
	iam := xmlService(t, "iam")
	tests := []struct {
		name, body string
		kind       awserr.Kind
		code, msg  string
	}{
		{"no action", "Version=2010-05-08&RoleName=x", awserr.KindUnknownOperation, "MissingAction", "Missing Action"},
		{"unknown action", "Action=GetRoles&Version=2010-05-08", awserr.KindUnknownOperation, "",
			"Could not find operation GetRoles for version 2010-05-08"},
		{"other version", "Action=GetRole&Version=2011-06-15&RoleName=x", awserr.KindUnknownOperation, "",
			"Could not find operation GetRole for version 2011-06-15"},
		{"no version", "Action=GetRole&RoleName=x", awserr.KindUnknownOperation, "",
			"Could not find operation GetRole for version "},
		{"integer that is not", "Action=ListRoles&Version=2010-05-08&MaxItems=ten", awserr.KindMalformedInput, "", ""},
		{"integer out of range", "Action=ListRoles&Version=2010-05-08&MaxItems=4294967296", awserr.KindMalformedInput, "", ""},
		{"list position that is not a number", "Action=CreateRole&Version=2010-05-08&Tags.member.first.Key=a",
			awserr.KindMalformedInput, "", ""},
		{"list position zero", "Action=CreateRole&Version=2010-05-08&Tags.member.0.Key=a", awserr.KindMalformedInput, "", ""},
		{"bad percent escape", "Action=GetRole&Version=2010-05-08&RoleName=%zz", awserr.KindMalformedInput, "", ""},
		{"name with too many parts", "Action=CreateRole&Version=2010-05-08&Tags" + strings.Repeat(".member.1", 40) + "=x",
			awserr.KindMalformedInput, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Query().Decode(iam, formRequest(tt.body), []byte(tt.body))
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%q) = %v, want an *awserr.Error of kind %v", tt.body, err, tt.kind)
			}
			if e.Kind != tt.kind || e.Code != tt.code || (tt.msg != "" && e.Message != tt.msg) {
				t.Errorf("Decode(%q) = %v %q %q, want %v %q %q", tt.body, e.Kind, e.Code, e.Message, tt.kind, tt.code, tt.msg)
			}
		})
	}
}

func TestQueryDecodeValues(t *testing.T) {
	sts := xmlService(t, "sts")
	iam := xmlService(t, "iam")
	tests := []struct {
		name   string
		svc    string
		method string
		target string
		ctype  string
		body   string
		want   string
	}{
		{"items out of order and with gaps", "iam", "POST", "/", "",
			"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D" +
				"&Tags.member.3.Key=c&Tags.member.3.Value=3&Tags.member.1.Key=a&Tags.member.1.Value=1",
			`{AssumeRolePolicyDocument: "{}", RoleName: "r", Tags: [{Key: "a", Value: "1"}, {Key: "c", Value: "3"}]}`},
		{"plus is a space, unknown parameters are ignored", "iam", "POST", "/", "application/x-www-form-urlencoded",
			"Action=GetRole&Version=2010-05-08&RoleName=a+b&Unknown.member.1=x&RoleName.x=y",
			`{RoleName: "a b"}`},
		{"parameters in the URL of a POST", "sts", "POST", "/?Action=GetCallerIdentity&Version=2011-06-15", "", "",
			`{}`},
		{"presigned URL parameters are not members", "sts", "GET",
			"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc", "", "",
			`{}`},
		{"a JSON body is not a form", "sts", "POST", "/?Action=GetCallerIdentity&Version=2011-06-15", "application/json",
			`{"Action":"AssumeRole"}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := iam
			if tt.svc == "sts" {
				svc = sts
			}
			r := httptest.NewRequest(tt.method, "http://localhost"+tt.target, strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			_, got, err := Query().Decode(svc, r, []byte(tt.body))
			if err != nil {
				t.Fatalf("Decode(%s %s %q) = %v", tt.method, tt.target, tt.body, err)
			}
			if show(got) != tt.want {
				t.Errorf("Decode(%s %s %q) = %s, want %s", tt.method, tt.target, tt.body, show(got), tt.want)
			}
		})
	}
}

func TestXMLParseTimeAcceptsAWSForms(t *testing.T) {
	want := time.Date(2015, 1, 25, 8, 0, 0, 0, time.UTC)
	for _, in := range []string{
		"2015-01-25T08:00:00Z", "2015-01-25T08:00:00.000Z", "2015-01-25T09:00:00+01:00", "1422172800",
		"1422172800.000", "Sun, 25 Jan 2015 08:00:00 GMT",
	} {
		got, ok := xmlParseTime(in, xmlTimeISO8601)
		if !ok || !got.Equal(want) {
			t.Errorf("xmlParseTime(%q) = %v, %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yesterday", "2015-01-25", "1422172800.", "1e9", "--1"} {
		if got, ok := xmlParseTime(in, xmlTimeISO8601); ok {
			t.Errorf("xmlParseTime(%q) = %v, want no time", in, got)
		}
	}
	if got, ok := xmlParseTime("946845296.123", xmlTimeUnix); !ok || got.UnixMilli() != 946845296123 {
		t.Errorf("xmlParseTime(946845296.123) = %v, want 946845296.123 exactly", got)
	}
}

func TestQueryErrorKinds(t *testing.T) {
	iam := xmlService(t, "iam")
	tests := []struct {
		err          *awserr.Error
		status       int
		code, typ    string
		messageMatch string
	}{
		{awserr.Newf(awserr.KindMissingAuthentication, ""), 403, "MissingAuthenticationToken", "Sender", "Request is missing Authentication Token"},
		{awserr.Newf(awserr.KindUnknownAccessKey, ""), 403, "InvalidClientTokenId", "Sender", "The security token included in the request is invalid."},
		{awserr.Newf(awserr.KindSignatureMismatch, ""), 403, "SignatureDoesNotMatch", "Sender", "The request signature we calculated does not match"},
		{awserr.Newf(awserr.KindClockSkew, "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)"),
			403, "SignatureDoesNotMatch", "Sender", "Signature expired: 20240101T000000Z"},
		{awserr.Newf(awserr.KindExpiredToken, ""), 403, "ExpiredToken", "Sender", "The security token included in the request is expired"},
		{awserr.Newf(awserr.KindUnknownOperation, "Could not find operation X for version Y"), 400, "InvalidAction", "Sender", "Could not find operation X"},
		{awserr.Newf(awserr.KindValidation, "1 validation error detected: x"), 400, "ValidationError", "Sender", "1 validation error"},
		{awserr.Internal(errors.New("disk on fire")), 500, "InternalFailure", "Receiver", "The request processing has failed"},
		{awserr.New("NoSuchEntity", "The role with name x cannot be found."), 404, "NoSuchEntity", "Sender", "The role with name x"},
		{awserr.New("EntityAlreadyExists", "Role with name x already exists."), 409, "EntityAlreadyExists", "Sender", "Role with name"},
		{awserr.New("NoSuchEntity", "gone").WithStatus(410), 410, "NoSuchEntity", "Sender", "gone"},
		{awserr.New("SomethingNew", "n"), 400, "SomethingNew", "Sender", "n"},
		{&awserr.Error{}, 500, "InternalFailure", "Receiver", ""},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			rec := httptest.NewRecorder()
			Query().EncodeError(rec, iam, nil, tt.err, Meta{RequestID: "rid"})
			p, err := xmlClientParse("query", iam, iam.Operations["GetRole"], rec.Code, rec.Header(), rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			body := rec.Body.String()
			if rec.Code != tt.status || p.code != tt.code || !strings.Contains(body, "<Type>"+tt.typ+"</Type>") ||
				!strings.HasPrefix(p.message, tt.messageMatch) {
				t.Errorf("EncodeError(%v) = %d %s, want %d %s %s %q…", tt.err, rec.Code, body, tt.status, tt.code, tt.typ, tt.messageMatch)
			}
			if strings.Contains(body, "disk on fire") {
				t.Errorf("EncodeError(%v) sent the detail of an internal failure: %s", tt.err, body)
			}
			if got := rec.Header().Get("x-amzn-RequestId"); got != "rid" || !strings.Contains(body, "<RequestId>rid</RequestId>") {
				t.Errorf("EncodeError(%v) request id header %q, body %s, want rid in both", tt.err, got, body)
			}
		})
	}
}

func TestQueryEncodeOperationWithoutOutput(t *testing.T) {
	iam := xmlService(t, "iam")
	rec := httptest.NewRecorder()
	if err := Query().Encode(rec, iam.Operations["DeleteRole"], nil, Meta{RequestID: "rid"}); err != nil {
		t.Fatal(err)
	}
	want := "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <ResponseMetadata>\n" +
		"    <RequestId>rid</RequestId>\n  </ResponseMetadata>\n</DeleteRoleResponse>\n"
	if rec.Body.String() != want || rec.Header().Get("Content-Type") != "text/xml" {
		t.Errorf("Encode(DeleteRole) = %q (%s), want %q (text/xml)", rec.Body.String(), rec.Header().Get("Content-Type"), want)
	}
}

func TestQueryEncodeRejectsValuesOfTheWrongType(t *testing.T) {
	sts := xmlService(t, "sts")
	rec := httptest.NewRecorder()
	err := Query().Encode(rec, sts.Operations["GetCallerIdentity"], map[string]any{"Account": 12}, Meta{})
	if err == nil {
		t.Errorf("Encode(GetCallerIdentity, Account: 12) = nil error, want an error (Account is a string)")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("Encode of a bad value wrote %q, want nothing written", rec.Body.String())
	}
}

func TestXMLEscapeAsAWS(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`<a href="x">&'`, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"},
		{"line\r\nbreak\ttab", "line&#xD;&#xA;break&#x9;tab"},
		{"nel\u0085ls\u2028", "nel&#x85;ls&#x2028;"},
		{"bell\x07bad\xffutf8", "bell\uFFFDbad\uFFFDutf8"},
		{"ünïcødé ✓", "ünïcødé ✓"},
	}
	for _, tt := range tests {
		if got := string(xmlAppendEscaped(nil, tt.in)); got != tt.want {
			t.Errorf("xmlAppendEscaped(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestXMLFormatTime(t *testing.T) {
	ts := time.Date(2000, 1, 2, 20, 34, 56, 123_456_789, time.UTC)
	whole := time.Date(2000, 1, 2, 20, 34, 56, 0, time.FixedZone("X", 3600))
	tests := []struct {
		t      time.Time
		format string
		millis bool
		want   string
	}{
		{ts, xmlTimeISO8601, false, "2000-01-02T20:34:56.123Z"},
		{whole, xmlTimeISO8601, false, "2000-01-02T19:34:56Z"},
		{whole, xmlTimeISO8601, true, "2000-01-02T19:34:56.000Z"},
		{ts, xmlTimeUnix, false, "946845296.123"},
		{whole, xmlTimeUnix, false, "946841696"},
		{ts, xmlTimeRFC822, false, "Sun, 02 Jan 2000 20:34:56 GMT"},
	}
	for _, tt := range tests {
		if got := xmlFormatTime(tt.t, tt.format, tt.millis); got != tt.want {
			t.Errorf("xmlFormatTime(%v, %s, %v) = %q, want %q", tt.t, tt.format, tt.millis, got, tt.want)
		}
	}
}

func TestFormDecodeRejectsBadScalars(t *testing.T) {
	shapes := map[string]*model.Shape{
		"In": {Type: "structure", Members: model.Members{
			{Name: "Data", ShapeName: "Blob"}, {Name: "When", ShapeName: "Time"}, {Name: "Ratio", ShapeName: "Double"},
			{Name: "Flag", ShapeName: "Bool"}, {Name: "Small", ShapeName: "Byte"},
		}},
		"Blob": {Type: "blob"}, "Time": {Type: "timestamp"}, "Double": {Type: "double"}, "Bool": {Type: "boolean"},
		"Byte": {Type: "byte"},
	}
	op := &model.Operation{Name: "Op", Input: &model.Ref{ShapeName: "In"}}
	svc, err := model.Build(model.Metadata{APIVersion: "2020-01-01", Protocol: "query"}, map[string]*model.Operation{"Op": op}, shapes)
	if err != nil {
		t.Fatal(err)
	}
	for _, param := range []string{
		"Data=not%20base64!", "When=yesterday", "When=2020-13-01T00:00:00Z", "Ratio=1e", "Ratio=inf", "Ratio=0x10",
		"Flag=TRUE", "Flag=1", "Small=128",
	} {
		for _, codec := range []Codec{Query(), EC2()} {
			body := "Action=Op&Version=2020-01-01&" + param
			_, _, err := codec.Decode(svc, formRequest(body), []byte(body))
			var e *awserr.Error
			if !errors.As(err, &e) || e.Kind != awserr.KindMalformedInput {
				t.Errorf("%s Decode(%q) = %v, want a MalformedInput error", codec.Name(), param, err)
			}
		}
	}
	body := "Action=Op&Version=2020-01-01&Data=aGk%3D&When=1422172800&Ratio=-Infinity&Flag=false&Small=-128"
	_, in, err := Query().Decode(svc, formRequest(body), []byte(body))
	want := `{Data: b64:aGk=, Flag: false(bool), Ratio: -Inf(float64), Small: -128(int64), When: 2015-01-25T08:00:00Z}`
	if err != nil || show(in) != want {
		t.Errorf("Decode(%q) = %s, %v, want %s", body, show(in), err, want)
	}
}
