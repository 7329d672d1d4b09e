package server

import (
	"net/http"
	"net/url"
	"testing"
)

func TestVirtualHostToPath(t *testing.T) {
	cases := []struct{ host, path, want string }{
		{"127.0.0.1:4566", "/bucket/key", "/bucket/key"},
		{"localhost:4566", "/bucket/key", "/bucket/key"},
		{"data.localhost:4566", "/models/m.tar.gz", "/data/models/m.tar.gz"},
		{"data.s3.localhost:4566", "/", "/data"},
		{"data.s3.us-east-1.amazonaws.com", "/a%20b", "/data/a b"},
		{"data.s3-eu-west-1.amazonaws.com", "/k", "/data/k"},
		{"s3.us-east-1.amazonaws.com", "/data/k", "/data/k"},
	}
	for _, c := range cases {
		u, err := url.Parse("http://" + c.host + c.path)
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Host: c.host, URL: u}
		virtualHostToPath(r)
		if r.URL.Path != c.want {
			t.Errorf("virtualHostToPath(%s%s) = %s, want %s", c.host, c.path, r.URL.Path, c.want)
		}
	}
}
