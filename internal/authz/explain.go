package authz

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// Record is one logged decision, as the store keeps it and the admin API and `sagebox decisions` show it.
type Record struct {
	// ID numbers the decisions in the order made.
	ID        uint64    `json:"id"`
	RequestID string    `json:"requestId"`
	Time      time.Time `json:"time"`
	Service   string    `json:"service"`
	Operation string    `json:"operation"`
	Principal Caller    `json:"principal"`
	Action    string    `json:"action"`
	Resource  string    `json:"resource"`
	// ResourceAccount is set for a cross-account request: the account that owns the resource.
	ResourceAccount string `json:"resourceAccount,omitempty"`
	// Outcome is "allowed", "implicitDeny" or "explicitDeny".
	Outcome string `json:"outcome"`
	// Layer names, for a denial, the policy type that denied or that had no allow ("permissions boundary").
	Layer string `json:"layer,omitempty"`
	// Mode is the authorizer's mode: a denial in audit mode was let through. Decided is false for an action that
	// needs no permission, or when authorization is off.
	Mode    Mode   `json:"mode"`
	Decided bool   `json:"decided"`
	Reason  string `json:"reason,omitempty"`
	// Context is the request's condition keys, kept for denials (and, at debug level, for every decision).
	Context []ContextKey `json:"context,omitempty"`
	// Explanation is kept for denials; an allowed decision is explained while the log still holds what decided it.
	Explanation *Explanation `json:"explanation,omitempty"`
	// Note says why an allowed decision has no explanation.
	Note string `json:"note,omitempty"`
}

// Caller is the principal of a logged decision.
type Caller struct {
	Type        api.PrincipalType `json:"type"`
	ARN         string            `json:"arn"`
	Account     string            `json:"account,omitempty"`
	UserID      string            `json:"userId,omitempty"`
	Name        string            `json:"name,omitempty"`
	AccessKeyID string            `json:"accessKeyId,omitempty"`
}

// ContextKey is one condition key of a request and its values.
type ContextKey struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Explanation says why a decision was made: every statement that matched the request, and the condition keys that
// statements asked for and the request did not have.
type Explanation struct {
	Matches []MatchedStatement `json:"matchedStatements"`
	Missing []string           `json:"missingContextKeys,omitempty"`
}

// MatchedStatement is a statement that matched a request, with what it says.
type MatchedStatement struct {
	PolicyID string `json:"policyId"`
	// PolicyType is the layer the policy belongs to ("identity-based policy", "permissions boundary", …).
	PolicyType string `json:"policyType"`
	// Statement is the statement's position in its policy, from 0.
	Statement   int         `json:"statement"`
	Sid         string      `json:"sid,omitempty"`
	Effect      string      `json:"effect"`
	Action      []string    `json:"action,omitempty"`
	NotAction   []string    `json:"notAction,omitempty"`
	Resource    []string    `json:"resource,omitempty"`
	NotResource []string    `json:"notResource,omitempty"`
	Conditions  []Condition `json:"conditions,omitempty"`
}

// Condition is one condition of a matched statement.
type Condition struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
}

// record is e as the log keeps it; detail adds the request context and the explanation, which cost an Explain.
func (e *entry) record(detail bool) Record {
	p := e.principal
	r := Record{
		ID:        e.seq,
		RequestID: e.requestID,
		Time:      e.time,
		Service:   e.service,
		Operation: e.operation,
		Principal: Caller{
			Type: p.Type, ARN: p.ARN, Account: p.Account, UserID: p.UserID, Name: p.Name, AccessKeyID: p.AccessKeyID,
		},
		Action:          e.action,
		Resource:        e.resource,
		ResourceAccount: e.resourceAccount,
		Outcome:         e.decision.Outcome.String(),
		Mode:            e.mode,
		Decided:         e.how == decided,
		Reason:          e.reason,
	}
	switch e.how {
	case free:
		r.Reason = e.action + " requires no permission"
	case unchecked:
		r.Reason = reasonUnchecked
	}
	if e.denied() {
		r.Layer = layerName(e.decision.Layer)
		if r.Layer == "" {
			r.Layer = layerName(policy.IdentityPolicy)
		}
	}
	if detail && e.how == decided {
		if ctx := e.req.Context; ctx != nil {
			for _, k := range ctx.Keys() {
				v, _ := ctx.Get(k)
				r.Context = append(r.Context, ContextKey{Key: k, Values: v})
			}
		}
		ex := explain(&e.req, &e.set)
		r.Explanation = explanationOf(ex)
	}
	return r
}

func explanationOf(ex policy.Explanation) *Explanation {
	out := &Explanation{Matches: []MatchedStatement{}, Missing: ex.Missing}
	// A compiled policy gives its document by parsing its text again: once for all its statements that matched.
	docs := map[*policy.Compiled]*policy.Document{}
	for _, m := range ex.Matches {
		if m.Policy == nil {
			continue
		}
		ms := MatchedStatement{
			PolicyID:   m.Policy.ID,
			PolicyType: layerName(m.Policy.Type),
			Statement:  m.Statement,
			Effect:     m.Effect.String(),
		}
		doc, ok := docs[m.Policy]
		if !ok {
			doc = m.Policy.Document()
			docs[m.Policy] = doc
		}
		if st := statementAt(doc, m.Statement); st != nil {
			ms.Sid = st.Sid
			ms.Action, ms.NotAction = st.Action, st.NotAction
			ms.Resource, ms.NotResource = st.Resource, st.NotResource
			for _, c := range st.Conditions {
				ms.Conditions = append(ms.Conditions, Condition{Operator: c.OperatorName(), Key: c.Key, Values: c.Values})
			}
		}
		out.Matches = append(out.Matches, ms)
	}
	return out
}

func statementAt(doc *policy.Document, index int) *policy.Statement {
	if doc == nil {
		return nil
	}
	if index >= 0 && index < len(doc.Statements) && doc.Statements[index].Index == index {
		return doc.Statements[index]
	}
	for _, st := range doc.Statements {
		if st.Index == index {
			return st
		}
	}
	return nil
}

// String is the explanation on one line, for a log.
func (x *Explanation) String() string {
	if x == nil {
		return ""
	}
	var parts []string
	for _, m := range x.Matches {
		parts = append(parts, fmt.Sprintf("%s %q statement %d (%s)", m.Effect, m.PolicyID, m.Statement, m.PolicyType))
	}
	if len(x.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(x.Missing, ", "))
	}
	if len(parts) == 0 {
		return "no statement matched"
	}
	return strings.Join(parts, "; ")
}

// WriteText writes the decision for a reader: who asked for what, the outcome and its reason, which policy and
// statement allowed or denied — or which layer had no allow — and the condition keys that were missing.
func (r *Record) WriteText(w io.Writer) {
	fmt.Fprintf(w, "decision %d of request %s, %s\n", r.ID, r.RequestID, r.Time.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "  principal  %s (%s)\n", r.Principal.ARN, r.Principal.Type)
	fmt.Fprintf(w, "  request    %s on %s", r.Action, r.Resource)
	if r.Service != "" {
		fmt.Fprintf(w, " (%s %s)", r.Service, r.Operation)
	}
	fmt.Fprintln(w)
	if r.ResourceAccount != "" {
		fmt.Fprintf(w, "  owner      account %s\n", r.ResourceAccount)
	}
	outcome := r.Outcome
	switch {
	case !r.Decided:
		outcome += " (not decided by policies)"
	case r.Outcome != policy.Allowed.String() && r.Mode == Audit:
		outcome += " — let through: audit mode"
	case r.Outcome != policy.Allowed.String() && r.Mode == Enforce:
		outcome += " — refused"
	}
	fmt.Fprintf(w, "  outcome    %s\n", outcome)
	if r.Reason != "" {
		fmt.Fprintf(w, "  reason     %s\n", r.Reason)
	}
	if !r.Decided {
		return
	}
	if r.Explanation == nil {
		if r.Note != "" {
			fmt.Fprintf(w, "  (%s)\n", r.Note)
		}
		return
	}
	var allows, denies []MatchedStatement
	for _, m := range r.Explanation.Matches {
		if m.Effect == policy.Deny.String() {
			denies = append(denies, m)
		} else {
			allows = append(allows, m)
		}
	}
	for _, m := range denies {
		fmt.Fprintf(w, "  denied by  %s\n", m.describe())
	}
	for _, m := range allows {
		fmt.Fprintf(w, "  allowed by %s\n", m.describe())
	}
	if r.Outcome == policy.ImplicitDeny.String() {
		fmt.Fprintf(w, "  no allow   in any %s that applies\n", r.Layer)
	}
	if len(r.Explanation.Matches) == 0 && r.Outcome != policy.ImplicitDeny.String() {
		fmt.Fprintln(w, "  no statement matched")
	}
	if len(r.Explanation.Missing) > 0 {
		fmt.Fprintf(w, "  missing    %s (condition keys the policies ask for that the request did not have)\n",
			strings.Join(r.Explanation.Missing, ", "))
	}
}

// describe names a matched statement and says what it says.
func (m MatchedStatement) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q, statement %d", m.PolicyType, m.PolicyID, m.Statement)
	if m.Sid != "" {
		fmt.Fprintf(&b, " (Sid %q)", m.Sid)
	}
	b.WriteString(": ")
	b.WriteString(m.Effect)
	if len(m.Action) > 0 {
		b.WriteString(" " + strings.Join(m.Action, ", "))
	}
	if len(m.NotAction) > 0 {
		b.WriteString(" every action but " + strings.Join(m.NotAction, ", "))
	}
	if len(m.Resource) > 0 {
		b.WriteString(" on " + strings.Join(m.Resource, ", "))
	}
	if len(m.NotResource) > 0 {
		b.WriteString(" on every resource but " + strings.Join(m.NotResource, ", "))
	}
	for i, c := range m.Conditions {
		if i == 0 {
			b.WriteString(" when ")
		} else {
			b.WriteString(" and ")
		}
		fmt.Fprintf(&b, "%s %s %s", c.Key, c.Operator, strings.Join(c.Values, " or "))
	}
	return b.String()
}
