package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
)

func (s *suite) testList(t *testing.T) {
	// IDs whose byte order differs from a human's: upper case before lower, multi-byte characters last.
	idList := []string{"b", "a", "B", "ab", "a/b", "a/a", "aa", "é", "中", "中文", "中a", "z", "🚀", "a-1", "a-10", "a-2"}
	sorted := slices.Clone(idList)
	slices.Sort(sorted)

	setup := func(t *testing.T) store.Store {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			for _, id := range idList {
				mustCreate(t, tx, record(scopeA, id, fmt.Sprintf(`{"id":%q}`, id)))
			}
			// Neighbours in other scopes must not show up.
			mustCreate(t, tx, record(scopeB, "a", `{}`))
			mustCreate(t, tx, record(global, "a", `{}`))
		})
		return st
	}

	run(t, "ListReturnsEveryRecordInByteOrder", func(t *testing.T) {
		st := setup(t)
		read(t, st, func(tx store.Tx) {
			recs, err := tx.List(scopeA, store.ListQuery{})
			wantIDs(t, "List()", recs, err, sorted)
			for _, r := range recs {
				if want := fmt.Sprintf(`{"id":%q}`, r.ID); string(r.Doc) != want || r.Version != 1 || r.Scope != scopeA {
					t.Errorf("List() returned %s with doc %s, version %d, scope %+v; want %s, 1, %+v",
						r.ID, r.Doc, r.Version, r.Scope, want, scopeA)
				}
			}
		})
	})

	cases := []struct {
		name string
		q    store.ListQuery
	}{
		{"Prefix", store.ListQuery{Prefix: "a"}},
		{"PrefixOfPathLikeIDs", store.ListQuery{Prefix: "a/"}},
		{"PrefixThatIsAnID", store.ListQuery{Prefix: "ab"}},
		{"PrefixMatchingNothing", store.ListQuery{Prefix: "nothing"}},
		{"MultiBytePrefix", store.ListQuery{Prefix: "中"}},
		{"PrefixCutInsideACharacter", store.ListQuery{Prefix: "\xe4"}},
		{"After", store.ListQuery{After: "a-2"}},
		{"AfterAnIDNotStored", store.ListQuery{After: "a-15"}},
		{"AfterTheLast", store.ListQuery{After: "🚀"}},
		{"Limit", store.ListQuery{Limit: 3}},
		{"LimitBeyondTheEnd", store.ListQuery{Limit: 100}},
		{"PrefixAndAfter", store.ListQuery{Prefix: "a", After: "a-2"}},
		{"PrefixAndAfterBeforeThePrefix", store.ListQuery{Prefix: "z", After: "b"}},
		{"PrefixAndAfterPastThePrefix", store.ListQuery{Prefix: "a", After: "b"}},
		{"PrefixAfterAndLimit", store.ListQuery{Prefix: "a", After: "a-1", Limit: 2}},
		{"MultiBytePrefixAndAfter", store.ListQuery{Prefix: "中", After: "中a"}},
	}
	for _, c := range cases {
		run(t, c.name, func(t *testing.T) {
			st := setup(t)
			want := listModel(sorted, c.q)
			read(t, st, func(tx store.Tx) {
				recs, err := tx.List(scopeA, c.q)
				wantIDs(t, fmt.Sprintf("List(%+v)", c.q), recs, err, want)
			})
		})
	}

	run(t, "PaginationWalksEveryRecordOnce", func(t *testing.T) {
		st := s.store(t)
		rng := rand.New(rand.NewPCG(1, 2))
		var all []string
		write(t, st, func(tx store.Tx) {
			for i := range 300 {
				id := fmt.Sprintf("%s-%d", []string{"role", "user", "Role", "rôle"}[rng.IntN(4)], rng.IntN(1_000_000)*1000+i)
				all = append(all, id)
				mustCreate(t, tx, record(scopeA, id, `{}`))
			}
		})
		slices.Sort(all)
		for _, q := range []store.ListQuery{{Limit: 1}, {Limit: 7}, {Limit: 100}, {Limit: 299}, {Limit: 300}, {Limit: 17, Prefix: "r"}} {
			var got []string
			read(t, st, func(tx store.Tx) {
				for pages := 0; ; pages++ {
					if pages > len(all)+1 {
						t.Fatalf("paging with %+v did not end after %d pages", q, pages)
					}
					recs, err := tx.List(scopeA, q)
					if err != nil {
						t.Fatalf("List(%+v) = %v", q, err)
					}
					if len(recs) > q.Limit {
						t.Fatalf("List(%+v) returned %d records, more than the limit", q, len(recs))
					}
					if len(recs) == 0 {
						break
					}
					got = append(got, ids(recs)...)
					q.After = recs[len(recs)-1].ID
				}
			})
			want := listModel(all, store.ListQuery{Prefix: q.Prefix})
			if !slices.Equal(got, want) {
				t.Errorf("paging with limit %d and prefix %q returned %d IDs, want each of the %d once, in order",
					q.Limit, q.Prefix, len(got), len(want))
			}
		}
	})

	run(t, "Count", func(t *testing.T) {
		st := setup(t)
		read(t, st, func(tx store.Tx) {
			for sc, want := range map[store.Scope]int{scopeA: len(idList), scopeB: 1, global: 1, {Kind: "none"}: 0} {
				if n, err := tx.Count(sc); err != nil || n != want {
					t.Errorf("Count(%+v) = %d, %v, want %d", sc, n, err, want)
				}
			}
		})
		write(t, st, func(tx store.Tx) {
			if err := tx.Delete(key(scopeA, "a")); err != nil {
				t.Fatalf("Delete(a) = %v", err)
			}
			mustPut(t, tx, record(scopeA, "b", `{"changed":true}`))
			if n, err := tx.Count(scopeA); err != nil || n != len(idList)-1 {
				t.Errorf("Count() after a Delete = %d, %v, want %d", n, err, len(idList)-1)
			}
		})
	})
}

// listModel is what List returns, computed from the sorted IDs.
func listModel(sorted []string, q store.ListQuery) []string {
	var out []string
	for _, id := range sorted {
		if !strings.HasPrefix(id, q.Prefix) || id <= q.After {
			continue
		}
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
		out = append(out, id)
	}
	return out
}

func (s *suite) testScopes(t *testing.T) {
	run(t, "TheSameIDInOtherScopesIsAnotherRecord", func(t *testing.T) {
		st := s.store(t)
		otherRegion := scopeA
		otherRegion.Region = "eu-west-1"
		otherKind := scopeA
		otherKind.Kind = "test.gadget"
		noAccount := store.Scope{Kind: scopeA.Kind}
		scopes := []store.Scope{scopeA, scopeB, otherRegion, otherKind, global, noAccount}
		write(t, st, func(tx store.Tx) {
			for i, sc := range scopes {
				mustCreate(t, tx, record(sc, "same", fmt.Sprintf(`{"scope":%d}`, i), plain("tag", "t")))
			}
		})
		write(t, st, func(tx store.Tx) {
			mustPut(t, tx, record(scopeA, "same", `{"scope":"changed"}`, plain("tag", "t")))
			if err := tx.Delete(key(scopeB, "same")); err != nil {
				t.Fatalf("Delete(scopeB/same) = %v", err)
			}
		})
		read(t, st, func(tx store.Tx) {
			for i, sc := range scopes {
				want := fmt.Sprintf(`{"scope":%d}`, i)
				switch sc {
				case scopeA:
					want = `{"scope":"changed"}`
				case scopeB:
					want = ""
				}
				wantDoc(t, tx, key(sc, "same"), want)
				wantN := 1
				if want == "" {
					wantN = 0
				}
				if n, err := tx.Count(sc); err != nil || n != wantN {
					t.Errorf("Count(%+v) = %d, %v, want %d", sc, n, err, wantN)
				}
				recs, err := tx.List(sc, store.ListQuery{})
				if err != nil || len(recs) != wantN {
					t.Errorf("List(%+v) = %d records, %v, want %d", sc, len(recs), err, wantN)
				}
				recs, err = tx.Find(sc, "tag", "t")
				if err != nil || len(recs) != wantN || (wantN == 1 && recs[0].Scope != sc) {
					t.Errorf("Find(%+v, tag=t) = %d records, %v, want %d of that scope", sc, len(recs), err, wantN)
				}
			}
		})
	})
}
