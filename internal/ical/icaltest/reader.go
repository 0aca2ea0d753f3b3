// Package icaltest is a strict reader of RFC 5545 for tests: it refuses
// what the RFC refuses (bare LF, lines over 75 octets, split UTF-8,
// unknown escapes, unbalanced components, missing required properties, a
// TZID without its VTIMEZONE, an iTIP REQUEST or CANCEL without organiser,
// attendee or sequence) and resolves local times through the VTIMEZONE it
// was given, not through Go's zone database, so it checks what the writer
// wrote rather than agreeing with it. Tests of every package that sends a
// calendar read it back with this.
package icaltest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Prop is one content line, unfolded.
type Prop struct {
	Name   string
	Params map[string]string
	Value  string
}

// Component is a BEGIN…END block with its properties and sub-components.
type Component struct {
	Name     string
	Props    []Prop
	Children []*Component
}

// All is every property called name.
func (c *Component) All(name string) []Prop {
	var out []Prop
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// One is the property called name when there is exactly one.
func (c *Component) One(name string) (Prop, bool) {
	ps := c.All(name)
	if len(ps) != 1 {
		return Prop{}, false
	}
	return ps[0], true
}

// Sub is every sub-component called name.
func (c *Component) Sub(name string) []*Component {
	var out []*Component
	for _, k := range c.Children {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// Read parses and checks one VCALENDAR stream.
func Read(data []byte) (*Component, error) {
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		return nil, fmt.Errorf("does not end in CRLF")
	}
	physical := strings.Split(string(data[:len(data)-2]), "\r\n")
	var lines []string
	for n, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %d: bare CR or LF", n+1)
		}
		if len(l) > 75 {
			return nil, fmt.Errorf("line %d: %d octets", n+1, len(l))
		}
		if !utf8.ValidString(l) {
			return nil, fmt.Errorf("line %d: invalid UTF-8 (a sequence split by folding?)", n+1)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				return nil, fmt.Errorf("line %d: continuation first", n+1)
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []*Component
	var root *Component
	for n, l := range lines {
		p, err := parseLine(l)
		if err != nil {
			return nil, fmt.Errorf("content line %d: %w", n+1, err)
		}
		switch p.Name {
		case "BEGIN":
			c := &Component{Name: p.Value}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("two top-level components")
				}
				root = c
			} else {
				top := stack[len(stack)-1]
				top.Children = append(top.Children, c)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != p.Value {
				return nil, fmt.Errorf("END:%s does not close the open component", p.Value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%s outside a component", p.Name)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	if len(stack) != 0 || root == nil || root.Name != "VCALENDAR" {
		return nil, fmt.Errorf("not one complete VCALENDAR")
	}
	return root, check(root)
}

func parseLine(l string) (Prop, error) {
	p := Prop{Params: map[string]string{}}
	i := strings.IndexAny(l, ";:")
	if i <= 0 {
		return p, fmt.Errorf("no name in %q", l)
	}
	p.Name = l[:i]
	for _, r := range p.Name {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return p, fmt.Errorf("bad name %q", p.Name)
		}
	}
	rest := l[i:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return p, fmt.Errorf("parameter without '='")
		}
		name := rest[:eq]
		rest = rest[eq+1:]
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return p, fmt.Errorf("unterminated quoted parameter")
			}
			value, rest = rest[1:1+end], rest[2+end:]
		} else {
			end := strings.IndexAny(rest, ";:")
			if end < 0 {
				return p, fmt.Errorf("parameter runs to the end")
			}
			value, rest = rest[:end], rest[end:]
			if strings.ContainsAny(value, `",`) {
				return p, fmt.Errorf("unquoted parameter %s holds a quote or comma", name)
			}
		}
		p.Params[name] = value
	}
	if !strings.HasPrefix(rest, ":") {
		return p, fmt.Errorf("no value")
	}
	p.Value = rest[1:]
	for _, r := range p.Value {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return p, fmt.Errorf("control character in %s", p.Name)
		}
	}
	return p, nil
}

// Unescape reads a single TEXT value, refusing unknown escapes and an
// unescaped comma or semicolon.
func Unescape(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if i+1 == len(v) {
				return "", fmt.Errorf("trailing backslash")
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return "", fmt.Errorf("unknown escape \\%c", v[i])
			}
		case ',', ';':
			return "", fmt.Errorf("unescaped %c in a text value", v[i])
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String(), nil
}

var textProps = []string{"SUMMARY", "DESCRIPTION", "LOCATION", "UID", "TZNAME", "X-WR-CALNAME"}

// check holds the calendar to the properties RFC 5545 and RFC 5546 require.
func check(cal *Component) error {
	for _, name := range []string{"PRODID", "VERSION"} {
		if _, ok := cal.One(name); !ok {
			return fmt.Errorf("VCALENDAR needs exactly one %s", name)
		}
	}
	if v, _ := cal.One("VERSION"); v.Value != "2.0" {
		return fmt.Errorf("VERSION %q", v.Value)
	}
	zones := map[string]*Component{}
	for _, z := range cal.Sub("VTIMEZONE") {
		id, ok := z.One("TZID")
		if !ok {
			return fmt.Errorf("VTIMEZONE without TZID")
		}
		if len(z.Children) == 0 {
			return fmt.Errorf("VTIMEZONE %s without observances", id.Value)
		}
		for _, o := range z.Children {
			if o.Name != "STANDARD" && o.Name != "DAYLIGHT" {
				return fmt.Errorf("VTIMEZONE holds %s", o.Name)
			}
			for _, name := range []string{"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"} {
				if _, ok := o.One(name); !ok {
					return fmt.Errorf("%s of %s needs one %s", o.Name, id.Value, name)
				}
			}
		}
		zones[id.Value] = z
	}
	method, _ := cal.One("METHOD")
	if (method.Value == "REQUEST" || method.Value == "CANCEL") && len(cal.Sub("VEVENT")) == 0 {
		return fmt.Errorf("%s without a VEVENT", method.Value)
	}
	for _, e := range cal.Sub("VEVENT") {
		for _, name := range []string{"UID", "DTSTAMP", "DTSTART"} {
			if _, ok := e.One(name); !ok {
				return fmt.Errorf("VEVENT needs exactly one %s", name)
			}
		}
		if method.Value == "REQUEST" || method.Value == "CANCEL" {
			for _, name := range []string{"ORGANIZER", "SEQUENCE"} {
				if _, ok := e.One(name); !ok {
					return fmt.Errorf("%s needs %s in each VEVENT", method.Value, name)
				}
			}
			if len(e.All("ATTENDEE")) == 0 {
				return fmt.Errorf("%s needs an ATTENDEE", method.Value)
			}
		}
		if s, ok := e.One("SEQUENCE"); ok {
			if n, err := strconv.Atoi(s.Value); err != nil || n < 0 {
				return fmt.Errorf("SEQUENCE %q", s.Value)
			}
		}
		if st, _ := e.One("DTSTAMP"); !strings.HasSuffix(st.Value, "Z") {
			return fmt.Errorf("DTSTAMP not in UTC")
		}
		start, err := When(e, "DTSTART", zones)
		if err != nil {
			return err
		}
		if _, ok := e.One("DTEND"); ok {
			end, err := When(e, "DTEND", zones)
			if err != nil {
				return err
			}
			if end.Before(start) {
				return fmt.Errorf("DTEND before DTSTART")
			}
		}
		for _, name := range textProps {
			for _, p := range e.All(name) {
				if _, err := Unescape(p.Value); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
		}
		for _, p := range append(e.All("ATTENDEE"), e.All("ORGANIZER")...) {
			if !strings.HasPrefix(p.Value, "mailto:") {
				return fmt.Errorf("%s is not a mailto URI", p.Name)
			}
		}
	}
	return nil
}

// When reads a DATE-TIME property: in UTC, or local in a zone the
// calendar defines, resolved through that VTIMEZONE's observances.
func When(e *Component, name string, zones map[string]*Component) (time.Time, error) {
	p, _ := e.One(name)
	if strings.HasSuffix(p.Value, "Z") {
		if p.Params["TZID"] != "" {
			return time.Time{}, fmt.Errorf("%s in UTC with a TZID", name)
		}
		return time.Parse("20060102T150405Z", p.Value)
	}
	id := p.Params["TZID"]
	z, ok := zones[id]
	if !ok {
		return time.Time{}, fmt.Errorf("%s names TZID %q, which no VTIMEZONE defines", name, id)
	}
	local, err := time.Parse("20060102T150405", p.Value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	// The observance in force is the latest whose onset (a local time in
	// the offset before it) is not after this time.
	var best time.Time
	offset, found := 0, false
	for _, o := range z.Children {
		on, _ := o.One("DTSTART")
		from, _ := o.One("TZOFFSETFROM")
		to, _ := o.One("TZOFFSETTO")
		onset, err := time.Parse("20060102T150405", on.Value)
		if err != nil {
			return time.Time{}, fmt.Errorf("observance onset: %w", err)
		}
		f, err1 := parseOffset(from.Value)
		t, err2 := parseOffset(to.Value)
		if err1 != nil || err2 != nil {
			return time.Time{}, fmt.Errorf("observance offsets %q %q", from.Value, to.Value)
		}
		at := onset.Add(-time.Duration(f) * time.Second)
		if !at.After(local.Add(-time.Duration(t)*time.Second)) && (!found || at.After(best)) {
			best, offset, found = at, t, true
		}
	}
	if !found {
		return time.Time{}, fmt.Errorf("%s before every observance of %s", name, id)
	}
	return local.Add(-time.Duration(offset) * time.Second), nil
}

func parseOffset(s string) (int, error) {
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		return 0, fmt.Errorf("offset %q", s)
	}
	n := 0
	for k, unit := range []int{3600, 60, 1} {
		if 1+2*k+2 > len(s) {
			break
		}
		v, err := strconv.Atoi(s[1+2*k : 3+2*k])
		if err != nil {
			return 0, err
		}
		n += v * unit
	}
	if s[0] == '-' {
		n = -n
	}
	return n, nil
}
