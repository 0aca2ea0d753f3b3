// Package stixtest holds what tests of STIX content share: the OASIS STIX
// 2.1 JSON schemas, a validator over them, and the MITRE ATT&CK bundles
// (ICS and Mobile, several releases) as a real workload. Everything is
// embedded, so tests never read outside the repository. Only tests and
// benchmarks import it.
package stixtest

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// files are copies of the OASIS cti-stix2-json-schemas (schemas and
// examples, BSD-3-Clause, LICENSE beside them) and of MITRE ATT&CK
// (attack/LICENSE.txt), gzip-compressed to keep the repository small.
//
//go:embed testdata/stix2-json-schemas testdata/attack
var files embed.FS

const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// Validator checks STIX objects against the OASIS schemas.
type Validator struct {
	mu      sync.Mutex
	c       *jsonschema.Compiler
	schemas map[string]*jsonschema.Schema
	known   map[string]string // STIX type → schema path below schemas/
}

var (
	shared    *Validator
	sharedErr error
	once      sync.Once
)

// Schemas returns the validator, built once.
func Schemas() (*Validator, error) {
	once.Do(func() { shared, sharedErr = load() })
	return shared, sharedErr
}

func load() (*Validator, error) {
	v := &Validator{c: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}, known: map[string]string{}}
	v.c.DefaultDraft(jsonschema.Draft2020)
	root := "testdata/stix2-json-schemas/schemas"
	err := fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel := strings.TrimPrefix(p, root+"/")
		if err := v.c.AddResource(schemaBase+rel, doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		dir, name := path.Split(rel)
		switch dir {
		case "sdos/", "sros/", "observables/":
			v.known[strings.TrimSuffix(name, ".json")] = rel
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, typ := range []string{"marking-definition", "language-content", "extension-definition"} {
		v.known[typ] = "common/" + typ + ".json"
	}
	return v, nil
}

// SchemaFor names the schema an object of typ is checked against: its own,
// or the core properties for a custom type.
func (v *Validator) SchemaFor(typ string) string {
	if rel, ok := v.known[typ]; ok {
		return rel
	}
	return "common/core.json"
}

// Validate checks one STIX object (its JSON) against the schema of its
// type, and a bundle against the bundle schema and each of its objects.
func (v *Validator) Validate(object []byte) error {
	var head struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(object, &head); err != nil {
		return err
	}
	if head.Type == "bundle" {
		if err := v.validate("common/bundle.json", object); err != nil {
			return err
		}
		for i, o := range head.Objects {
			if err := v.Validate(o); err != nil {
				return fmt.Errorf("object %d: %w", i, err)
			}
		}
		return nil
	}
	return v.validate(v.SchemaFor(head.Type), object)
}

func (v *Validator) validate(rel string, object []byte) error {
	v.mu.Lock()
	s, ok := v.schemas[rel]
	if !ok {
		var err error
		if s, err = v.c.Compile(schemaBase + rel); err != nil {
			v.mu.Unlock()
			return fmt.Errorf("schema %s: %w", rel, err)
		}
		v.schemas[rel] = s
	}
	v.mu.Unlock()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(object))
	if err != nil {
		return err
	}
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("against %s: %w", rel, err)
	}
	return nil
}

// Examples returns the OASIS example bundles by file name.
func Examples() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, "testdata/stix2-json-schemas/examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := files.ReadFile(p)
		out[path.Base(p)] = b
		return err
	})
	return out, err
}

// AttackBundles returns the names of the ATT&CK bundles, oldest release
// of each domain first.
func AttackBundles() []string {
	ents, _ := fs.ReadDir(files, "testdata/attack")
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".json.gz"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Attack returns the bundle name (from AttackBundles) as MITRE publishes it.
func Attack(name string) ([]byte, error) {
	f, err := files.Open("testdata/attack/" + name + ".json.gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}
