package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"

	"golang.org/x/text/feature/plural"
)

// The catalogue is split into areas, one directory each under po/ — the
// frame of every page, signing in, field errors, dates, and one per group
// of pages — and each area holds a file per language: po/<area>/<lang>.po.
// People converting different pages then edit different files, and
// translators' tools can take an area as a unit. Load merges the areas; a
// message in two areas is refused, so that each has one owner.
//
//go:embed po
var poFiles embed.FS

// Catalogue holds every message in the six languages. It is read from the
// embedded PO files once, by Load, and is safe for concurrent use.
type Catalogue struct {
	areas    []string                   // the directories under po/, sorted
	source   []*entry                   // every area's en.po, in area order
	ids      map[string]*entry          // the source by key
	langs    map[Language]*translations // every language, English included
	printers map[Language]*Printer
	misuse   func(error)
	formatCache
}

// translations are one language's messages by key, from all its files.
type translations struct {
	files    map[string]*poFile // by area
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
// an area lacks one of the six files or a message is in two areas, which
// the package's tests rule out for the files it is built with.
func Load(opts ...Option) (*Catalogue, error) {
	sub, err := fs.Sub(poFiles, "po")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	return loadFS(sub, opts...)
}

// loadFS reads the catalogue from fsys, whose directories are the areas.
func loadFS(fsys fs.FS, opts ...Option) (*Catalogue, error) {
	c := &Catalogue{langs: map[Language]*translations{}, printers: map[Language]*Printer{}, misuse: func(error) {}}
	for _, o := range opts {
		o(c)
	}
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			return nil, fmt.Errorf("i18n: po/%s: want a directory per area, holding <lang>.po files", d.Name())
		}
		if !validArea(d.Name()) {
			return nil, fmt.Errorf("i18n: po/%s: an area is named in lower-case letters, digits and hyphens", d.Name())
		}
		c.areas = append(c.areas, d.Name())
	}
	if len(c.areas) == 0 {
		return nil, fmt.Errorf("i18n: no areas under po/")
	}
	for _, l := range Languages() {
		t, err := readLanguage(fsys, c.areas, l)
		if err != nil {
			return nil, err
		}
		c.langs[l] = t
	}
	c.ids = c.langs[English].byKey
	for _, a := range c.areas {
		c.source = append(c.source, c.langs[English].files[a].Entries...)
	}
	for _, l := range Languages() {
		c.printers[l] = newPrinter(c, l)
	}
	return c, nil
}

func validArea(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// readLanguage reads and merges l's file of every area.
func readLanguage(fsys fs.FS, areas []string, l Language) (*translations, error) {
	t := &translations{files: map[string]*poFile{}, byKey: map[string]*entry{}}
	for _, a := range areas {
		name := a + "/" + l.Code() + ".po"
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: area %s has no %s.po: %w", a, l.Code(), err)
		}
		f, err := parsePO("po/"+name, string(b))
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		n, ok := nplurals(f.Header["Plural-Forms"])
		if !ok {
			return nil, fmt.Errorf("i18n: po/%s: no nplurals in the Plural-Forms header", name)
		}
		if n != len(pluralForms(l)) {
			return nil, fmt.Errorf("i18n: po/%s: nplurals=%d, but %s has %d plural forms", name, n, l.Code(), len(pluralForms(l)))
		}
		t.nplurals = n
		for _, e := range f.Entries {
			e.File = "po/" + name
			if prev, dup := t.byKey[e.key()]; dup {
				return nil, fmt.Errorf("i18n: %s:%d: %s is also in %s:%d: a message belongs to one area", e.File, e.Line, describe(e), prev.File, prev.Line)
			}
			t.byKey[e.key()] = e
		}
		t.files[a] = f
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
func (c *Catalogue) Len() int { return len(c.source) }

// Areas are the parts the catalogue is split into, one directory each
// under po/.
func (c *Catalogue) Areas() []string { return slices.Clone(c.areas) }

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

// describe names a message in errors: its context, if any, and its msgid.
func describe(e *entry) string {
	if e.Context != "" {
		return "[" + e.Context + "] " + strconv.Quote(e.ID)
	}
	return strconv.Quote(e.ID)
}
