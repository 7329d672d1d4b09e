package sts

import (
	"context"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
)

// GetSessionToken and GetFederationToken: sessions of an IAM user or the root user, called with their long-term
// keys. The durations are the STS API Reference's: 900 seconds to 36 hours, 12 hours by default; "sessions for AWS
// account owners are restricted to a maximum of 3,600 seconds (one hour). If the duration is longer than one hour,
// the session for AWS account owners defaults to one hour."
const (
	defaultTokenDuration = 43200
	rootMaxDuration      = 3600
)

// tokenDuration is the duration a GetSessionToken or GetFederationToken request gets.
func tokenDuration(requested *int32, caller *api.Principal) time.Duration {
	d := int32(defaultTokenDuration)
	if requested != nil {
		d = *requested
	}
	if caller.Type == api.Root && d > rootMaxDuration {
		d = rootMaxDuration
	}
	return time.Duration(d) * time.Second
}

// temporary reports whether the caller signed with temporary credentials.
func (s *Service) temporary(p *api.Principal) bool {
	return strings.HasPrefix(p.AccessKeyID, "ASIA") || s.live.get(p.AccessKeyID) != nil
}

// restricted reports whether the caller's session may call only some STS operations: a federated user's may call
// GetCallerIdentity only, a GetSessionToken session's AssumeRole and GetCallerIdentity too ("Comparing the AWS STS
// API operations", IAM User Guide).
func (s *Service) restricted(p *api.Principal) bool {
	e := s.live.get(p.AccessKeyID)
	return e != nil && e.doc.Kind != roleSession
}

// getSessionToken needs no permission: "No permissions are required for a user to get a session token. ... You can
// include the GetSessionToken action in your policies, but it has no effect" (IAM User Guide, "Permissions for
// GetSessionToken").
func (s *Service) getSessionToken(ctx context.Context, c *api.Call, in *GetSessionTokenInput) (*GetSessionTokenOutput, error) {
	if err := c.Authorize(ctx, api.Authorization{Action: "sts:GetSessionToken", NoPermissionRequired: true}); err != nil {
		return nil, err
	}
	caller := c.Principal
	if s.temporary(caller) || caller.Type != api.User && caller.Type != api.Root {
		return nil, withSessionCredentials("GetSessionToken")
	}
	mfa, err := checkMFA(caller, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	kind := userSession
	if caller.Type == api.Root {
		kind = rootSession
	}
	out, err := s.issue(t, &sessionSpec{
		Kind:             kind,
		Now:              c.Now,
		Duration:         tokenDuration(in.DurationSeconds, caller),
		Caller:           caller,
		MFAAuthenticated: mfaTime(mfa, c.Now, nil),
	})
	if err != nil {
		return nil, err
	}
	return &GetSessionTokenOutput{Credentials: &out.Credentials}, nil
}

// getFederationToken federates a user: the session's permissions are its session policies intersected with the
// caller's, and without session policies it has none (but what a resource-based policy naming the federated user
// grants). It needs sts:GetFederationToken on the federated user's ARN, and sts:TagSession to pass tags.
func (s *Service) getFederationToken(ctx context.Context, c *api.Call, in *GetFederationTokenInput) (*GetFederationTokenOutput, error) {
	caller := c.Principal
	fedARN := "arn:aws:sts::" + c.Account() + ":federated-user/" + in.Name
	keys := map[string][]string{}
	addRequestTags(keys, in.Tags, nil)
	if err := c.Authorize(ctx, api.Authorization{Action: "sts:GetFederationToken", Resources: []string{fedARN}, Context: keys}); err != nil {
		return nil, err
	}
	if s.temporary(caller) || caller.Type != api.User && caller.Type != api.Root {
		return nil, withSessionCredentials("GetFederationToken")
	}
	if len(in.Tags) > 0 {
		if err := c.Authorize(ctx, api.Authorization{Action: "sts:TagSession", Context: keys}); err != nil {
			return nil, err
		}
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	spec := &sessionSpec{
		Kind:          federatedSession,
		Now:           c.Now,
		Duration:      tokenDuration(in.DurationSeconds, caller),
		Caller:        caller,
		FederatedName: in.Name,
	}
	if spec.Tags, _, err = sessionTags(in.Tags, nil, nil); err != nil {
		return nil, err
	}
	// The model holds GetFederationToken's Policy to 2,048 characters itself.
	if err := s.sessionPolicies(t, c.Account(), in.Policy, in.PolicyArns, false, spec); err != nil {
		return nil, err
	}
	packed, err := checkPacked(spec)
	if err != nil {
		return nil, err
	}
	out, err := s.issue(t, spec)
	if err != nil {
		return nil, err
	}
	res := &GetFederationTokenOutput{Credentials: &out.Credentials, FederatedUser: out.FederatedUser}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		res.PackedPolicySize = &packed
	}
	return res, nil
}

// getAccessKeyInfo answers the account of an access key that sagebox issued: a root key, an IAM user's key (active
// or not), a session's. AWS reads the account out of the key id itself and so answers for any well-formed key;
// sagebox's key ids do not encode their account, and a key it does not know is answered as AWS answers a key id it
// cannot read: InvalidClientTokenId.
func (s *Service) getAccessKeyInfo(ctx context.Context, c *api.Call, in *GetAccessKeyInfoInput) (*GetAccessKeyInfoOutput, error) {
	if err := c.Authorize(ctx, api.Authorization{Action: "sts:GetAccessKeyInfo"}); err != nil {
		return nil, err
	}
	if s.restricted(c.Principal) {
		return nil, withSessionCredentials("GetAccessKeyInfo")
	}
	k, ok := s.keys.Get(in.AccessKeyId)
	if !ok || k.Principal == nil {
		return nil, awserr.Newf(awserr.KindUnknownAccessKey, "")
	}
	account := k.Principal.Account
	return &GetAccessKeyInfoOutput{Account: &account}, nil
}

// decodeAuthorizationMessage turns the encoded message of a denial (EC2's UnauthorizedOperation) back into the
// decision, as AWS's JSON document. It needs sts:DecodeAuthorizationMessage, and decodes only the messages of
// decisions about principals of the caller's account.
func (s *Service) decodeAuthorizationMessage(ctx context.Context, c *api.Call, in *DecodeAuthorizationMessageInput) (*DecodeAuthorizationMessageOutput, error) {
	if err := c.Authorize(ctx, api.Authorization{Action: "sts:DecodeAuthorizationMessage"}); err != nil {
		return nil, err
	}
	if s.restricted(c.Principal) {
		return nil, withSessionCredentials("DecodeAuthorizationMessage")
	}
	z := s.authz()
	if z == nil {
		return nil, awserr.Internal(errNoAuthorizer)
	}
	// The model's InvalidAuthorizationMessageException: "the message passed to DecodeAuthorizationMessage was
	// invalid". AWS's text is not known.
	invalid := awserr.New("InvalidAuthorizationMessageException", "The encoded authorization message is not valid.")
	account, ok := z.DecodedAccount(in.EncodedMessage)
	if !ok || account != c.Account() {
		return nil, invalid
	}
	msg, ok := z.DecodeMessage(in.EncodedMessage)
	if !ok {
		return nil, invalid
	}
	return &DecodeAuthorizationMessageOutput{DecodedMessage: &msg}, nil
}
