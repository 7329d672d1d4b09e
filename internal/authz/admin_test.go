package authz

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func adminServer(t *testing.T, z *Authorizer) *httptest.Server {
	mux := http.NewServeMux()
	z.AdminRoutes(mux)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs
}

func send(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func putBody(account, name, doc string) string {
	b, _ := json.Marshal(map[string]string{"account": account, "name": name, "document": doc})
	return string(b)
}

func TestSCPAdminAPI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sagebox.db")
	st := sqliteStore(t, path)
	stamp := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	z := open(t, Config{Store: st, DefaultAccount: acct, Now: func() time.Time { return stamp }})
	hs := adminServer(t, z)

	refusals := []struct {
		name, body, want string
	}{
		{"not JSON", "{", "the body must be"},
		{"a bad account", putBody("12", "a", allowAll), `account "12" is not a 12-digit account id`},
		{"a bad name", putBody(acct, "no spaces", allowAll), `SCP name "no spaces": use letters, digits and +=,.@_- only`},
		{"a document with a principal", putBody(acct, "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`),
			"the policy is not a valid SCP"},
		{"a document too large", putBody(acct, "big", `{"Version":"2012-10-17","Statement":{"Sid":"`+strings.Repeat("a", 5200)+`","Effect":"Allow","Action":"*","Resource":"*"}}`),
			"an SCP may have at most 5120"},
	}
	for _, tc := range refusals {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			code, body := send(t, http.MethodPost, hs.URL+"/_sagebox/scps", tc.body)
			var e struct{ Error string }
			json.Unmarshal([]byte(body), &e)
			if code != http.StatusBadRequest || !strings.Contains(e.Error, tc.want) {
				t.Errorf("POST /_sagebox/scps with %s = %d %s, want 400 saying %q", tc.name, code, body, tc.want)
			}
		})
	}

	code, body := send(t, http.MethodPost, hs.URL+"/_sagebox/scps", putBody("", "FullAWSAccess", allowAll))
	if code != http.StatusOK || !strings.Contains(body, `"account": "`+acct+`"`) {
		t.Fatalf("POST /_sagebox/scps without an account = %d %s, want the default account's SCP", code, body)
	}
	if code, body = send(t, http.MethodPost, hs.URL+"/_sagebox/scps", putBody("444455556666", "deny-iam", denyGetUser)); code != http.StatusOK {
		t.Fatalf("POST /_sagebox/scps = %d %s", code, body)
	}
	code, body = send(t, http.MethodGet, hs.URL+"/_sagebox/scps?account="+acct, "")
	if code != http.StatusOK || !strings.Contains(body, "FullAWSAccess") || strings.Contains(body, "deny-iam") {
		t.Errorf("GET /_sagebox/scps?account=%s = %d %s, want its one SCP", acct, code, body)
	}
	code, body = send(t, http.MethodGet, hs.URL+"/_sagebox/scps/444455556666/deny-iam", "")
	if code != http.StatusOK || !strings.Contains(body, `"created": "2026-05-01T00:00:00Z"`) {
		t.Errorf("GET one SCP = %d %s, want it, stamped with the server's clock", code, body)
	}
	if code, body = send(t, http.MethodGet, hs.URL+"/_sagebox/scps/444455556666/nothing", ""); code != http.StatusNotFound {
		t.Errorf("GET a missing SCP = %d %s, want 404", code, body)
	}

	t.Run("an account has at most 5 SCPs", func(t *testing.T) {
		for _, n := range []string{"b", "c", "d", "e"} {
			if code, body := send(t, http.MethodPost, hs.URL+"/_sagebox/scps", putBody("", n, allowAll)); code != http.StatusOK {
				t.Fatalf("POST SCP %s = %d %s", n, code, body)
			}
		}
		code, body := send(t, http.MethodPost, hs.URL+"/_sagebox/scps", putBody("", "f", allowAll))
		if code != http.StatusBadRequest || !strings.Contains(body, "already has 5 SCPs") {
			t.Errorf("a sixth SCP = %d %s, want 400", code, body)
		}
		// Replacing one is not adding one.
		if code, body := send(t, http.MethodPost, hs.URL+"/_sagebox/scps", putBody("", "e", allowIAM)); code != http.StatusOK {
			t.Errorf("replacing the fifth = %d %s, want 200", code, body)
		}
		for _, n := range []string{"b", "c", "d", "e"} {
			if code, body := send(t, http.MethodDelete, hs.URL+"/_sagebox/scps/"+n, ""); code != http.StatusOK {
				t.Fatalf("DELETE SCP %s of the default account = %d %s", n, code, body)
			}
		}
	})

	t.Run("SCPs survive a restart", func(t *testing.T) {
		z2 := open(t, Config{Store: st})
		if got := z2.SCPs(""); len(got) != 2 || got[0].Name != "FullAWSAccess" || got[1].Name != "deny-iam" {
			t.Errorf("SCPs after reopening = %+v, want FullAWSAccess and deny-iam", got)
		}
		if got := z2.scps.forAccount("444455556666"); len(got) != 1 || len(got[0]) != 1 {
			t.Errorf("the request path sees %v for 444455556666, want one level of one SCP", got)
		}
	})

	code, body = send(t, http.MethodDelete, hs.URL+"/_sagebox/scps/444455556666/deny-iam", "")
	if code != http.StatusOK || !strings.Contains(body, "deny-iam") {
		t.Errorf("DELETE an SCP = %d %s", code, body)
	}
	if code, body = send(t, http.MethodDelete, hs.URL+"/_sagebox/scps/444455556666/deny-iam", ""); code != http.StatusNotFound {
		t.Errorf("DELETE it again = %d %s, want 404", code, body)
	}
	if got := z.scps.forAccount("444455556666"); got != nil {
		t.Errorf("the request path still sees %v for an account without SCPs", got)
	}
}

func TestDecisionsAdminAPI(t *testing.T) {
	z := open(t, Config{Store: sqliteStore(t, ""), Identities: listPolicy(t), FlushInterval: time.Hour})
	hs := adminServer(t, z)
	decideMany(t, z, 1, 4)
	code, body := send(t, http.MethodGet, hs.URL+"/_sagebox/decisions?limit=2&denied=true", "")
	var page DecisionPage
	if code != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || requestIDs(page.Decisions) != "req-3 req-1" {
		t.Errorf("GET /_sagebox/decisions?limit=2&denied=true = %d %s, want req-3 and req-1", code, body)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "denied=maybe"} {
		if code, body := send(t, http.MethodGet, hs.URL+"/_sagebox/decisions?"+q, ""); code != http.StatusBadRequest {
			t.Errorf("GET /_sagebox/decisions?%s = %d %s, want 400", q, code, body)
		}
	}
	code, body = send(t, http.MethodGet, hs.URL+"/_sagebox/decisions/req-3", "")
	if code != http.StatusOK || !strings.Contains(body, `"matchedStatements": []`) || !strings.Contains(body, `"layer": "identity-based policy"`) {
		t.Errorf("GET /_sagebox/decisions/req-3 = %d %s, want the explained denial", code, body)
	}
	if code, body = send(t, http.MethodGet, hs.URL+"/_sagebox/decisions/req-none", ""); code != http.StatusNotFound {
		t.Errorf("GET an unknown request's decisions = %d %s, want 404", code, body)
	}
}
