package sagemaker

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/store"
)

// What SageMaker stores: one JSON document per resource under (account, region, kind). Profiles, spaces and apps
// are keyed within their domain (ids below) and indexed by it, so that a domain's children are found without
// reading the region. Settings are kept in the model's own shapes, so that Describe gives back what Create and
// Update were given.
const (
	kindDomain  = "sagemaker.domain"
	kindProfile = "sagemaker.user-profile"
	kindSpace   = "sagemaker.space"
	kindApp     = "sagemaker.app"
)

const (
	// indexDomain holds the domain id of profiles, spaces and apps.
	indexDomain = "domain"
	// indexOwner holds an app's domain and owner ("d-…/profile/NAME" or "d-…/space/NAME", names lower-cased).
	indexOwner = "owner"
	// indexName makes domain names findable (not unique: AWS allows two domains of one name).
	indexName = "name"
)

// tag is a tag as stored, in the order it was set.
type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// lifecycle is what every resource's status is derived from: when it was made, when its deletion began, and
// whether it failed. Status = Pending (or Updating) until Ready, InService after, Deleting from Deleted until Gone,
// then the resource no longer exists; Failed with FailureReason when Failure is set.
type lifecycle struct {
	Created time.Time `json:"created"`
	// Ready is when the resource is InService (Created + its scaled delay).
	Ready    time.Time `json:"ready"`
	Modified time.Time `json:"modified"`
	// Updated is when an update began, UpdateReady when it is done (Updating between them).
	UpdateReady time.Time `json:"updateReady,omitzero"`
	// Deleted is when deletion began, Gone when it ends.
	Deleted time.Time `json:"deleted,omitzero"`
	Gone    time.Time `json:"gone,omitzero"`
	// Failure is the FailureReason of a resource that failed.
	Failure string `json:"failure,omitempty"`
}

// status returns the resource's status at now, in the words of the resource's status enum (domains, profiles and
// spaces: Pending, InService, Updating, Deleting, Failed; apps: Pending, InService, Deleting, Deleted, Failed), and
// whether the resource still exists.
func (l *lifecycle) status(now time.Time) (string, bool) {
	switch {
	case !l.Deleted.IsZero() && !now.Before(l.Gone):
		return "Deleted", false
	case !l.Deleted.IsZero():
		return "Deleting", true
	case l.Failure != "":
		return "Failed", true
	case now.Before(l.Ready):
		return "Pending", true
	case !l.UpdateReady.IsZero() && now.Before(l.UpdateReady):
		return "Updating", true
	}
	return "InService", true
}

// startDeletion begins the resource's deletion at now, to end after d, and reports whether it has ended already
// (d is zero: lifecycles finish at once), when the record can go at once.
func (l *lifecycle) startDeletion(now time.Time, d time.Duration) (ended bool) {
	l.Deleted, l.Gone = now, now.Add(d)
	return !l.Gone.After(now)
}

// domain is a Studio domain.
type domain struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Tags []tag  `json:"tags,omitempty"`
	lifecycle
	AuthMode                   string                `json:"authMode"`
	VPCID                      string                `json:"vpc"`
	SubnetIDs                  []string              `json:"subnets"`
	AppNetworkAccessType       string                `json:"appNetworkAccessType"`
	AppSecurityGroupManagement string                `json:"appSecurityGroupManagement,omitempty"`
	TagPropagation             string                `json:"tagPropagation,omitempty"`
	DefaultUserSettings        *UserSettings         `json:"defaultUserSettings,omitempty"`
	DomainSettings             *DomainSettings       `json:"domainSettings,omitempty"`
	DefaultSpaceSettings       *DefaultSpaceSettings `json:"defaultSpaceSettings,omitempty"`
	KmsKeyID                   string                `json:"kmsKeyId,omitempty"`
	// HomeEfsFileSystemID is the domain's EFS file system (fs-…); MountTargets its mount targets, one network
	// interface in each subnet.
	HomeEfsFileSystemID string        `json:"homeEfs"`
	MountTargets        []mountTarget `json:"mountTargets,omitempty"`
	// SecurityGroupIDForDomainBoundary is the group SageMaker makes for the domain; NFSGroups are the inbound and
	// outbound NFS groups it makes for EFS.
	SecurityGroupIDForDomainBoundary string   `json:"boundaryGroup,omitempty"`
	NFSGroups                        []string `json:"nfsGroups,omitempty"`
	// NextUID is the HomeEfsFileSystemUid the next user profile or space gets.
	NextUID int `json:"nextUid"`
	// SSO fields, for AuthMode SSO.
	SingleSignOnApplicationArn               string `json:"ssoApplicationArn,omitempty"`
	SingleSignOnManagedApplicationInstanceID string `json:"ssoInstanceId,omitempty"`
}

// mountTarget is one EFS mount target of a domain: a network interface in one of its subnets.
type mountTarget struct {
	SubnetID    string `json:"subnet"`
	InterfaceID string `json:"eni"`
	IP          string `json:"ip"`
}

// profile is a user profile.
type profile struct {
	DomainID string `json:"domain"`
	Name     string `json:"name"`
	Tags     []tag  `json:"tags,omitempty"`
	lifecycle
	UserSettings               *UserSettings `json:"userSettings,omitempty"`
	HomeEfsFileSystemUID       string        `json:"uid"`
	SingleSignOnUserIdentifier string        `json:"ssoUserIdentifier,omitempty"`
	SingleSignOnUserValue      string        `json:"ssoUserValue,omitempty"`
}

// space is a space, private or shared.
type space struct {
	DomainID string `json:"domain"`
	Name     string `json:"name"`
	Tags     []tag  `json:"tags,omitempty"`
	lifecycle
	DisplayName          string                `json:"displayName,omitempty"`
	SpaceSettings        *SpaceSettings        `json:"spaceSettings,omitempty"`
	OwnershipSettings    *OwnershipSettings    `json:"ownershipSettings,omitempty"`
	SpaceSharingSettings *SpaceSharingSettings `json:"spaceSharingSettings,omitempty"`
	HomeEfsFileSystemUID string                `json:"uid"`
}

// app is an app of a user profile or a space.
type app struct {
	DomainID string `json:"domain"`
	// Profile or Space is the app's owner.
	Profile string `json:"profile,omitempty"`
	Space   string `json:"space,omitempty"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Tags    []tag  `json:"tags,omitempty"`
	lifecycle
	ResourceSpec *ResourceSpec `json:"resourceSpec,omitempty"`
	// InterfaceID is the network interface the running app holds in one of the domain's subnets.
	InterfaceID string `json:"eni,omitempty"`
}

// scope is the store scope of a kind in an account's region.
func scope(account, region, kind string) store.Scope {
	return store.Scope{Account: account, Region: region, Kind: kind}
}

// Record ids. Names are unique without regard to case within their domain (their ARNs are lower-cased).
func profileID(domainID, name string) string { return domainID + "/" + strings.ToLower(name) }
func spaceID(domainID, name string) string   { return domainID + "/" + strings.ToLower(name) }

// appOwner is the owner part of an app's id and index: "d-…/profile/NAME" or "d-…/space/NAME".
func appOwner(domainID, profileName, spaceName string) string {
	if spaceName != "" {
		return domainID + "/space/" + strings.ToLower(spaceName)
	}
	return domainID + "/profile/" + strings.ToLower(profileName)
}

func appID(domainID, profileName, spaceName, appType, appName string) string {
	return appOwner(domainID, profileName, spaceName) + "/" + strings.ToLower(appType) + "/" + strings.ToLower(appName)
}

// get reads one resource; nil when there is none (whatever its status: callers decide what a deleted one is).
func get[T any](t store.Tx, account, region, kind, id string) (*T, *store.Record, error) {
	v, rec, err := store.GetDoc[T](t, store.Key{Scope: scope(account, region, kind), ID: id})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return &v, rec, nil
}

// list reads every resource of a kind in the region, in id order.
func list[T any](t store.Tx, account, region, kind string) ([]*T, error) {
	recs, err := t.List(scope(account, region, kind), store.ListQuery{})
	if err != nil {
		return nil, err
	}
	return decodeAll[T](recs)
}

// find reads the resources of a kind whose index holds value, in id order.
func find[T any](t store.Tx, account, region, kind, index, value string) ([]*T, error) {
	recs, err := t.Find(scope(account, region, kind), index, value)
	if err != nil {
		return nil, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return decodeAll[T](recs)
}

func decodeAll[T any](recs []*store.Record) ([]*T, error) {
	out := make([]*T, 0, len(recs))
	for _, rec := range recs {
		v, err := store.Decode[T](rec)
		if err != nil {
			return nil, fmt.Errorf("sagemaker: %s %s: %w", rec.Kind, rec.ID, err)
		}
		out = append(out, &v)
	}
	return out, nil
}

func put(t store.Tx, account, region, kind, id string, v any, indexes ...store.Index) error {
	rec, err := store.NewRecord(store.Key{Scope: scope(account, region, kind), ID: id}, v, indexes...)
	if err != nil {
		return err
	}
	return t.Put(rec)
}

// The writers of each kind; only these write resources, so that the indexes stay right.
func putDomain(t store.Tx, account, region string, d *domain) error {
	return put(t, account, region, kindDomain, d.ID, d, store.Index{Name: indexName, Value: d.Name})
}
func putProfile(t store.Tx, account, region string, p *profile) error {
	return put(t, account, region, kindProfile, profileID(p.DomainID, p.Name), p, store.Index{Name: indexDomain, Value: p.DomainID})
}
func putSpace(t store.Tx, account, region string, sp *space) error {
	return put(t, account, region, kindSpace, spaceID(sp.DomainID, sp.Name), sp, store.Index{Name: indexDomain, Value: sp.DomainID})
}
func putApp(t store.Tx, account, region string, a *app) error {
	return put(t, account, region, kindApp, appID(a.DomainID, a.Profile, a.Space, a.Type, a.Name), a,
		store.Index{Name: indexDomain, Value: a.DomainID}, store.Index{Name: indexOwner, Value: appOwner(a.DomainID, a.Profile, a.Space)})
}

// remove deletes a resource's record (when its deletion has ended).
func remove(t store.Tx, account, region, kind, id string) error {
	err := t.Delete(store.Key{Scope: scope(account, region, kind), ID: id})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
