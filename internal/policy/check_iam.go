package policy

import (
	"fmt"
	"slices"
	"strings"
)

// checkIdentityBased applies IAM's checks for identity-based policies, in the order IAM reports them. The order
// is the one of moto's validator (moto/iam/policy_validation.py), which was built case by case against IAM's
// answers: the whole document's grammar first, then the version, then what IAM calls legacy parsing (the Effect's
// case, dates, the shape of ARNs), then Sids, then missing actions and resources, and only then the first resource
// and the first action that IAM does not accept.
func checkIdentityBased(rd *rawDocument, kind Kind) *Error {
	if rd == nil {
		return newError(CodeSyntax, -1, "", msgSyntax)
	}
	if rd.problem != nil {
		return syntaxError(-1, rd.problem)
	}
	for _, rs := range rd.stmts {
		if rs.problem != nil {
			return syntaxError(rs.s.Index, rs.problem)
		}
	}
	doc := rd.doc
	if kind == Managed && doc.Version != Version2012 {
		return newError(CodeVersion, -1, doc.Version, msgVersion)
	}
	for _, rs := range rd.stmts {
		if rs.has&(fPrincipal|fNotPrincipal) != 0 {
			return newError(CodePrincipalForbidden, rs.s.Index, "", msgPrincipalForbidden)
		}
	}

	// Legacy parsing: the Effect exactly "Allow" or "Deny", dates IAM can read, then ARNs of a shape the legacy
	// parser reads. A resource IAM refuses for its format is remembered and reported later, after the missing
	// actions and resources; once there is one, the legacy parser looks at no further ARNs.
	for _, rs := range rd.stmts {
		if rs.effect != "Allow" && rs.effect != "Deny" {
			return newError(CodeLegacyParse, rs.s.Index, rs.effect, msgLegacyParse)
		}
		for _, c := range rs.s.Conditions {
			if !c.Operator.IsDate() {
				continue
			}
			for _, v := range c.Values {
				if !legacyDate(v) {
					return newError(CodeLegacyParse, rs.s.Index, v, msgLegacyParse)
				}
			}
		}
	}
	var resourceErr *Error
	for _, notResource := range []bool{false, true} {
		for _, rs := range rd.stmts {
			list := rs.s.Resource
			if notResource {
				list = rs.s.NotResource
			}
			if list == nil {
				continue
			}
			if resourceErr == nil {
				resourceErr = firstResourceError(rs.s.Index, list)
			}
			if resourceErr == nil {
				for _, r := range list {
					if !legacyResourceShape(r) {
						return newError(CodeLegacyParse, rs.s.Index, r, msgLegacyParse)
					}
				}
			}
		}
	}

	if err := checkSids(rd.stmts); err != nil {
		return err
	}
	for _, rs := range rd.stmts {
		if len(rs.s.Action) == 0 && len(rs.s.NotAction) == 0 {
			return newError(CodeNoActions, rs.s.Index, "", msgNoActions)
		}
	}
	for _, rs := range rd.stmts {
		if len(rs.s.Resource) == 0 && len(rs.s.NotResource) == 0 {
			return newError(CodeNoResources, rs.s.Index, "", msgNoResources)
		}
	}
	if resourceErr != nil {
		return resourceErr
	}
	for _, notAction := range []bool{false, true} {
		for _, rs := range rd.stmts {
			list := rs.s.Action
			if notAction {
				list = rs.s.NotAction
			}
			for _, a := range list {
				if msg := actionError(a); msg != "" {
					return newError(CodeAction, rs.s.Index, a, msg)
				}
			}
		}
	}
	return nil
}

func syntaxError(stmt int, p *problem) *Error {
	return newError(CodeSyntax, stmt, p.value, msgSyntax)
}

// checkSids checks the Sids' characters, then their uniqueness. An empty Sid is no Sid: several statements may
// have one (moto's AWS-recorded cases).
func checkSids(stmts []*rawStatement) *Error {
	for _, rs := range stmts {
		if !sidCharacters(rs.s.Sid) {
			return newError(CodeSidCharacters, rs.s.Index, rs.s.Sid, msgSidCharacters)
		}
	}
	return checkSidsUnique(stmts)
}

func sidCharacters(sid string) bool {
	for i := 0; i < len(sid); i++ {
		c := sid[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// actionError returns IAM's text for an action it refuses, or "". The action name after the colon is not checked:
// IAM accepts "iam: any text " (moto's AWS-recorded cases).
func actionError(a string) string {
	if a == "*" {
		return ""
	}
	vendor, name, ok := strings.Cut(a, ":")
	if !ok {
		return msgActionVendor
	}
	if strings.Contains(name, ":") {
		return msgActionColon
	}
	if vendor == "*" {
		return ""
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		// Wildcards are allowed in the service prefix: the IAM User Guide ("Troubleshooting IAM policies") lets
		// "Code*" name every service whose prefix begins with Code.
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '-' || c == '.' || c == '*' || c == '?') {
			return fmt.Sprintf(msgVendorFormat, vendor)
		}
	}
	return ""
}

// partitions are the partitions IAM accepts in a resource ARN; "*" matches them all.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// firstResourceError returns the error IAM reports for a statement's resources, if any. IAM reports the first
// refused resource of the list in sorted order (moto's AWS-recorded case with two bad ARNs).
func firstResourceError(stmt int, list []string) *Error {
	var bad []string
	var msgs []string
	for _, r := range list {
		if msg := resourceError(r); msg != "" {
			bad, msgs = append(bad, r), append(msgs, msg)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	first := 0
	for i := range bad {
		if bad[i] < bad[first] {
			first = i
		}
	}
	return newError(CodeResource, stmt, bad[first], msgs[first])
}

// resourceError returns IAM's text for a resource it refuses, or "". IAM reads a resource as
// PREFIX:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE without checking that the prefix is "arn", and names the parts it
// found in its message.
func resourceError(r string) string {
	if r == "*" {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return fmt.Sprintf(msgResourceFormat, r)
	}
	partition, afterPartition, sep := strings.Cut(rest, ":")
	if partition != "*" && !slices.Contains(partitions, partition) {
		parts := strings.Split(afterPartition, ":")
		part := func(i string, ok bool) string {
			if ok {
				return i
			}
			return "*"
		}
		a1 := part(parts[0], parts[0] != "" || len(parts) > 1)
		a2 := part(at(parts, 1), len(parts) > 1)
		a3 := part(at(parts, 2), len(parts) > 2)
		a4 := "*"
		if len(parts) > 3 {
			a4 = strings.Join(parts[3:], ":")
		}
		return fmt.Sprintf(msgResourcePartition, partition, partition, a1, a2, a3, a4)
	}
	if !sep {
		return msgResourceVendor
	}
	service, afterService, _ := strings.Cut(afterPartition, ":")
	regionEmpty := strings.HasPrefix(afterService, ":")
	_, afterRegion, _ := strings.Cut(afterService, ":")
	_, resource, _ := strings.Cut(afterRegion, ":")
	switch service {
	case "iam":
		if !regionEmpty {
			return fmt.Sprintf(msgIAMRegion, r)
		}
		if resource == "*" || resource == "root" {
			return ""
		}
		for _, p := range iamResourcePrefixes {
			if strings.HasPrefix(resource, p) {
				return ""
			}
		}
		return msgIAMPath
	case "s3":
		if !regionEmpty {
			for _, p := range s3RegionalPrefixes {
				if strings.HasPrefix(resource, p) {
					return ""
				}
			}
			return fmt.Sprintf(msgS3Region, r)
		}
	}
	return ""
}

var iamResourcePrefixes = []string{
	"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/",
	"sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/",
}

// s3RegionalPrefixes are the S3 resource types whose ARNs have a region (the Service Authorization Reference:
// access points, Batch Operations jobs, Storage Lens, access grants); buckets and objects have none.
var s3RegionalPrefixes = []string{"accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "access-grants/", "async-request/"}

func at(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// legacyResourceShape reports whether the legacy parser reads a resource: an ARN with an empty part must have all
// six parts, and the service part must not be empty (moto's AWS-recorded cases "arn:aws:s3::bucket",
// "arn:aws::::bucket", "arn:aws::x").
func legacyResourceShape(r string) bool {
	if r == "*" {
		return true
	}
	if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
		return false
	}
	parts := strings.SplitN(r, ":", 4)
	return len(parts) >= 3 && parts[2] != ""
}
