package authz

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

var ctx = context.Background()

func sqliteStore(t testing.TB, path string) store.Store {
	t.Helper()
	var st store.Store
	var err error
	if path == "" {
		st, err = sqlite.OpenMemory(ctx)
	} else {
		st, err = sqlite.Open(ctx, path)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// decideMany makes n decisions, request ids req-1 … req-n: the odd ones denied (GetUser), the even ones allowed
// (ListUsers).
func decideMany(t testing.TB, z *Authorizer, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		c := call(alice, "iam")
		c.RequestID = fmt.Sprintf("req-%d", i)
		a := &api.Authorization{Action: "iam:ListUsers"}
		if i%2 == 1 {
			a = &api.Authorization{Action: "iam:GetUser", Resources: []string{aliceARN}}
		}
		if _, err := z.Authorize(ctx, c, a); err != nil {
			t.Fatal(err)
		}
	}
}

func requestIDs(recs []Record) string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.RequestID
	}
	return strings.Join(ids, " ")
}

func listPolicy(t testing.TB) fakeIdentities {
	return fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "arn:aws:iam::111122223333:policy/list v1",
		`{"Version":"2012-10-17","Statement":{"Sid":"List","Effect":"Allow","Action":"iam:List*","Resource":"*"}}`)}}}
}

func TestDecisionLogKeepsTheNewest(t *testing.T) {
	st := sqliteStore(t, "")
	z := open(t, Config{Store: st, Identities: listPolicy(t), LogSize: 5, Recent: 3, FlushInterval: time.Hour})
	for i := 1; i <= 12; i++ {
		decideMany(t, z, i, 1)
		if err := z.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	page, err := z.Decisions(ctx, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestIDs(page.Decisions), "req-12 req-11 req-10 req-9 req-8"; got != want {
		t.Errorf("Decisions(100) = %s, want the newest 5, newest first: %s", got, want)
	}
	page, err = z.Decisions(ctx, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestIDs(page.Decisions), "req-11 req-9"; got != want {
		t.Errorf("Decisions(2, denied) = %s, want %s", got, want)
	}
	n, err := count(st)
	if err != nil || n != 5 {
		t.Errorf("the store holds %d decisions (%v), want LogSize 5", n, err)
	}

	t.Run("a denial keeps its explanation after it left memory", func(t *testing.T) {
		recs, err := z.Decision(ctx, "req-9")
		if err != nil || len(recs) != 1 {
			t.Fatalf("Decision(req-9) = %v, %v; want one decision", recs, err)
		}
		r := recs[0]
		if r.Outcome != "implicitDeny" || r.Layer != "identity-based policy" || r.Explanation == nil ||
			!strings.Contains(r.Reason, "because no identity-based policy allows the iam:GetUser action") {
			t.Errorf("Decision(req-9) = %+v, want an explained implicit deny by the identity layer", r)
		}
		if len(r.Context) == 0 {
			t.Error("Decision(req-9) kept no request context")
		}
	})
	t.Run("an allow is explained while it is in memory", func(t *testing.T) {
		recs, err := z.Decision(ctx, "req-12")
		if err != nil || len(recs) != 1 {
			t.Fatalf("Decision(req-12) = %v, %v; want one decision", recs, err)
		}
		x := recs[0].Explanation
		if x == nil || len(x.Matches) != 1 || x.Matches[0].Sid != "List" || x.Matches[0].PolicyID != "arn:aws:iam::111122223333:policy/list v1" {
			t.Errorf("Decision(req-12) explanation = %+v, want the List statement of the list policy", x)
		}
	})
	t.Run("an older allow says why it is not explained", func(t *testing.T) {
		recs, err := z.Decision(ctx, "req-8")
		if err != nil || len(recs) != 1 {
			t.Fatalf("Decision(req-8) = %v, %v; want one decision", recs, err)
		}
		if recs[0].Explanation != nil || !strings.Contains(recs[0].Note, "newest 3") {
			t.Errorf("Decision(req-8) = %+v, want no explanation and a note", recs[0])
		}
	})
	t.Run("a decision that left the store is gone", func(t *testing.T) {
		if recs, err := z.Decision(ctx, "req-2"); err != nil || len(recs) != 0 {
			t.Errorf("Decision(req-2) = %v, %v; want nothing", recs, err)
		}
	})
}

func TestDecisionLogCountsWhatItDropped(t *testing.T) {
	st := sqliteStore(t, "")
	z := open(t, Config{Store: st, Recent: 3, FlushInterval: time.Hour})
	// A writer that never runs falls behind at once: the ring keeps the newest 3.
	decideMany(t, z, 1, 12)
	page, err := z.Decisions(ctx, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestIDs(page.Decisions), "req-12 req-11 req-10"; got != want || page.Dropped != 9 {
		t.Errorf("Decisions = %s, %d dropped; want %s, 9 dropped", got, page.Dropped, want)
	}
}

func TestDecisionLogStaysBoundedWhenItDrops(t *testing.T) {
	st := sqliteStore(t, "")
	z := open(t, Config{Store: st, Identities: listPolicy(t), LogSize: 5, Recent: 3, FlushInterval: time.Hour})
	// Each round stores the newest 3 of 7 decisions and drops 4; the numbers dropped must still retire their
	// predecessors, or the store would grow by the dropped share of every round.
	for round := range 6 {
		decideMany(t, z, round*7+1, 7)
		if err := z.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := count(st); err != nil || n > 5 {
		t.Errorf("the store holds %d decisions (%v) after a writer that fell behind, want at most LogSize 5", n, err)
	}
	page, err := z.Decisions(ctx, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestIDs(page.Decisions), "req-42 req-41 req-40"; got != want {
		t.Errorf("Decisions(100) = %s, want the newest stored: %s", got, want)
	}
}

func count(st store.Store) (int, error) {
	tx, err := st.Begin(ctx, false)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	return tx.Count(decisionScope)
}

func TestDecisionLogWritesInTheBackground(t *testing.T) {
	st := sqliteStore(t, "")
	z := open(t, Config{Store: st, FlushInterval: time.Millisecond})
	decideMany(t, z, 1, 3)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := count(st)
		if err != nil {
			t.Fatal(err)
		}
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the writer stored %d of 3 decisions", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDecisionLogSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sagebox.db")
	st := sqliteStore(t, path)
	z, err := Open(ctx, Config{Store: st, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	decideMany(t, z, 1, 3)
	d, err := z.Authorize(ctx, call(alice, "ec2"), &api.Authorization{Action: "ec2:DescribeVpcs"})
	if err != nil {
		t.Fatal(err)
	}
	// Close stores what the writer had not.
	z.Close()
	st.Close()

	st = sqliteStore(t, path)
	z = open(t, Config{Store: st})
	decoded, ok := z.DecodeMessage(d.Encoded)
	if !ok || !strings.Contains(decoded, `"action":"ec2:DescribeVpcs"`) {
		t.Errorf("DecodeMessage after a restart = %s, %v; want the EC2 denial", decoded, ok)
	}
	decideMany(t, z, 5, 1)
	page, err := z.Decisions(ctx, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestIDs(page.Decisions), "req-5 req-1 req-3 req-2 req-1"; got != want {
		t.Errorf("Decisions after a restart = %s, want %s", got, want)
	}
	if page.Decisions[0].ID != 5 {
		t.Errorf("the first decision after a restart is numbered %d, want 5: numbering goes on", page.Decisions[0].ID)
	}
}

func TestDecodeMessageOfAnotherRequestIsRefused(t *testing.T) {
	z := open(t, Config{})
	d, err := z.Authorize(ctx, call(alice, "ec2"), &api.Authorization{Action: "ec2:DescribeVpcs"})
	if err != nil {
		t.Fatal(err)
	}
	seq, _, _ := decodeMessage(d.Encoded)
	for _, blob := range []string{encodeMessage(seq, "req-other"), encodeMessage(seq+1, "req-1"), "garbage"} {
		if got, ok := z.DecodeMessage(blob); ok {
			t.Errorf("DecodeMessage(%s) = %s, want no decision", blob, got)
		}
	}
}

func TestResetForgetsSCPsAndUnstoredDecisions(t *testing.T) {
	st := sqliteStore(t, "")
	z := open(t, Config{Store: st, DefaultAccount: acct, FlushInterval: time.Hour})
	if _, err := z.PutSCP(ctx, "", "all", allowAll); err != nil {
		t.Fatal(err)
	}
	decideMany(t, z, 1, 2)
	if err := st.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := z.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if scps := z.SCPs(""); len(scps) != 0 {
		t.Errorf("SCPs after a reset = %v, want none", scps)
	}
	page, err := z.Decisions(ctx, 10, false)
	if err != nil || len(page.Decisions) != 0 {
		t.Errorf("Decisions after a reset = %v, %v; want none", page.Decisions, err)
	}
}

func TestDecisionWithoutAStore(t *testing.T) {
	z := New()
	defer z.Close()
	decideMany(t, z, 1, 3)
	recs, err := z.Decision(ctx, "req-3")
	if err != nil || len(recs) != 1 || recs[0].Explanation == nil {
		t.Fatalf("Decision(req-3) = %+v, %v; want one explained decision", recs, err)
	}
	var b strings.Builder
	recs[0].WriteText(&b)
	for _, want := range []string{
		"decision 3 of request req-3",
		"principal  " + aliceARN + " (User)",
		"request    iam:GetUser on " + aliceARN + " (iam Op)",
		"outcome    implicitDeny — refused",
		"reason     User: " + aliceARN + " is not authorized to perform: iam:GetUser",
		"no allow   in any identity-based policy that applies",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteText =\n%s\nwant a line with %q", b.String(), want)
		}
	}
}

// TestDecisionLogUnderConcurrency has requests decide while the writer stores and readers list and decode; run
// with -race. Every decision is either stored or counted as dropped.
func TestDecisionLogUnderConcurrency(t *testing.T) {
	st := sqliteStore(t, "")
	z := open(t, Config{Store: st, Identities: listPolicy(t), Recent: 64, FlushInterval: time.Millisecond})
	const workers, each = 4, 150
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				c := call(alice, "ec2")
				c.RequestID = fmt.Sprintf("w%d-%d", w, i)
				d, err := z.Authorize(ctx, c, &api.Authorization{Action: "ec2:DescribeVpcs"})
				if err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					if _, ok := z.DecodeMessage(d.Encoded); !ok {
						t.Errorf("DecodeMessage of a decision just made failed")
					}
					if _, err := z.Decisions(ctx, 10, true); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := z.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	stored, err := count(st)
	if err != nil {
		t.Fatal(err)
	}
	page, err := z.Decisions(ctx, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(stored)+page.Dropped != workers*each {
		t.Errorf("%d decisions stored and %d dropped, want %d in all", stored, page.Dropped, workers*each)
	}
}
