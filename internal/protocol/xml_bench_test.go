package protocol

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// xmlDiscard is a ResponseWriter that keeps headers and throws the body away, as cheaply as a server's would.
type xmlDiscard struct{ h http.Header }

func (w *xmlDiscard) Header() http.Header         { return w.h }
func (w *xmlDiscard) Write(b []byte) (int, error) { return len(b), nil }
func (w *xmlDiscard) WriteHeader(int)             {}

func BenchmarkQueryDecode(b *testing.B) {
	iam := xmlService(b, "iam")
	body := []byte("Action=GetRole&Version=2010-05-08&RoleName=ml-execution")
	r := httptest.NewRequest(http.MethodPost, "http://localhost:4566/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	c := Query()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Decode(iam, r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryEncode(b *testing.B) {
	sts := xmlService(b, "sts")
	op := sts.Operations["GetCallerIdentity"]
	out := map[string]any{
		"UserId":  "AIDACKCEVSQ6C2EXAMPLE",
		"Account": "000000000000",
		"Arn":     "arn:aws:iam::000000000000:user/alice",
	}
	meta := Meta{RequestID: "9f8c2c1e-6b2a-4c1f-9a51-3c0d7e1b2a44"}
	w := &xmlDiscard{h: http.Header{}}
	c := Query()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Encode(w, op, out, meta); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEC2Decode(b *testing.B) {
	ec2 := xmlService(b, "ec2")
	body := []byte("Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0a1b2c3d4e5f60718&Filter.1.Name=tag%3AName&Filter.1.Value.1=studio")
	r := httptest.NewRequest(http.MethodPost, "http://localhost:4566/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	c := EC2()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Decode(ec2, r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEC2Encode(b *testing.B) {
	ec2 := xmlService(b, "ec2")
	op := ec2.Operations["DescribeVpcs"]
	vpc := map[string]any{
		"VpcId": "vpc-0a1b2c3d4e5f60718", "State": "available", "CidrBlock": "10.0.0.0/16", "IsDefault": false,
		"OwnerId": "000000000000", "Tags": []any{map[string]any{"Key": "Name", "Value": "studio"}},
	}
	out := map[string]any{"Vpcs": []any{vpc, vpc}}
	w := &xmlDiscard{h: http.Header{}}
	c := EC2()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Encode(w, op, out, Meta{RequestID: "rid"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRestXMLDecode(b *testing.B) {
	s3 := xmlService(b, "s3")
	r := httptest.NewRequest(http.MethodGet, "http://localhost:4566/models/runs/1/model.tar.gz", strings.NewReader(""))
	c := RestXML()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Decode(s3, r, nil); err != nil {
			b.Fatal(err)
		}
	}
}
