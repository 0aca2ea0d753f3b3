package stix

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Bundle is a STIX bundle: an id and its objects.
type Bundle struct {
	ID      string
	Objects []Object
}

// SplitObjects reads the "objects" list of a bundle or of a TAXII envelope
// (any JSON object holding one) within lim, in one pass that checks the
// whole as I-JSON, without reading the objects' properties: a TAXII server
// accepts the good objects of a request and reports the others one by
// one. The objects are slices of b.
func SplitObjects(b []byte, lim Limits) (container map[string]json.RawMessage, objects []json.RawMessage, err error) {
	if lim.MaxBytes > 0 && len(b) > lim.MaxBytes {
		return nil, nil, &Error{Index: -1, Err: fmt.Errorf("the content is %d bytes, over the limit of %d: %w", len(b), lim.MaxBytes, ErrTooLarge)}
	}
	depth := lim.MaxDepth
	if depth > 0 {
		depth += 2 // the container and its list
	}
	r := reader{b: b, maxDepth: depth}
	container, objects, err = r.container(lim.MaxObjects)
	if err != nil {
		return nil, nil, &Error{Index: -1, Err: err}
	}
	return container, objects, nil
}

// container walks a JSON object, keeping each member's bytes and the
// elements of its "objects" list.
func (r *reader) container(maxObjects int) (map[string]json.RawMessage, []json.RawMessage, error) {
	members := map[string]json.RawMessage{}
	var objects []json.RawMessage
	r.space()
	if r.i >= len(r.b) || r.b[r.i] != '{' {
		return nil, nil, errors.New("the content must be a JSON object with an \"objects\" list")
	}
	r.i++
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
	} else {
		for {
			r.space()
			if r.i >= len(r.b) || r.b[r.i] != '"' {
				return nil, nil, r.syntaxError("expected a member name")
			}
			name, err := r.str()
			if err != nil {
				return nil, nil, err
			}
			if _, dup := members[name]; dup {
				return nil, nil, fmt.Errorf("the member %q appears twice in one object", clip(name))
			}
			r.space()
			if r.i >= len(r.b) || r.b[r.i] != ':' {
				return nil, nil, r.syntaxError("expected ':'")
			}
			r.i++
			r.space()
			start := r.i
			if name == "objects" {
				if r.i >= len(r.b) || r.b[r.i] != '[' {
					return nil, nil, errors.New(`"objects" must be a list of STIX objects`)
				}
				if objects, err = r.elements(maxObjects); err != nil {
					return nil, nil, err
				}
			} else if err := r.value(nil, 2); err != nil {
				return nil, nil, err
			}
			members[name] = r.b[start:r.i]
			r.space()
			if r.i < len(r.b) && r.b[r.i] == ',' {
				r.i++
				continue
			}
			if r.i < len(r.b) && r.b[r.i] == '}' {
				r.i++
				break
			}
			return nil, nil, r.syntaxError("expected ',' or '}'")
		}
	}
	r.space()
	if r.i != len(r.b) {
		return nil, nil, r.syntaxError("text after the end of the value")
	}
	return members, objects, nil
}

// elements reads a list at depth 2 and returns its elements' bytes.
func (r *reader) elements(max int) ([]json.RawMessage, error) {
	if err := r.deeper(2); err != nil {
		return nil, err
	}
	r.i++ // [
	out := []json.RawMessage{}
	r.space()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		return out, nil
	}
	for {
		r.space()
		start := r.i
		if err := r.value(nil, 3); err != nil {
			return nil, err
		}
		out = append(out, r.b[start:r.i])
		if max > 0 && len(out) > max {
			return nil, fmt.Errorf("more than %d objects: %w", max, ErrTooLarge)
		}
		r.space()
		if r.i < len(r.b) && r.b[r.i] == ',' {
			r.i++
			continue
		}
		if r.i < len(r.b) && r.b[r.i] == ']' {
			r.i++
			return out, nil
		}
		return nil, r.syntaxError("expected ',' or ']'")
	}
}

// ReadObjects reads the objects of a bundle or TAXII envelope as
// SplitObjects does, and then each object: the good ones, and a problem
// (with its index and id where known) for each other. err is for the
// content as a whole.
func ReadObjects(b []byte, lim Limits) (objects []Object, problems []*Error, err error) {
	_, raws, err := SplitObjects(b, lim)
	if err != nil {
		return nil, nil, err
	}
	for i, raw := range raws {
		o, err := parse(raw, Limits{MaxDepth: lim.MaxDepth}, true)
		if err != nil {
			problems = append(problems, &Error{Index: i, ID: o.ID, Err: err})
			continue
		}
		objects = append(objects, o)
	}
	return objects, problems, nil
}

// ParseBundle reads a STIX 2.1 bundle whole: every object must be valid.
// A bundle's own spec_version (STIX 2.0 had one; some 2.1 producers still
// write it) is ignored.
func ParseBundle(b []byte, lim Limits) (Bundle, error) {
	c, raws, err := SplitObjects(b, lim)
	if err != nil {
		return Bundle{}, err
	}
	var typ, id string
	if err := json.Unmarshal(c["type"], &typ); err != nil || typ != "bundle" {
		return Bundle{}, &Error{Index: -1, Err: errors.New(`a bundle must have "type": "bundle"`)}
	}
	if err := json.Unmarshal(c["id"], &id); err != nil {
		return Bundle{}, &Error{Index: -1, Err: errors.New(`a bundle must have an "id"`)}
	}
	if err := CheckID(id, "bundle"); err != nil {
		return Bundle{}, &Error{Index: -1, Err: err}
	}
	out := Bundle{ID: id, Objects: make([]Object, 0, len(raws))}
	for i, raw := range raws {
		o, err := parse(raw, Limits{MaxDepth: lim.MaxDepth}, true)
		if err != nil {
			return Bundle{}, &Error{Index: i, ID: o.ID, Err: err}
		}
		out.Objects = append(out.Objects, o)
	}
	return out, nil
}
