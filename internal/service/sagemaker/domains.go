package sagemaker

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Studio domains: Create/Describe/Update/Delete/ListDomains.
//
// What is checked when: the request's own consistency (roles named, security groups counted, VpcOnly with groups),
// the caller's iam:PassRole and SageMaker's trust in the roles, and the account's domain quota are answered by the
// call, as AWS answers them. The network the domain names — the VPC, its subnets, their free addresses, the
// security groups — is checked as AWS checks it: while the domain is being made, after the call has returned, so
// that a domain whose network does not hold together lands in Failed with a FailureReason (AWS answers a domain in a
// VPC that does not exist so: terraform-provider-aws#29078 shows the state 'Failed' and the reason). sagebox decides
// it in the call and records the failure at once; nothing is made in the network of a failed domain.

// Lifecycle delays, before scaling. AWS takes a few minutes to make a domain (its EFS and mount targets).
const (
	domainCreateDelay = 3 * time.Minute
	domainUpdateDelay = time.Minute
	domainDeleteDelay = 2 * time.Minute
)

// domainQuota is the account's default quota of domains in a region ("Total domains"). AWS answered 1 when an
// account could have one domain (aws/amazon-sagemaker-examples#1564, 2020); accounts may now have several, and the
// default value of today's quota is not documented where sagebox could read it (unverified: 20).
const domainQuota = 20

// firstUID is the HomeEfsFileSystemUid of a domain's first user profile or space: AWS numbers them from 200001
// (unverified beyond examples of DescribeUserProfile output).
const firstUID = 200001

func (s *Service) registerDomains(h *api.ServiceHandlers) {
	api.Write(h, "CreateDomain", s.createDomain)
	api.Read(h, "DescribeDomain", s.describeDomain)
	api.Write(h, "UpdateDomain", s.updateDomain)
	api.Write(h, "DeleteDomain", s.deleteDomain)
	api.Read(h, "ListDomains", s.listDomains)
}

// domainURL is the domain's Url as AWS gives it. sagebox gives the same: clients and tools read the domain id and
// region out of it; the Studio page itself is opened through a presigned URL (CreatePresignedDomainUrl).
func domainURL(region, id string) string {
	return "https://" + id + ".studio." + region + ".sagemaker.aws"
}

// domainNotFound is SageMaker's answer for a domain that does not exist (text unverified).
func domainNotFound(id string) error {
	return notFound("Cannot find Domain with id %s", id)
}

// loadDomain reads a domain that exists (whatever its status but gone); nil when there is none. A domain whose
// deletion has ended is removed when a write meets it.
func loadDomain(t store.Tx, c *api.Call, id string, writes bool) (*domain, error) {
	d, _, err := get[domain](t, c.Account(), c.Region, kindDomain, id)
	if err != nil || d == nil {
		return nil, err
	}
	if _, exists := d.status(c.Now); !exists {
		if writes {
			if err := remove(t, c.Account(), c.Region, kindDomain, id); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	return d, nil
}

// domainKeys are the condition keys a domain's settings supply (CreateDomain and UpdateDomain).
func domainKeys(subnets []string, accessType string, users *UserSettings, groups []string, spaces *DefaultSpaceSettings) map[string][]string {
	keys := map[string][]string{}
	if len(subnets) > 0 {
		keys["sagemaker:VpcSubnets"] = subnets
	}
	var sgs []string
	if users != nil {
		sgs = append(sgs, users.SecurityGroups...)
	}
	sgs = append(sgs, groups...)
	if spaces != nil {
		sgs = append(sgs, spaces.SecurityGroups...)
	}
	if sgs = uniq(sgs); len(sgs) > 0 {
		keys["sagemaker:VpcSecurityGroupIds"] = sgs
	}
	if accessType != "" {
		keys["sagemaker:AppNetworkAccessType"] = []string{accessType}
	}
	var specs []*ResourceSpec
	var lifecycles []string
	if u := users; u != nil {
		if u.SharingSettings != nil && deref(u.SharingSettings.S3KmsKeyId) != "" {
			keys["sagemaker:DomainSharingOutputKmsKeyArn"] = []string{*u.SharingSettings.S3KmsKeyId}
		}
		if a := u.JupyterServerAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
		if a := u.KernelGatewayAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
		if a := u.TensorBoardAppSettings; a != nil {
			specs = append(specs, a.DefaultResourceSpec)
		}
		if a := u.RSessionAppSettings; a != nil {
			specs = append(specs, a.DefaultResourceSpec)
		}
		if a := u.JupyterLabAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
		if a := u.CodeEditorAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
	}
	if sp := spaces; sp != nil {
		if a := sp.JupyterServerAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
		if a := sp.KernelGatewayAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
		if a := sp.JupyterLabAppSettings; a != nil {
			specs, lifecycles = append(specs, a.DefaultResourceSpec), append(lifecycles, a.LifecycleConfigArns...)
		}
	}
	var instances, images, versions []string
	for _, r := range specs {
		if r == nil {
			continue
		}
		if v := deref(r.InstanceType); v != "" {
			instances = append(instances, v)
		}
		if v := deref(r.SageMakerImageArn); v != "" {
			images = append(images, v)
		}
		if v := deref(r.SageMakerImageVersionArn); v != "" {
			versions = append(versions, v)
		}
		if v := deref(r.LifecycleConfigArn); v != "" {
			lifecycles = append(lifecycles, v)
		}
	}
	for k, v := range map[string][]string{
		"sagemaker:InstanceTypes": instances, "sagemaker:ImageArns": images, "sagemaker:ImageVersionArns": versions,
		"sagemaker:StudioLifecycleConfigArns": lifecycles,
	} {
		if v = uniq(v); len(v) > 0 {
			keys[k] = v
		}
	}
	return keys
}

// uniq returns the distinct non-empty values of vs in their first order.
func uniq(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// domainRoles are the execution roles a domain's settings hand to SageMaker.
func domainRoles(users *UserSettings, spaces *DefaultSpaceSettings) []string {
	var roles []string
	if users != nil {
		roles = append(roles, deref(users.ExecutionRole))
	}
	if spaces != nil {
		roles = append(roles, deref(spaces.ExecutionRole))
	}
	return uniq(roles)
}

// checkRoles asks, for each role, whether the caller may pass it to SageMaker (iam:PassRole, AccessDeniedException
// naming it) and then whether SageMaker may assume it (ValidationException with AWS's text).
func (s *Service) checkRoles(ctx context.Context, c *api.Call, t store.Tx, roles []string) error {
	for _, r := range roles {
		if err := passRole(ctx, c, r); err != nil {
			return err
		}
	}
	for _, r := range roles {
		if err := s.roles.CanAssume(ctx, t, c.Region, r); err != nil {
			var ae *awserr.Error
			if errors.As(err, &ae) && ae.Kind == awserr.KindInternal {
				return err
			}
			return cannotAssume(r)
		}
	}
	return nil
}

// cannotAssume is AWS's answer for an execution role SageMaker may not assume (AWS-FACTS: the text AWS answers, seen
// in public reports).
func cannotAssume(role string) error {
	return validation("Could not assume role %s. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.", role)
}

// maxUserGroups is how many security groups a domain's (or profile's) settings may name: the model allows 5, and
// SageMaker adds its own NFS group to each app, so one less (the API Reference of UserSettings.SecurityGroups).
const maxUserGroups = 4

// checkSettings checks what CreateDomain and UpdateDomain check of the settings themselves, before any role or
// network is looked at.
func checkSettings(accessType string, users *UserSettings, spaces *DefaultSpaceSettings) error {
	if users != nil && len(uniq(users.SecurityGroups)) > maxUserGroups {
		// Text unverified; the limit is the API Reference's ("one less than the maximum number shown").
		return validation("The number of security groups in DefaultUserSettings.SecurityGroups must be at most %d: Amazon SageMaker adds a security group to allow NFS traffic from Studio.", maxUserGroups)
	}
	if spaces != nil && len(uniq(spaces.SecurityGroups)) > maxUserGroups {
		return validation("The number of security groups in DefaultSpaceSettings.SecurityGroups must be at most %d: Amazon SageMaker adds a security group to allow NFS traffic from Studio.", maxUserGroups)
	}
	if accessType == "VpcOnly" && (users == nil || len(users.SecurityGroups) == 0) {
		// UserSettings.SecurityGroups: "Required when the CreateDomain.AppNetworkAccessType parameter is set to
		// VpcOnly" (API Reference); the text is unverified.
		return validation("Security groups are required in DefaultUserSettings when AppNetworkAccessType is VpcOnly.")
	}
	return nil
}

func (s *Service) createDomain(ctx context.Context, c *api.Call, in *CreateDomainInput) (*CreateDomainOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	id := "d-" + s.ids.Alnum(12)
	arn := domainARN(c, id)
	accessType := deref(in.AppNetworkAccessType)
	if accessType == "" {
		accessType = "PublicInternetOnly"
	}
	var boundaryGroups []string
	if in.DomainSettings != nil {
		boundaryGroups = in.DomainSettings.SecurityGroupIds
	}
	keys := domainKeys(in.SubnetIds, accessType, in.DefaultUserSettings, boundaryGroups, in.DefaultSpaceSettings)
	keys["sagemaker:AuthMode"] = []string{in.AuthMode}
	if k := deref(in.KmsKeyId); k != "" {
		keys["sagemaker:VolumeKmsKeyArn"] = []string{k}
	} else if k := deref(in.HomeEfsFileSystemKmsKeyId); k != "" {
		keys["sagemaker:VolumeKmsKeyArn"] = []string{k}
	}
	keys = requestTagKeys(keys, in.Tags)
	if err := authorize(ctx, c, "CreateDomain", arn, keys); err != nil {
		return nil, err
	}
	if err := authorizeCreateTags(ctx, c, arn, "CreateDomain", in.Tags); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if deref(in.VpcId) == "" || len(in.SubnetIds) == 0 {
		// The model leaves them optional for SageMaker Unified Studio's domains; a Studio domain needs both.
		// Text unverified (AWS answers UpdateDomain "VpcId and Subnet IDs are required for updating domains to
		// VpcOnly mode.", terraform-provider-aws#45530).
		return nil, validation("VpcId and Subnet IDs are required for creating domains.")
	}
	if in.DefaultUserSettings == nil || deref(in.DefaultUserSettings.ExecutionRole) == "" {
		return nil, validation("ExecutionRole is required in DefaultUserSettings.") // text unverified
	}
	if err := checkSettings(accessType, in.DefaultUserSettings, in.DefaultSpaceSettings); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := s.checkRoles(ctx, c, t, domainRoles(in.DefaultUserSettings, in.DefaultSpaceSettings)); err != nil {
		return nil, err
	}
	existing, err := s.liveDomains(t, c)
	if err != nil {
		return nil, err
	}
	if len(existing) >= domainQuota {
		// AWS's text (aws/amazon-sagemaker-examples#1564).
		return nil, limitExceeded("The account-level service limit 'Total domains' is %d Domains, with current utilization of %d Domains and a request delta of 1 Domains. Please contact AWS support to request an increase for this limit.", domainQuota, len(existing))
	}
	now := c.Now
	d := &domain{
		ID: id, Name: in.DomainName, Tags: storedTags(in.Tags),
		lifecycle:                  lifecycle{Created: now, Ready: now.Add(s.delay(domainCreateDelay)), Modified: now},
		AuthMode:                   in.AuthMode,
		VPCID:                      deref(in.VpcId),
		SubnetIDs:                  uniq(in.SubnetIds),
		AppNetworkAccessType:       accessType,
		AppSecurityGroupManagement: deref(in.AppSecurityGroupManagement),
		TagPropagation:             deref(in.TagPropagation),
		DefaultUserSettings:        in.DefaultUserSettings,
		DomainSettings:             in.DomainSettings,
		DefaultSpaceSettings:       in.DefaultSpaceSettings,
		KmsKeyID:                   deref(in.KmsKeyId),
		HomeEfsFileSystemID:        s.ids.EC2("fs"),
		NextUID:                    firstUID,
	}
	if d.KmsKeyID == "" {
		d.KmsKeyID = deref(in.HomeEfsFileSystemKmsKeyId)
	}
	if d.TagPropagation == "" {
		d.TagPropagation = "DISABLED"
	}
	if d.AuthMode == "SSO" {
		// AWS makes an IAM Identity Center application for an SSO domain; sagebox has no Identity Center, and names
		// one in the formats AWS shows (unverified: ins-… and an sso application ARN).
		d.SingleSignOnManagedApplicationInstanceID = "ins-" + s.ids.Hex(16)
		d.SingleSignOnApplicationArn = "arn:aws:sso::" + c.Account() + ":application/ssoins-" + s.ids.Hex(16) + "/apl-" + s.ids.Hex(16)
	}
	reason, err := s.checkDomainNetwork(t, c, d.VPCID, d.SubnetIDs, domainGroups(d))
	if err != nil {
		return nil, err
	}
	if reason == "" {
		reason, err = s.makeDomainNetwork(t, c, d)
		if err != nil {
			return nil, err
		}
	}
	d.Failure = reason
	if err := putDomain(t, c.Account(), c.Region, d); err != nil {
		return nil, err
	}
	return &CreateDomainOutput{DomainArn: ptr(arn), DomainId: ptr(id), Url: ptr(domainURL(c.Region, id))}, nil
}

// liveDomains returns the region's domains that still exist (failed ones count against the quota, as in AWS).
func (s *Service) liveDomains(t store.Tx, c *api.Call) ([]*domain, error) {
	all, err := list[domain](t, c.Account(), c.Region, kindDomain)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, d := range all {
		if _, ok := d.status(c.Now); ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// domainGroups are the security groups a domain's settings name.
func domainGroups(d *domain) []string {
	var gs []string
	if d.DefaultUserSettings != nil {
		gs = append(gs, d.DefaultUserSettings.SecurityGroups...)
	}
	if d.DomainSettings != nil {
		gs = append(gs, d.DomainSettings.SecurityGroupIds...)
	}
	if d.DefaultSpaceSettings != nil {
		gs = append(gs, d.DefaultSpaceSettings.SecurityGroups...)
	}
	return uniq(gs)
}

func (s *Service) describeDomain(ctx context.Context, c *api.Call, in *DescribeDomainInput) (*DescribeDomainOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	d, err := loadDomain(t, c, in.DomainId, false)
	if err != nil {
		return nil, err
	}
	var keys map[string][]string
	if d != nil {
		keys = resourceTagKeys(nil, d.Tags)
	}
	if err := authorize(ctx, c, "DescribeDomain", domainARN(c, in.DomainId), keys); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, domainNotFound(in.DomainId)
	}
	status, _ := d.status(c.Now)
	out := &DescribeDomainOutput{
		DomainArn:                  ptr(domainARN(c, d.ID)),
		DomainId:                   ptr(d.ID),
		DomainName:                 ptr(d.Name),
		HomeEfsFileSystemId:        ptr(d.HomeEfsFileSystemID),
		Status:                     ptr(status),
		CreationTime:               timePtr(d.Created),
		LastModifiedTime:           timePtr(d.Modified),
		AuthMode:                   ptr(d.AuthMode),
		DefaultUserSettings:        d.DefaultUserSettings,
		DomainSettings:             d.DomainSettings,
		AppNetworkAccessType:       ptr(d.AppNetworkAccessType),
		SubnetIds:                  d.SubnetIDs,
		Url:                        ptr(domainURL(c.Region, d.ID)),
		VpcId:                      ptr(d.VPCID),
		DefaultSpaceSettings:       d.DefaultSpaceSettings,
		TagPropagation:             ptr(d.TagPropagation),
		AppSecurityGroupManagement: optional(d.AppSecurityGroupManagement),
		KmsKeyId:                   optional(d.KmsKeyID),
		// The deprecated member AWS still shows beside KmsKeyId ("Use KmsKeyId").
		HomeEfsFileSystemKmsKeyId: optional(d.KmsKeyID),
		FailureReason:             optional(d.Failure),
		// Shown by AWS for domains with RStudio, which sagebox does not run: empty otherwise.
		SecurityGroupIdForDomainBoundary: optional(d.SecurityGroupIDForDomainBoundary),
	}
	if d.AuthMode == "SSO" {
		out.SingleSignOnApplicationArn = optional(d.SingleSignOnApplicationArn)
		out.SingleSignOnManagedApplicationInstanceId = optional(d.SingleSignOnManagedApplicationInstanceID)
	}
	return out, nil
}

// optional is a string member an output leaves out when empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Service) listDomains(ctx context.Context, c *api.Call, in *ListDomainsInput) (*ListDomainsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "ListDomains", "*", nil); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	ds, err := s.liveDomains(t, c)
	if err != nil {
		return nil, err
	}
	items := make([]listed, len(ds))
	for i, d := range ds {
		items[i] = listed{name: d.Name, created: d.Created, id: d.ID}
	}
	page, next, err := pageOf(items, "", "", in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListDomainsOutput{Domains: []*DomainDetails{}, NextToken: optional(next)}
	for _, i := range page {
		d := ds[i]
		status, _ := d.status(c.Now)
		out.Domains = append(out.Domains, &DomainDetails{
			DomainArn: ptr(domainARN(c, d.ID)), DomainId: ptr(d.ID), DomainName: ptr(d.Name), Status: ptr(status),
			CreationTime: timePtr(d.Created), LastModifiedTime: timePtr(d.Modified), Url: ptr(domainURL(c.Region, d.ID)),
		})
	}
	return out, nil
}

// runningApps counts the domain's apps that hold its network: those not deleted and not failed.
func runningApps(t store.Tx, c *api.Call, domainID string) (int, error) {
	apps, err := find[app](t, c.Account(), c.Region, kindApp, indexDomain, domainID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range apps {
		if status, ok := a.status(c.Now); ok && status != "Failed" && status != "Deleted" {
			n++
		}
	}
	return n, nil
}

func (s *Service) updateDomain(ctx context.Context, c *api.Call, in *UpdateDomainInput) (*UpdateDomainOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	d, err := loadDomain(t, c, in.DomainId, true)
	if err != nil {
		return nil, err
	}
	var groups []string
	if in.DomainSettingsForUpdate != nil {
		groups = in.DomainSettingsForUpdate.SecurityGroupIds
	}
	keys := domainKeys(in.SubnetIds, deref(in.AppNetworkAccessType), in.DefaultUserSettings, groups, in.DefaultSpaceSettings)
	if d != nil {
		keys = resourceTagKeys(keys, d.Tags)
	}
	arn := domainARN(c, in.DomainId)
	if err := authorize(ctx, c, "UpdateDomain", arn, keys); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, domainNotFound(in.DomainId)
	}
	if status, _ := d.status(c.Now); status != "InService" {
		// Text unverified.
		return nil, inUse("Domain [%s] is in status %s and cannot be updated.", arn, status)
	}
	if v := deref(in.VpcId); v != "" && v != d.VPCID {
		// AWS takes VpcId only to give a VPC to a Unified Studio domain made without one (API Reference); text
		// unverified.
		return nil, validation("The VpcId of a domain cannot be changed: domain %s is in %s.", d.ID, d.VPCID)
	}
	next := *d
	// Members the update gives replace the stored ones; those it leaves out stay (AWS's UpdateDomain changes what
	// it is given: an update of one app's settings keeps the execution role).
	next.DefaultUserSettings = mergeUserSettings(d.DefaultUserSettings, in.DefaultUserSettings)
	next.DefaultSpaceSettings = mergeDefaultSpaceSettings(d.DefaultSpaceSettings, in.DefaultSpaceSettings)
	if u := in.DomainSettingsForUpdate; u != nil {
		ds := DomainSettings{}
		if d.DomainSettings != nil {
			ds = *d.DomainSettings
		}
		if u.SecurityGroupIds != nil {
			ds.SecurityGroupIds = u.SecurityGroupIds
		}
		if u.ExecutionRoleIdentityConfig != nil {
			ds.ExecutionRoleIdentityConfig = u.ExecutionRoleIdentityConfig
		}
		if u.TrustedIdentityPropagationSettings != nil {
			ds.TrustedIdentityPropagationSettings = u.TrustedIdentityPropagationSettings
		}
		if u.DockerSettings != nil {
			ds.DockerSettings = u.DockerSettings
		}
		if u.AmazonQSettings != nil {
			ds.AmazonQSettings = u.AmazonQSettings
		}
		if u.UnifiedStudioSettings != nil {
			ds.UnifiedStudioSettings = u.UnifiedStudioSettings
		}
		if u.IpAddressType != nil {
			ds.IpAddressType = u.IpAddressType
		}
		if r := u.RStudioServerProDomainSettingsForUpdate; r != nil {
			ds.RStudioServerProDomainSettings = &RStudioServerProDomainSettings{
				DomainExecutionRoleArn: r.DomainExecutionRoleArn, DefaultResourceSpec: r.DefaultResourceSpec,
				RStudioConnectUrl: r.RStudioConnectUrl, RStudioPackageManagerUrl: r.RStudioPackageManagerUrl,
			}
		}
		next.DomainSettings = &ds
	}
	if v := deref(in.AppSecurityGroupManagement); v != "" {
		next.AppSecurityGroupManagement = v
	}
	if v := deref(in.TagPropagation); v != "" {
		next.TagPropagation = v
	}
	if v := deref(in.AppNetworkAccessType); v != "" {
		next.AppNetworkAccessType = v
	}
	if in.SubnetIds != nil {
		next.SubnetIDs = uniq(in.SubnetIds)
	}
	networkChanged := next.AppNetworkAccessType != d.AppNetworkAccessType || !slices.Equal(next.SubnetIDs, d.SubnetIDs)
	if networkChanged {
		n, err := runningApps(t, c, d.ID)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			// The API Reference: subnets and AppNetworkAccessType change only with no app InService, Pending or
			// Deleting. Text unverified.
			return nil, inUse("Unable to update Domain [%s] because App(s) are associated with it. Delete the apps before changing SubnetIds or AppNetworkAccessType.", arn)
		}
	}
	if err := checkSettings(next.AppNetworkAccessType, next.DefaultUserSettings, next.DefaultSpaceSettings); err != nil {
		return nil, err
	}
	// Every role the request names is checked, as at creation: the caller passes it again, and its trust may have
	// changed since.
	newRoles := domainRoles(in.DefaultUserSettings, in.DefaultSpaceSettings)
	if err := s.checkRoles(ctx, c, t, newRoles); err != nil {
		return nil, err
	}
	// The network of an update is checked in the call: the domain exists and keeps working, so a subnet or group
	// that does not hold together is refused rather than failing the domain.
	if reason, err := s.checkDomainNetwork(t, c, next.VPCID, next.SubnetIDs, domainGroups(&next)); err != nil {
		return nil, err
	} else if reason != "" {
		return nil, validation("%s", reason)
	}
	if err := s.moveMountTargets(t, c, &next); err != nil {
		return nil, err
	}
	next.Modified = c.Now
	next.UpdateReady = c.Now.Add(s.delay(domainUpdateDelay))
	if err := putDomain(t, c.Account(), c.Region, &next); err != nil {
		return nil, err
	}
	return &UpdateDomainOutput{DomainArn: ptr(arn)}, nil
}

func (s *Service) deleteDomain(ctx context.Context, c *api.Call, in *DeleteDomainInput) (*DeleteDomainOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	d, err := loadDomain(t, c, in.DomainId, true)
	if err != nil {
		return nil, err
	}
	var keys map[string][]string
	if d != nil {
		keys = resourceTagKeys(nil, d.Tags)
	}
	arn := domainARN(c, in.DomainId)
	if err := authorize(ctx, c, "DeleteDomain", arn, keys); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, domainNotFound(in.DomainId)
	}
	if !d.Deleted.IsZero() {
		return &DeleteDomainOutput{}, nil // already being deleted
	}
	retention := "Retain"
	if in.RetentionPolicy != nil && deref(in.RetentionPolicy.HomeEfsFileSystem) != "" {
		retention = *in.RetentionPolicy.HomeEfsFileSystem
	}
	// The Developer Guide's order (gs-studio-delete-domain): apps, then spaces and user profiles, then the domain,
	// whatever the retention policy.
	children, err := s.domainChildren(t, c, d.ID)
	if err != nil {
		return nil, err
	}
	if children != "" {
		// AWS's answer begins "Unable to delete Domain ... because UserProfile(s) are associated" (quoted in a
		// public CloudFormation custom resource); the rest follows its answer for a profile with apps, "Unable to
		// delete UserProfile [arn] because App(s) are associated with it.". Spaces' wording is unverified.
		return nil, inUse("Unable to delete Domain [%s] because %s are associated with it.", arn, children)
	}
	if retention == "Delete" {
		if err := s.releaseMountTargets(t, c, d); err != nil {
			return nil, err
		}
	}
	// The record stays: once its deletion has ended, Describe and List treat the domain as gone.
	d.startDeletion(c.Now, s.delay(domainDeleteDelay))
	d.Modified = c.Now
	if err := putDomain(t, c.Account(), c.Region, d); err != nil {
		return nil, err
	}
	return &DeleteDomainOutput{}, nil
}

// mergeDefaultSpaceSettings applies an update's default space settings to stored ones, member by member.
func mergeDefaultSpaceSettings(old, upd *DefaultSpaceSettings) *DefaultSpaceSettings {
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
	if upd.JupyterServerAppSettings != nil {
		m.JupyterServerAppSettings = upd.JupyterServerAppSettings
	}
	if upd.KernelGatewayAppSettings != nil {
		m.KernelGatewayAppSettings = upd.KernelGatewayAppSettings
	}
	if upd.JupyterLabAppSettings != nil {
		m.JupyterLabAppSettings = upd.JupyterLabAppSettings
	}
	if upd.SpaceStorageSettings != nil {
		m.SpaceStorageSettings = upd.SpaceStorageSettings
	}
	if upd.CustomPosixUserConfig != nil {
		m.CustomPosixUserConfig = upd.CustomPosixUserConfig
	}
	if upd.CustomFileSystemConfigs != nil {
		m.CustomFileSystemConfigs = upd.CustomFileSystemConfigs
	}
	return &m
}

// domainChildren names what still exists in the domain ("UserProfile(s)", "Space(s)", both), or "" when nothing
// does.
func (s *Service) domainChildren(t store.Tx, c *api.Call, domainID string) (string, error) {
	profiles, err := find[profile](t, c.Account(), c.Region, kindProfile, indexDomain, domainID)
	if err != nil {
		return "", err
	}
	spaces, err := find[space](t, c.Account(), c.Region, kindSpace, indexDomain, domainID)
	if err != nil {
		return "", err
	}
	var hasProfiles, hasSpaces bool
	for _, p := range profiles {
		if _, ok := p.status(c.Now); ok {
			hasProfiles = true
		}
	}
	for _, sp := range spaces {
		if _, ok := sp.status(c.Now); ok {
			hasSpaces = true
		}
	}
	switch {
	case hasProfiles && hasSpaces:
		return "UserProfile(s) and Space(s)", nil
	case hasProfiles:
		return "UserProfile(s)", nil
	case hasSpaces:
		return "Space(s)", nil
	}
	return "", nil
}
