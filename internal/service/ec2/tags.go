package ec2

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerTags(h *api.ServiceHandlers) {
	api.Write(h, "CreateTags", s.createTags)
	api.Write(h, "DeleteTags", s.deleteTags)
	api.Read(h, "DescribeTags", s.describeTags)
}

// kindNotFound is the NotFound error of each taggable kind, as EC2 answers an id of the kind that does not exist.
var kindNotFound = map[string]struct{ code, format string }{
	kindVPC:             {"InvalidVpcID.NotFound", "The vpc ID '%s' does not exist"},
	kindSubnet:          {"InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist"},
	kindSecurityGroup:   {"InvalidGroup.NotFound", "The security group '%s' does not exist"},
	kindRouteTable:      {"InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist"},
	kindNetworkACL:      {"InvalidNetworkAclID.NotFound", "The networkAcl ID '%s' does not exist"},
	kindInternetGateway: {"InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist"},
	kindNatGateway:      {"NatGatewayNotFound", "The Nat Gateway %s was not found"},
	kindAddress:         {"InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist"},
	kindEndpoint:        {"InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '%s' does not exist"},
	kindInterface:       {"InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist"},
}

// tagTarget is one resource a CreateTags or DeleteTags request names.
type tagTarget struct {
	id string
	// known is false for an id of no taggable kind (or not of its kind's form): EC2's InvalidID.
	known bool
	kind  resourceKind
	// rec and doc are the stored resource; nil when it does not exist.
	rec *store.Record
	doc *taggedResource
}

// taggedResource is what the tag operations read of any stored document: its tags and, for kinds that belong to
// one, its VPC (every kind names it "vpc").
type taggedResource struct {
	ID    string `json:"id"`
	Tags  []tag  `json:"tags,omitempty"`
	VPCID string `json:"vpc,omitempty"`
}

// tagTargets reads the resources a tag request names, in the request's order, each once.
func tagTargets(c *api.Call, t store.Tx, ids []string) ([]*tagTarget, error) {
	var out []*tagTarget
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		tt := &tagTarget{id: id}
		out = append(out, tt)
		k, ok := kindOfID(id)
		if !ok || !wellFormedID(id, k.prefix) {
			continue
		}
		tt.known, tt.kind = true, k
		rec, err := t.Get(key(c.Account(), c.Region, k.kind, id))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var doc taggedResource
		if err := json.Unmarshal(rec.Doc, &doc); err != nil {
			return nil, fmt.Errorf("ec2: %s %s: %w", rec.Kind, rec.ID, err)
		}
		tt.rec, tt.doc = rec, &doc
	}
	return out, nil
}

// authorization is what a tag request asks for one resource: the action on the resource's ARN with its tags,
// its VPC and the request's keys. An id of no taggable kind is asked on "*" (CreateTags and DeleteTags require no
// resource type), so that the caller who may not tag at all hears so before hearing that the id is invalid.
func (tt *tagTarget) authorization(c *api.Call, action string, request map[string][]string) api.Authorization {
	resource := "*"
	keys := map[string][]string{"ec2:Region": {c.Region}}
	if tt.known {
		resource = arn(c, tt.kind.arnType, tt.id)
		if tt.doc != nil {
			keys = resourceKeys(c, tt.doc.Tags, tt.doc.VPCID)
		}
	}
	for k, v := range request {
		keys[k] = v
	}
	return api.Authorization{Action: action, Resources: []string{resource}, Context: keys}
}

// missing answers for a target that cannot be tagged because it is not there: InvalidID for an id of no
// taggable kind, the kind's NotFound otherwise; nil when the target exists.
func (tt *tagTarget) missing() error {
	switch {
	case !tt.known:
		return notFound("InvalidID", "The ID '%s' is not valid", tt.id)
	case tt.rec == nil:
		nf := kindNotFound[tt.kind.kind]
		return notFound(nf.code, nf.format, tt.id)
	}
	return nil
}

func (s *Service) createTags(ctx context.Context, c *api.Call, in *CreateTagsInput) (*CreateTagsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	var add []tag
	var tagErr error
	for _, tg := range in.Tags {
		nt, err := checkTag(tg)
		if err != nil {
			tagErr = err
			break
		}
		add = mergeTags(add, []tag{nt})
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	targets, err := tagTargets(c, t, in.Resources)
	if err != nil {
		return nil, err
	}
	request := requestTagKeys(nil, add)
	as := make([]api.Authorization, 0, len(targets))
	for _, tt := range targets {
		as = append(as, tt.authorization(c, "ec2:CreateTags", request))
	}
	if len(as) == 0 {
		// The model requires resources, so only a caller that skips its validation gets here: every answer must
		// still be authorized, and this one names no resource.
		if err := authorize(ctx, c, in.DryRun, "CreateTags", nil, request); err != nil {
			return nil, err
		}
		return nil, missingParameter("The request must contain the parameter resourceIdSet")
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tagErr != nil {
		return nil, tagErr
	}
	for _, tt := range targets {
		if err := tt.missing(); err != nil {
			return nil, err
		}
	}
	for _, tt := range targets {
		merged := mergeTags(tt.doc.Tags, add)
		if len(merged) > maxTags {
			return nil, notFound("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
		}
		if err := setTags(t, tt.rec, merged); err != nil {
			return nil, err
		}
	}
	return &CreateTagsOutput{}, nil
}

func (s *Service) deleteTags(ctx context.Context, c *api.Call, in *DeleteTagsInput) (*DeleteTagsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	targets, err := tagTargets(c, t, in.Resources)
	if err != nil {
		return nil, err
	}
	// The keys a request removes: those it names, or without any every key of the resource ("If you omit this
	// parameter, we delete all user-defined tags for the specified resources").
	named := map[string][]string{}
	var names []string
	for _, tg := range in.Tags {
		if tg == nil || tg.Key == nil {
			continue
		}
		names = append(names, *tg.Key)
		if tg.Value != nil {
			named["aws:RequestTag/"+*tg.Key] = []string{*tg.Value}
		}
	}
	as := make([]api.Authorization, 0, len(targets))
	for _, tt := range targets {
		request := map[string][]string{}
		for k, v := range named {
			request[k] = v
		}
		keys := names
		if in.Tags == nil && tt.doc != nil {
			keys = nil
			for _, tg := range tt.doc.Tags {
				keys = append(keys, tg.Key)
			}
		}
		if len(keys) > 0 {
			request["aws:TagKeys"] = keys
		}
		as = append(as, tt.authorization(c, "ec2:DeleteTags", request))
	}
	if len(as) == 0 {
		// As in CreateTags: only a caller that skips the model's validation names no resource.
		if err := authorize(ctx, c, in.DryRun, "DeleteTags", nil, nil); err != nil {
			return nil, err
		}
		return nil, missingParameter("The request must contain the parameter resourceIdSet")
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	for _, tg := range in.Tags {
		if tg == nil || tg.Key == nil || *tg.Key == "" {
			return nil, invalidParameterValue("Tag key cannot be empty")
		}
	}
	for _, tt := range targets {
		if err := tt.missing(); err != nil {
			return nil, err
		}
	}
	for _, tt := range targets {
		kept := tt.doc.Tags[:0:0]
		for _, have := range tt.doc.Tags {
			if !deletes(in.Tags, have) {
				kept = append(kept, have)
			}
		}
		if len(kept) != len(tt.doc.Tags) {
			if err := setTags(t, tt.rec, kept); err != nil {
				return nil, err
			}
		}
	}
	return &DeleteTagsOutput{}, nil
}

// deletes reports whether a DeleteTags request's tags remove have: no tags at all remove every user tag; a key
// without a value removes the tag whatever its value; a key with a value (even "") only when the value matches.
// Tags of AWS's own ("aws:…") are never removed.
func deletes(req []*Tag, have tag) bool {
	if strings.HasPrefix(strings.ToLower(have.Key), "aws:") {
		return false
	}
	if req == nil {
		return true
	}
	for _, r := range req {
		if r == nil || r.Key == nil || *r.Key != have.Key {
			continue
		}
		if r.Value == nil || *r.Value == have.Value {
			return true
		}
	}
	return false
}

// tagEntry is one tag of one resource, as DescribeTags lists it.
type tagEntry struct {
	resourceID, resourceType string
	tag
	// resourceTags are all the resource's tags, for the tag:K filters.
	resourceTags []tag
}

// sortKey orders entries by resource, then key; page() cuts pages on it.
func (e *tagEntry) sortKey() string { return e.resourceID + "\x00" + e.Key }

func (e *tagEntry) filter() filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "key":
			return []string{e.Key}, true
		case "value":
			return []string{e.Value}, true
		case "resource-id":
			return []string{e.resourceID}, true
		case "resource-type":
			return []string{e.resourceType}, true
		}
		return nil, false
	}
}

func (s *Service) describeTags(ctx context.Context, c *api.Call, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeTags", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	// "This value can be between 5 and 1000" (EC2 API Reference); the model itself leaves MaxResults unbounded.
	if n := in.MaxResults; n != nil && *n < 5 {
		return nil, invalidParameterValue("Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than 5.", *n)
	} else if n != nil && *n > 1000 {
		return nil, invalidParameterValue("Value ( %d ) for parameter maxResults is invalid. Expecting a value smaller than or equal to 1000.", *n)
	}
	if err := checkFilters(in.Filters, (&tagEntry{}).filter()); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	byKey := map[string]*tagEntry{}
	var keys []string
	for _, k := range resourceKinds {
		docs, err := list[taggedResource](t, c.Account(), c.Region, k.kind)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			for _, tg := range d.Tags {
				e := &tagEntry{resourceID: d.ID, resourceType: k.typ, tag: tg, resourceTags: d.Tags}
				ok, err := matchFilters(in.Filters, e.resourceTags, e.filter())
				if err != nil {
					return nil, err
				}
				if ok {
					byKey[e.sortKey()] = e
					keys = append(keys, e.sortKey())
				}
			}
		}
	}
	sort.Strings(keys)
	from, to, next, err := page(keys, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeTagsOutput{Tags: []*TagDescription{}}
	for _, k := range keys[from:to] {
		e := byKey[k]
		out.Tags = append(out.Tags, &TagDescription{
			Key: ptr(e.Key), Value: ptr(e.Value), ResourceId: ptr(e.resourceID), ResourceType: ptr(e.resourceType),
		})
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}
