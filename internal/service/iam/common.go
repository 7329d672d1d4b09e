package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// ARNs. IAM's are global (no region); the path sits between the type and the name and always starts and ends
// with "/".
func userARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":user" + path + name
}
func groupARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":group" + path + name
}
func roleARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":role" + path + name
}
func policyARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":policy" + path + name
}
func instanceProfileARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":instance-profile" + path + name
}

// The errors IAM answers. The HTTP status comes from the model's error shapes (NoSuchEntity 404,
// EntityAlreadyExists 409, DeleteConflict 409, LimitExceeded 409, …).
func noSuchEntity(format string, args ...any) error {
	return awserr.New("NoSuchEntity", format, args...)
}
func entityAlreadyExists(format string, args ...any) error {
	return awserr.New("EntityAlreadyExists", format, args...)
}
func deleteConflict(format string, args ...any) error {
	return awserr.New("DeleteConflict", format, args...)
}
func invalidInput(format string, args ...any) error {
	return awserr.New("InvalidInput", format, args...)
}
func malformedPolicy(msg string) error { return awserr.New("MalformedPolicyDocument", "%s", msg) }

// limitExceeded is IAM's text for a quota: "Cannot exceed quota for PoliciesPerRole: 10".
func limitExceeded(quota string, n int) error {
	return awserr.New("LimitExceeded", "Cannot exceed quota for %s: %d", quota, n)
}

// authorize asks for action on resource, the first thing every handler does.
func authorize(ctx context.Context, c *api.Call, action, resource string) error {
	return c.Authorize(ctx, api.Authorization{Action: "iam:" + action, Resources: []string{resource}})
}

// defaultPath is the path of an entity created without one.
const defaultPath = "/"

func pathOr(p *string) string {
	if p == nil || *p == "" {
		return defaultPath
	}
	return *p
}

// encodeDocument percent-encodes a policy document as IAM returns documents (RFC 3986: everything but letters,
// digits and -._~), which clients decode (the AWS CLI shows the JSON).
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Pagination. IAM's Marker is opaque; sagebox's is the id of the last record returned, encoded, so that the next
// page starts after it. MaxItems defaults to 100 (the model bounds it to 1..1000).
const defaultMaxItems = 100

func maxItems(n *int32) int {
	if n == nil {
		return defaultMaxItems
	}
	return int(*n)
}

func encodeMarker(lastID string) *string {
	m := base64.RawURLEncoding.EncodeToString([]byte(lastID))
	return &m
}

func decodeMarker(m *string) (string, error) {
	if m == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*m)
	if err != nil {
		return "", invalidInput("Invalid Marker.")
	}
	return string(b), nil
}

// listPage reads one page of the records of sc in name order, starting after marker, keeping those keep accepts
// (nil keeps all), at most max. It reads max+1 kept records to know whether the list is truncated, in batches, so
// that a filter that keeps few records does not read the whole account at once for a page.
func listPage(t store.Tx, sc store.Scope, marker *string, max int, keep func(*store.Record) (bool, error)) (page []*store.Record, next *string, err error) {
	after, err := decodeMarker(marker)
	if err != nil {
		return nil, nil, err
	}
	batch := max + 1
	for {
		recs, err := t.List(sc, store.ListQuery{After: after, Limit: batch})
		if err != nil {
			return nil, nil, err
		}
		for _, rec := range recs {
			ok := true
			if keep != nil {
				if ok, err = keep(rec); err != nil {
					return nil, nil, err
				}
			}
			if !ok {
				continue
			}
			if len(page) == max {
				return page, encodeMarker(page[len(page)-1].ID), nil
			}
			page = append(page, rec)
		}
		if len(recs) < batch {
			return page, nil, nil
		}
		after = recs[len(recs)-1].ID
	}
}

// hasPathPrefix reports whether path starts with prefix; a nil prefix takes every path.
func hasPathPrefix(prefix *string, path string) bool {
	return prefix == nil || strings.HasPrefix(path, *prefix)
}

// listResource is the resource IAM authorizes a List action on: the ARN of the request's path prefix,
// arn:aws:iam::ACCOUNT:user/ for the default "/". AWS's denial messages show it ("not authorized to perform:
// iam:ListUsers on resource: arn:aws:iam::123456789012:user/"; "iam:ListInstanceProfiles on resource:
// …:instance-profile/karpenter/" with a path prefix), although the Service Authorization Reference lists no
// resource type for these actions.
func listResource(arnOf func(account, path, name string) string, account string, prefix *string) string {
	path := defaultPath
	if prefix != nil {
		path = *prefix
	}
	return arnOf(account, path, "")
}

// takesBoundaryKey reports whether the Service Authorization Reference lists iam:PermissionsBoundary for an action
// on an existing user or role, whose current boundary is then the key's value. The reads (GetRolePolicy,
// ListAttachedUserPolicies, …) and the tagging actions do not take it, and AWS leaves it out of their requests.
func takesBoundaryKey(action string) bool {
	switch action {
	case "AttachRolePolicy", "AttachUserPolicy", "DeleteRole", "DeleteRolePermissionsBoundary", "DeleteRolePolicy",
		"DeleteUserPermissionsBoundary", "DeleteUserPolicy", "DetachRolePolicy", "DetachUserPolicy", "GetRole",
		"PutRolePermissionsBoundary", "PutRolePolicy", "PutUserPermissionsBoundary", "PutUserPolicy",
		"UpdateAssumeRolePolicy", "UpdateRole", "UpdateRoleDescription":
		return true
	}
	return false
}

// Tags. IAM allows 50 per entity; keys are case-sensitive but unique case-insensitively.
const maxTags = 50

// mergeTags adds or replaces tags on existing ones and checks the quota (named as IAM names it, such as
// "TagsPerRole") and duplicates in the request.
func mergeTags(existing []tag, in []*Tag, quota string) ([]tag, error) {
	seen := map[string]bool{}
	for _, t := range in {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	out := append([]tag(nil), existing...)
	for _, t := range in {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = tag{Key: t.Key, Value: t.Value}
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, tag{Key: t.Key, Value: t.Value})
		}
	}
	if len(out) > maxTags {
		return nil, limitExceeded(quota, maxTags)
	}
	return out, nil
}

// removeTags drops the tags with the keys (case-insensitively).
func removeTags(existing []tag, keys []string) []tag {
	out := existing[:0:0]
	for _, t := range existing {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// requestTags is the condition context of a request that sets tags: aws:RequestTag/KEY and aws:TagKeys.
func requestTags(tags []*Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	ctx := map[string][]string{}
	for _, tg := range tags {
		ctx["aws:RequestTag/"+tg.Key] = []string{tg.Value}
		ctx["aws:TagKeys"] = append(ctx["aws:TagKeys"], tg.Key)
	}
	return ctx
}

// tagKeysContext is the condition context of a request that removes tags.
func tagKeysContext(keys []string) map[string][]string {
	if len(keys) == 0 {
		return nil
	}
	return map[string][]string{"aws:TagKeys": append([]string(nil), keys...)}
}

// apiTags renders stored tags for output; nil when there are none, so that the member is absent.
func apiTags(ts []tag) []*Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]*Tag, len(ts))
	for i, t := range ts {
		out[i] = &Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// isExists reports whether a store write failed because the name (or a unique index) is taken.
func isExists(err error) bool {
	return errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrConflict)
}

// pageTags pages a list of tags as ListUserTags and its kin do: Marker is the index of the next tag.
func pageTags(ts []tag, marker *string, max *int32) (page []*Tag, truncated bool, next *string) {
	start := 0
	if marker != nil {
		if after, err := decodeMarker(marker); err == nil {
			for i, t := range ts {
				if t.Key == after {
					start = i + 1
					break
				}
			}
		}
	}
	end := min(len(ts), start+maxItems(max))
	page = apiTags(ts[start:end])
	if page == nil {
		page = []*Tag{}
	}
	if end < len(ts) {
		return page, true, encodeMarker(ts[end-1].Key)
	}
	return page, false, nil
}

// now is the call's time as IAM records it: IAM's dates have whole seconds ("2026-11-25T08:30:15Z").
func now(c *api.Call) time.Time { return c.Now.Truncate(time.Second) }
