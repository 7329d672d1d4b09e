package sagemaker

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/store"
)

// The Studio page: what a presigned URL opens. GET /_sagebox/studio/auth?token=… verifies the URL's token (its
// MAC, its expiry by the server's clock, that it was not used before), remembers it as used, sets a session cookie
// and sends the browser to /_sagebox/studio/, which shows the user profile: its domain and network, its execution
// role and the policies that say what the role may do, and its apps. The page is reached without SigV4: the token
// is the credential, as on AWS ("Once the presigned URL is created, no additional permission is required to access
// this URL", API Reference).
//
// AWS's Studio lets a presigned URL be used once; users report that a used or expired URL answers "Invalid or
// expired auth token" (the API Reference only says that an expired URL leads to the console sign-in page). sagebox
// answers both with a 403 page in those words that also says why.

// RoleInfo is what the Studio page needs of IAM: what an execution role may do.
type RoleInfo interface {
	// RolePermissions returns the role with the ARN in account and the names of its policies, read through t; nil
	// (and no error) when there is no such role.
	RolePermissions(t store.Tx, account, roleARN string) (*RolePermissions, error)
}

// RolePermissions is a role as the Studio page shows it.
type RolePermissions struct {
	ARN string
	// AttachedPolicies are the ARNs of the managed policies attached to the role; InlinePolicies the names of its
	// inline policies; Boundary the ARN of its permissions boundary, if it has one.
	AttachedPolicies []string
	InlinePolicies   []string
	Boundary         string
}

// kindUsedURL records the presigned URLs that have been used, until they expire.
const kindUsedURL = "sagemaker.used-studio-url"

// usedURL is a used presigned URL, kept until it would have expired anyway.
type usedURL struct {
	Expires int64 `json:"expires"`
}

// sessionCookie is the cookie that carries a Studio session.
const sessionCookie = "sagebox_studio"

// Studio returns the handler of the Studio pages, to be mounted at StudioPath without SigV4 authentication.
func (s *Service) Studio() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AuthPath, s.studioAuth)
	mux.HandleFunc("GET "+StudioPath+"{$}", s.studioPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		renderRefusal(w, http.StatusNotFound, "Page not found", "sagebox serves no Studio page at "+r.URL.Path+".")
	})
	return mux
}

// studioAuth spends a presigned URL: it opens a session and sends the browser to the page.
func (s *Service) studioAuth(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	tok, reason := s.verify(r.URL.Query().Get("token"), tokenURL, now)
	if tok == nil {
		renderRefusal(w, http.StatusForbidden, invalidToken, reason)
		return
	}
	used, err := s.spend(r, tok, now)
	if err != nil {
		renderRefusal(w, http.StatusInternalServerError, "Studio is unavailable", "sagebox could not record the URL's use: "+err.Error())
		return
	}
	if used {
		renderRefusal(w, http.StatusForbidden, invalidToken, "This presigned URL has already been used: a presigned URL opens Studio once. Call CreatePresignedDomainUrl for another.")
		return
	}
	session := *tok
	session.Kind = tokenSession
	session.Expires = now.Add(time.Duration(tok.Session) * time.Second).UnixMilli()
	// A browser session cookie without Expires: the session's end is the server's clock's business (which `sagebox
	// clock advance` moves), not the browser's.
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: session.sign(s.urlKey), Path: StudioPath,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, StudioPath, http.StatusSeeOther)
}

// invalidToken is the heading of the page that refuses a URL or a session.
const invalidToken = "Invalid or expired auth token"

// verify checks a token of the kind at now; it returns the token, or nil and why it is refused.
func (s *Service) verify(text string, kind byte, now time.Time) (*studioToken, string) {
	if text == "" {
		if kind == tokenSession {
			return nil, "There is no Studio session in this browser: open a presigned URL from CreatePresignedDomainUrl."
		}
		return nil, "The URL carries no token."
	}
	tok, err := parseToken(s.urlKey, text)
	if err != nil || tok.Kind != kind {
		return nil, "The token was not issued by this sagebox, or it was altered."
	}
	if expires := time.UnixMilli(tok.Expires).UTC(); !now.Before(expires) {
		what := "presigned URL"
		if kind == tokenSession {
			what = "Studio session"
		}
		return nil, fmt.Sprintf("The %s expired at %s; the server's clock says %s.", what, expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return tok, ""
}

// spend records the URL as used, and reports whether it had been used already. Used URLs are forgotten once they
// have expired, which keeps the records few.
func (s *Service) spend(r *http.Request, tok *studioToken, now time.Time) (bool, error) {
	if s.store == nil {
		return false, errors.New("no store")
	}
	t, err := s.store.Begin(r.Context(), true)
	if err != nil {
		return false, err
	}
	defer t.Rollback()
	sc := scope(tok.Account, tok.Region, kindUsedURL)
	recs, err := t.List(sc, store.ListQuery{})
	if err != nil {
		return false, err
	}
	for _, rec := range recs {
		u, err := store.Decode[usedURL](rec)
		if err == nil && u.Expires > now.UnixMilli() {
			continue
		}
		if err := t.Delete(rec.Key); err != nil {
			return false, err
		}
	}
	rec, err := store.NewRecord(store.Key{Scope: sc, ID: tok.Nonce}, usedURL{Expires: tok.Expires})
	if err != nil {
		return false, err
	}
	if err := t.Create(rec); errors.Is(err, store.ErrExists) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	return false, t.Commit()
}

// studioPage shows the session's user profile.
func (s *Service) studioPage(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	text := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		text = c.Value
	}
	tok, reason := s.verify(text, tokenSession, now)
	if tok == nil {
		renderRefusal(w, http.StatusForbidden, invalidToken, reason)
		return
	}
	if s.store == nil {
		renderRefusal(w, http.StatusInternalServerError, "Studio is unavailable", "sagebox has no store for the Studio page.")
		return
	}
	t, err := s.store.Begin(r.Context(), false)
	if err != nil {
		renderRefusal(w, http.StatusInternalServerError, "Studio is unavailable", err.Error())
		return
	}
	defer t.Rollback()
	v, status, err := s.profileView(t, tok, now)
	if err != nil {
		renderRefusal(w, http.StatusInternalServerError, "Studio is unavailable", err.Error())
		return
	}
	if v == nil {
		renderRefusal(w, status, "User profile not found", fmt.Sprintf("The user profile %s of domain %s no longer exists.", tok.Profile, tok.Domain))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// An error here is a client gone mid-page: the status is sent, and nothing is left to tell.
	_ = studioTemplate.ExecuteTemplate(w, "profile", v)
}

// profilePage is what the page shows.
type profilePage struct {
	Domain struct {
		ID, Name, ARN, Status, AuthMode, VPC, NetworkMode string
		Subnets                                           []string
	}
	Profile struct {
		Name, ARN, Status, UID string
	}
	Space, Landing string
	Role           struct {
		ARN, From string
		// Missing is set when the role named no longer exists.
		Missing     bool
		Permissions *RolePermissions
	}
	Apps           []appRow
	SessionExpires string
}

type appRow struct {
	Owner, Type, Name, Status string
}

// profileView reads what the page shows; nil with a status when the domain or the profile is gone.
func (s *Service) profileView(t store.Tx, tok *studioToken, now time.Time) (*profilePage, int, error) {
	d, _, err := get[domain](t, tok.Account, tok.Region, kindDomain, tok.Domain)
	if err != nil {
		return nil, 0, err
	}
	if d == nil || !presentAt(&d.lifecycle, now) {
		return nil, http.StatusNotFound, nil
	}
	p, _, err := get[profile](t, tok.Account, tok.Region, kindProfile, profileID(d.ID, tok.Profile))
	if err != nil {
		return nil, 0, err
	}
	if p == nil || !presentAt(&p.lifecycle, now) {
		return nil, http.StatusNotFound, nil
	}
	prefix := "arn:aws:sagemaker:" + tok.Region + ":" + tok.Account + ":"
	v := &profilePage{Space: tok.Space, Landing: tok.Landing, SessionExpires: time.UnixMilli(tok.Expires).UTC().Format(time.RFC3339)}
	v.Domain.ID, v.Domain.Name, v.Domain.ARN = d.ID, d.Name, prefix+"domain/"+d.ID
	v.Domain.Status, _ = d.status(now)
	v.Domain.AuthMode, v.Domain.VPC, v.Domain.NetworkMode, v.Domain.Subnets = d.AuthMode, d.VPCID, d.AppNetworkAccessType, d.SubnetIDs
	v.Profile.Name, v.Profile.UID = p.Name, p.HomeEfsFileSystemUID
	v.Profile.ARN = prefix + "user-profile/" + d.ID + "/" + strings.ToLower(p.Name)
	v.Profile.Status, _ = p.status(now)

	role, from := "", ""
	if p.UserSettings != nil && deref(p.UserSettings.ExecutionRole) != "" {
		role, from = *p.UserSettings.ExecutionRole, "the user profile's execution role"
	} else if d.DefaultUserSettings != nil && deref(d.DefaultUserSettings.ExecutionRole) != "" {
		role, from = *d.DefaultUserSettings.ExecutionRole, "the domain's default execution role"
	}
	v.Role.ARN, v.Role.From = role, from
	if role != "" && s.roleInfo != nil {
		perms, err := s.roleInfo.RolePermissions(t, tok.Account, role)
		if err != nil {
			return nil, 0, err
		}
		v.Role.Permissions, v.Role.Missing = perms, perms == nil
	}

	owners := []string{appOwner(d.ID, p.Name, "")}
	if tok.Space != "" {
		owners = append(owners, appOwner(d.ID, "", tok.Space))
	}
	for _, owner := range owners {
		apps, err := find[app](t, tok.Account, tok.Region, kindApp, indexOwner, owner)
		if err != nil {
			return nil, 0, err
		}
		for _, a := range apps {
			st, ok := a.status(now)
			if !ok {
				continue
			}
			who := "user profile " + a.Profile
			if a.Space != "" {
				who = "space " + a.Space
			}
			v.Apps = append(v.Apps, appRow{Owner: who, Type: a.Type, Name: a.Name, Status: st})
		}
	}
	return v, http.StatusOK, nil
}

// renderRefusal answers a page that says what went wrong.
func renderRefusal(w http.ResponseWriter, status int, heading, reason string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = studioTemplate.ExecuteTemplate(w, "refusal", struct{ Heading, Reason string }{heading, reason})
}

var studioTemplate = template.Must(template.New("studio").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}} — sagebox Studio</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f4f4f4}code{font-size:.95em}</style>
</head><body>{{end}}
{{define "refusal"}}{{template "head" .Heading}}
<h1 id="error">{{.Heading}}</h1>
<p id="reason">{{.Reason}}</p>
</body></html>{{end}}
{{define "profile"}}{{template "head" .Profile.Name}}
<h1>Studio: <span id="profile-name">{{.Profile.Name}}</span></h1>
<p>Signed in to SageMaker Studio (sagebox) as user profile <strong>{{.Profile.Name}}</strong> of domain <strong>{{.Domain.Name}}</strong>. The session ends at {{.SessionExpires}}.</p>
{{if .Space}}<p>Space: <strong id="space">{{.Space}}</strong></p>{{end}}
{{if .Landing}}<p>Landing URI: <code>{{.Landing}}</code></p>{{end}}
<h2>User profile</h2>
<table id="profile">
<tr><th>Name</th><td>{{.Profile.Name}}</td></tr>
<tr><th>ARN</th><td><code>{{.Profile.ARN}}</code></td></tr>
<tr><th>Status</th><td>{{.Profile.Status}}</td></tr>
<tr><th>Home EFS UID</th><td>{{.Profile.UID}}</td></tr>
</table>
<h2>Domain</h2>
<table id="domain">
<tr><th>ID</th><td>{{.Domain.ID}}</td></tr>
<tr><th>Name</th><td>{{.Domain.Name}}</td></tr>
<tr><th>ARN</th><td><code>{{.Domain.ARN}}</code></td></tr>
<tr><th>Status</th><td>{{.Domain.Status}}</td></tr>
<tr><th>Auth mode</th><td>{{.Domain.AuthMode}}</td></tr>
<tr><th>VPC</th><td>{{.Domain.VPC}}</td></tr>
<tr><th>Subnets</th><td>{{range $i, $s := .Domain.Subnets}}{{if $i}}, {{end}}{{$s}}{{end}}</td></tr>
<tr><th>Network mode</th><td>{{.Domain.NetworkMode}}</td></tr>
</table>
<h2>Execution role</h2>
<div id="role">
{{if not .Role.ARN}}<p>No execution role: neither the user profile nor the domain names one.</p>
{{else}}<p><code>{{.Role.ARN}}</code> ({{.Role.From}})</p>
{{if .Role.Missing}}<p>The role no longer exists: apps cannot assume it.</p>
{{else if .Role.Permissions}}<p>What the role may do:</p>
<ul>
{{range .Role.Permissions.AttachedPolicies}}<li>attached managed policy <code>{{.}}</code></li>
{{end}}{{range .Role.Permissions.InlinePolicies}}<li>inline policy <code>{{.}}</code></li>
{{end}}{{if .Role.Permissions.Boundary}}<li>permissions boundary <code>{{.Role.Permissions.Boundary}}</code></li>
{{end}}{{if not (or .Role.Permissions.AttachedPolicies .Role.Permissions.InlinePolicies)}}<li>no policies: the role may do nothing</li>{{end}}
</ul>{{end}}{{end}}
</div>
<h2>Apps</h2>
{{if .Apps}}<table id="apps">
<tr><th>Owner</th><th>Type</th><th>Name</th><th>Status</th></tr>
{{range .Apps}}<tr><td>{{.Owner}}</td><td>{{.Type}}</td><td>{{.Name}}</td><td>{{.Status}}</td></tr>
{{end}}</table>
{{else}}<p id="apps">No apps.</p>{{end}}
</body></html>{{end}}
`))
