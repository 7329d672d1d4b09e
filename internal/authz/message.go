package authz

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// Encoded authorization messages. EC2 answers a denial with "You are not authorized to perform this operation.
// Encoded authorization failure message: …", and STS DecodeAuthorizationMessage turns the message back into the
// decision. AWS's message is encrypted; sagebox's names the logged decision — its number and its request id, so
// that a message from before a restart, whose number may have been reused, does not decode to another decision —
// in base64url, which keeps it opaque to a reader and within STS's 10,240 characters.

const messagePrefix = "sbx1."

// maxEncodedMessage is STS DecodeAuthorizationMessage's limit on EncodedMessage.
const maxEncodedMessage = 10240

func encodeMessage(seq uint64, requestID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(messagePrefix + strconv.FormatUint(seq, 10) + "." + requestID))
}

// decodeMessage reads an encoded message; ok is false for anything sagebox did not encode.
func decodeMessage(blob string) (seq uint64, requestID string, ok bool) {
	if blob == "" || len(blob) > maxEncodedMessage {
		return 0, "", false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(blob)
	// The decoder skips line breaks: only the canonical form of a message is one.
	if err != nil || base64.RawURLEncoding.EncodeToString(raw) != blob {
		return 0, "", false
	}
	rest, found := strings.CutPrefix(string(raw), messagePrefix)
	if !found {
		return 0, "", false
	}
	num, requestID, found := strings.Cut(rest, ".")
	if !found || requestID == "" || num == "" || num[0] == '0' {
		return 0, "", false
	}
	seq, err = strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return seq, requestID, true
}

// DecodeMessage returns the decision an encoded authorization message names, in the JSON shape of STS
// DecodeAuthorizationMessage's DecodedMessage: allowed, explicitDeny, matchedStatements, failures and context
// (principal, action, resource and the request's condition keys). ok is false when the message is not one
// sagebox encoded, or names a decision the log no longer has.
func (z *Authorizer) DecodeMessage(blob string) (string, bool) {
	r, ok := z.decodedRecord(context.Background(), blob)
	if !ok {
		return "", false
	}
	out, err := json.Marshal(decodedMessageOf(&r))
	if err != nil {
		return "", false
	}
	return string(out), true
}

// DecodedAccount returns the account of the principal whose decision an encoded message names, for STS to check
// that the caller of DecodeAuthorizationMessage is of the same account.
func (z *Authorizer) DecodedAccount(blob string) (string, bool) {
	r, ok := z.decodedRecord(context.Background(), blob)
	return r.Principal.Account, ok
}

func (z *Authorizer) decodedRecord(ctx context.Context, blob string) (Record, bool) {
	seq, requestID, ok := decodeMessage(blob)
	if !ok {
		return Record{}, false
	}
	r, found, err := z.log.bySeq(ctx, seq)
	if err != nil || !found || r.RequestID != requestID {
		return Record{}, false
	}
	return r, true
}

// The shapes of a decoded message: lists are {"items": […]}, values {"value": …}.
type (
	items[T any] struct {
		Items []T `json:"items"`
	}
	valueItem struct {
		Value string `json:"value"`
	}
	conditionItem struct {
		Key    string           `json:"key"`
		Values items[valueItem] `json:"values"`
	}
	decodedStatement struct {
		StatementID     string               `json:"statementId"`
		Effect          string               `json:"effect"`
		Principals      items[valueItem]     `json:"principals"`
		PrincipalGroups items[valueItem]     `json:"principalGroups"`
		Actions         items[valueItem]     `json:"actions"`
		Resources       items[valueItem]     `json:"resources"`
		Conditions      items[conditionItem] `json:"conditions"`
	}
	decodedPrincipal struct {
		ID   string `json:"id"`
		Name string `json:"name,omitempty"`
		ARN  string `json:"arn"`
	}
	decodedContext struct {
		Principal  decodedPrincipal     `json:"principal"`
		Action     string               `json:"action"`
		Resource   string               `json:"resource"`
		Conditions items[conditionItem] `json:"conditions"`
	}
	decodedMessage struct {
		Allowed           bool                    `json:"allowed"`
		ExplicitDeny      bool                    `json:"explicitDeny"`
		MatchedStatements items[decodedStatement] `json:"matchedStatements"`
		Failures          items[valueItem]        `json:"failures"`
		Context           decodedContext          `json:"context"`
	}
)

func values(vs []string) items[valueItem] {
	out := items[valueItem]{Items: make([]valueItem, len(vs))}
	for i, v := range vs {
		out.Items[i] = valueItem{Value: v}
	}
	return out
}

func decodedMessageOf(r *Record) decodedMessage {
	m := decodedMessage{
		Allowed:           r.Outcome == policy.Allowed.String(),
		ExplicitDeny:      r.Outcome == policy.ExplicitDeny.String(),
		MatchedStatements: items[decodedStatement]{Items: []decodedStatement{}},
		Failures:          items[valueItem]{Items: []valueItem{}},
		Context: decodedContext{
			Principal:  decodedPrincipal{ID: r.Principal.UserID, ARN: r.Principal.ARN},
			Action:     r.Action,
			Resource:   r.Resource,
			Conditions: items[conditionItem]{Items: []conditionItem{}},
		},
	}
	if r.Principal.Type == api.User {
		m.Context.Principal.Name = r.Principal.Name
	}
	// A statement names the principal it applies to by its unique id, as AWS's decoded messages do (a role's, not
	// its session's).
	principalID := r.Principal.UserID
	if r.Principal.Type == api.AssumedRole {
		principalID, _, _ = strings.Cut(principalID, ":")
	}
	if x := r.Explanation; x != nil {
		for _, s := range x.Matches {
			ds := decodedStatement{
				StatementID:     s.Sid,
				Effect:          strings.ToUpper(s.Effect),
				Principals:      values([]string{principalID}),
				PrincipalGroups: values(nil),
				Actions:         values(append(append([]string{}, s.Action...), s.NotAction...)),
				Resources:       values(append(append([]string{}, s.Resource...), s.NotResource...)),
				Conditions:      items[conditionItem]{Items: []conditionItem{}},
			}
			for _, c := range s.Conditions {
				ds.Conditions.Items = append(ds.Conditions.Items, conditionItem{Key: c.Key, Values: values(c.Values)})
			}
			m.MatchedStatements.Items = append(m.MatchedStatements.Items, ds)
		}
	}
	for _, k := range r.Context {
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, conditionItem{Key: k.Key, Values: values(k.Values)})
	}
	return m
}
