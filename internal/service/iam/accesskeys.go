package iam

import (
	"context"
	"github.com/sagebox/sagebox/internal/account"
	"sort"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Access keys. A user has at most two; a key authenticates from the commit that created it (the key ring is
// updated in OnCommit), an Inactive key is refused as an unknown one is, and a deleted key leaves the ring when
// its deletion commits.
//
// Without a UserName the operations act on the caller: an IAM user's own keys, or for the root user the account's
// root key, which package account issues and keeps — IAM lists it but leaves creating, deactivating and deleting
// it to `sagebox accounts`.

func (s *Service) registerAccessKeys(h *api.ServiceHandlers) {
	api.Write(h, "CreateAccessKey", s.createAccessKey)
	api.Read(h, "ListAccessKeys", s.listAccessKeys)
	api.Write(h, "UpdateAccessKey", s.updateAccessKey)
	api.Write(h, "DeleteAccessKey", s.deleteAccessKey)
	api.Read(h, "GetAccessKeyLastUsed", s.getAccessKeyLastUsed)
}

// maxAccessKeys is IAM's AccessKeysPerUser quota.
const maxAccessKeys = 2

const (
	statusActive   = "Active"
	statusInactive = "Inactive"
)

func keyStatus(k *accessKey) string {
	if k.Active {
		return statusActive
	}
	return statusInactive
}

func noSuchKey(id string) error {
	return noSuchEntity("The Access Key with id %s cannot be found.", id)
}

// errRootKeys answers a change to the root user's keys, which sagebox manages outside IAM.
func errRootKeys() error {
	return awserr.Newf(awserr.KindNotImplemented, "The root user's access key is managed by sagebox (sagebox accounts), not through IAM.")
}

// userKeys returns the access keys of the user with the unique id, in key id order.
func userKeys(t store.Tx, account, userID string) ([]*accessKey, []*store.Record, error) {
	recs, err := t.Find(scope(account, kindAccessKey), indexUser, userID)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]*accessKey, len(recs))
	for i, rec := range recs {
		k, err := store.Decode[accessKey](rec)
		if err != nil {
			return nil, nil, err
		}
		keys[i] = &k
	}
	return keys, recs, nil
}

// keyTarget is the user whose keys a call acts on, resolved and authorized: the named user, or the caller.
type keyTarget struct {
	caller
	user *user
}

// keyUser resolves whose keys a call with the optional name acts on and authorizes action on that user (the root
// ARN for root's own keys). It answers NoSuchEntity for a named user that does not exist and ValidationError for
// a role session without a name, both after authorizing.
func (s *Service) keyUser(ctx context.Context, c *api.Call, t store.Tx, action string, name *string) (*keyTarget, error) {
	who := callerOf(c, name)
	if who.Root || who.Other {
		if err := authorize(ctx, c, action, c.Principal.ARN); err != nil {
			return nil, err
		}
		if who.Other {
			return nil, errNonUserCredentials()
		}
		return &keyTarget{caller: who}, nil
	}
	u, _, resource, err := findUser(t, c.Account(), who.Name)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, action, resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(who.Name)
	}
	return &keyTarget{caller: who, user: u}, nil
}

func (s *Service) createAccessKey(ctx context.Context, c *api.Call, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	target, err := s.keyUser(ctx, c, t, "CreateAccessKey", in.UserName)
	if err != nil {
		return nil, err
	}
	if target.Root {
		return nil, errRootKeys()
	}
	u := target.user
	n, err := t.Find(scope(c.Account(), kindAccessKey), indexUser, u.ID)
	if err != nil {
		return nil, err
	}
	if len(n) >= maxAccessKeys {
		return nil, limitExceeded("AccessKeysPerUser", maxAccessKeys)
	}
	k := &accessKey{UserID: u.ID, Secret: s.ids.Secret(), Active: true, Created: now(c)}
	for {
		// Key ids are unique across accounts: the ring holds every account's keys, root keys included.
		k.ID = s.ids.AccessKeyID("AKIA")
		if _, taken := s.keys.Get(k.ID); taken {
			continue
		}
		err := save(t, c.Account(), kindAccessKey, k.ID, k, k.indexes(), nil)
		if isExists(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	entry := ringKey(c.Account(), u, k)
	t.OnCommit(func() { s.keys.Put(entry) })
	return &CreateAccessKeyOutput{AccessKey: &AccessKey{
		UserName:        u.Name,
		AccessKeyId:     k.ID,
		Status:          statusActive,
		SecretAccessKey: k.Secret,
		CreateDate:      ptr(k.Created),
	}}, nil
}

// listAccessKeys pages the keys of a user in key id order. A user has at most two, so the page is cut in memory.
func (s *Service) listAccessKeys(ctx context.Context, c *api.Call, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	target, err := s.keyUser(ctx, c, t, "ListAccessKeys", in.UserName)
	if err != nil {
		return nil, err
	}
	var all []*AccessKeyMetadata
	if target.Root {
		acct, err := account.Get(t, c.Account())
		if err != nil {
			return nil, err
		}
		// Root's key belongs to no IAM user: AWS leaves UserName out.
		all = append(all, &AccessKeyMetadata{
			AccessKeyId: ptr(acct.RootAccessKeyID),
			Status:      ptr(statusActive),
			CreateDate:  ptr(acct.Created),
		})
	} else {
		keys, _, err := userKeys(t, c.Account(), target.user.ID)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			all = append(all, &AccessKeyMetadata{
				UserName:    ptr(target.user.Name),
				AccessKeyId: ptr(k.ID),
				Status:      ptr(keyStatus(k)),
				CreateDate:  ptr(k.Created),
			})
		}
	}
	sort.Slice(all, func(i, j int) bool { return *all[i].AccessKeyId < *all[j].AccessKeyId })
	ids := make([]string, len(all))
	for i, m := range all {
		ids[i] = *m.AccessKeyId
	}
	start, end, next, err := pageIDs(ids, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	return &ListAccessKeysOutput{AccessKeyMetadata: nonNil(all[start:end]), IsTruncated: ptr(next != nil), Marker: next}, nil
}

// findKey reads the access key with the id and checks that it belongs to target, answering NoSuchEntity otherwise
// (AWS answers the same for a key of another user as for none at all).
func findKey(t store.Tx, account string, target *keyTarget, id string) (*accessKey, *store.Record, error) {
	k, rec, err := get[accessKey](t, account, kindAccessKey, id)
	if err != nil {
		return nil, nil, err
	}
	if k == nil || k.ID != id || k.UserID != target.user.ID {
		return nil, nil, noSuchKey(id)
	}
	return k, rec, nil
}

// rootKeyCall answers a change to a key asked by the root user without a name: root's own key is not IAM's to
// change, and any other id is not one of root's keys.
func rootKeyCall(t store.Tx, accountID, id string) error {
	acct, err := account.Get(t, accountID)
	if err != nil {
		return err
	}
	if acct.RootAccessKeyID == id {
		return errRootKeys()
	}
	return noSuchKey(id)
}

func (s *Service) updateAccessKey(ctx context.Context, c *api.Call, in *UpdateAccessKeyInput) (*UpdateAccessKeyOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	target, err := s.keyUser(ctx, c, t, "UpdateAccessKey", in.UserName)
	if err != nil {
		return nil, err
	}
	if in.Status != statusActive && in.Status != statusInactive {
		// The model's enum also has Expired, which is not a status a caller may set.
		return nil, awserr.Newf(awserr.KindValidation, "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", in.Status)
	}
	if target.Root {
		return nil, rootKeyCall(t, c.Account(), in.AccessKeyId)
	}
	k, rec, err := findKey(t, c.Account(), target, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	k.Active = in.Status == statusActive
	if err := save(t, c.Account(), kindAccessKey, k.ID, k, k.indexes(), rec); err != nil {
		return nil, err
	}
	entry := ringKey(c.Account(), target.user, k)
	t.OnCommit(func() { s.keys.Put(entry) })
	return &UpdateAccessKeyOutput{}, nil
}

func (s *Service) deleteAccessKey(ctx context.Context, c *api.Call, in *DeleteAccessKeyInput) (*DeleteAccessKeyOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	target, err := s.keyUser(ctx, c, t, "DeleteAccessKey", in.UserName)
	if err != nil {
		return nil, err
	}
	if target.Root {
		return nil, rootKeyCall(t, c.Account(), in.AccessKeyId)
	}
	_, rec, err := findKey(t, c.Account(), target, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	if err := t.Delete(rec.Key); err != nil {
		return nil, err
	}
	id := in.AccessKeyId
	t.OnCommit(func() { s.keys.Delete(id) })
	return &DeleteAccessKeyOutput{}, nil
}

// getAccessKeyLastUsed answers for a key of the account's users. sagebox does not record each request's key yet,
// so every key answers as AWS answers for one never used: no LastUsedDate, ServiceName and Region "N/A".
func (s *Service) getAccessKeyLastUsed(ctx context.Context, c *api.Call, in *GetAccessKeyLastUsedInput) (*GetAccessKeyLastUsedOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	k, _, err := get[accessKey](t, c.Account(), kindAccessKey, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	var u *user
	if k != nil && k.ID == in.AccessKeyId {
		if u, _, err = getUserByID(t, c.Account(), k.UserID); err != nil {
			return nil, err
		}
	}
	// The action's resource is the key's user; a key the account does not have has none.
	resource := userARN(c.Account(), defaultPath, "*")
	if u != nil {
		resource = userARN(c.Account(), u.Path, u.Name)
	}
	if err := authorize(ctx, c, "GetAccessKeyLastUsed", resource); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchKey(in.AccessKeyId)
	}
	return &GetAccessKeyLastUsedOutput{
		UserName:          ptr(u.Name),
		AccessKeyLastUsed: &AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"},
	}, nil
}

// refreshKeys puts the key ring entries of u's access keys back, on commit, after u changed name or path: requests
// signed with them are the user under its new ARN.
func (s *Service) refreshKeys(t store.Tx, account string, u *user) error {
	keys, _, err := userKeys(t, account, u.ID)
	if err != nil {
		return err
	}
	entries := make([]*authn.Key, len(keys))
	for i, k := range keys {
		entries[i] = ringKey(account, u, k)
	}
	t.OnCommit(func() {
		for _, e := range entries {
			s.keys.Put(e)
		}
	})
	return nil
}

// pageIDs pages a sorted list of ids held in memory: Marker is the last id of the previous page. It returns the
// page's bounds and the next Marker (nil on the last page).
func pageIDs(ids []string, marker *string, max int) (start, end int, next *string, err error) {
	after, err := decodeMarker(marker)
	if err != nil {
		return 0, 0, nil, err
	}
	if marker != nil {
		start = sort.SearchStrings(ids, after)
		if start < len(ids) && ids[start] == after {
			start++
		}
	}
	end = min(len(ids), start+max)
	if end < len(ids) {
		next = encodeMarker(ids[end-1])
	}
	return start, end, next, nil
}

// nonNil returns s, or an empty slice for nil, so that a list member is present and empty as AWS sends it.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
