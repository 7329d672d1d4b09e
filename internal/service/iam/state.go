package iam

import (
	"errors"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/store"
)

// What IAM keeps in the store. Every entity is a record of its account (region ""), whose id is its name in lower
// case: names are unique case-insensitively, and lists come back in name order. Secondary indexes:
//
//	id        unique   the entity's unique id (AIDA…, AGPA…, AROA…, ANPA…, AIPA…)
//	attached  many     the ARN of each managed policy attached (users, groups, roles)
//	boundary  one      the ARN of the permissions boundary (users, roles)
//	group     many     the lower-case name of each group a user is in
//	role      many     the lower-case name of each role in an instance profile
//	user      one      the unique id of an access key's user
const (
	kindUser            = "iam.user"
	kindGroup           = "iam.group"
	kindRole            = "iam.role"
	kindPolicy          = "iam.policy"
	kindInstanceProfile = "iam.instance-profile"
	kindAccessKey       = "iam.access-key"
	kindAlias           = "iam.account-alias" // in scope account "": aliases are unique across accounts
)

const (
	indexID       = "id"
	indexAttached = "attached"
	indexBoundary = "boundary"
	indexGroup    = "group"
	indexRole     = "role"
	indexUser     = "user"
)

func scope(account, kind string) store.Scope { return store.Scope{Account: account, Kind: kind} }

func key(account, kind, name string) store.Key {
	return store.Key{Scope: scope(account, kind), ID: strings.ToLower(name)}
}

// tag is a tag as stored, in the order it was set.
type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// inlinePolicy is a policy embedded in a user, group or role.
type inlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"` // as the caller sent it
}

// principalRef records that a trust policy names an IAM user or role: AWS keeps the principal's unique id, so a
// policy naming a principal that was deleted (and perhaps recreated) shows the old id instead of the ARN.
type principalRef struct {
	ARN      string `json:"arn"`
	UniqueID string `json:"id"`
}

// permissions is what users, groups and roles share: inline policies (sorted by name) and attached managed policies
// (by ARN, in attachment order).
type permissions struct {
	Inline   []inlinePolicy `json:"inline,omitempty"`
	Attached []string       `json:"attached,omitempty"`
}

type user struct {
	Name     string    `json:"name"`
	ID       string    `json:"id"`
	Path     string    `json:"path"`
	Created  time.Time `json:"created"`
	Tags     []tag     `json:"tags,omitempty"`
	Boundary string    `json:"boundary,omitempty"`
	// Groups are the lower-case names of the user's groups, in the order joined.
	Groups           []string      `json:"groups,omitempty"`
	LoginProfile     *loginProfile `json:"loginProfile,omitempty"`
	PasswordLastUsed *time.Time    `json:"passwordLastUsed,omitempty"`
	permissions
}

type loginProfile struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired"`
	// Hash is PBKDF2-SHA256 of the password with Salt; the password itself is never stored.
	Hash       []byte `json:"hash"`
	Salt       []byte `json:"salt"`
	Iterations int    `json:"iterations"`
}

type group struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	permissions
}

type role struct {
	Name        string    `json:"name"`
	ID          string    `json:"id"`
	Path        string    `json:"path"`
	Created     time.Time `json:"created"`
	Description string    `json:"description,omitempty"`
	// TrustPolicy is the assume-role policy as the caller sent it; TrustRefs the users and roles it names.
	TrustPolicy        string         `json:"trustPolicy"`
	TrustRefs          []principalRef `json:"trustRefs,omitempty"`
	MaxSessionDuration int32          `json:"maxSessionDuration"`
	Tags               []tag          `json:"tags,omitempty"`
	Boundary           string         `json:"boundary,omitempty"`
	LastUsed           *time.Time     `json:"lastUsed,omitempty"`
	LastUsedRegion     string         `json:"lastUsedRegion,omitempty"`
	// ServiceLinked is the service principal of a service-linked role ("sagemaker.amazonaws.com").
	ServiceLinked string `json:"serviceLinked,omitempty"`
	permissions
}

// managedPolicy is a customer managed policy. AWS managed policies are not stored: they come from the catalog.
type managedPolicy struct {
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	Path           string          `json:"path"`
	Description    string          `json:"description,omitempty"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
	DefaultVersion string          `json:"defaultVersion"` // "v3"
	Versions       []policyVersion `json:"versions"`       // oldest first, at most 5
	NextVersion    int             `json:"nextVersion"`    // versions are numbered v1, v2, … and never reused
	Tags           []tag           `json:"tags,omitempty"`
}

type policyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

type instanceProfile struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	// Roles are the lower-case names of the profile's roles (AWS allows one).
	Roles []string `json:"roles,omitempty"`
	Tags  []tag    `json:"tags,omitempty"`
}

type accessKey struct {
	ID      string    `json:"id"`
	UserID  string    `json:"userId"`
	Secret  string    `json:"secret"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
}

type accountAlias struct {
	Alias   string `json:"alias"`
	Account string `json:"account"`
}

// indexes returns the secondary keys of an entity with a unique id and permissions.
func permissionIndexes(id string, p *permissions, boundary string) []store.Index {
	ix := []store.Index{{Name: indexID, Value: id, Unique: true}}
	for _, arn := range p.Attached {
		ix = append(ix, store.Index{Name: indexAttached, Value: arn})
	}
	if boundary != "" {
		ix = append(ix, store.Index{Name: indexBoundary, Value: boundary})
	}
	return ix
}

func (u *user) indexes() []store.Index {
	ix := permissionIndexes(u.ID, &u.permissions, u.Boundary)
	for _, g := range u.Groups {
		ix = append(ix, store.Index{Name: indexGroup, Value: g})
	}
	return ix
}

func (g *group) indexes() []store.Index { return permissionIndexes(g.ID, &g.permissions, "") }

func (r *role) indexes() []store.Index { return permissionIndexes(r.ID, &r.permissions, r.Boundary) }

func (p *managedPolicy) indexes() []store.Index {
	return []store.Index{{Name: indexID, Value: p.ID, Unique: true}}
}

func (ip *instanceProfile) indexes() []store.Index {
	ix := []store.Index{{Name: indexID, Value: ip.ID, Unique: true}}
	for _, r := range ip.Roles {
		ix = append(ix, store.Index{Name: indexRole, Value: r})
	}
	return ix
}

func (k *accessKey) indexes() []store.Index {
	return []store.Index{{Name: indexUser, Value: k.UserID}}
}

// get reads the entity of kind with the name into a new T; found is false when there is none.
func get[T any](tx store.Tx, account, kind, name string) (v *T, rec *store.Record, err error) {
	t, rec, err := store.GetDoc[T](tx, key(account, kind, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return &t, rec, nil
}

// save writes v as the record rec (from get), or as a new record when rec is nil: ErrExists then means the name
// is taken. The caller gives the name and the indexes.
func save(tx store.Tx, account, kind, name string, v any, indexes []store.Index, rec *store.Record) error {
	nr, err := store.NewRecord(key(account, kind, name), v, indexes...)
	if err != nil {
		return err
	}
	if rec == nil {
		return tx.Create(nr)
	}
	if rec.ID != nr.ID {
		// A rename: the record moves to its new key.
		if err := tx.Delete(rec.Key); err != nil {
			return err
		}
		return tx.Create(nr)
	}
	nr.Version = rec.Version
	return tx.Put(nr)
}

func getUserByID(tx store.Tx, account, id string) (*user, *store.Record, error) {
	u, rec, err := store.LookupDoc[user](tx, scope(account, kindUser), indexID, id)
	if err != nil {
		return nil, nil, err
	}
	return &u, rec, nil
}

// userPrincipal is the principal of requests signed with a user's access key.
func userPrincipal(account string, u *user, keyID string) *api.Principal {
	return &api.Principal{
		Type:        api.User,
		Account:     account,
		ARN:         userARN(account, u.Path, u.Name),
		UserID:      u.ID,
		Name:        u.Name,
		AccessKeyID: keyID,
	}
}

// ringKey is the key ring's entry for an access key of u.
func ringKey(account string, u *user, k *accessKey) *authn.Key {
	return &authn.Key{
		AccessKeyID:     k.ID,
		SecretAccessKey: k.Secret,
		Principal:       userPrincipal(account, u, k.ID),
		Inactive:        !k.Active,
	}
}
