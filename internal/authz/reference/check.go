package reference

import (
	"fmt"
	"strings"

	"github.com/sagebox/sagebox/internal/policy"
)

// Finding is one remark on a valid policy, in the manner of IAM Access Analyzer's ValidatePolicy: a warning for an
// action, resource or condition key that the Service Authorization Reference does not know or that does not fit the
// statement's actions, or a note for what the reference of the served services cannot check.
type Finding struct {
	// Statement is the index of the statement the finding is about; Sid its Sid, if it has one.
	Statement int
	Sid       string
	// Warning is false for notes.
	Warning bool
	// Code names the check, in Access Analyzer's manner: INVALID_ACTION, INVALID_SERVICE, NO_ACTION_MATCHES,
	// UNSUPPORTED_RESOURCE, MISSING_RESOURCE, INVALID_SERVICE_CONDITION_KEY, INVALID_GLOBAL_CONDITION_KEY,
	// UNSUPPORTED_ACTION_FOR_CONDITION_KEY, NOT_CHECKED.
	Code    string
	Message string
}

// String returns the finding as `sagebox policy validate` prints it.
func (f Finding) String() string {
	kind := "note"
	if f.Warning {
		kind = "warning"
	}
	where := fmt.Sprintf("statement %d", f.Statement)
	if f.Sid != "" {
		where += fmt.Sprintf(" (Sid %q)", f.Sid)
	}
	return fmt.Sprintf("%s: %s: %s", kind, where, f.Message)
}

// Check returns the findings on doc, a document that IAM accepts, statement by statement: its actions that do not
// exist, the resources that none of a statement's actions can act on, the actions that none of a statement's
// resources can stand for, and the condition keys that do not exist or that none of the statement's actions take.
// Actions and keys of services whose reference sagebox does not vendor are noted as not checked, once per service.
func (r *Reference) Check(doc *policy.Document) []Finding {
	c := checker{r: r, doc: doc, notChecked: map[string]bool{}}
	for _, s := range doc.Statements {
		c.statement(s)
	}
	return c.out
}

type checker struct {
	r          *Reference
	doc        *policy.Document
	out        []Finding
	notChecked map[string]bool // services already noted
}

func (c *checker) add(s *policy.Statement, warning bool, code, format string, args ...any) {
	c.out = append(c.out, Finding{Statement: s.Index, Sid: s.Sid, Warning: warning, Code: code, Message: fmt.Sprintf(format, args...)})
}

// named is an action of a statement that resolved in the reference: explicit is set for a name without wildcards.
type named struct {
	act      *Action
	explicit bool
}

func (c *checker) statement(s *policy.Statement) {
	// complete says whether every action of the statement resolved in the reference, so that what the statement's
	// resources and keys must fit is known.
	complete := s.Action != nil
	var acts []named
	seen := map[*Action]bool{}
	for _, a := range s.Action {
		found, ok := c.action(s, a)
		if !ok {
			complete = false
			continue
		}
		for _, n := range found {
			if !seen[n.act] {
				seen[n.act] = true
				acts = append(acts, n)
			}
		}
	}
	// A NotAction statement covers every other action: only whether its names exist can be checked.
	for _, a := range s.NotAction {
		c.action(s, a)
	}
	if complete && len(acts) > 0 && s.Resource != nil {
		c.resources(s, acts)
	}
	c.conditions(s, acts, complete && len(acts) > 0)
}

// action resolves one action of a statement, reporting what does not exist. ok is false when the action could not
// be checked, or did not resolve.
func (c *checker) action(s *policy.Statement, a string) (found []named, ok bool) {
	if a == "*" {
		return nil, false
	}
	prefix, name, hasPrefix := strings.Cut(a, ":")
	if !hasPrefix {
		return nil, false // IAM refuses it; Parse has
	}
	prefix = strings.ToLower(prefix)
	svc, ok := c.r.Service(prefix)
	if !ok {
		switch {
		case strings.ContainsAny(prefix, "*?"):
			c.noteNotChecked(s, "*", "the action %s names its service with a wildcard, and sagebox holds the Service Authorization Reference of %s only", a, strings.Join(c.r.Services(), ", "))
		case !c.r.Exists(prefix):
			c.add(s, true, "INVALID_SERVICE", "the service %s in the action %s does not exist", prefix, a)
		default:
			c.noteNotChecked(s, prefix, "the actions of %s are not checked: sagebox holds the Service Authorization Reference of %s only", prefix, strings.Join(c.r.Services(), ", "))
		}
		return nil, false
	}
	if !strings.ContainsAny(name, "*?") {
		act, exists := svc.Action(name)
		if !exists {
			msg := fmt.Sprintf("the action %s does not exist in %s", a, svc.Name)
			if near := nearest(svc, name); near != nil {
				msg += fmt.Sprintf("; did you mean %s?", near)
			}
			c.add(s, true, "INVALID_ACTION", "%s", msg)
			return nil, false
		}
		return []named{{act: act, explicit: true}}, true
	}
	acts := svc.MatchActions(name)
	if len(acts) == 0 {
		c.add(s, true, "NO_ACTION_MATCHES", "the action %s matches no action of %s", a, svc.Name)
		return nil, false
	}
	for _, act := range acts {
		found = append(found, named{act: act})
	}
	return found, true
}

func (c *checker) noteNotChecked(s *policy.Statement, key, format string, args ...any) {
	if c.notChecked[key] {
		return
	}
	c.notChecked[key] = true
	c.add(s, false, "NOT_CHECKED", format, args...)
}

// resources checks each resource against the statement's actions, then each named action against the resources.
func (c *checker) resources(s *policy.Statement, acts []named) {
	patterns := make([]string, len(s.Resource))
	for i, res := range s.Resource {
		patterns[i] = c.pattern(res)
	}
	unmatched := false
	for i, p := range patterns {
		if p == "*" {
			continue
		}
		if !anyAction(acts, func(a *Action) bool { return len(a.MatchResource(p)) > 0 }) {
			unmatched = true
			c.add(s, true, "UNSUPPORTED_RESOURCE", "the resource %s matches no resource type of the statement's actions (%s)", s.Resource[i], describe(acts))
		}
	}
	if unmatched && len(acts) == 1 {
		return // the action's own warning would repeat the resource's
	}
	for _, n := range acts {
		if !n.explicit {
			continue
		}
		if len(n.act.Resources) == 0 {
			if !anyPattern(patterns, func(p string) bool { return globMatch(p, "*") }) {
				c.add(s, true, "MISSING_RESOURCE", `the action %s takes no resource, so only "Resource": "*" applies to it, and the statement does not have it`, n.act)
			}
			continue
		}
		if !anyPattern(patterns, func(p string) bool { return len(n.act.MatchResource(p)) > 0 }) {
			c.add(s, true, "MISSING_RESOURCE", "the action %s acts on %s, which none of the statement's resources matches", n.act, typeList(n.act))
		}
	}
}

// pattern returns a resource as the matcher reads it: the policy variables of a 2012-10-17 document stand for any
// text, as nothing is known of the request.
func (c *checker) pattern(res string) string {
	if !c.doc.Variables() || !strings.Contains(res, "${") {
		return res
	}
	var b strings.Builder
	for {
		i := strings.Index(res, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(res[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(res[:i])
		b.WriteByte('*')
		res = res[i+j+1:]
	}
	b.WriteString(res)
	return b.String()
}

// conditions checks each condition key: that it exists, and, when the statement's actions are known, that one of
// them takes it. Global keys apply to every action.
func (c *checker) conditions(s *policy.Statement, acts []named, known bool) {
	done := map[string]bool{}
	for _, cond := range s.Conditions {
		key := cond.Key
		if done[strings.ToLower(key)] {
			continue
		}
		done[strings.ToLower(key)] = true
		if _, ok := c.r.GlobalKey(key); ok {
			continue
		}
		prefix, _, _ := strings.Cut(key, ":")
		prefix = strings.ToLower(prefix)
		if prefix == "aws" {
			c.add(s, true, "INVALID_GLOBAL_CONDITION_KEY", "the condition key %s is not a global condition key", key)
			continue
		}
		k, ok := c.r.ConditionKey(key)
		if !ok {
			if svc, ok := c.r.Service(prefix); ok {
				c.add(s, true, "INVALID_SERVICE_CONDITION_KEY", "the condition key %s does not exist in %s", key, svc.Name)
			} else {
				c.noteNotChecked(s, "key "+prefix, "the condition keys of %s are not checked: sagebox holds the Service Authorization Reference of %s only", prefix, strings.Join(c.r.Services(), ", "))
			}
			continue
		}
		if !known {
			continue
		}
		var without []string
		for _, n := range acts {
			if !n.act.SupportsKey(key) {
				without = append(without, n.act.String())
			}
		}
		switch {
		case len(without) == len(acts):
			c.add(s, true, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "none of the statement's actions (%s) takes the condition key %s", describe(acts), k.Name)
		case len(without) > 0 && allExplicit(acts):
			c.add(s, true, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "the condition key %s is not taken by %s", k.Name, strings.Join(without, ", "))
		}
	}
}

func anyAction(acts []named, f func(*Action) bool) bool {
	for _, n := range acts {
		if f(n.act) {
			return true
		}
	}
	return false
}

func anyPattern(ps []string, f func(string) bool) bool {
	for _, p := range ps {
		if f(p) {
			return true
		}
	}
	return false
}

func allExplicit(acts []named) bool {
	for _, n := range acts {
		if !n.explicit {
			return false
		}
	}
	return true
}

// describe names a statement's actions briefly: up to three, then a count.
func describe(acts []named) string {
	if len(acts) <= 3 {
		names := make([]string, len(acts))
		for i, n := range acts {
			names[i] = n.act.String()
		}
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", acts[0].act, len(acts)-1)
}

func typeList(a *Action) string {
	names := make([]string, len(a.Resources))
	for i, r := range a.Resources {
		names[i] = r.Name
	}
	return strings.Join(names, " or ")
}

// nearest returns the action whose name is closest to name, when it is close enough to be a slip of the keyboard:
// at most two edits, or one in five characters for long names.
func nearest(svc *Service, name string) *Action {
	lower := strings.ToLower(name)
	best, bestDist := (*Action)(nil), 0
	for _, a := range svc.Actions() {
		d := distance(lower, strings.ToLower(a.Name))
		if best == nil || d < bestDist {
			best, bestDist = a, d
		}
	}
	if best == nil || bestDist > 2 && bestDist*5 > len(name) {
		return nil
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
