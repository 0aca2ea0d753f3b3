package i18n

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// entry is one message of a PO file.
type entry struct {
	Context  string   // msgctxt, "" when absent
	ID       string   // msgid
	Plural   string   // msgid_plural, "" for a message without plural
	Str      []string // msgstr, or msgstr[0..n-1]
	Flags    []string // from "#, " lines: python-brace-format, fuzzy, …
	Comments []string // "#." notes for translators
	Line     int      // where the entry starts, for error messages
	File     string   // the file it was read from, set by Load
}

// key is how an entry is looked up: gettext joins context and id with EOT.
func key(ctx, id string) string {
	if ctx == "" {
		return id
	}
	return ctx + "\x04" + id
}

func (e *entry) key() string { return key(e.Context, e.ID) }

func (e *entry) hasFlag(f string) bool {
	for _, x := range e.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// poFile is a parsed PO file: its header fields and its messages in order.
type poFile struct {
	Header  map[string]string
	Entries []*entry
}

// parsePO reads the subset of the gettext PO format that translators'
// tools write: comments, flags, msgctxt, msgid, msgid_plural, msgstr and
// msgstr[N], each with continuation lines. Obsolete entries ("#~") and
// previous-msgid comments ("#|") are skipped. Anything else is an error
// with its line number, so a broken file fails the tests, not a page.
func parsePO(name, src string) (*poFile, error) {
	f := &poFile{Header: map[string]string{}}
	seen := map[string]bool{}
	var cur *entry
	var target *string // the string continuation lines append to
	var midID bool     // cur has a msgid, so a second one is an error
	flush := func() error {
		if cur == nil {
			return nil
		}
		if len(cur.Str) == 0 {
			return fmt.Errorf("%s:%d: message %q has no msgstr", name, cur.Line, cur.ID)
		}
		if cur.ID == "" && cur.Context == "" {
			parseHeader(cur.Str[0], f.Header)
		} else {
			if seen[cur.key()] {
				return fmt.Errorf("%s:%d: duplicate message %q", name, cur.Line, cur.ID)
			}
			seen[cur.key()] = true
			f.Entries = append(f.Entries, cur)
		}
		cur, target, midID = nil, nil, false
		return nil
	}
	// begin returns the entry a comment or keyword belongs to: a new one
	// once the current one has its msgstr.
	begin := func(n int) error {
		if cur != nil && len(cur.Str) > 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		if cur == nil {
			cur = &entry{Line: n}
		}
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "", strings.HasPrefix(line, "#~"), strings.HasPrefix(line, "#|"):
			continue
		case strings.HasPrefix(line, "#"):
			if err := begin(n); err != nil {
				return nil, err
			}
			switch {
			case strings.HasPrefix(line, "#,"):
				for _, fl := range strings.Split(line[2:], ",") {
					if fl = strings.TrimSpace(fl); fl != "" {
						cur.Flags = append(cur.Flags, fl)
					}
				}
			case strings.HasPrefix(line, "#."):
				cur.Comments = append(cur.Comments, strings.TrimSpace(line[2:]))
			}
			target = nil
			continue
		case strings.HasPrefix(line, `"`):
			if target == nil {
				return nil, fmt.Errorf("%s:%d: a string outside a message", name, n)
			}
			s, err := unquote(line)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, n, err)
			}
			*target += s
			continue
		}
		kw, rest, _ := strings.Cut(line, " ")
		s, err := unquote(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		switch {
		case kw == "msgctxt" || kw == "msgid":
			if err := begin(n); err != nil {
				return nil, err
			}
			if midID {
				return nil, fmt.Errorf("%s:%d: %s after msgid", name, n, kw)
			}
			if kw == "msgctxt" {
				cur.Context = s
				target = &cur.Context
			} else {
				cur.ID, midID = s, true
				target = &cur.ID
			}
		case kw == "msgid_plural":
			if !midID || cur.Plural != "" || len(cur.Str) > 0 {
				return nil, fmt.Errorf("%s:%d: unexpected msgid_plural", name, n)
			}
			cur.Plural = s
			target = &cur.Plural
		case kw == "msgstr":
			if !midID || cur.Plural != "" || len(cur.Str) > 0 {
				return nil, fmt.Errorf("%s:%d: unexpected msgstr", name, n)
			}
			cur.Str = []string{s}
			target = &cur.Str[0]
		case strings.HasPrefix(kw, "msgstr[") && strings.HasSuffix(kw, "]"):
			i, err := strconv.Atoi(kw[len("msgstr[") : len(kw)-1])
			if err != nil || !midID || cur.Plural == "" || i != len(cur.Str) {
				return nil, fmt.Errorf("%s:%d: unexpected %s", name, n, kw)
			}
			cur.Str = append(cur.Str, s)
			target = &cur.Str[i]
		default:
			return nil, fmt.Errorf("%s:%d: unknown keyword %q", name, n, kw)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return f, nil
}

// parseHeader reads the "Name: value" lines of the header entry.
func parseHeader(s string, into map[string]string) {
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			into[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
}

// unquote reads one C-style quoted PO string.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("want a quoted string, have %q", s)
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return "", fmt.Errorf("unescaped quote")
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("backslash at the end of a string")
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '"', '\\':
			b.WriteByte(s[i])
		default:
			return "", fmt.Errorf(`unknown escape \%c`, s[i])
		}
	}
	return b.String(), nil
}

// nplurals reads nplurals=N from a Plural-Forms header value.
func nplurals(pluralForms string) (int, bool) {
	for _, part := range strings.Split(pluralForms, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.TrimSpace(k) == "nplurals" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			return n, err == nil && n > 0
		}
	}
	return 0, false
}
