package i18n

import (
	"regexp"
	"strings"
	"sync"
)

// A service writes some messages with fmt.Sprintf before they reach a
// page — "use at most 300 characters (now 412)" — and only the format is
// in the catalogue. knownFormats turns each such format into a pattern
// that recognises the text it made, so that Known can translate the
// format and put the same values back in: the services need not carry
// formats through every layer, and a format added to en.po translates
// the text it makes wherever that text is shown.

// formatPattern is one format of en.po as a pattern over the text it
// makes.
type formatPattern struct {
	key string
	re  *regexp.Regexp
}

// knownFormats compiles, once, the patterns of the formats of en.po that
// Known may translate: messages without a context, a plural or {names},
// with at least one verb.
func (c *Catalogue) knownFormats() []formatPattern {
	c.formatsOnce.Do(func() {
		for _, e := range c.source {
			if e.Context != "" || e.Plural != "" || len(placeholders(e.ID)) > 0 || !verbIn.MatchString(e.ID) {
				continue
			}
			c.formats = append(c.formats, formatPattern{key: e.key(), re: patternOf(e.ID)})
		}
	})
	return c.formats
}

// verbIn finds the verbs fmt.Sprintf fills; %% is a literal percent sign.
var verbIn = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

// patternOf makes the pattern of format: its text literally, each verb a
// group — a number for %d, anything (as little as possible) for the rest.
func patternOf(format string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^`)
	last := 0
	for _, loc := range verbIn.FindAllStringIndex(format, -1) {
		b.WriteString(regexp.QuoteMeta(format[last:loc[0]]))
		switch v := format[loc[0]:loc[1]]; {
		case v == "%%":
			b.WriteString(`%`)
		case strings.HasSuffix(v, "d"):
			b.WriteString(`(-?[0-9][0-9,]*)`)
		case strings.HasSuffix(v, "q"):
			b.WriteString(`("(?:[^"\\]|\\.)*")`) // a Go-quoted string
		default:
			b.WriteString(`(.+?)`)
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(format[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// knownFormatted translates text made from one of en.po's formats: the
// format's translation with the values text holds, or false. A value that
// is itself a message of en.po — a field's problem after the value it is
// about — is translated too, one level down.
func (p *Printer) knownFormatted(text string) (string, bool) {
	return p.knownFormattedAt(text, 0)
}

func (p *Printer) knownFormattedAt(text string, depth int) (string, bool) {
	for _, f := range p.cat.knownFormats() {
		m := f.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		src := p.cat.ids[f.key]
		tr := p.pick(f.key, src.ID, "", 0, false)
		values := m[1:]
		if depth == 0 {
			for i, v := range values {
				values[i] = p.knownValue(v)
			}
		}
		i := 0
		return verbIn.ReplaceAllStringFunc(tr, func(v string) string {
			if v == "%%" {
				return "%"
			}
			if i >= len(values) {
				return v
			}
			i++
			return values[i-1]
		}), true
	}
	return "", false
}

// knownValue translates a value found in formatted text when it reads as
// a service's message — several words, not a name or a code — that en.po
// has, exactly or as a format; anything else is data and stays as it is.
func (p *Printer) knownValue(v string) string {
	if !strings.Contains(v, " ") || strings.HasPrefix(v, `"`) {
		return v
	}
	k := key("", v)
	if src, ok := p.cat.ids[k]; ok && src.Plural == "" && len(placeholders(src.ID)) == 0 {
		return p.pick(k, v, "", 0, false)
	}
	if t, ok := p.knownFormattedAt(v, 1); ok {
		return t
	}
	return v
}

// formatsOnce and formats are the Catalogue's compiled patterns (known.go).
type formatCache struct {
	formatsOnce sync.Once
	formats     []formatPattern
}
