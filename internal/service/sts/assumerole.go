package sts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// AssumeRole, as the STS API Reference and the IAM User Guide describe it:
//
//   - The caller must be allowed sts:AssumeRole on the role by the policy engine, with the role's trust policy as
//     the resource-based policy: within one account a trust policy that names the caller (its user ARN, its role
//     session) grants alone, one that names the role of a role session grants but leaves its session policies to
//     allow, one that names the account delegates to the caller's identity-based policies; across accounts both
//     the trust policy and the caller's policies must allow. A role assuming itself needs itself in its trust.
//   - A role that does not exist is evaluated against a trust policy that trusts no one, so that the caller gets
//     the same refusal as for a role that does not trust it: AWS does not tell whether a role exists.
//   - Session tags need sts:TagSession and a source identity sts:SetSourceIdentity, both allowed the same way.
//   - The root user may not assume roles; federated users may call no STS operation but GetCallerIdentity.
//   - DurationSeconds is 900 up to the role's MaxSessionDuration (3600 by default), and at most 3600 when a role
//     session assumes a role (role chaining); chaining passes on transitive tags, the source identity and MFA.
const (
	defaultRoleDuration = 3600
	// chainedMax is the longest session a role session may get by assuming a role.
	chainedMax = 3600
	// maxSessionPolicyText is the most plaintext a session policy may have: "The plaintext that you use for both
	// inline and managed session policies can't exceed 2,048 characters."
	maxSessionPolicyText = 2048
	// maxPolicyARNs is the most managed session policies: "You can provide up to 10 managed policy ARNs."
	maxPolicyARNs = 10
)

// newNoTrust compiles the trust policy that a role which does not exist is evaluated against: it trusts no one.
func newNoTrust() *policy.Compiled {
	c, err := policy.Compile(&policy.Document{Kind: policy.Trust, Version: policy.Version2012}, "no role: a trust policy that trusts no one", policy.ResourcePolicy)
	if err != nil {
		panic("sts: " + err.Error()) // a constant document
	}
	return c
}

func (s *Service) assumeRole(ctx context.Context, c *api.Call, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	caller := c.Principal
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	account, path, name, validARN := parseRoleARN(in.RoleArn)
	var role *Role
	if validARN && s.roles != nil {
		if role, err = s.roles.Role(t, account, name); err != nil {
			return nil, err
		}
		if role != nil && role.Path != path {
			// An ARN names a role with its path: another path is another (missing) role.
			role = nil
		}
	}
	from := s.live.get(caller.AccessKeyID)
	mfa, mfaErr := checkMFA(caller, in.SerialNumber, in.TokenCode)

	if !validARN {
		// AWS checks the ARN before it decides anything ("ARN is invalid"): the decision recorded says that the
		// request was refused before any permission mattered.
		if err := c.Authorize(ctx, api.Authorization{Action: "sts:AssumeRole", NoPermissionRequired: true}); err != nil {
			return nil, err
		}
		return nil, validationError(in.RoleArn + " is invalid")
	}
	resource, trust := in.RoleArn, s.noTrust
	if role != nil {
		resource, trust = role.ARN, role.Trust
	}
	authErr := c.Authorize(ctx, api.Authorization{
		Action:          "sts:AssumeRole",
		Resources:       []string{resource},
		ResourceAccount: account,
		ResourcePolicy:  trust,
		Context:         assumeRoleKeys(in, role, mfa),
	})
	switch {
	case caller.Type == api.Root:
		// "You cannot call AssumeRole with the access keys for the root user"; AWS's text, seen in public reports.
		return nil, accessDenied("Roles may not be assumed by root accounts.")
	case authErr != nil:
		return nil, authErr
	case caller.Type == api.FederatedUser:
		return nil, notAuthorized(caller, "sts:AssumeRole", resource)
	case role == nil:
		// Only an authorizer that lets everything through (audit or off mode) gets here.
		return nil, notAuthorized(caller, "sts:AssumeRole", resource)
	}

	if len(in.Tags) > 0 {
		if err := c.Authorize(ctx, api.Authorization{
			Action: "sts:TagSession", Resources: []string{role.ARN}, ResourceAccount: account, ResourcePolicy: trust,
			Context: tagSessionKeys(in.Tags, in.TransitiveTagKeys, role),
		}); err != nil {
			return nil, err
		}
	}
	inheritedSource := ""
	if from != nil {
		inheritedSource = from.doc.SourceIdentity
	}
	source := inheritedSource
	if in.SourceIdentity != nil {
		if inheritedSource != "" && *in.SourceIdentity != inheritedSource {
			// "The value that is set cannot be changed during the role session." AWS's text for the attempt is not
			// known; it is refused as the permission to set it would be.
			return nil, notAuthorized(caller, "sts:SetSourceIdentity", role.ARN)
		}
		source = *in.SourceIdentity
	}
	if source != "" {
		// Required in role chaining too: "permissions for sts:SetSourceIdentity are required in both the
		// permissions policy of the principal who is assuming the role and in the role trust policy".
		if err := c.Authorize(ctx, api.Authorization{
			Action: "sts:SetSourceIdentity", Resources: []string{role.ARN}, ResourceAccount: account, ResourcePolicy: trust,
			Context: map[string][]string{"sts:SourceIdentity": {source}},
		}); err != nil {
			return nil, err
		}
	}

	if mfaErr != nil {
		return nil, mfaErr
	}
	chained := caller.Type == api.AssumedRole
	duration := int32(defaultRoleDuration)
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
	}
	if duration > role.MaxSessionDuration {
		return nil, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if chained && duration > chainedMax {
		return nil, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	spec := &sessionSpec{
		Kind:           roleSession,
		Now:            c.Now,
		Duration:       time.Duration(duration) * time.Second,
		Role:           role,
		SessionName:    in.RoleSessionName,
		SourceIdentity: source,
	}
	if spec.Tags, spec.Transitive, err = sessionTags(in.Tags, in.TransitiveTagKeys, from); err != nil {
		return nil, err
	}
	if err := s.sessionPolicies(t, account, in.Policy, in.PolicyArns, true, spec); err != nil {
		return nil, err
	}
	packed, err := checkPacked(spec)
	if err != nil {
		return nil, err
	}
	spec.MFAAuthenticated = mfaTime(mfa, c.Now, from)

	out, err := s.issue(t, spec)
	if err != nil {
		return nil, err
	}
	res := &AssumeRoleOutput{Credentials: &out.Credentials, AssumedRoleUser: out.AssumedRoleUser}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		res.PackedPolicySize = &packed
	}
	if source != "" {
		res.SourceIdentity = &source
	}
	return res, nil
}

// parseRoleARN reads arn:aws:iam::ACCOUNT:role/PATH/NAME; ok is false for anything else. The account is returned
// whenever the ARN has one, for the authorizer's ResourceAccount.
func parseRoleARN(arn string) (account, path, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "iam" || parts[3] != "" {
		return "", "", "", false
	}
	account = parts[4]
	if !isAccountID(account) {
		return "", "", "", false
	}
	rest, found := strings.CutPrefix(parts[5], "role/")
	if !found || rest == "" {
		return account, "", "", false
	}
	path, name = "/", rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	if name == "" {
		return account, "", "", false
	}
	return account, path, name, true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// assumeRoleKeys are the condition keys of sts:AssumeRole: the session name, the external ID, the source identity,
// the tags requested and those made transitive, the role's tags, and MFA when the request proves it.
func assumeRoleKeys(in *AssumeRoleInput, role *Role, mfa bool) map[string][]string {
	keys := map[string][]string{"sts:RoleSessionName": {in.RoleSessionName}}
	if in.ExternalId != nil {
		keys["sts:ExternalId"] = []string{*in.ExternalId}
	}
	if in.SourceIdentity != nil {
		keys["sts:SourceIdentity"] = []string{*in.SourceIdentity}
	}
	addRequestTags(keys, in.Tags, in.TransitiveTagKeys)
	if role != nil {
		for k, v := range role.Tags {
			keys["aws:ResourceTag/"+k] = []string{v}
			keys["iam:ResourceTag/"+k] = []string{v}
		}
	}
	if mfa {
		// A long-term key has no aws:MultiFactorAuthPresent; a request that proves MFA has it, just authenticated.
		keys["aws:MultiFactorAuthPresent"] = []string{"true"}
		keys["aws:MultiFactorAuthAge"] = []string{"0"}
	}
	return keys
}

// tagSessionKeys are the condition keys of sts:TagSession.
func tagSessionKeys(tags []*Tag, transitive []string, role *Role) map[string][]string {
	keys := map[string][]string{}
	addRequestTags(keys, tags, transitive)
	for k, v := range role.Tags {
		keys["aws:ResourceTag/"+k] = []string{v}
	}
	return keys
}

// addRequestTags sets aws:RequestTag/K, aws:TagKeys and sts:TransitiveTagKeys for the tags a request passes.
func addRequestTags(keys map[string][]string, tags []*Tag, transitive []string) {
	if len(tags) == 0 {
		return
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		names = append(names, t.Key)
	}
	keys["aws:TagKeys"] = names
	if len(transitive) > 0 {
		keys["sts:TransitiveTagKeys"] = transitive
	}
}

// sessionTags checks the tags a request passes and returns the session's tags: the transitive tags inherited from
// the calling session, then those passed; and the keys of the transitive ones. The texts are AWS's.
func sessionTags(tags []*Tag, transitive []string, from *liveSession) ([]sessionTag, []string, error) {
	seen := map[string]bool{}
	var out []sessionTag
	for _, t := range tags {
		if t == nil {
			continue
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, nil, invalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		out = append(out, sessionTag{Key: t.Key, Value: t.Value})
	}
	var keys []string
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return nil, nil, invalidParameter("The specified transitive tag key must be included in the requested tags.")
		}
		keys = append(keys, tagKey(out, k))
	}
	if from == nil || len(from.doc.Transitive) == 0 {
		return out, dedupe(keys), nil
	}
	// "If you try to pass the Heart = 3 session tag [Heart being transitive in the calling session], the operation
	// will fail."
	inherited := make([]sessionTag, 0, len(from.doc.Transitive)+len(out))
	for _, k := range from.doc.Transitive {
		if seen[strings.ToLower(k)] {
			return nil, nil, invalidParameter("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
		}
		for _, t := range from.doc.Tags {
			if t.Key == k {
				inherited = append(inherited, t)
			}
		}
	}
	return append(inherited, out...), dedupe(append(append([]string{}, from.doc.Transitive...), keys...)), nil
}

// tagKey returns the key of the tag named k (case-insensitively) as the tag spells it.
func tagKey(tags []sessionTag, k string) string {
	for _, t := range tags {
		if strings.EqualFold(t.Key, k) {
			return t.Key
		}
	}
	return k
}

func dedupe(keys []string) []string {
	if len(keys) == 0 {
		return nil
	}
	seen := map[string]bool{}
	out := keys[:0]
	for _, k := range keys {
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			out = append(out, k)
		}
	}
	return out
}

// sessionPolicies checks the session policies of a request and puts them, compiled, into spec: the inline policy
// by IAM's rules for session policies (MalformedPolicyDocument with IAM's text), the managed ones by the account
// that owns them. plaintextLimit is set for AssumeRole, whose model leaves the 2,048-character limit to the
// service.
func (s *Service) sessionPolicies(t store.Tx, account string, text *string, arns []*PolicyDescriptorType, plaintextLimit bool, spec *sessionSpec) error {
	if text != nil {
		if plaintextLimit && len([]rune(*text)) > maxSessionPolicyText {
			return lengthError("policy", *text, "Member must have length less than or equal to 2048")
		}
		doc, err := policy.Parse(*text, policy.Session)
		if err != nil {
			var pe *policy.Error
			if errors.As(err, &pe) {
				return malformedPolicy(pe.Message)
			}
			return err
		}
		spec.Policy, spec.PolicyDoc = *text, doc
	}
	if len(arns) > maxPolicyARNs {
		list := make([]any, len(arns))
		for i, a := range arns {
			if a != nil && a.Arn != nil {
				list[i] = map[string]any{"arn": *a.Arn}
			}
		}
		return lengthError("policyArns", list, "Member must have length less than or equal to 10")
	}
	for _, a := range arns {
		if a == nil || a.Arn == nil {
			continue
		}
		var c *policy.Compiled
		if s.roles != nil {
			var err error
			if c, err = s.roles.SessionPolicy(t, account, *a.Arn); err != nil {
				return err
			}
		}
		if c == nil {
			// AWS's text for a managed session policy that does not exist is not known; this is IAM's for a
			// policy it cannot attach.
			return malformedPolicy("Policy " + *a.Arn + " does not exist or is not attachable.")
		}
		spec.PolicyARNs = append(spec.PolicyARNs, *a.Arn)
		spec.Managed = append(spec.Managed, c)
	}
	spec.PolicyAccount = account
	return nil
}

// checkPacked returns the packed size of spec's session policies and tags, or PackedPolicyTooLarge.
func checkPacked(spec *sessionSpec) (int32, error) {
	var minified []byte
	if spec.PolicyDoc != nil {
		minified = spec.PolicyDoc.Marshal()
	}
	total, ofTags := packedSize(minified, spec.PolicyARNs, spec.Tags)
	if total > 100 {
		return 0, packedTooLarge(total, ofTags)
	}
	return int32(total), nil
}

// checkMFA checks an MFA serial number and code. sagebox has no MFA devices: it accepts the ARN of a virtual MFA
// device of the caller's account (arn:aws:iam::ACCOUNT:mfa/NAME) with any six-digit code (the model checks the
// digits), and refuses a hardware serial number, a device of another account, or one of the two without the
// other, with AWS's text for an MFA code it cannot validate.
func checkMFA(caller *api.Principal, serial, code *string) (bool, error) {
	if serial == nil && code == nil {
		return false, nil
	}
	if serial == nil || code == nil {
		return false, mfaFailed()
	}
	device, ok := strings.CutPrefix(*serial, "arn:aws:iam::"+caller.Account+":mfa/")
	if !ok || device == "" {
		return false, mfaFailed()
	}
	return true, nil
}

// mfaTime is when MFA was used for a new session: now when the request proved it, else when the calling session
// did, else nil.
func mfaTime(mfa bool, now time.Time, from *liveSession) *time.Time {
	if mfa {
		at := now.UTC().Truncate(time.Second)
		return &at
	}
	if from != nil && from.doc.MFAAuthenticated != nil {
		at := *from.doc.MFAAuthenticated
		return &at
	}
	return nil
}
