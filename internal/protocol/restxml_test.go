package protocol

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/awserr"
)

func TestRestXMLRoutesS3(t *testing.T) {
	s3 := xmlService(t, "s3")
	copySource := map[string]string{"x-amz-copy-source": "/src/key"}
	tests := []struct {
		method, target string
		header         map[string]string
		want           string
	}{
		{"GET", "/", nil, "ListBuckets"},
		{"GET", "/?max-directory-buckets=5", nil, "ListDirectoryBuckets"},
		{"PUT", "/models", nil, "CreateBucket"},
		{"HEAD", "/models", nil, "HeadBucket"},
		{"DELETE", "/models", nil, "DeleteBucket"},
		{"GET", "/models", nil, "ListObjects"},
		{"GET", "/models/", nil, "ListObjects"},
		{"GET", "/models?list-type=2&prefix=a", nil, "ListObjectsV2"},
		{"GET", "/models?list-type=3", nil, "ListObjects"},
		{"GET", "/models?location", nil, "GetBucketLocation"},
		{"GET", "/models?lifecycle", nil, "GetBucketLifecycleConfiguration"},
		{"GET", "/models?tagging", nil, "GetBucketTagging"},
		{"PUT", "/models?policy", nil, "PutBucketPolicy"},
		{"GET", "/models?uploads", nil, "ListMultipartUploads"},
		{"GET", "/models?versions", nil, "ListObjectVersions"},
		{"POST", "/models?delete", nil, "DeleteObjects"},
		{"GET", "/models/a/b.txt", nil, "GetObject"},
		{"HEAD", "/models/a/b.txt", nil, "HeadObject"},
		{"GET", "/models/a/b.txt?tagging", nil, "GetObjectTagging"},
		{"GET", "/models/a/b.txt?uploadId=u1", nil, "ListParts"},
		{"PUT", "/models/a/b.txt", nil, "PutObject"},
		{"PUT", "/models/a/b.txt", copySource, "CopyObject"},
		{"PUT", "/models/a/b.txt?partNumber=1&uploadId=u1", nil, "UploadPart"},
		{"PUT", "/models/a/b.txt?partNumber=1&uploadId=u1", copySource, "UploadPartCopy"},
		{"PUT", "/models/a/b.txt?x-id=PutObject", nil, "PutObject"},
		{"POST", "/models/a/b.txt?uploads", nil, "CreateMultipartUpload"},
		{"POST", "/models/a/b.txt?uploadId=u1", nil, "CompleteMultipartUpload"},
		{"DELETE", "/models/a/b.txt?uploadId=u1", nil, "AbortMultipartUpload"},
		{"DELETE", "/models/a/b.txt", nil, "DeleteObject"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://localhost"+tt.target, nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			op, _, err := RestXML().Decode(s3, r, nil)
			if err != nil {
				t.Fatalf("Decode(%s %s) = %v, want %s", tt.method, tt.target, err, tt.want)
			}
			if op.Name != tt.want {
				t.Errorf("Decode(%s %s) = %s, want %s", tt.method, tt.target, op.Name, tt.want)
			}
		})
	}
}

func TestRestXMLDecodeErrors(t *testing.T) {
	s3 := xmlService(t, "s3")
	tests := []struct {
		name, method, target, body string
		status                     int
		code                       string
	}{
		{"no operation for the method", "PATCH", "/models", "", 405, "MethodNotAllowed"},
		{"malformed XML", "PUT", "/models?tagging", "<Tagging><TagSet>", 400, "MalformedXML"},
		{"XML nested too deeply", "PUT", "/models?tagging", strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), 400, "MalformedXML"},
		{"two root elements", "PUT", "/models?tagging", "<Tagging/><Tagging/>", 400, "MalformedXML"},
		{"an integer that is not", "GET", "/models?list-type=2&max-keys=ten", "", 400, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://localhost/", nil)
			r.Method = tt.method
			r.URL.RawQuery = ""
			if path, query, ok := strings.Cut(tt.target, "?"); ok {
				r.URL.Path, r.URL.RawPath, r.URL.RawQuery = path, path, query
			} else {
				r.URL.Path, r.URL.RawPath = tt.target, tt.target
			}
			_, _, err := RestXML().Decode(s3, r, []byte(tt.body))
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%s %s) = %v, want an *awserr.Error", tt.method, tt.target, err)
			}
			rec := httptest.NewRecorder()
			RestXML().EncodeError(rec, s3, nil, e, Meta{RequestID: "rid"})
			p, perr := xmlClientParse("rest-xml", s3, s3.Operations["GetObject"], rec.Code, rec.Header(), rec.Body.Bytes())
			if perr != nil {
				t.Fatal(perr)
			}
			if rec.Code != tt.status || p.code != tt.code {
				t.Errorf("Decode(%s %s) answered %d %s, want %d %s", tt.method, tt.target, rec.Code, rec.Body.String(), tt.status, tt.code)
			}
			if strings.Contains(rec.Body.String(), "XML syntax error") {
				t.Errorf("the error response %s carries the parser's text, which is only logged", rec.Body.String())
			}
		})
	}
}

func TestRestXMLErrorKinds(t *testing.T) {
	s3 := xmlService(t, "s3")
	tests := []struct {
		err    *awserr.Error
		status int
		code   string
	}{
		{awserr.Newf(awserr.KindMissingAuthentication, ""), 403, "AccessDenied"},
		{awserr.Newf(awserr.KindUnknownAccessKey, ""), 403, "InvalidAccessKeyId"},
		{awserr.Newf(awserr.KindSignatureMismatch, ""), 403, "SignatureDoesNotMatch"},
		{awserr.Newf(awserr.KindClockSkew, ""), 403, "RequestTimeTooSkewed"},
		{awserr.Newf(awserr.KindExpiredToken, ""), 400, "ExpiredToken"},
		{awserr.Newf(awserr.KindIncompleteSignature, ""), 400, "AuthorizationHeaderMalformed"},
		{awserr.Internal(nil), 500, "InternalError"},
		{awserr.New("NoSuchKey", "The specified key does not exist."), 404, "NoSuchKey"},
		{awserr.New("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it."), 409, "BucketAlreadyOwnedByYou"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			rec := httptest.NewRecorder()
			RestXML().EncodeError(rec, s3, nil, tt.err, Meta{RequestID: "rid"})
			p, err := xmlClientParse("rest-xml", s3, s3.Operations["GetObject"], rec.Code, rec.Header(), rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || p.code != tt.code || p.message == "" {
				t.Errorf("EncodeError(%v) = %d %q %q, want %d %q and a message", tt.err, rec.Code, p.code, p.message, tt.status, tt.code)
			}
			if rec.Header().Get("x-amz-request-id") != "rid" {
				t.Errorf("EncodeError(%v) x-amz-request-id = %q, want rid", tt.err, rec.Header().Get("x-amz-request-id"))
			}
		})
	}
}

func TestRestXMLValidationError(t *testing.T) {
	s3 := xmlService(t, "s3")
	acl := s3.Shapes["PutObjectRequest"].MemberNamed("ACL")
	e := RestXML().ValidationError([]Violation{{Path: "aCL", Ref: acl, Value: "open", Constraint: "Member must satisfy enum value set: [private, public-read]"}})
	if e.Code != "InvalidArgument" || e.Fields["ArgumentName"] != "x-amz-acl" || e.Fields["ArgumentValue"] != "open" {
		t.Errorf("ValidationError(ACL open) = %q %v, want InvalidArgument naming x-amz-acl and open", e.Code, e.Fields)
	}
	rec := httptest.NewRecorder()
	RestXML().EncodeError(rec, s3, nil, e, Meta{RequestID: "rid"})
	if body := rec.Body.String(); rec.Code != 400 || !strings.Contains(body, "<ArgumentName>x-amz-acl</ArgumentName><ArgumentValue>open</ArgumentValue>") {
		t.Errorf("EncodeError(ValidationError(ACL open)) = %d %s, want 400 with ArgumentName and ArgumentValue", rec.Code, body)
	}
}

func TestRestXMLSplitHeader(t *testing.T) {
	tests := []struct {
		in    string
		dates bool
		want  []string
	}{
		{"a, b,c", false, []string{"a", "b", "c"}},
		{` "a, b" , "c\"d" ,e`, false, []string{"a, b", `c"d`, "e"}},
		{"Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT", true,
			[]string{"Mon, 16 Dec 2019 23:48:18 GMT", "Tue, 17 Dec 2019 23:48:18 GMT"}},
		{"   ", false, nil},
	}
	for _, tt := range tests {
		got := rxSplitHeader(tt.in, tt.dates)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("rxSplitHeader(%q, %v) = %q, want %q", tt.in, tt.dates, got, tt.want)
		}
	}
}
