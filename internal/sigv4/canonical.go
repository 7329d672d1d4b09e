package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// builder holds the scratch space of one signature computation, so that verifying a request allocates (almost)
// nothing. Verifiers pool them.
type builder struct {
	canonical []byte
	sts       []byte
	qbuf      []byte
	pairs     []queryPair
	tmp       []byte
	h         hash.Hash
	pad       [64]byte
	key       [64]byte
	sum       [32]byte
	inner     [32]byte
	bodyHex   [64]byte
}

func newBuilder() *builder {
	return &builder{h: sha256.New()}
}

// queryPair is one encoded query parameter, as offsets into builder.qbuf.
type queryPair struct{ k0, k1, v0, v1 int }

// canonicalRequest builds the canonical request of r as s describes it, into b.canonical. payload is the last
// line; an empty payload means the hex SHA-256 of the body, already in b.bodyHex.
func (b *builder) canonicalRequest(r *http.Request, s *Signed, payload string) []byte {
	c := b.canonical[:0]
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	c = append(c, method...)
	c = append(c, '\n')
	c = appendCanonicalURI(c, r, s.Scope.Service == "s3")
	c = append(c, '\n')
	c = b.appendCanonicalQuery(c, r.URL.RawQuery, s.Presigned)
	c = append(c, '\n')
	for _, name := range s.SignedHeaders {
		c = appendCanonicalHeader(c, r, name)
	}
	c = append(c, '\n')
	c = append(c, s.signedHeaders...)
	c = append(c, '\n')
	if payload == "" {
		c = append(c, b.bodyHex[:]...)
	} else {
		c = append(c, payload...)
	}
	b.canonical = c
	return c
}

// stringToSign builds the string to sign over a canonical request, into b.sts.
func (b *builder) stringToSign(s *Signed, canonical []byte) []byte {
	t := b.sts[:0]
	t = append(t, s.algorithm...)
	t = append(t, '\n')
	t = append(t, s.date...)
	t = append(t, '\n')
	t = append(t, s.Scope.Date...)
	t = append(t, '/')
	t = append(t, s.Scope.Region...)
	t = append(t, '/')
	t = append(t, s.Scope.Service...)
	t = append(t, '/')
	t = append(t, Terminator...)
	t = append(t, '\n')
	sum := sha256.Sum256(canonical)
	t = hex.AppendEncode(t, sum[:])
	b.sts = t
	return t
}

// hashBody puts the hex SHA-256 of body in b.bodyHex.
func (b *builder) hashBody(body []byte) {
	sum := sha256.Sum256(body)
	hex.Encode(b.bodyHex[:], sum[:])
}

// hmac computes HMAC-SHA256(key, msg) into b.sum. It is crypto/hmac written against the builder's scratch, which
// crypto/hmac's per-call allocations would defeat on the hot path.
func (b *builder) hmac(key, msg []byte) []byte {
	if len(key) > len(b.key) {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	clear(b.key[:])
	copy(b.key[:], key)
	for i := range b.pad {
		b.pad[i] = b.key[i] ^ 0x36
	}
	b.h.Reset()
	b.h.Write(b.pad[:])
	b.h.Write(msg)
	inner := b.h.Sum(b.inner[:0])
	for i := range b.pad {
		b.pad[i] = b.key[i] ^ 0x5c
	}
	b.h.Reset()
	b.h.Write(b.pad[:])
	b.h.Write(inner)
	return b.h.Sum(b.sum[:0])
}

// deriveKey computes the signing key kSigning of a secret and scope.
func (b *builder) deriveKey(secret string, sc Scope) [32]byte {
	b.tmp = append(append(b.tmp[:0], "AWS4"...), secret...)
	var k [32]byte
	for _, part := range [...]string{sc.Date, sc.Region, sc.Service, Terminator} {
		msg := append(b.tmp[len(b.tmp):], part...)
		copy(k[:], b.hmac(b.tmp, msg))
		b.tmp = append(b.tmp[:0], k[:]...)
	}
	clear(b.tmp[:cap(b.tmp)])
	return k
}

// appendCanonicalURI writes the canonical path. S3 signs the path as sent. Every other service signs it
// normalized (no empty, "." or ".." segments) and URI-encoded once more, so that "%20" on the wire signs as "%2520".
func appendCanonicalURI(dst []byte, r *http.Request, s3 bool) []byte {
	p := wirePath(r)
	if p == "" {
		p = "/"
	}
	if s3 {
		return append(dst, p...)
	}
	if p != "/" {
		p = normalizePath(p)
	}
	return appendEncoded(dst, p, true)
}

// wirePath is the path as the client sent it: from the request line when r came in through a server (Go keeps it
// in RequestURI, while URL.EscapedPath may re-encode what the client wrote), else from an opaque URL as the SDKs
// read it, else the URL's escaped path.
func wirePath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		p, _, _ := strings.Cut(u, "?")
		return p
	}
	if o := r.URL.Opaque; o != "" {
		o, _, _ = strings.Cut(o, "?")
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			return o[i:]
		}
		return ""
	}
	return r.URL.EscapedPath()
}

// normalizePath removes empty, "." and ".." segments as RFC 3986 does, keeping a trailing slash.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && p[0] == '/' {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, seg := range segs {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	n := "/" + strings.Join(out, "/")
	if last := segs[len(segs)-1]; len(out) > 0 && (last == "" || last == "." || last == "..") {
		n += "/"
	}
	return n
}

// appendEncoded URI-encodes s as SigV4 does: every byte but the unreserved A-Z a-z 0-9 - _ . ~ (and '/', when
// keepSlash) as %XX with upper-case hex digits.
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		dst = appendEncodedByte(dst, s[i], keepSlash)
	}
	return dst
}

func appendEncodedByte(dst []byte, c byte, keepSlash bool) []byte {
	const upperHex = "0123456789ABCDEF"
	if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && keepSlash {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// appendQueryComponent decodes a raw query key or value (%XX and '+' for a space, as the SDKs read them) and
// encodes it again as SigV4 does. A '%' that starts no escape stands for itself.
func appendQueryComponent(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		dst = appendEncodedByte(dst, c, false)
	}
	return dst
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// appendCanonicalQuery writes the query sorted by encoded key, then encoded value. A presigned request's
// X-Amz-Signature is left out: it cannot sign itself.
func (b *builder) appendCanonicalQuery(dst []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return dst
	}
	q, pairs := b.qbuf[:0], b.pairs[:0]
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		p := queryPair{k0: len(q)}
		q = appendQueryComponent(q, k)
		p.k1, p.v0 = len(q), len(q)
		q = appendQueryComponent(q, v)
		p.v1 = len(q)
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(x, y queryPair) int {
		if c := bytes.Compare(q[x.k0:x.k1], q[y.k0:y.k1]); c != 0 {
			return c
		}
		return bytes.Compare(q[x.v0:x.v1], q[y.v0:y.v1])
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, q[p.k0:p.k1]...)
		dst = append(dst, '=')
		dst = append(dst, q[p.v0:p.v1]...)
	}
	b.qbuf, b.pairs = q, pairs
	return dst
}

// appendCanonicalHeader writes the line of one signed header, name:value,value…, or nothing when the request
// lacks the header. Go's server moves Host into r.Host and Transfer-Encoding into r.TransferEncoding, and a Go
// client keeps the length in r.ContentLength: those come back from where Go put them.
func appendCanonicalHeader(dst []byte, r *http.Request, name string) []byte {
	if strings.EqualFold(name, "host") {
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		dst = append(dst, name...)
		dst = append(dst, ':')
		return append(appendTrimmed(dst, host), '\n')
	}
	values := lookupHeader(r.Header, name)
	if values == nil {
		switch {
		case strings.EqualFold(name, "content-length") && r.ContentLength >= 0:
			dst = append(dst, name...)
			dst = append(dst, ':')
			return append(strconv.AppendInt(dst, r.ContentLength, 10), '\n')
		case strings.EqualFold(name, "transfer-encoding") && len(r.TransferEncoding) > 0:
			values = r.TransferEncoding
		default:
			return dst
		}
	}
	dst = append(dst, name...)
	dst = append(dst, ':')
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return append(dst, '\n')
}

// lookupHeader finds a header by its lower-case name without allocating: it builds the canonical key on the stack
// (Go's map index by string(bytes) does not copy), and falls back to a case-insensitive scan for keys that Go left
// as they came.
func lookupHeader(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) <= len(buf) {
		k := buf[:len(name)]
		upper := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			} else if !upper && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			k[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(k)]; ok {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// appendTrimmed writes a header value without leading and trailing blanks and with each run of spaces folded into
// one, as SigV4 wants.
func appendTrimmed(dst []byte, v string) []byte {
	start, end := 0, len(v)
	for start < end && (v[start] == ' ' || v[start] == '\t') {
		start++
	}
	for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
		end--
	}
	space := false
	for i := start; i < end; i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}
