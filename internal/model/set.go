package model

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

//go:generate go run ./modelgen -in botocore -out data

// data holds the compacted models that modelgen writes from the vendored botocore files.
//
//go:embed data/*.json
var data embed.FS

// Set gives the models of the served services, each parsed on first use and then shared.
// A Set is safe for concurrent use.
type Set struct {
	entries  map[string]*entry
	metadata map[string]Metadata
}

type entry struct {
	once sync.Once
	svc  *Service
	err  error
}

// NewSet returns a Set over every vendored model.
func NewSet() *Set {
	s := &Set{entries: map[string]*entry{}}
	idx, err := data.ReadFile("data/" + metadataFile)
	if err == nil {
		err = json.Unmarshal(idx, &s.metadata)
	}
	if err != nil {
		// The index is generated with the models and embedded with them: without it the binary is broken.
		panic("model: embedded metadata index: " + fmt.Sprint(err))
	}
	for name := range s.metadata {
		s.entries[name] = &entry{}
	}
	return s
}

// metadataFile is the index of every model's metadata that modelgen writes beside the models.
const metadataFile = "metadata.json"

// Metadata returns a service's metadata without parsing its model.
func (s *Set) Metadata(name string) (Metadata, bool) {
	m, ok := s.metadata[name]
	return m, ok
}

// Names returns the services the set has models for, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.entries))
	for n := range s.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Service returns the parsed model of the named service ("iam", "sts", "sagemaker", "ec2", "s3", "logs").
func (s *Set) Service(name string) (*Service, error) {
	e, ok := s.entries[name]
	if !ok {
		return nil, fmt.Errorf("model: no model for service %q", name)
	}
	e.once.Do(func() {
		b, err := data.ReadFile("data/" + name + ".json")
		if err != nil {
			e.err = err
			return
		}
		e.svc, e.err = Parse(b)
	})
	return e.svc, e.err
}
