// Package stix reads STIX 2.1 objects and bundles faithfully: an object
// keeps the exact bytes it came with, and only its common properties are
// read out of it, so custom types and x_ properties pass through
// untouched. Canonical JSON (RFC 8785) compares two objects for what they
// say rather than how they were written.
package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// SpecVersion is the STIX version this package reads.
const SpecVersion = "2.1"

// Object is one STIX object: its exact bytes and the common properties
// read from them.
type Object struct {
	Raw         json.RawMessage // the object exactly as received
	Type        string
	ID          string
	SpecVersion string     // "2.1"; an SCO may omit it, which means 2.1
	Created     *time.Time // nil for SCOs
	Modified    *time.Time // nil for SCOs and marking definitions
	CreatedBy   string     // created_by_ref
	Markings    []string   // object_marking_refs
	Revoked     bool
}

// Version is the timestamp that identifies this version of the object:
// modified, else created (marking definitions are never modified). SCOs
// have neither and so have one version only; ok is false for them, and a
// store uses the time it added the object, as TAXII 2.1 says.
func (o Object) Version() (t time.Time, ok bool) {
	switch {
	case o.Modified != nil:
		return *o.Modified, true
	case o.Created != nil:
		return *o.Created, true
	}
	return time.Time{}, false
}

// Error is a problem with an object or a bundle, with where it is: the
// index of the object in its bundle (or -1) and its id where known.
type Error struct {
	Index int
	ID    string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Index >= 0 {
		fmt.Fprintf(&b, "object %d", e.Index)
		if e.ID != "" {
			fmt.Fprintf(&b, " (%s)", e.ID)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Limits bound what Parse and ParseBundle read.
type Limits struct {
	MaxBytes   int // of a bundle, or of one object
	MaxObjects int // in a bundle
	MaxDepth   int // nesting of arrays and objects, the object itself counted
}

// DefaultLimits take the largest ATT&CK bundle with room to spare.
func DefaultLimits() Limits { return Limits{MaxBytes: 64 << 20, MaxObjects: 100_000, MaxDepth: 32} }

// ErrTooLarge is wrapped by the errors of input over a size or count limit.
var ErrTooLarge = errors.New("too large")

var typePattern = regexp.MustCompile(`^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-?$`)

// scos are the STIX 2.1 Cyber-observable Object types: they carry no
// created or modified timestamps.
var scos = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true, "email-addr": true,
	"email-message": true, "file": true, "ipv4-addr": true, "ipv6-addr": true, "mac-addr": true, "mutex": true,
	"network-traffic": true, "process": true, "software": true, "url": true, "user-account": true,
	"windows-registry-key": true, "x509-certificate": true,
}

// IsSCO reports whether typ is a cyber-observable type of STIX 2.1.
func IsSCO(typ string) bool { return scos[typ] }

// Parse reads one STIX 2.1 object from b, which it keeps as the object's
// bytes (surrounding white space removed).
func Parse(b []byte, lim Limits) (Object, error) {
	o, err := parse(b, lim, false)
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return Object{}, err
		}
		return Object{}, &Error{Index: -1, ID: o.ID, Err: err}
	}
	return o, nil
}

// parse reads an object; checked says its JSON was checked already, as
// part of its bundle.
func parse(b []byte, lim Limits, checked bool) (Object, error) {
	b = bytes.TrimSpace(b)
	if lim.MaxBytes > 0 && len(b) > lim.MaxBytes {
		return Object{}, fmt.Errorf("the object is %d bytes, over the limit of %d: %w", len(b), lim.MaxBytes, ErrTooLarge)
	}
	if !checked {
		if err := checkJSON(b, lim.MaxDepth); err != nil {
			return Object{}, err
		}
	}
	if len(b) == 0 || b[0] != '{' {
		return Object{}, errors.New("a STIX object must be a JSON object")
	}
	var c struct {
		Type        *string  `json:"type"`
		ID          *string  `json:"id"`
		SpecVersion *string  `json:"spec_version"`
		Created     *string  `json:"created"`
		Modified    *string  `json:"modified"`
		CreatedBy   *string  `json:"created_by_ref"`
		Markings    []string `json:"object_marking_refs"`
		Revoked     *bool    `json:"revoked"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Object{}, fmt.Errorf("a common property has the wrong type: %w", plainJSONError(err))
	}
	o := Object{Raw: json.RawMessage(b)}
	if c.ID != nil {
		o.ID = *c.ID
	}
	if c.Type == nil || *c.Type == "" {
		return o, errors.New(`the object has no "type"`)
	}
	o.Type = *c.Type
	if len(o.Type) < 3 || len(o.Type) > 250 || !typePattern.MatchString(o.Type) {
		return o, fmt.Errorf("%q is not a STIX type: use 3 to 250 lower-case letters, digits and hyphens", o.Type)
	}
	if o.Type == "bundle" {
		return o, errors.New("a bundle cannot be an object of another bundle")
	}
	if c.ID == nil {
		return o, errors.New(`the object has no "id"`)
	}
	if err := CheckID(o.ID, o.Type); err != nil {
		return o, err
	}
	sco := IsSCO(o.Type)
	switch {
	case c.SpecVersion == nil && sco:
		o.SpecVersion = SpecVersion
	case c.SpecVersion == nil:
		return o, errors.New(`the object has no "spec_version"`)
	case *c.SpecVersion != SpecVersion:
		return o, fmt.Errorf("spec_version %q is not supported: only STIX 2.1 objects are read", *c.SpecVersion)
	default:
		o.SpecVersion = SpecVersion
	}
	var err error
	if c.Created != nil {
		if o.Created, err = timestamp("created", *c.Created); err != nil {
			return o, err
		}
	}
	if c.Modified != nil {
		if o.Modified, err = timestamp("modified", *c.Modified); err != nil {
			return o, err
		}
	}
	if !sco && o.Created == nil {
		return o, errors.New(`the object has no "created" timestamp`)
	}
	if o.Type != "marking-definition" && !sco && o.Modified == nil {
		return o, errors.New(`the object has no "modified" timestamp`)
	}
	if o.Created != nil && o.Modified != nil && o.Modified.Before(*o.Created) {
		return o, errors.New(`"modified" is before "created"`)
	}
	if c.CreatedBy != nil {
		if err := CheckID(*c.CreatedBy, "identity"); err != nil {
			return o, fmt.Errorf("created_by_ref: %w", err)
		}
		o.CreatedBy = *c.CreatedBy
	}
	for _, m := range c.Markings {
		if err := CheckID(m, "marking-definition"); err != nil {
			return o, fmt.Errorf("object_marking_refs: %w", err)
		}
	}
	o.Markings = c.Markings
	if c.Revoked != nil {
		o.Revoked = *c.Revoked
	}
	return o, nil
}

// CheckID checks that id is typ--UUID; typ "" accepts any type.
func CheckID(id, typ string) error {
	t, u, ok := strings.Cut(id, "--")
	if !ok || (typ != "" && t != typ) || !typePattern.MatchString(t) {
		if typ == "" {
			return fmt.Errorf("%q is not a STIX identifier (type--UUID)", clip(id))
		}
		return fmt.Errorf("%q is not a STIX identifier of a %s (%s--UUID)", clip(id), typ, typ)
	}
	if len(u) != 36 {
		return fmt.Errorf("%q does not end in a UUID", clip(id))
	}
	if _, err := uuid.Parse(u); err != nil {
		return fmt.Errorf("%q does not end in a UUID", clip(id))
	}
	return nil
}

// clip shortens what a message quotes back.
func clip(s string) string {
	if len(s) <= 120 {
		return s
	}
	cut := 120
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// timestamp reads a STIX timestamp: RFC 3339 in UTC ("Z"), years 0001 to
// 9999, any precision.
func timestamp(name, s string) (*time.Time, error) {
	t, err := ParseTime(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &t, nil
}

// ParseTime reads a STIX or TAXII timestamp, which must be in UTC.
func ParseTime(s string) (time.Time, error) {
	if !strings.HasSuffix(s, "Z") || len(s) < 20 {
		return time.Time{}, fmt.Errorf("%q is not a UTC timestamp such as 2026-03-02T09:00:00.000Z", clip(s))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%q is not a UTC timestamp such as 2026-03-02T09:00:00.000Z", clip(s))
	}
	return t.UTC(), nil
}

// FormatTime writes t as STIX does: UTC, at least milliseconds, more
// digits only where t has them.
func FormatTime(t time.Time) string {
	t = t.UTC()
	switch {
	case t.Nanosecond()%1_000_000 == 0:
		return t.Format("2006-01-02T15:04:05.000Z")
	case t.Nanosecond()%1000 == 0:
		return t.Format("2006-01-02T15:04:05.000000Z")
	}
	return t.Format("2006-01-02T15:04:05.000000000Z")
}

// SortableTime writes t so that text order is time order, at nanosecond
// precision: how stores keep versions.
func SortableTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func plainJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%q should be a %s, not a JSON %s", te.Field, te.Type, te.Value)
	}
	return err
}
