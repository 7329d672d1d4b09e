package ec2

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// arn is the ARN of an EC2 resource in the call's account and region: arn:aws:ec2:REGION:ACCOUNT:TYPE/ID. An id of
// "*" names every resource of the type, as AWS authorizes the resource a Create call is about to make.
func arn(c *api.Call, typ, id string) string {
	return "arn:aws:ec2:" + c.Region + ":" + c.Account() + ":" + typ + "/" + id
}

// authorize asks for one EC2 action (without its "ec2:" prefix) on resources with condition keys, and answers a
// DryRun request once it is allowed: DryRunOperation, having changed nothing. A denial is UnauthorizedOperation
// with its encoded message (api.Call.Authorize). Every handler calls it before it reads or changes anything
// beyond what it must read to name its resources and keys.
func authorize(ctx context.Context, c *api.Call, dryRun *bool, action string, resources []string, keys map[string][]string) error {
	if err := c.Authorize(ctx, api.Authorization{Action: "ec2:" + action, Resources: resources, Context: keys}); err != nil {
		return err
	}
	if dryRun != nil && *dryRun {
		return &awserr.Error{Kind: awserr.KindDryRun}
	}
	return nil
}

// authorizeMany is authorize for several authorizations of one call (CreateSubnet asks on the subnet and on its
// VPC): every one must be allowed before a DryRun is answered.
func authorizeMany(ctx context.Context, c *api.Call, dryRun *bool, as ...api.Authorization) error {
	for _, a := range as {
		if err := c.Authorize(ctx, a); err != nil {
			return err
		}
	}
	if dryRun != nil && *dryRun {
		return &awserr.Error{Kind: awserr.KindDryRun}
	}
	return nil
}

// resourceKeys are the condition keys of an existing resource: its tags as ec2:ResourceTag/K and aws:ResourceTag/K
// (EC2 documents both), ec2:Region, and, where it belongs to one, ec2:Vpc (the VPC's ARN).
func resourceKeys(c *api.Call, tags []tag, vpcID string) map[string][]string {
	keys := map[string][]string{"ec2:Region": {c.Region}}
	for _, t := range tags {
		keys["ec2:ResourceTag/"+t.Key] = []string{t.Value}
		keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
	if vpcID != "" {
		keys["ec2:Vpc"] = []string{arn(c, "vpc", vpcID)}
	}
	return keys
}

// requestTagKeys adds the keys of tags a request sets (aws:RequestTag/K, aws:TagKeys) to keys, and returns keys.
func requestTagKeys(keys map[string][]string, tags []tag) map[string][]string {
	if len(tags) == 0 {
		return keys
	}
	if keys == nil {
		keys = map[string][]string{}
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		names = append(names, t.Key)
	}
	keys["aws:TagKeys"] = names
	return keys
}

// createTagsAuthorization is the second authorization a Create call with TagSpecifications needs: ec2:CreateTags
// on the new resource with ec2:CreateAction naming the call, as AWS requires ("To tag on create, you need
// permission for ec2:CreateTags", with ec2:CreateAction to scope it).
func createTagsAuthorization(c *api.Call, resource string, tags []tag) api.Authorization {
	keys := requestTagKeys(map[string][]string{"ec2:CreateAction": {c.Operation}, "ec2:Region": {c.Region}}, tags)
	return api.Authorization{Action: "ec2:CreateTags", Resources: []string{resource}, Context: keys}
}

// Errors. Codes and texts are EC2's; all are HTTP 400 (EC2's model declares no error shapes).
func invalidParameterValue(format string, args ...any) error {
	return awserr.New("InvalidParameterValue", format, args...)
}
func invalidParameter(format string, args ...any) error {
	return awserr.New("InvalidParameter", format, args...)
}
func invalidParameterCombination(format string, args ...any) error {
	return awserr.New("InvalidParameterCombination", format, args...)
}
func missingParameter(format string, args ...any) error {
	return awserr.New("MissingParameter", format, args...)
}
func dependencyViolation(format string, args ...any) error {
	return awserr.New("DependencyViolation", format, args...)
}

// notFound is the error for an id of a kind that does not exist, such as InvalidVpcID.NotFound "The vpc ID
// 'vpc-1' does not exist".
func notFound(code, format string, args ...any) error { return awserr.New(code, format, args...) }

// Tags.

// maxTags is the number of tags a resource may have (EC2's quota: 50 user tags per resource).
const maxTags = 50

// tagsFromSpecs returns the tags of the TagSpecifications meant for resource type typ ("vpc"). A specification for
// another type is refused as EC2 refuses it.
func tagsFromSpecs(specs []*TagSpecification, typ string) ([]tag, error) {
	var out []tag
	for _, sp := range specs {
		rt := deref(sp.ResourceType)
		if rt == "" {
			return nil, invalidParameterValue("Tag specification resource type must have a value")
		}
		if rt != typ {
			return nil, invalidParameterValue("'%s' is not a valid taggable resource type for this operation.", rt)
		}
		for _, t := range sp.Tags {
			nt, err := checkTag(t)
			if err != nil {
				return nil, err
			}
			out = mergeTags(out, []tag{nt})
		}
	}
	if len(out) > maxTags {
		return nil, awserr.New("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
	}
	return out, nil
}

// checkTag validates one tag of a request.
func checkTag(t *Tag) (tag, error) {
	if t == nil || t.Key == nil {
		return tag{}, invalidParameterValue("Tag key cannot be null")
	}
	k := *t.Key
	switch {
	case k == "":
		return tag{}, invalidParameterValue("Tag key cannot be empty")
	case len(k) > 127:
		return tag{}, invalidParameterValue("Tag key exceeds the maximum length of 127 characters")
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return tag{}, invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use")
	}
	v := deref(t.Value)
	if len(v) > 255 {
		return tag{}, invalidParameterValue("Tag value exceeds the maximum length of 255 characters")
	}
	return tag{Key: k, Value: v}, nil
}

// mergeTags sets add on tags: a key already there takes the new value in its place, new keys go last.
func mergeTags(tags, add []tag) []tag {
	out := append([]tag(nil), tags...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value, replaced = a.Value, true
				break
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

// apiTags renders stored tags; nil (omitted) when there are none, as EC2 omits an empty tagSet.
func apiTags(tags []tag) []*Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]*Tag, len(tags))
	for i, t := range tags {
		out[i] = &Tag{Key: ptr(t.Key), Value: ptr(t.Value)}
	}
	return out
}

// Filters.

// filterValues returns the values a resource has for a filter name, and whether the resource type knows the
// filter. The tag filters (tag:K, tag-key, tag-value) are handled by matchFilters, not here.
type filterValues func(name string) ([]string, bool)

// matchFilters reports whether a resource with tags passes every filter: a filter passes when any of its values
// matches any of the resource's values for its name (values may use the wildcards * and ?, case-sensitively, as
// EC2's do). An unknown filter name is InvalidParameterValue.
func matchFilters(filters []*Filter, tags []tag, values filterValues) (bool, error) {
	for _, f := range filters {
		name := deref(f.Name)
		var have []string
		switch {
		case strings.HasPrefix(name, "tag:"):
			k := strings.TrimPrefix(name, "tag:")
			for _, t := range tags {
				if t.Key == k {
					have = append(have, t.Value)
				}
			}
		case name == "tag-key":
			for _, t := range tags {
				have = append(have, t.Key)
			}
		case name == "tag-value":
			for _, t := range tags {
				have = append(have, t.Value)
			}
		default:
			var ok bool
			if have, ok = values(name); !ok {
				return false, invalidParameterValue("The filter '%s' is invalid", name)
			}
		}
		if !anyMatch(f.Values, have) {
			return false, nil
		}
	}
	return true, nil
}

// checkFilters validates filter names without a resource, for a Describe call that has nothing to match: an
// unknown name is still an error.
func checkFilters(filters []*Filter, values filterValues) error {
	_, err := matchFilters(filters, nil, values)
	if err != nil {
		return err
	}
	return nil
}

func anyMatch(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if wildcardMatch(p, h) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches s against a filter value with * (any run) and ? (one character); EC2's filters know no
// other special characters.
func wildcardMatch(pattern, str string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == str
	}
	p, s := []rune(pattern), []rune(str)
	px, sx := 0, 0
	star, match := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || (p[px] != '*' && p[px] == s[sx])):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, match = px, sx
			px++
		case star >= 0:
			px = star + 1
			match++
			sx = match
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// boolValue is a filter value for a boolean, as EC2 writes it.
func boolValue(b bool) []string {
	if b {
		return []string{"true"}
	}
	return []string{"false"}
}

// Pagination.

// page cuts the ids of matching resources (sorted) into the page a Describe call asked for: from after the
// NextToken, at most maxResults (0: all). It returns the page's range and the token of the next page ("" when
// this is the last). A token the service did not make is InvalidPaginationToken.
func page(ids []string, nextToken *string, maxResults *int32) (from, to int, next string, err error) {
	if !sort.StringsAreSorted(ids) {
		sort.Strings(ids)
	}
	if tok := deref(nextToken); tok != "" {
		b, derr := base64.RawURLEncoding.DecodeString(tok)
		if derr != nil || len(b) == 0 {
			return 0, 0, "", awserr.New("InvalidPaginationToken", "Invalid pagination token")
		}
		after := string(b)
		from = sort.Search(len(ids), func(i int) bool { return ids[i] > after })
	}
	to = len(ids)
	if n := int(deref(maxResults)); n > 0 && from+n < len(ids) {
		to = from + n
		next = base64.RawURLEncoding.EncodeToString([]byte(ids[to-1]))
	}
	return from, to, next, nil
}

// load reads the resource of a kind that a request names, for a handler that authorizes on it before it may say
// that it does not exist: authz is asked with the resource, or with nil when there is none, and unknown(id) is the
// answer then.
func load[T any](ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, kind, id string, authz func(*T) api.Authorization, unknown func(string) error) (*T, error) {
	r, _, err := get[T](t, c.Account(), c.Region, kind, id)
	if err != nil {
		return nil, err
	}
	if err := authorizeMany(ctx, c, dryRun, authz(r)); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, unknown(id)
	}
	return r, nil
}

// Describe.

// describing is what describe needs to know of a kind of resource.
type describing[T any] struct {
	kind string
	id   func(*T) string
	tags func(*T) []tag
	// values are a resource's values for the filters of its Describe call. It may fail where they come from the
	// rendered resource, which reads other records.
	values func(*T) (filterValues, error)
	// notFound is the error for the ids a request names that do not exist, in the request's order. Kinds differ:
	// some name every missing id, others only the first.
	notFound func(missing []string) error
	// check, when set, vets each named id as it is read: the first id that is refused or missing answers (VPC
	// endpoints). Nil for kinds whose handler checks every id first.
	check func(id string) error
	// visible, when set, hides resources that exist but that Describe no longer shows (a NAT gateway deleted long
	// ago): a hidden resource named by id is missing.
	visible func(*T) bool
}

// describe is the common body of a Describe call: it reads the resources the request names by id (each must
// exist) or else every one of the kind, keeps those that pass the filters, and cuts the page the call asked for, in
// id order. next is nil on the last page. The caller has authorized and checked the filter names already.
func describe[T any](t store.Tx, c *api.Call, d describing[T], ids []string, filters []*Filter, nextToken *string, maxResults *int32) (pageOf []*T, next *string, err error) {
	var all []*T
	if len(ids) > 0 {
		var missing []string
		for _, id := range unique(ids) {
			if d.check != nil {
				if err := d.check(id); err != nil {
					if len(missing) > 0 {
						// The id that came first answers.
						return nil, nil, d.notFound(missing)
					}
					return nil, nil, err
				}
			}
			r, _, err := get[T](t, c.Account(), c.Region, d.kind, id)
			if err != nil {
				return nil, nil, err
			}
			if r == nil || (d.visible != nil && !d.visible(r)) {
				missing = append(missing, id)
				continue
			}
			all = append(all, r)
		}
		if len(missing) > 0 {
			return nil, nil, d.notFound(missing)
		}
	} else if all, err = list[T](t, c.Account(), c.Region, d.kind); err != nil {
		return nil, nil, err
	}
	// page() orders the ids it cuts; the resources must stand in the same order.
	sortByID(all, d.id)
	var matched []*T
	var matchedIDs []string
	for _, r := range all {
		if d.visible != nil && !d.visible(r) {
			continue
		}
		values, err := d.values(r)
		if err != nil {
			return nil, nil, err
		}
		ok, err := matchFilters(filters, d.tags(r), values)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			matched = append(matched, r)
			matchedIDs = append(matchedIDs, d.id(r))
		}
	}
	from, to, tok, err := page(matchedIDs, nextToken, maxResults)
	if err != nil {
		return nil, nil, err
	}
	if tok != "" {
		next = &tok
	}
	return matched[from:to], next, nil
}

// Small helpers.

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// unique returns ids without repeats, in their first order.
func unique(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// sortByID orders resources by id, as page() orders their ids.
func sortByID[T any](xs []T, id func(T) string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && id(xs[j]) < id(xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
