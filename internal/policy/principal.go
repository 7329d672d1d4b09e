package policy

import (
	"slices"
	"strings"
)

// acceptedPrincipal reports whether IAM accepts a principal of a trust or resource policy by its form. The IAM
// User Guide ("AWS JSON policy elements: Principal"): "*" alone means everyone, and a wildcard cannot stand for part
// of a name or ARN; an account is its 12-digit ID or its root ARN; users and roles by ARN; role sessions and
// federated users by their STS ARNs; services by their service principal; identity providers by ARN or by the
// names of the public providers.
func acceptedPrincipal(e principalEntry, kind Kind) bool {
	switch e.typ {
	case "AWS":
		return e.value == "*" || awsPrincipal(e.value)
	case "Service":
		return servicePrincipal(e.value)
	case "Federated":
		return federatedPrincipal(e.value)
	case "CanonicalUser":
		// Only S3 takes canonical user IDs (the grammar's notes); a role cannot trust one.
		return kind != Trust && len(e.value) == 64 && isHex(e.value)
	}
	return false
}

// awsPrincipal reports whether s names an AWS account, an IAM user or role, a role session or a federated user.
func awsPrincipal(s string) bool {
	if isAccountID(s) || uniqueID(s) {
		return true
	}
	a, ok := principalARN(s)
	if !ok {
		return false
	}
	switch a.service {
	case "iam":
		if a.resource == "root" {
			return true
		}
		kind, rest, _ := strings.Cut(a.resource, "/")
		return (kind == "user" || kind == "role") && pathName(rest)
	case "sts":
		kind, rest, _ := strings.Cut(a.resource, "/")
		switch kind {
		case "assumed-role":
			role, session, ok := strings.Cut(rest, "/")
			return ok && role != "" && session != "" && !strings.Contains(session, "/")
		case "federated-user":
			return rest != "" && !strings.Contains(rest, "/")
		}
	}
	return false
}

// uniqueID reports whether s is the unique ID of an IAM user or role, which IAM shows in place of the ARN once the
// principal is deleted.
func uniqueID(s string) bool {
	if len(s) != 21 || !(strings.HasPrefix(s, "AIDA") || strings.HasPrefix(s, "AROA")) {
		return false
	}
	for i := 4; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

type principalARNParts struct {
	service, account, resource string
}

// principalARN splits an ARN that can name a principal: a known partition, no region, a 12-digit account, and no
// wildcard anywhere.
func principalARN(s string) (principalARNParts, bool) {
	if strings.ContainsAny(s, "*?") {
		return principalARNParts{}, false
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !slices.Contains(partitions, parts[1]) || parts[3] != "" ||
		!isAccountID(parts[4]) || parts[5] == "" {
		return principalARNParts{}, false
	}
	return principalARNParts{service: parts[2], account: parts[4], resource: parts[5]}, true
}

// pathName reports whether s is an IAM name after an optional path: "name" or "path/to/name".
func pathName(s string) bool {
	if s == "" || strings.HasSuffix(s, "/") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || strings.IndexByte("+=,.@_-/", c) >= 0) {
			return false
		}
	}
	return true
}

// servicePrincipal reports whether s has the form of a service principal: DNS labels ending in amazonaws.com
// (amazonaws.com.cn in China), with at least one label before it. IAM refuses "amazonaws.com" alone
// (aws-samples/aws-cdk-examples#801).
func servicePrincipal(s string) bool {
	host, ok := strings.CutSuffix(s, ".amazonaws.com")
	if !ok {
		host, ok = strings.CutSuffix(s, ".amazonaws.com.cn")
	}
	if !ok || host == "" {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// publicIdentityProviders are the web identity providers a trust policy names without an ARN (the IAM User
// Guide: Login with Amazon, Facebook, Google, and Amazon Cognito).
var publicIdentityProviders = []string{"www.amazon.com", "graph.facebook.com", "accounts.google.com", "cognito-identity.amazonaws.com"}

// federatedPrincipal reports whether s names an identity provider: a public one, or a SAML or OIDC provider ARN.
func federatedPrincipal(s string) bool {
	if slices.Contains(publicIdentityProviders, s) {
		return true
	}
	a, ok := principalARN(s)
	if !ok || a.service != "iam" {
		return false
	}
	kind, rest, _ := strings.Cut(a.resource, "/")
	return (kind == "saml-provider" || kind == "oidc-provider") && rest != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// AWSPrincipals returns the AWS principals of the document that name IAM users and roles (by ARN, or by the
// unique ID IAM shows for a deleted one), once each, in document order, from Principal and NotPrincipal alike.
// IAM refuses a trust policy that names a user or role that does not exist; the caller checks each and answers
// InvalidPrincipal("AWS", value) for the first missing one.
func (d *Document) AWSPrincipals() []string {
	var out []string
	add := func(p *Principals) {
		if p == nil {
			return
		}
		for _, v := range p.AWS {
			if (namesUserOrRole(v) || uniqueID(v)) && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	for _, s := range d.Statements {
		add(s.Principal)
		add(s.NotPrincipal)
	}
	return out
}

func namesUserOrRole(v string) bool {
	a, ok := principalARN(v)
	if !ok || a.service != "iam" {
		return false
	}
	return strings.HasPrefix(a.resource, "user/") || strings.HasPrefix(a.resource, "role/")
}
