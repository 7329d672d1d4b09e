// Package account keeps the AWS accounts that a sagebox serves and their root credentials.
//
// A fresh sagebox has one account, the default (000000000000, root key test/test unless configured otherwise);
// `sagebox accounts create` adds more, each with its own root key. Accounts are records in the store; their root
// keys are put in the authentication key ring when the transaction that made them commits.
package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/store"
)

// Account is one AWS account.
type Account struct {
	ID                  string    `json:"id"`
	Name                string    `json:"name"`
	RootAccessKeyID     string    `json:"rootAccessKeyId"`
	RootSecretAccessKey string    `json:"rootSecretAccessKey"`
	Created             time.Time `json:"created"`
}

// Root returns the principal of the account's root user.
func (a *Account) Root() *api.Principal {
	return &api.Principal{
		Type:        api.Root,
		Account:     a.ID,
		ARN:         "arn:aws:iam::" + a.ID + ":root",
		UserID:      a.ID,
		AccessKeyID: a.RootAccessKeyID,
	}
}

var scope = store.Scope{Kind: "sagebox.account"}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// Accounts creates and lists accounts.
type Accounts struct {
	store store.Store
	keys  *authn.KeyRing
	ids   *ids.Source
	clock clock.Clock
}

// New returns the accounts kept in st, whose root keys go into keys.
func New(st store.Store, keys *authn.KeyRing, src *ids.Source, c clock.Clock) *Accounts {
	return &Accounts{store: st, keys: keys, ids: src, clock: c}
}

// ErrInvalid is returned for an account id or key that is not well formed.
var ErrInvalid = errors.New("account: invalid")

// Ensure makes the account id exist with the given root key and secret — the default account, whose key the
// command line sets — replacing a different key it had before.
func (s *Accounts) Ensure(ctx context.Context, id, name, keyID, secret string) (*Account, error) {
	if !accountID.MatchString(id) {
		return nil, fmt.Errorf("%w: account id %q must be 12 digits", ErrInvalid, id)
	}
	if keyID == "" || secret == "" {
		return nil, fmt.Errorf("%w: the root access key and secret must not be empty", ErrInvalid)
	}
	tx, err := s.store.Begin(ctx, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	acct := &Account{ID: id, Name: name, RootAccessKeyID: keyID, RootSecretAccessKey: secret, Created: s.clock.Now()}
	rec, err := tx.Get(store.Key{Scope: scope, ID: id})
	switch {
	case err == nil:
		var old Account
		if err := json.Unmarshal(rec.Doc, &old); err != nil {
			return nil, err
		}
		if old.RootAccessKeyID == keyID && old.RootSecretAccessKey == secret {
			s.keys.Put(old.RootKey())
			return &old, nil
		}
		acct.Created = old.Created
		tx.OnCommit(func() { s.keys.Delete(old.RootAccessKeyID) })
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if err := s.put(tx, acct); err != nil {
		return nil, err
	}
	return acct, tx.Commit()
}

// Create makes a new account with a fresh id and root key.
func (s *Accounts) Create(ctx context.Context, name string) (*Account, error) {
	tx, err := s.store.Begin(ctx, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for {
		acct := &Account{
			ID:                  s.ids.Digits(12),
			Name:                name,
			RootAccessKeyID:     s.ids.AccessKeyID("AKIA"),
			RootSecretAccessKey: s.ids.Secret(),
			Created:             s.clock.Now(),
		}
		if _, err := tx.Get(store.Key{Scope: scope, ID: acct.ID}); err == nil {
			continue // an id already taken: draw another
		}
		if err := s.put(tx, acct); err != nil {
			return nil, err
		}
		return acct, tx.Commit()
	}
}

func (s *Accounts) put(tx store.Tx, acct *Account) error {
	doc, err := json.Marshal(acct)
	if err != nil {
		return err
	}
	rec := &store.Record{
		Key:     store.Key{Scope: scope, ID: acct.ID},
		Doc:     doc,
		Indexes: []store.Index{{Name: "root-key", Value: acct.RootAccessKeyID, Unique: true}},
	}
	if err := tx.Put(rec); err != nil {
		return err
	}
	tx.OnCommit(func() { s.keys.Put(acct.RootKey()) })
	return nil
}

// Get reads the account with the id in tx, for services that answer about the root user (IAM's GetUser).
func Get(tx store.Tx, id string) (*Account, error) {
	a, _, err := store.GetDoc[Account](tx, store.Key{Scope: scope, ID: id})
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", id, err)
	}
	return &a, nil
}

// List returns every account, by id.
func (s *Accounts) List(ctx context.Context) ([]*Account, error) {
	tx, err := s.store.Begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	recs, err := tx.List(scope, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	out := make([]*Account, 0, len(recs))
	for _, rec := range recs {
		a := new(Account)
		if err := json.Unmarshal(rec.Doc, a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// RootKey is the key ring's entry for the account's root key.
func (a *Account) RootKey() *authn.Key {
	return &authn.Key{AccessKeyID: a.RootAccessKeyID, SecretAccessKey: a.RootSecretAccessKey, Principal: a.Root()}
}
