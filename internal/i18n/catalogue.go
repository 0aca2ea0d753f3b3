package i18n

import (
	"embed"
	"fmt"

	"golang.org/x/text/feature/plural"
)

//go:embed po/*.po
var poFiles embed.FS

// Catalogue holds every message in the six languages. It is read from the
// embedded PO files once, by Load, and is safe for concurrent use.
type Catalogue struct {
	source   *poFile                    // en.po: the messages that exist
	ids      map[string]*entry          // en.po by key
	langs    map[Language]*translations // every language, English included
	printers map[Language]*Printer
	misuse   func(error)
}

// translations are one language's messages by key.
type translations struct {
	file     *poFile
	byKey    map[string]*entry
	nplurals int
}

// Option changes how Load builds a Catalogue.
type Option func(*Catalogue)

// ReportMisuse has the catalogue call f whenever a message is asked for
// that en.po lacks, or with arguments that do not fit its placeholders.
// Pages still render (the English text, the placeholder left visible as
// {name}); tests pass a function that fails the test, servers one that logs.
func ReportMisuse(f func(error)) Option {
	return func(c *Catalogue) { c.misuse = f }
}

// Load reads the embedded catalogue. An error means a PO file is malformed,
// which the package's tests rule out for the files it is built with.
func Load(opts ...Option) (*Catalogue, error) {
	c := &Catalogue{langs: map[Language]*translations{}, printers: map[Language]*Printer{}, misuse: func(error) {}}
	for _, o := range opts {
		o(c)
	}
	for _, l := range Languages() {
		t, err := readLanguage(l)
		if err != nil {
			return nil, err
		}
		c.langs[l] = t
	}
	c.source = c.langs[English].file
	c.ids = c.langs[English].byKey
	for _, l := range Languages() {
		c.printers[l] = newPrinter(c, l)
	}
	return c, nil
}

func readLanguage(l Language) (*translations, error) {
	name := "po/" + l.Code() + ".po"
	b, err := poFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	f, err := parsePO(name, string(b))
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	n, ok := nplurals(f.Header["Plural-Forms"])
	if !ok {
		return nil, fmt.Errorf("i18n: %s: no nplurals in the Plural-Forms header", name)
	}
	if n != len(pluralForms(l)) {
		return nil, fmt.Errorf("i18n: %s: nplurals=%d, but %s has %d plural forms", name, n, l.Code(), len(pluralForms(l)))
	}
	t := &translations{file: f, byKey: make(map[string]*entry, len(f.Entries)), nplurals: n}
	for _, e := range f.Entries {
		t.byKey[e.key()] = e
	}
	return t, nil
}

// Printer returns the printer for l; English for a value that is not one of
// the six.
func (c *Catalogue) Printer(l Language) *Printer {
	if p, ok := c.printers[l]; ok {
		return p
	}
	return c.printers[English]
}

// Len is the number of messages in the source catalogue.
func (c *Catalogue) Len() int { return len(c.source.Entries) }

// pluralForms are the CLDR plural categories of a language in the order of
// its gettext Plural-Forms expression, so that msgstr[i] is the form at
// index i. The expressions in the PO headers are the customary ones for
// each language; TestPluralFormsAgree holds them to these lists.
func pluralForms(l Language) []plural.Form {
	switch l {
	case Arabic:
		return []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other}
	case Russian:
		return []plural.Form{plural.One, plural.Few, plural.Many}
	case Chinese:
		return []plural.Form{plural.Other}
	}
	return []plural.Form{plural.One, plural.Other}
}

// pluralIndex is the msgstr index for the integer n in l, from the CLDR
// rules in golang.org/x/text. A category the gettext order lacks (French
// and Spanish "many" for millions, Russian "other" for fractions) takes the
// last form, which is what the customary expressions give.
func pluralIndex(l Language, n int) int {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	form := plural.Cardinal.MatchPlural(l.Tag(), abs, 0, 0, 0, 0)
	forms := pluralForms(l)
	for i, f := range forms {
		if f == form {
			return i
		}
	}
	return len(forms) - 1
}
