package iam

import (
	"context"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerUsers(h *api.ServiceHandlers) {
	api.Write(h, "CreateUser", s.createUser)
	api.Read(h, "GetUser", s.getUser)
	api.Read(h, "ListUsers", s.listUsers)
	api.Write(h, "UpdateUser", s.updateUser)
	api.Write(h, "DeleteUser", s.deleteUser)
	api.Write(h, "TagUser", s.tagUser)
	api.Write(h, "UntagUser", s.untagUser)
	api.Read(h, "ListUserTags", s.listUserTags)
}

// apiUser renders a stored user.
func apiUser(account string, u *user) *User {
	out := &User{
		Path:             u.Path,
		UserName:         u.Name,
		UserId:           u.ID,
		Arn:              userARN(account, u.Path, u.Name),
		CreateDate:       u.Created,
		PasswordLastUsed: u.PasswordLastUsed,
		Tags:             apiTags(u.Tags),
	}
	if u.Boundary != "" {
		out.PermissionsBoundary = boundaryOf(u.Boundary)
	}
	return out
}

func boundaryOf(arn string) *AttachedPermissionsBoundary {
	return &AttachedPermissionsBoundary{PermissionsBoundaryType: ptr("PermissionsBoundaryPolicy"), PermissionsBoundaryArn: ptr(arn)}
}

// loadUser reads the named user, or answers NoSuchEntity as IAM does.
func loadUser(t store.Tx, account, name string) (*user, *store.Record, error) {
	u, rec, err := get[user](t, account, kindUser, name)
	if err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, rec, nil
}

func (s *Service) createUser(ctx context.Context, c *api.Call, in *CreateUserInput) (*CreateUserOutput, error) {
	path := pathOr(in.Path)
	if err := authorize(ctx, c, "CreateUser", userARN(c.Account(), path, in.UserName)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.Tags, "TagsPerUser")
	if err != nil {
		return nil, err
	}
	u := &user{Name: in.UserName, ID: s.ids.IAM("AIDA"), Path: path, Created: c.Now, Tags: tags}
	if in.PermissionsBoundary != nil {
		if err := s.checkBoundary(t, c.Account(), *in.PermissionsBoundary); err != nil {
			return nil, err
		}
		u.Boundary = *in.PermissionsBoundary
	}
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("User with name %s already exists.", in.UserName)
		}
		return nil, err
	}
	return &CreateUserOutput{User: apiUser(c.Account(), u)}, nil
}

// getUser answers the named user or, without a name, the caller: IAM "determines the user name implicitly based on
// the AWS access key ID used to sign the request".
func (s *Service) getUser(ctx context.Context, c *api.Call, in *GetUserInput) (*GetUserOutput, error) {
	name := ""
	if in.UserName != nil {
		name = *in.UserName
	}
	if name == "" && c.Principal.Type == api.User {
		name = c.Principal.Name
	}
	if name == "" {
		// The root user: AWS answers its account id and ARN.
		if err := authorize(ctx, c, "GetUser", c.Principal.ARN); err != nil {
			return nil, err
		}
		return &GetUserOutput{User: &User{UserId: c.Principal.Account, Arn: c.Principal.ARN, Path: defaultPath}}, nil
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, _, err := get[user](t, c.Account(), kindUser, name)
	if err != nil {
		return nil, err
	}
	resource := userARN(c.Account(), defaultPath, name)
	if u != nil {
		resource = userARN(c.Account(), u.Path, u.Name)
	}
	if err := authorize(ctx, c, "GetUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return &GetUserOutput{User: apiUser(c.Account(), u)}, nil
}

func (s *Service) listUsers(ctx context.Context, c *api.Call, in *ListUsersInput) (*ListUsersOutput, error) {
	if err := authorize(ctx, c, "ListUsers", userARN(c.Account(), "/", "*")); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	var users []*User
	page, next, err := listPage(t, scope(c.Account(), kindUser), in.Marker, maxItems(in.MaxItems), func(rec *store.Record) (bool, error) {
		u, err := store.Decode[user](rec)
		if err != nil || !hasPathPrefix(in.PathPrefix, u.Path) {
			return false, err
		}
		au := apiUser(c.Account(), &u)
		au.Tags, au.PermissionsBoundary = nil, nil // ListUsers shows neither (AWS: "use GetUser")
		users = append(users, au)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ListUsersOutput{Users: users[:len(page)], IsTruncated: ptr(next != nil), Marker: next}, nil
}

func (s *Service) updateUser(ctx context.Context, c *api.Call, in *UpdateUserInput) (*UpdateUserOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, rec, err := get[user](t, c.Account(), kindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	resource := userARN(c.Account(), defaultPath, in.UserName)
	if u != nil {
		resource = userARN(c.Account(), u.Path, u.Name)
	}
	if err := authorize(ctx, c, "UpdateUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", in.UserName)
	}
	if in.NewPath != nil {
		u.Path = *in.NewPath
	}
	if in.NewUserName != nil {
		u.Name = *in.NewUserName
	}
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("User with name %s already exists.", u.Name)
		}
		return nil, err
	}
	// The user's access keys now sign as the new ARN.
	if err := s.refreshKeys(t, c.Account(), u); err != nil {
		return nil, err
	}
	return &UpdateUserOutput{}, nil
}

func (s *Service) deleteUser(ctx context.Context, c *api.Call, in *DeleteUserInput) (*DeleteUserOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, rec, err := get[user](t, c.Account(), kindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	resource := userARN(c.Account(), defaultPath, in.UserName)
	if u != nil {
		resource = userARN(c.Account(), u.Path, u.Name)
	}
	if err := authorize(ctx, c, "DeleteUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", in.UserName)
	}
	if err := s.userDeleteConflict(t, c.Account(), u); err != nil {
		return nil, err
	}
	return &DeleteUserOutput{}, t.Delete(rec.Key)
}

func (s *Service) tagUser(ctx context.Context, c *api.Call, in *TagUserInput) (*TagUserOutput, error) {
	err := s.updateUserTags(ctx, c, "TagUser", in.UserName, func(u *user) error {
		tags, err := mergeTags(u.Tags, in.Tags, "TagsPerUser")
		u.Tags = tags
		return err
	})
	return &TagUserOutput{}, err
}

func (s *Service) untagUser(ctx context.Context, c *api.Call, in *UntagUserInput) (*UntagUserOutput, error) {
	err := s.updateUserTags(ctx, c, "UntagUser", in.UserName, func(u *user) error {
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return nil
	})
	return &UntagUserOutput{}, err
}

// updateUserTags authorizes action on the named user, applies change and saves.
func (s *Service) updateUserTags(ctx context.Context, c *api.Call, action, name string, change func(*user) error) error {
	t, err := c.Tx()
	if err != nil {
		return err
	}
	u, rec, err := get[user](t, c.Account(), kindUser, name)
	if err != nil {
		return err
	}
	resource := userARN(c.Account(), defaultPath, name)
	if u != nil {
		resource = userARN(c.Account(), u.Path, u.Name)
	}
	if err := authorize(ctx, c, action, resource); err != nil {
		return err
	}
	if u == nil {
		return noSuchEntity("The user with name %s cannot be found.", name)
	}
	if err := change(u); err != nil {
		return err
	}
	return save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec)
}

func (s *Service) listUserTags(ctx context.Context, c *api.Call, in *ListUserTagsInput) (*ListUserTagsOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, _, err := get[user](t, c.Account(), kindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	resource := userARN(c.Account(), defaultPath, in.UserName)
	if u != nil {
		resource = userARN(c.Account(), u.Path, u.Name)
	}
	if err := authorize(ctx, c, "ListUserTags", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", in.UserName)
	}
	tags, truncated, next := pageTags(u.Tags, in.Marker, in.MaxItems)
	return &ListUserTagsOutput{Tags: tags, IsTruncated: ptr(truncated), Marker: next}, nil
}
