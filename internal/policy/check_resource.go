package policy

import (
	"fmt"
	"strings"
)

// checkResourceBased applies the checks of trust policies and other resource-based policies. IAM reads these with
// a different parser from identity policies: it answers invalid JSON with "This policy contains invalid Json"
// where the identity parser says "Syntax errors in policy.", and it names the field at fault ("Missing required
// field Principal", "Has prohibited field Resource"). The order below is statement by statement, the grammar of a
// statement before the rules of the kind; then the actions of a trust policy, the principals, and the Sids.
func checkResourceBased(root *jnode, rd *rawDocument, kind Kind) *Error {
	switch {
	case root == nil:
		return newError(CodeInvalidJSON, -1, "", msgInvalidJSON)
	case root.kind == jNull:
		return newError(CodeInvalidJSON, -1, "", msgNotAPolicy)
	case root.kind != jObject:
		return newError(CodeInvalidJSON, -1, "", msgInvalidJSON)
	}
	if p := rd.problem; p != nil {
		return resourceProblem(-1, p)
	}
	for _, rs := range rd.stmts {
		if err := checkResourceStatement(rs, kind); err != nil {
			return err
		}
	}
	if kind == Trust {
		for _, rs := range rd.stmts {
			for _, a := range rs.s.Action {
				if !assumeRoleAction(a) {
					return newError(CodeTrustAction, rs.s.Index, a, msgTrustAction)
				}
			}
		}
	}
	for _, rs := range rd.stmts {
		for _, e := range rs.entries {
			if !acceptedPrincipal(e, kind) {
				err := InvalidPrincipal(e.typ, e.value)
				err.Statement = rs.s.Index
				return err
			}
		}
	}
	if kind == Trust {
		// IAM's rule for Sids is IAM's own; other services' resource policies allow more (S3 takes spaces).
		return checkSids(rd.stmts)
	}
	return checkSidsUnique(rd.stmts)
}

func checkSidsUnique(stmts []*rawStatement) *Error {
	seen := make(map[string]bool, len(stmts))
	for _, rs := range stmts {
		if rs.s.Sid == "" {
			continue
		}
		if seen[rs.s.Sid] {
			return newError(CodeSidNotUnique, rs.s.Index, rs.s.Sid, msgSidNotUnique)
		}
		seen[rs.s.Sid] = true
	}
	return nil
}

// resourceProblem names a grammar problem as the resource-policy parser does.
func resourceProblem(stmt int, p *problem) *Error {
	switch p.code {
	case CodeUnknownField:
		return newError(p.code, stmt, p.value, fmt.Sprintf(msgUnknownField, p.value))
	case CodeMissingField:
		return newError(p.code, stmt, p.value, fmt.Sprintf(msgMissingField, p.value))
	case CodeEmptyStatement:
		return newError(p.code, stmt, "", msgEmptyStatement)
	case CodeEffect:
		return newError(p.code, stmt, p.value, fmt.Sprintf(msgInvalidEffect, p.value))
	case CodeEmptyPrincipal:
		return newError(p.code, stmt, "", msgEmptyPrincipal)
	case CodePrincipal:
		err := InvalidPrincipal(p.ptype, p.value)
		err.Statement = stmt
		return err
	case CodeConditionOperator:
		return newError(p.code, stmt, p.value, fmt.Sprintf(msgConditionOperator, p.value))
	}
	return newError(CodeSyntax, stmt, p.value, msgSyntax)
}

func checkResourceStatement(rs *rawStatement, kind Kind) *Error {
	s := rs.s
	i := s.Index
	if kind == Trust && rs.has&fResource != 0 {
		return newError(CodeProhibitedField, i, "Resource", fmt.Sprintf(msgProhibitedField, "Resource"))
	}
	if rs.problem != nil {
		return resourceProblem(i, rs.problem)
	}
	// The new parser takes the Effect's case as written.
	if rs.effect != "Allow" && rs.effect != "Deny" {
		return newError(CodeEffect, i, rs.effect, fmt.Sprintf(msgInvalidEffect, rs.effect))
	}
	switch {
	case rs.has&(fPrincipal|fNotPrincipal) == 0:
		return newError(CodeMissingField, i, "Principal", msgMissingPrincipal)
	case rs.has&fNotPrincipal != 0 && s.Effect == Allow:
		// The IAM User Guide (NotPrincipal): "Using it with "Effect":"Allow" is not supported."
		return newError(CodeNotPrincipalAllow, i, "NotPrincipal", msgNotPrincipalAllow)
	case rs.has&fNotPrincipal != 0 && kind == Trust:
		// The IAM User Guide (NotPrincipal): "You cannot use the NotPrincipal element in … an IAM role trust policy."
		return newError(CodeProhibitedField, i, "NotPrincipal", fmt.Sprintf(msgProhibitedField, "NotPrincipal"))
	}
	if len(s.Action) == 0 && len(s.NotAction) == 0 {
		return newError(CodeMissingField, i, "Action", fmt.Sprintf(msgMissingField, "Action"))
	}
	if kind == Trust {
		if rs.has&fNotResource != 0 {
			return newError(CodeProhibitedField, i, "NotResource", msgTrustNotResource)
		}
		if rs.has&fNotAction != 0 {
			// NotAction names every action but some, which is more than the STS actions that assume a role.
			return newError(CodeTrustAction, i, "NotAction", msgTrustAction)
		}
		return nil
	}
	if len(s.Resource) == 0 && len(s.NotResource) == 0 {
		return newError(CodeMissingField, i, "Resource", fmt.Sprintf(msgMissingField, "Resource"))
	}
	return nil
}

// assumeRoleActions are the actions a role's trust policy may allow: assuming the role in its three ways, and the
// session details the assumer may set (the IAM User Guide: session tags, source identity, trusted context).
var assumeRoleActions = []string{
	"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
	"sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext",
}

// assumeRoleAction reports whether a trust policy may name the action: one of assumeRoleActions, or an STS
// pattern that matches one of them ("sts:*", "sts:AssumeRole*"). "*" is refused: it names every service's actions.
func assumeRoleAction(a string) bool {
	vendor, _, ok := strings.Cut(a, ":")
	if !ok || !strings.EqualFold(vendor, "sts") {
		return false
	}
	for _, r := range assumeRoleActions {
		if globMatchFold(a, r) {
			return true
		}
	}
	return false
}

// globMatchFold matches s against pattern, where * is any run of characters and ? any one, ignoring ASCII case.
func globMatchFold(pattern, s string) bool {
	p, t := 0, 0
	star, mark := -1, 0
	for t < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || lowerASCII(pattern[p]) == lowerASCII(s[t])):
			p++
			t++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, t
			p++
		case star >= 0:
			p = star + 1
			mark++
			t = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
