// Package model holds the official AWS service models that sagebox serves and the types that describe them.
//
// The models are botocore's service-2.json files (Apache-2.0), vendored under botocore/ by scripts/refresh-models
// and compacted into data/ by the generator in modelgen (documentation removed, nothing else changed). They drive
// routing, decoding, validation and encoding in package protocol. A model is parsed the first time its service is
// used, so that start-up does not pay for services a session never calls.
//
// The package knows the shape of a model and nothing of any protocol or service behaviour.
package model

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
)

// Service is one service model: its metadata, operations and shapes, linked.
type Service struct {
	Metadata   Metadata
	Operations map[string]*Operation
	Shapes     map[string]*Shape
	// errors maps an error code (the error trait's code, or the shape name) to its shape.
	errors map[string]*Shape
}

// Metadata is a model's "metadata" object.
type Metadata struct {
	APIVersion          string    `json:"apiVersion"`
	EndpointPrefix      string    `json:"endpointPrefix"`
	Protocol            string    `json:"protocol"`
	Protocols           []string  `json:"protocols"`
	ServiceFullName     string    `json:"serviceFullName"`
	ServiceID           string    `json:"serviceId"`
	SigningName         string    `json:"signingName"`
	TargetPrefix        string    `json:"targetPrefix"`
	JSONVersion         string    `json:"jsonVersion"`
	XMLNamespace        string    `json:"xmlNamespace"`
	UID                 string    `json:"uid"`
	AWSQueryCompatible  *struct{} `json:"awsQueryCompatible"`
	TimestampFormat     string    `json:"timestampFormat"`
	GlobalEndpoint      string    `json:"globalEndpoint"`
	ServiceAbbreviation string    `json:"serviceAbbreviation"`
}

// Signing returns the name requests to the service are signed with.
func (m *Metadata) Signing() string {
	if m.SigningName != "" {
		return m.SigningName
	}
	return m.EndpointPrefix
}

// Operation is one operation of a service.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input      *Ref   `json:"input"`
	Output     *Ref   `json:"output"`
	Errors     []*Ref `json:"errors"`
	Deprecated bool   `json:"deprecated"`
	Endpoint   *struct {
		HostPrefix string `json:"hostPrefix"`
	} `json:"endpoint"`
	HTTPChecksum *struct {
		RequestChecksumRequired bool   `json:"requestChecksumRequired"`
		RequestAlgorithmMember  string `json:"requestAlgorithmMember"`
	} `json:"httpChecksum"`
	HTTPChecksumRequired bool `json:"httpChecksumRequired"`

	// Service is the service the operation belongs to.
	Service *Service `json:"-"`
}

// Ref is a reference to a shape with the traits that the place of reference adds: a structure member, a list's
// member, a map's key or value, an operation's input or output.
type Ref struct {
	ShapeName        string        `json:"shape"`
	Location         string        `json:"location"` // "", "uri", "querystring", "header", "headers", "statusCode"
	LocationName     string        `json:"locationName"`
	QueryName        string        `json:"queryName"`
	Flattened        bool          `json:"flattened"`
	XMLAttribute     bool          `json:"xmlAttribute"`
	XMLNamespace     *XMLNamespace `json:"xmlNamespace"`
	TimestampFormat  string        `json:"timestampFormat"`
	IdempotencyToken bool          `json:"idempotencyToken"`
	JSONValue        bool          `json:"jsonvalue"`
	Streaming        bool          `json:"streaming"`
	HostLabel        bool          `json:"hostLabel"`
	EventPayload     bool          `json:"eventpayload"`
	ResultWrapper    string        `json:"resultWrapper"`
	Deprecated       bool          `json:"deprecated"`

	// Name is the member name for a structure member, empty otherwise.
	Name string `json:"-"`
	// Required is true for a structure member listed in its structure's "required".
	Required bool `json:"-"`
	// Shape is the referenced shape, linked when the model is built.
	Shape *Shape `json:"-"`
}

// XMLNamespace is a shape's or member's XML namespace trait.
type XMLNamespace struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

// UnmarshalJSON accepts the namespace as an object or, as some models write it, a bare URI.
func (n *XMLNamespace) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &n.URI)
	}
	type plain XMLNamespace
	return json.Unmarshal(b, (*plain)(n))
}

// Shape is one shape of a model.
type Shape struct {
	Type string `json:"type"`
	// Members are a structure's members in the order the model lists them.
	Members  Members  `json:"members"`
	Required []string `json:"required"`
	Member   *Ref     `json:"member"` // list
	Key      *Ref     `json:"key"`    // map
	Value    *Ref     `json:"value"`  // map

	Min     *float64 `json:"min"`
	Max     *float64 `json:"max"`
	Pattern string   `json:"pattern"`
	Enum    []string `json:"enum"`

	Flattened       bool          `json:"flattened"`
	LocationName    string        `json:"locationName"`
	XMLNamespace    *XMLNamespace `json:"xmlNamespace"`
	Payload         string        `json:"payload"`
	TimestampFormat string        `json:"timestampFormat"`
	Streaming       bool          `json:"streaming"`
	RequiresLength  bool          `json:"requiresLength"`
	Sensitive       bool          `json:"sensitive"`
	Document        bool          `json:"document"`
	Union           bool          `json:"union"`
	Event           bool          `json:"event"`
	EventStream     bool          `json:"eventstream"`
	Exception       bool          `json:"exception"`
	Fault           bool          `json:"fault"`
	Error           *ErrorTrait   `json:"error"`
	Wrapper         bool          `json:"wrapper"`

	// Name is the shape's name in the model.
	Name string `json:"-"`

	index   map[string]*Ref // members by name, built when linked
	regexp  *regexp.Regexp
	reErr   error
	reOnce  sync.Once
	enumSet map[string]struct{}
}

// ErrorTrait is an error shape's "error" object.
type ErrorTrait struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// Members is a structure's members, in model order.
type Members []*Ref

// UnmarshalJSON reads a "members" object keeping its order, which XML encoders follow.
func (ms *Members) UnmarshalJSON(b []byte) error {
	var byName map[string]*Ref
	if err := json.Unmarshal(b, &byName); err != nil {
		return err
	}
	names, err := objectKeys(b)
	if err != nil {
		return err
	}
	*ms = make(Members, 0, len(names))
	for _, name := range names {
		ref := byName[name]
		ref.Name = name
		*ms = append(*ms, ref)
	}
	return nil
}

// objectKeys returns the keys of the JSON object b in their order. b is known to be a valid object: json.Unmarshal
// has read it already, so the scan need only skip strings and nested values.
func objectKeys(b []byte) ([]string, error) {
	var keys []string
	depth := 0
	expectKey := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			depth++
			expectKey = depth == 1 && c == '{'
		case '}', ']':
			depth--
		case ',':
			expectKey = depth == 1
		case '"':
			j := i + 1
			for ; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			if expectKey {
				var k string
				if err := json.Unmarshal(b[i:j+1], &k); err != nil {
					return nil, err
				}
				keys = append(keys, k)
				expectKey = false
			}
			i = j
		}
	}
	return keys, nil
}

// MemberNamed returns the structure member with the given name, or nil.
func (s *Shape) MemberNamed(name string) *Ref {
	return s.index[name]
}

// Regexp returns the compiled pattern of a string shape, or nil when it has none or when Go's regexp syntax
// cannot express it (the models use Java's syntax; see translatePattern).
func (s *Shape) Regexp() *regexp.Regexp {
	if s.Pattern == "" {
		return nil
	}
	s.reOnce.Do(func() { s.regexp, s.reErr = compilePattern(s.Pattern) })
	return s.regexp
}

// InEnum reports whether v is one of a string shape's enum values (true when it has none).
func (s *Shape) InEnum(v string) bool {
	if len(s.Enum) == 0 {
		return true
	}
	_, ok := s.enumSet[v]
	return ok
}

// IsScalar reports whether the shape is neither a structure, list nor map.
func (s *Shape) IsScalar() bool {
	switch s.Type {
	case "structure", "list", "map":
		return false
	}
	return true
}

// ErrorShape returns the error shape whose code (or name) is code, or nil.
func (svc *Service) ErrorShape(code string) *Shape {
	return svc.errors[code]
}

// Parse reads a whole service-2.json document and links it.
func Parse(data []byte) (*Service, error) {
	var doc struct {
		Metadata   Metadata              `json:"metadata"`
		Operations map[string]*Operation `json:"operations"`
		Shapes     map[string]*Shape     `json:"shapes"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return Build(doc.Metadata, doc.Operations, doc.Shapes)
}

// Build links operations and shapes into a Service: every Ref gets its Shape, every member its Name and Required.
// It is exported for tests that build small models, such as the protocol conformance suites.
func Build(meta Metadata, ops map[string]*Operation, shapes map[string]*Shape) (*Service, error) {
	svc := &Service{Metadata: meta, Operations: ops, Shapes: shapes, errors: map[string]*Shape{}}
	link := func(r *Ref, where string) error {
		if r == nil {
			return nil
		}
		s, ok := shapes[r.ShapeName]
		if !ok {
			return fmt.Errorf("model: %s refers to unknown shape %q", where, r.ShapeName)
		}
		r.Shape = s
		return nil
	}
	for name, s := range shapes {
		s.Name = name
		s.index = make(map[string]*Ref, len(s.Members))
		for _, m := range s.Members {
			s.index[m.Name] = m
			if err := link(m, name+"."+m.Name); err != nil {
				return nil, err
			}
		}
		for _, r := range s.Required {
			if m := s.index[r]; m != nil {
				m.Required = true
			}
		}
		for _, r := range []*Ref{s.Member, s.Key, s.Value} {
			if err := link(r, name); err != nil {
				return nil, err
			}
		}
		if len(s.Enum) > 0 {
			s.enumSet = make(map[string]struct{}, len(s.Enum))
			for _, v := range s.Enum {
				s.enumSet[v] = struct{}{}
			}
		}
		if s.Exception || s.Error != nil {
			svc.errors[name] = s
			if s.Error != nil && s.Error.Code != "" {
				svc.errors[s.Error.Code] = s
			}
		}
	}
	for name, op := range ops {
		if op.Name == "" {
			op.Name = name
		}
		op.Service = svc
		if err := link(op.Input, name+" input"); err != nil {
			return nil, err
		}
		if err := link(op.Output, name+" output"); err != nil {
			return nil, err
		}
		for _, e := range op.Errors {
			if err := link(e, name+" errors"); err != nil {
				return nil, err
			}
		}
	}
	return svc, nil
}
