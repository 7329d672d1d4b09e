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

// globalKeys are the global condition keys prepared for policy.Context once for the process (lower-cased and
// hashed), so that filling a request's context costs no allocation per key. It is never changed.
var globalKeys = struct {
	principalArn, principalAccount, principalType, userID, username, principalIsAWSService, principalServiceName,
	requestedRegion, currentTime, epochTime, secureTransport, sourceIP, mfaPresent, mfaAge, tokenIssueTime,
	sourceIdentity, calledVia, calledViaFirst, calledViaLast, viaAWSService, resourceAccount policy.Key
}{
	principalArn:          policy.NewKey(keyPrincipalArn),
	principalAccount:      policy.NewKey(keyPrincipalAccount),
	principalType:         policy.NewKey(keyPrincipalType),
	userID:                policy.NewKey(keyUserID),
	username:              policy.NewKey(keyUsername),
	principalIsAWSService: policy.NewKey(keyPrincipalIsAWSService),
	principalServiceName:  policy.NewKey(keyPrincipalServiceName),
	requestedRegion:       policy.NewKey(keyRequestedRegion),
	currentTime:           policy.NewKey(keyCurrentTime),
	epochTime:             policy.NewKey(keyEpochTime),
	secureTransport:       policy.NewKey(keySecureTransport),
	sourceIP:              policy.NewKey(keySourceIP),
	mfaPresent:            policy.NewKey(keyMFAPresent),
	mfaAge:                policy.NewKey(keyMFAAge),
	tokenIssueTime:        policy.NewKey(keyTokenIssueTime),
	sourceIdentity:        policy.NewKey(keySourceIdentity),
	calledVia:             policy.NewKey(keyCalledVia),
	calledViaFirst:        policy.NewKey(keyCalledViaFirst),
	calledViaLast:         policy.NewKey(keyCalledViaLast),
	viaAWSService:         policy.NewKey(keyViaAWSService),
	resourceAccount:       policy.NewKey(keyResourceAccount),
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
// request, then the keys the handler gave (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*, service keys). It
// allocates the Context and its array of keys, and nothing else for the keys most requests carry.
func (z *Authorizer) requestContext(c *api.Call, a *api.Authorization, pp *PrincipalPolicies, s *Session) *policy.Context {
	own, session := pp.tags(), s.tags()
	p := c.Principal
	via := a.Context[keyCalledVia]
	ctx := policy.NewContext(contextSize(p, s, via) + len(own.keys) + len(session.keys) + len(a.Context))
	k := &globalKeys
	if p.Type == api.Service {
		// A service principal (sagemaker.amazonaws.com assuming an execution role) has no ARN, account or user id.
		ctx.SetValue(k.principalServiceName, serviceName(p))
		ctx.SetValue(k.principalIsAWSService, "true")
	} else {
		ctx.SetValue(k.principalArn, principalARN(p, s))
		ctx.SetValue(k.principalAccount, p.Account)
		ctx.SetValue(k.principalType, string(p.Type))
		ctx.SetValue(k.userID, p.UserID)
		if p.Type == api.User {
			ctx.SetValue(k.username, p.Name)
		}
		ctx.SetValue(k.principalIsAWSService, "false")
		setPrincipalTags(ctx, own, session)
	}

	region := c.Region
	if c.Service == "iam" {
		// IAM has one endpoint, in us-east-1: "IAM calls are always made to the us-east-1 Region", whatever region
		// the client signed for.
		region = "us-east-1"
	}
	if region != "" {
		ctx.SetValue(k.requestedRegion, region)
	}
	clock := z.clockKeys(c.Now)
	ctx.SetValue(k.currentTime, clock.iso)
	ctx.SetValue(k.epochTime, clock.seconds)
	ctx.SetValue(k.secureTransport, strconv.FormatBool(c.SecureTransport))

	if len(via) > 0 {
		ctx.SetKey(k.calledVia, via...)
		ctx.SetValue(k.calledViaFirst, via[0])
		ctx.SetValue(k.calledViaLast, via[len(via)-1])
		ctx.SetValue(k.viaAWSService, "true")
	} else {
		ctx.SetValue(k.viaAWSService, "false")
		if c.SourceIP != "" {
			ctx.SetValue(k.sourceIP, c.SourceIP)
		}
	}
	// Only temporary credentials carry aws:MultiFactorAuthPresent; a service calling on a principal's behalf uses
	// temporary credentials even for an IAM user's long-term key, and sets it to false.
	if temporary(p) || len(via) > 0 {
		ctx.SetValue(k.mfaPresent, strconv.FormatBool(s != nil && s.MFA))
	}
	if s != nil {
		if !s.Issued.IsZero() {
			ctx.SetValue(k.tokenIssueTime, s.Issued.UTC().Format(isoTime))
		}
		if s.MFA && !s.MFAAuthenticated.IsZero() {
			ctx.SetValue(k.mfaAge, strconv.FormatInt(int64(c.Now.Sub(s.MFAAuthenticated).Seconds()), 10))
		}
		if s.SourceIdentity != "" {
			ctx.SetValue(k.sourceIdentity, s.SourceIdentity)
		}
	}
	resourceAccount := a.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = p.Account
	}
	if resourceAccount != "" {
		ctx.SetValue(k.resourceAccount, resourceAccount)
	}

	if len(a.Context) > 0 {
		// In a stable order, for the decision log; the handler's keys come last, so that a handler which knows
		// better (the resource's account) has the last word.
		var buf [8]string
		keys := buf[:0]
		for key := range a.Context {
			if !strings.EqualFold(key, keyCalledVia) {
				keys = append(keys, key)
			}
		}
		slices.Sort(keys)
		for _, key := range keys {
			ctx.Set(key, a.Context[key]...)
		}
	}
	return ctx
}

// contextSize is how many global keys requestContext sets at most for the principal p with the session s, for a
// call made through the services via, besides the principal's tags: the Context is made that large at once.
func contextSize(p *api.Principal, s *Session, via []string) int {
	// The principal's ARN, account, type, user id, user name and aws:PrincipalIsAWSService; the region, the
	// time twice, the transport, the resource's account; aws:ViaAWSService and aws:SourceIp.
	n := 6 + 5 + 2
	if len(via) > 0 {
		n += 2 // aws:CalledVia, aws:CalledViaFirst and aws:CalledViaLast rather than aws:SourceIp
	}
	if temporary(p) || len(via) > 0 {
		n++ // aws:MultiFactorAuthPresent
	}
	if s != nil {
		n += 3 // aws:TokenIssueTime, aws:MultiFactorAuthAge, aws:SourceIdentity
	}
	return n
}

// principalTags is a principal's tags as aws:PrincipalTag/* keys, prepared once for the principal (see
// PrincipalPolicies.tags), sorted by tag key without regard to case: tag keys are case-insensitive when a session
// tag replaces a tag of the role or user ("Session tags … override a role or user tag with the same key,
// regardless of case", IAM User Guide, Passing session tags).
type principalTags struct {
	names  []string // the tag keys, lower-cased
	keys   []policy.Key
	values []string
}

func newPrincipalTags(tags map[string]string) *principalTags {
	orig := make([]string, 0, len(tags))
	for name := range tags {
		orig = append(orig, name)
	}
	slices.SortFunc(orig, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	pt := &principalTags{names: make([]string, len(orig)), keys: make([]policy.Key, len(orig)), values: make([]string, len(orig))}
	for i, name := range orig {
		pt.names[i] = strings.ToLower(name)
		pt.keys[i] = policy.NewKey(keyPrincipalTag + name)
		pt.values[i] = tags[name]
	}
	return pt
}

// tags returns the principal's tags prepared, once: the first request of the principal prepares them, and the
// ones after share them. A nil *PrincipalPolicies has none.
func (pp *PrincipalPolicies) tags() principalTags {
	if pp == nil || len(pp.Tags) == 0 {
		return principalTags{}
	}
	if pt := pp.prepared.Load(); pt != nil {
		return *pt
	}
	pt := newPrincipalTags(pp.Tags)
	pp.prepared.Store(pt)
	return *pt
}

// tags returns the session tags prepared. A session is looked up for each request, so they are prepared each time.
func (s *Session) tags() principalTags {
	if s == nil || len(s.Tags) == 0 {
		return principalTags{}
	}
	return *newPrincipalTags(s.Tags)
}

// setPrincipalTags sets aws:PrincipalTag/K for the principal's tags, session tags replacing the principal's own,
// in the order of K.
func setPrincipalTags(ctx *policy.Context, own, session principalTags) {
	i, j := 0, 0
	for i < len(own.names) || j < len(session.names) {
		switch {
		case j == len(session.names) || i < len(own.names) && own.names[i] < session.names[j]:
			ctx.SetValue(own.keys[i], own.values[i])
			i++
		default:
			if i < len(own.names) && own.names[i] == session.names[j] {
				i++ // replaced
			}
			ctx.SetValue(session.keys[j], session.values[j])
			j++
		}
	}
}

// enginePrincipal is p as the policy engine sees it.
func enginePrincipal(p *api.Principal, s *Session) policy.Principal {
	if p.Type == api.Service {
		return policy.Principal{Service: serviceName(p)}
	}
	if p.Type == api.WebIdentity {
		// A web identity is known by its identity provider, which trust policies name as a Federated principal.
		return policy.Principal{Federated: p.ARN}
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
