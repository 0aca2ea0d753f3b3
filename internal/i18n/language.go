package i18n

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Language is one of the six official languages of the United Nations. Its
// value is the code the catalogue files, cookies and account preferences
// use; the zero value is not a language (see Valid).
type Language string

// The six languages, in the order the UN lists them.
const (
	Arabic  Language = "ar"
	Chinese Language = "zh" // Simplified
	English Language = "en"
	French  Language = "fr"
	Russian Language = "ru"
	Spanish Language = "es"
)

// Languages returns the six languages in the UN's order, for a language
// switcher.
func Languages() []Language {
	return []Language{Arabic, Chinese, English, French, Russian, Spanish}
}

// ParseLanguage returns the language a code names ("fr", "FR", "zh"), or
// false. It accepts exactly the six codes; use Negotiate for anything a
// browser or a person sent.
func ParseLanguage(code string) (Language, bool) {
	l := Language(strings.ToLower(strings.TrimSpace(code)))
	return l, l.Valid()
}

// Valid reports whether l is one of the six.
func (l Language) Valid() bool {
	switch l {
	case Arabic, Chinese, English, French, Russian, Spanish:
		return true
	}
	return false
}

// Code is the short code: "ar", "zh", "en", "fr", "ru", "es".
func (l Language) Code() string { return string(l) }

// Name is the language's name in itself, as a switcher shows it.
func (l Language) Name() string {
	switch l {
	case Arabic:
		return "العربية"
	case Chinese:
		return "中文"
	case English:
		return "English"
	case French:
		return "Français"
	case Russian:
		return "Русский"
	case Spanish:
		return "Español"
	}
	return string(l)
}

// Dir is the direction of the language's script, for <html dir>: "rtl"
// for Arabic, else "ltr".
func (l Language) Dir() string {
	if l.RTL() {
		return "rtl"
	}
	return "ltr"
}

// RTL reports whether the language is written right to left.
func (l Language) RTL() bool { return l == Arabic }

// HTMLLang is the BCP 47 tag for <html lang> and Content-Language. Chinese
// names its script so that browsers pick Simplified glyphs.
func (l Language) HTMLLang() string {
	if l == Chinese {
		return "zh-Hans"
	}
	return string(l)
}

// Tag is the language as golang.org/x/text knows it.
func (l Language) Tag() language.Tag {
	switch l {
	case Arabic:
		return language.Arabic
	case Chinese:
		return language.SimplifiedChinese
	case French:
		return language.French
	case Russian:
		return language.Russian
	case Spanish:
		return language.Spanish
	}
	return language.English
}

// numberTag is the tag numbers are formatted with. Arabic uses the digits
// 0–9, as United Nations documents in Arabic do, rather than CLDR's default
// Arabic-Indic digits: identifiers, phone numbers and symbols on the same
// page are in 0–9 too.
func (l Language) numberTag() language.Tag {
	if l == Arabic {
		return language.MustParse("ar-u-nu-latn")
	}
	return l.Tag()
}

// Limits that keep a hostile header from costing more than a real one.
const (
	maxHeader    = 1024
	maxLanguages = 32
)

// Negotiate picks the language for a request: the account's preference if
// it is one of the six (or close to one, like "fr-CA"), else the cookie's,
// else the best match in Accept-Language, else English. Anything
// unreadable is skipped, never an error.
func Negotiate(accountPref, cookie, acceptLanguage string) Language {
	m := sixMatcher()
	for _, pref := range []string{accountPref, cookie} {
		if l, ok := ParseLanguage(pref); ok { // what the switcher stores: no matching needed
			return l
		}
		if l, ok := matchOne(m, pref); ok {
			return l
		}
	}
	tags := acceptedTags(acceptLanguage)
	if len(tags) == 0 {
		return English
	}
	_, i, conf := m.Match(tags...)
	if conf == language.No {
		return English
	}
	return Languages()[i]
}

// FirstOf returns the first of a person's languages, in their order of
// preference, that is one of the six or close to one ("fr-CA", "zh-TW"),
// else English: the language of a mail to a point of contact who listed
// "de, fr" is French.
func FirstOf(tags ...string) Language {
	m := sixMatcher()
	for i, t := range tags {
		if i == maxLanguages {
			break
		}
		if l, ok := matchOne(m, t); ok {
			return l
		}
	}
	return English
}

// sixMatcher matches against the six languages. Building one costs more
// than the rest of a request's negotiation, and a Matcher is only read
// once built, so one is shared.
var sixMatcher = sync.OnceValue(func() language.Matcher { return language.NewMatcher(matcherTags()) })

// matcherTags are the six tags in Languages() order, so a match's index
// names the Language.
func matcherTags() []language.Tag {
	ls := Languages()
	tags := make([]language.Tag, len(ls))
	for i, l := range ls {
		tags[i] = l.Tag()
	}
	return tags
}

func matchOne(m language.Matcher, s string) (Language, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", false
	}
	t, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return "", false
	}
	_, i, conf := m.Match(t)
	if conf == language.No {
		return "", false
	}
	return Languages()[i], true
}

// acceptedTags reads an Accept-Language header entry by entry, so that one
// malformed entry does not discard the others, in the order of their
// weights; entries with q=0 are refused by the sender and dropped.
func acceptedTags(header string) []language.Tag {
	if len(header) > maxHeader {
		header = header[:maxHeader]
	}
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var all []weighted
	for i, entry := range strings.Split(header, ",") {
		if i == maxLanguages {
			break
		}
		entry = strings.TrimSpace(entry)
		if entry == "" || entry == "*" {
			continue
		}
		tags, qs, err := language.ParseAcceptLanguage(entry)
		if err != nil || len(tags) != 1 || qs[0] > 1 {
			continue // RFC 9110 §12.4.2: a weight is at most 1
		}
		all = append(all, weighted{tags[0], qs[0]})
	}
	// A stable sort keeps the sender's order among equal weights.
	slices.SortStableFunc(all, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(all))
	for i, w := range all {
		tags[i] = w.tag
	}
	return tags
}
