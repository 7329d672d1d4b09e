package sts

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/oidc"
	"github.com/sagebox/sagebox/internal/store"
)

// AssumeRoleWithWebIdentity: a role session for the user of an OpenID Connect identity provider, proven by an ID
// token the provider signed, as the STS API Reference and the IAM User Guide ("OIDC federation") describe it:
//
//   - The request is not signed ("Calling AssumeRoleWithWebIdentity does not require the use of AWS security
//     credentials"): the server lets it through unsigned (api.Operation.Anonymous), and the token says who calls.
//   - The token's iss names an IAM OIDC provider of the role's account; its signature must verify, it must not have
//     expired (IAM allows five minutes of clock skew), it must have sub and aud, and one of its audiences must be
//     one of the provider's client ids.
//   - The role's trust policy must allow sts:AssumeRoleWithWebIdentity to the Federated principal that is the
//     provider's ARN, with the token's claims as condition keys (PROVIDER:sub, PROVIDER:aud, …).
//   - The session is a role session like AssumeRole's: DurationSeconds up to the role's MaxSessionDuration, session
//     policies, and the session tags and source identity the token carries in its https://aws.amazon.com/ claims.
//
// sagebox fetches no keys from the internet: the keys it verifies tokens with are those of its built-in test
// issuer (package oidc), which it trusts for every OIDC provider, whatever the provider's URL. That is the point:
// CI pipelines mint tokens with `sagebox oidc token` for https://token.actions.githubusercontent.com and test their
// trust policies offline. A token signed by any other key is refused.

// Providers is what AssumeRoleWithWebIdentity needs of IAM: the account's OIDC provider for a token's issuer.
// *iam.Service implements it.
type Providers interface {
	// OIDCProvider returns the OIDC provider of account whose URL is what iss names, read through t; nil when
	// there is none.
	OIDCProvider(t store.Tx, account, iss string) (*oidc.Provider, error)
}

// TokenKeys gives the keys web identity tokens are verified with. *oidc.Issuer implements it.
type TokenKeys interface {
	Keys() (oidc.KeySet, error)
}

// WebIdentity is AssumeRoleWithWebIdentity, built on STS's sessions.
type WebIdentity struct {
	sts       *Service
	providers Providers
	keys      TokenKeys
}

// WebIdentity returns AssumeRoleWithWebIdentity for providers, verifying tokens with keys; Register adds it to
// STS's operations.
func (s *Service) WebIdentity(providers Providers, keys TokenKeys) *WebIdentity {
	return &WebIdentity{sts: s, providers: providers, keys: keys}
}

// Register adds AssumeRoleWithWebIdentity to h, taking unsigned requests as AWS does.
func (w *WebIdentity) Register(h *api.ServiceHandlers) {
	api.Write(h, "AssumeRoleWithWebIdentity", w.assumeRoleWithWebIdentity)
	h.Operation("AssumeRoleWithWebIdentity").Anonymous = true
}

// tokenSkew is the clock skew IAM allows a token: "IAM provides a five-minute window beyond the expiration time in
// the JWT to account for clock skew" (IAM User Guide, "OIDC federation").
const tokenSkew = 5 * time.Minute

// The claims through which an identity provider passes session tags and a source identity (IAM User Guide,
// "Passing session tags using AssumeRoleWithWebIdentity", "Set a source identity").
const (
	tagsClaim           = "https://aws.amazon.com/tags"
	sourceIdentityClaim = "https://aws.amazon.com/source_identity"
)

// githubClaims are the claims of GitHub Actions tokens that STS makes condition keys of, besides sub and aud
// (AWS, "AWS STS supports validation of select identity provider specific claims", January 2026):
// token.actions.githubusercontent.com:repository and so on.
var githubClaims = []string{"actor", "actor_id", "job_workflow_ref", "repository", "repository_id", "workflow", "ref", "environment", "enterprise_id"}

const githubProvider = "token.actions.githubusercontent.com"

// The refusals of a web identity token, with AWS's texts as public reports show them.
func invalidToken(format string, args ...any) error {
	return awserr.New("InvalidIdentityToken", format, args...)
}

// errNotAJWT is AWS's answer to a token that does not parse.
func errNotAJWT() error {
	return invalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
}

// errNoVerificationKey is AWS's answer when it cannot get the key the token names from the issuer's JWKS (two
// spaces and all).
func errNoVerificationKey() error {
	return invalidToken("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
}

// errNotValidated is the model's description of InvalidIdentityToken, for a token whose signature does not verify
// with the key it names: AWS's own text for that case is not known.
func errNotValidated() error {
	return invalidToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
}

func errMissingClaim(claim string) error {
	return invalidToken("Missing a required claim: %s", claim)
}

// errNotAuthorized is AWS's refusal of a web identity that the role does not trust, or of a role that does not
// exist: it does not say which.
func errNotAuthorized() error {
	return accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

func (w *WebIdentity) assumeRoleWithWebIdentity(ctx context.Context, c *api.Call, in *AssumeRoleWithWebIdentityInput) (*AssumeRoleWithWebIdentityOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	checked, err := w.checkToken(t, in, c.Now)
	if err != nil {
		// The token is checked before any policy applies (AWS does not even log these failures in CloudTrail):
		// the decision recorded says that presenting a token needs no permission, so that the dispatcher, which
		// answers only for handlers that asked, answers with the token's refusal.
		if authErr := c.Authorize(ctx, api.Authorization{Action: "sts:AssumeRoleWithWebIdentity", Resources: []string{in.RoleArn}, NoPermissionRequired: true}); authErr != nil {
			return nil, authErr
		}
		return nil, err
	}
	return w.assume(ctx, c, t, in, checked)
}

// checkedToken is a token that passed the checks that need no policy.
type checkedToken struct {
	token    *oidc.Token
	provider *oidc.Provider
	account  string
	role     *Role
	subject  string
	audience string
}

// checkToken checks the request and its token as far as no policy is involved: the role ARN, the token's form,
// its provider, signature, times and audience.
func (w *WebIdentity) checkToken(t store.Tx, in *AssumeRoleWithWebIdentityInput, now time.Time) (*checkedToken, error) {
	account, path, name, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, validationError(in.RoleArn + " is invalid")
	}
	if in.ProviderId != nil {
		// OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com are verified by asking those providers,
		// which sagebox, offline, cannot do. (Not AWS's text: AWS would ask.)
		return nil, awserr.New("IDPCommunicationError", "sagebox works offline and cannot ask %s to verify an OAuth 2.0 access token: use an OpenID Connect ID token and an IAM OIDC provider, without ProviderId", *in.ProviderId)
	}
	tok, err := oidc.Parse(in.WebIdentityToken)
	if err != nil {
		return nil, errNotAJWT()
	}
	iss := tok.Issuer()
	if iss == "" {
		return nil, errMissingClaim("iss")
	}
	provider, err := w.providers.OIDCProvider(t, account, iss)
	if err != nil {
		return nil, err
	}
	if provider == nil {
		return nil, invalidToken("No OpenIDConnect provider found in your account for %s", iss)
	}
	keys, err := w.keys.Keys()
	if err != nil {
		return nil, err
	}
	if err := tok.VerifySignature(keys); err != nil {
		if errors.Is(err, oidc.ErrSignature) {
			return nil, errNotValidated()
		}
		// An unknown key id, or an algorithm sagebox's issuer does not sign with: no key to verify with.
		return nil, errNoVerificationKey()
	}
	if err := tok.CheckTime(now, tokenSkew); err != nil {
		return nil, timeError(tok, now, err)
	}
	sub := tok.Subject()
	if sub == "" {
		return nil, errMissingClaim("sub")
	}
	if len(tok.Audience()) == 0 {
		return nil, errMissingClaim("aud")
	}
	aud, ok := matchAudience(tok, provider.ClientIDs)
	if !ok {
		return nil, invalidToken("Incorrect token audience")
	}
	var role *Role
	if w.sts.roles != nil {
		if role, err = w.sts.roles.Role(t, account, name); err != nil {
			return nil, err
		}
		if role != nil && role.Path != path {
			role = nil
		}
	}
	return &checkedToken{token: tok, provider: provider, account: account, role: role, subject: sub, audience: aud}, nil
}

// timeError turns a refused time into AWS's answer: ExpiredTokenException with AWS's text for an expired token,
// InvalidIdentityToken otherwise.
func timeError(tok *oidc.Token, now time.Time, err error) error {
	var e *oidc.Error
	switch {
	case errors.Is(err, oidc.ErrExpired):
		exp, _, _ := tok.Time("exp")
		return awserr.New("ExpiredTokenException", "Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())
	case errors.Is(err, oidc.ErrMissingClaim):
		return errMissingClaim("exp")
	case errors.Is(err, oidc.ErrNotYetValid) && errors.As(err, &e):
		// AWS's text for a token used before its nbf or iat is not known.
		return invalidToken("The token is not valid yet: %s", e.Detail)
	}
	return errNotAJWT()
}

// matchAudience returns the token's audience that the provider accepts: its azp when it has one ("the aud key
// maps to the azp claim" for providers that set it), else the first of its aud values among the client ids.
func matchAudience(tok *oidc.Token, clientIDs []string) (string, bool) {
	if azp, ok := tok.String("azp"); ok && slices.Contains(clientIDs, azp) {
		return azp, true
	}
	return tok.MatchAudience(clientIDs)
}

// webIdentityKeys are the condition keys a trust policy sees of a token, prefixed with the provider's URL:
// PROVIDER:sub, PROVIDER:aud (the token's azp when it has one, else the audience accepted), PROVIDER:oaud (its
// other audiences, when azp is set), PROVIDER:azp, PROVIDER:amr and PROVIDER:email when the token has them, and for
// GitHub Actions tokens the claims STS validates (token.actions.githubusercontent.com:repository, …).
func webIdentityKeys(ct *checkedToken) map[string][]string {
	pre := ct.provider.URL + ":"
	tok := ct.token
	keys := map[string][]string{pre + "sub": {ct.subject}, pre + "aud": {ct.audience}}
	if azp, ok := tok.String("azp"); ok {
		keys[pre+"azp"] = []string{azp}
		keys[pre+"aud"] = []string{azp}
		keys[pre+"oaud"] = tok.Audience()
	}
	switch amr := tok.Claims["amr"].(type) {
	case string:
		keys[pre+"amr"] = []string{amr}
	case []any:
		var vals []string
		for _, v := range amr {
			if s, ok := v.(string); ok {
				vals = append(vals, s)
			}
		}
		keys[pre+"amr"] = vals
	}
	if email, ok := tok.String("email"); ok {
		keys[pre+"email"] = []string{email}
	}
	if ct.provider.URL == githubProvider {
		for _, claim := range githubClaims {
			if v, ok := tok.String(claim); ok {
				keys[pre+claim] = []string{v}
			}
		}
	}
	return keys
}

// tokenTags reads the session tags a token passes: {"principal_tags": {"K": ["V"]}, "transitive_tag_keys": ["K"]}
// under https://aws.amazon.com/tags. Each tag has exactly one value.
func tokenTags(tok *oidc.Token) ([]*Tag, []string, error) {
	raw, ok := tok.Claims[tagsClaim]
	if !ok {
		return nil, nil, nil
	}
	bad := invalidToken("The claim %s must be {\"principal_tags\": {\"KEY\": [\"VALUE\"]}, \"transitive_tag_keys\": [\"KEY\"]}", tagsClaim)
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, bad
	}
	var tags []*Tag
	if pt, present := obj["principal_tags"]; present {
		m, ok := pt.(map[string]any)
		if !ok {
			return nil, nil, bad
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			vals, ok := m[k].([]any)
			if !ok || len(vals) != 1 {
				return nil, nil, bad
			}
			v, ok := vals[0].(string)
			if !ok {
				return nil, nil, bad
			}
			tags = append(tags, &Tag{Key: k, Value: v})
		}
	}
	var transitive []string
	if tk, present := obj["transitive_tag_keys"]; present {
		list, ok := tk.([]any)
		if !ok {
			return nil, nil, bad
		}
		for _, v := range list {
			s, ok := v.(string)
			if !ok {
				return nil, nil, bad
			}
			transitive = append(transitive, s)
		}
	}
	return tags, transitive, nil
}

// assume decides the trust for a checked token and issues the session.
func (w *WebIdentity) assume(ctx context.Context, c *api.Call, t store.Tx, in *AssumeRoleWithWebIdentityInput, ct *checkedToken) (*AssumeRoleWithWebIdentityOutput, error) {
	s := w.sts
	// From here on, the caller is the provider's user, as trust policies name it: Federated, the provider's ARN.
	c.Principal = &api.Principal{
		Type:    api.WebIdentity,
		Account: ct.account,
		ARN:     ct.provider.ARN,
		UserID:  ct.provider.URL + ":" + ct.audience + ":" + ct.subject,
		Name:    ct.subject,
	}
	tags, transitive, err := tokenTags(ct.token)
	if err != nil {
		return nil, err
	}
	keys := webIdentityKeys(ct)
	keys["sts:RoleSessionName"] = []string{in.RoleSessionName}
	addRequestTags(keys, tags, transitive)
	source, hasSource := ct.token.String(sourceIdentityClaim)
	if hasSource {
		keys["sts:SourceIdentity"] = []string{source}
	}
	resource, trust := in.RoleArn, s.noTrust
	if ct.role != nil {
		resource, trust = ct.role.ARN, ct.role.Trust
		for k, v := range ct.role.Tags {
			keys["aws:ResourceTag/"+k] = []string{v}
			keys["iam:ResourceTag/"+k] = []string{v}
		}
	}
	authorize := func(action string, context map[string][]string) error {
		err := c.Authorize(ctx, api.Authorization{
			Action: action, Resources: []string{resource}, ResourceAccount: ct.account, ResourcePolicy: trust, Context: context,
		})
		if e := awserr.As(err); e != nil && e.Kind == awserr.KindAccessDenied {
			// AWS does not say why; the decision log does.
			if action == "sts:AssumeRoleWithWebIdentity" {
				return errNotAuthorized()
			}
			return accessDenied("Not authorized to perform %s", action)
		}
		return err
	}
	if err := authorize("sts:AssumeRoleWithWebIdentity", keys); err != nil {
		return nil, err
	}
	if ct.role == nil {
		// Only an authorizer that lets everything through (audit or off mode) gets here.
		return nil, errNotAuthorized()
	}
	if len(tags) > 0 {
		tagKeys := map[string][]string{}
		addRequestTags(tagKeys, tags, transitive)
		for k, v := range ct.role.Tags {
			tagKeys["aws:ResourceTag/"+k] = []string{v}
		}
		if err := authorize("sts:TagSession", tagKeys); err != nil {
			return nil, err
		}
	}
	if hasSource {
		if err := authorize("sts:SetSourceIdentity", map[string][]string{"sts:SourceIdentity": {source}}); err != nil {
			return nil, err
		}
	}

	duration := int32(defaultRoleDuration)
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
	}
	if duration > ct.role.MaxSessionDuration {
		return nil, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	spec := &sessionSpec{
		Kind:           roleSession,
		Now:            c.Now,
		Duration:       time.Duration(duration) * time.Second,
		Role:           ct.role,
		SessionName:    in.RoleSessionName,
		SourceIdentity: source,
	}
	if spec.Tags, spec.Transitive, err = sessionTags(tags, transitive, nil); err != nil {
		return nil, err
	}
	// The model bounds Policy to 2,048 characters for this operation: no plaintext check of STS's own.
	if err := s.sessionPolicies(t, ct.account, in.Policy, in.PolicyArns, false, spec); err != nil {
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
	res := &AssumeRoleWithWebIdentityOutput{
		Credentials:                 &out.Credentials,
		SubjectFromWebIdentityToken: &ct.subject,
		AssumedRoleUser:             out.AssumedRoleUser,
		Provider:                    &ct.provider.ARN,
		Audience:                    &ct.audience,
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(tags) > 0 {
		res.PackedPolicySize = &packed
	}
	if hasSource {
		res.SourceIdentity = &source
	}
	return res, nil
}
