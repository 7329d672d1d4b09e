package iam

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/service/iam/managed"
	"github.com/sagebox/sagebox/internal/store"
)

// The account operations: the summary of what the account holds, its alias, and the authorization details dump
// that security tools (and `sagebox import`) read.

func (s *Service) registerAccount(h *api.ServiceHandlers) {
	api.Read(h, "GetAccountSummary", s.getAccountSummary)
	api.Write(h, "CreateAccountAlias", s.createAccountAlias)
	api.Write(h, "DeleteAccountAlias", s.deleteAccountAlias)
	api.Read(h, "ListAccountAliases", s.listAccountAliases)
	api.Read(h, "GetAccountAuthorizationDetails", s.getAccountAuthorizationDetails)
}

// indexAccount is the alias record's unique key on its account: an account has at most one alias.
const indexAccount = "account"

// newSummary returns GetAccountSummary's map before the counts: IAM's default quotas, as an account that never asked
// for more answers them (IAM User Guide, "IAM and AWS STS quotas"), and zero for what sagebox has no notion of
// (MFA devices, signing and server certificates, identity providers, a root password). Every sagebox account's
// root user has an access key, the one it signs with; GlobalEndpointTokenVersion is 1 until someone asks for v2
// tokens, which sagebox does not offer.
func newSummary() map[string]int32 {
	return map[string]int32{
		"UsersQuota":                        5000,
		"GroupsQuota":                       300,
		"RolesQuota":                        1000,
		"PoliciesQuota":                     1500,
		"InstanceProfilesQuota":             1000,
		"ServerCertificatesQuota":           20,
		"PolicyVersionsInUseQuota":          10000,
		"VersionsPerPolicyQuota":            5,
		"AccessKeysPerUserQuota":            2,
		"SigningCertificatesPerUserQuota":   2,
		"GroupsPerUserQuota":                10,
		"AttachedPoliciesPerUserQuota":      10,
		"AttachedPoliciesPerGroupQuota":     10,
		"AttachedPoliciesPerRoleQuota":      10,
		"PolicySizeQuota":                   6144,
		"UserPolicySizeQuota":               2048,
		"GroupPolicySizeQuota":              5120,
		"RolePolicySizeQuota":               10240,
		"AssumeRolePolicySizeQuota":         2048,
		"ServerCertificates":                0,
		"MFADevices":                        0,
		"MFADevicesInUse":                   0,
		"AccountMFAEnabled":                 0,
		"AccountSigningCertificatesPresent": 0,
		"AccountPasswordPresent":            0,
		"Providers":                         0,
		"AccountAccessKeysPresent":          1,
		"GlobalEndpointTokenVersion":        1,
	}
}

func (s *Service) getAccountSummary(ctx context.Context, c *api.Call, in *GetAccountSummaryInput) (*GetAccountSummaryOutput, error) {
	if err := authorize(ctx, c, "GetAccountSummary", "*"); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct := c.Account()
	m := newSummary()
	for key, kind := range map[string]string{
		"Users":            kindUser,
		"Groups":           kindGroup,
		"Roles":            kindRole,
		"Policies":         kindPolicy,
		"InstanceProfiles": kindInstanceProfile,
	} {
		n, err := t.Count(scope(acct, kind))
		if err != nil {
			return nil, err
		}
		m[key] = int32(n)
	}
	inUse, err := policiesInUse(t, acct)
	if err != nil {
		return nil, err
	}
	m["PolicyVersionsInUse"] = int32(len(inUse))
	return &GetAccountSummaryOutput{SummaryMap: m}, nil
}

// policiesInUse returns the ARNs of the managed policies (customer and AWS) that some user, group or role of the
// account has attached or as its permissions boundary: each has one version in use, its default, which is what
// GetAccountSummary counts as PolicyVersionsInUse. It reads every principal of the account.
func policiesInUse(t store.Tx, account string) (map[string]bool, error) {
	used := map[string]bool{}
	for _, kind := range []string{kindUser, kindGroup, kindRole} {
		recs, err := t.List(scope(account, kind), store.ListQuery{})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			// Only the fields the three kinds share are read.
			p, err := store.Decode[struct {
				Boundary string `json:"boundary,omitempty"`
				permissions
			}](rec)
			if err != nil {
				return nil, err
			}
			for _, arn := range p.Attached {
				used[arn] = true
			}
			if p.Boundary != "" {
				used[p.Boundary] = true
			}
		}
	}
	return used, nil
}

// Account aliases. AWS keeps one alias per account, unique across all accounts (of a partition): creating a new one
// replaces the old one (IAM User Guide, "Using an alias for your AWS account ID": "the new alias overwrites the
// previous alias"). The records live in scope account "", keyed by the alias, with the account as a unique index.

func aliasScope() store.Scope { return scope("", kindAlias) }

// aliasPattern is the model's pattern for account aliases. Its look-ahead forbids two hyphens in a row, which the
// model's validation (RE2, which has no look-ahead) lets through, so the handlers check that part themselves.
const aliasPattern = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`

func checkAlias(alias string) error {
	if !strings.Contains(alias, "--") {
		return nil
	}
	return &awserr.Error{Kind: awserr.KindValidation, Message: fmt.Sprintf(
		"1 validation error detected: Value '%s' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
		alias, aliasPattern)}
}

// accountAliasOf returns the alias record of account, or nil when it has none.
func accountAliasOf(t store.Tx, account string) (*accountAlias, *store.Record, error) {
	a, rec, err := store.LookupDoc[accountAlias](t, aliasScope(), indexAccount, account)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return &a, rec, nil
}

func (s *Service) createAccountAlias(ctx context.Context, c *api.Call, in *CreateAccountAliasInput) (*CreateAccountAliasOutput, error) {
	if err := authorize(ctx, c, "CreateAccountAlias", "*"); err != nil {
		return nil, err
	}
	if err := checkAlias(in.AccountAlias); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	taken, _, err := get[accountAlias](t, "", kindAlias, in.AccountAlias)
	if err != nil {
		return nil, err
	}
	if taken != nil {
		// Also when the account already holds it: the name is taken all the same.
		return nil, entityAlreadyExists("The account alias %s already exists.", in.AccountAlias)
	}
	_, old, err := accountAliasOf(t, c.Account())
	if err != nil {
		return nil, err
	}
	if old != nil {
		if err := t.Delete(old.Key); err != nil {
			return nil, err
		}
	}
	a := &accountAlias{Alias: in.AccountAlias, Account: c.Account()}
	ix := []store.Index{{Name: indexAccount, Value: c.Account(), Unique: true}}
	if err := save(t, "", kindAlias, a.Alias, a, ix, nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("The account alias %s already exists.", in.AccountAlias)
		}
		return nil, err
	}
	return &CreateAccountAliasOutput{}, nil
}

func (s *Service) deleteAccountAlias(ctx context.Context, c *api.Call, in *DeleteAccountAliasInput) (*DeleteAccountAliasOutput, error) {
	if err := authorize(ctx, c, "DeleteAccountAlias", "*"); err != nil {
		return nil, err
	}
	if err := checkAlias(in.AccountAlias); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	a, rec, err := accountAliasOf(t, c.Account())
	if err != nil {
		return nil, err
	}
	// Another account's alias is no more this account's to delete than a name nobody holds.
	if a == nil || a.Alias != in.AccountAlias {
		return nil, noSuchEntity("The account alias %s cannot be found.", in.AccountAlias)
	}
	return &DeleteAccountAliasOutput{}, t.Delete(rec.Key)
}

func (s *Service) listAccountAliases(ctx context.Context, c *api.Call, in *ListAccountAliasesInput) (*ListAccountAliasesOutput, error) {
	if err := authorize(ctx, c, "ListAccountAliases", "*"); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	a, _, err := accountAliasOf(t, c.Account())
	if err != nil {
		return nil, err
	}
	out := &ListAccountAliasesOutput{AccountAliases: []string{}, IsTruncated: ptr(false)}
	// An account has one alias at most, so a page of MaxItems ≥ 1 always holds it; a marker past it ends the list.
	if a != nil && a.Alias > after {
		out.AccountAliases = append(out.AccountAliases, a.Alias)
	}
	return out, nil
}

// GetAccountAuthorizationDetails. The answer is one list of entities in a fixed order — users, groups, roles,
// customer managed policies, AWS managed policies, each in name order — that MaxItems pages across, as AWS pages
// across its four lists. The marker names the section and the last id returned in it.

// The sections, in the order they are listed.
const (
	sectionUser = iota
	sectionGroup
	sectionRole
	sectionLocalPolicy
	sectionAWSPolicy
	numSections
)

// sectionNamed returns the section that a Filter value names, or -1.
func sectionNamed(filter string) int {
	switch filter {
	case "User":
		return sectionUser
	case "Group":
		return sectionGroup
	case "Role":
		return sectionRole
	case "LocalManagedPolicy":
		return sectionLocalPolicy
	case "AWSManagedPolicy":
		return sectionAWSPolicy
	}
	return -1
}

// sectionKind is the store kind of a section's entities; AWS managed policies are not stored.
func sectionKind(sec int) string {
	return [...]string{sectionUser: kindUser, sectionGroup: kindGroup, sectionRole: kindRole, sectionLocalPolicy: kindPolicy}[sec]
}

// detailsCursor is where a page starts: in section, after the record id (or the AWS managed policy name) after;
// "" starts the section at its beginning.
type detailsCursor struct {
	section int
	after   string
}

func decodeDetailsMarker(m *string) (detailsCursor, error) {
	raw, err := decodeMarker(m)
	if err != nil || raw == "" {
		return detailsCursor{}, err
	}
	sec, after, ok := strings.Cut(raw, "/")
	n, err := strconv.Atoi(sec)
	if !ok || err != nil || n < 0 || n >= numSections {
		return detailsCursor{}, invalidInput("Invalid Marker.")
	}
	return detailsCursor{section: n, after: after}, nil
}

func (d detailsCursor) marker() *string {
	return encodeMarker(strconv.Itoa(d.section) + "/" + d.after)
}

func (s *Service) getAccountAuthorizationDetails(ctx context.Context, c *api.Call, in *GetAccountAuthorizationDetailsInput) (*GetAccountAuthorizationDetailsOutput, error) {
	if err := authorize(ctx, c, "GetAccountAuthorizationDetails", "*"); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	start, err := decodeDetailsMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	var want [numSections]bool
	for i := range want {
		want[i] = len(in.Filter) == 0
	}
	for _, f := range in.Filter {
		if sec := sectionNamed(f); sec >= 0 {
			want[sec] = true
		}
	}
	d := &detailsPage{s: s, t: t, account: c.Account(), out: &GetAccountAuthorizationDetailsOutput{
		UserDetailList:  []*UserDetail{},
		GroupDetailList: []*GroupDetail{},
		RoleDetailList:  []*RoleDetail{},
		Policies:        []*ManagedPolicyDetail{},
		IsTruncated:     ptr(false),
	}}
	room := maxItems(in.MaxItems)
	for sec := start.section; sec < numSections; sec++ {
		if !want[sec] {
			continue
		}
		after := ""
		if sec == start.section {
			after = start.after
		}
		// One more than there is room for tells whether the list goes on; with no room left, one is enough.
		n, last, more, err := d.section(sec, after, room)
		if err != nil {
			return nil, err
		}
		room -= n
		if more {
			next := detailsCursor{section: sec, after: last}
			if n == 0 {
				next.after = after
			}
			d.out.IsTruncated, d.out.Marker = ptr(true), next.marker()
			return d.out, nil
		}
	}
	return d.out, nil
}

// detailsPage assembles one page of GetAccountAuthorizationDetails.
type detailsPage struct {
	s       *Service
	t       store.Tx
	account string
	out     *GetAccountAuthorizationDetailsOutput
}

// section adds at most room entities of section sec that come after after, and reports how many it added, the
// id of the last one, and whether more remain in the section beyond them.
func (d *detailsPage) section(sec int, after string, room int) (n int, last string, more bool, err error) {
	if sec == sectionAWSPolicy {
		return d.awsPolicies(after, room)
	}
	recs, err := d.t.List(scope(d.account, sectionKind(sec)), store.ListQuery{After: after, Limit: room + 1})
	if err != nil {
		return 0, "", false, err
	}
	if len(recs) > room {
		recs, more = recs[:room], true
	}
	for _, rec := range recs {
		if err := d.add(sec, rec); err != nil {
			return 0, "", false, err
		}
		last = rec.ID
	}
	return len(recs), last, more, nil
}

func (d *detailsPage) add(sec int, rec *store.Record) error {
	switch sec {
	case sectionUser:
		u, err := store.Decode[user](rec)
		if err != nil {
			return err
		}
		ud, err := d.userDetail(&u)
		if err != nil {
			return err
		}
		d.out.UserDetailList = append(d.out.UserDetailList, ud)
	case sectionGroup:
		g, err := store.Decode[group](rec)
		if err != nil {
			return err
		}
		d.out.GroupDetailList = append(d.out.GroupDetailList, &GroupDetail{
			Path:                    ptr(g.Path),
			GroupName:               ptr(g.Name),
			GroupId:                 ptr(g.ID),
			Arn:                     ptr(groupARN(d.account, g.Path, g.Name)),
			CreateDate:              ptr(g.Created),
			GroupPolicyList:         inlineDetails(g.Inline),
			AttachedManagedPolicies: attachedDetails(g.Attached),
		})
	case sectionRole:
		r, err := store.Decode[role](rec)
		if err != nil {
			return err
		}
		rd, err := d.roleDetail(&r)
		if err != nil {
			return err
		}
		d.out.RoleDetailList = append(d.out.RoleDetailList, rd)
	case sectionLocalPolicy:
		p, err := store.Decode[managedPolicy](rec)
		if err != nil {
			return err
		}
		pd, err := d.localPolicyDetail(&p)
		if err != nil {
			return err
		}
		d.out.Policies = append(d.out.Policies, pd)
	}
	return nil
}

func (d *detailsPage) userDetail(u *user) (*UserDetail, error) {
	groups := make([]string, 0, len(u.Groups))
	for _, name := range u.Groups {
		g, _, err := get[group](d.t, d.account, kindGroup, name)
		if err != nil {
			return nil, err
		}
		if g != nil {
			groups = append(groups, g.Name)
		}
	}
	ud := &UserDetail{
		Path:                    ptr(u.Path),
		UserName:                ptr(u.Name),
		UserId:                  ptr(u.ID),
		Arn:                     ptr(userARN(d.account, u.Path, u.Name)),
		CreateDate:              ptr(u.Created),
		UserPolicyList:          inlineDetails(u.Inline),
		GroupList:               groups,
		AttachedManagedPolicies: attachedDetails(u.Attached),
		Tags:                    detailTags(u.Tags),
	}
	if u.Boundary != "" {
		ud.PermissionsBoundary = boundaryOf(u.Boundary)
	}
	return ud, nil
}

func (d *detailsPage) roleDetail(r *role) (*RoleDetail, error) {
	trust, err := shownTrustPolicyOf(d.t, r)
	if err != nil {
		return nil, err
	}
	profiles, err := d.t.Find(scope(d.account, kindInstanceProfile), indexRole, strings.ToLower(r.Name))
	if err != nil {
		return nil, err
	}
	ips := make([]*InstanceProfile, 0, len(profiles))
	for _, rec := range profiles {
		ip, err := store.Decode[instanceProfile](rec)
		if err != nil {
			return nil, err
		}
		// As ListInstanceProfilesForRole shows them: each with its roles, without tags.
		aip, err := apiInstanceProfile(d.t, d.account, &ip, profileListed)
		if err != nil {
			return nil, err
		}
		ips = append(ips, aip)
	}
	rd := &RoleDetail{
		Path:                     ptr(r.Path),
		RoleName:                 ptr(r.Name),
		RoleId:                   ptr(r.ID),
		Arn:                      ptr(roleARN(d.account, r.Path, r.Name)),
		CreateDate:               ptr(r.Created),
		AssumeRolePolicyDocument: ptr(encodeDocument(trust)),
		InstanceProfileList:      ips,
		RolePolicyList:           inlineDetails(r.Inline),
		AttachedManagedPolicies:  attachedDetails(r.Attached),
		Tags:                     detailTags(r.Tags),
		RoleLastUsed:             &RoleLastUsed{},
	}
	if r.Boundary != "" {
		rd.PermissionsBoundary = boundaryOf(r.Boundary)
	}
	if r.LastUsed != nil {
		rd.RoleLastUsed = &RoleLastUsed{LastUsedDate: r.LastUsed, Region: ptr(r.LastUsedRegion)}
	}
	return rd, nil
}

func (d *detailsPage) localPolicyDetail(p *managedPolicy) (*ManagedPolicyDetail, error) {
	arn := policyARN(d.account, p.Path, p.Name)
	attached, boundaries, err := policyUsage(d.t, d.account, arn)
	if err != nil {
		return nil, err
	}
	pd := &ManagedPolicyDetail{
		PolicyName:                    ptr(p.Name),
		PolicyId:                      ptr(p.ID),
		Arn:                           ptr(arn),
		Path:                          ptr(p.Path),
		DefaultVersionId:              ptr(p.DefaultVersion),
		AttachmentCount:               ptr(int32(attached)),
		PermissionsBoundaryUsageCount: ptr(int32(boundaries)),
		IsAttachable:                  ptr(true),
		CreateDate:                    ptr(p.Created),
		UpdateDate:                    ptr(p.updateDate()),
		PolicyVersionList:             make([]*PolicyVersion, 0, len(p.Versions)),
	}
	if p.Description != "" {
		pd.Description = ptr(p.Description)
	}
	// Newest first, as ListPolicyVersions lists them.
	for i := len(p.Versions) - 1; i >= 0; i-- {
		v := p.Versions[i]
		pd.PolicyVersionList = append(pd.PolicyVersionList, &PolicyVersion{
			Document:         ptr(encodeDocument(v.Document)),
			VersionId:        ptr(v.ID),
			IsDefaultVersion: ptr(v.ID == p.DefaultVersion),
			CreateDate:       ptr(v.Created),
		})
	}
	return pd, nil
}

// awsPolicies adds the AWS managed policies that the account uses — attached to a user, group or role, or as a
// permissions boundary — in name order after the name after. AWS lists only those: the catalog of every AWS managed
// policy is ListPolicies' to show, not the account's authorization details.
func (d *detailsPage) awsPolicies(after string, room int) (n int, last string, more bool, err error) {
	for _, p := range d.s.managed.All() {
		if p.Name <= after {
			continue
		}
		attached, boundaries, err := policyUsage(d.t, d.account, p.ARN)
		if err != nil {
			return 0, "", false, err
		}
		if attached == 0 && boundaries == 0 {
			continue
		}
		if n == room {
			return n, last, true, nil
		}
		d.out.Policies = append(d.out.Policies, awsPolicyDetail(p, attached, boundaries))
		n, last = n+1, p.Name
	}
	return n, last, false, nil
}

func awsPolicyDetail(p *managed.Policy, attached, boundaries int) *ManagedPolicyDetail {
	pd := &ManagedPolicyDetail{
		PolicyName:                    ptr(p.Name),
		PolicyId:                      ptr(p.PolicyID),
		Arn:                           ptr(p.ARN),
		Path:                          ptr(p.Path),
		DefaultVersionId:              ptr(p.DefaultVersionID),
		AttachmentCount:               ptr(int32(attached)),
		PermissionsBoundaryUsageCount: ptr(int32(boundaries)),
		IsAttachable:                  ptr(p.IsAttachable),
		CreateDate:                    ptr(p.CreateDate),
		UpdateDate:                    ptr(p.UpdateDate),
		// The catalog carries the default version only (see package managed).
		PolicyVersionList: []*PolicyVersion{{
			Document:         ptr(encodeDocument(p.Document)),
			VersionId:        ptr(p.DefaultVersionID),
			IsDefaultVersion: ptr(true),
			CreateDate:       ptr(p.UpdateDate),
		}},
	}
	if p.Description != "" {
		pd.Description = ptr(p.Description)
	}
	return pd
}

// inlineDetails renders inline policies with their documents URL-encoded; an empty list rather than none, as AWS
// answers.
func inlineDetails(ps []inlinePolicy) []*PolicyDetail {
	out := make([]*PolicyDetail, len(ps))
	for i, p := range ps {
		out[i] = &PolicyDetail{PolicyName: ptr(p.Name), PolicyDocument: ptr(encodeDocument(p.Document))}
	}
	return out
}

// attachedDetails renders attached managed policies by name and ARN; the name is the ARN's last element.
func attachedDetails(arns []string) []*AttachedPolicy {
	out := make([]*AttachedPolicy, len(arns))
	for i, arn := range arns {
		out[i] = &AttachedPolicy{PolicyName: ptr(arn[strings.LastIndexByte(arn, '/')+1:]), PolicyArn: ptr(arn)}
	}
	return out
}

// detailTags renders tags for the details lists, which show an empty list for an entity without tags.
func detailTags(ts []tag) []*Tag {
	if out := apiTags(ts); out != nil {
		return out
	}
	return []*Tag{}
}
