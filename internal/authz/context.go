package authz

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// The global condition keys, as the IAM User Guide's "AWS global condition context keys" spells them.
const (
	keyPrincipalArn          = "aws:PrincipalArn"
	keyPrincipalAccount      = "aws:PrincipalAccount"
	keyPrincipalType         = "aws:PrincipalType"
	keyUserID                = "aws:userid"
	keyUsername              = "aws:username"
	keyPrincipalTag          = "aws:PrincipalTag/"
	keyPrincipalIsAWSService = "aws:PrincipalIsAWSService"
	keyPrincipalServiceName  = "aws:PrincipalServiceName"
	keyRequestedRegion       = "aws:RequestedRegion"
	keyCurrentTime           = "aws:CurrentTime"
	keyEpochTime             = "aws:EpochTime"
	keySecureTransport       = "aws:SecureTransport"
	keySourceIP              = "aws:SourceIp"
	keyMFAPresent            = "aws:MultiFactorAuthPresent"
	keyMFAAge                = "aws:MultiFactorAuthAge"
	keyTokenIssueTime        = "aws:TokenIssueTime"
	keySourceIdentity        = "aws:SourceIdentity"
	keyCalledVia             = "aws:CalledVia"
	keyCalledViaFirst        = "aws:CalledViaFirst"
	keyCalledViaLast         = "aws:CalledViaLast"
	keyViaAWSService         = "aws:ViaAWSService"
	keyResourceAccount       = "aws:ResourceAccount"
)

// isoTime is how aws:CurrentTime and aws:TokenIssueTime read: ISO 8601, UTC.
const isoTime = "2006-01-02T15:04:05Z"

// builder sets single-valued keys with one backing array for all their values, rather than one slice each.
type builder struct {
	ctx  *policy.Context
	vals []string
}

func (b *builder) set(key, value string) {
	b.vals = append(b.vals, value)
	n := len(b.vals)
	b.ctx.Set(key, b.vals[n-1:n:n]...)
}

// clockKeys is aws:CurrentTime and aws:EpochTime for one second, kept so that the requests of that second share
// their strings.
type clockKeys struct {
	unix         int64
	iso, seconds string
}

func (z *Authorizer) clockKeys(now time.Time) *clockKeys {
	unix := now.Unix()
	if k := z.clock.Load(); k != nil && k.unix == unix {
		return k
	}
	k := &clockKeys{unix: unix, iso: now.UTC().Format(isoTime), seconds: strconv.FormatInt(unix, 10)}
	z.clock.Store(k)
	return k
}

// requestContext fills the request context of a call as AWS fills it: the global keys of the principal and of the
// request, then the keys the handler gave (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*, service keys).
func (z *Authorizer) requestContext(c *api.Call, a *api.Authorization, pp *PrincipalPolicies, s *Session) *policy.Context {
	ctx := &builder{ctx: new(policy.Context), vals: make([]string, 0, 24)}
	p := c.Principal
	if p.Type == api.Service {
		// A service principal (sagemaker.amazonaws.com assuming an execution role) has no ARN, account or user id.
		ctx.set(keyPrincipalServiceName, serviceName(p))
		ctx.set(keyPrincipalIsAWSService, "true")
	} else {
		ctx.set(keyPrincipalArn, principalARN(p, s))
		ctx.set(keyPrincipalAccount, p.Account)
		ctx.set(keyPrincipalType, string(p.Type))
		ctx.set(keyUserID, p.UserID)
		if p.Type == api.User {
			ctx.set(keyUsername, p.Name)
		}
		ctx.set(keyPrincipalIsAWSService, "false")
		setPrincipalTags(ctx, pp, s)
	}

	region := c.Region
	if c.Service == "iam" {
		// IAM has one endpoint, in us-east-1: "IAM calls are always made to the us-east-1 Region", whatever region
		// the client signed for.
		region = "us-east-1"
	}
	if region != "" {
		ctx.set(keyRequestedRegion, region)
	}
	clock := z.clockKeys(c.Now)
	ctx.set(keyCurrentTime, clock.iso)
	ctx.set(keyEpochTime, clock.seconds)
	ctx.set(keySecureTransport, strconv.FormatBool(c.SecureTransport))

	via := a.Context[keyCalledVia]
	if len(via) > 0 {
		ctx.ctx.Set(keyCalledVia, via...)
		ctx.set(keyCalledViaFirst, via[0])
		ctx.set(keyCalledViaLast, via[len(via)-1])
		ctx.set(keyViaAWSService, "true")
	} else {
		ctx.set(keyViaAWSService, "false")
		if c.SourceIP != "" {
			ctx.set(keySourceIP, c.SourceIP)
		}
	}
	// Only temporary credentials carry aws:MultiFactorAuthPresent; a service calling on a principal's behalf uses
	// temporary credentials even for an IAM user's long-term key, and sets it to false.
	if temporary(p) || len(via) > 0 {
		ctx.set(keyMFAPresent, strconv.FormatBool(s != nil && s.MFA))
	}
	if s != nil {
		if !s.Issued.IsZero() {
			ctx.set(keyTokenIssueTime, s.Issued.UTC().Format(isoTime))
		}
		if s.MFA && !s.MFAAuthenticated.IsZero() {
			ctx.set(keyMFAAge, strconv.FormatInt(int64(c.Now.Sub(s.MFAAuthenticated).Seconds()), 10))
		}
		if s.SourceIdentity != "" {
			ctx.set(keySourceIdentity, s.SourceIdentity)
		}
	}
	resourceAccount := a.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = p.Account
	}
	if resourceAccount != "" {
		ctx.set(keyResourceAccount, resourceAccount)
	}

	if len(a.Context) > 0 {
		// In a stable order, for the decision log; the handler's keys come last, so that a handler which knows
		// better (the resource's account) has the last word.
		keys := make([]string, 0, len(a.Context))
		for k := range a.Context {
			if !strings.EqualFold(k, keyCalledVia) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			ctx.ctx.Set(k, a.Context[k]...)
		}
	}
	return ctx.ctx
}

// setPrincipalTags sets aws:PrincipalTag/K for the principal's tags, session tags replacing the principal's own.
func setPrincipalTags(ctx *builder, pp *PrincipalPolicies, s *Session) {
	var own map[string]string
	if pp != nil {
		own = pp.Tags
	}
	var session map[string]string
	if s != nil {
		session = s.Tags
	}
	if len(own) == 0 && len(session) == 0 {
		return
	}
	var buf [16]string
	keys := buf[:0]
	for k := range own {
		if _, replaced := session[k]; !replaced {
			keys = append(keys, k)
		}
	}
	for k := range session {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, ok := session[k]
		if !ok {
			v = own[k]
		}
		ctx.set(keyPrincipalTag+k, v)
	}
}

// enginePrincipal is p as the policy engine sees it.
func enginePrincipal(p *api.Principal, s *Session) policy.Principal {
	if p.Type == api.Service {
		return policy.Principal{Service: serviceName(p)}
	}
	pr := policy.Principal{ARN: p.ARN, Account: p.Account, UniqueID: uniqueID(p), Root: p.Type == api.Root}
	if p.Type == api.AssumedRole {
		pr.RoleARN = roleARN(p, s)
	}
	return pr
}

// principalARN is aws:PrincipalArn: the role's ARN for a role session ("For IAM roles, the request context returns
// the ARN of the role, not the ARN of the user that assumed the role"), the principal's ARN otherwise.
func principalARN(p *api.Principal, s *Session) string {
	if p.Type == api.AssumedRole {
		return roleARN(p, s)
	}
	return p.ARN
}

// roleARN is the role of a role session: STS's word when it gave one (with the role's path), else derived from the
// session ARN arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (without a path, which the session ARN does not
// carry).
func roleARN(p *api.Principal, s *Session) string {
	if s != nil && s.RoleARN != "" {
		return s.RoleARN
	}
	const marker = ":assumed-role/"
	i := strings.Index(p.ARN, marker)
	if i < 0 || !strings.HasPrefix(p.ARN, "arn:") {
		return p.ARN
	}
	rest := p.ARN[i+len(marker):]
	role, _, ok := strings.Cut(rest, "/")
	if !ok || role == "" {
		return p.ARN
	}
	// arn:PARTITION:sts::ACCOUNT → arn:PARTITION:iam::ACCOUNT
	head := p.ARN[:i]
	parts := strings.SplitN(head, ":", 5)
	if len(parts) != 5 {
		return p.ARN
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + role
}

// uniqueID is the principal's unique id, by which resource policies may name it: a user's AIDA…, a role session's
// role id (the part of aws:userid before the session name), the account id for root.
func uniqueID(p *api.Principal) string {
	if p.Type == api.AssumedRole {
		if id, _, ok := strings.Cut(p.UserID, ":"); ok {
			return id
		}
	}
	return p.UserID
}

// serviceName is a service principal's name ("sagemaker.amazonaws.com"): its Name, or else its ARN field.
func serviceName(p *api.Principal) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ARN
}
