package sagemaker

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

// Tags: AddTags, DeleteTags and ListTags by ResourceArn, for domains, user profiles, spaces and apps, and the checks
// the operations that create those resources share (checkTags, authorizeCreateTags).

func (s *Service) registerTags(h *api.ServiceHandlers) {
	api.Write(h, "AddTags", s.addTags)
	api.Write(h, "DeleteTags", s.deleteTags)
	api.Read(h, "ListTags", s.listTags)
}

// resourceNotFoundForTags is what the tag operations answer for an ARN that names no resource of the caller's:
// the model gives AddTags, DeleteTags and ListTags no ResourceNotFound, and AWS answers ValidationException, also for
// an app that is Deleted (aws/amazon-sagemaker-feedback#108). The text is SageMaker's for a missing resource of the
// json API (DescribeTrainingJob's, AWS-FACTS); that the tag operations use the same one is unverified.
func resourceNotFoundForTags() error { return validation("Requested resource not found.") }

// checkTags refuses tags whose keys AWS reserves: the prefix "aws:" in any case, which the AWS tagging rules reserve
// for AWS's own tags. The text is unverified for SageMaker (EC2 says "Tag keys starting with 'aws:' are reserved for
// internal use"; SageMaker's model pattern admits the key, so the refusal is the service's own).
func checkTags(tags []*Tag) error {
	for _, t := range tags {
		if t != nil && reservedTagKey(t.Key) {
			return validation("Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return nil
}

func reservedTagKey(k string) bool { return len(k) >= 4 && strings.EqualFold(k[:4], "aws:") }

// checkTagCount refuses a resource's tags past maxTags. Unverified text (the model caps one request at 50 tags; the
// limit on a resource is the SageMaker quota "tags per resource", 50).
func checkTagCount(tags []tag) error {
	if len(tags) > maxTags {
		return limitExceeded("You have exceeded the limit of %d tags for the resource.", maxTags)
	}
	return nil
}

// authorizeCreateTags asks what a Create call that sets tags needs besides its own action: sagemaker:AddTags on the
// new resource, with the tags and sagemaker:TaggingAction naming the Create operation — as AWS asks, and as
// AmazonSageMakerFullAccess expects (its AddTags statements for spaces hold sagemaker:TaggingAction = CreateSpace).
// Without tags it asks nothing. Other areas call it from their Create handlers.
func authorizeCreateTags(ctx context.Context, c *api.Call, arn, createAction string, tags []*Tag) error {
	if len(tags) == 0 {
		return nil
	}
	keys := requestTagKeys(map[string][]string{"sagemaker:TaggingAction": {createAction}}, tags)
	return authorize(ctx, c, "AddTags", arn, keys)
}

// taggedResource is a resource the tag operations found by its ARN: its tags, and how to store them.
type taggedResource struct {
	tags []tag
	save func(t store.Tx, tags []tag) error
}

// arnParts splits a SageMaker ARN into its region, account and resource ("domain/d-…"); ok is false for what is not
// a SageMaker ARN of six parts.
func arnParts(arn string) (region, account, resource string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sagemaker" {
		return "", "", "", false
	}
	return parts[3], parts[4], parts[5], true
}

// findTagged reads the domain, user profile, space or app an ARN of the caller's account and region names; nil when
// there is none, when the ARN is of another account or region or names another kind of resource, or when the
// resource no longer exists (an app that is Deleted included).
func (s *Service) findTagged(t store.Tx, c *api.Call, arn string) (*taggedResource, error) {
	region, acct, resource, ok := arnParts(arn)
	if !ok || region != c.Region || acct != c.Account() {
		return nil, nil
	}
	kind, rest, _ := strings.Cut(resource, "/")
	segs := strings.Split(rest, "/")
	account, now := c.Account(), c.Now
	switch {
	case kind == "domain" && len(segs) == 1:
		d, _, err := get[domain](t, account, region, kindDomain, segs[0])
		if err != nil || d == nil {
			return nil, err
		}
		if _, exists := d.status(now); !exists {
			return nil, nil
		}
		return &taggedResource{tags: d.Tags, save: func(t store.Tx, tags []tag) error {
			d.Tags = tags
			return putDomain(t, account, region, d)
		}}, nil
	case kind == "user-profile" && len(segs) == 2:
		p, _, err := get[profile](t, account, region, kindProfile, profileID(segs[0], segs[1]))
		if err != nil || p == nil {
			return nil, err
		}
		if _, exists := p.status(now); !exists {
			return nil, nil
		}
		return &taggedResource{tags: p.Tags, save: func(t store.Tx, tags []tag) error {
			p.Tags = tags
			return putProfile(t, account, region, p)
		}}, nil
	case kind == "space" && len(segs) == 2:
		sp, _, err := get[space](t, account, region, kindSpace, spaceID(segs[0], segs[1]))
		if err != nil || sp == nil {
			return nil, err
		}
		if _, exists := sp.status(now); !exists {
			return nil, nil
		}
		return &taggedResource{tags: sp.Tags, save: func(t store.Tx, tags []tag) error {
			sp.Tags = tags
			return putSpace(t, account, region, sp)
		}}, nil
	case kind == "app" && len(segs) == 4:
		// The ARN does not say whether the owner is a user profile or a space: an app of either is found.
		for _, id := range []string{appID(segs[0], segs[1], "", segs[2], segs[3]), appID(segs[0], "", segs[1], segs[2], segs[3])} {
			a, _, err := get[app](t, account, region, kindApp, id)
			if err != nil {
				return nil, err
			}
			if a == nil {
				continue
			}
			if _, exists := a.status(now); !exists {
				return nil, nil
			}
			return &taggedResource{tags: a.Tags, save: func(t store.Tx, tags []tag) error {
				a.Tags = tags
				return putApp(t, account, region, a)
			}}, nil
		}
	}
	return nil, nil
}

// tagAuthorization asks for a tag action on the ARN, with the resource's tags as aws:ResourceTag keys; an ARN of
// another account is asked as a cross-account request.
func tagAuthorization(ctx context.Context, c *api.Call, action, arn string, keys map[string][]string, r *taggedResource) error {
	if r != nil {
		keys = resourceTagKeys(keys, r.tags)
	}
	a := api.Authorization{Action: "sagemaker:" + action, Resources: []string{arn}, Context: keys}
	_, acct, _, ok := arnParts(arn)
	switch {
	case !ok:
		// What is not a SageMaker ARN names no resource (the model's pattern keeps such ARNs from the handler; a
		// call that bypasses it is asked as for no resource, which the tag actions allow, and then refused).
		a.Resources = []string{"*"}
	case acct != c.Account():
		a.ResourceAccount = acct
	}
	return c.Authorize(ctx, a)
}

func (s *Service) addTags(ctx context.Context, c *api.Call, in *AddTagsInput) (*AddTagsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	r, err := s.findTagged(t, c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := tagAuthorization(ctx, c, "AddTags", in.ResourceArn, requestTagKeys(nil, in.Tags), r); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, resourceNotFoundForTags()
	}
	tags := mergeTags(r.tags, in.Tags)
	if err := checkTagCount(tags); err != nil {
		return nil, err
	}
	if err := r.save(t, tags); err != nil {
		return nil, err
	}
	return &AddTagsOutput{Tags: apiTags(storedTags(in.Tags))}, nil
}

func (s *Service) deleteTags(ctx context.Context, c *api.Call, in *DeleteTagsInput) (*DeleteTagsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	r, err := s.findTagged(t, c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	keys := map[string][]string{}
	if len(in.TagKeys) > 0 {
		keys["aws:TagKeys"] = append([]string(nil), in.TagKeys...)
	}
	if err := tagAuthorization(ctx, c, "DeleteTags", in.ResourceArn, keys, r); err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		if reservedTagKey(k) {
			return nil, validation("Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	if r == nil {
		return nil, resourceNotFoundForTags()
	}
	// Keys the resource does not have are left alone without complaint, as AWS's untag operations do.
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	kept := make([]tag, 0, len(r.tags))
	for _, tg := range r.tags {
		if !drop[tg.Key] {
			kept = append(kept, tg)
		}
	}
	if len(kept) != len(r.tags) {
		if err := r.save(t, kept); err != nil {
			return nil, err
		}
	}
	return &DeleteTagsOutput{}, nil
}

// defaultTagResults is how many tags ListTags returns without MaxResults (the model's minimum is 50).
const defaultTagResults = 50

func (s *Service) listTags(ctx context.Context, c *api.Call, in *ListTagsInput) (*ListTagsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	r, err := s.findTagged(t, c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := tagAuthorization(ctx, c, "ListTags", in.ResourceArn, nil, r); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, resourceNotFoundForTags()
	}
	page, next, err := tagPage(r.tags, deref(in.NextToken), in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOutput{Tags: apiTags(page)}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}

// tagPage cuts one page of ListTags from a resource's tags, which come in the order they were set: after the key
// the token names, at most maxResults (defaultTagResults when nil), and the token of the next page ("" on the last).
// A token sagebox did not make is a ValidationException.
func tagPage(tags []tag, token string, maxResults *int32) ([]tag, string, error) {
	from := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", validation("Invalid pagination token: %s", token)
		}
		from = len(tags)
		for i, tg := range tags {
			if tg.Key == string(b) {
				from = i + 1
				break
			}
		}
	}
	n := defaultTagResults
	if maxResults != nil && *maxResults > 0 {
		n = int(*maxResults)
	}
	to := min(from+n, len(tags))
	next := ""
	if to < len(tags) {
		next = base64.RawURLEncoding.EncodeToString([]byte(tags[to-1].Key))
	}
	return tags[from:to], next, nil
}
