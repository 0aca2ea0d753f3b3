package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/validate"
)

// defaultMaxBody applies when the App's Config leaves MaxBodyBytes unset.
const defaultMaxBody = 1 << 20

// decode reads the JSON object in r's body into dst. It refuses bodies
// over the configured size (413), other media types (415), and malformed
// JSON or unknown fields (400), saying where the problem is.
func (s *server) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return s.decodeLimit(w, r, dst, s.maxBody())
}

// maxBody is the configured limit on request bodies.
func (s *server) maxBody() int64 {
	if s.app.Config.MaxBodyBytes > 0 {
		return s.app.Config.MaxBodyBytes
	}
	return defaultMaxBody
}

// decodeLimit is decode with a limit of its own, for the few bodies that
// may carry files.
func (s *server) decodeLimit(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &errs.Error{Code: errs.UnsupportedMedia, Message: "send the request body as JSON with Content-Type: application/json"}
	}
	// The whole body is read first so that a syntax error can be reported
	// by line and column, which a streaming decoder does not know.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", limit)}
	}
	if err != nil {
		return &errs.Error{Code: errs.Malformed, Message: "the request body could not be read"}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return badJSON("the request body is empty; send a JSON object", nil)
	}
	if trimmed[0] != '{' {
		return badJSON("the request body must be a JSON object, starting with {", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("unexpected data after the JSON object", nil)
	}
	if field, problem := badString(body); problem != "" {
		return badJSON(fmt.Sprintf("field %s %s", field, problem), map[string]string{field: problem})
	}
	return nil
}

// badString finds the first string of a well-formed JSON body, name or
// value, that no database can store as text (see validate.Encoding), and
// names where it is, as "emails[1]" or "fields.question". The decoder has
// already replaced invalid UTF-8 with U+FFFD by then, so the raw bytes are
// what is checked.
func badString(body []byte) (field, problem string) {
	type frame struct {
		object  bool
		wantKey bool
		key     string
		index   int
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for i, f := range stack {
			switch {
			case f.object && i > 0:
				b.WriteString("." + f.key)
			case f.object:
				b.WriteString(f.key)
			default:
				fmt.Fprintf(&b, "[%d]", f.index)
			}
		}
		return strings.ToValidUTF8(b.String(), "\uFFFD")
	}
	// next moves the enclosing container past the value just read.
	next := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		raw := body[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				next()
			}
			continue
		case string:
			problem := validate.Encoding(v)
			if problem == "" && !utf8.Valid(raw) {
				problem = validate.Encoding(string(raw))
			}
			if top := len(stack) - 1; top >= 0 && stack[top].object && stack[top].wantKey {
				stack[top].key, stack[top].wantKey = v, false
				if problem != "" {
					return path(), "has a name that " + problem
				}
				continue
			}
			if problem != "" {
				return path(), problem
			}
		}
		next()
	}
}

// checkQuery refuses a request whose path or query parameters hold text
// no database can store (validate.Encoding), before any route sees it, so
// that every engine answers alike: a path is "not found", a parameter is
// named in a 400.
func checkQuery(r *http.Request) error {
	if validate.Encoding(r.URL.Path) != "" {
		return errs.E(errs.NotFound, "no such API endpoint")
	}
	values, _ := url.ParseQuery(r.URL.RawQuery)
	for _, k := range slices.Sorted(maps.Keys(values)) {
		name := strings.ToValidUTF8(k, "\uFFFD")
		if problem := validate.Encoding(k); problem != "" {
			return badJSON(fmt.Sprintf("the name of query parameter %q %s", name, problem), map[string]string{name: "the parameter's name " + problem})
		}
		for _, v := range values[k] {
			if problem := validate.Encoding(v); problem != "" {
				return badJSON(fmt.Sprintf("query parameter %s %s", name, problem), map[string]string{name: problem})
			}
		}
	}
	return nil
}

func badJSON(msg string, fields map[string]string) error {
	return &errs.Error{Code: errs.Malformed, Message: msg, Fields: fields}
}

// jsonProblem turns a decoding error into a message that names the place
// or the field at fault.
func jsonProblem(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read up to and including the bad one.
		line, col := position(body, syn.Offset-1)
		return badJSON(fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(syn.Error(), "json: ")), nil)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(body, int64(len(body)))
		return badJSON(fmt.Sprintf("malformed JSON: the body ends too early, at line %d, column %d", line, col), nil)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		msg := fmt.Sprintf("expected %s, got a JSON %s", jsonKind(typ.Type), typ.Value)
		return badJSON(fmt.Sprintf("field %s: %s", field, msg), map[string]string{field: msg})
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return badJSON(fmt.Sprintf("unknown field %q", name), map[string]string{name: "unknown field; check its spelling against the API description"})
	}
	return badJSON("malformed JSON: "+strings.TrimPrefix(err.Error(), "json: "), nil)
}

// jsonKind names the JSON value a Go type expects, for error messages.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	}
	return "a number"
}

// position converts a byte offset into a 1-based line and column.
func position(body []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(body)))
	before := body[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
