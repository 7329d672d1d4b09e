package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// benchDoc is the size of a typical stored resource: an IAM role with its trust policy.
var benchDoc = []byte(`{"RoleName":"execution-role-0000","RoleId":"AROAEXAMPLEEXAMPLE000","Arn":"arn:aws:iam::123456789012:role/service-role/execution-role-0000","Path":"/service-role/","CreateDate":"2024-01-01T00:00:00Z","MaxSessionDuration":3600,"AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]},"Tags":[{"Key":"team","Value":"ml-platform"}]}`)

// benchStores runs a benchmark against a file and an in-memory store holding n records.
func benchStores(b *testing.B, n int, fn func(b *testing.B, st store.Store)) {
	ctx := context.Background()
	open := map[string]func() (*sqlite.DB, error){
		"File":   func() (*sqlite.DB, error) { return sqlite.Open(ctx, filepath.Join(b.TempDir(), "sagebox.db")) },
		"Memory": func() (*sqlite.DB, error) { return sqlite.OpenMemory(ctx) },
	}
	for _, name := range []string{"File", "Memory"} {
		b.Run(name, func(b *testing.B) {
			db, err := open[name]()
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			fill(b, db, n)
			b.ResetTimer()
			fn(b, db)
		})
	}
}

func benchRecord(i int) *store.Record {
	id := fmt.Sprintf("role-%06d", i)
	return &store.Record{Key: key(id), Doc: benchDoc, Indexes: []store.Index{
		{Name: "name", Value: id, Unique: true},
		{Name: "path", Value: "/service-role/"},
	}}
}

func fill(b *testing.B, st store.Store, n int) {
	tx, err := st.Begin(context.Background(), true)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := tx.Create(benchRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

const benchRecords = 10_000

// BenchmarkGet is one read request's store work: a read transaction, a Get, and its end.
func BenchmarkGet(b *testing.B) {
	benchStores(b, benchRecords, func(b *testing.B, st store.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			tx, err := st.Begin(ctx, false)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Get(key(fmt.Sprintf("role-%06d", i%benchRecords))); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}

// BenchmarkGetParallel is BenchmarkGet from as many goroutines as GOMAXPROCS: the readers do not wait for each
// other.
func BenchmarkGetParallel(b *testing.B) {
	benchStores(b, benchRecords, func(b *testing.B, st store.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				tx, err := st.Begin(ctx, false)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := tx.Get(key(fmt.Sprintf("role-%06d", i%benchRecords))); err != nil {
					b.Error(err)
				}
				tx.Commit()
				i += 7919
			}
		})
	})
}

// BenchmarkLookup finds a record by a unique index in a read transaction.
func BenchmarkLookup(b *testing.B) {
	benchStores(b, benchRecords, func(b *testing.B, st store.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			tx, err := st.Begin(ctx, false)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Lookup(scope, "name", fmt.Sprintf("role-%06d", i%benchRecords)); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}

// BenchmarkList100 reads a page of 100 records in a read transaction.
func BenchmarkList100(b *testing.B) {
	benchStores(b, benchRecords, func(b *testing.B, st store.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			tx, err := st.Begin(ctx, false)
			if err != nil {
				b.Fatal(err)
			}
			after := fmt.Sprintf("role-%06d", i%(benchRecords-100))
			recs, err := tx.List(scope, store.ListQuery{After: after, Limit: 100})
			if err != nil || len(recs) != 100 {
				b.Fatalf("List() = %d records, %v", len(recs), err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}

// BenchmarkCreate is one write request's store work: a write transaction, a Create with two indexes, and a
// durable Commit.
func BenchmarkCreate(b *testing.B) {
	benchStores(b, 0, func(b *testing.B, st store.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			tx, err := st.Begin(ctx, true)
			if err != nil {
				b.Fatal(err)
			}
			if err := tx.Create(benchRecord(i)); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkPut replaces a document, its indexes unchanged, in a write transaction with a durable Commit.
func BenchmarkPut(b *testing.B) {
	benchStores(b, benchRecords, func(b *testing.B, st store.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			tx, err := st.Begin(ctx, true)
			if err != nil {
				b.Fatal(err)
			}
			if err := tx.Put(benchRecord(i % benchRecords)); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}

// BenchmarkOpen is the store's share of sagebox's start: opening an existing database file (schema up to date)
// or a new in-memory one (schema created), and closing it.
func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "sagebox.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	fill(b, db, 1000)
	db.Close()
	b.Run("File", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("Memory", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			db, err := sqlite.OpenMemory(ctx)
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
}
