package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

// Groups. Membership is kept on the user (its Groups, indexed as "group"), so that a group's members are one index
// lookup and a user's groups are one read.

func (s *Service) registerGroups(h *api.ServiceHandlers) {
	api.Write(h, "CreateGroup", s.createGroup)
	api.Read(h, "GetGroup", s.getGroup)
	api.Write(h, "UpdateGroup", s.updateGroup)
	api.Write(h, "DeleteGroup", s.deleteGroup)
	api.Read(h, "ListGroups", s.listGroups)
	api.Write(h, "AddUserToGroup", s.addUserToGroup)
	api.Write(h, "RemoveUserFromGroup", s.removeUserFromGroup)
	api.Read(h, "ListGroupsForUser", s.listGroupsForUser)
}

// maxGroupsPerUser is IAM's GroupsPerUser quota.
const maxGroupsPerUser = 10

func apiGroup(account string, g *group) *Group {
	return &Group{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: groupARN(account, g.Path, g.Name), CreateDate: g.Created}
}

func noSuchGroup(name string) error {
	return noSuchEntity("The group with name %s cannot be found.", name)
}

// findGroup is findUser for groups: the group (nil when there is none) and the ARN to authorize.
func findGroup(t store.Tx, account, name string) (*group, *store.Record, string, error) {
	g, rec, err := get[group](t, account, kindGroup, name)
	if err != nil {
		return nil, nil, "", err
	}
	if g == nil {
		return nil, nil, groupARN(account, defaultPath, name), nil
	}
	return g, rec, groupARN(account, g.Path, g.Name), nil
}

// members returns the records of the users in the group with the lower-case name, in name order.
func members(t store.Tx, account, lowerName string) ([]*store.Record, error) {
	return t.Find(scope(account, kindUser), indexGroup, lowerName)
}

func (s *Service) createGroup(ctx context.Context, c *api.Call, in *CreateGroupInput) (*CreateGroupOutput, error) {
	path := pathOr(in.Path)
	if err := authorize(ctx, c, "CreateGroup", groupARN(c.Account(), path, in.GroupName)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g := &group{Name: in.GroupName, ID: s.ids.IAM("AGPA"), Path: path, Created: now(c)}
	if err := save(t, c.Account(), kindGroup, g.Name, g, g.indexes(), nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("Group with name %s already exists.", in.GroupName)
		}
		return nil, err
	}
	if err := s.viewSave(t, c.Account(), g); err != nil {
		return nil, err
	}
	return &CreateGroupOutput{Group: apiGroup(c.Account(), g)}, nil
}

// getGroup answers the group and a page of its users, in name order.
func (s *Service) getGroup(ctx context.Context, c *api.Call, in *GetGroupInput) (*GetGroupOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, _, resource, err := findGroup(t, c.Account(), in.GroupName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "GetGroup", resource); err != nil {
		return nil, err
	}
	if g == nil {
		return nil, noSuchGroup(in.GroupName)
	}
	recs, err := members(t, c.Account(), strings.ToLower(g.Name))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.ID
	}
	start, end, next, err := pageIDs(ids, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	users := make([]*User, 0, end-start)
	for _, rec := range recs[start:end] {
		u, err := store.Decode[user](rec)
		if err != nil {
			return nil, err
		}
		users = append(users, apiUserInList(c.Account(), &u))
	}
	return &GetGroupOutput{Group: apiGroup(c.Account(), g), Users: users, IsTruncated: ptr(next != nil), Marker: next}, nil
}

// updateGroup renames a group or moves it, with permission on both the old and the new ARN as for users. The
// unique id stays; the members' lists of groups follow the new name.
func (s *Service) updateGroup(ctx context.Context, c *api.Call, in *UpdateGroupInput) (*UpdateGroupOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, rec, resource, err := findGroup(t, c.Account(), in.GroupName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "UpdateGroup", resource); err != nil {
		return nil, err
	}
	if g == nil {
		return nil, noSuchGroup(in.GroupName)
	}
	oldName := strings.ToLower(g.Name)
	if in.NewPath != nil {
		g.Path = *in.NewPath
	}
	if in.NewGroupName != nil {
		g.Name = *in.NewGroupName
	}
	if target := groupARN(c.Account(), g.Path, g.Name); target != resource {
		if err := authorize(ctx, c, "UpdateGroup", target); err != nil {
			return nil, err
		}
	}
	if err := save(t, c.Account(), kindGroup, g.Name, g, g.indexes(), rec); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("Group with name %s already exists.", g.Name)
		}
		return nil, err
	}
	// The view knows members by the group's unique id: the members' saves below change nothing for it.
	if err := s.viewSave(t, c.Account(), g); err != nil {
		return nil, err
	}
	newName := strings.ToLower(g.Name)
	if newName == oldName {
		return &UpdateGroupOutput{}, nil
	}
	recs, err := members(t, c.Account(), oldName)
	if err != nil {
		return nil, err
	}
	for _, urec := range recs {
		u, err := store.Decode[user](urec)
		if err != nil {
			return nil, err
		}
		for i, name := range u.Groups {
			if name == oldName {
				u.Groups[i] = newName
			}
		}
		if err := save(t, c.Account(), kindUser, u.Name, &u, u.indexes(), urec); err != nil {
			return nil, err
		}
	}
	return &UpdateGroupOutput{}, nil
}

// deleteGroup refuses, with AWS's texts, while the group has members, attached policies or inline policies.
func (s *Service) deleteGroup(ctx context.Context, c *api.Call, in *DeleteGroupInput) (*DeleteGroupOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, rec, resource, err := findGroup(t, c.Account(), in.GroupName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "DeleteGroup", resource); err != nil {
		return nil, err
	}
	if g == nil {
		return nil, noSuchGroup(in.GroupName)
	}
	recs, err := members(t, c.Account(), strings.ToLower(g.Name))
	if err != nil {
		return nil, err
	}
	switch {
	case len(recs) > 0:
		return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
	case len(g.Attached) > 0:
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	case len(g.Inline) > 0:
		return nil, deleteConflict("Cannot delete entity, must delete policies first.")
	}
	if err := t.Delete(rec.Key); err != nil {
		return nil, err
	}
	s.viewDelete(t, c.Account(), g)
	return &DeleteGroupOutput{}, nil
}

func (s *Service) listGroups(ctx context.Context, c *api.Call, in *ListGroupsInput) (*ListGroupsOutput, error) {
	if err := authorize(ctx, c, "ListGroups", listResource(groupARN, c.Account(), in.PathPrefix)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	var groups []*Group
	page, next, err := listPage(t, scope(c.Account(), kindGroup), in.Marker, maxItems(in.MaxItems), func(rec *store.Record) (bool, error) {
		g, err := store.Decode[group](rec)
		if err != nil || !hasPathPrefix(in.PathPrefix, g.Path) {
			return false, err
		}
		groups = append(groups, apiGroup(c.Account(), &g))
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ListGroupsOutput{Groups: nonNil(groups[:len(page)]), IsTruncated: ptr(next != nil), Marker: next}, nil
}

// membership resolves the group and the user of AddUserToGroup and RemoveUserFromGroup and authorizes action on
// the group (the actions' resource), answering NoSuchEntity for either after that.
func membership(ctx context.Context, c *api.Call, t store.Tx, action, groupName, userName string) (*group, *user, *store.Record, error) {
	g, _, resource, err := findGroup(t, c.Account(), groupName)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := authorize(ctx, c, action, resource); err != nil {
		return nil, nil, nil, err
	}
	if g == nil {
		return nil, nil, nil, noSuchGroup(groupName)
	}
	u, urec, err := loadUser(t, c.Account(), userName)
	if err != nil {
		return nil, nil, nil, err
	}
	return g, u, urec, nil
}

// addUserToGroup adds the user to the group; adding a member again changes nothing and succeeds, as in AWS.
func (s *Service) addUserToGroup(ctx context.Context, c *api.Call, in *AddUserToGroupInput) (*AddUserToGroupOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, u, urec, err := membership(ctx, c, t, "AddUserToGroup", in.GroupName, in.UserName)
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(g.Name)
	if slices.Contains(u.Groups, name) {
		return &AddUserToGroupOutput{}, nil
	}
	if len(u.Groups) >= maxGroupsPerUser {
		return nil, limitExceeded("GroupsPerUser", maxGroupsPerUser)
	}
	u.Groups = append(u.Groups, name)
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), urec); err != nil {
		return nil, err
	}
	if err := s.viewSave(t, c.Account(), u); err != nil {
		return nil, err
	}
	return &AddUserToGroupOutput{}, nil
}

// removeUserFromGroup removes the user from the group; for a user who is not a member AWS succeeds too.
func (s *Service) removeUserFromGroup(ctx context.Context, c *api.Call, in *RemoveUserFromGroupInput) (*RemoveUserFromGroupOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, u, urec, err := membership(ctx, c, t, "RemoveUserFromGroup", in.GroupName, in.UserName)
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(g.Name)
	i := slices.Index(u.Groups, name)
	if i < 0 {
		return &RemoveUserFromGroupOutput{}, nil
	}
	u.Groups = slices.Delete(u.Groups, i, i+1)
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), urec); err != nil {
		return nil, err
	}
	if err := s.viewSave(t, c.Account(), u); err != nil {
		return nil, err
	}
	return &RemoveUserFromGroupOutput{}, nil
}

// listGroupsForUser pages the user's groups in name order.
func (s *Service) listGroupsForUser(ctx context.Context, c *api.Call, in *ListGroupsForUserInput) (*ListGroupsForUserOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, _, resource, err := findUser(t, c.Account(), in.UserName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "ListGroupsForUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(in.UserName)
	}
	names := slices.Sorted(slices.Values(u.Groups))
	start, end, next, err := pageIDs(names, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	groups := make([]*Group, 0, end-start)
	for _, name := range names[start:end] {
		g, _, err := get[group](t, c.Account(), kindGroup, name)
		if err != nil {
			return nil, err
		}
		if g != nil {
			groups = append(groups, apiGroup(c.Account(), g))
		}
	}
	return &ListGroupsForUserOutput{Groups: groups, IsTruncated: ptr(next != nil), Marker: next}, nil
}
