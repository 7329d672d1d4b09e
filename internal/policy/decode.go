package policy

import "strings"

// Decoding turns the JSON tree into the AST and notes the first thing in each statement that is not the grammar.
// It knows no kind: each kind's checks (check_iam.go, check_resource.go) decide what a problem is called and in
// which order problems are reported.

// problem is a break of the grammar, found while decoding.
type problem struct {
	code  Code   // CodeSyntax, CodeUnknownField, CodeMissingField, CodeEffect, CodePrincipal, CodeEmptyPrincipal, CodeConditionOperator
	value string // the field, effect, operator or principal value at fault
	ptype string // for CodePrincipal: the principal type as written
}

// rawStatement is a decoded statement with what the checks need beyond the AST.
type rawStatement struct {
	s       *Statement
	effect  string // as written: the legacy parser wants it in exactly this case
	entries []principalEntry
	has     fieldSet
	problem *problem
}

type principalEntry struct {
	typ, value string
}

type fieldSet uint16

const (
	fSid fieldSet = 1 << iota
	fEffect
	fPrincipal
	fNotPrincipal
	fAction
	fNotAction
	fResource
	fNotResource
	fCondition
)

type rawDocument struct {
	doc     *Document
	stmts   []*rawStatement
	problem *problem // the first problem outside the statements
}

// decodeDocument decodes a JSON tree that is an object.
func decodeDocument(root *jnode, kind Kind) *rawDocument {
	rd := &rawDocument{doc: &Document{Kind: kind}}
	var stmtNode *jnode
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if m.val.kind != jString || (m.val.text != Version2008 && m.val.text != Version2012) {
				rd.note(&problem{code: CodeSyntax, value: "Version"})
				continue
			}
			rd.doc.Version = m.val.text
		case "Id":
			if m.val.kind != jString {
				rd.note(&problem{code: CodeSyntax, value: "Id"})
				continue
			}
			rd.doc.ID = m.val.text
		case "Statement":
			stmtNode = m.val
		case "Conditions":
			// moto's AWS-recorded cases accept a top-level "Conditions" (a remnant of an early grammar); IAM ignores it.
		default:
			rd.note(&problem{code: CodeUnknownField, value: m.key})
		}
	}
	switch {
	case stmtNode == nil:
		rd.note(&problem{code: CodeMissingField, value: "Statement"})
	case stmtNode.kind == jObject:
		rd.stmts = append(rd.stmts, decodeStatement(stmtNode, 0))
	case stmtNode.kind == jArray:
		if len(stmtNode.elems) == 0 {
			rd.note(&problem{code: CodeEmptyStatement})
		}
		for i, e := range stmtNode.elems {
			if e.kind != jObject {
				rd.note(&problem{code: CodeSyntax, value: "Statement"})
				break
			}
			rd.stmts = append(rd.stmts, decodeStatement(e, i))
		}
	default:
		rd.note(&problem{code: CodeSyntax, value: "Statement"})
	}
	for _, rs := range rd.stmts {
		rd.doc.Statements = append(rd.doc.Statements, rs.s)
	}
	return rd
}

func (rd *rawDocument) note(p *problem) {
	if rd.problem == nil {
		rd.problem = p
	}
}

func (rs *rawStatement) note(p *problem) {
	if rs.problem == nil {
		rs.problem = p
	}
}

func decodeStatement(n *jnode, index int) *rawStatement {
	rs := &rawStatement{s: &Statement{Index: index}}
	s := rs.s
	for _, m := range n.members {
		var ok bool
		switch m.key {
		case "Sid":
			rs.has |= fSid
			s.Sid, ok = m.val.text, m.val.kind == jString
		case "Effect":
			rs.has |= fEffect
			rs.effect, ok = m.val.text, m.val.kind == jString
		case "Action":
			rs.has |= fAction
			s.Action, ok = stringList(m.val)
		case "NotAction":
			rs.has |= fNotAction
			s.NotAction, ok = stringList(m.val)
		case "Resource":
			rs.has |= fResource
			s.Resource, ok = stringList(m.val)
		case "NotResource":
			rs.has |= fNotResource
			s.NotResource, ok = stringList(m.val)
		case "Principal", "NotPrincipal":
			if m.key == "Principal" {
				rs.has |= fPrincipal
			} else {
				rs.has |= fNotPrincipal
			}
			var p *Principals
			p, ok = rs.decodePrincipals(m.val)
			if m.key == "Principal" {
				s.Principal = p
			} else {
				s.NotPrincipal = p
			}
		case "Condition":
			rs.has |= fCondition
			ok = rs.decodeConditions(m.val)
		default:
			rs.note(&problem{code: CodeUnknownField, value: m.key})
			ok = true
		}
		if !ok {
			rs.note(&problem{code: CodeSyntax, value: m.key})
		}
	}
	if rs.has&fAction != 0 && rs.has&fNotAction != 0 ||
		rs.has&fResource != 0 && rs.has&fNotResource != 0 ||
		rs.has&fPrincipal != 0 && rs.has&fNotPrincipal != 0 {
		rs.note(&problem{code: CodeSyntax})
	}
	switch {
	case rs.has&fEffect == 0:
		rs.note(&problem{code: CodeMissingField, value: "Effect"})
	case strings.EqualFold(rs.effect, "Allow"):
		s.Effect = Allow
	case strings.EqualFold(rs.effect, "Deny"):
		s.Effect = Deny
	default:
		rs.note(&problem{code: CodeEffect, value: rs.effect})
	}
	return rs
}

// stringList reads a string or an array of strings.
func stringList(n *jnode) ([]string, bool) {
	switch n.kind {
	case jString:
		return []string{n.text}, true
	case jArray:
		out := make([]string, 0, len(n.elems))
		for _, e := range n.elems {
			if e.kind != jString {
				return nil, false
			}
			out = append(out, e.text)
		}
		return out, true
	}
	return nil, false
}

func (rs *rawStatement) decodePrincipals(n *jnode) (*Principals, bool) {
	p := &Principals{}
	switch n.kind {
	case jString:
		if n.text == "*" {
			p.All = true
			return p, true
		}
		rs.note(&problem{code: CodePrincipal, ptype: "AWS", value: n.text})
		return p, true
	case jObject:
	default:
		return p, false
	}
	for _, m := range n.members {
		values, ok := stringList(m.val)
		if !ok {
			return p, false
		}
		var list *[]string
		switch m.key {
		case "AWS":
			list = &p.AWS
		case "Service":
			list = &p.Service
		case "Federated":
			list = &p.Federated
		case "CanonicalUser":
			list = &p.CanonicalUser
		default:
			v := ""
			if len(values) > 0 {
				v = values[0]
			}
			rs.note(&problem{code: CodePrincipal, ptype: m.key, value: v})
			continue
		}
		for _, v := range values {
			rs.entries = append(rs.entries, principalEntry{m.key, v})
			if m.key == "AWS" {
				if v == "*" {
					p.All = true
					continue
				}
				if isAccountID(v) {
					v = "arn:aws:iam::" + v + ":root"
				}
			}
			*list = append(*list, v)
		}
	}
	if p.Empty() {
		rs.note(&problem{code: CodeEmptyPrincipal})
	}
	return p, true
}

func (rs *rawStatement) decodeConditions(n *jnode) bool {
	if n.kind != jObject {
		return false
	}
	for _, om := range n.members {
		if om.val.kind != jObject {
			return false
		}
		op, q, ifExists, known := splitOperator(om.key)
		if !known {
			// An unknown operator over no keys says nothing, and IAM lets it pass (moto's AWS-recorded cases).
			if len(om.val.members) > 0 {
				rs.note(&problem{code: CodeConditionOperator, value: om.key})
			}
			continue
		}
		for _, km := range om.val.members {
			values, ok := conditionValues(km.val)
			if !ok {
				return false
			}
			rs.s.Conditions = append(rs.s.Conditions, Condition{
				Operator: op, Qualifier: q, IfExists: ifExists, Key: km.key, Values: values,
			})
		}
	}
	return true
}

// conditionValues reads a scalar or an array of scalars: the grammar's condition_value is a string, a number or a
// Boolean, and quotation marks are optional for the last two.
func conditionValues(n *jnode) ([]string, bool) {
	switch n.kind {
	case jString, jNumber, jBool:
		return []string{n.text}, true
	case jArray:
		out := make([]string, 0, len(n.elems))
		for _, e := range n.elems {
			switch e.kind {
			case jString, jNumber, jBool:
				out = append(out, e.text)
			default:
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
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
