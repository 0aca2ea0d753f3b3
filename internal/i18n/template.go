package i18n

import (
	"fmt"
	"html/template"
	"time"
)

// Funcs are the template functions of a page in the printer's language:
//
//	{{t "Next page"}}                         a message
//	{{t "Sign out {email}" "email" .Email}}   with named arguments
//	{{tc "main menu" "Account"}}              with a context
//	{{n "{count} unread communication" "{count} unread communications" .Unread}}
//	{{nc "context" "…" "…" .Count "name" .Value}}
//	{{msg .Flash}}                            a Message made elsewhere
//	{{number .Total}} {{percent .Rate}}       numbers for the language
//	{{date .At}} {{datetime .At}} {{datetimeIn .At .Zone}}
//	{{region "FR"}}                           a country's name
//	{{bdi .Subject}}                          <bdi>…</bdi> around text of either direction
//	{{isolate .Email}}                        the same with U+2068/U+2069, for attributes and <title>
//	{{lang.HTMLLang}} {{lang.Dir}}            for <html lang dir>
//
// html/template needs the names when it parses: parse with the functions of
// any printer, then give each language its own copy with
// tmpl.Clone() and Funcs(printer.Funcs()) before the first execution.
// Every function returns text that html/template escapes, except bdi,
// which escapes its argument itself.
func (p *Printer) Funcs() template.FuncMap {
	return template.FuncMap{
		"t":  p.T,
		"tc": p.TC,
		"n": func(singular, plural string, n any, args ...any) string {
			return p.N(singular, plural, p.count(singular, n), args...)
		},
		"nc": func(context, singular, plural string, n any, args ...any) string {
			return p.NC(context, singular, plural, p.count(singular, n), args...)
		},
		"msg":     p.Msg,
		"number":  p.Number,
		"percent": p.Percent,
		"date": func(t any) string {
			if v, ok := timeOf(t); ok {
				return p.Date(v)
			}
			return ""
		},
		"datetime": func(t any) string {
			if v, ok := timeOf(t); ok {
				return p.DateTime(v, time.UTC)
			}
			return ""
		},
		"datetimeIn": func(t any, zone any) string {
			v, ok := timeOf(t)
			if !ok {
				return ""
			}
			return p.DateTime(v, location(zone))
		},
		"region": p.Region,
		"bdi": func(v any) template.HTML {
			return template.HTML("<bdi>" + template.HTMLEscapeString(fmt.Sprint(v)) + "</bdi>")
		},
		"isolate": func(v any) string { return Isolate(fmt.Sprint(v)) },
		"lang":    p.Language,
	}
}

// FuncNames are the names Funcs defines, for the template checker and for
// a page that merges them with functions of its own.
func FuncNames() []string {
	return []string{"t", "tc", "n", "nc", "msg", "number", "percent", "date", "datetime", "datetimeIn", "region", "bdi", "isolate", "lang"}
}

// count turns a template's number (any integer type) into the count of a
// plural message.
func (p *Printer) count(id string, n any) int {
	switch v := n.(type) {
	case int:
		return v
	case int8:
		return int(v)
	case int16:
		return int(v)
	case int32:
		return int(v)
	case int64:
		return int(v)
	case uint:
		return int(v)
	case uint8:
		return int(v)
	case uint16:
		return int(v)
	case uint32:
		return int(v)
	case uint64:
		return int(v)
	}
	p.cat.misuse(fmt.Errorf("i18n: message %q: the count %v (%T) is not an integer", id, n, n))
	return 0
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

// location reads a zone given as *time.Location or as an IANA name; UTC
// when it is neither.
func location(zone any) *time.Location {
	switch z := zone.(type) {
	case *time.Location:
		if z != nil {
			return z
		}
	case string:
		if loc, err := time.LoadLocation(z); err == nil && z != "" && z != "Local" {
			return loc
		}
	}
	return time.UTC
}
