package sagemaker

// Tests of the presigned URL's token and of the Studio page, over a real store seeded with the state writers, so
// that they hold whatever the operations that create domains, profiles and apps do.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

const (
	studioAccount = "123456789012"
	studioRegion  = "us-west-2"
	studioRole    = "arn:aws:iam::123456789012:role/service-role/StudioExecution"
)

var studioT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func studioSample() studioToken {
	return studioToken{
		Kind: tokenURL, Expires: studioT0.Add(300 * time.Second).UnixMilli(), Session: 43200, Nonce: "0123456789abcdef0123456789abcdef",
		Account: studioAccount, Region: studioRegion, Domain: "d-abcdefghijkl", Profile: "Alice", Space: "team", Landing: "app:JupyterLab:lab/tree",
	}
}

func TestStudioTokenRoundTrips(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	for _, tc := range []struct {
		name string
		tok  studioToken
	}{
		{"a URL for a profile, a space and a landing URI", studioSample()},
		{"a URL with no space nor landing URI", studioToken{Kind: tokenURL, Expires: 1, Session: 1800, Nonce: "n", Account: studioAccount, Region: studioRegion, Domain: "d-x", Profile: "p"}},
		{"a session", studioToken{Kind: tokenSession, Expires: studioT0.UnixMilli(), Session: 3600, Nonce: "n", Account: studioAccount, Region: studioRegion, Domain: "d-x", Profile: "p", Landing: strings.Repeat("é", 500)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.tok.sign(key)
			got, err := parseToken(key, text)
			if err != nil {
				t.Fatalf("parseToken(sign(%+v)) = %v", tc.tok, err)
			}
			if *got != tc.tok {
				t.Errorf("parseToken(sign(%+v)) = %+v", tc.tok, *got)
			}
		})
	}
}

func TestStudioTokenRefusesAnyChange(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := studioSample()
	text := tok.sign(key)
	raw, _ := studioDecodeRaw(text)
	// Every bit of every byte, payload and MAC alike.
	for i := range raw {
		for bit := range 8 {
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			if _, err := parseToken(key, studioEncodeRaw(b)); err == nil {
				t.Fatalf("parseToken accepted the token with bit %d of byte %d flipped", bit, i)
			}
		}
	}
	for _, tc := range []struct{ name, text string }{
		{"empty", ""},
		{"not base64url", "!!!!"},
		{"cut short", text[:len(text)-1]},
		{"with a byte more", text + "A"},
		{"too long", strings.Repeat("A", maxTokenLength+4)},
		{"only a MAC", studioEncodeRaw(make([]byte, 32))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := parseToken(key, tc.text); err == nil {
				t.Errorf("parseToken(%s) = %+v, want an error", tc.name, got)
			}
		})
	}
	t.Run("signed with another key", func(t *testing.T) {
		if _, err := parseToken([]byte("another key"), text); err == nil {
			t.Error("parseToken accepted a token signed with another key")
		}
	})
	t.Run("with a valid MAC over a malformed payload", func(t *testing.T) {
		// What a holder of the key could forge: the parser must still refuse what is not a token.
		for _, payload := range [][]byte{
			{tokenVersion, tokenURL},
			append([]byte{tokenVersion, 'x'}, make([]byte, 12)...),
			append(append([]byte{tokenVersion, tokenURL}, make([]byte, 12)...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
			append(append([]byte{tokenVersion, tokenURL}, make([]byte, 12)...), 5, 'a'),
			append(tok.encode(), 0),
		} {
			if got, err := parseToken(key, studioMAC(key, payload)); err == nil {
				t.Errorf("parseToken(% x) = %+v, want an error", payload, got)
			}
		}
	})
}

func FuzzParseStudioToken(f *testing.F) {
	key := []byte("fuzz key")
	tok := studioSample()
	f.Add(tok.sign(key))
	f.Add("")
	f.Add("AAAA")
	f.Add(studioMAC(key, []byte{tokenVersion, tokenURL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a'}))
	f.Fuzz(func(t *testing.T, text string) {
		got, err := parseToken(key, text)
		if err != nil {
			return
		}
		// A token that parses re-signs to itself: nothing in it was skipped or invented.
		if again := got.sign(key); again != text {
			t.Errorf("parseToken(%q) = %+v, which signs to %q", text, got, again)
		}
	})
}

func FuzzDecodeStudioToken(f *testing.F) {
	tok := studioSample()
	f.Add(tok.encode())
	f.Add([]byte{tokenVersion, tokenSession, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeToken(b)
		if err != nil {
			return
		}
		if again := got.encode(); !bytes.Equal(again, b) {
			// Uvarints have several encodings of one length; only the shortest is written.
			if _, err := decodeToken(again); err != nil {
				t.Errorf("decodeToken(% x) = %+v, which encodes to % x that does not decode: %v", b, got, again, err)
			}
		}
	})
}

var studioB64 = base64.RawURLEncoding

// studioMAC signs any payload as sign does: what a holder of the key could make.
func studioMAC(key, payload []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return studioB64.EncodeToString(m.Sum(bytes.Clone(payload)))
}

func studioDecodeRaw(text string) ([]byte, error) { return studioB64.DecodeString(text) }
func studioEncodeRaw(b []byte) string             { return studioB64.EncodeToString(b) }

// The Studio page.

// studioRoles is IAM as the page sees it, with one role.
type studioRoles struct{}

func (studioRoles) RolePermissions(t store.Tx, account, arn string) (*RolePermissions, error) {
	if account != studioAccount || arn != studioRole {
		return nil, nil
	}
	return &RolePermissions{ARN: arn, AttachedPolicies: []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}, InlinePolicies: []string{"read-datasets"}}, nil
}

type studioFixture struct {
	svc   *Service
	clock *clock.Manual
	st    store.Store
	srv   *httptest.Server
}

// startStudio serves the Studio pages of a SageMaker over a store holding an IAM domain with a profile "Alice"
// (which names no role: the domain's default applies), a profile "Bob" with his own role that no longer exists, and
// Alice's apps.
func startStudio(t *testing.T) *studioFixture {
	t.Helper()
	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewManual(studioT0)
	svc := New(Config{IDs: ids.Seeded(7), Clock: clk, URLKey: []byte("studio test key"), Store: st, RoleInfo: studioRoles{}})
	life := lifecycle{Created: studioT0.Add(-time.Hour), Ready: studioT0.Add(-time.Hour), Modified: studioT0.Add(-time.Hour)}
	studioSeed(t, st, func(tx store.Tx) error {
		d := &domain{ID: "d-abcdefghijkl", Name: "research", lifecycle: life, AuthMode: "IAM", VPCID: "vpc-0123456789abcdef0",
			SubnetIDs: []string{"subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"}, AppNetworkAccessType: "VpcOnly",
			DefaultUserSettings: &UserSettings{ExecutionRole: ptr(studioRole)}}
		if err := putDomain(tx, studioAccount, studioRegion, d); err != nil {
			return err
		}
		if err := putProfile(tx, studioAccount, studioRegion, &profile{DomainID: d.ID, Name: "Alice", lifecycle: life, HomeEfsFileSystemUID: "200001"}); err != nil {
			return err
		}
		gone := &UserSettings{ExecutionRole: ptr("arn:aws:iam::123456789012:role/Deleted")}
		if err := putProfile(tx, studioAccount, studioRegion, &profile{DomainID: d.ID, Name: "Bob", lifecycle: life, UserSettings: gone}); err != nil {
			return err
		}
		for _, a := range []*app{
			{DomainID: d.ID, Profile: "Alice", Type: "JupyterServer", Name: "default", lifecycle: life},
			{DomainID: d.ID, Profile: "Alice", Type: "KernelGateway", Name: "datascience-1-0", lifecycle: lifecycle{Created: studioT0, Ready: studioT0.Add(time.Minute)}},
			{DomainID: d.ID, Profile: "Bob", Type: "JupyterServer", Name: "bobs-app", lifecycle: life},
		} {
			if err := putApp(tx, studioAccount, studioRegion, a); err != nil {
				return err
			}
		}
		return nil
	})
	srv := httptest.NewServer(svc.Studio())
	t.Cleanup(srv.Close)
	return &studioFixture{svc: svc, clock: clk, st: st, srv: srv}
}

func studioSeed(t *testing.T, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	tx, err := st.Begin(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// url returns a presigned URL for the profile, expiring in expires, as CreatePresignedDomainUrl makes it.
func (f *studioFixture) url(profile string, expires time.Duration, nonce string) string {
	tok := studioToken{Kind: tokenURL, Expires: f.clock.Now().Add(expires).UnixMilli(), Session: 1800, Nonce: nonce,
		Account: studioAccount, Region: studioRegion, Domain: "d-abcdefghijkl", Profile: profile}
	return f.srv.URL + AuthPath + "?" + url.Values{"token": {tok.sign(f.svc.urlKey)}}.Encode()
}

// studioBrowser is a client that keeps cookies and follows redirects, as a studioBrowser does.
func studioBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func studioGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func wantStudioPage(t *testing.T, what string, status int, body string, wantStatus int, wants ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s answered %d, want %d; the page says:\n%s", what, status, wantStatus, body)
		return
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s shows no %q; the page says:\n%s", what, w, body)
		}
	}
}

func TestStudioPage(t *testing.T) {
	t.Run("a good URL shows the profile, its domain, its role and what it may do, and its apps", func(t *testing.T) {
		f := startStudio(t)
		status, body := studioGet(t, studioBrowser(t), f.url("alice", 300*time.Second, "n1"))
		wantStudioPage(t, "the presigned URL", status, body, http.StatusOK,
			"Alice", "d-abcdefghijkl", "research", "vpc-0123456789abcdef0", "subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb", "VpcOnly",
			"arn:aws:sagemaker:us-west-2:123456789012:user-profile/d-abcdefghijkl/alice", studioRole, "the domain&#39;s default execution role",
			"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess", "read-datasets",
			"<td>JupyterServer</td><td>default</td><td>InService</td>", "<td>KernelGateway</td><td>datascience-1-0</td><td>Pending</td>")
		if strings.Contains(body, "bobs-app") {
			t.Errorf("Alice's page shows Bob's app:\n%s", body)
		}
	})
	t.Run("a profile's own role that no longer exists is said to be missing", func(t *testing.T) {
		f := startStudio(t)
		status, body := studioGet(t, studioBrowser(t), f.url("Bob", 300*time.Second, "n1"))
		wantStudioPage(t, "Bob's URL", status, body, http.StatusOK, "arn:aws:iam::123456789012:role/Deleted", "the user profile&#39;s execution role", "no longer exists", "bobs-app")
	})
	t.Run("the session lets the page be seen again without the URL", func(t *testing.T) {
		f := startStudio(t)
		b := studioBrowser(t)
		studioGet(t, b, f.url("Alice", 300*time.Second, "n1"))
		status, body := studioGet(t, b, f.srv.URL+StudioPath)
		wantStudioPage(t, "the page on a second visit", status, body, http.StatusOK, "Alice")
		f.clock.Add(1800 * time.Second)
		status, body = studioGet(t, b, f.srv.URL+StudioPath)
		wantStudioPage(t, "the page after the session's 1800 seconds", status, body, http.StatusForbidden, invalidToken, "Studio session expired")
	})
	t.Run("an altered token is refused", func(t *testing.T) {
		f := startStudio(t)
		u := f.url("Alice", 300*time.Second, "n1")
		i := strings.Index(u, "token=") + len("token=") + 10
		altered := u[:i] + string("AB"[studioBoolIndex(u[i] == 'A')]) + u[i+1:]
		status, body := studioGet(t, studioBrowser(t), altered)
		wantStudioPage(t, "an altered URL", status, body, http.StatusForbidden, invalidToken, "altered")
	})
	t.Run("a token signed by another sagebox is refused", func(t *testing.T) {
		f := startStudio(t)
		tok := studioToken{Kind: tokenURL, Expires: studioT0.Add(time.Minute).UnixMilli(), Session: 1800, Nonce: "n", Account: studioAccount, Region: studioRegion, Domain: "d-abcdefghijkl", Profile: "Alice"}
		status, body := studioGet(t, studioBrowser(t), f.srv.URL+AuthPath+"?token="+tok.sign([]byte("another key")))
		wantStudioPage(t, "a forged URL", status, body, http.StatusForbidden, invalidToken, "not issued by this sagebox")
	})
	t.Run("a URL is refused once ExpiresInSeconds have passed by the server's clock", func(t *testing.T) {
		f := startStudio(t)
		u := f.url("Alice", 5*time.Second, "n1")
		f.clock.Add(5 * time.Second)
		status, body := studioGet(t, studioBrowser(t), u)
		wantStudioPage(t, "a URL 5 seconds after it was made with ExpiresInSeconds 5", status, body, http.StatusForbidden, invalidToken, "presigned URL expired at 2026-03-01T12:00:05Z")
	})
	t.Run("a URL opens Studio once", func(t *testing.T) {
		f := startStudio(t)
		u := f.url("Alice", 300*time.Second, "n1")
		if status, body := studioGet(t, studioBrowser(t), u); status != http.StatusOK {
			t.Fatalf("the first use answered %d:\n%s", status, body)
		}
		status, body := studioGet(t, studioBrowser(t), u)
		wantStudioPage(t, "the URL's second use", status, body, http.StatusForbidden, invalidToken, "already been used")
		status, body = studioGet(t, studioBrowser(t), f.url("Alice", 300*time.Second, "n2"))
		wantStudioPage(t, "another URL for the same profile", status, body, http.StatusOK, "Alice")
	})
	t.Run("used URLs are forgotten once expired", func(t *testing.T) {
		f := startStudio(t)
		studioGet(t, studioBrowser(t), f.url("Alice", 10*time.Second, "n1"))
		f.clock.Add(time.Minute)
		studioGet(t, studioBrowser(t), f.url("Alice", 10*time.Second, "n2"))
		tx, err := f.st.Begin(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		recs, err := tx.List(scope(studioAccount, studioRegion, kindUsedURL), store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].ID != "n2" {
			t.Errorf("the used URLs kept are %v, want only n2's", recs)
		}
	})
	t.Run("a session cookie is no URL token, nor the reverse", func(t *testing.T) {
		f := startStudio(t)
		session := studioToken{Kind: tokenSession, Expires: studioT0.Add(time.Hour).UnixMilli(), Nonce: "n", Account: studioAccount, Region: studioRegion, Domain: "d-abcdefghijkl", Profile: "Alice"}
		status, body := studioGet(t, studioBrowser(t), f.srv.URL+AuthPath+"?token="+session.sign(f.svc.urlKey))
		wantStudioPage(t, "a session token as a URL", status, body, http.StatusForbidden, invalidToken)
		u, _ := url.Parse(f.url("Alice", time.Minute, "n1"))
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+StudioPath, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: u.Query().Get("token")})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("the page with a URL token as its cookie answered %d, want 403", resp.StatusCode)
		}
	})
	t.Run("the page without a session is refused", func(t *testing.T) {
		f := startStudio(t)
		status, body := studioGet(t, studioBrowser(t), f.srv.URL+StudioPath)
		wantStudioPage(t, "the page without a session", status, body, http.StatusForbidden, invalidToken, "no Studio session")
		status, body = studioGet(t, studioBrowser(t), f.srv.URL+AuthPath)
		wantStudioPage(t, "the auth URL without a token", status, body, http.StatusForbidden, invalidToken, "no token")
	})
	t.Run("a profile deleted since is not found", func(t *testing.T) {
		f := startStudio(t)
		u := f.url("Alice", time.Minute, "n1")
		studioSeed(t, f.st, func(tx store.Tx) error {
			return remove(tx, studioAccount, studioRegion, kindProfile, profileID("d-abcdefghijkl", "Alice"))
		})
		status, body := studioGet(t, studioBrowser(t), u)
		wantStudioPage(t, "the URL of a deleted profile", status, body, http.StatusNotFound, "no longer exists")
	})
	t.Run("other paths are not found", func(t *testing.T) {
		f := startStudio(t)
		status, _ := studioGet(t, studioBrowser(t), f.srv.URL+StudioPath+"elsewhere")
		if status != http.StatusNotFound {
			t.Errorf("GET %selsewhere answered %d, want 404", StudioPath, status)
		}
	})
}

func studioBoolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
