package sagemaker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// The parsers of the tag operations: resource ARNs (arnParts, findTagged) and ListTags tokens (tagPage). The
// front door cannot reach a second ListTags page (a resource holds at most 50 tags, and MaxResults is at least 50),
// so tagPage's pages are tested here.

func TestTagPageCutsPagesInOrder(t *testing.T) {
	var tags []tag
	for i := range 7 {
		tags = append(tags, tag{Key: fmt.Sprintf("k%d", 6-i), Value: "v"})
	}
	var got []string
	token, pages := "", 0
	for {
		page, next, err := tagPage(tags, token, ptr(int32(3)))
		if err != nil {
			t.Fatalf("tagPage(token %q) = %v", token, err)
		}
		pages++
		for _, tg := range page {
			got = append(got, tg.Key)
		}
		if next == "" {
			break
		}
		token = next
	}
	if want := "k6 k5 k4 k3 k2 k1 k0"; strings.Join(got, " ") != want || pages != 3 {
		t.Errorf("tagPage by 3 = %q in %d pages, want %q in 3", strings.Join(got, " "), pages, want)
	}
	if _, _, err := tagPage(tags, "%%%", nil); err == nil {
		t.Error("tagPage(a token that is not base64) succeeded, want a ValidationException")
	}
}

func FuzzTagPage(f *testing.F) {
	f.Add("", int32(0), 3)
	f.Add("azA", int32(2), 5)
	f.Add("%%", int32(-1), 0)
	f.Add("azE", int32(1), 60)
	f.Fuzz(func(t *testing.T, token string, maxResults int32, n int) {
		n = min(max(n, 0), 100)
		tags := make([]tag, n)
		for i := range tags {
			tags[i] = tag{Key: fmt.Sprintf("k%d", i)}
		}
		page, next, err := tagPage(tags, token, &maxResults)
		if err != nil {
			return
		}
		if maxResults > 0 && len(page) > int(maxResults) {
			t.Errorf("tagPage(max %d) = %d tags", maxResults, len(page))
		}
		if next != "" && len(page) == 0 {
			t.Errorf("tagPage(%q) = an empty page with a next token %q", token, next)
		}
	})
}

func FuzzARNParts(f *testing.F) {
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:domain/d-abcdefghijkl")
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:app/d-x/alice/jupyterserver/default")
	f.Add("arn:aws:iam::000000000000:role/x")
	f.Add("arn:::::")
	f.Add("")
	f.Fuzz(func(t *testing.T, arn string) {
		region, account, resource, ok := arnParts(arn)
		if !ok {
			return
		}
		if got := "arn:" + strings.SplitN(arn, ":", 3)[1] + ":sagemaker:" + region + ":" + account + ":" + resource; got != arn {
			t.Errorf("arnParts(%q) = %q, %q, %q, which put together make %q", arn, region, account, resource, got)
		}
	})
}

// FuzzFindTagged looks resources up by fuzzed ARNs in a store that holds a domain, a profile, a space and an app:
// no ARN panics, and what is found is one of them.
func FuzzFindTagged(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	const acct, region = "000000000000", "us-east-1"
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	life := lifecycle{Created: now, Ready: now, Modified: now}
	tx, err := st.Begin(ctx, true)
	if err != nil {
		f.Fatal(err)
	}
	for _, put := range []func(store.Tx) error{
		func(t store.Tx) error {
			return putDomain(t, acct, region, &domain{ID: "d-abcdefghijkl", Tags: []tag{{"k", "domain"}}, lifecycle: life})
		},
		func(t store.Tx) error {
			return putProfile(t, acct, region, &profile{DomainID: "d-abcdefghijkl", Name: "Alice", Tags: []tag{{"k", "profile"}}, lifecycle: life})
		},
		func(t store.Tx) error {
			return putSpace(t, acct, region, &space{DomainID: "d-abcdefghijkl", Name: "lab", Tags: []tag{{"k", "space"}}, lifecycle: life})
		},
		func(t store.Tx) error {
			return putApp(t, acct, region, &app{DomainID: "d-abcdefghijkl", Profile: "Alice", Type: "JupyterServer", Name: "default", Tags: []tag{{"k", "app"}}, lifecycle: life})
		},
	} {
		if err := put(tx); err != nil {
			f.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		f.Fatal(err)
	}
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:domain/d-abcdefghijkl")
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:user-profile/d-abcdefghijkl/alice")
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:space/d-abcdefghijkl/lab")
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:app/d-abcdefghijkl/alice/jupyterserver/default")
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:app/d-abcdefghijkl/alice/jupyterserver")
	f.Add("arn:aws:sagemaker:eu-west-1:000000000000:domain/d-abcdefghijkl")
	f.Add("arn:aws:sagemaker:us-east-1:000000000000:domain/")
	s := &Service{}
	c := &api.Call{Region: region, Principal: &api.Principal{Account: acct}, Now: now}
	f.Fuzz(func(t *testing.T, arn string) {
		tx, err := st.Begin(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		r, err := s.findTagged(tx, c, arn)
		if err != nil {
			t.Fatalf("findTagged(%q) = %v", arn, err)
		}
		if r == nil {
			return
		}
		if len(r.tags) != 1 || !strings.Contains(arn, ":"+map[string]string{"domain": "domain/", "profile": "user-profile/", "space": "space/", "app": "app/"}[r.tags[0].Value]) {
			t.Errorf("findTagged(%q) found the resource tagged %v", arn, r.tags)
		}
	})
}
