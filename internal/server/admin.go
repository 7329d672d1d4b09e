package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/account"
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/sigv4"
)

// Control is what the admin API acts on; the wiring in package app implements it.
type Control interface {
	// Reset brings everything back to a fresh start: no resources, the default account only, the clock unmoved.
	Reset(ctx context.Context) error
	// Advance moves the server's clock forward and returns the new time.
	Advance(d time.Duration) time.Time
	// Now is the server's clock; Offset how far it has been moved.
	Now() time.Time
	Offset() time.Duration
	CreateAccount(ctx context.Context, name string) (*account.Account, error)
	Accounts(ctx context.Context) ([]*account.Account, error)
	// Services names the services served.
	Services() []string
	// Reach says whether traffic from a subnet or a network interface can get to an AWS service of the region or to
	// the internet, and by which way or why not (`sagebox reach`). The answer is JSON-encodable; a query that names
	// what does not exist is an *awserr.Error.
	Reach(ctx context.Context, q ReachQuery) (any, error)
}

// ReachQuery is what GET /_sagebox/reach asks: a source (a subnet with security groups, or a network interface)
// in an account and region (empty for the default account and the server's region), and a destination service.
type ReachQuery struct {
	Account, Region string
	Subnet          string
	SecurityGroups  []string
	Interface       string
	// Service is a service's short name ("s3", "sts", "sagemaker.api") or "internet".
	Service string
	// Domain asks for a SageMaker Studio domain instead: whether its apps reach each service they call.
	Domain string
}

// AdminConfig configures the admin API.
type AdminConfig struct {
	Control Control
	// Open lets requests in without credentials: only when the server is bound to loopback.
	Open bool
	// Authn and RootAccount check the signature of requests when the API is not Open: only the root user of
	// RootAccount (the default account) may use it.
	Authn       *authn.Authenticator
	RootAccount string
	// Routes adds the endpoints other packages serve under /_sagebox/ (the authorizer's decision log and service
	// control policies); they are guarded as the rest of the admin API is.
	Routes func(mux *http.ServeMux)
}

// NewAdmin returns the handler of /_sagebox/ and of moto's POST /moto-api/reset.
func NewAdmin(cfg AdminConfig) http.Handler {
	a := &admin{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sagebox/health", a.health)
	mux.HandleFunc("POST /_sagebox/reset", a.reset)
	mux.HandleFunc("POST /moto-api/reset", a.reset)
	mux.HandleFunc("GET /_sagebox/clock", a.clock)
	mux.HandleFunc("POST /_sagebox/clock", a.advance)
	mux.HandleFunc("GET /_sagebox/accounts", a.accounts)
	mux.HandleFunc("POST /_sagebox/accounts", a.createAccount)
	mux.HandleFunc("GET /_sagebox/reach", a.reach)
	if cfg.Routes != nil {
		cfg.Routes(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no admin endpoint " + r.Method + " " + r.URL.Path})
	})
	a.mux = mux
	return a
}

type admin struct {
	cfg AdminConfig
	mux *http.ServeMux
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.Open {
		if err := a.authenticate(r); err != nil {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
			return
		}
	}
	a.mux.ServeHTTP(w, r)
}

// authenticate admits only requests signed by the root user of the default account, when the server listens
// beyond loopback.
func (a *admin) authenticate(r *http.Request) error {
	sig, err := sigv4.Parse(r)
	if err != nil {
		return errors.New("the admin API needs a request signed by the default account's root user when sagebox listens beyond loopback")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	p, err := a.cfg.Authn.Authenticate(r, body, sig)
	if err != nil {
		return err
	}
	if p.Type != api.Root || p.Account != a.cfg.RootAccount {
		return errors.New("only the default account's root user may use the admin API")
	}
	r.Body = http.NoBody
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return nil
}

func (a *admin) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "services": a.cfg.Control.Services(), "time": a.cfg.Control.Now()})
}

func (a *admin) reset(w http.ResponseWriter, r *http.Request) {
	if err := a.cfg.Control.Reset(r.Context()); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
}

type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

func (a *admin) clock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, clockState{Now: a.cfg.Control.Now(), Offset: a.cfg.Control.Offset().String()})
}

func (a *admin) advance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `the body must be {"advance": "DURATION"}, such as "2h"`})
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `advance must be a duration that is not negative, such as "90m" or "2h"`})
		return
	}
	now := a.cfg.Control.Advance(d)
	writeJSON(w, http.StatusOK, clockState{Now: now, Offset: a.cfg.Control.Offset().String()})
}

// accountView is an account as the admin API shows it; the secret only once, when it is created.
type accountView struct {
	AccountID       string    `json:"accountId"`
	Name            string    `json:"name,omitempty"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey,omitempty"`
	Created         time.Time `json:"created"`
}

func (a *admin) accounts(w http.ResponseWriter, r *http.Request) {
	accts, err := a.cfg.Control.Accounts(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	out := make([]accountView, len(accts))
	for i, acct := range accts {
		out[i] = accountView{AccountID: acct.ID, Name: acct.Name, AccessKeyID: acct.RootAccessKeyID, Created: acct.Created}
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
}

func (a *admin) createAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `the body must be {"name": "NAME"} or empty`})
			return
		}
	}
	acct, err := a.cfg.Control.CreateAccount(r.Context(), req.Name)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, accountView{
		AccountID: acct.ID, Name: acct.Name, AccessKeyID: acct.RootAccessKeyID,
		SecretAccessKey: acct.RootSecretAccessKey, Created: acct.Created,
	})
}

// reach answers GET /_sagebox/reach?subnet=subnet-…&security-group=sg-…&service=s3 (or interface=eni-… in place of
// subnet and security groups, or domain=d-… for every service a Studio domain's apps call; account= and region= to
// look elsewhere than the default account and the server's region). security-group may repeat or list several ids separated by commas.
func (a *admin) reach(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := ReachQuery{Account: v.Get("account"), Region: v.Get("region"), Subnet: v.Get("subnet"), Interface: v.Get("interface"), Service: v.Get("service"), Domain: v.Get("domain")}
	for _, g := range v["security-group"] {
		for _, id := range strings.Split(g, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.SecurityGroups = append(q.SecurityGroups, id)
			}
		}
	}
	if q.Domain == "" && (q.Service == "" || (q.Subnet == "" && q.Interface == "")) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "reach needs service= and subnet= or interface=, such as /_sagebox/reach?subnet=subnet-…&security-group=sg-…&service=s3, or domain=d-…"})
		return
	}
	out, err := a.cfg.Control.Reach(r.Context(), q)
	if err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Kind != awserr.KindInternal {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": ae.Error()})
			return
		}
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
