package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
	"golang.org/x/text/unicode/bidi"
)

// Printer writes messages, numbers, dates and region names in one
// language. Get one from Catalogue.Printer; it is safe for concurrent use.
type Printer struct {
	cat     *Catalogue
	lang    Language
	own     *translations
	numbers *message.Printer
	regions display.Namer
}

func newPrinter(c *Catalogue, l Language) *Printer {
	return &Printer{
		cat:     c,
		lang:    l,
		own:     c.langs[l],
		numbers: message.NewPrinter(l.numberTag()),
		regions: display.Regions(l.Tag()),
	}
}

// Language is the printer's language.
func (p *Printer) Language() Language { return p.lang }

// T translates msgid. Arguments are name/value pairs filling the named
// placeholders: T("Signed in as {email}", "email", addr). A placeholder
// without its argument stays visible as {email}; see ReportMisuse.
//
// Values are formatted for the language: integers and floats as numbers
// (so pass a year or an identifier as a string), time.Time as a date,
// Message by translating it. A string written in the other direction than
// the language's (an e-mail address in Arabic, an Arabic name in English)
// is isolated with U+2068 … U+2069 so it cannot reorder the sentence.
func (p *Printer) T(msgid string, args ...any) string {
	return p.render("", msgid, "", 0, false, args)
}

// TC is T for a message with a context (msgctxt), which tells translators
// apart the same English word in two senses: TC("button", "Close").
func (p *Printer) TC(context, msgid string, args ...any) string {
	return p.render(context, msgid, "", 0, false, args)
}

// N translates a message whose form depends on the integer n, chosen by the
// language's CLDR plural rules: N("{count} message", "{count} messages", n).
// The placeholder {count} is n, formatted as a number, unless args name it.
func (p *Printer) N(singular, plural string, n int, args ...any) string {
	return p.render("", singular, plural, n, true, args)
}

// NC is N with a context.
func (p *Printer) NC(context, singular, plural string, n int, args ...any) string {
	return p.render(context, singular, plural, n, true, args)
}

// Known translates text if en.po has it as a message of its own — without
// a context, a plural or placeholders — or as the format that made it
// (known.go), and returns it unchanged otherwise. It is for English made before it reached the page, such as a
// service's error message or a field error, until that comes as a
// Message. Unlike T it reports no misuse: most such text is no message.
func (p *Printer) Known(text string) string {
	k := key("", text)
	src, ok := p.cat.ids[k]
	if !ok {
		if t, ok := p.knownFormatted(text); ok {
			return t
		}
		return text
	}
	if src.Plural != "" || len(placeholders(src.ID)) > 0 {
		return text
	}
	return p.pick(k, text, "", 0, false)
}

// KnownFormat is Known for a message made with fmt.Sprintf(format,
// args...), such as a service's error: the format is translated when en.po
// has it, keeping its verbs in order (TestVerbsAgree), then filled in.
func (p *Printer) KnownFormat(format string, args ...any) string {
	if len(args) == 0 {
		return p.Known(format)
	}
	return fmt.Sprintf(p.Known(format), args...)
}

// Msg translates a message built elsewhere (a field error, a flash).
func (p *Printer) Msg(m Message) string {
	if m.ID == "" {
		return ""
	}
	return p.render(m.Context, m.ID, m.Plural, m.N, m.Plural != "", m.Args)
}

func (p *Printer) render(ctx, id, pl string, n int, counted bool, args []any) string {
	k := key(ctx, id)
	src, known := p.cat.ids[k]
	switch {
	case !known:
		p.cat.misuse(fmt.Errorf("i18n: message %q (context %q) is not in en.po", id, ctx))
	case counted && src.Plural == "":
		p.cat.misuse(fmt.Errorf("i18n: message %q is called with a count, but en.po has no plural for it", id))
	case !counted && src.Plural != "":
		p.cat.misuse(fmt.Errorf("i18n: message %q is called without a count, but en.po has a plural for it", id))
	case counted && src.Plural != pl:
		p.cat.misuse(fmt.Errorf("i18n: message %q has the plural %q in en.po, not %q", id, src.Plural, pl))
	}
	text := p.pick(k, id, pl, n, counted)
	vals := p.values(id, args)
	if counted {
		if _, given := vals["count"]; !given {
			vals["count"] = p.Number(n)
		}
	}
	return fill(text, vals, func(name string) {
		p.cat.misuse(fmt.Errorf("i18n: message %q: no argument for {%s}", id, name))
	})
}

// pick returns the translation of the message, or its English source when
// the language lacks it or any of its forms is empty.
func (p *Printer) pick(k, id, pl string, n int, counted bool) string {
	if e, ok := p.own.byKey[k]; ok && complete(e) {
		if !counted {
			if e.Plural == "" {
				return e.Str[0]
			}
			return e.Str[len(e.Str)-1]
		}
		if e.Plural != "" {
			if i := pluralIndex(p.lang, n); i < len(e.Str) {
				return e.Str[i]
			}
		}
	}
	if counted && n != 1 {
		return pl
	}
	return id
}

func complete(e *entry) bool {
	if len(e.Str) == 0 {
		return false
	}
	for _, s := range e.Str {
		if s == "" {
			return false
		}
	}
	return true
}

// values reads name/value pairs into formatted strings.
func (p *Printer) values(id string, args []any) map[string]string {
	vals := make(map[string]string, len(args)/2+1)
	if len(args)%2 != 0 {
		p.cat.misuse(fmt.Errorf("i18n: message %q: arguments must be name/value pairs, have %d values", id, len(args)))
	}
	for i := 0; i+1 < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			p.cat.misuse(fmt.Errorf("i18n: message %q: argument name %v is not a string", id, args[i]))
			continue
		}
		if _, dup := vals[name]; dup {
			p.cat.misuse(fmt.Errorf("i18n: message %q: argument %q given twice", id, name))
		}
		vals[name] = p.format(args[i+1])
	}
	return vals
}

// format writes one argument value for the printer's language.
func (p *Printer) format(v any) string {
	switch v := v.(type) {
	case string:
		return p.isolate(v)
	case Message:
		return p.Msg(v)
	case time.Time:
		return p.Date(v)
	case *time.Time:
		if v == nil {
			return ""
		}
		return p.Date(*v)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return p.Number(v)
	case fmt.Stringer:
		return p.isolate(v.String())
	}
	return p.isolate(fmt.Sprint(v))
}

// fill replaces each {name} in text by vals[name], and, as Python's
// str.format does, "{{" and "}}" by single braces. A placeholder without a
// value is left as it is, so a mistake shows on the page instead of
// hiding, and is reported to missing.
func fill(text string, vals map[string]string, missing func(string)) string {
	if !strings.ContainsAny(text, "{}") {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c == '{' || c == '}') && i+1 < len(text) && text[i+1] == c {
			b.WriteByte(c)
			i++
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 || !isName(text[i+1:i+j]) {
			b.WriteByte(c)
			continue
		}
		name := text[i+1 : i+j]
		if v, ok := vals[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[i : i+j+1])
			if missing != nil {
				missing(name)
			}
		}
		i += j
	}
	return b.String()
}

// isName reports whether s is a placeholder name: a letter or underscore,
// then letters, digits or underscores (ASCII), as Python's format strings
// have them.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// placeholders lists the distinct placeholder names of s in order.
func placeholders(s string) []string {
	var names []string
	seen := map[string]bool{}
	fill(s, nil, func(name string) {
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	})
	return names
}

// Number formats an integer or a float with the language's separators:
// 1,234.5 in English, 1 234,5 in French and Russian, 1.234,5 in Spanish.
func (p *Printer) Number(v any) string {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return p.numbers.Sprint(number.Decimal(v))
	}
	return fmt.Sprint(v)
}

// Percent formats a fraction (0.85) as a percentage (85 %), rounded to a
// whole number.
func (p *Printer) Percent(f float64) string {
	return p.numbers.Sprint(number.Percent(f, number.MaxFractionDigits(0)))
}

// Date writes the calendar date of t in UTC, as "2 December 2026" in
// English: the pattern and the month names are messages of the catalogue.
func (p *Printer) Date(t time.Time) string {
	return p.date(t.UTC())
}

func (p *Printer) date(t time.Time) string {
	pattern := p.pick(key("date", "{day} {month} {year}"), "{day} {month} {year}", "", 0, false)
	return fill(pattern, map[string]string{
		"day":   strconv.Itoa(t.Day()),
		"month": p.month(t.Month()),
		"year":  strconv.Itoa(t.Year()),
	}, nil)
}

// DateTime writes t's date and time of day in loc (UTC when nil), with the
// zone's abbreviation: "2 December 2026 14:05 UTC".
func (p *Printer) DateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	pattern := p.pick(key("date and time", "{date} {time} {zone}"), "{date} {time} {zone}", "", 0, false)
	return fill(pattern, map[string]string{
		"date": p.date(t),
		"time": t.Format("15:04"),
		"zone": p.isolate(t.Format("MST")),
	}, nil)
}

// month is the name of m inside a date; en.po holds the English names in
// the context "month".
func (p *Printer) month(m time.Month) string {
	id := m.String() // January … December: the English source
	return p.pick(key("month", id), id, "", 0, false)
}

// Region is the name of a country or territory in the printer's language,
// from its ISO 3166-1 alpha-2 code ("FR" → "France", "Francia", "法国"), as
// CLDR has it. An unknown code is returned as given.
func (p *Printer) Region(code string) string {
	r, err := language.ParseRegion(strings.TrimSpace(code))
	if err != nil {
		return code
	}
	if name := p.regions.Name(r); name != "" {
		return name
	}
	return code
}

// Bidirectional isolation marks (Unicode 6.3).
const (
	fsi = "\u2068" // first strong isolate
	pdi = "\u2069" // pop directional isolate
)

// Isolate wraps s in U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL
// ISOLATE, so that text of either direction (an English subject in an
// Arabic sentence, a phone number) keeps its own order and does not
// reorder what is around it. For HTML, a <bdi> element does the same.
func Isolate(s string) string {
	if s == "" {
		return s
	}
	return fsi + s + pdi
}

// Arg is s as it appears when it fills a placeholder of p's messages:
// isolated when its direction goes against the sentence's (see isolate).
func (p *Printer) Arg(s string) string { return p.isolate(s) }

// isolate isolates s when it holds characters that go against the
// printer's direction: letters or digits of left-to-right text in Arabic,
// right-to-left letters in the others. Text that cannot disturb the
// sentence is left alone, so English mail and logs stay free of marks.
func (p *Printer) isolate(s string) string {
	if needsIsolation(s, p.lang.RTL()) {
		return Isolate(s)
	}
	return s
}

func needsIsolation(s string, rtl bool) bool {
	for i := 0; i < len(s); {
		prop, size := bidi.LookupString(s[i:])
		if size == 0 {
			size = 1
		}
		i += size
		switch prop.Class() {
		case bidi.L, bidi.EN, bidi.ES, bidi.ET:
			if rtl {
				return true
			}
		case bidi.R, bidi.AL, bidi.AN:
			if !rtl {
				return true
			}
		}
	}
	return false
}
