package sts

import (
	"context"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// oneRole is Roles with a single role and no managed policies.
type oneRole struct{ role *Role }

func (o oneRole) Role(_ store.Tx, account, name string) (*Role, error) {
	if account == accountOfARN(o.role.ARN) && name == o.role.Name {
		return o.role, nil
	}
	return nil, nil
}

func (oneRole) SessionPolicy(store.Tx, string, string) (*policy.Compiled, error) { return nil, nil }

// TestAssumeRoleAsServiceInTheCallersTransaction: a service that assumes a role within its own write transaction
// gets a session whose key authenticates only once that transaction commits, and never if it rolls back.
func TestAssumeRoleAsServiceInTheCallersTransaction(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	trust, err := policy.CompileText(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		policy.Trust, "trust", policy.ResourcePolicy)
	if err != nil {
		t.Fatal(err)
	}
	role := &Role{ARN: "arn:aws:iam::000000000000:role/exec", ID: "AROAEXAMPLEEXAMPLE123", Name: "exec", Path: "/", MaxSessionDuration: 7200, Trust: trust}
	keys := authn.NewKeyRing()
	s := New(Config{Keys: keys, IDs: ids.Seeded(7), Clock: clock.NewManual(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)), Roles: oneRole{role}, Store: st})
	s.SetAuthorizer(authz.New())

	for _, commit := range []bool{true, false} {
		tx, err := st.Begin(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.AssumeRoleAsService(ctx, ServiceAssume{Service: "sagemaker.amazonaws.com", RoleARN: role.ARN, SessionName: "job", Duration: 3 * time.Hour, Tx: tx})
		if err != nil {
			t.Fatalf("AssumeRoleAsService: %v", err)
		}
		if d := got.Credentials.Expiration.Sub(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)); d != 2*time.Hour {
			t.Errorf("a three-hour session of a role that allows two lasts %v, want 2h", d)
		}
		key := got.Credentials.AccessKeyId
		if _, ok := keys.Get(key); ok {
			t.Errorf("the session's key %s authenticates before the caller's transaction ends", key)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		_, inRing := keys.Get(key)
		known := s.Session(&api.Principal{AccessKeyID: key}) != nil
		if inRing != commit || known != commit {
			t.Errorf("after the caller's transaction ended (committed: %v), the key is in the ring: %v, the session known: %v", commit, inRing, known)
		}
	}
}
