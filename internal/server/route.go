package server

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/protocol"
	"github.com/sagebox/sagebox/internal/sigv4"
)

// service is one served service as the router sees it.
type service struct {
	name     string
	codec    protocol.Codec
	handlers *api.ServiceHandlers
	// unserved names the service a request was signed for when sagebox does not serve it; the request is then
	// answered in the protocol of the fallback service.
	unserved string
}

// router picks the service a request is for: by the service its signature is scoped to, else (an unsigned
// request, which authentication will refuse in the right protocol) by the json target prefix, the query/ec2 API
// version, and lastly S3, whose REST requests carry neither.
type router struct {
	bySigning map[string]*service
	byTarget  map[string]*service
	byVersion map[string]*service
	fallback  *service
}

func newRouter(models *model.Set, handlers []*api.ServiceHandlers) (*router, error) {
	rt := &router{bySigning: map[string]*service{}, byTarget: map[string]*service{}, byVersion: map[string]*service{}}
	for _, h := range handlers {
		meta, ok := models.Metadata(h.Name)
		if !ok {
			return nil, fmt.Errorf("server: no model for service %q", h.Name)
		}
		codec, err := codecFor(meta.Protocol)
		if err != nil {
			return nil, fmt.Errorf("server: %s: %w", h.Name, err)
		}
		svc := &service{name: h.Name, codec: codec, handlers: h}
		rt.bySigning[meta.Signing()] = svc
		switch meta.Protocol {
		case "json":
			rt.byTarget[meta.TargetPrefix] = svc
		case "query", "ec2":
			rt.byVersion[meta.APIVersion] = svc
		case "rest-xml":
			rt.fallback = svc
		}
	}
	if rt.fallback == nil {
		// Without S3, unsigned requests that name nothing are answered in the first service's protocol.
		for _, svc := range rt.bySigning {
			rt.fallback = svc
			break
		}
	}
	if rt.fallback == nil {
		return nil, fmt.Errorf("server: no services")
	}
	return rt, nil
}

func codecFor(name string) (protocol.Codec, error) {
	switch name {
	case "query":
		return protocol.Query(), nil
	case "ec2":
		return protocol.EC2(), nil
	case "json":
		return protocol.JSON(), nil
	case "rest-xml":
		return protocol.RestXML(), nil
	}
	return nil, fmt.Errorf("protocol %q is not supported", name)
}

func (rt *router) route(r *http.Request, sig *sigv4.Signed, body []byte) *service {
	if sig != nil {
		if svc, ok := rt.bySigning[sig.Scope.Service]; ok {
			return svc
		}
		guess := rt.guess(r, body)
		return &service{name: guess.name, codec: guess.codec, handlers: guess.handlers, unserved: sig.Scope.Service}
	}
	return rt.guess(r, body)
}

func (rt *router) guess(r *http.Request, body []byte) *service {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := strings.Cut(target, ".")
		if svc, ok := rt.byTarget[prefix]; ok {
			return svc
		}
	}
	version := r.URL.Query().Get("Version")
	if version == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil {
			version = form.Get("Version")
		}
	}
	if svc, ok := rt.byVersion[version]; ok {
		return svc
	}
	return rt.fallback
}

// virtualHostToPath rewrites a virtual-hosted S3 request (bucket.s3.REGION.amazonaws.com, bucket.localhost) to
// path style, the one form the rest-xml decoder reads. It runs after authentication, which signs the path as sent.
func virtualHostToPath(r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) != nil {
		return
	}
	var bucket string
	switch {
	case strings.HasSuffix(host, ".localhost"):
		bucket = strings.TrimSuffix(strings.TrimSuffix(host, ".localhost"), ".s3")
	default:
		if i := strings.Index(host, ".s3."); i > 0 {
			bucket = host[:i]
		} else if i := strings.Index(host, ".s3-"); i > 0 {
			bucket = host[:i]
		}
	}
	if bucket == "" || bucket == "s3" {
		return
	}
	prefix := "/" + bucket
	if r.URL.Path == "/" {
		r.URL.Path, r.URL.RawPath = prefix, ""
		return
	}
	r.URL.Path = prefix + r.URL.Path
	if r.URL.RawPath != "" {
		r.URL.RawPath = prefix + r.URL.RawPath
	}
}
