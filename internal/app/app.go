// Package app assembles a sagebox from its configuration: the store, the clock, the key ring and accounts, the
// services and the server, and runs it. cmd/sagebox and the end-to-end tests both build sageboxes with it, so that
// tests exercise exactly what users run.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/account"
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/oidc"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/schedule"
	"github.com/sagebox/sagebox/internal/server"
	"github.com/sagebox/sagebox/internal/service/ec2"
	"github.com/sagebox/sagebox/internal/service/iam"
	"github.com/sagebox/sagebox/internal/service/iam/managed"
	"github.com/sagebox/sagebox/internal/service/sagemaker"
	"github.com/sagebox/sagebox/internal/service/sts"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// Config is a sagebox's configuration; cmd/sagebox fills it from flags and SAGEBOX_ variables.
type Config struct {
	// DataDir holds the SQLite database, unless Memory is set.
	DataDir string
	Memory  bool
	// AccountID, RootAccessKey and RootSecretKey are the default account and its root credentials.
	AccountID     string
	RootAccessKey string
	RootSecretKey string
	// Region is the region the server reports as its own (the console's, the banner's).
	Region string
	Log    *slog.Logger
	// LifecycleScale multiplies every lifecycle delay: 0 finishes lifecycles at once.
	LifecycleScale float64
	// BaseClock replaces the system clock (tests); IDSeed makes ids repeatable (tests) when non-zero.
	BaseClock func() time.Time
	IDSeed    uint64
	// AuthzMode is enforce (the default), audit (decide and log, never deny) or off (allow all, still record).
	AuthzMode authz.Mode
}

// Defaults returns the configuration of a plain `sagebox serve`.
func Defaults() Config {
	return Config{
		DataDir:        ".sagebox",
		AccountID:      "000000000000",
		RootAccessKey:  "test",
		RootSecretKey:  "test",
		Region:         "us-east-1",
		LifecycleScale: 1,
		AuthzMode:      authz.Enforce,
	}
}

// App is one assembled sagebox.
type App struct {
	cfg       Config
	log       *slog.Logger
	store     store.Store
	keys      *authn.KeyRing
	accounts  *account.Accounts
	clock     *clock.Offset
	scheduler *schedule.Scheduler
	services  []*api.ServiceHandlers
	iam       *iam.Service
	sts       *sts.Service
	ec2       *ec2.Service
	sagemaker *sagemaker.Service
	authn     *authn.Authenticator
	authz     *authz.Authorizer
	server    *server.Server
	models    *model.Set
	// oidc is the built-in OIDC test issuer, served under /_sagebox/oidc/, whose key STS trusts for every OIDC
	// provider.
	oidc *oidc.Issuer
}

// New assembles a sagebox: it opens the store and makes sure the default account exists.
func New(ctx context.Context, cfg Config) (*App, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	var st store.Store
	var err error
	if cfg.Memory {
		st, err = sqlite.OpenMemory(ctx)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "sagebox.db"))
	}
	if err != nil {
		return nil, fmt.Errorf("open the store: %w", err)
	}
	src := ids.New()
	if cfg.IDSeed != 0 {
		src = ids.Seeded(cfg.IDSeed)
	}
	clk := clock.NewOffset(cfg.BaseClock)
	a := &App{
		cfg:       cfg,
		log:       log,
		store:     st,
		keys:      authn.NewKeyRing(),
		clock:     clk,
		scheduler: schedule.New(clk, cfg.LifecycleScale, log),
		models:    model.NewSet(),
	}
	clk.OnAdvance(a.scheduler.Poke)
	issuer := oidc.Config{Now: clk.Now}
	if !cfg.Memory {
		// Kept beside the database, so that tokens minted before a restart still verify after it.
		issuer.KeyFile = filepath.Join(cfg.DataDir, "oidc-signing-key.pem")
	}
	a.oidc = oidc.NewIssuer(issuer)
	a.accounts = account.New(st, a.keys, src, clk)
	a.authn = authn.New(a.keys, clk)
	catalog, err := managed.Load()
	if err != nil {
		st.Close()
		return nil, err
	}
	a.iam = iam.New(a.keys, src, catalog)
	a.sts = sts.New(sts.Config{Keys: a.keys, IDs: src, Clock: clk, Roles: stsRoles{a.iam.STSRoles()}, Store: st})
	a.ec2 = ec2.New(ec2.Config{IDs: src, Store: st, Clock: clk, LifecycleScale: cfg.LifecycleScale})
	urlKey := make([]byte, 32)
	if _, err := rand.Read(urlKey); err != nil {
		st.Close()
		return nil, err
	}
	a.sagemaker = sagemaker.New(sagemaker.Config{
		IDs: src, Clock: clk, LifecycleScale: cfg.LifecycleScale, Network: smNetwork{a.ec2}, Roles: smRoles{a.sts}, URLKey: urlKey,
		Store: st, RoleInfo: smRoleInfo{a.iam},
	})
	if err := a.seed(ctx); err != nil {
		st.Close()
		return nil, err
	}
	stsHandlers := a.sts.Handlers()
	// AssumeRoleWithWebIdentity trusts the built-in issuer's key for every OIDC provider IAM holds.
	a.sts.WebIdentity(a.iam, a.oidc).Register(stsHandlers)
	a.services = []*api.ServiceHandlers{
		stsHandlers,
		a.iam.Handlers(),
		a.ec2.Handlers(),
		a.sagemaker.Handlers(),
		// The services whose issues have not landed yet: every operation of their models is routed, decoded and
		// validated, and answered as not implemented.
		api.NewService("s3"),
		api.NewService("logs"),
	}
	a.authz, err = authz.Open(ctx, authz.Config{
		Mode:           cfg.AuthzMode,
		Identities:     a.sts.Identities(a.iam),
		Sessions:       a.sts,
		Store:          st,
		Log:            log,
		Now:            clk.Now,
		DefaultAccount: cfg.AccountID,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	a.sts.SetAuthorizer(a.authz)
	a.server, err = server.New(server.Config{
		Models:     a.models,
		Services:   a.services,
		Authn:      a.authn,
		Authorizer: a.authz,
		Store:      st,
		Clock:      clk,
		IDs:        src,
		Log:        log,
	})
	if err != nil {
		a.authz.Close()
		st.Close()
		return nil, err
	}
	return a, nil
}

// seed makes the default account exist and puts every account's keys — root keys and IAM users' access keys —
// in the key ring.
func (a *App) seed(ctx context.Context) error {
	if _, err := a.accounts.Ensure(ctx, a.cfg.AccountID, "default", a.cfg.RootAccessKey, a.cfg.RootSecretKey); err != nil {
		return fmt.Errorf("the default account: %w", err)
	}
	accts, err := a.accounts.List(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, len(accts))
	for i, acct := range accts {
		a.keys.Put(acct.RootKey())
		ids[i] = acct.ID
	}
	if err := a.iam.Load(ctx, a.store, ids); err != nil {
		return err
	}
	return a.sts.Load(ctx, a.store, ids)
}

// stsRoles adapts IAM to what STS needs of it (sts.Roles), so that neither service imports the other.
type stsRoles struct{ iam *iam.STSRoles }

func (r stsRoles) Role(t store.Tx, account, name string) (*sts.Role, error) {
	ro, err := r.iam.Role(t, account, name)
	if ro == nil || err != nil {
		return nil, err
	}
	return &sts.Role{ARN: ro.ARN, ID: ro.ID, Name: ro.Name, Path: ro.Path, MaxSessionDuration: ro.MaxSessionDuration, Tags: ro.Tags, Trust: ro.Trust}, nil
}

func (r stsRoles) SessionPolicy(t store.Tx, account, arn string) (*policy.Compiled, error) {
	return r.iam.SessionPolicy(t, account, arn)
}

// Handler returns the HTTP handler of the whole sagebox: the AWS APIs and the admin API, which is open without
// credentials when openAdmin is set (Serve sets it only for loopback listeners).
func (a *App) Handler(openAdmin bool) http.Handler {
	routes := func(mux *http.ServeMux) {
		a.authz.AdminRoutes(mux)
		a.oidc.Routes(mux)
	}
	adm := server.NewAdmin(server.AdminConfig{
		Control: a, Open: openAdmin, Authn: a.authn, RootAccount: a.cfg.AccountID, Routes: routes,
	})
	studio := a.sagemaker.Studio()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStudioPath(r.URL.Path) {
			studio.ServeHTTP(w, r)
			return
		}
		if isAdminPath(r.URL.Path) {
			adm.ServeHTTP(w, r)
			return
		}
		a.server.ServeHTTP(w, r)
	})
}

func isAdminPath(p string) bool {
	return strings.HasPrefix(p, "/_sagebox/") || strings.HasPrefix(p, "/moto-api/")
}

// Serve answers requests on ln until ctx is done, then shuts down gracefully: in-flight requests finish (for up
// to 10 seconds), the scheduler stops, the store closes.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(IsLoopback(ln.Addr())),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	schedCtx, stopSched := context.WithCancel(context.Background())
	defer stopSched()
	go a.scheduler.Run(schedCtx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// Close stores the decisions not stored yet and closes the store.
func (a *App) Close() error {
	a.authz.Close()
	return a.store.Close()
}

// Authorizer returns the authorizer: its decision log, its SCPs, DecodeMessage for STS.
func (a *App) Authorizer() *authz.Authorizer { return a.authz }

// STS returns STS: its sessions, and AssumeRoleAsService for the services that assume roles.
func (a *App) STS() *sts.Service { return a.sts }

// EC2 returns the EC2 service, for the reachability command and tests.
func (a *App) EC2() *ec2.Service { return a.ec2 }

// IsLoopback reports whether a listener's address is a loopback address.
func IsLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Reset implements server.Control: no resources, the default account only, the clock unmoved.
func (a *App) Reset(ctx context.Context) error {
	a.scheduler.Clear()
	if err := a.store.Reset(ctx); err != nil {
		return err
	}
	if err := a.authz.Reset(ctx); err != nil {
		return err
	}
	a.keys.Clear()
	a.clock.Reset()
	a.ec2.Reset()
	return a.seed(ctx)
}

// Advance implements server.Control.
func (a *App) Advance(d time.Duration) time.Time {
	a.clock.Advance(d)
	a.scheduler.Wait()
	return a.clock.Now()
}

// Now implements server.Control.
func (a *App) Now() time.Time { return a.clock.Now() }

// Offset implements server.Control.
func (a *App) Offset() time.Duration { return a.clock.Offset() }

// CreateAccount implements server.Control.
func (a *App) CreateAccount(ctx context.Context, name string) (*account.Account, error) {
	return a.accounts.Create(ctx, name)
}

// Accounts implements server.Control.
func (a *App) Accounts(ctx context.Context) ([]*account.Account, error) { return a.accounts.List(ctx) }

// Services implements server.Control.
func (a *App) Services() []string {
	names := make([]string, len(a.services))
	for i, s := range a.services {
		names[i] = s.Name
	}
	return names
}

// Reach implements server.Control with EC2's Reach, in the default account and the server's region unless the
// query names others.
func (a *App) Reach(ctx context.Context, q server.ReachQuery) (any, error) {
	account, region := q.Account, q.Region
	if account == "" {
		account = a.cfg.AccountID
	}
	if region == "" {
		region = a.cfg.Region
	}
	accts, err := a.accounts.List(ctx)
	if err != nil {
		return nil, err
	}
	known := false
	for _, acct := range accts {
		known = known || acct.ID == account
	}
	if !known {
		return nil, awserr.New("InvalidParameterValue", "sagebox has no account %s", account)
	}
	if q.Domain != "" {
		return a.sagemaker.DomainReach(ctx, account, region, q.Domain)
	}
	return a.ec2.Reach(ctx, ec2.ReachQuery{
		Account: account, Region: region, SubnetID: q.Subnet, GroupIDs: q.SecurityGroups, InterfaceID: q.Interface,
		Destination: q.Service,
	})
}

// ServiceHandlers returns the registered services, for docs/COVERAGE.md and the tests that walk them.
func (a *App) ServiceHandlers() []*api.ServiceHandlers { return a.services }

// Models returns the service models.
func (a *App) Models() *model.Set { return a.models }

var _ server.Control = (*App)(nil)

// SageMaker returns the SageMaker service, for the Studio pages and tests.
func (a *App) SageMaker() *sagemaker.Service { return a.sagemaker }
