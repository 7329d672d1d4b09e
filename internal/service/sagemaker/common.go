package sagemaker

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
)

// ARNs. SageMaker lower-cases names (and app types) in its ARNs: a profile "Alice" is
// arn:aws:sagemaker:REGION:ACCOUNT:user-profile/d-…/alice.
func arnPrefix(c *api.Call) string { return "arn:aws:sagemaker:" + c.Region + ":" + c.Account() + ":" }

func domainARN(c *api.Call, id string) string { return arnPrefix(c) + "domain/" + id }

func profileARN(c *api.Call, domainID, name string) string {
	return arnPrefix(c) + "user-profile/" + domainID + "/" + strings.ToLower(name)
}

func spaceARN(c *api.Call, domainID, name string) string {
	return arnPrefix(c) + "space/" + domainID + "/" + strings.ToLower(name)
}

// appARN is an app's ARN: app/DOMAIN/OWNER/TYPE/NAME, where OWNER is the user profile's or the space's name.
func appARN(c *api.Call, domainID, owner, appType, name string) string {
	return arnPrefix(c) + "app/" + domainID + "/" + strings.ToLower(owner) + "/" + strings.ToLower(appType) + "/" + strings.ToLower(name)
}

// authorize asks for one SageMaker action (without its "sagemaker:" prefix) on a resource with condition keys.
func authorize(ctx context.Context, c *api.Call, action, resource string, keys map[string][]string) error {
	return c.Authorize(ctx, api.Authorization{Action: "sagemaker:" + action, Resources: []string{resource}, Context: keys})
}

// passRole asks whether the caller may pass a role to SageMaker: iam:PassRole on the role with iam:PassedToService,
// as AWS checks every role a request hands to a service. The denial is SageMaker's AccessDeniedException naming
// iam:PassRole.
func passRole(ctx context.Context, c *api.Call, roleARN string) error {
	return c.Authorize(ctx, api.Authorization{
		Action: "iam:PassRole", Resources: []string{roleARN},
		Context: map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}},
	})
}

// Errors: SageMaker's codes (statuses come from the model).
func notFound(format string, args ...any) error {
	return awserr.New("ResourceNotFound", format, args...)
}
func inUse(format string, args ...any) error { return awserr.New("ResourceInUse", format, args...) }
func limitExceeded(format string, args ...any) error {
	return awserr.New("ResourceLimitExceeded", format, args...)
}
func validation(format string, args ...any) error {
	return awserr.New("ValidationException", format, args...)
}

// Tags.

// maxTags is how many tags a SageMaker resource may have.
const maxTags = 50

// tagKeys returns the condition keys of tags a request sets: aws:RequestTag/K and aws:TagKeys.
func requestTagKeys(keys map[string][]string, tags []*Tag) map[string][]string {
	if len(tags) == 0 {
		return keys
	}
	if keys == nil {
		keys = map[string][]string{}
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		names = append(names, t.Key)
	}
	keys["aws:TagKeys"] = names
	return keys
}

// resourceTagKeys adds a resource's tags as aws:ResourceTag/K to keys, and returns keys.
func resourceTagKeys(keys map[string][]string, tags []tag) map[string][]string {
	if keys == nil {
		keys = map[string][]string{}
	}
	for _, t := range tags {
		keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return keys
}

// storedTags turns a request's tags into stored ones; a later tag of the same key replaces an earlier one.
func storedTags(in []*Tag) []tag {
	return mergeTags(nil, in)
}

// mergeTags sets add on tags: a key already there takes the new value in its place, new keys go last.
func mergeTags(tags []tag, add []*Tag) []tag {
	out := append([]tag(nil), tags...)
	for _, a := range add {
		if a == nil {
			continue
		}
		replaced := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value, replaced = a.Value, true
				break
			}
		}
		if !replaced {
			out = append(out, tag{Key: a.Key, Value: a.Value})
		}
	}
	return out
}

func apiTags(tags []tag) []*Tag {
	out := make([]*Tag, len(tags))
	for i, t := range tags {
		out[i] = &Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// Lists.

// defaultMaxResults is how many items a List call returns without MaxResults.
const defaultMaxResults = 10

// listed is one item of a List call before it is cut into pages: its sort keys and the position token.
type listed struct {
	name    string
	created time.Time
	// id is unique and stable: it breaks ties and makes the NextToken.
	id string
}

// pageOf sorts items (by "Name" or "CreationTime", "Ascending" or "Descending"; CreationTime descending when not
// said, as SageMaker lists) and returns the indexes of one page — after the NextToken, at most maxResults
// (defaultMaxResults when nil) — and the next token ("" on the last page). A token sagebox did not make is a
// ValidationException.
func pageOf(items []listed, sortBy, sortOrder string, nextToken *string, maxResults *int32) ([]int, string, error) {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	byName := strings.EqualFold(sortBy, "Name")
	asc := sortOrder == "Ascending"
	if sortBy == "" && sortOrder == "" {
		asc = false
	}
	less := func(a, b listed) bool {
		if byName && a.name != b.name {
			return a.name < b.name
		}
		if !byName && !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return a.id < b.id
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := items[order[i]], items[order[j]]
		if asc {
			return less(a, b)
		}
		return less(b, a)
	})
	from := 0
	if tok := deref(nextToken); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) == 0 {
			return nil, "", validation("Invalid pagination token: %s", tok)
		}
		after := string(b)
		from = len(order)
		for i, ix := range order {
			if items[ix].id == after {
				from = i + 1
				break
			}
		}
	}
	n := defaultMaxResults
	if maxResults != nil && *maxResults > 0 {
		n = int(*maxResults)
	}
	to := min(from+n, len(order))
	next := ""
	if to < len(order) {
		next = base64.RawURLEncoding.EncodeToString([]byte(items[order[to-1]].id))
	}
	return order[from:to], next, nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// timePtr is a time for an output, nil when zero.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
