package authz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// Service control policies. sagebox has no AWS Organizations yet; an account can carry SCPs set through the admin
// API, which then limit every principal of the account, root included, as the SCPs of an organization's member
// account do. An account's SCPs are exactly those it was given: like AWS, which attaches FullAWSAccess to every
// account and lets you detach it, an account whose SCPs allow nothing can do nothing — to deny a few actions, put
// an SCP that allows "*" beside the one that denies them.
//
// They are sagebox's own records (kind "sagebox.scp", no account in the scope, id ACCOUNT/NAME), and held in memory
// as an immutable snapshot, so that the request path reads them without a lock or an allocation.

const kindSCP = "sagebox.scp"

var scpScope = store.Scope{Kind: kindSCP}

// The limits Organizations puts on SCPs ("Quotas and service limits for AWS Organizations").
const (
	maxSCPSize       = 5120 // characters
	maxSCPsPerTarget = 5
	maxSCPNameLength = 128
)

// SCP is a service control policy of an account, as the admin API shows it.
type SCP struct {
	Account  string    `json:"account"`
	Name     string    `json:"name"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// ErrNoSCP is returned for an SCP that does not exist.
var ErrNoSCP = errors.New("no such service control policy")

// SCPError is a refused SCP: its Message says why, to the one who gave it.
type SCPError struct{ Message string }

func (e *SCPError) Error() string { return e.Message }

// scpSet is the accounts' SCPs.
type scpSet struct {
	st store.Store
	// mu serializes changes; snap is what the request path reads.
	mu   sync.Mutex
	all  map[string][]scpEntry // by account, sorted by name
	snap atomic.Pointer[map[string][][]*policy.Compiled]
}

type scpEntry struct {
	SCP
	compiled *policy.Compiled
}

// forAccount returns the SCPs that apply to the account's principals, as policy.Set.ControlPolicies wants them:
// one level, the account's own. nil when the account has none.
func (s *scpSet) forAccount(account string) [][]*policy.Compiled {
	m := s.snap.Load()
	if m == nil {
		return nil
	}
	return (*m)[account]
}

// load reads every SCP from the store.
func (s *scpSet) load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := map[string][]scpEntry{}
	if s.st != nil {
		tx, err := s.st.Begin(ctx, false)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		recs, err := tx.List(scpScope, store.ListQuery{})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			scp, err := store.Decode[SCP](rec)
			if err != nil {
				return err
			}
			c, perr := compileSCP(scp.Name, scp.Document)
			if perr != nil {
				// Stored by a laxer sagebox: refuse to start rather than silently drop what may be a deny.
				return fmt.Errorf("authz: stored SCP %s of account %s no longer compiles: %w", scp.Name, scp.Account, perr)
			}
			all[scp.Account] = append(all[scp.Account], scpEntry{SCP: scp, compiled: c})
		}
	}
	s.publish(all)
	return nil
}

// publish makes all the current SCPs. The caller holds mu.
func (s *scpSet) publish(all map[string][]scpEntry) {
	snap := make(map[string][][]*policy.Compiled, len(all))
	for acct, list := range all {
		slices.SortFunc(list, func(a, b scpEntry) int { return strings.Compare(a.Name, b.Name) })
		level := make([]*policy.Compiled, len(list))
		for i, e := range list {
			level[i] = e.compiled
		}
		if len(level) > 0 {
			snap[acct] = [][]*policy.Compiled{level}
		}
	}
	s.all = all
	s.snap.Store(&snap)
}

func compileSCP(name, text string) (*policy.Compiled, error) {
	if n := policy.Size(text); n > maxSCPSize {
		return nil, &SCPError{fmt.Sprintf("the policy has %d characters; an SCP may have at most %d", n, maxSCPSize)}
	}
	c, err := compileText(text, policy.ServiceControl, "service control policy "+name, policy.ControlPolicy)
	if err != nil {
		return nil, &SCPError{"the policy is not a valid SCP: " + err.Error()}
	}
	return c, nil
}

func checkSCPName(account, name string) error {
	if !isAccountID(account) {
		return &SCPError{fmt.Sprintf("account %q is not a 12-digit account id", account)}
	}
	if name == "" || len(name) > maxSCPNameLength {
		return &SCPError{fmt.Sprintf("an SCP name has 1 to %d characters", maxSCPNameLength)}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r)) {
			return &SCPError{fmt.Sprintf("SCP name %q: use letters, digits and +=,.@_- only", name)}
		}
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// put creates or replaces an SCP of an account.
func (s *scpSet) put(ctx context.Context, account, name, text string, now time.Time) (SCP, error) {
	if err := checkSCPName(account, name); err != nil {
		return SCP{}, err
	}
	c, err := compileSCP(name, text)
	if err != nil {
		return SCP{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.all[account]
	i := slices.IndexFunc(list, func(e scpEntry) bool { return e.Name == name })
	scp := SCP{Account: account, Name: name, Document: text, Created: now, Updated: now}
	if i >= 0 {
		scp.Created = list[i].Created
	} else if len(list) >= maxSCPsPerTarget {
		return SCP{}, &SCPError{fmt.Sprintf("account %s already has %d SCPs, the most an account may have", account, maxSCPsPerTarget)}
	}
	if s.st != nil {
		rec, err := store.NewRecord(store.Key{Scope: scpScope, ID: account + "/" + name}, scp)
		if err != nil {
			return SCP{}, err
		}
		if err := s.write(ctx, func(tx store.Tx) error { return tx.Put(rec) }); err != nil {
			return SCP{}, err
		}
	}
	next := cloneSCPs(s.all)
	entry := scpEntry{SCP: scp, compiled: c}
	if i >= 0 {
		next[account][i] = entry
	} else {
		next[account] = append(next[account], entry)
	}
	s.publish(next)
	return scp, nil
}

// remove deletes an SCP of an account.
func (s *scpSet) remove(ctx context.Context, account, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.all[account], func(e scpEntry) bool { return e.Name == name })
	if i < 0 {
		return ErrNoSCP
	}
	if s.st != nil {
		key := store.Key{Scope: scpScope, ID: account + "/" + name}
		if err := s.write(ctx, func(tx store.Tx) error { return tx.Delete(key) }); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	next := cloneSCPs(s.all)
	next[account] = slices.Delete(next[account], i, i+1)
	if len(next[account]) == 0 {
		delete(next, account)
	}
	s.publish(next)
	return nil
}

// list returns the SCPs of an account, or of every account when account is "", by account and name.
func (s *scpSet) list(account string) []SCP {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SCP
	for acct, list := range s.all {
		if account != "" && acct != account {
			continue
		}
		for _, e := range list {
			out = append(out, e.SCP)
		}
	}
	slices.SortFunc(out, func(a, b SCP) int {
		if c := strings.Compare(a.Account, b.Account); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func (s *scpSet) get(account, name string) (SCP, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.all[account] {
		if e.Name == name {
			return e.SCP, nil
		}
	}
	return SCP{}, ErrNoSCP
}

func (s *scpSet) write(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.st.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func cloneSCPs(all map[string][]scpEntry) map[string][]scpEntry {
	next := make(map[string][]scpEntry, len(all)+1)
	for k, v := range all {
		next[k] = slices.Clone(v)
	}
	return next
}

// PutSCP creates or replaces the SCP name of an account (the default account when account is ""). An invalid
// name or document gives an *SCPError.
func (z *Authorizer) PutSCP(ctx context.Context, account, name, document string) (SCP, error) {
	if account == "" {
		account = z.defaultAccount
	}
	return z.scps.put(ctx, account, name, document, z.now())
}

// DeleteSCP removes an SCP of an account (the default account when account is ""); ErrNoSCP when it has none of
// that name.
func (z *Authorizer) DeleteSCP(ctx context.Context, account, name string) error {
	if account == "" {
		account = z.defaultAccount
	}
	return z.scps.remove(ctx, account, name)
}

// SCPs returns the SCPs of an account, or of every account when account is "".
func (z *Authorizer) SCPs(account string) []SCP { return z.scps.list(account) }

// GetSCP returns one SCP of an account (the default account when account is "").
func (z *Authorizer) GetSCP(account, name string) (SCP, error) {
	if account == "" {
		account = z.defaultAccount
	}
	return z.scps.get(account, name)
}
