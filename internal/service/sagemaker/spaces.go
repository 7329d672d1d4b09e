package sagemaker

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

// Spaces: private spaces, owned by one user profile, and shared ones. A space with OwnershipSettings and
// SpaceSharingSettings belongs to its owner; who may create, update and delete it is said by IAM policies on the
// condition keys sagemaker:OwnerUserProfileArn and sagemaker:SpaceSharingType, as AWS's own Studio policies do.

func (s *Service) registerSpaces(h *api.ServiceHandlers) {
	api.Write(h, "CreateSpace", s.createSpace)
	api.Read(h, "DescribeSpace", s.describeSpace)
	api.Write(h, "UpdateSpace", s.updateSpace)
	api.Write(h, "DeleteSpace", s.deleteSpace)
	api.Read(h, "ListSpaces", s.listSpaces)
}

// defaultMaxEbsVolumeSizeInGb is a space's largest EBS volume when neither the domain nor the owner says otherwise
// (Studio's default, per the Developer Guide's "space storage" page: 5 GB default, 100 GB maximum).
const defaultMaxEbsVolumeSizeInGb = 100

func errSpaceNotFound(arn string) error {
	// Unverified text, as apps.go words it.
	return notFound("Space [%s] does not exist.", arn)
}

// spaceURL is the Url of a space: AWS gives each space a host of its own under studio.REGION.sagemaker.aws. sagebox
// derives it from the space's ARN, so that it is stable.
func spaceURL(c *api.Call, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	host := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:15]
	return "https://" + host + ".studio." + c.Region + ".sagemaker.aws"
}

// liveSpace reads a space that exists; one whose deletion has ended reads as none, and a write (removeGone) removes
// its record.
func liveSpace(t store.Tx, c *api.Call, domainID, name string, removeGone bool) (*space, error) {
	sp, _, err := get[space](t, c.Account(), c.Region, kindSpace, spaceID(domainID, name))
	if err != nil || sp == nil {
		return nil, err
	}
	if _, exists := sp.status(c.Now); !exists {
		if removeGone {
			return nil, remove(t, c.Account(), c.Region, kindSpace, spaceID(domainID, name))
		}
		return nil, nil
	}
	return sp, nil
}

// spaceSettingsKeys adds the keys space settings supply: sagemaker:InstanceTypes, sagemaker:ImageArns,
// sagemaker:ImageVersionArns, sagemaker:StudioLifecycleConfigArns and sagemaker:RemoteAccess.
func spaceSettingsKeys(keys map[string][]string, ss *SpaceSettings) map[string][]string {
	if ss == nil {
		return keys
	}
	if keys == nil {
		keys = map[string][]string{}
	}
	var specs []*ResourceSpec
	var lifecycles []string
	if a := ss.JupyterServerAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
		lifecycles = append(lifecycles, a.LifecycleConfigArns...)
	}
	if a := ss.KernelGatewayAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
		lifecycles = append(lifecycles, a.LifecycleConfigArns...)
	}
	if a := ss.CodeEditorAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
	}
	if a := ss.JupyterLabAppSettings; a != nil {
		specs = append(specs, a.DefaultResourceSpec)
	}
	resourceSpecKeys(keys, specs, lifecycles)
	if r := deref(ss.RemoteAccess); r != "" {
		keys["sagemaker:RemoteAccess"] = []string{r}
	}
	return keys
}

// maxSpaceVolume is the largest EBS volume a space may ask for: a private space's owner's SpaceStorageSettings, or
// the domain's DefaultUserSettings' for a private space and DefaultSpaceSettings' for a shared one, or Studio's
// default.
func maxSpaceVolume(d *domain, owner *profile, shared bool) int32 {
	from := func(s *DefaultSpaceStorageSettings) int32 {
		if s == nil || s.DefaultEbsStorageSettings == nil {
			return 0
		}
		return s.DefaultEbsStorageSettings.MaximumEbsVolumeSizeInGb
	}
	var candidates []int32
	if !shared && owner != nil && owner.UserSettings != nil {
		candidates = append(candidates, from(owner.UserSettings.SpaceStorageSettings))
	}
	if shared && d.DefaultSpaceSettings != nil {
		candidates = append(candidates, from(d.DefaultSpaceSettings.SpaceStorageSettings))
	}
	if d.DefaultUserSettings != nil {
		candidates = append(candidates, from(d.DefaultUserSettings.SpaceStorageSettings))
	}
	for _, m := range candidates {
		if m > 0 {
			return m
		}
	}
	return defaultMaxEbsVolumeSizeInGb
}

// checkSpaceStorage refuses an EBS volume larger than the domain allows.
func checkSpaceStorage(ss *SpaceSettings, max int32) error {
	if ss == nil || ss.SpaceStorageSettings == nil || ss.SpaceStorageSettings.EbsStorageSettings == nil {
		return nil
	}
	if size := ss.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb; size > max {
		// The rule is the Developer Guide's (a space's volume is at most the domain's MaximumEbsVolumeSizeInGb); the
		// text is unverified.
		return validation("EbsVolumeSizeInGb %d exceeds the maximum EBS volume size of %d GB allowed for spaces in the domain.", size, max)
	}
	return nil
}

func (s *Service) createSpace(ctx context.Context, c *api.Call, in *CreateSpaceInput) (*CreateSpaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	arn := spaceARN(c, in.DomainId, in.SpaceName)
	asked := &space{DomainID: in.DomainId, OwnershipSettings: in.OwnershipSettings, SpaceSharingSettings: in.SpaceSharingSettings}
	keys := spaceSettingsKeys(spaceKeys(c, requestTagKeys(nil, in.Tags), asked), in.SpaceSettings)
	if err := authorize(ctx, c, "CreateSpace", arn, keys); err != nil {
		return nil, err
	}
	if err := authorizeCreateTags(ctx, c, arn, "CreateSpace", in.Tags); err != nil {
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
	old, err := liveSpace(t, c, in.DomainId, in.SpaceName, false)
	if err != nil {
		return nil, err
	}
	if old != nil {
		// Unverified text.
		return nil, inUse("Resource Already Exists: Space with name [%s] already exists. Choose a different name.", in.SpaceName)
	}
	if (in.OwnershipSettings == nil) != (in.SpaceSharingSettings == nil) {
		// The API Reference (CreateSpace): OwnershipSettings and SpaceSharingSettings go together; the text is
		// unverified.
		return nil, validation("OwnershipSettings and SpaceSharingSettings must be specified together.")
	}
	var owner *profile
	if in.OwnershipSettings != nil {
		name := in.OwnershipSettings.OwnerUserProfileName
		owner, err = liveProfile(t, c, in.DomainId, name, false)
		if err != nil {
			return nil, err
		}
		if owner == nil {
			return nil, errProfileNotFound(profileARN(c, in.DomainId, name))
		}
	}
	shared := in.SpaceSharingSettings != nil && in.SpaceSharingSettings.SharingType == "Shared"
	if err := checkSpaceStorage(in.SpaceSettings, maxSpaceVolume(d, owner, shared)); err != nil {
		return nil, err
	}
	uid, err := takeHomeUID(t, c, d)
	if err != nil {
		return nil, err
	}
	sp := &space{
		DomainID: in.DomainId, Name: in.SpaceName, Tags: storedTags(in.Tags),
		lifecycle:            lifecycle{Created: c.Now, Ready: c.Now.Add(s.delay(childCreateDelay)), Modified: c.Now},
		DisplayName:          deref(in.SpaceDisplayName),
		SpaceSettings:        in.SpaceSettings,
		OwnershipSettings:    in.OwnershipSettings,
		SpaceSharingSettings: in.SpaceSharingSettings,
		HomeEfsFileSystemUID: uid,
	}
	if owner != nil {
		// The owner's name as the profile spells it.
		sp.OwnershipSettings = &OwnershipSettings{OwnerUserProfileName: owner.Name}
	}
	if err := putSpace(t, c.Account(), c.Region, sp); err != nil {
		return nil, err
	}
	return &CreateSpaceOutput{SpaceArn: ptr(arn)}, nil
}

// storedSpaceKeys are the condition keys of a stored space: its owner, sharing type and tags.
func storedSpaceKeys(c *api.Call, sp *space) map[string][]string {
	if sp == nil {
		return nil
	}
	return spaceKeys(c, resourceTagKeys(nil, sp.Tags), sp)
}

func (s *Service) describeSpace(ctx context.Context, c *api.Call, in *DescribeSpaceInput) (*DescribeSpaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	arn := spaceARN(c, in.DomainId, in.SpaceName)
	sp, err := liveSpace(t, c, in.DomainId, in.SpaceName, false)
	if err != nil {
		return nil, err
	}
	var keys map[string][]string
	if sp != nil {
		keys = resourceTagKeys(nil, sp.Tags)
	}
	if err := authorize(ctx, c, "DescribeSpace", arn, keys); err != nil {
		return nil, err
	}
	if sp == nil {
		return nil, errSpaceNotFound(arn)
	}
	status, _ := sp.status(c.Now)
	return &DescribeSpaceOutput{
		DomainId:             ptr(sp.DomainID),
		SpaceArn:             ptr(arn),
		SpaceName:            ptr(sp.Name),
		HomeEfsFileSystemUid: ptr(sp.HomeEfsFileSystemUID),
		Status:               ptr(status),
		LastModifiedTime:     timePtr(sp.Modified),
		CreationTime:         timePtr(sp.Created),
		FailureReason:        nonEmpty(sp.Failure),
		SpaceSettings:        sp.SpaceSettings,
		OwnershipSettings:    sp.OwnershipSettings,
		SpaceSharingSettings: sp.SpaceSharingSettings,
		SpaceDisplayName:     nonEmpty(sp.DisplayName),
		Url:                  ptr(spaceURL(c, arn)),
	}, nil
}

func (s *Service) updateSpace(ctx context.Context, c *api.Call, in *UpdateSpaceInput) (*UpdateSpaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	arn := spaceARN(c, in.DomainId, in.SpaceName)
	sp, err := liveSpace(t, c, in.DomainId, in.SpaceName, true)
	if err != nil {
		return nil, err
	}
	keys := spaceSettingsKeys(storedSpaceKeys(c, sp), in.SpaceSettings)
	if err := authorize(ctx, c, "UpdateSpace", arn, keys); err != nil {
		return nil, err
	}
	if sp == nil {
		return nil, errSpaceNotFound(arn)
	}
	status, _ := sp.status(c.Now)
	if status != "InService" && status != "Failed" {
		// Unverified text, as UpdateUserProfile words it.
		return nil, inUse("Space [%s] is in status %s and cannot be updated.", arn, status)
	}
	d, err := studioDomain(t, c, in.DomainId)
	if err != nil {
		return nil, err
	}
	if in.SpaceSettings != nil && in.SpaceSettings.AppType != nil && sp.SpaceSettings != nil && sp.SpaceSettings.AppType != nil &&
		*in.SpaceSettings.AppType != *sp.SpaceSettings.AppType {
		// The API Reference (UpdateSpace): "You can't edit the app type of a space in the SpaceSettings." The text is
		// unverified.
		return nil, validation("The AppType of a space cannot be changed: space %s is a %s space.", sp.Name, *sp.SpaceSettings.AppType)
	}
	var owner *profile
	if sp.OwnershipSettings != nil {
		if owner, err = liveProfile(t, c, sp.DomainID, sp.OwnershipSettings.OwnerUserProfileName, false); err != nil {
			return nil, err
		}
	}
	shared := sp.SpaceSharingSettings != nil && sp.SpaceSharingSettings.SharingType == "Shared"
	if err := checkSpaceStorage(in.SpaceSettings, maxSpaceVolume(d, owner, shared)); err != nil {
		return nil, err
	}
	sp.SpaceSettings = mergeSpaceSettings(sp.SpaceSettings, in.SpaceSettings)
	if in.SpaceDisplayName != nil {
		sp.DisplayName = *in.SpaceDisplayName
	}
	sp.Modified = c.Now
	sp.Failure = ""
	sp.UpdateReady = c.Now.Add(s.delay(childUpdateDelay))
	if err := putSpace(t, c.Account(), c.Region, sp); err != nil {
		return nil, err
	}
	return &UpdateSpaceOutput{SpaceArn: ptr(arn)}, nil
}

// mergeSpaceSettings applies an update's space settings: each member given replaces the stored one.
func mergeSpaceSettings(old, upd *SpaceSettings) *SpaceSettings {
	if upd == nil {
		return old
	}
	if old == nil {
		return upd
	}
	m := *old
	if upd.JupyterServerAppSettings != nil {
		m.JupyterServerAppSettings = upd.JupyterServerAppSettings
	}
	if upd.KernelGatewayAppSettings != nil {
		m.KernelGatewayAppSettings = upd.KernelGatewayAppSettings
	}
	if upd.CodeEditorAppSettings != nil {
		m.CodeEditorAppSettings = upd.CodeEditorAppSettings
	}
	if upd.JupyterLabAppSettings != nil {
		m.JupyterLabAppSettings = upd.JupyterLabAppSettings
	}
	if upd.AppType != nil {
		m.AppType = upd.AppType
	}
	if upd.SpaceStorageSettings != nil {
		m.SpaceStorageSettings = upd.SpaceStorageSettings
	}
	if upd.SpaceManagedResources != nil {
		m.SpaceManagedResources = upd.SpaceManagedResources
	}
	if upd.CustomFileSystems != nil {
		m.CustomFileSystems = upd.CustomFileSystems
	}
	if upd.RemoteAccess != nil {
		m.RemoteAccess = upd.RemoteAccess
	}
	return &m
}

func (s *Service) deleteSpace(ctx context.Context, c *api.Call, in *DeleteSpaceInput) (*DeleteSpaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	arn := spaceARN(c, in.DomainId, in.SpaceName)
	sp, err := liveSpace(t, c, in.DomainId, in.SpaceName, true)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "DeleteSpace", arn, storedSpaceKeys(c, sp)); err != nil {
		return nil, err
	}
	if sp == nil {
		return nil, errSpaceNotFound(arn)
	}
	if status, _ := sp.status(c.Now); status == "Deleting" {
		return &DeleteSpaceOutput{}, nil
	}
	apps, err := liveApps(t, c, appOwner(sp.DomainID, "", sp.Name))
	if err != nil {
		return nil, err
	}
	if len(apps) > 0 {
		// Unverified text, in the words of DeleteUserProfile's (aws/amazon-sagemaker-feedback#113).
		return nil, inUse("Unable to delete Space [%s] because App(s) are associated with it.", arn)
	}
	if sp.startDeletion(c.Now, s.delay(childDeleteDelay)) {
		err = remove(t, c.Account(), c.Region, kindSpace, spaceID(sp.DomainID, sp.Name))
	} else {
		err = putSpace(t, c.Account(), c.Region, sp)
	}
	if err != nil {
		return nil, err
	}
	return &DeleteSpaceOutput{}, nil
}

func (s *Service) listSpaces(ctx context.Context, c *api.Call, in *ListSpacesInput) (*ListSpacesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "ListSpaces", "*", nil); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	kept, next, err := pageInDomain(t, c, kindSpace, func(sp *space) (string, string, *lifecycle) { return sp.DomainID, sp.Name, &sp.lifecycle },
		deref(in.DomainIdEquals), deref(in.SpaceNameContains), in.SortBy, in.SortOrder, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListSpacesOutput{Spaces: []*SpaceDetails{}}
	for _, sp := range kept {
		status, _ := sp.status(c.Now)
		det := &SpaceDetails{
			DomainId: ptr(sp.DomainID), SpaceName: ptr(sp.Name), Status: ptr(status),
			CreationTime: timePtr(sp.Created), LastModifiedTime: timePtr(sp.Modified),
			SpaceDisplayName: nonEmpty(sp.DisplayName),
		}
		if ss := sp.SpaceSettings; ss != nil {
			det.SpaceSettingsSummary = &SpaceSettingsSummary{AppType: ss.AppType, RemoteAccess: ss.RemoteAccess, SpaceStorageSettings: ss.SpaceStorageSettings}
		}
		if sp.SpaceSharingSettings != nil {
			det.SpaceSharingSettingsSummary = &SpaceSharingSettingsSummary{SharingType: ptr(sp.SpaceSharingSettings.SharingType)}
		}
		if sp.OwnershipSettings != nil {
			det.OwnershipSettingsSummary = &OwnershipSettingsSummary{OwnerUserProfileName: ptr(sp.OwnershipSettings.OwnerUserProfileName)}
		}
		out.Spaces = append(out.Spaces, det)
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}
