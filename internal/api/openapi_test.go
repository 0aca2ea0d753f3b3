package api

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIDocument checks the document's structure against the rules of
// OpenAPI 3.1 that a client generator relies on, and that every component
// schema is a valid JSON Schema 2020-12 schema.
func TestOpenAPIDocument(t *testing.T) {
	s := loadSpec(t)
	d := s.doc
	str := func(v any) string { x, _ := v.(string); return x }
	obj := func(v any) map[string]any { x, _ := v.(map[string]any); return x }

	if !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(str(d["openapi"])) {
		t.Errorf("openapi %q: want 3.1.x", d["openapi"])
	}
	if d["jsonSchemaDialect"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("jsonSchemaDialect %v", d["jsonSchemaDialect"])
	}
	info := obj(d["info"])
	if str(info["title"]) == "" || str(info["version"]) == "" {
		t.Errorf("info needs title and version: %v", info)
	}
	for k := range d {
		if !slices.Contains([]string{"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"}, k) &&
			!strings.HasPrefix(k, "x-") {
			t.Errorf("unknown top-level field %q", k)
		}
	}
	tags := map[string]bool{}
	for _, tg := range d["tags"].([]any) {
		tags[str(obj(tg)["name"])] = true
	}
	schemes := obj(obj(d["components"])["securitySchemes"])
	if b := obj(schemes["bearer"]); b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("bearer security scheme: %v", b)
	}
	checkSecurity := func(where string, v any) {
		reqs, ok := v.([]any)
		if !ok {
			t.Errorf("%s: security must be an array", where)
			return
		}
		for _, r := range reqs {
			for name := range obj(r) {
				if schemes[name] == nil {
					t.Errorf("%s: unknown security scheme %q", where, name)
				}
			}
		}
	}
	checkSecurity("top level", d["security"])

	operationIDs := map[string]string{}
	templateParam := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range obj(d["paths"]) {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q must start with /", path)
		}
		inPath := map[string]bool{}
		for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
			inPath[m[1]] = true
		}
		for method, opv := range obj(item) {
			if !httpMethods[method] {
				if !slices.Contains([]string{"summary", "description", "parameters", "servers", "$ref"}, method) {
					t.Errorf("%s: unknown path item field %q", path, method)
				}
				continue
			}
			op := obj(opv)
			where := strings.ToUpper(method) + " " + path
			id := str(op["operationId"])
			if id == "" {
				t.Errorf("%s: no operationId", where)
			} else if other, dup := operationIDs[id]; dup {
				t.Errorf("%s: operationId %s also used by %s", where, id, other)
			}
			operationIDs[id] = where
			if str(op["summary"]) == "" {
				t.Errorf("%s: no summary", where)
			}
			for _, tg := range op["tags"].([]any) {
				if !tags[str(tg)] {
					t.Errorf("%s: tag %v is not declared", where, tg)
				}
			}
			if sec, ok := op["security"]; ok {
				checkSecurity(where, sec)
			}
			declared := map[string]bool{}
			for i, pv := range asSlice(op["parameters"]) {
				p, _ := s.deref(pointer("paths", path, method, "parameters", fmt.Sprint(i)))
				name, in := str(p["name"]), str(p["in"])
				if name == "" || !slices.Contains([]string{"query", "header", "path", "cookie"}, in) || p["schema"] == nil {
					t.Errorf("%s: parameter %v needs name, a valid in, and a schema", where, pv)
				}
				if in == "path" {
					declared[name] = true
					if p["required"] != true {
						t.Errorf("%s: path parameter %s must be required", where, name)
					}
					if !inPath[name] {
						t.Errorf("%s: path parameter %s is not in the path", where, name)
					}
				}
			}
			for name := range inPath {
				if !declared[name] {
					t.Errorf("%s: {%s} has no path parameter", where, name)
				}
			}
			if rb := op["requestBody"]; rb != nil {
				body, bodyPtr := s.deref(pointer("paths", path, method, "requestBody"))
				if obj(obj(body["content"])["application/json"])["schema"] == nil {
					t.Errorf("%s: request body without an application/json schema", where)
				} else {
					s.schema(t, bodyPtr+"/content/application~1json/schema")
				}
			}
			responses := obj(op["responses"])
			if len(responses) == 0 {
				t.Errorf("%s: no responses", where)
			}
			for code := range responses {
				if !regexp.MustCompile(`^([1-5][0-9][0-9]|default)$`).MatchString(code) {
					t.Errorf("%s: response key %q", where, code)
				}
				resp, respPtr := s.deref(pointer("paths", path, method, "responses", code))
				if resp == nil || str(resp["description"]) == "" {
					t.Errorf("%s %s: response missing or without description", where, code)
					continue
				}
				if c := obj(resp["content"]); c != nil {
					// JSON, a STIX bundle, an iCalendar file, or a file
					// download of any type (*/*) with a string schema;
					// nothing else is served.
					switch {
					case obj(c["application/json"])["schema"] != nil:
						s.schema(t, respPtr+"/content/application~1json/schema")
					case obj(c[stixMedia])["schema"] != nil:
						s.schema(t, respPtr+pointer("content", stixMedia, "schema")[1:])
					case obj(obj(c["*/*"])["schema"])["type"] == "string":
					case obj(obj(c["text/calendar"])["schema"])["type"] == "string":
					default:
						t.Errorf("%s %s: content without an application/json, STIX or text/calendar schema or a */* file", where, code)
					}
				}
			}
		}
	}

	// Every component schema compiles, which validates it against the
	// 2020-12 meta-schema, and every $ref anywhere resolves.
	for name := range obj(obj(d["components"])["schemas"]) {
		s.schema(t, pointer("components", "schemas", name))
	}
	walkRefs(d, func(ref string) {
		if !strings.HasPrefix(ref, "#/") || s.at(ref) == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	})
}

func asSlice(v any) []any { x, _ := v.([]any); return x }

func walkRefs(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			fn(ref)
		}
		for _, c := range x {
			walkRefs(c, fn)
		}
	case []any:
		for _, c := range x {
			walkRefs(c, fn)
		}
	}
}

// TestRoutesDocumented checks the route table and the document describe
// the same operations, in both directions.
func TestRoutesDocumented(t *testing.T) {
	s := loadSpec(t)
	var routed []string
	for _, rt := range (&server{}).routes() {
		routed = append(routed, rt.method+" "+rt.path)
	}
	documented := s.operations()
	for _, op := range routed {
		if !slices.Contains(documented, op) {
			t.Errorf("route %s is not in openapi.json", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(routed, op) {
			t.Errorf("openapi.json documents %s, which routes.go does not serve", op)
		}
	}
}

// TestOpenAPIConformance runs every scenario of the other tests (each
// response is validated against the document as it arrives, see
// fixture.conform), then checks that together they exercised every
// documented operation.
func TestOpenAPIConformance(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		served := f.get(anon, "/openapi.json")
		if !bytes.Equal(served.body, openAPIDoc) {
			t.Error("GET /openapi.json does not serve the embedded document")
		}
		t.Run("matrix", func(t *testing.T) { runMatrix(t, f) })
		t.Run("validation", func(t *testing.T) { runValidation(t, f) })
		t.Run("lifecycle", func(t *testing.T) { runLifecycle(t, f) })
		t.Run("filters", func(t *testing.T) { runFilters(t, f) })
		t.Run("revocation", func(t *testing.T) { runRevocation(t, f) })

		var missed []string
		for _, op := range f.spec.operations() {
			if !f.seen[op] {
				missed = append(missed, op)
			}
		}
		sort.Strings(missed)
		if len(missed) > 0 {
			t.Errorf("documented but never exercised: %s", strings.Join(missed, ", "))
		}
	})
}
