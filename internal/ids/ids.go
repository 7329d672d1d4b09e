// Package ids makes the identifiers sagebox hands out, in AWS's formats: request ids, IAM unique ids and access
// keys, secrets, EC2 resource ids, SageMaker domain ids. The randomness is injected, so that tests can make the
// same ids every run.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	mrand "math/rand/v2"
	"sync"
)

// Source makes ids from a stream of random bytes. It is safe for concurrent use.
type Source struct {
	mu  sync.Mutex
	rnd io.Reader
	// seeded sources make every id from rnd; unseeded ones make request ids from the runtime's per-thread
	// generator, which needs no lock: a request id is made for every request and need only be unique.
	seeded bool
}

// New returns a Source reading crypto/rand.
func New() *Source { return &Source{rnd: rand.Reader} }

// Seeded returns a Source that makes the same ids every time for the same seed, for tests.
func Seeded(seed uint64) *Source {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return &Source{rnd: mrand.NewChaCha8(s), seeded: true}
}

func (s *Source) read(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.rnd, b); err != nil {
		// crypto/rand does not fail on supported platforms, and ChaCha8 never does.
		panic("ids: random source failed: " + err.Error())
	}
}

const (
	lowerHex      = "0123456789abcdef"
	upperAlnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum    = "abcdefghijklmnopqrstuvwxyz0123456789"
	secretLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	// iamLetters are the characters after an IAM id's four-letter prefix: AWS uses upper-case letters and the
	// digits 2-7 (base32).
	iamLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// pick returns n characters drawn uniformly from alphabet (whose length must divide 256 or be below it; the
// modulo bias of the others is removed by rejection).
func (s *Source) pick(alphabet string, n int) string {
	out := make([]byte, n)
	limit := 256 - 256%len(alphabet)
	buf := make([]byte, n+n/2+8)
	for i := 0; i < n; {
		s.read(buf)
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out[i] = alphabet[int(b)%len(alphabet)]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}

// RequestID returns a UUID (version 4), the form AWS's x-amzn-RequestId takes.
func (s *Source) RequestID() string {
	var b [16]byte
	if s.seeded {
		s.read(b[:])
	} else {
		binary.LittleEndian.PutUint64(b[:8], mrand.Uint64())
		binary.LittleEndian.PutUint64(b[8:], mrand.Uint64())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	out := make([]byte, 36)
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = lowerHex[c>>4]
		out[j+1] = lowerHex[c&0xf]
		j += 2
	}
	return string(out)
}

// IAM returns an IAM unique id: the prefix ("AIDA" user, "AROA" role, "AGPA" group, "ANPA" policy, "AIPA"
// instance profile) and 17 more characters, 21 in all.
func (s *Source) IAM(prefix string) string { return prefix + s.pick(iamLetters, 21-len(prefix)) }

// AccessKeyID returns an access key id: "AKIA" (long-term) or "ASIA" (temporary) and 16 more, 20 in all.
func (s *Source) AccessKeyID(prefix string) string {
	return prefix + s.pick(iamLetters, 20-len(prefix))
}

// Secret returns a secret access key: 40 characters.
func (s *Source) Secret() string { return s.pick(secretLetters, 40) }

// EC2 returns an EC2 resource id: the prefix ("vpc", "subnet", "sg", …), a dash, 17 lower-case hex digits.
func (s *Source) EC2(prefix string) string { return prefix + "-" + s.pick(lowerHex, 17) }

// Alnum returns n lower-case letters and digits, as SageMaker domain ids use ("d-" + 12).
func (s *Source) Alnum(n int) string { return s.pick(lowerAlnum, n) }

// Hex returns n lower-case hex digits.
func (s *Source) Hex(n int) string { return s.pick(lowerHex, n) }

// Digits returns n decimal digits, not starting with 0 (an account id is 12 of them).
func (s *Source) Digits(n int) string {
	d := []byte(s.pick("0123456789", n))
	if len(d) > 0 && d[0] == '0' {
		d[0] = "123456789"[int(s.pick("012345678", 1)[0]-'0')]
	}
	return string(d)
}

// Upper returns n upper-case letters and digits.
func (s *Source) Upper(n int) string { return s.pick(upperAlnum, n) }
