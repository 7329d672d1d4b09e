package protocol

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// xmlFuzzCheckError fails unless err is an *awserr.Error that the codec answers with a client error: bad input
// never earns a 5xx.
func xmlFuzzCheckError(t *testing.T, codec Codec, svc *model.Service, err error, input string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("Decode(%q) = %T %v, want an *awserr.Error", input, err, err)
	}
	rec := httptest.NewRecorder()
	codec.EncodeError(rec, svc, nil, e, Meta{RequestID: "rid"})
	if rec.Code >= 500 {
		t.Fatalf("Decode(%q) = %v, answered %d, want a client error", input, e, rec.Code)
	}
}

// FuzzQueryDecode decodes fuzzed form parameters (URL query and body) as IAM (query) and EC2 requests.
func FuzzQueryDecode(f *testing.F) {
	iam := xmlService(f, "iam")
	ec2 := xmlService(f, "ec2")
	for _, seed := range [][2]string{
		{"", "Action=GetRole&Version=2010-05-08&RoleName=ml-execution"},
		{"Action=ListRoles&Version=2010-05-08", "MaxItems=10&Marker=abc%3D%3D&PathPrefix=%2F"},
		{"", "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key=k2"},
		{"", "Action=PutRolePolicy&Version=2010-05-08&RoleName=r&PolicyName=p&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D"},
		{"", "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-1&Filter.1.Name=tag%3AName&Filter.1.Value.1=x&DryRun=true"},
		{"", "Action=CreateTags&Version=2016-11-15&ResourceId.1=vpc-1&Tag.1.Key=Name&Tag.1.Value=x"},
		{"", "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0"},
		{"", "Action=CreateRole&Version=2010-05-08&Tags.member.9999999999.Key=a&Tags.member.-1.Key=b&Tags..member=c"},
		{"", "Action=GetRole&Version=2010-05-08&RoleName=%zz&&=&Action"},
	} {
		f.Add(seed[0], seed[1])
	}
	query, ec2Codec := Query(), EC2()
	f.Fuzz(func(t *testing.T, rawQuery, body string) {
		for _, tc := range []struct {
			codec Codec
			svc   *model.Service
		}{{query, iam}, {ec2Codec, ec2}} {
			r := httptest.NewRequest(http.MethodPost, "http://localhost/", nil)
			r.URL.RawQuery = rawQuery
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			op, input, err := tc.codec.Decode(tc.svc, r, []byte(body))
			if err != nil {
				xmlFuzzCheckError(t, tc.codec, tc.svc, err, rawQuery+" "+body)
				continue
			}
			if op == nil || input == nil {
				t.Fatalf("Decode(%q %q) = %v, %v, nil error, want an operation and an input", rawQuery, body, op, input)
			}
		}
	})
}

// FuzzXMLDecode parses fuzzed documents and decodes them into S3 request payloads and an IAM response shape.
func FuzzXMLDecode(f *testing.F) {
	s3 := xmlService(f, "s3")
	iam := xmlService(f, "iam")
	shapes := []*model.Shape{
		s3.Shapes["Tagging"], s3.Shapes["Delete"], s3.Shapes["CreateBucketConfiguration"],
		s3.Shapes["BucketLifecycleConfiguration"], s3.Shapes["AccessControlPolicy"], iam.Shapes["GetRoleResponse"],
	}
	for _, seed := range []string{
		`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<Delete><Object><Key>a</Key><VersionId>1</VersionId></Object><Object><Key>b</Key></Object><Quiet>true</Quiet></Delete>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`,
		`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>x</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<GetRoleResult><Role><RoleName>r</RoleName><CreateDate>2024-01-01T00:00:00Z</CreateDate><MaxSessionDuration>3600</MaxSessionDuration><Tags><member><Key>k</Key></member></Tags></Role></GetRoleResult>`,
		`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;&#xD;<![CDATA[c]]></x>`,
		`<a><b><c><d/></c></b></a><e/>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := xmlParse(data)
		if err != nil {
			return
		}
		r := xmlReader{&xmlIndexes{}}
		for _, s := range shapes {
			if _, err := r.structure(s, root); err != nil {
				var e *awserr.Error
				if !errors.As(err, &e) || e.Kind != awserr.KindMalformedInput {
					t.Fatalf("decoding %q as %s = %v, want a MalformedInput error", data, s.Name, err)
				}
			}
		}
	})
}

// FuzzRestXMLDecode decodes fuzzed S3 requests: method, target (path and query), a header and a body.
func FuzzRestXMLDecode(f *testing.F) {
	s3 := xmlService(f, "s3")
	for _, seed := range []struct {
		method        uint8
		target, hname string
		hvalue, body  string
	}{
		{0, "/models/a/b.txt", "Range", "bytes=0-10", ""},
		{1, "/models/a/b.txt?partNumber=1&uploadId=u", "x-amz-meta-owner", "alice", "data"},
		{1, "/models?tagging", "Content-MD5", "abc", `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`},
		{2, "/models?delete", "x-amz-bypass-governance-retention", "true", `<Delete><Object><Key>a</Key></Object></Delete>`},
		{0, "/models?list-type=2&max-keys=5&start-after=%2F&fetch-owner=true", "x-amz-request-payer", "requester", ""},
		{4, "/models/k", "If-Modified-Since", "Sun, 25 Jan 2015 08:00:00 GMT", ""},
		{1, "/models/k", "x-amz-copy-source", "/src/k%20x", ""},
		{0, "/models/k?x-id=GetObject&response-expires=1422172800", "x-amz-checksum-mode", "ENABLED", ""},
	} {
		f.Add(seed.method, seed.target, seed.hname, seed.hvalue, []byte(seed.body))
	}
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead, "PATCH"}
	codec := RestXML()
	f.Fuzz(func(t *testing.T, method uint8, target, hname, hvalue string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		r, err := http.NewRequest(methods[int(method)%len(methods)], "http://localhost"+target, nil)
		if err != nil {
			return
		}
		if hname != "" && !strings.ContainsAny(hname, " \t\r\n:") {
			r.Header.Set(hname, hvalue)
		}
		op, input, err := codec.Decode(s3, r, body)
		if err != nil {
			xmlFuzzCheckError(t, codec, s3, err, r.Method+" "+target)
			return
		}
		if op == nil || input == nil {
			t.Fatalf("Decode(%s %s) = %v, %v, nil error, want an operation and an input", r.Method, target, op, input)
		}
	})
}
