// Package authn authenticates requests: it verifies a request's SigV4 signature with the secret of the access key
// the request names, and returns the principal that key belongs to.
//
// Keys live in a KeyRing held in memory, so that authentication never reads the store. The packages that issue
// keys — accounts (root keys) now, IAM (user keys) and STS (session keys) later — put them in the ring after their
// transactions commit.
package authn

import (
	"net/http"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/sigv4"
)

// Key is an access key that sagebox issued.
type Key struct {
	AccessKeyID     string
	SecretAccessKey string
	// Principal is whom requests signed with the key come from.
	Principal *api.Principal
	// Inactive keys are refused as unknown ones are (AWS answers InvalidClientTokenId for both).
	Inactive bool
	// SessionToken and Expires are set for temporary credentials.
	SessionToken string
	Expires      time.Time
	// NoIAM marks temporary credentials that IAM does not accept: GetSessionToken's without MFA and
	// GetFederationToken's ("You cannot call any IAM API operations unless MFA authentication information is
	// included in the request", STS API Reference). AWS answers such calls as for an unknown key, InvalidClientTokenId.
	NoIAM bool
}

// KeyRing holds the keys that authenticate requests. It is safe for concurrent use.
type KeyRing struct {
	mu   sync.RWMutex
	keys map[string]*Key
}

// NewKeyRing returns an empty ring.
func NewKeyRing() *KeyRing { return &KeyRing{keys: map[string]*Key{}} }

// Put adds or replaces a key.
func (k *KeyRing) Put(key *Key) {
	k.mu.Lock()
	k.keys[key.AccessKeyID] = key
	k.mu.Unlock()
}

// Delete removes a key.
func (k *KeyRing) Delete(accessKeyID string) {
	k.mu.Lock()
	delete(k.keys, accessKeyID)
	k.mu.Unlock()
}

// Clear removes every key.
func (k *KeyRing) Clear() {
	k.mu.Lock()
	k.keys = map[string]*Key{}
	k.mu.Unlock()
}

// Get returns the key with the id.
func (k *KeyRing) Get(accessKeyID string) (*Key, bool) {
	k.mu.RLock()
	key, ok := k.keys[accessKeyID]
	k.mu.RUnlock()
	return key, ok
}

// Authenticator verifies signed requests against a KeyRing.
type Authenticator struct {
	keys     *KeyRing
	verifier *sigv4.Verifier
	clock    clock.Clock
}

// New returns an authenticator over keys, reading the time from c.
func New(keys *KeyRing, c clock.Clock) *Authenticator {
	return &Authenticator{keys: keys, verifier: sigv4.NewVerifier(), clock: c}
}

// Authenticate checks the signature s that sigv4.Parse read from r, over r and its body, and returns the
// principal of the key that signed it. Errors are *awserr.Error of the authentication kinds.
//
// The steps follow AWS's order: the credential scope (terminator, date), then the key, then the clock window and
// the signature. The scope's region is not checked against the service: behind an endpoint override, SDKs sign
// even global IAM with the client's region, which AWS's global endpoint never sees.
func (a *Authenticator) Authenticate(r *http.Request, body []byte, s *sigv4.Signed) (*api.Principal, error) {
	if err := s.CheckScope("", ""); err != nil {
		return nil, err
	}
	key, ok := a.keys.Get(s.Scope.AccessKeyID)
	if !ok || key.Inactive {
		return nil, awserr.Newf(awserr.KindUnknownAccessKey, "")
	}
	now := a.clock.Now()
	if key.SessionToken != "" && s.SecurityToken == key.SessionToken && !now.Before(key.Expires) {
		// Expiry is answered before the signature is checked, as AWS does: a client whose clock is behind the
		// server's (after `sagebox clock advance`) learns that its session expired, not that its signature did.
		return nil, awserr.Newf(awserr.KindExpiredToken, "")
	}
	if err := a.verifier.Verify(r, body, s, key.SecretAccessKey, now); err != nil {
		return nil, err
	}
	if key.SessionToken != "" && s.SecurityToken != key.SessionToken {
		return nil, awserr.Newf(awserr.KindUnknownAccessKey, "")
	}
	if key.NoIAM && s.Scope.Service == "iam" {
		return nil, awserr.Newf(awserr.KindUnknownAccessKey, "")
	}
	return key.Principal, nil
}
