package app_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

func quietLogger(t *testing.T) *slog.Logger { return slog.New(slog.DiscardHandler) }

// denyAll refuses everything and counts what it was asked.
type denyAll struct{ asked int }

func (d *denyAll) Authorize(_ context.Context, _ *api.Call, a *api.Authorization) (api.Decision, error) {
	d.asked++
	return api.Decision{Effect: "implicitDeny", Reason: "denied by the test", Action: a.Action}, nil
}

// TestEveryOperationAuthorizesFirst walks every registered operation of every service and calls it, with an empty
// input, under an authorizer that denies everything. Each must ask for authorization and come back AccessDenied:
// a handler that answered anything else would do work before, or without, asking.
func TestEveryOperationAuthorizesFirst(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.Log = quietLogger(t)
	ctx := context.Background()
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	walked := 0
	for _, svc := range a.ServiceHandlers() {
		for _, op := range svc.Operations() {
			walked++
			t.Run(svc.Name+"/"+op.Name, func(t *testing.T) {
				authz := &denyAll{}
				c := api.NewCall(ctx, authz, st, op.Writes)
				c.Service, c.Operation, c.Region = svc.Name, op.Name, "us-east-1"
				c.Principal = &api.Principal{Type: api.User, Account: "000000000000", ARN: "arn:aws:iam::000000000000:user/nobody"}
				_, err := op.Handler(ctx, c, map[string]any{})
				_ = c.Finish(false)
				if authz.asked == 0 || len(c.Decisions()) == 0 {
					t.Fatalf("%s.%s answered without asking for authorization (error %v)", svc.Name, op.Name, err)
				}
				if !errors.Is(err, &awserr.Error{Kind: awserr.KindAccessDenied}) {
					t.Errorf("%s.%s under deny-all returned %v, want AccessDenied", svc.Name, op.Name, err)
				}
			})
		}
	}
	if walked == 0 {
		t.Fatal("no operation is registered")
	}
}
