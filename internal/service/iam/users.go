package iam

import (
	"context"
	"time"

	"github.com/sagebox/sagebox/internal/account"
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
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

// apiUserInList renders a user as lists show it: ListUsers and GetGroup leave out tags and the boundary (AWS: "to
// view all of a user's information, use GetUser").
func apiUserInList(account string, u *user) *User {
	out := apiUser(account, u)
	out.Tags, out.PermissionsBoundary = nil, nil
	return out
}

// boundaryOf renders a permissions boundary. AWS sends the type "Policy", though the model's enum says
// "PermissionsBoundaryPolicy" (awsdocs/iam-user-guide#82: GetRole answers "Policy").
func boundaryOf(arn string) *AttachedPermissionsBoundary {
	return &AttachedPermissionsBoundary{PermissionsBoundaryType: ptr("Policy"), PermissionsBoundaryArn: ptr(arn)}
}

func noSuchUser(name string) error {
	return noSuchEntity("The user with name %s cannot be found.", name)
}

// loadUser reads the named user, or answers NoSuchEntity as IAM does.
func loadUser(t store.Tx, account, name string) (*user, *store.Record, error) {
	u, rec, err := get[user](t, account, kindUser, name)
	if err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, noSuchUser(name)
	}
	return u, rec, nil
}

// findUser reads the named user for a handler that must authorize on the user's ARN before it may say that the
// user does not exist: it returns the user (nil when there is none) and the ARN to authorize, which for a missing
// user has the default path.
func findUser(t store.Tx, account, name string) (*user, *store.Record, string, error) {
	u, rec, err := get[user](t, account, kindUser, name)
	if err != nil {
		return nil, nil, "", err
	}
	if u == nil {
		return nil, nil, userARN(account, defaultPath, name), nil
	}
	return u, rec, userARN(account, u.Path, u.Name), nil
}

// caller is whom an operation with an optional UserName acts on: IAM "determines the user name implicitly based on
// the AWS access key ID used to sign the request" when the name is left out.
type caller struct {
	// Name is the user's name: the one given, or the calling IAM user's.
	Name string
	// Root is set when the name was left out by the account's root user, whose credentials are not an IAM user's.
	Root bool
	// Other is set when the name was left out by a principal that is neither a user nor root (a role session):
	// IAM refuses, after authorizing, with errNonUserCredentials.
	Other bool
}

func callerOf(c *api.Call, name *string) caller {
	switch {
	case name != nil && *name != "":
		return caller{Name: *name}
	case c.Principal.Type == api.User:
		return caller{Name: c.Principal.Name}
	case c.Principal.Type == api.Root:
		return caller{Root: true}
	default:
		return caller{Other: true}
	}
}

// errNonUserCredentials is IAM's answer to a role session that leaves out the UserName of an operation that
// defaults it to the caller.
func errNonUserCredentials() error {
	return awserr.Newf(awserr.KindValidation, "Must specify userName when calling with non-User credentials")
}

func (s *Service) createUser(ctx context.Context, c *api.Call, in *CreateUserInput) (*CreateUserOutput, error) {
	path := pathOr(in.Path)
	// The condition keys CreateUser supplies: the tags it sets and the boundary it puts.
	keys := requestTags(in.Tags)
	if in.PermissionsBoundary != nil {
		if keys == nil {
			keys = map[string][]string{}
		}
		keys["iam:PermissionsBoundary"] = []string{*in.PermissionsBoundary}
	}
	a := api.Authorization{Action: "iam:CreateUser", Resources: []string{userARN(c.Account(), path, in.UserName)}, Context: keys}
	if err := c.Authorize(ctx, a); err != nil {
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
	u := &user{Name: in.UserName, ID: s.ids.IAM("AIDA"), Path: path, Created: now(c), Tags: tags}
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
	if err := s.viewSave(t, c.Account(), u); err != nil {
		return nil, err
	}
	return &CreateUserOutput{User: apiUser(c.Account(), u)}, nil
}

// getUserOutput is GetUserOutput with the user's Path and UserName optional: AWS leaves both out for the root
// user, which the generated shape, whose required members are values, cannot say.
type getUserOutput struct{ User *getUserUser }

type getUserUser struct {
	Path                *string
	UserName            *string
	UserId              string
	Arn                 string
	CreateDate          time.Time
	PasswordLastUsed    *time.Time
	PermissionsBoundary *AttachedPermissionsBoundary
	Tags                []*Tag
}

func getUserOf(u *User) *getUserOutput {
	return &getUserOutput{User: &getUserUser{
		Path: &u.Path, UserName: &u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: u.CreateDate,
		PasswordLastUsed: u.PasswordLastUsed, PermissionsBoundary: u.PermissionsBoundary, Tags: u.Tags,
	}}
}

// getUser answers the named user or, without a name, the caller. For the root user AWS answers the account's id
// as UserId, the root ARN and the account's creation date, without a name or path.
func (s *Service) getUser(ctx context.Context, c *api.Call, in *GetUserInput) (*getUserOutput, error) {
	who := callerOf(c, in.UserName)
	if who.Root || who.Other {
		if err := authorize(ctx, c, "GetUser", c.Principal.ARN); err != nil {
			return nil, err
		}
		if who.Other {
			return nil, errNonUserCredentials()
		}
		t, err := c.Tx()
		if err != nil {
			return nil, err
		}
		acct, err := account.Get(t, c.Account())
		if err != nil {
			return nil, err
		}
		return &getUserOutput{User: &getUserUser{UserId: acct.ID, Arn: c.Principal.ARN, CreateDate: acct.Created}}, nil
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, _, resource, err := findUser(t, c.Account(), who.Name)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "GetUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(who.Name)
	}
	return getUserOf(apiUser(c.Account(), u)), nil
}

func (s *Service) listUsers(ctx context.Context, c *api.Call, in *ListUsersInput) (*ListUsersOutput, error) {
	if err := authorize(ctx, c, "ListUsers", listResource(userARN, c.Account(), in.PathPrefix)); err != nil {
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
		users = append(users, apiUserInList(c.Account(), &u))
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	users = users[:len(page)]
	if users == nil {
		users = []*User{}
	}
	return &ListUsersOutput{Users: users, IsTruncated: ptr(next != nil), Marker: next}, nil
}

// updateUser renames a user or moves it to another path. AWS asks for permission on both the old and the new
// name ("to change Bob to Robert, the entity making the request must have permission on Bob and Robert"). The
// unique id stays; the user's access keys sign as the new ARN from the commit on.
func (s *Service) updateUser(ctx context.Context, c *api.Call, in *UpdateUserInput) (*UpdateUserOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, rec, resource, err := findUser(t, c.Account(), in.UserName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "UpdateUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(in.UserName)
	}
	if in.NewPath != nil {
		u.Path = *in.NewPath
	}
	if in.NewUserName != nil {
		u.Name = *in.NewUserName
	}
	if target := userARN(c.Account(), u.Path, u.Name); target != resource {
		if err := authorize(ctx, c, "UpdateUser", target); err != nil {
			return nil, err
		}
	}
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("User with name %s already exists.", u.Name)
		}
		return nil, err
	}
	if err := s.viewSave(t, c.Account(), u); err != nil {
		return nil, err
	}
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
	u, rec, resource, err := findUser(t, c.Account(), in.UserName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "DeleteUser", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(in.UserName)
	}
	if err := s.userDeleteConflict(t, c.Account(), u); err != nil {
		return nil, err
	}
	if err := t.Delete(rec.Key); err != nil {
		return nil, err
	}
	s.viewDelete(t, c.Account(), u)
	return &DeleteUserOutput{}, nil
}

// userDeleteConflict answers DeleteConflict while u still has what IAM makes you remove before DeleteUser. AWS
// does not document the order of its checks; these follow the order of the IAM User Guide's steps for deleting a
// user with the CLI (access keys, password, attached policies, inline policies, groups), each with AWS's text.
func (s *Service) userDeleteConflict(t store.Tx, account string, u *user) error {
	keys, err := t.Find(scope(account, kindAccessKey), indexUser, u.ID)
	if err != nil {
		return err
	}
	switch {
	case len(keys) > 0:
		return deleteConflict("Cannot delete entity, must delete access keys first.")
	case u.LoginProfile != nil:
		return deleteConflict("Cannot delete entity, must delete login profile first.")
	case len(u.Attached) > 0:
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	case len(u.Inline) > 0:
		return deleteConflict("Cannot delete entity, must delete policies first.")
	case len(u.Groups) > 0:
		return deleteConflict("Cannot delete entity, must remove users from group first.")
	}
	return nil
}

func (s *Service) tagUser(ctx context.Context, c *api.Call, in *TagUserInput) (*TagUserOutput, error) {
	err := s.updateUserTags(ctx, c, "TagUser", in.UserName, requestTags(in.Tags), func(u *user) error {
		tags, err := mergeTags(u.Tags, in.Tags, "TagsPerUser")
		u.Tags = tags
		return err
	})
	if err != nil {
		return nil, err
	}
	return &TagUserOutput{}, nil
}

func (s *Service) untagUser(ctx context.Context, c *api.Call, in *UntagUserInput) (*UntagUserOutput, error) {
	err := s.updateUserTags(ctx, c, "UntagUser", in.UserName, tagKeysContext(in.TagKeys), func(u *user) error {
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagUserOutput{}, nil
}

// updateUserTags authorizes action on the named user with the request's condition keys, applies change and saves.
func (s *Service) updateUserTags(ctx context.Context, c *api.Call, action, name string, keys map[string][]string, change func(*user) error) error {
	t, err := c.Tx()
	if err != nil {
		return err
	}
	u, rec, resource, err := findUser(t, c.Account(), name)
	if err != nil {
		return err
	}
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:" + action, Resources: []string{resource}, Context: keys}); err != nil {
		return err
	}
	if u == nil {
		return noSuchUser(name)
	}
	if err := change(u); err != nil {
		return err
	}
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec); err != nil {
		return err
	}
	return s.viewSave(t, c.Account(), u)
}

func (s *Service) listUserTags(ctx context.Context, c *api.Call, in *ListUserTagsInput) (*ListUserTagsOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, _, resource, err := findUser(t, c.Account(), in.UserName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "ListUserTags", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(in.UserName)
	}
	tags, truncated, next := pageTags(u.Tags, in.Marker, in.MaxItems)
	return &ListUserTagsOutput{Tags: tags, IsTruncated: ptr(truncated), Marker: next}, nil
}
