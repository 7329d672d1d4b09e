package authz

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// AdminRoutes adds the authorizer's part of the admin API to mux, which the admin handler guards:
//
//	GET    /_sagebox/decisions?limit=N&denied=true   the newest decisions, newest first
//	GET    /_sagebox/decisions/{request}              the decisions of one request, explained
//	GET    /_sagebox/scps[?account=ID]                the service control policies
//	POST   /_sagebox/scps                             {"account": ID, "name": N, "document": JSON} creates or replaces one
//	GET    /_sagebox/scps/{account}/{name}            one
//	DELETE /_sagebox/scps/{account}/{name}            removes one
//	DELETE /_sagebox/scps/{name}                      removes one of the default account
func (z *Authorizer) AdminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_sagebox/decisions", z.listDecisions)
	mux.HandleFunc("GET /_sagebox/decisions/{request}", z.getDecision)
	mux.HandleFunc("GET /_sagebox/scps", z.listSCPs)
	mux.HandleFunc("POST /_sagebox/scps", z.putSCP)
	mux.HandleFunc("GET /_sagebox/scps/{account}/{name}", z.getSCP)
	mux.HandleFunc("DELETE /_sagebox/scps/{account}/{name}", z.deleteSCP)
	mux.HandleFunc("DELETE /_sagebox/scps/{name}", z.deleteSCP)
}

func (z *Authorizer) listDecisions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	denied := false
	if s := q.Get("denied"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "denied must be true or false")
			return
		}
		denied = b
	}
	page, err := z.Decisions(r.Context(), limit, denied)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if page.Decisions == nil {
		page.Decisions = []Record{}
	}
	writeJSON(w, http.StatusOK, page)
}

func (z *Authorizer) getDecision(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("request")
	recs, err := z.Decision(r.Context(), id)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if len(recs) == 0 {
		writeError(w, http.StatusNotFound, "the decision log has no request "+strconv.Quote(id)+
			" (it keeps the newest decisions only)")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"requestId": id, "decisions": recs})
}

func (z *Authorizer) listSCPs(w http.ResponseWriter, r *http.Request) {
	scps := z.SCPs(r.URL.Query().Get("account"))
	if scps == nil {
		scps = []SCP{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"scps": scps})
}

func (z *Authorizer) putSCP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account  string `json:"account"`
		Name     string `json:"name"`
		Document string `json:"document"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, `the body must be {"account": "ID", "name": "NAME", "document": "POLICY JSON"}`)
		return
	}
	scp, err := z.PutSCP(r.Context(), req.Account, req.Name, req.Document)
	var se *SCPError
	switch {
	case errors.As(err, &se):
		writeError(w, http.StatusBadRequest, se.Message)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, scp)
}

func (z *Authorizer) getSCP(w http.ResponseWriter, r *http.Request) {
	scp, err := z.GetSCP(r.PathValue("account"), r.PathValue("name"))
	if err != nil {
		writeError(w, http.StatusNotFound, "account "+r.PathValue("account")+" has no SCP "+strconv.Quote(r.PathValue("name")))
		return
	}
	writeJSON(w, http.StatusOK, scp)
}

func (z *Authorizer) deleteSCP(w http.ResponseWriter, r *http.Request) {
	account, name := r.PathValue("account"), r.PathValue("name")
	if account == "" {
		account = z.defaultAccount
	}
	scp, err := z.GetSCP(account, name)
	if err == nil {
		err = z.DeleteSCP(r.Context(), account, name)
	}
	switch {
	case errors.Is(err, ErrNoSCP):
		writeError(w, http.StatusNotFound, "account "+account+" has no SCP "+strconv.Quote(name))
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, scp)
}

// writeJSON and writeError answer as the rest of the admin API does: indented JSON, errors as {"error": "…"}.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
