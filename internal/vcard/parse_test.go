package vcard

// A reader of the subset Write produces, for the tests only: detente
// exports vCards and never reads them, so this stays out of the package.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Parse reads the vCards in r: it unfolds lines, unescapes values and
// fills the Card fields Write writes, ignoring other properties; enough to
// check exports, not a general vCard reader.
func Parse(r io.Reader) ([]Card, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var (
		cards []Card
		cur   *Card
		notes []string
	)
	for n, line := range unfold(string(data)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, params, value, ok := splitLine(line)
		if !ok {
			return nil, fmt.Errorf("vcard: line %d: no ':' in %q", n+1, clip(line))
		}
		if name == "BEGIN" && strings.EqualFold(value, "VCARD") {
			if cur != nil {
				return nil, fmt.Errorf("vcard: line %d: BEGIN inside a card", n+1)
			}
			cur, notes = &Card{}, nil
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("vcard: line %d: %s outside BEGIN:VCARD", n+1, clip(name))
		}
		if name == "END" && strings.EqualFold(value, "VCARD") {
			if len(notes) > 0 {
				cur.Note, cur.KeyFingerprint = splitNote(strings.Join(notes, "\n"))
			}
			cards = append(cards, *cur)
			cur = nil
			continue
		}
		text := unescape(value)
		switch name {
		case "UID":
			cur.UID = text
		case "KIND":
			cur.Kind = strings.ToLower(text)
		case "FN":
			cur.FormattedName = text
		case "ORG":
			cur.Org = text
		case "TITLE":
			cur.Title = text
		case "EMAIL":
			cur.Emails = append(cur.Emails, text)
		case "TEL":
			if strings.EqualFold(params["VALUE"], "uri") {
				text = strings.TrimPrefix(text, "tel:")
			}
			cur.Phones = append(cur.Phones, text)
		case "LANG":
			cur.Languages = append(cur.Languages, text)
		case "TZ":
			cur.TimeZone = text
		case "KEY":
			cur.KeyURI = text
		case "CATEGORIES":
			for _, v := range splitUnescaped(value, ',') {
				cur.Categories = append(cur.Categories, unescape(v))
			}
		case "NOTE":
			notes = append(notes, text)
		case "REV":
			t, err := time.Parse(revLayout, value)
			if err != nil {
				return nil, fmt.Errorf("vcard: line %d: REV %q is not a UTC timestamp like 20240102T030405Z", n+1, clip(value))
			}
			cur.Rev = t
		}
	}
	if cur != nil {
		return nil, errors.New("vcard: missing END:VCARD")
	}
	return cards, nil
}

// unfold joins continuation lines (those starting with a space or tab) to
// the line before them. Bare LF line ends are accepted as well as CRLF.
func unfold(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(out) > 0 {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

// splitLine splits "group.NAME;P=v;Q=\"a:b\":value" at the first colon
// outside a quoted parameter value.
func splitLine(line string) (name string, params map[string]string, value string, ok bool) {
	quoted := false
	colon := -1
	for i := 0; i < len(line); i++ {
		if line[i] == '"' {
			quoted = !quoted
		} else if line[i] == ':' && !quoted {
			colon = i
			break
		}
	}
	if colon < 0 {
		return "", nil, "", false
	}
	head, value := line[:colon], line[colon+1:]
	parts := strings.Split(head, ";")
	name = strings.ToUpper(parts[0])
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		name = name[dot+1:]
	}
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return name, params, value, true
}

// unescape reverses §3.4. Unknown escapes keep the escaped character, and
// line breaks of any style read as \n, as Write would have written them.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		if ch == '\r' {
			b.WriteByte('\n')
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// splitUnescaped splits a list value on sep where sep is not escaped.
func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// splitNote separates the fingerprint line Write appends to NOTE.
func splitNote(note string) (rest, fpr string) {
	i := strings.LastIndexByte(note, '\n')
	last := note[i+1:]
	if !strings.HasPrefix(last, fingerprintLabel) {
		return note, ""
	}
	f := strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(last, fingerprintLabel), " ", ""))
	if !isFingerprint(f) {
		return note, ""
	}
	if i < 0 {
		return "", f
	}
	return note[:i], f
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
