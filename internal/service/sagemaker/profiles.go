package sagemaker

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// User profiles: one person in Studio, "not an IAM user, and mapped to an execution role". A profile lives in a
// domain, takes the next HomeEfsFileSystemUid of the domain's home file system, and is checked as the domain is:
// its execution role exists, trusts SageMaker and may be passed by the caller; its security groups belong to the
// domain's VPC.

func (s *Service) registerUserProfiles(h *api.ServiceHandlers) {
	api.Write(h, "CreateUserProfile", s.createUserProfile)
	api.Read(h, "DescribeUserProfile", s.describeUserProfile)
	api.Write(h, "UpdateUserProfile", s.updateUserProfile)
	api.Write(h, "DeleteUserProfile", s.deleteUserProfile)
	api.Read(h, "ListUserProfiles", s.listUserProfiles)
}

// Lifecycle delays of profiles and spaces (before scaling): AWS takes seconds for either.
const (
	childCreateDelay = 5 * time.Second
	childUpdateDelay = 5 * time.Second
	childDeleteDelay = 5 * time.Second
)

// Errors of profiles and spaces. AWS's texts, where a public report shows them; the others are unverified and
// written in the style of the verified ones.
func errProfileNotFound(arn string) error {
	// Unverified text, in the style of "App [arn] does not exist.".
	return notFound("UserProfile [%s] does not exist.", arn)
}

func errProfileExists(name string) error {
	// Unverified text.
	return inUse("Resource Already Exists: UserProfile with name [%s] already exists. Choose a different name.", name)
}

// studioDomain reads the domain a profile or space is made in: it must exist and be usable (InService or Updating).
func studioDomain(t store.Tx, c *api.Call, id string) (*domain, error) {
	d, _, err := get[domain](t, c.Account(), c.Region, kindDomain, id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, domainNotFound(id)
	}
	status, exists := d.status(c.Now)
	if !exists {
		return nil, domainNotFound(id)
	}
	if status != "InService" && status != "Updating" {
		// Unverified text: AWS refuses children of a domain that is not ready, in words not found in public reports.
		return nil, validation("Domain [%s] is in status %s: it must be InService.", id, status)
	}
	return d, nil
}

// checkExecutionRole checks a role a request hands to SageMaker: the caller may pass it, and SageMaker may assume
// it.
func (s *Service) checkExecutionRole(ctx context.Context, c *api.Call, t store.Tx, roleARN string) error {
	if err := passRole(ctx, c, roleARN); err != nil {
		return err
	}
	if s.roles == nil {
		return nil
	}
	if err := s.roles.CanAssume(ctx, t, c.Region, roleARN); err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Kind == awserr.KindInternal {
			return err
		}
		return cannotAssume(roleARN)
	}
	return nil
}

// checkSecurityGroups checks the security groups of a profile or space: each exists and is in the domain's VPC.
func (s *Service) checkSecurityGroups(t store.Tx, c *api.Call, d *domain, groups []string) error {
	if len(groups) > maxUserGroups {
		// The rule is domains.go's maxUserGroups (the API Reference's UserSettings.SecurityGroups); the text is
		// unverified.
		return validation("You can specify at most %d security groups: SageMaker adds one to allow NFS traffic from Studio.", maxUserGroups)
	}
	if s.network == nil {
		return nil
	}
	for _, id := range groups {
		g, err := s.network.SecurityGroup(t, c.Account(), c.Region, id)
		if err != nil {
			return err
		}
		if g == nil {
			// Unverified text.
			return validation("Security group %s does not exist.", id)
		}
		if g.VPCID != d.VPCID {
			// Unverified text.
			return validation("Security group %s is not in the domain's VPC %s.", id, d.VPCID)
		}
	}
	return nil
}

// takeHomeUID gives the next HomeEfsFileSystemUid of the domain and writes the domain back.
func takeHomeUID(t store.Tx, c *api.Call, d *domain) (string, error) {
	if d.NextUID < firstUID {
		d.NextUID = firstUID
	}
	uid := strconv.Itoa(d.NextUID)
	d.NextUID++
	return uid, putDomain(t, c.Account(), c.Region, d)
}

// userSettingsKeys adds the condition keys that user settings supply (the Service Authorization Reference lists
// them for CreateUserProfile and UpdateUserProfile): sagemaker:VpcSecurityGroupIds, sagemaker:InstanceTypes,
// sagemaker:ImageArns, sagemaker:ImageVersionArns, sagemaker:StudioLifecycleConfigArns and
// sagemaker:DomainSharingOutputKmsKeyArn.
func userSettingsKeys(keys map[string][]string, us *UserSettings) map[string][]string {
	if us == nil {
		return keys
	}
	if keys == nil {
		keys = map[string][]string{}
	}
	if len(us.SecurityGroups) > 0 {
		keys["sagemaker:VpcSecurityGroupIds"] = slices.Clone(us.SecurityGroups)
	}
	var specs []*ResourceSpec
	var lifecycles []string
	if a := us.JupyterServerAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
		lifecycles = append(lifecycles, a.LifecycleConfigArns...)
	}
	if a := us.KernelGatewayAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
		lifecycles = append(lifecycles, a.LifecycleConfigArns...)
	}
	if a := us.TensorBoardAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
	}
	if a := us.RSessionAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
	}
	if a := us.CodeEditorAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
		lifecycles = append(lifecycles, a.LifecycleConfigArns...)
	}
	if a := us.JupyterLabAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
		lifecycles = append(lifecycles, a.LifecycleConfigArns...)
	}
	resourceSpecKeys(keys, specs, lifecycles)
	if us.SharingSettings != nil && deref(us.SharingSettings.S3KmsKeyId) != "" {
		keys["sagemaker:DomainSharingOutputKmsKeyArn"] = []string{*us.SharingSettings.S3KmsKeyId}
	}
	return keys
}

// resourceSpecKeys adds sagemaker:InstanceTypes, sagemaker:ImageArns, sagemaker:ImageVersionArns and
// sagemaker:StudioLifecycleConfigArns of resource specs and lifecycle configurations to keys.
func resourceSpecKeys(keys map[string][]string, specs []*ResourceSpec, lifecycles []string) {
	add := func(key, v string) {
		if v != "" && !slices.Contains(keys[key], v) {
			keys[key] = append(keys[key], v)
		}
	}
	for _, sp := range specs {
		if sp == nil {
			continue
		}
		add("sagemaker:InstanceTypes", deref(sp.InstanceType))
		add("sagemaker:ImageArns", deref(sp.SageMakerImageArn))
		add("sagemaker:ImageVersionArns", deref(sp.SageMakerImageVersionArn))
		add("sagemaker:StudioLifecycleConfigArns", deref(sp.LifecycleConfigArn))
	}
	for _, l := range lifecycles {
		add("sagemaker:StudioLifecycleConfigArns", l)
	}
}

// liveProfile reads a profile that exists. A profile whose deletion has ended reads as none; a write (removeGone)
// removes its record.
func liveProfile(t store.Tx, c *api.Call, domainID, name string, removeGone bool) (*profile, error) {
	p, _, err := get[profile](t, c.Account(), c.Region, kindProfile, profileID(domainID, name))
	if err != nil || p == nil {
		return nil, err
	}
	if _, exists := p.status(c.Now); !exists {
		if removeGone {
			return nil, remove(t, c.Account(), c.Region, kindProfile, profileID(domainID, name))
		}
		return nil, nil
	}
	return p, nil
}

// liveApps returns the apps of an owner that count against deleting it: those neither Deleted nor Failed.
func liveApps(t store.Tx, c *api.Call, owner string) ([]*app, error) {
	apps, err := find[app](t, c.Account(), c.Region, kindApp, indexOwner, owner)
	if err != nil {
		return nil, err
	}
	var out []*app
	for _, a := range apps {
		status, exists := a.status(c.Now)
		if exists && status != "Failed" {
			out = append(out, a)
		}
	}
	return out, nil
}

// ownedSpaces returns the spaces (that exist) a profile owns.
func ownedSpaces(t store.Tx, c *api.Call, domainID, profileName string) ([]*space, error) {
	spaces, err := find[space](t, c.Account(), c.Region, kindSpace, indexDomain, domainID)
	if err != nil {
		return nil, err
	}
	var out []*space
	for _, sp := range spaces {
		if _, exists := sp.status(c.Now); !exists || sp.OwnershipSettings == nil {
			continue
		}
		if strings.EqualFold(sp.OwnershipSettings.OwnerUserProfileName, profileName) {
			out = append(out, sp)
		}
	}
	return out, nil
}

func (s *Service) createUserProfile(ctx context.Context, c *api.Call, in *CreateUserProfileInput) (*CreateUserProfileOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	arn := profileARN(c, in.DomainId, in.UserProfileName)
	keys := userSettingsKeys(requestTagKeys(nil, in.Tags), in.UserSettings)
	if err := authorize(ctx, c, "CreateUserProfile", arn, keys); err != nil {
		return nil, err
	}
	if err := authorizeCreateTags(ctx, c, arn, "CreateUserProfile", in.Tags); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	d, err := studioDomain(t, c, in.DomainId)
	if err != nil {
		return nil, err
	}
	old, err := liveProfile(t, c, in.DomainId, in.UserProfileName, false)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, errProfileExists(in.UserProfileName)
	}
	if err := checkSingleSignOn(d, in.SingleSignOnUserIdentifier, in.SingleSignOnUserValue); err != nil {
		return nil, err
	}
	if err := s.checkUserSettings(ctx, c, t, d, in.UserSettings); err != nil {
		return nil, err
	}
	uid, err := takeHomeUID(t, c, d)
	if err != nil {
		return nil, err
	}
	p := &profile{
		DomainID: in.DomainId, Name: in.UserProfileName, Tags: storedTags(in.Tags),
		lifecycle:                  lifecycle{Created: c.Now, Ready: c.Now.Add(s.delay(childCreateDelay)), Modified: c.Now},
		UserSettings:               in.UserSettings,
		HomeEfsFileSystemUID:       uid,
		SingleSignOnUserIdentifier: deref(in.SingleSignOnUserIdentifier),
		SingleSignOnUserValue:      deref(in.SingleSignOnUserValue),
	}
	if err := putProfile(t, c.Account(), c.Region, p); err != nil {
		return nil, err
	}
	return &CreateUserProfileOutput{UserProfileArn: ptr(arn)}, nil
}

// checkSingleSignOn applies AWS's rule for a profile's SingleSignOnUserIdentifier and SingleSignOnUserValue: "If
// the Domain's AuthMode is IAM Identity Center, this field is required. If the Domain's AuthMode is not IAM Identity
// Center, this field cannot be specified." (API Reference). The texts are unverified.
func checkSingleSignOn(d *domain, identifier, value *string) error {
	given := identifier != nil || value != nil
	if d.AuthMode != "SSO" {
		if given {
			return validation("SingleSignOnUserIdentifier and SingleSignOnUserValue can be specified only for domains whose AuthMode is SSO.")
		}
		return nil
	}
	if identifier == nil || value == nil {
		return validation("SingleSignOnUserIdentifier and SingleSignOnUserValue are required for domains whose AuthMode is SSO.")
	}
	return nil
}

// checkUserSettings checks what user settings name: the execution role and the security groups. A VpcOnly domain
// needs security groups, in the profile's settings or the domain's defaults.
func (s *Service) checkUserSettings(ctx context.Context, c *api.Call, t store.Tx, d *domain, us *UserSettings) error {
	var groups []string
	if us != nil {
		if role := deref(us.ExecutionRole); role != "" {
			if err := s.checkExecutionRole(ctx, c, t, role); err != nil {
				return err
			}
		}
		groups = us.SecurityGroups
		if err := s.checkSecurityGroups(t, c, d, groups); err != nil {
			return err
		}
	}
	if d.AppNetworkAccessType == "VpcOnly" && len(groups) == 0 && (d.DefaultUserSettings == nil || len(d.DefaultUserSettings.SecurityGroups) == 0) {
		// The rule is the API Reference's (UserSettings.SecurityGroups: "Required when … VpcOnly, unless specified as
		// part of the DefaultUserSettings for the domain"); the text is unverified.
		return validation("Security groups are required when the domain's AppNetworkAccessType is VpcOnly.")
	}
	return nil
}

// profileKeys are the condition keys of a stored profile: its tags.
func profileKeys(p *profile) map[string][]string {
	if p == nil {
		return nil
	}
	return resourceTagKeys(nil, p.Tags)
}

func (s *Service) describeUserProfile(ctx context.Context, c *api.Call, in *DescribeUserProfileInput) (*DescribeUserProfileOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	arn := profileARN(c, in.DomainId, in.UserProfileName)
	p, err := liveProfile(t, c, in.DomainId, in.UserProfileName, false)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "DescribeUserProfile", arn, profileKeys(p)); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errProfileNotFound(arn)
	}
	status, _ := p.status(c.Now)
	return &DescribeUserProfileOutput{
		DomainId:                   ptr(p.DomainID),
		UserProfileArn:             ptr(arn),
		UserProfileName:            ptr(p.Name),
		HomeEfsFileSystemUid:       ptr(p.HomeEfsFileSystemUID),
		Status:                     ptr(status),
		LastModifiedTime:           timePtr(p.Modified),
		CreationTime:               timePtr(p.Created),
		FailureReason:              nonEmpty(p.Failure),
		SingleSignOnUserIdentifier: nonEmpty(p.SingleSignOnUserIdentifier),
		SingleSignOnUserValue:      nonEmpty(p.SingleSignOnUserValue),
		UserSettings:               p.UserSettings,
	}, nil
}

// nonEmpty is s for an output, nil when empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Service) updateUserProfile(ctx context.Context, c *api.Call, in *UpdateUserProfileInput) (*UpdateUserProfileOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	arn := profileARN(c, in.DomainId, in.UserProfileName)
	p, err := liveProfile(t, c, in.DomainId, in.UserProfileName, true)
	if err != nil {
		return nil, err
	}
	keys := userSettingsKeys(profileKeys(p), in.UserSettings)
	if err := authorize(ctx, c, "UpdateUserProfile", arn, keys); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errProfileNotFound(arn)
	}
	status, _ := p.status(c.Now)
	if status != "InService" && status != "Failed" {
		// Unverified text: AWS refuses to update a profile that is busy.
		return nil, inUse("UserProfile [%s] is in status %s and cannot be updated.", arn, status)
	}
	d, err := studioDomain(t, c, in.DomainId)
	if err != nil {
		return nil, err
	}
	merged := mergeUserSettings(p.UserSettings, in.UserSettings)
	if err := s.checkUserSettings(ctx, c, t, d, in.UserSettings); err != nil {
		return nil, err
	}
	p.UserSettings = merged
	p.Modified = c.Now
	p.Failure = ""
	p.UpdateReady = c.Now.Add(s.delay(childUpdateDelay))
	if err := putProfile(t, c.Account(), c.Region, p); err != nil {
		return nil, err
	}
	return &UpdateUserProfileOutput{UserProfileArn: ptr(arn)}, nil
}

// mergeUserSettings applies an update's settings to stored ones: each member the update gives replaces the stored
// member; members it leaves out stay as they are.
func mergeUserSettings(old, upd *UserSettings) *UserSettings {
	if upd == nil {
		return old
	}
	if old == nil {
		return upd
	}
	m := *old
	if upd.ExecutionRole != nil {
		m.ExecutionRole = upd.ExecutionRole
	}
	if upd.SecurityGroups != nil {
		m.SecurityGroups = upd.SecurityGroups
	}
	if upd.SharingSettings != nil {
		m.SharingSettings = upd.SharingSettings
	}
	if upd.JupyterServerAppSettings != nil {
		m.JupyterServerAppSettings = upd.JupyterServerAppSettings
	}
	if upd.KernelGatewayAppSettings != nil {
		m.KernelGatewayAppSettings = upd.KernelGatewayAppSettings
	}
	if upd.TensorBoardAppSettings != nil {
		m.TensorBoardAppSettings = upd.TensorBoardAppSettings
	}
	if upd.RStudioServerProAppSettings != nil {
		m.RStudioServerProAppSettings = upd.RStudioServerProAppSettings
	}
	if upd.RSessionAppSettings != nil {
		m.RSessionAppSettings = upd.RSessionAppSettings
	}
	if upd.CanvasAppSettings != nil {
		m.CanvasAppSettings = upd.CanvasAppSettings
	}
	if upd.CodeEditorAppSettings != nil {
		m.CodeEditorAppSettings = upd.CodeEditorAppSettings
	}
	if upd.JupyterLabAppSettings != nil {
		m.JupyterLabAppSettings = upd.JupyterLabAppSettings
	}
	if upd.SpaceStorageSettings != nil {
		m.SpaceStorageSettings = upd.SpaceStorageSettings
	}
	if upd.DefaultLandingUri != nil {
		m.DefaultLandingUri = upd.DefaultLandingUri
	}
	if upd.StudioWebPortal != nil {
		m.StudioWebPortal = upd.StudioWebPortal
	}
	if upd.CustomPosixUserConfig != nil {
		m.CustomPosixUserConfig = upd.CustomPosixUserConfig
	}
	if upd.CustomFileSystemConfigs != nil {
		m.CustomFileSystemConfigs = upd.CustomFileSystemConfigs
	}
	if upd.StudioWebPortalSettings != nil {
		m.StudioWebPortalSettings = upd.StudioWebPortalSettings
	}
	if upd.AutoMountHomeEFS != nil {
		m.AutoMountHomeEFS = upd.AutoMountHomeEFS
	}
	return &m
}

func (s *Service) deleteUserProfile(ctx context.Context, c *api.Call, in *DeleteUserProfileInput) (*DeleteUserProfileOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	arn := profileARN(c, in.DomainId, in.UserProfileName)
	p, err := liveProfile(t, c, in.DomainId, in.UserProfileName, true)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "DeleteUserProfile", arn, profileKeys(p)); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errProfileNotFound(arn)
	}
	if status, _ := p.status(c.Now); status == "Deleting" {
		// Deleting twice is not an error on AWS's side worth inventing; the deletion goes on.
		return &DeleteUserProfileOutput{}, nil
	}
	apps, err := liveApps(t, c, appOwner(p.DomainID, p.Name, ""))
	if err != nil {
		return nil, err
	}
	if len(apps) > 0 {
		// AWS's text (a public report: aws/amazon-sagemaker-feedback#113).
		return nil, inUse("Unable to delete UserProfile [%s] because App(s) are associated with it.", arn)
	}
	spaces, err := ownedSpaces(t, c, p.DomainID, p.Name)
	if err != nil {
		return nil, err
	}
	if len(spaces) > 0 {
		// A profile's private spaces must go first (aws-nuke#1184: spaces prevent deleting profiles); the text is
		// unverified, in the style of the apps one.
		return nil, inUse("Unable to delete UserProfile [%s] because Space(s) are associated with it.", arn)
	}
	if p.startDeletion(c.Now, s.delay(childDeleteDelay)) {
		err = remove(t, c.Account(), c.Region, kindProfile, profileID(p.DomainID, p.Name))
	} else {
		err = putProfile(t, c.Account(), c.Region, p)
	}
	if err != nil {
		return nil, err
	}
	return &DeleteUserProfileOutput{}, nil
}

func (s *Service) listUserProfiles(ctx context.Context, c *api.Call, in *ListUserProfilesInput) (*ListUserProfilesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "ListUserProfiles", "*", nil); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	kept, next, err := pageInDomain(t, c, kindProfile, func(p *profile) (string, string, *lifecycle) { return p.DomainID, p.Name, &p.lifecycle },
		deref(in.DomainIdEquals), deref(in.UserProfileNameContains), in.SortBy, in.SortOrder, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListUserProfilesOutput{UserProfiles: []*UserProfileDetails{}}
	for _, p := range kept {
		status, _ := p.status(c.Now)
		out.UserProfiles = append(out.UserProfiles, &UserProfileDetails{
			DomainId: ptr(p.DomainID), UserProfileName: ptr(p.Name), Status: ptr(status),
			CreationTime: timePtr(p.Created), LastModifiedTime: timePtr(p.Modified),
		})
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}

// pageInDomain is the page ListUserProfiles and ListSpaces answer: the kind's resources (of one domain when domainID
// is set) that still exist and whose names contain contains (without regard to case), sorted by SortBy —
// CreationTime (the default) or LastModifiedTime — and cut after NextToken. nameOf gives an item's domain, name and
// lifecycle; the item's id is its domain and lower-cased name, as profileID and spaceID make it.
func pageInDomain[T any](t store.Tx, c *api.Call, kind string, nameOf func(*T) (domain, name string, l *lifecycle), domainID, contains string,
	sortBy, sortOrder, nextToken *string, maxResults *int32) ([]*T, string, error) {
	var all []*T
	var err error
	if domainID != "" {
		all, err = find[T](t, c.Account(), c.Region, kind, indexDomain, domainID)
	} else {
		all, err = list[T](t, c.Account(), c.Region, kind)
	}
	if err != nil {
		return nil, "", err
	}
	byModified := deref(sortBy) == "LastModifiedTime"
	contains = strings.ToLower(contains)
	var kept []*T
	var items []listed
	for _, v := range all {
		dom, name, l := nameOf(v)
		if _, exists := l.status(c.Now); !exists {
			continue
		}
		if contains != "" && !strings.Contains(strings.ToLower(name), contains) {
			continue
		}
		at := l.Created
		if byModified {
			at = l.Modified
		}
		kept = append(kept, v)
		items = append(items, listed{name: name, created: at, id: dom + "/" + strings.ToLower(name)})
	}
	// pageOf sorts on an item's created time: for LastModifiedTime the items carry their modified time there.
	by := ""
	if deref(sortBy) != "" {
		by = "CreationTime"
	}
	page, next, err := pageOf(items, by, deref(sortOrder), nextToken, maxResults)
	if err != nil {
		return nil, "", err
	}
	out := make([]*T, len(page))
	for i, ix := range page {
		out[i] = kept[ix]
	}
	return out, next, nil
}
