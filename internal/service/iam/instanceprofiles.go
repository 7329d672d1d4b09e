package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerInstanceProfiles(h *api.ServiceHandlers) {
	api.Write(h, "CreateInstanceProfile", s.createInstanceProfile)
	api.Read(h, "GetInstanceProfile", s.getInstanceProfile)
	api.Write(h, "DeleteInstanceProfile", s.deleteInstanceProfile)
	api.Read(h, "ListInstanceProfiles", s.listInstanceProfiles)
	api.Write(h, "AddRoleToInstanceProfile", s.addRoleToInstanceProfile)
	api.Write(h, "RemoveRoleFromInstanceProfile", s.removeRoleFromInstanceProfile)
	api.Read(h, "ListInstanceProfilesForRole", s.listInstanceProfilesForRole)
	api.Write(h, "TagInstanceProfile", s.tagInstanceProfile)
	api.Write(h, "UntagInstanceProfile", s.untagInstanceProfile)
	api.Read(h, "ListInstanceProfileTags", s.listInstanceProfileTags)
}

// maxRolesPerInstanceProfile is IAM's fixed quota: an instance profile holds one role.
const maxRolesPerInstanceProfile = 1

func instanceProfileNotFound(name string) error {
	return noSuchEntity("Instance Profile %s cannot be found.", name)
}

// profileView selects the members of an InstanceProfile shape: GetInstanceProfile always shows Tags (an empty
// list when there are none), CreateInstanceProfile only the tags it was given, the lists none.
type profileView uint8

const (
	profileCreated profileView = iota
	profileFull
	profileListed
)

// apiInstanceProfile renders a stored profile with its roles, each a Role shape with its trust policy.
func apiInstanceProfile(t store.Tx, account string, ip *instanceProfile, view profileView) (*InstanceProfile, error) {
	out := &InstanceProfile{
		Path:                ip.Path,
		InstanceProfileName: ip.Name,
		InstanceProfileId:   ip.ID,
		Arn:                 instanceProfileARN(account, ip.Path, ip.Name),
		CreateDate:          ip.Created,
		Roles:               []*Role{},
	}
	switch view {
	case profileCreated:
		out.Tags = apiTags(ip.Tags)
	case profileFull:
		out.Tags = apiTags(ip.Tags)
		if out.Tags == nil {
			out.Tags = []*Tag{}
		}
	}
	for _, name := range ip.Roles {
		r, _, err := get[role](t, account, kindRole, name)
		if err != nil {
			return nil, err
		}
		if r == nil {
			// DeleteRole refuses a role in a profile, so this is a profile whose role went some other way.
			continue
		}
		ar, err := apiRole(t, account, r, viewInProfile)
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, ar)
	}
	return out, nil
}

// authorizedInstanceProfile is authorizedRole for instance profiles.
func authorizedInstanceProfile(ctx context.Context, c *api.Call, action, name string, tags map[string][]string) (store.Tx, *instanceProfile, *store.Record, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, nil, nil, err
	}
	ip, rec, err := get[instanceProfile](t, c.Account(), kindInstanceProfile, name)
	if err != nil {
		return nil, nil, nil, err
	}
	resource := instanceProfileARN(c.Account(), defaultPath, name)
	if ip != nil {
		resource = instanceProfileARN(c.Account(), ip.Path, ip.Name)
	}
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:" + action, Resources: []string{resource}, Context: tags}); err != nil {
		return nil, nil, nil, err
	}
	if ip == nil {
		return nil, nil, nil, instanceProfileNotFound(name)
	}
	return t, ip, rec, nil
}

func saveInstanceProfile(t store.Tx, account string, ip *instanceProfile, rec *store.Record) error {
	return save(t, account, kindInstanceProfile, ip.Name, ip, ip.indexes(), rec)
}

func (s *Service) createInstanceProfile(ctx context.Context, c *api.Call, in *CreateInstanceProfileInput) (*CreateInstanceProfileOutput, error) {
	path := pathOr(in.Path)
	resource := instanceProfileARN(c.Account(), path, in.InstanceProfileName)
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:CreateInstanceProfile", Resources: []string{resource}, Context: requestTags(in.Tags)}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.Tags, "TagsPerInstanceProfile")
	if err != nil {
		return nil, err
	}
	ip := &instanceProfile{Name: in.InstanceProfileName, ID: s.ids.IAM("AIPA"), Path: path, Created: now(c), Tags: tags}
	if err := saveInstanceProfile(t, c.Account(), ip, nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("Instance Profile %s already exists.", in.InstanceProfileName)
		}
		return nil, err
	}
	out, err := apiInstanceProfile(t, c.Account(), ip, profileCreated)
	if err != nil {
		return nil, err
	}
	return &CreateInstanceProfileOutput{InstanceProfile: out}, nil
}

func (s *Service) getInstanceProfile(ctx context.Context, c *api.Call, in *GetInstanceProfileInput) (*GetInstanceProfileOutput, error) {
	t, ip, _, err := authorizedInstanceProfile(ctx, c, "GetInstanceProfile", in.InstanceProfileName, nil)
	if err != nil {
		return nil, err
	}
	out, err := apiInstanceProfile(t, c.Account(), ip, profileFull)
	if err != nil {
		return nil, err
	}
	return &GetInstanceProfileOutput{InstanceProfile: out}, nil
}

func (s *Service) deleteInstanceProfile(ctx context.Context, c *api.Call, in *DeleteInstanceProfileInput) (*DeleteInstanceProfileOutput, error) {
	t, ip, rec, err := authorizedInstanceProfile(ctx, c, "DeleteInstanceProfile", in.InstanceProfileName, nil)
	if err != nil {
		return nil, err
	}
	if len(ip.Roles) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	}
	return &DeleteInstanceProfileOutput{}, t.Delete(rec.Key)
}

func (s *Service) listInstanceProfiles(ctx context.Context, c *api.Call, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	if err := authorize(ctx, c, "ListInstanceProfiles", listResource(instanceProfileARN, c.Account(), in.PathPrefix)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	profiles := []*InstanceProfile{}
	page, next, err := listPage(t, scope(c.Account(), kindInstanceProfile), in.Marker, maxItems(in.MaxItems), func(rec *store.Record) (bool, error) {
		ip, err := store.Decode[instanceProfile](rec)
		if err != nil || !hasPathPrefix(in.PathPrefix, ip.Path) {
			return false, err
		}
		out, err := apiInstanceProfile(t, c.Account(), &ip, profileListed)
		if err != nil {
			return false, err
		}
		profiles = append(profiles, out)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesOutput{InstanceProfiles: profiles[:len(page)], IsTruncated: ptr(next != nil), Marker: next}, nil
}

func (s *Service) addRoleToInstanceProfile(ctx context.Context, c *api.Call, in *AddRoleToInstanceProfileInput) (*AddRoleToInstanceProfileOutput, error) {
	t, ip, rec, err := authorizedInstanceProfile(ctx, c, "AddRoleToInstanceProfile", in.InstanceProfileName, nil)
	if err != nil {
		return nil, err
	}
	r, _, err := get[role](t, c.Account(), kindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	// IAM: "The caller of this operation must be granted the PassRole permission on the IAM role".
	roleResource := roleARN(c.Account(), defaultPath, in.RoleName)
	if r != nil {
		roleResource = roleARN(c.Account(), r.Path, r.Name)
	}
	if err := authorize(ctx, c, "PassRole", roleResource); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, roleNotFound(in.RoleName)
	}
	if r.ServiceLinked != "" {
		return nil, unmodifiableRole(r.Name)
	}
	if len(ip.Roles) >= maxRolesPerInstanceProfile {
		return nil, limitExceeded("InstanceSessionsPerInstanceProfile", maxRolesPerInstanceProfile)
	}
	ip.Roles = append(ip.Roles, strings.ToLower(r.Name))
	return &AddRoleToInstanceProfileOutput{}, saveInstanceProfile(t, c.Account(), ip, rec)
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, c *api.Call, in *RemoveRoleFromInstanceProfileInput) (*RemoveRoleFromInstanceProfileOutput, error) {
	t, ip, rec, err := authorizedInstanceProfile(ctx, c, "RemoveRoleFromInstanceProfile", in.InstanceProfileName, nil)
	if err != nil {
		return nil, err
	}
	r, _, err := loadRole(t, c.Account(), in.RoleName)
	if err != nil {
		return nil, err
	}
	i := slices.Index(ip.Roles, strings.ToLower(r.Name))
	if i < 0 {
		return nil, noSuchEntity("Role %s in Instance Profile %s cannot be found.", in.RoleName, in.InstanceProfileName)
	}
	ip.Roles = slices.Delete(ip.Roles, i, i+1)
	return &RemoveRoleFromInstanceProfileOutput{}, saveInstanceProfile(t, c.Account(), ip, rec)
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, c *api.Call, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesForRoleOutput, error) {
	t, r, _, err := authorizedRole(ctx, c, "ListInstanceProfilesForRole", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	// A role is in few profiles: the index finds them all, in name order, and the page is cut from that.
	recs, err := t.Find(scope(c.Account(), kindInstanceProfile), indexRole, strings.ToLower(r.Name))
	if err != nil {
		return nil, err
	}
	max := maxItems(in.MaxItems)
	out := &ListInstanceProfilesForRoleOutput{InstanceProfiles: []*InstanceProfile{}, IsTruncated: ptr(false)}
	last := ""
	for _, rec := range recs {
		if after != "" && rec.ID <= after {
			continue
		}
		if len(out.InstanceProfiles) == max {
			out.IsTruncated, out.Marker = ptr(true), encodeMarker(last)
			break
		}
		last = rec.ID
		ip, err := store.Decode[instanceProfile](rec)
		if err != nil {
			return nil, err
		}
		aip, err := apiInstanceProfile(t, c.Account(), &ip, profileListed)
		if err != nil {
			return nil, err
		}
		out.InstanceProfiles = append(out.InstanceProfiles, aip)
	}
	return out, nil
}

func (s *Service) tagInstanceProfile(ctx context.Context, c *api.Call, in *TagInstanceProfileInput) (*TagInstanceProfileOutput, error) {
	t, ip, rec, err := authorizedInstanceProfile(ctx, c, "TagInstanceProfile", in.InstanceProfileName, requestTags(in.Tags))
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(ip.Tags, in.Tags, "TagsPerInstanceProfile")
	if err != nil {
		return nil, err
	}
	ip.Tags = tags
	return &TagInstanceProfileOutput{}, saveInstanceProfile(t, c.Account(), ip, rec)
}

func (s *Service) untagInstanceProfile(ctx context.Context, c *api.Call, in *UntagInstanceProfileInput) (*UntagInstanceProfileOutput, error) {
	t, ip, rec, err := authorizedInstanceProfile(ctx, c, "UntagInstanceProfile", in.InstanceProfileName, tagKeysContext(in.TagKeys))
	if err != nil {
		return nil, err
	}
	ip.Tags = removeTags(ip.Tags, in.TagKeys)
	return &UntagInstanceProfileOutput{}, saveInstanceProfile(t, c.Account(), ip, rec)
}

func (s *Service) listInstanceProfileTags(ctx context.Context, c *api.Call, in *ListInstanceProfileTagsInput) (*ListInstanceProfileTagsOutput, error) {
	_, ip, _, err := authorizedInstanceProfile(ctx, c, "ListInstanceProfileTags", in.InstanceProfileName, nil)
	if err != nil {
		return nil, err
	}
	tags, truncated, next := pageTags(ip.Tags, in.Marker, in.MaxItems)
	return &ListInstanceProfileTagsOutput{Tags: tags, IsTruncated: ptr(truncated), Marker: next}, nil
}
