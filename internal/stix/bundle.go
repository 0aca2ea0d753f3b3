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
// (any JSON object holding one) within lim, without reading the objects
// themselves: a TAXII server accepts the good objects of a request and
// reports the others one by one.
func SplitObjects(b []byte, lim Limits) (container map[string]json.RawMessage, objects []json.RawMessage, err error) {
	if lim.MaxBytes > 0 && len(b) > lim.MaxBytes {
		return nil, nil, &Error{Index: -1, Err: fmt.Errorf("the content is %d bytes, over the limit of %d: %w", len(b), lim.MaxBytes, ErrTooLarge)}
	}
	depth := lim.MaxDepth
	if depth > 0 {
		depth += 2 // the container and its list
	}
	if err := checkJSON(b, depth); err != nil {
		return nil, nil, &Error{Index: -1, Err: err}
	}
	if err := json.Unmarshal(b, &container); err != nil {
		return nil, nil, &Error{Index: -1, Err: errors.New("the content must be a JSON object with an \"objects\" list")}
	}
	raw, ok := container["objects"]
	if !ok {
		return container, nil, nil
	}
	if err := json.Unmarshal(raw, &objects); err != nil {
		return nil, nil, &Error{Index: -1, Err: errors.New(`"objects" must be a list of STIX objects`)}
	}
	if lim.MaxObjects > 0 && len(objects) > lim.MaxObjects {
		return nil, nil, &Error{Index: -1, Err: fmt.Errorf("%d objects are over the limit of %d: %w", len(objects), lim.MaxObjects, ErrTooLarge)}
	}
	return container, objects, nil
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
		o, err := parse(raw, Limits{MaxDepth: lim.MaxDepth})
		if err != nil {
			return Bundle{}, &Error{Index: i, ID: o.ID, Err: err}
		}
		out.Objects = append(out.Objects, o)
	}
	return out, nil
}
