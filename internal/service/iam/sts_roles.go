package iam

import (
	"fmt"
	"strings"
	"sync"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// What STS needs of IAM to issue role sessions: a role as AssumeRole sees it, with its trust policy compiled, and
// the managed policies a caller passes as session policies (PolicyArns). STS declares the interfaces it consumes;
// cmd/sagebox (package app) adapts STSRoles to them, so that neither service imports the other.

// AssumableRole is a role as STS sees it when a principal or a service assumes it.
type AssumableRole struct {
	// ARN is the role's ARN, path included; ID its unique id (AROA…).
	ARN, ID, Name, Path string
	// MaxSessionDuration is the longest session the role allows, in seconds.
	MaxSessionDuration int32
	// Tags are the role's tags (aws:ResourceTag/… and iam:ResourceTag/… of sts:AssumeRole).
	Tags map[string]string
	// Trust is the role's trust policy compiled as a resource-based policy: principals deleted since the policy was
	// written appear as their unique ids, as IAM shows them, and so match no one.
	Trust *policy.Compiled
}

// STSRoles answers STS's questions about roles and managed policies. It compiles trust policies lazily and keeps
// them, keyed by role id, with the text they were compiled from: a role whose trust policy (or the existence of a
// principal it names) changed since is compiled again on its next use. Roles are assumed far more rarely than
// requests are decided, so compiling on first use costs nothing that matters, and IAM's write path stays as it is.
type STSRoles struct {
	iam *Service

	mu    sync.Mutex
	trust map[string]compiledTrust // by role unique id
}

type compiledTrust struct {
	text     string
	compiled *policy.Compiled
}

// STSRoles returns what STS needs of IAM. Make one per sagebox: it holds the trust policies compiled so far.
func (s *Service) STSRoles() *STSRoles {
	return &STSRoles{iam: s, trust: map[string]compiledTrust{}}
}

// Role returns the role named name (case-insensitively, as IAM names are) in account, read through t; nil when the
// account has no such role.
func (r *STSRoles) Role(t store.Tx, account, name string) (*AssumableRole, error) {
	if name == "" || !isAccountID(account) {
		return nil, nil
	}
	ro, _, err := get[role](t, account, kindRole, name)
	if err != nil || ro == nil {
		return nil, err
	}
	text, err := shownTrustPolicyOf(t, ro)
	if err != nil {
		return nil, err
	}
	out := &AssumableRole{
		ARN:                roleARN(account, ro.Path, ro.Name),
		ID:                 ro.ID,
		Name:               ro.Name,
		Path:               ro.Path,
		MaxSessionDuration: ro.MaxSessionDuration,
	}
	if len(ro.Tags) > 0 {
		out.Tags = make(map[string]string, len(ro.Tags))
		for _, tg := range ro.Tags {
			out.Tags[tg.Key] = tg.Value
		}
	}
	if out.Trust, err = r.compiledTrust(ro.ID, out.ARN, text); err != nil {
		return nil, err
	}
	return out, nil
}

// compiledTrust returns the trust policy text of the role with the id compiled, from the cache when the text is
// the one compiled before.
func (r *STSRoles) compiledTrust(id, arn, text string) (*policy.Compiled, error) {
	r.mu.Lock()
	c, ok := r.trust[id]
	r.mu.Unlock()
	if ok && c.text == text {
		return c.compiled, nil
	}
	compiled, err := policy.CompileText(text, policy.Trust, arn+" trust policy", policy.ResourcePolicy)
	if err != nil {
		// The policy passed IAM's checks when it was written; one that no longer parses is a broken store.
		return nil, fmt.Errorf("iam: the trust policy of %s: %w", arn, err)
	}
	r.mu.Lock()
	r.trust[id] = compiledTrust{text: text, compiled: compiled}
	r.mu.Unlock()
	return compiled, nil
}

// SessionPolicy returns the managed policy with the ARN compiled as a session policy, for a session of a role in
// account: an AWS managed policy, or a customer managed policy of that account ("Customer managed policies must be
// in the same AWS account as the IAM role that you're assuming"). It is nil when there is no such policy, or the
// ARN cannot name one.
func (r *STSRoles) SessionPolicy(t store.Tx, account, arn string) (*policy.Compiled, error) {
	if !strings.HasPrefix(arn, "arn:aws:iam::") {
		return nil, nil
	}
	ref, err := r.iam.findPolicy(t, account, arn)
	if err != nil {
		if isInvalidInput(err) {
			return nil, nil
		}
		return nil, err
	}
	if ref == nil {
		return nil, nil
	}
	text, version := "", ""
	switch {
	case ref.aws != nil:
		text, version = ref.aws.Document, ref.aws.DefaultVersionID
	case ref.customer != nil:
		text, version = ref.customer.defaultDocument(), ref.customer.DefaultVersion
	default:
		return nil, nil
	}
	// Stored documents passed IAM's checks when they were written; they are read as identity policies, the least
	// strict kind that covers them, as the authorization view reads them.
	c, err := policy.CompileText(text, policy.Identity, arn+" "+version, policy.SessionPolicy)
	if err != nil {
		return nil, fmt.Errorf("iam: %s %s: %w", arn, version, err)
	}
	return c, nil
}

// isInvalidInput reports whether err is IAM's InvalidInput, which findPolicy answers for an ARN that cannot name a
// policy.
func isInvalidInput(err error) bool {
	e := awserr.As(err)
	return e != nil && e.Code == "InvalidInput"
}
