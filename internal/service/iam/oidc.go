package iam

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/oidc"
	"github.com/sagebox/sagebox/internal/store"
)

// OpenID Connect identity providers: the IAM entities that let STS accept web identity tokens from an issuer
// (AssumeRoleWithWebIdentity), and that trust policies name as Federated principals.
//
// A provider is a record of its account whose id is its URL without the scheme, host in lower case
// ("token.actions.githubusercontent.com", "oidc.eks.us-east-1.amazonaws.com/id/ABC"): the URL is what makes a
// provider unique in an account, and what its ARN ends with.
const kindOIDCProvider = "iam.oidc-provider"

// Quotas of the IAM User Guide ("IAM object quotas").
const (
	maxOIDCProviders   = 100 // OpenIdConnectProvidersPerAccount
	maxOIDCClientIDs   = 100 // ClientIdsPerOpenIdConnectProvider
	maxOIDCThumbprints = 5
)

type oidcProvider struct {
	URL         string    `json:"url"`
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []tag     `json:"tags,omitempty"`
}

func oidcProviderARN(account, providerURL string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + providerURL
}

func oidcKey(account, providerURL string) store.Key {
	return store.Key{Scope: scope(account, kindOIDCProvider), ID: providerURL}
}

func (s *Service) registerOIDC(h *api.ServiceHandlers) {
	api.Write(h, "CreateOpenIDConnectProvider", s.createOIDCProvider)
	api.Read(h, "GetOpenIDConnectProvider", s.getOIDCProvider)
	api.Read(h, "ListOpenIDConnectProviders", s.listOIDCProviders)
	api.Write(h, "DeleteOpenIDConnectProvider", s.deleteOIDCProvider)
	api.Write(h, "UpdateOpenIDConnectProviderThumbprint", s.updateOIDCThumbprint)
	api.Write(h, "AddClientIDToOpenIDConnectProvider", s.addOIDCClientID)
	api.Write(h, "RemoveClientIDFromOpenIDConnectProvider", s.removeOIDCClientID)
	api.Write(h, "TagOpenIDConnectProvider", s.tagOIDCProvider)
	api.Write(h, "UntagOpenIDConnectProvider", s.untagOIDCProvider)
	api.Read(h, "ListOpenIDConnectProviderTags", s.listOIDCProviderTags)
}

// providerURL is the provider URL IAM keeps for a URL given to CreateOpenIDConnectProvider: host (in lower case)
// and path, without the scheme. The URL "must begin with https://"; "per the OIDC standard, path components are
// allowed but query parameters are not", and it "should not contain a port number".
func providerURL(raw string) (string, error) {
	bad := awserr.Newf(awserr.KindValidation, "Invalid Open ID Connect Provider URL")
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" || u.Port() != "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(u.Host, " *") {
		return "", bad
	}
	return strings.ToLower(u.Hostname()) + u.EscapedPath(), nil
}

// issuerURL is the provider URL a token's iss names: STS looks the provider up by it.
func issuerURL(iss string) string {
	rest := iss
	if len(rest) >= len("https://") && strings.EqualFold(rest[:len("https://")], "https://") {
		rest = rest[len("https://"):]
	}
	host, path, _ := strings.Cut(rest, "/")
	if path != "" || strings.HasSuffix(rest, "/") {
		path = "/" + path
	}
	return strings.ToLower(host) + path
}

// parseProviderARN returns the account and provider URL of arn:aws:iam::ACCOUNT:oidc-provider/URL.
func parseProviderARN(arn string) (account, providerURL string, ok bool) {
	const prefix = "arn:aws:iam::"
	if !strings.HasPrefix(arn, prefix) {
		return "", "", false
	}
	account, rest, found := strings.Cut(arn[len(prefix):], ":")
	name, isProvider := strings.CutPrefix(rest, "oidc-provider/")
	if !found || !isProvider || !isAccountID(account) || name == "" {
		return "", "", false
	}
	host, path, _ := strings.Cut(name, "/")
	if path != "" || strings.HasSuffix(name, "/") {
		path = "/" + path
	}
	return account, strings.ToLower(host) + path, true
}

func noSuchProvider(arn string) error {
	return noSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
}

// resourceTags is the condition context of a request on an existing entity with tags: aws:ResourceTag/KEY.
func resourceTags(ts []tag, keys map[string][]string) map[string][]string {
	if len(ts) == 0 {
		return keys
	}
	out := make(map[string][]string, len(ts)+len(keys))
	for _, t := range ts {
		out["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
	for k, v := range keys {
		out[k] = v
	}
	return out
}

// authorizedProvider reads the provider an operation names, authorizes action on the ARN as given (with the
// provider's tags as aws:ResourceTag/*, and keys), and only then says what is wrong with the ARN: InvalidInput
// when it is not an OIDC provider's ARN, NoSuchEntity when there is no such provider in the caller's account
// (missing may accept that instead, for the idempotent operations). p is nil when missing accepted it.
func authorizedProvider(ctx context.Context, c *api.Call, action, arn string, keys map[string][]string, missingOK bool) (store.Tx, *oidcProvider, *store.Record, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, nil, nil, err
	}
	account, pURL, valid := parseProviderARN(arn)
	var p *oidcProvider
	var rec *store.Record
	if valid && account == c.Account() {
		v, r, err := store.GetDoc[oidcProvider](t, oidcKey(account, pURL))
		switch {
		case err == nil:
			p, rec = &v, r
		case !errors.Is(err, store.ErrNotFound):
			return nil, nil, nil, err
		}
	}
	if p != nil {
		keys = resourceTags(p.Tags, keys)
	}
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:" + action, Resources: []string{arn}, Context: keys}); err != nil {
		return nil, nil, nil, err
	}
	if !valid {
		return nil, nil, nil, invalidInput("ARN %s is not valid.", arn)
	}
	if p == nil && !missingOK {
		return nil, nil, nil, noSuchProvider(arn)
	}
	return t, p, rec, nil
}

func saveProvider(t store.Tx, account string, p *oidcProvider, rec *store.Record) error {
	nr, err := store.NewRecord(oidcKey(account, p.URL), p)
	if err != nil {
		return err
	}
	if rec == nil {
		return t.Create(nr)
	}
	nr.Version = rec.Version
	return t.Put(nr)
}

// uniqueIDs returns ids without repeats, in the order first given: a provider's client ids are a set (adding one
// it has is "idempotent").
func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func checkThumbprints(ts []string) error {
	if len(ts) > maxOIDCThumbprints {
		return invalidInput("Thumbprint list must contain fewer than %d entries.", maxOIDCThumbprints)
	}
	return nil
}

func (s *Service) createOIDCProvider(ctx context.Context, c *api.Call, in *CreateOpenIDConnectProviderInput) (*CreateOpenIDConnectProviderOutput, error) {
	pURL, urlErr := providerURL(in.Url)
	arn := oidcProviderARN(c.Account(), pURL)
	if urlErr != nil {
		// Asked of the URL as given, so that a denied caller learns nothing of its validity.
		arn = oidcProviderARN(c.Account(), strings.TrimPrefix(in.Url, "https://"))
	}
	a := api.Authorization{Action: "iam:CreateOpenIDConnectProvider", Resources: []string{arn}, Context: requestTags(in.Tags)}
	if err := c.Authorize(ctx, a); err != nil {
		return nil, err
	}
	if urlErr != nil {
		return nil, urlErr
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	clients := uniqueIDs(in.ClientIDList)
	if len(clients) > maxOIDCClientIDs {
		return nil, limitExceeded("ClientIdsPerOpenIdConnectProvider", maxOIDCClientIDs)
	}
	tags, err := mergeTags(nil, in.Tags, "TagsPerOpenIdConnectProvider")
	if err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if _, err := t.Get(oidcKey(c.Account(), pURL)); err == nil {
		return nil, entityAlreadyExists("Provider with url %s already exists.", in.Url)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	n, err := t.Count(scope(c.Account(), kindOIDCProvider))
	if err != nil {
		return nil, err
	}
	if n >= maxOIDCProviders {
		return nil, limitExceeded("OpenIdConnectProvidersPerAccount", maxOIDCProviders)
	}
	// Since 2024 the thumbprints are optional: AWS then fetches the issuer's certificate chain and keeps the
	// thumbprint of its top intermediate CA. sagebox fetches nothing, and keeps none.
	p := &oidcProvider{URL: pURL, ClientIDs: clients, Thumbprints: in.ThumbprintList, Created: now(c), Tags: tags}
	if err := saveProvider(t, c.Account(), p, nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("Provider with url %s already exists.", in.Url)
		}
		return nil, err
	}
	return &CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: ptr(arn), Tags: apiTags(tags)}, nil
}

func (s *Service) getOIDCProvider(ctx context.Context, c *api.Call, in *GetOpenIDConnectProviderInput) (*GetOpenIDConnectProviderOutput, error) {
	_, p, _, err := authorizedProvider(ctx, c, "GetOpenIDConnectProvider", in.OpenIDConnectProviderArn, nil, false)
	if err != nil {
		return nil, err
	}
	return &GetOpenIDConnectProviderOutput{
		Url:            ptr(p.URL),
		ClientIDList:   orEmpty(p.ClientIDs),
		ThumbprintList: orEmpty(p.Thumbprints),
		CreateDate:     ptr(p.Created),
		Tags:           apiTags(p.Tags),
	}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listOIDCProviders answers every provider of the account: the operation has no pagination, and the quota keeps
// the list at 100.
func (s *Service) listOIDCProviders(ctx context.Context, c *api.Call, _ *ListOpenIDConnectProvidersInput) (*ListOpenIDConnectProvidersOutput, error) {
	if err := authorize(ctx, c, "ListOpenIDConnectProviders", "*"); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	recs, err := t.List(scope(c.Account(), kindOIDCProvider), store.ListQuery{})
	if err != nil {
		return nil, err
	}
	out := make([]*OpenIDConnectProviderListEntry, len(recs))
	for i, rec := range recs {
		out[i] = &OpenIDConnectProviderListEntry{Arn: ptr(oidcProviderARN(c.Account(), rec.ID))}
	}
	return &ListOpenIDConnectProvidersOutput{OpenIDConnectProviderList: out}, nil
}

// deleteOIDCProvider is idempotent, as the API Reference says: deleting a provider that does not exist "does not
// fail or return an error". Roles that trust it keep their trust policies; assuming them with its tokens fails.
func (s *Service) deleteOIDCProvider(ctx context.Context, c *api.Call, in *DeleteOpenIDConnectProviderInput) (*DeleteOpenIDConnectProviderOutput, error) {
	t, p, rec, err := authorizedProvider(ctx, c, "DeleteOpenIDConnectProvider", in.OpenIDConnectProviderArn, nil, true)
	if err != nil {
		return nil, err
	}
	if p != nil {
		if err := t.Delete(rec.Key); err != nil {
			return nil, err
		}
	}
	return &DeleteOpenIDConnectProviderOutput{}, nil
}

// updateProvider authorizes action on the provider, applies change and saves it.
func (s *Service) updateProvider(ctx context.Context, c *api.Call, action, arn string, keys map[string][]string, change func(*oidcProvider) error) error {
	t, p, rec, err := authorizedProvider(ctx, c, action, arn, keys, false)
	if err != nil {
		return err
	}
	if err := change(p); err != nil {
		return err
	}
	return saveProvider(t, c.Account(), p, rec)
}

func (s *Service) updateOIDCThumbprint(ctx context.Context, c *api.Call, in *UpdateOpenIDConnectProviderThumbprintInput) (*UpdateOpenIDConnectProviderThumbprintOutput, error) {
	err := s.updateProvider(ctx, c, "UpdateOpenIDConnectProviderThumbprint", in.OpenIDConnectProviderArn, nil, func(p *oidcProvider) error {
		if err := checkThumbprints(in.ThumbprintList); err != nil {
			return err
		}
		p.Thumbprints = in.ThumbprintList
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateOpenIDConnectProviderThumbprintOutput{}, nil
}

func (s *Service) addOIDCClientID(ctx context.Context, c *api.Call, in *AddClientIDToOpenIDConnectProviderInput) (*AddClientIDToOpenIDConnectProviderOutput, error) {
	err := s.updateProvider(ctx, c, "AddClientIDToOpenIDConnectProvider", in.OpenIDConnectProviderArn, nil, func(p *oidcProvider) error {
		if slices.Contains(p.ClientIDs, in.ClientID) {
			return nil
		}
		if len(p.ClientIDs) >= maxOIDCClientIDs {
			return limitExceeded("ClientIdsPerOpenIdConnectProvider", maxOIDCClientIDs)
		}
		p.ClientIDs = append(p.ClientIDs, in.ClientID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AddClientIDToOpenIDConnectProviderOutput{}, nil
}

func (s *Service) removeOIDCClientID(ctx context.Context, c *api.Call, in *RemoveClientIDFromOpenIDConnectProviderInput) (*RemoveClientIDFromOpenIDConnectProviderOutput, error) {
	err := s.updateProvider(ctx, c, "RemoveClientIDFromOpenIDConnectProvider", in.OpenIDConnectProviderArn, nil, func(p *oidcProvider) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == in.ClientID })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RemoveClientIDFromOpenIDConnectProviderOutput{}, nil
}

func (s *Service) tagOIDCProvider(ctx context.Context, c *api.Call, in *TagOpenIDConnectProviderInput) (*TagOpenIDConnectProviderOutput, error) {
	err := s.updateProvider(ctx, c, "TagOpenIDConnectProvider", in.OpenIDConnectProviderArn, requestTags(in.Tags), func(p *oidcProvider) error {
		tags, err := mergeTags(p.Tags, in.Tags, "TagsPerOpenIdConnectProvider")
		p.Tags = tags
		return err
	})
	if err != nil {
		return nil, err
	}
	return &TagOpenIDConnectProviderOutput{}, nil
}

func (s *Service) untagOIDCProvider(ctx context.Context, c *api.Call, in *UntagOpenIDConnectProviderInput) (*UntagOpenIDConnectProviderOutput, error) {
	err := s.updateProvider(ctx, c, "UntagOpenIDConnectProvider", in.OpenIDConnectProviderArn, tagKeysContext(in.TagKeys), func(p *oidcProvider) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagOpenIDConnectProviderOutput{}, nil
}

// listOIDCProviderTags answers the provider's tags "sorted by tag key", as the API Reference says of this
// operation.
func (s *Service) listOIDCProviderTags(ctx context.Context, c *api.Call, in *ListOpenIDConnectProviderTagsInput) (*ListOpenIDConnectProviderTagsOutput, error) {
	_, p, _, err := authorizedProvider(ctx, c, "ListOpenIDConnectProviderTags", in.OpenIDConnectProviderArn, nil, false)
	if err != nil {
		return nil, err
	}
	sorted := slices.Clone(p.Tags)
	slices.SortFunc(sorted, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
	tags, truncated, next := pageTags(sorted, in.Marker, in.MaxItems)
	return &ListOpenIDConnectProviderTagsOutput{Tags: tags, IsTruncated: ptr(truncated), Marker: next}, nil
}

// OIDCProvider returns the OIDC provider of account whose URL is what the token issuer iss names
// ("https://token.actions.githubusercontent.com" finds the provider token.actions.githubusercontent.com), or nil
// when there is none. STS calls it, in its call's transaction, to accept a web identity token.
func (s *Service) OIDCProvider(t store.Tx, account, iss string) (*oidc.Provider, error) {
	pURL := issuerURL(iss)
	p, _, err := store.GetDoc[oidcProvider](t, oidcKey(account, pURL))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &oidc.Provider{ARN: oidcProviderARN(account, p.URL), URL: p.URL, ClientIDs: slices.Clone(p.ClientIDs)}, nil
}

// oidcProviderExists reports whether arn names an OIDC provider that exists: a trust policy may name only those as
// Federated principals (IAM refuses others with "Federated principals must be valid domain names or SAML metadata
// ARNs").
func oidcProviderExists(t store.Tx, arn string) (bool, error) {
	account, pURL, ok := parseProviderARN(arn)
	if !ok {
		return false, nil
	}
	_, err := t.Get(oidcKey(account, pURL))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
