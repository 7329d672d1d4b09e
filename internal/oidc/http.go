package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// PathPrefix is where the admin API serves the issuer: its issuer URL is the server's base URL followed by it.
const PathPrefix = "/_sagebox/oidc"

// maxRequestBody bounds a token request.
const maxRequestBody = 64 << 10

// Routes adds the issuer's endpoints to the admin API's mux:
//
//	GET  /_sagebox/oidc/.well-known/openid-configuration   the discovery document
//	GET  /_sagebox/oidc/jwks                                the public keys (JWKS)
//	POST /_sagebox/oidc/token                               mint a token: {"iss", "sub", "aud", "claims", "expiresIn"}
//
// The admin API guards them as its other endpoints: open on loopback, root-signed otherwise.
func (i *Issuer) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathPrefix+"/.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET "+PathPrefix+"/jwks", i.serveJWKS)
	mux.HandleFunc("POST "+PathPrefix+"/token", i.serveToken)
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	writeJSON(w, http.StatusOK, DiscoveryFor(scheme+"://"+r.Host+PathPrefix))
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	keys, err := i.Keys()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, keys.JWKS())
}

// TokenResponse is the answer to POST /_sagebox/oidc/token.
type TokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (i *Issuer) serveToken(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("the body must be at most %d bytes", maxRequestBody)})
		return
	}
	req, err := ParseTokenRequest(body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	tok, exp, err := i.Mint(req)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, TokenResponse{Token: tok, ExpiresAt: exp})
}

// tokenRequestBody is the JSON of a token request.
type tokenRequestBody struct {
	Iss       string          `json:"iss"`
	Sub       string          `json:"sub"`
	Aud       json.RawMessage `json:"aud"`
	Claims    map[string]any  `json:"claims"`
	ExpiresIn string          `json:"expiresIn"`
}

// ParseTokenRequest reads the body of POST /_sagebox/oidc/token: {"iss": URL, "sub": S, "aud": A or [A, …],
// "claims": {…}, "expiresIn": "1h"}. Only iss is required.
func ParseTokenRequest(body []byte) (TokenRequest, error) {
	const shape = `the body must be {"iss": URL, "sub": SUBJECT, "aud": AUDIENCE or [AUDIENCE, …], "claims": {…}, "expiresIn": "1h"}`
	var in tokenRequestBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return TokenRequest{}, fmt.Errorf("%s: %v", shape, err)
	}
	if dec.More() {
		return TokenRequest{}, errors.New(shape + ": there is data after the object")
	}
	if in.Iss == "" {
		return TokenRequest{}, errors.New("iss is required: the issuer URL the token claims, such as https://token.actions.githubusercontent.com")
	}
	out := TokenRequest{Issuer: in.Iss, Subject: in.Sub, Claims: in.Claims}
	if len(in.Aud) > 0 && string(in.Aud) != "null" {
		var one string
		if err := json.Unmarshal(in.Aud, &one); err == nil {
			out.Audience = []string{one}
		} else if err := json.Unmarshal(in.Aud, &out.Audience); err != nil {
			return TokenRequest{}, errors.New("aud must be a string or a list of strings")
		}
	}
	if in.ExpiresIn != "" {
		d, err := time.ParseDuration(in.ExpiresIn)
		if err != nil || d <= 0 {
			return TokenRequest{}, fmt.Errorf("expiresIn %q must be a positive duration, such as 15m or 1h", in.ExpiresIn)
		}
		out.ExpiresIn = d
	}
	return out, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
