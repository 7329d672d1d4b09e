package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerRoles(h *api.ServiceHandlers) {
	api.Write(h, "CreateRole", s.createRole)
	api.Read(h, "GetRole", s.getRole)
	api.Read(h, "ListRoles", s.listRoles)
	api.Write(h, "UpdateRole", s.updateRole)
	api.Write(h, "UpdateRoleDescription", s.updateRoleDescription)
	api.Write(h, "UpdateAssumeRolePolicy", s.updateAssumeRolePolicy)
	api.Write(h, "DeleteRole", s.deleteRole)
	api.Write(h, "TagRole", s.tagRole)
	api.Write(h, "UntagRole", s.untagRole)
	api.Read(h, "ListRoleTags", s.listRoleTags)
}

const (
	// defaultMaxSessionDuration is what a role created without MaxSessionDuration gets: one hour.
	defaultMaxSessionDuration = 3600
	// maxTrustPolicySize is IAM's quota on a trust policy, counted as policy.Size counts (whitespace aside); IAM
	// names the quota ACLSizePerRole in its LimitExceeded text.
	maxTrustPolicySize = 2048
	trustPolicyQuota   = "ACLSizePerRole"
	// serviceRolePath starts the path of every service-linked role; CreateRole refuses it.
	serviceRolePath = "/aws-service-role/"
)

// roleView selects the members a Role shape has in one operation's answer: IAM shows a different subset in each
// (CreateRole leaves out Description and MaxSessionDuration, ListRoles leaves out tags, boundary and last use, an
// instance profile's roles carry only the basics).
type roleView uint8

const (
	viewCreated   roleView = iota // CreateRole, CreateServiceLinkedRole
	viewFull                      // GetRole
	viewListed                    // ListRoles
	viewDescribed                 // UpdateRoleDescription
	viewInProfile                 // the roles of an instance profile
)

// apiRole renders a stored role for view. The trust policy is shown as IAM shows it (deleted principals as their
// unique ids), URL-encoded.
func apiRole(t store.Tx, account string, r *role, view roleView) (*Role, error) {
	trust, err := shownTrustPolicyOf(t, r)
	if err != nil {
		return nil, err
	}
	out := &Role{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleId:                   r.ID,
		Arn:                      roleARN(account, r.Path, r.Name),
		CreateDate:               r.Created,
		AssumeRolePolicyDocument: ptr(encodeDocument(trust)),
	}
	if view == viewInProfile {
		return out, nil
	}
	if view != viewCreated && r.Description != "" {
		out.Description = ptr(r.Description)
	}
	if view == viewFull || view == viewListed {
		out.MaxSessionDuration = ptr(r.MaxSessionDuration)
	}
	if view != viewListed {
		out.Tags = apiTags(r.Tags)
		if r.Boundary != "" {
			out.PermissionsBoundary = boundaryOf(r.Boundary)
		}
	}
	if view == viewFull {
		// IAM always answers RoleLastUsed, empty until the role is first used.
		out.RoleLastUsed = &RoleLastUsed{}
		if r.LastUsed != nil {
			out.RoleLastUsed = &RoleLastUsed{LastUsedDate: r.LastUsed, Region: ptr(r.LastUsedRegion)}
		}
	}
	return out, nil
}

func roleNotFound(name string) error {
	return noSuchEntity("The role with name %s cannot be found.", name)
}

// unmodifiableRole is IAM's refusal to change a service-linked role by the ordinary operations.
func unmodifiableRole(name string) error {
	return awserr.New("UnmodifiableEntity", "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
}

// loadRole reads the named role, or answers NoSuchEntity as IAM does.
func loadRole(t store.Tx, account, name string) (*role, *store.Record, error) {
	r, rec, err := get[role](t, account, kindRole, name)
	if err != nil {
		return nil, nil, err
	}
	if r == nil {
		return nil, nil, roleNotFound(name)
	}
	return r, rec, nil
}

// authorizedRole reads the named role, authorizes action on its ARN (on the ARN it would have at the default path
// when there is no such role, so that a denied caller learns nothing), and only then answers NoSuchEntity.
func authorizedRole(ctx context.Context, c *api.Call, action, name string, tags map[string][]string) (store.Tx, *role, *store.Record, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, nil, nil, err
	}
	r, rec, err := get[role](t, c.Account(), kindRole, name)
	if err != nil {
		return nil, nil, nil, err
	}
	resource := roleARN(c.Account(), defaultPath, name)
	keys := tags
	if r != nil {
		resource = roleARN(c.Account(), r.Path, r.Name)
		if r.Boundary != "" && takesBoundaryKey(action) {
			keys = map[string][]string{"iam:PermissionsBoundary": {r.Boundary}}
			for k, v := range tags {
				keys[k] = v
			}
		}
	}
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:" + action, Resources: []string{resource}, Context: keys}); err != nil {
		return nil, nil, nil, err
	}
	if r == nil {
		return nil, nil, nil, roleNotFound(name)
	}
	return t, r, rec, nil
}

// saveRole writes the role, and has the authorization view follow it when the transaction commits.
func (s *Service) saveRole(t store.Tx, account string, r *role, rec *store.Record) error {
	if err := save(t, account, kindRole, r.Name, r, r.indexes(), rec); err != nil {
		return err
	}
	return s.viewSave(t, account, r)
}

func (s *Service) createRole(ctx context.Context, c *api.Call, in *CreateRoleInput) (*CreateRoleOutput, error) {
	path := pathOr(in.Path)
	auth := requestTags(in.Tags)
	if in.PermissionsBoundary != nil {
		if auth == nil {
			auth = map[string][]string{}
		}
		auth["iam:PermissionsBoundary"] = []string{*in.PermissionsBoundary}
	}
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:CreateRole", Resources: []string{roleARN(c.Account(), path, in.RoleName)}, Context: auth}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(path, serviceRolePath) {
		return nil, invalidInput("Path prefix '%s' can only be used for AWS Service linked Roles", serviceRolePath)
	}
	tags, err := mergeTags(nil, in.Tags, "TagsPerRole")
	if err != nil {
		return nil, err
	}
	refs, err := checkTrustPolicy(t, in.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	r := &role{
		Name:               in.RoleName,
		ID:                 s.ids.IAM("AROA"),
		Path:               path,
		Created:            now(c),
		TrustPolicy:        in.AssumeRolePolicyDocument,
		TrustRefs:          refs,
		MaxSessionDuration: defaultMaxSessionDuration,
		Tags:               tags,
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	if in.PermissionsBoundary != nil {
		if err := s.checkBoundary(t, c.Account(), *in.PermissionsBoundary); err != nil {
			return nil, err
		}
		r.Boundary = *in.PermissionsBoundary
	}
	if err := s.saveRole(t, c.Account(), r, nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("Role with name %s already exists.", in.RoleName)
		}
		return nil, err
	}
	out, err := apiRole(t, c.Account(), r, viewCreated)
	if err != nil {
		return nil, err
	}
	return &CreateRoleOutput{Role: out}, nil
}

func (s *Service) getRole(ctx context.Context, c *api.Call, in *GetRoleInput) (*GetRoleOutput, error) {
	t, r, _, err := authorizedRole(ctx, c, "GetRole", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	out, err := apiRole(t, c.Account(), r, viewFull)
	if err != nil {
		return nil, err
	}
	return &GetRoleOutput{Role: out}, nil
}

func (s *Service) listRoles(ctx context.Context, c *api.Call, in *ListRolesInput) (*ListRolesOutput, error) {
	if err := authorize(ctx, c, "ListRoles", listResource(roleARN, c.Account(), in.PathPrefix)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	roles := []*Role{}
	page, next, err := listPage(t, scope(c.Account(), kindRole), in.Marker, maxItems(in.MaxItems), func(rec *store.Record) (bool, error) {
		if in.PathPrefix != nil {
			// A prefix that few roles match reads past many, and their paths are all it needs of them.
			path, err := storedRolePath(rec.Doc)
			if err != nil || !hasPathPrefix(in.PathPrefix, path) {
				return false, err
			}
		}
		r, err := store.Decode[role](rec)
		if err != nil {
			return false, err
		}
		ar, err := apiRole(t, c.Account(), &r, viewListed)
		if err != nil {
			return false, err
		}
		roles = append(roles, ar)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ListRolesOutput{Roles: roles[:len(page)], IsTruncated: ptr(next != nil), Marker: next}, nil
}

// storedRolePath returns the path of a stored role without decoding the rest of it. A role is stored as
// json.Marshal writes the role struct, whose path is its third member, after a name and an id in which no quote
// can occur; anything else is decoded in full.
func storedRolePath(doc []byte) (string, error) {
	const key = `,"path":`
	if i := bytes.Index(doc, []byte(key)); i >= 0 {
		rest := doc[i+len(key):]
		if len(rest) > 0 && rest[0] == '"' {
			for j := 1; j < len(rest); j++ {
				switch rest[j] {
				case '\\':
					j++
					continue
				case '"':
				default:
					continue
				}
				if bytes.IndexByte(rest[1:j], '\\') < 0 {
					return string(rest[1:j]), nil
				}
				var p string
				if json.Unmarshal(rest[:j+1], &p) == nil {
					return p, nil
				}
				break
			}
		}
	}
	var r struct {
		Path string `json:"path"`
	}
	if err := json.Unmarshal(doc, &r); err != nil {
		return "", fmt.Errorf("iam: decode a role's path: %w", err)
	}
	return r.Path, nil
}

func (s *Service) updateRole(ctx context.Context, c *api.Call, in *UpdateRoleInput) (*UpdateRoleOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "UpdateRole", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	// A service-linked role's description is the customer's to edit; the rest is the service's.
	if r.ServiceLinked != "" && in.MaxSessionDuration != nil {
		return nil, unmodifiableRole(r.Name)
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	return &UpdateRoleOutput{}, s.saveRole(t, c.Account(), r, rec)
}

func (s *Service) updateRoleDescription(ctx context.Context, c *api.Call, in *UpdateRoleDescriptionInput) (*UpdateRoleDescriptionOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "UpdateRoleDescription", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	r.Description = in.Description
	if err := s.saveRole(t, c.Account(), r, rec); err != nil {
		return nil, err
	}
	out, err := apiRole(t, c.Account(), r, viewDescribed)
	if err != nil {
		return nil, err
	}
	return &UpdateRoleDescriptionOutput{Role: out}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, c *api.Call, in *UpdateAssumeRolePolicyInput) (*UpdateAssumeRolePolicyOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "UpdateAssumeRolePolicy", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked != "" {
		return nil, unmodifiableRole(r.Name)
	}
	refs, err := checkTrustPolicy(t, in.PolicyDocument)
	if err != nil {
		return nil, err
	}
	r.TrustPolicy, r.TrustRefs = in.PolicyDocument, refs
	return &UpdateAssumeRolePolicyOutput{}, s.saveRole(t, c.Account(), r, rec)
}

func (s *Service) deleteRole(ctx context.Context, c *api.Call, in *DeleteRoleInput) (*DeleteRoleOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "DeleteRole", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked != "" {
		return nil, unmodifiableRole(r.Name)
	}
	if err := roleDeleteConflict(t, c.Account(), r); err != nil {
		return nil, err
	}
	if err := t.Delete(rec.Key); err != nil {
		return nil, err
	}
	s.viewDelete(t, c.Account(), r)
	return &DeleteRoleOutput{}, nil
}

// roleDeleteConflict answers DeleteConflict while r still has what IAM makes you remove first, in the order IAM
// checks: instance profiles, attached policies, inline policies.
func roleDeleteConflict(t store.Tx, account string, r *role) error {
	profiles, err := t.Find(scope(account, kindInstanceProfile), indexRole, strings.ToLower(r.Name))
	if err != nil {
		return err
	}
	switch {
	case len(profiles) > 0:
		return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	case len(r.Attached) > 0:
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	case len(r.Inline) > 0:
		return deleteConflict("Cannot delete entity, must delete policies first.")
	}
	return nil
}

func (s *Service) tagRole(ctx context.Context, c *api.Call, in *TagRoleInput) (*TagRoleOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "TagRole", in.RoleName, requestTags(in.Tags))
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(r.Tags, in.Tags, "TagsPerRole")
	if err != nil {
		return nil, err
	}
	r.Tags = tags
	return &TagRoleOutput{}, s.saveRole(t, c.Account(), r, rec)
}

func (s *Service) untagRole(ctx context.Context, c *api.Call, in *UntagRoleInput) (*UntagRoleOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "UntagRole", in.RoleName, tagKeysContext(in.TagKeys))
	if err != nil {
		return nil, err
	}
	r.Tags = removeTags(r.Tags, in.TagKeys)
	return &UntagRoleOutput{}, s.saveRole(t, c.Account(), r, rec)
}

func (s *Service) listRoleTags(ctx context.Context, c *api.Call, in *ListRoleTagsInput) (*ListRoleTagsOutput, error) {
	_, r, _, err := authorizedRole(ctx, c, "ListRoleTags", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	tags, truncated, next := pageTags(r.Tags, in.Marker, in.MaxItems)
	return &ListRoleTagsOutput{Tags: tags, IsTruncated: ptr(truncated), Marker: next}, nil
}

// Trust policies.

// checkTrustPolicy validates a role's trust policy as IAM does — its size, its grammar (package policy), and that
// every IAM user and role it names exists, in whichever account sagebox serves it from — and returns the users
// and roles it names with their unique ids, which IAM keeps.
func checkTrustPolicy(t store.Tx, text string) ([]principalRef, error) {
	if policy.Size(text) > maxTrustPolicySize {
		return nil, limitExceeded(trustPolicyQuota, maxTrustPolicySize)
	}
	doc, err := policy.Parse(text, policy.Trust)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, malformedPolicy(pe.Message)
		}
		return nil, err
	}
	var refs []principalRef
	for _, p := range doc.AWSPrincipals() {
		ref, err := resolvePrincipal(t, p)
		if err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, malformedPolicy(policy.InvalidPrincipal("AWS", p).Message)
		}
		refs = append(refs, *ref)
	}
	// An OIDC provider named as a Federated principal must exist in its account, as IAM checks.
	for _, st := range doc.Statements {
		for _, ps := range []*policy.Principals{st.Principal, st.NotPrincipal} {
			if ps == nil {
				continue
			}
			for _, f := range ps.Federated {
				if !strings.Contains(f, ":oidc-provider/") {
					continue
				}
				ok, err := oidcProviderExists(t, f)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, malformedPolicy("Federated principals must be valid domain names or SAML metadata ARNs")
				}
			}
		}
	}
	return refs, nil
}

// resolvePrincipal finds the IAM user or role that an AWS principal of a trust policy names by ARN, in whichever
// account sagebox serves it from, and returns its reference; nil when there is none. A unique id (what IAM shows
// for a deleted principal) names no one: IAM refuses a policy written with one.
func resolvePrincipal(t store.Tx, p string) (*principalRef, error) {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !isAccountID(parts[4]) {
		return nil, nil
	}
	account := parts[4]
	typ, rest, ok := strings.Cut(parts[5], "/")
	if !ok || strings.Contains(rest, "*") {
		return nil, nil
	}
	path, name := "/", rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	if name == "" {
		return nil, nil
	}
	var id, gotPath string
	switch typ {
	case "user":
		u, _, err := get[user](t, account, kindUser, name)
		if err != nil || u == nil {
			return nil, err
		}
		id, gotPath = u.ID, u.Path
	case "role":
		r, _, err := get[role](t, account, kindRole, name)
		if err != nil || r == nil {
			return nil, err
		}
		id, gotPath = r.ID, r.Path
	default:
		return nil, nil
	}
	if gotPath != path {
		return nil, nil
	}
	return &principalRef{ARN: p, UniqueID: id}, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// shownTrustPolicyOf returns r's trust policy as IAM shows it: a user or role that it names and that no longer
// exists — even if one of the same name was created since — appears as the unique id IAM kept, not as its ARN.
func shownTrustPolicyOf(t store.Tx, r *role) (string, error) {
	var gone map[string]string
	for _, ref := range r.TrustRefs {
		exists, err := refExists(t, ref)
		if err != nil {
			return "", err
		}
		if !exists {
			if gone == nil {
				gone = map[string]string{}
			}
			gone[ref.ARN] = ref.UniqueID
		}
	}
	if gone == nil {
		return r.TrustPolicy, nil
	}
	return replacePrincipals(r.TrustPolicy, gone), nil
}

// refExists reports whether the user or role that ref recorded still exists, with the same unique id.
func refExists(t store.Tx, ref principalRef) (bool, error) {
	parts := strings.SplitN(ref.ARN, ":", 6)
	if len(parts) != 6 {
		return false, nil
	}
	kind := kindRole
	if strings.HasPrefix(parts[5], "user/") {
		kind = kindUser
	}
	_, err := t.Lookup(scope(parts[4], kind), indexID, ref.UniqueID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// replacePrincipals rewrites, in the JSON policy doc, each AWS principal (Statement → Principal → AWS) found in
// repl to its replacement, leaving every other byte as it was: the same ARN in a condition, say, stays. A document
// that is not JSON comes back unchanged.
func replacePrincipals(doc string, repl map[string]string) string {
	w := &principalRewriter{doc: doc, dec: json.NewDecoder(strings.NewReader(doc)), repl: repl}
	w.dec.UseNumber()
	if err := w.value(inTop); err != nil || len(w.spans) == 0 {
		return doc
	}
	var b strings.Builder
	last := 0
	for _, sp := range w.spans {
		b.WriteString(doc[last:sp.start])
		q, _ := json.Marshal(sp.with)
		b.Write(q)
		last = sp.end
	}
	b.WriteString(doc[last:])
	return b.String()
}

// Where a JSON value sits in a policy, as far as finding AWS principals goes.
const (
	inOther = iota
	inTop
	inStatements // the value of Statement: one statement or a list of them
	inStatement
	inPrincipal
	inAWS     // the value of Principal.AWS: a string or a list of them
	inAWSItem // an element of that list
)

type principalRewriter struct {
	doc   string
	dec   *json.Decoder
	repl  map[string]string
	spans []struct {
		start, end int
		with       string
	}
}

var errNotPolicy = errors.New("iam: not a JSON policy")

// token reads the next token and returns where it starts and ends in doc.
func (w *principalRewriter) token() (json.Token, int, int, error) {
	start := int(w.dec.InputOffset())
	tok, err := w.dec.Token()
	if err != nil {
		return nil, 0, 0, err
	}
	end := int(w.dec.InputOffset())
	// The decoder's offset is just past the previous token: what follows up to this one is whitespace and the
	// separators the decoder consumed silently.
	for start < end && strings.IndexByte(" \t\r\n,:", w.doc[start]) >= 0 {
		start++
	}
	return tok, start, end, nil
}

func (w *principalRewriter) value(in int) error {
	tok, start, end, err := w.token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			if in == inStatements {
				in = inStatement
			}
			return w.object(in)
		case '[':
			return w.array(in)
		}
		return errNotPolicy
	case string:
		if in != inAWS && in != inAWSItem {
			return nil
		}
		if with, ok := w.repl[v]; ok {
			w.spans = append(w.spans, struct {
				start, end int
				with       string
			}{start, end, with})
		}
	}
	return nil
}

func (w *principalRewriter) object(in int) error {
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errNotPolicy
		}
		child := inOther
		switch {
		case in == inTop && key == "Statement":
			child = inStatements
		case in == inStatement && key == "Principal":
			child = inPrincipal
		case in == inPrincipal && key == "AWS":
			child = inAWS
		}
		if err := w.value(child); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}

func (w *principalRewriter) array(in int) error {
	child := inOther
	switch in {
	case inStatements:
		child = inStatement
	case inAWS:
		child = inAWSItem
	}
	for w.dec.More() {
		if err := w.value(child); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}
