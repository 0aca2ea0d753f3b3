package api

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// specURL is the base the OpenAPI document is registered under, so that
// its "#/components/..." references resolve inside it.
const specURL = "https://detente.test/api/v1/openapi.json"

// spec is the parsed OpenAPI document with its schemas compiled on demand.
type spec struct {
	doc map[string]any

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by JSON pointer
}

var (
	specOnce   sync.Once
	sharedSpec *spec
	specErr    error
)

// loadSpec parses the embedded document once per test binary.
func loadSpec(t *testing.T) *spec {
	t.Helper()
	specOnce.Do(func() {
		var doc map[string]any
		if specErr = json.Unmarshal(openAPIDoc, &doc); specErr != nil {
			return
		}
		// The compiler gets its own copy, decoded the way it expects
		// (numbers as json.Number).
		var raw any
		if raw, specErr = jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc)); specErr != nil {
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat() // date-time, date, email and uuid are part of the contract
		if specErr = c.AddResource(specURL, raw); specErr != nil {
			return
		}
		sharedSpec = &spec{doc: doc, compiler: c, schemas: map[string]*jsonschema.Schema{}}
	})
	if specErr != nil {
		t.Fatalf("openapi.json: %v", specErr)
	}
	return sharedSpec
}

// pointer builds a JSON pointer fragment from reference tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, tok := range tokens {
		b.WriteString("/")
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	return b.String()
}

// at returns the node at a "#/..." pointer, or nil.
func (s *spec) at(ptr string) any {
	var node any = s.doc
	rest := strings.TrimPrefix(ptr, "#")
	if rest == "" {
		return node
	}
	for _, tok := range strings.Split(strings.TrimPrefix(rest, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	return node
}

// deref follows $ref from the object at ptr, returning the object and the
// pointer it really lives at.
func (s *spec) deref(ptr string) (map[string]any, string) {
	for range 10 {
		m, _ := s.at(ptr).(map[string]any)
		if m == nil {
			return nil, ptr
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		ptr = ref
	}
	return nil, ptr
}

// schema compiles the schema at ptr.
func (s *spec) schema(t *testing.T, ptr string) *jsonschema.Schema {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[ptr]; ok {
		return sch
	}
	// Braces in path names must be escaped inside a URL fragment.
	frag := strings.NewReplacer("{", "%7B", "}", "%7D").Replace(ptr)
	sch, err := s.compiler.Compile(specURL + frag)
	if err != nil {
		t.Fatalf("compile %s: %v", ptr, err)
	}
	s.schemas[ptr] = sch
	return sch
}

// validate checks a JSON document against the schema at ptr.
func (s *spec) validate(t *testing.T, ptr string, body []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return s.schema(t, ptr).Validate(v)
}

// stixMedia is how the API documents and serves STIX 2.1 bundles.
const stixMedia = "application/stix+json;version=2.1"

// checkBody validates a JSON response body against the schema at ptr.
func (s *spec) checkBody(t *testing.T, ptr string, res response, what string) {
	t.Helper()
	s.checkBodyAs(t, "application/json", nil, ptr, res, what)
}

// checkBodyAs is checkBody for a body served as the media type mt with
// the parameters params.
func (s *spec) checkBodyAs(t *testing.T, mt string, params map[string]string, ptr string, res response, what string) {
	t.Helper()
	got, gotParams, _ := mime.ParseMediaType(res.header.Get("Content-Type"))
	ok := got == mt
	for k, v := range params {
		ok = ok && gotParams[k] == v
	}
	if !ok {
		t.Errorf("%s: Content-Type %q, want %s %v", what, res.header.Get("Content-Type"), mt, params)
		return
	}
	if err := s.validate(t, ptr, res.body); err != nil {
		t.Errorf("%s: response does not match %s: %v\nbody: %s", what, ptr, err, res.body)
	}
}

// checkResponse checks that res is a documented response of the operation
// and matches it; for successful requests it also checks the request body
// against the documented request schema, so the examples the tests send
// keep the request schemas honest.
func (s *spec) checkResponse(t *testing.T, method, path string, hr *http.Request, reqBody []byte, res response) {
	t.Helper()
	what := method + " " + hr.URL.RequestURI()
	opPtr := pointer("paths", path, strings.ToLower(method))
	op, _ := s.at(opPtr).(map[string]any)
	if op == nil {
		t.Errorf("%s: operation %s %s is not documented", what, method, path)
		return
	}
	code := strconv.Itoa(res.status)
	resp, respPtr := s.deref(opPtr + pointer("responses", code)[1:])
	if resp == nil {
		t.Errorf("%s: status %d is not documented for %s %s (body %s)", what, res.status, method, path, res.body)
		return
	}
	if hdrs, ok := resp["headers"].(map[string]any); ok {
		for name := range hdrs {
			if res.header.Get(name) == "" {
				t.Errorf("%s: documented header %s missing from the %d response", what, name, res.status)
			}
		}
	}
	content, _ := resp["content"].(map[string]any)
	if content == nil {
		if len(res.body) != 0 {
			t.Errorf("%s: %d response documented without a body, got %q", what, res.status, res.body)
		}
	} else if _, isJSON := content["application/json"]; isJSON {
		s.checkBody(t, respPtr+pointer("content", "application/json", "schema")[1:], res, what)
	} else if _, isSTIX := content[stixMedia]; isSTIX {
		mt, params, _ := mime.ParseMediaType(stixMedia)
		s.checkBodyAs(t, mt, params, respPtr+pointer("content", stixMedia, "schema")[1:], res, what)
	} else if _, isCal := content["text/calendar"]; isCal {
		if mt, _, _ := mime.ParseMediaType(res.header.Get("Content-Type")); mt != "text/calendar" {
			t.Errorf("%s: a calendar was documented, got Content-Type %q", what, res.header.Get("Content-Type"))
		}
	} else if res.header.Get("Content-Type") == "" || strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		// A file download: whatever its type, it is not the JSON envelope.
		t.Errorf("%s: a file was documented, got Content-Type %q", what, res.header.Get("Content-Type"))
	}
	if res.status < 300 && len(reqBody) > 0 {
		if rb, _ := s.deref(opPtr + "/requestBody"); rb == nil {
			t.Errorf("%s: a body was accepted but the operation documents none", what)
		} else if err := s.validate(t, opPtr+pointer("requestBody", "content", "application/json", "schema")[1:], reqBody); err != nil {
			t.Errorf("%s: accepted request body does not match the documented schema: %v\nbody: %s", what, err, reqBody)
		}
	}
}

// operations lists every documented "METHOD /path".
func (s *spec) operations() []string {
	var out []string
	paths, _ := s.doc["paths"].(map[string]any)
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if httpMethods[m] {
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	return out
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true, "trace": true}
