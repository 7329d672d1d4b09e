package sagemaker

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Apps: what a user profile or a space runs in Studio. A running app holds a network interface in one of its
// domain's subnets, which it gives back when it is deleted.

func (s *Service) registerApps(h *api.ServiceHandlers) {
	api.Write(h, "CreateApp", s.createApp)
	api.Read(h, "DescribeApp", s.describeApp)
	api.Write(h, "DeleteApp", s.deleteApp)
	api.Read(h, "ListApps", s.listApps)
}

const (
	// appStartDelay is how long an app is Pending (Studio apps take a few minutes to start); appStopDelay how long
	// it is Deleting. Both are scaled.
	appStartDelay = 3 * time.Minute
	appStopDelay  = 2 * time.Minute
	// deletedAppRetention is how long a Deleted app stays describable and listed with Status Deleted, as AWS keeps
	// them (Terraform's provider and the console meet Deleted apps in ListApps and DescribeApp). AWS does not
	// document the period; a day is sagebox's choice. It is not scaled: it is record keeping, not a lifecycle step.
	deletedAppRetention = 24 * time.Hour
)

// visible reports whether the app still answers DescribeApp and shows in ListApps at now: until its deletion has
// ended, and as a Deleted app for deletedAppRetention after.
func (a *app) visible(now time.Time) bool {
	if _, exists := a.status(now); exists {
		return true
	}
	return now.Before(a.Gone.Add(deletedAppRetention))
}

// ownerName is the name of the app's user profile or space.
func (a *app) ownerName() string {
	if a.Space != "" {
		return a.Space
	}
	return a.Profile
}

// appRequest is what CreateApp, DescribeApp and DeleteApp name: the app by its domain, owner, type and name.
type appRequest struct {
	domainID, profile, space, appType, name string
}

func (r appRequest) owner() string {
	if r.space != "" {
		return r.space
	}
	return r.profile
}

func (r appRequest) arn(c *api.Call) string {
	return appARN(c, r.domainID, r.owner(), r.appType, r.name)
}
func (r appRequest) id() string { return appID(r.domainID, r.profile, r.space, r.appType, r.name) }

// checkOwner refuses a request of the operation that names neither a user profile nor a space, in AWS's words
// (DescribeApp: "Either UserProfileName or SpaceName must be passed for DescribeApp operation.", seen in a public
// Lambda log), or both (the API Reference: "If this value is not set, then SpaceName must be set"; that text is
// unverified).
func (r appRequest) checkOwner(operation string) error {
	switch {
	case r.profile == "" && r.space == "":
		return validation("Either UserProfileName or SpaceName must be passed for %s operation.", operation)
	case r.profile != "" && r.space != "":
		return validation("Only one of UserProfileName or SpaceName can be passed for %s operation.", operation)
	}
	return nil
}

func appNotFound(arn string) error {
	// Unverified text, in the bracketed form of SageMaker's known texts ("Unable to delete UserProfile [ARN] …").
	return notFound("App [%s] does not exist.", arn)
}

// spaceKeys adds the keys a request about a space's app supplies: the space's owner and sharing type
// (sagemaker:OwnerUserProfileArn, sagemaker:SpaceSharingType), by which AWS's Studio policies keep private spaces to
// their owners.
func spaceKeys(c *api.Call, keys map[string][]string, sp *space) map[string][]string {
	if sp == nil {
		return keys
	}
	if keys == nil {
		keys = map[string][]string{}
	}
	if sp.OwnershipSettings != nil && sp.OwnershipSettings.OwnerUserProfileName != "" {
		keys["sagemaker:OwnerUserProfileArn"] = []string{profileARN(c, sp.DomainID, sp.OwnershipSettings.OwnerUserProfileName)}
	}
	if sp.SpaceSharingSettings != nil && sp.SpaceSharingSettings.SharingType != "" {
		keys["sagemaker:SpaceSharingType"] = []string{sp.SpaceSharingSettings.SharingType}
	}
	return keys
}

// readSpace reads the space a request names, when it names one (nil otherwise or when there is none).
func readSpace(t store.Tx, c *api.Call, r appRequest) (*space, error) {
	if r.space == "" || r.profile != "" {
		return nil, nil
	}
	sp, _, err := get[space](t, c.Account(), c.Region, kindSpace, spaceID(r.domainID, r.space))
	return sp, err
}

// createKeys are CreateApp's condition keys: what the request's ResourceSpec names (sagemaker:InstanceTypes,
// sagemaker:ImageArns, sagemaker:ImageVersionArns, sagemaker:StudioLifecycleConfigArns), the tags it sets, and the
// space's owner and sharing type. Only what the request says: the keys describe the request, and defaults an
// administrator set are the administrator's.
func createKeys(c *api.Call, in *CreateAppInput, sp *space) map[string][]string {
	keys := map[string][]string{}
	if rs := in.ResourceSpec; rs != nil {
		if v := deref(rs.InstanceType); v != "" {
			keys["sagemaker:InstanceTypes"] = []string{v}
		}
		if v := deref(rs.SageMakerImageArn); v != "" {
			keys["sagemaker:ImageArns"] = []string{v}
		}
		if v := deref(rs.SageMakerImageVersionArn); v != "" {
			keys["sagemaker:ImageVersionArns"] = []string{v}
		}
		if v := deref(rs.LifecycleConfigArn); v != "" {
			keys["sagemaker:StudioLifecycleConfigArns"] = []string{v}
		}
	}
	keys = requestTagKeys(keys, in.Tags)
	return spaceKeys(c, keys, sp)
}

// Which owners run which app types. Since Studio's 2023 release JupyterLab and CodeEditor apps run in spaces only;
// JupyterServer and KernelGateway (Studio Classic) run for a user profile or in a shared space; the others (Canvas,
// RStudio, TensorBoard, the profiler) belong to a user profile.
var (
	spaceAppTypes   = []string{"JupyterServer", "KernelGateway", "JupyterLab", "CodeEditor"}
	profileAppTypes = []string{"JupyterServer", "KernelGateway", "DetailedProfiler", "TensorBoard", "RStudioServerPro", "RSessionGateway", "Canvas"}
)

func (s *Service) createApp(ctx context.Context, c *api.Call, in *CreateAppInput) (*CreateAppOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	r := appRequest{domainID: in.DomainId, profile: deref(in.UserProfileName), space: deref(in.SpaceName), appType: in.AppType, name: in.AppName}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	sp, err := readSpace(t, c, r)
	if err != nil {
		return nil, err
	}
	arn := r.arn(c)
	if err := authorize(ctx, c, "CreateApp", arn, createKeys(c, in, sp)); err != nil {
		return nil, err
	}
	if err := authorizeCreateTags(ctx, c, arn, "CreateApp", in.Tags); err != nil {
		return nil, err
	}
	if err := r.checkOwner("CreateApp"); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	account, region, now := c.Account(), c.Region, c.Now
	d, _, err := get[domain](t, account, region, kindDomain, r.domainID)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, domainNotFound(r.domainID)
	}
	if st, exists := d.status(now); !exists {
		return nil, domainNotFound(r.domainID)
	} else if st != "InService" {
		return nil, validation("Domain [%s] is in status %s. Apps can only be created in an InService domain.", r.domainID, st) // unverified text
	}
	o, err := s.appOwner(t, c, d, r, sp)
	if err != nil {
		return nil, err
	}
	if r.appType == "JupyterServer" && r.name != "default" {
		// Studio Classic opens the JupyterServer app named "default"; unverified text.
		return nil, validation("The JupyterServer app must be named 'default'.")
	}
	spec, err := resolveSpec(r.appType, in.ResourceSpec, o.defaults...)
	if err != nil {
		return nil, err
	}

	// An app of the same owner, type and name that is not Deleted or Failed is in the way; a Deleted or Failed one
	// is replaced.
	old, _, err := get[app](t, account, region, kindApp, r.id())
	if err != nil {
		return nil, err
	}
	if old != nil {
		if st, _ := old.status(now); st != "Deleted" && st != "Failed" {
			return nil, inUse("App [%s] already exists.", arn) // unverified text
		}
	}
	if r.space != "" {
		// A space runs one app at a time (Developer Guide, "Amazon SageMaker Studio spaces").
		others, err := find[app](t, account, region, kindApp, indexOwner, appOwner(r.domainID, "", r.space))
		if err != nil {
			return nil, err
		}
		for _, other := range others {
			if st, exists := other.status(now); exists && st != "Failed" && appID(other.DomainID, other.Profile, other.Space, other.Type, other.Name) != r.id() {
				return nil, inUse("Space [%s] already has an app [%s]. A space can only run one app at a time.",
					spaceARN(c, r.domainID, r.space), appARN(c, other.DomainID, other.ownerName(), other.Type, other.Name)) // unverified text
			}
		}
	}

	a := &app{DomainID: d.ID, Type: r.appType, Name: r.name, ResourceSpec: spec}
	if r.space != "" {
		a.Space = o.name
	} else {
		a.Profile = o.name
	}
	// With the domain's TagPropagation ENABLED, the domain's and the owner's custom tags go on the app, under the
	// tags the request sets (Developer Guide, "Custom tag propagation": tags propagate to resources created after).
	var tags []tag
	if d.TagPropagation == "ENABLED" {
		tags = mergeTags(tags, apiTags(d.Tags))
		tags = mergeTags(tags, apiTags(o.tags))
	}
	a.Tags = mergeTags(tags, in.Tags)
	if err := checkTagCount(a.Tags); err != nil {
		return nil, err
	}
	a.lifecycle = lifecycle{Created: now, Ready: now.Add(s.delay(appStartDelay)), Modified: now}
	if err := s.attachApp(t, c, d, a, o.groups); err != nil {
		return nil, err
	}
	if err := putApp(t, account, region, a); err != nil {
		return nil, err
	}
	return &CreateAppOutput{AppArn: ptr(arn)}, nil
}

// owner is what CreateApp needs of an app's user profile or space.
type owner struct {
	// name is the owner's name as it was created.
	name string
	tags []tag
	// defaults are the ResourceSpecs an app of the type takes what the request leaves out from, nearest first.
	defaults []*ResourceSpec
	// groups are the security groups the app's network interface gets.
	groups []string
}

// appOwner checks the user profile or space an app is for: it exists, is InService, and runs apps of the type.
func (s *Service) appOwner(t store.Tx, c *api.Call, d *domain, r appRequest, sp *space) (*owner, error) {
	now := c.Now
	if r.profile != "" {
		arn := profileARN(c, d.ID, r.profile)
		p, _, err := get[profile](t, c.Account(), c.Region, kindProfile, profileID(d.ID, r.profile))
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errProfileNotFound(arn)
		}
		st, exists := p.status(now)
		if !exists {
			return nil, errProfileNotFound(arn)
		}
		if st != "InService" {
			return nil, validation("UserProfile [%s] is in status %s. Apps can only be created for an InService UserProfile.", arn, st) // unverified text
		}
		if !slices.Contains(profileAppTypes, r.appType) {
			return nil, validation("App type %s is not supported for a UserProfile. %s apps run in a space.", r.appType, r.appType) // unverified text
		}
		o := &owner{name: p.Name, tags: p.Tags}
		o.defaults = append(o.defaults, userDefaultSpec(r.appType, p.UserSettings), userDefaultSpec(r.appType, d.DefaultUserSettings))
		// AWS aggregates the domain's and the profile's security groups ("SecurityGroups is aggregated when
		// specified in both calls", CreateDomain).
		if d.DefaultUserSettings != nil {
			o.groups = append(o.groups, d.DefaultUserSettings.SecurityGroups...)
		}
		if p.UserSettings != nil {
			o.groups = append(o.groups, p.UserSettings.SecurityGroups...)
		}
		return o, nil
	}
	arn := spaceARN(c, d.ID, r.space)
	if sp == nil {
		return nil, notFound("Space [%s] does not exist.", arn) // unverified text
	}
	st, exists := sp.status(now)
	if !exists {
		return nil, notFound("Space [%s] does not exist.", arn)
	}
	if st != "InService" {
		return nil, validation("Space [%s] is in status %s. Apps can only be created in an InService Space.", arn, st) // unverified text
	}
	if !slices.Contains(spaceAppTypes, r.appType) {
		return nil, validation("App type %s is not supported for a Space.", r.appType) // unverified text
	}
	if sp.SpaceSettings != nil {
		if want := deref(sp.SpaceSettings.AppType); want != "" && want != r.appType {
			return nil, validation("App type %s does not match the Space's app type %s.", r.appType, want) // unverified text
		}
	}
	o := &owner{name: sp.Name, tags: sp.Tags}
	o.defaults = append(o.defaults, spaceDefaultSpec(r.appType, sp.SpaceSettings), defaultSpaceSpec(r.appType, d.DefaultSpaceSettings))
	switch {
	case d.DefaultSpaceSettings != nil && len(d.DefaultSpaceSettings.SecurityGroups) > 0:
		o.groups = append(o.groups, d.DefaultSpaceSettings.SecurityGroups...)
	case d.DefaultUserSettings != nil:
		o.groups = append(o.groups, d.DefaultUserSettings.SecurityGroups...)
	}
	return o, nil
}

func userDefaultSpec(appType string, us *UserSettings) *ResourceSpec {
	if us == nil {
		return nil
	}
	switch appType {
	case "JupyterServer":
		if us.JupyterServerAppSettings != nil {
			return us.JupyterServerAppSettings.DefaultResourceSpec
		}
	case "KernelGateway":
		if us.KernelGatewayAppSettings != nil {
			return us.KernelGatewayAppSettings.DefaultResourceSpec
		}
	case "TensorBoard":
		if us.TensorBoardAppSettings != nil {
			return us.TensorBoardAppSettings.DefaultResourceSpec
		}
	case "RSessionGateway":
		if us.RSessionAppSettings != nil {
			return us.RSessionAppSettings.DefaultResourceSpec
		}
	case "JupyterLab":
		if us.JupyterLabAppSettings != nil {
			return us.JupyterLabAppSettings.DefaultResourceSpec
		}
	case "CodeEditor":
		if us.CodeEditorAppSettings != nil {
			return us.CodeEditorAppSettings.DefaultResourceSpec
		}
	}
	return nil
}

func spaceDefaultSpec(appType string, ss *SpaceSettings) *ResourceSpec {
	if ss == nil {
		return nil
	}
	switch appType {
	case "JupyterServer":
		if ss.JupyterServerAppSettings != nil {
			return ss.JupyterServerAppSettings.DefaultResourceSpec
		}
	case "KernelGateway":
		if ss.KernelGatewayAppSettings != nil {
			return ss.KernelGatewayAppSettings.DefaultResourceSpec
		}
	case "JupyterLab":
		if ss.JupyterLabAppSettings != nil {
			return ss.JupyterLabAppSettings.DefaultResourceSpec
		}
	case "CodeEditor":
		if ss.CodeEditorAppSettings != nil {
			return ss.CodeEditorAppSettings.DefaultResourceSpec
		}
	}
	return nil
}

func defaultSpaceSpec(appType string, ds *DefaultSpaceSettings) *ResourceSpec {
	if ds == nil {
		return nil
	}
	switch appType {
	case "JupyterServer":
		if ds.JupyterServerAppSettings != nil {
			return ds.JupyterServerAppSettings.DefaultResourceSpec
		}
	case "KernelGateway":
		if ds.KernelGatewayAppSettings != nil {
			return ds.KernelGatewayAppSettings.DefaultResourceSpec
		}
	case "JupyterLab":
		if ds.JupyterLabAppSettings != nil {
			return ds.JupyterLabAppSettings.DefaultResourceSpec
		}
	}
	return nil
}

// fallbackInstanceType is the instance type an app runs on when neither the request nor any default names one.
// JupyterServer runs on "system"; the compute apps on ml.t3.medium, which the API Reference names as what "system"
// means for KernelGateway. Other app types have none.
func fallbackInstanceType(appType string) string {
	switch appType {
	case "JupyterServer":
		return "system"
	case "KernelGateway", "JupyterLab", "CodeEditor", "RSessionGateway":
		return "ml.t3.medium"
	}
	return ""
}

// resolveSpec is the ResourceSpec an app runs with: the request's, each member it leaves out taken from the
// nearest default that has it, and the instance type checked by the API Reference's ResourceSpec rules:
// "JupyterServer apps only support the system value. For KernelGateway apps, the system value is translated to
// ml.t3.medium." The apps of spaces (JupyterLab, CodeEditor) and RSessionGateway run on a real instance.
func resolveSpec(appType string, req *ResourceSpec, defaults ...*ResourceSpec) (*ResourceSpec, error) {
	spec := &ResourceSpec{}
	for _, src := range append([]*ResourceSpec{req}, defaults...) {
		if src == nil {
			continue
		}
		fill(&spec.InstanceType, src.InstanceType)
		fill(&spec.SageMakerImageArn, src.SageMakerImageArn)
		fill(&spec.SageMakerImageVersionArn, src.SageMakerImageVersionArn)
		fill(&spec.SageMakerImageVersionAlias, src.SageMakerImageVersionAlias)
		fill(&spec.LifecycleConfigArn, src.LifecycleConfigArn)
		fill(&spec.TrainingPlanArn, src.TrainingPlanArn)
	}
	if spec.InstanceType == nil {
		if v := fallbackInstanceType(appType); v != "" {
			spec.InstanceType = ptr(v)
		}
	}
	it := deref(spec.InstanceType)
	switch appType {
	case "JupyterServer":
		if it != "system" {
			// The text AWS answers CreateDomain and CreateUserProfile (hashicorp/terraform-provider-aws#20470).
			return nil, validation("Invalid instance type '%s' for JupyterServer App. Only 'system' instance type is supported", it)
		}
	case "KernelGateway":
		if it == "system" {
			spec.InstanceType = ptr("ml.t3.medium")
		}
	case "JupyterLab", "CodeEditor", "RSessionGateway":
		if it == "system" {
			return nil, validation("Invalid instance type 'system' for %s App. The 'system' instance type is only supported for JupyterServer App", appType) // unverified text
		}
	}
	return spec, nil
}

func fill(dst **string, src *string) {
	if *dst == nil && src != nil && *src != "" {
		*dst = ptr(*src)
	}
}

// appInterfaceDescription is how SageMaker describes the network interface of a Studio app in the customer's VPC:
// "[DO NOT DELETE] ENI managed by SageMaker for Studio Domain(d-…) - " and 32 hex digits, as seen on AWS accounts.
func (s *Service) appInterfaceDescription(domainID string) string {
	return "[DO NOT DELETE] ENI managed by SageMaker for Studio Domain(" + domainID + ") - " + s.ids.Hex(32)
}

// attachApp gives a new app its network interface in the domain's subnet with the most free addresses. When no
// subnet of the domain has a free address the app fails (Status Failed with a FailureReason) rather than the call:
// CreateApp only starts the app, and AWS reports launch failures on the app. Other EC2 errors fail the call.
func (s *Service) attachApp(t store.Tx, c *api.Call, d *domain, a *app, groups []string) error {
	if s.network == nil || len(d.SubnetIDs) == 0 {
		return nil
	}
	var best *Subnet
	for _, id := range d.SubnetIDs {
		sn, err := s.network.Subnet(t, c.Account(), c.Region, id)
		if err != nil {
			return err
		}
		if sn != nil && (best == nil || sn.AvailableAddresses > best.AvailableAddresses) {
			best = sn
		}
	}
	if best == nil || best.AvailableAddresses <= 0 {
		a.Failure = "The subnets [" + strings.Join(d.SubnetIDs, ", ") + "] of the domain have no free IP addresses for the app." // unverified text
		return nil
	}
	// SageMaker adds the domain's outbound NFS group (for the home EFS) to the app's own groups, first so that the
	// five-group cap of an interface never drops it.
	var gs []string
	if len(d.NFSGroups) > 1 {
		gs = append(gs, d.NFSGroups[1])
	}
	for _, g := range groups {
		if !slices.Contains(gs, g) {
			gs = append(gs, g)
		}
	}
	if len(gs) > 5 {
		gs = gs[:5]
	}
	id, _, err := s.network.CreateInterface(t, c.Account(), c.Region, Interface{
		SubnetID: best.ID, GroupIDs: gs, Description: s.appInterfaceDescription(d.ID), RequesterID: "sagemaker.amazonaws.com",
	})
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code == "InsufficientFreeAddressesInSubnet" {
		a.Failure = ae.Message
		return nil
	}
	if err != nil {
		return err
	}
	a.InterfaceID = id
	return nil
}

// detachApp gives the app's network interface back; one that is already gone is no matter.
func (s *Service) detachApp(t store.Tx, c *api.Call, a *app) error {
	if s.network == nil || a.InterfaceID == "" {
		return nil
	}
	err := s.network.DeleteInterface(t, c.Account(), c.Region, a.InterfaceID)
	var ae *awserr.Error
	if err != nil && !(errors.As(err, &ae) && strings.HasSuffix(ae.Code, ".NotFound")) {
		return err
	}
	a.InterfaceID = ""
	return nil
}

func (s *Service) describeApp(ctx context.Context, c *api.Call, in *DescribeAppInput) (*DescribeAppOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	r := appRequest{domainID: in.DomainId, profile: deref(in.UserProfileName), space: deref(in.SpaceName), appType: in.AppType, name: in.AppName}
	arn := r.arn(c)
	if err := authorize(ctx, c, "DescribeApp", arn, nil); err != nil {
		return nil, err
	}
	if err := r.checkOwner("DescribeApp"); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	a, _, err := get[app](t, c.Account(), c.Region, kindApp, r.id())
	if err != nil {
		return nil, err
	}
	if a == nil || !a.visible(c.Now) {
		return nil, appNotFound(arn)
	}
	st, _ := a.status(c.Now)
	out := &DescribeAppOutput{
		AppArn: ptr(appARN(c, a.DomainID, a.ownerName(), a.Type, a.Name)), AppType: ptr(a.Type), AppName: ptr(a.Name),
		DomainId: ptr(a.DomainID), Status: ptr(st), CreationTime: timePtr(a.Created), ResourceSpec: a.ResourceSpec,
		LastUserActivityTimestamp: timePtr(a.Created),
	}
	if a.Space != "" {
		out.SpaceName = ptr(a.Space)
	} else {
		out.UserProfileName = ptr(a.Profile)
	}
	if a.Failure != "" {
		out.FailureReason = ptr(a.Failure)
	}
	if st == "InService" {
		// Studio checks a running app's health every few minutes; the last check is the last whole minute.
		out.LastHealthCheckTimestamp = ptr(maxTime(a.Ready, c.Now.Truncate(time.Minute)))
	}
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *Service) deleteApp(ctx context.Context, c *api.Call, in *DeleteAppInput) (*DeleteAppOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	r := appRequest{domainID: in.DomainId, profile: deref(in.UserProfileName), space: deref(in.SpaceName), appType: in.AppType, name: in.AppName}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	sp, err := readSpace(t, c, r)
	if err != nil {
		return nil, err
	}
	arn := r.arn(c)
	if err := authorize(ctx, c, "DeleteApp", arn, spaceKeys(c, nil, sp)); err != nil {
		return nil, err
	}
	if err := r.checkOwner("DeleteApp"); err != nil {
		return nil, err
	}
	account, region, now := c.Account(), c.Region, c.Now
	a, _, err := get[app](t, account, region, kindApp, r.id())
	if err != nil {
		return nil, err
	}
	if a != nil && !a.visible(now) {
		if err := remove(t, account, region, kindApp, r.id()); err != nil {
			return nil, err
		}
		a = nil
	}
	if a == nil {
		return nil, appNotFound(arn)
	}
	switch st, _ := a.status(now); st {
	case "Deleted":
		return nil, appNotFound(arn)
	case "Deleting":
		return nil, inUse("App [%s] is already being deleted.", arn) // unverified text
	}
	if err := s.detachApp(t, c, a); err != nil {
		return nil, err
	}
	a.startDeletion(now, s.delay(appStopDelay))
	a.Modified = now
	if err := putApp(t, account, region, a); err != nil {
		return nil, err
	}
	return &DeleteAppOutput{}, nil
}

func (s *Service) listApps(ctx context.Context, c *api.Call, in *ListAppsInput) (*ListAppsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "ListApps", "*", nil); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	var all []*app
	if dom := deref(in.DomainIdEquals); dom != "" {
		all, err = find[app](t, c.Account(), c.Region, kindApp, indexDomain, dom)
	} else {
		all, err = list[app](t, c.Account(), c.Region, kindApp)
	}
	if err != nil {
		return nil, err
	}
	profileEq, spaceEq := deref(in.UserProfileNameEquals), deref(in.SpaceNameEquals)
	var apps []*app
	var items []listed
	for _, a := range all {
		if !a.visible(c.Now) ||
			(profileEq != "" && !strings.EqualFold(a.Profile, profileEq)) ||
			(spaceEq != "" && !strings.EqualFold(a.Space, spaceEq)) {
			continue
		}
		apps = append(apps, a)
		items = append(items, listed{name: a.Name, created: a.Created, id: appID(a.DomainID, a.Profile, a.Space, a.Type, a.Name)})
	}
	page, next, err := pageOf(items, deref(in.SortBy), deref(in.SortOrder), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListAppsOutput{Apps: []*AppDetails{}}
	for _, i := range page {
		a := apps[i]
		st, _ := a.status(c.Now)
		det := &AppDetails{DomainId: ptr(a.DomainID), AppType: ptr(a.Type), AppName: ptr(a.Name), Status: ptr(st),
			CreationTime: timePtr(a.Created), ResourceSpec: a.ResourceSpec}
		if a.Space != "" {
			det.SpaceName = ptr(a.Space)
		} else {
			det.UserProfileName = ptr(a.Profile)
		}
		out.Apps = append(out.Apps, det)
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}
