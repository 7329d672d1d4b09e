// Package server is sagebox's HTTP front: one handler for every service, which takes each request along one
// straight path —
//
//	route → authenticate → decode → validate → authorize (in the handler, through api.Call) → handle → encode
//
// — and writes one log line for it. The server knows protocols, models and the api seam; it knows no service:
// services are handed to it as api.ServiceHandlers, wired in cmd/sagebox.
package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/protocol"
	"github.com/sagebox/sagebox/internal/sigv4"
	"github.com/sagebox/sagebox/internal/store"
)

// maxBody bounds a request body. The services sagebox serves take small documents; S3 object bodies get their
// own limit when S3 lands.
const maxBody = 16 << 20

// Config is what a Server needs.
type Config struct {
	Models     *model.Set
	Services   []*api.ServiceHandlers
	Authn      *authn.Authenticator
	Authorizer api.Authorizer
	Store      store.Store
	Clock      clock.Clock
	IDs        *ids.Source
	Log        *slog.Logger
}

// Server answers AWS API requests. It is safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	routes *router
}

// New returns a server for the services in cfg.
func New(cfg Config) (*Server, error) {
	rt, err := newRouter(cfg.Models, cfg.Services)
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Server{cfg: cfg, log: log, routes: rt}, nil
}

// exchange is one request and what became of it, for the log line.
type exchange struct {
	id        string
	service   string
	operation string
	principal string
	decision  string
	status    int
	err       *awserr.Error
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &exchange{id: s.cfg.IDs.RequestID(), decision: "-"}
	s.serve(w, r, x)
	s.logExchange(r, x, time.Since(start))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *exchange) {
	body, err := readBody(r)
	sig, sigErr := sigv4.Parse(r)
	svc := s.routes.route(r, sig, body)
	x.service = svc.name
	mdl, mErr := s.cfg.Models.Service(svc.name)
	if mErr != nil {
		x.status = http.StatusInternalServerError
		s.log.Error("model failed to load", "service", svc.name, "err", mErr)
		http.Error(w, "sagebox: the model of "+svc.name+" failed to load", x.status)
		return
	}
	meta := protocol.Meta{RequestID: x.id}
	fail := func(op *model.Operation, err error) {
		e := svc.codec.Resolve(mdl, awserr.As(err))
		x.err = e
		rec := &statusRecorder{ResponseWriter: w}
		svc.codec.EncodeError(rec, mdl, op, e, meta)
		x.status = rec.status
	}
	switch {
	case err != nil:
		fail(nil, err)
		return
	case svc.unserved != "":
		fail(nil, awserr.Newf(awserr.KindNotImplemented, "sagebox does not serve the %s service", svc.unserved))
		return
	case sigErr != nil && !(errors.Is(sigErr, sigv4.ErrUnsigned) && anonymousAllowed(svc, mdl, r, body)):
		var se *sigv4.Error
		if svc.name == "s3" && errors.As(sigErr, &se) {
			// Routed to S3 by its path or host, not by a scope: S3 answers in its own words.
			sigErr = se.S3()
		}
		fail(nil, sigErr)
		return
	}
	var principal *api.Principal
	region := ""
	if sig == nil {
		// An unsigned request that got this far is for an operation that takes one: its caller is anonymous until
		// the handler finds out more.
		principal = &api.Principal{Type: api.Anonymous}
	} else {
		if principal, err = s.cfg.Authn.Authenticate(r, body, sig); err != nil {
			fail(nil, err)
			return
		}
		x.principal, region = principal.ARN, sig.Scope.Region
	}
	if svc.name == "s3" {
		virtualHostToPath(r)
	}
	op, input, err := svc.codec.Decode(mdl, r, body)
	if err != nil {
		fail(nil, err)
		return
	}
	x.operation = op.Name
	if op.Input != nil {
		if v := protocol.Validate(op.Input, input); len(v) > 0 {
			fail(op, svc.codec.ValidationError(v))
			return
		}
	}
	impl := svc.handlers.Operation(op.Name)
	if impl == nil {
		fail(op, awserr.Newf(awserr.KindNotImplemented,
			"sagebox does not implement %s:%s yet (docs/COVERAGE.md lists the operations it serves)", svc.name, op.Name))
		return
	}
	output, err := s.call(r, impl, svc.name, region, principal, input, x)
	if err != nil {
		fail(op, err)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	if err := svc.codec.Encode(rec, op, output, meta); err != nil {
		// Nothing can be sent once encoding has begun to write; the log says what failed.
		x.err = svc.codec.Resolve(mdl, awserr.Internal(fmt.Errorf("encode %s output: %w", op.Name, err)))
	}
	x.status = rec.status
}

// anonymousAllowed reports whether an unsigned request is for an operation whose handler takes unsigned requests
// (api.Operation.Anonymous). Unsigned requests are decoded once more for it; signed ones never get here.
func anonymousAllowed(svc *service, mdl *model.Service, r *http.Request, body []byte) bool {
	op, _, err := svc.codec.Decode(mdl, r, body)
	if err != nil {
		return false
	}
	impl := svc.handlers.Operation(op.Name)
	return impl != nil && impl.Anonymous
}

// call runs a handler in its transaction and checks that it authorized what it did.
func (s *Server) call(r *http.Request, op *api.Operation, service, region string, p *api.Principal, input map[string]any, x *exchange) (output map[string]any, err error) {
	ctx := r.Context()
	c := api.NewCall(ctx, s.cfg.Authorizer, s.cfg.Store, op.Writes)
	c.RequestID, c.Service, c.Operation = x.id, service, op.Name
	c.Region, c.Principal, c.Now = region, p, s.cfg.Clock.Now()
	c.SourceIP, c.SecureTransport, c.Host = sourceIP(r), r.TLS != nil, r.Host
	defer func() {
		if r := recover(); r != nil {
			err = awserr.Internal(fmt.Errorf("%s.%s panicked: %v", service, op.Name, r))
			output = nil
		}
		if ds := c.Decisions(); len(ds) > 0 {
			x.decision = ds[len(ds)-1].Effect
		}
		if err != nil {
			_ = c.Finish(false)
		}
	}()
	output, err = op.Handler(ctx, c, input)
	if len(c.Decisions()) == 0 {
		// The seam's promise: no handler answers without having asked. Refuse, whatever it returned.
		s.log.Error("handler answered without authorizing anything: refusing to answer", "service", service, "operation", op.Name, "request_id", x.id)
		return nil, awserr.Internal(fmt.Errorf("%s.%s authorized nothing", service, op.Name))
	}
	if err != nil {
		return nil, err
	}
	if err := c.Finish(true); err != nil {
		return nil, awserr.Internal(fmt.Errorf("commit: %w", err))
	}
	return output, nil
}

// sourceIP is the client's address without its port.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.ContentLength == 0 {
		return nil, nil
	}
	if r.ContentLength > maxBody {
		return nil, tooLarge()
	}
	if r.ContentLength > 0 {
		// The usual case: the length is known, so read into a buffer of that size at once.
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, awserr.Newf(awserr.KindMalformedInput, "The request body could not be read.")
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, awserr.Newf(awserr.KindMalformedInput, "The request body could not be read.")
	}
	if len(body) > maxBody {
		return nil, tooLarge()
	}
	return body, nil
}

func tooLarge() *awserr.Error {
	return awserr.Newf(awserr.KindMalformedInput, "The request body is larger than %d bytes.", maxBody).WithStatus(http.StatusRequestEntityTooLarge)
}

func (s *Server) logExchange(r *http.Request, x *exchange, d time.Duration) {
	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String("request_id", x.id),
		slog.String("service", x.service),
		slog.String("operation", x.operation),
		slog.String("principal", x.principal),
		slog.String("decision", x.decision),
		slog.Int("status", x.status),
		slog.Duration("duration", d),
	}
	if x.err != nil {
		attrs = append(attrs, slog.String("code", x.err.Code), slog.String("message", x.err.Message))
		if x.status >= 500 {
			level = slog.LevelError
		}
		// The detail of an internal failure is its cause; that of a refused signature is the canonical request and
		// string to sign, which name no secret but carry the request's headers: logged at debug only.
		if x.err.Detail != "" && (x.status >= 500 || s.log.Enabled(r.Context(), slog.LevelDebug)) {
			attrs = append(attrs, slog.String("detail", x.err.Detail))
		}
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// statusRecorder remembers the status a codec wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
