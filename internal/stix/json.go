package stix

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The reader below checks what encoding/json lets through and STIX
// (I-JSON, RFC 7493) does not: invalid UTF-8, duplicate member names,
// numbers no float64 holds, nesting past a limit. It also writes the
// canonical form of RFC 8785 (JCS), which needs the same walk.

// checkJSON reports the first problem with b as I-JSON, or nil.
func checkJSON(b []byte, maxDepth int) error {
	r := reader{b: b, maxDepth: maxDepth}
	return r.document(nil)
}

// Canonical returns the RFC 8785 canonical form of the JSON value b:
// members sorted by their names' UTF-16 code units, no insignificant white
// space, numbers as ECMAScript writes them, strings with the fewest
// escapes. Two objects are the same exactly when their canonical forms are.
func Canonical(b []byte) ([]byte, error) {
	r := reader{b: b, maxDepth: 1000}
	var out bytes.Buffer
	out.Grow(len(b))
	if err := r.document(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

type reader struct {
	b        []byte
	i        int
	maxDepth int
}

// syntaxError says where b stops being JSON.
func (r *reader) syntaxError(what string) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", r.i, what)
}

func (r *reader) document(out *bytes.Buffer) error {
	r.space()
	if err := r.value(out, 1); err != nil {
		return err
	}
	r.space()
	if r.i != len(r.b) {
		return r.syntaxError("text after the end of the value")
	}
	return nil
}

func (r *reader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *reader) value(out *bytes.Buffer, depth int) error {
	if r.i >= len(r.b) {
		return r.syntaxError("unexpected end")
	}
	switch c := r.b[r.i]; {
	case c == '{':
		return r.object(out, depth)
	case c == '[':
		return r.array(out, depth)
	case c == '"':
		s, err := r.str()
		if err != nil {
			return err
		}
		if out != nil {
			writeString(out, s)
		}
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number(out)
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(r.b[r.i:], []byte(lit)) {
				r.i += len(lit)
				if out != nil {
					out.WriteString(lit)
				}
				return nil
			}
		}
		return r.syntaxError("expected a value")
	}
}

func (r *reader) deeper(depth int) error {
	if r.maxDepth > 0 && depth > r.maxDepth {
		return fmt.Errorf("values are nested more than %d deep: %w", r.maxDepth, ErrTooLarge)
	}
	return nil
}

type member struct {
	name  string
	key   []uint16
	value []byte
}

func (r *reader) object(out *bytes.Buffer, depth int) error {
	if err := r.deeper(depth); err != nil {
		return err
	}
	r.i++ // {
	seen := map[string]bool{}
	var members []member
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		if out != nil {
			out.WriteString("{}")
		}
		return nil
	}
	for {
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return r.syntaxError("expected a member name")
		}
		name, err := r.str()
		if err != nil {
			return err
		}
		if seen[name] {
			return fmt.Errorf("the member %q appears twice in one object", clip(name))
		}
		seen[name] = true
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return r.syntaxError("expected ':'")
		}
		r.i++
		r.space()
		var vb *bytes.Buffer
		if out != nil {
			vb = &bytes.Buffer{}
		}
		if err := r.value(vb, depth+1); err != nil {
			return err
		}
		if out != nil {
			members = append(members, member{name: name, key: utf16.Encode([]rune(name)), value: vb.Bytes()})
		}
		r.space()
		if r.i >= len(r.b) {
			return r.syntaxError("unexpected end in an object")
		}
		if r.b[r.i] == ',' {
			r.i++
			continue
		}
		if r.b[r.i] == '}' {
			r.i++
			break
		}
		return r.syntaxError("expected ',' or '}'")
	}
	if out == nil {
		return nil
	}
	slices.SortFunc(members, func(a, b member) int { return slices.Compare(a.key, b.key) })
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		writeString(out, m.name)
		out.WriteByte(':')
		out.Write(m.value)
	}
	out.WriteByte('}')
	return nil
}

func (r *reader) array(out *bytes.Buffer, depth int) error {
	if err := r.deeper(depth); err != nil {
		return err
	}
	r.i++ // [
	if out != nil {
		out.WriteByte('[')
	}
	r.space()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		if out != nil {
			out.WriteByte(']')
		}
		return nil
	}
	for n := 0; ; n++ {
		r.space()
		if n > 0 && out != nil {
			out.WriteByte(',')
		}
		if err := r.value(out, depth+1); err != nil {
			return err
		}
		r.space()
		if r.i >= len(r.b) {
			return r.syntaxError("unexpected end in an array")
		}
		if r.b[r.i] == ',' {
			r.i++
			continue
		}
		if r.b[r.i] == ']' {
			r.i++
			if out != nil {
				out.WriteByte(']')
			}
			return nil
		}
		return r.syntaxError("expected ',' or ']'")
	}
}

// str reads a string and returns its value. It refuses invalid UTF-8,
// lone surrogates and NUL characters, which no STIX property needs and
// which many stores and tools mishandle.
func (r *reader) str() (string, error) {
	r.i++ // "
	start := r.i
	// The common case, no escapes: the value is the bytes themselves.
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			s := r.b[start:r.i]
			r.i++
			if !utf8.Valid(s) {
				return "", errors.New("a string is not valid UTF-8")
			}
			return string(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", r.syntaxError("a control character inside a string")
		}
		r.i++
	}
	buf := append([]byte(nil), r.b[start:r.i]...)
	for {
		if r.i >= len(r.b) {
			return "", r.syntaxError("unterminated string")
		}
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(buf) {
				return "", errors.New("a string is not valid UTF-8")
			}
			return string(buf), nil
		case c < 0x20:
			return "", r.syntaxError("a control character inside a string")
		case c != '\\':
			buf = append(buf, c)
			r.i++
			continue
		}
		r.i++
		if r.i >= len(r.b) {
			return "", r.syntaxError("unterminated escape")
		}
		e := r.b[r.i]
		r.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			u, ok := r.hex4()
			if !ok {
				return "", r.syntaxError("a bad \\u escape")
			}
			ru := rune(u)
			if utf16.IsSurrogate(ru) {
				if u >= 0xDC00 || r.i+1 >= len(r.b) || r.b[r.i] != '\\' || r.b[r.i+1] != 'u' {
					return "", errors.New("a string holds a lone UTF-16 surrogate")
				}
				r.i += 2
				lo, ok := r.hex4()
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return "", errors.New("a string holds a lone UTF-16 surrogate")
				}
				ru = utf16.DecodeRune(ru, rune(lo))
			}
			if ru == 0 {
				return "", errors.New("a string holds a NUL character")
			}
			buf = utf8.AppendRune(buf, ru)
		default:
			return "", r.syntaxError("an unknown escape")
		}
	}
}

func (r *reader) hex4() (uint16, bool) {
	if r.i+4 > len(r.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return uint16(v), true
}

func (r *reader) number(out *bytes.Buffer) error {
	start := r.i
	if r.b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.i < len(r.b) && r.b[r.i] == '0' {
		r.i++
	} else if digits() == 0 {
		return r.syntaxError("a bad number")
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return r.syntaxError("a bad number")
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return r.syntaxError("a bad number")
		}
	}
	f, err := strconv.ParseFloat(string(r.b[start:r.i]), 64)
	if err != nil || math.IsInf(f, 0) {
		return fmt.Errorf("the number %s is too large", clip(string(r.b[start:r.i])))
	}
	if out != nil {
		writeNumber(out, f)
	}
	return nil
}

// writeNumber writes f as ECMAScript's Number.prototype.toString does,
// which is what RFC 8785 asks.
func writeNumber(out *bytes.Buffer, f float64) {
	if f == 0 {
		out.WriteByte('0') // -0 too
		return
	}
	if f < 0 {
		out.WriteByte('-')
		f = -f
	}
	// The shortest digits that read back as f, and the exponent n such
	// that f = 0.d1d2… × 10^n.
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±x
	mant, exp, _ := bytes.Cut([]byte(e), []byte("e"))
	ds := bytes.ReplaceAll(mant, []byte("."), nil)
	x, _ := strconv.Atoi(string(exp))
	n := x + 1
	k := len(ds)
	switch {
	case k <= n && n <= 21:
		out.Write(ds)
		out.Write(bytes.Repeat([]byte("0"), n-k))
	case 0 < n && n <= 21:
		out.Write(ds[:n])
		out.WriteByte('.')
		out.Write(ds[n:])
	case -6 < n && n <= 0:
		out.WriteString("0.")
		out.Write(bytes.Repeat([]byte("0"), -n))
		out.Write(ds)
	default:
		out.WriteByte(ds[0])
		if k > 1 {
			out.WriteByte('.')
			out.Write(ds[1:])
		}
		out.WriteByte('e')
		if n-1 >= 0 {
			out.WriteByte('+')
		}
		out.WriteString(strconv.Itoa(n - 1))
	}
}

// writeString writes s with the escapes RFC 8785 keeps: the quote, the
// backslash, and control characters (short forms where JSON has them).
func writeString(out *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	out.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out.WriteByte('\\')
			out.WriteByte(c)
		case c == '\b':
			out.WriteString(`\b`)
		case c == '\f':
			out.WriteString(`\f`)
		case c == '\n':
			out.WriteString(`\n`)
		case c == '\r':
			out.WriteString(`\r`)
		case c == '\t':
			out.WriteString(`\t`)
		case c < 0x20:
			out.WriteString(`\u00`)
			out.WriteByte(hex[c>>4])
			out.WriteByte(hex[c&0xf])
		default:
			out.WriteByte(c)
		}
	}
	out.WriteByte('"')
}
