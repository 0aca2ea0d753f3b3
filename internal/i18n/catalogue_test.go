package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

func load(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load(ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	c := load(t)
	for _, l := range Languages() {
		t.Run(l.Code(), func(t *testing.T) {
			own := c.langs[l]
			for _, area := range c.areas {
				// A translation sits in the same area as its source, so
				// that the area's files go to translators together.
				mine := byKey(own.files[area])
				for _, src := range c.langs[English].files[area].Entries {
					e, ok := mine[src.key()]
					switch {
					case !ok:
						t.Errorf("po/%s/%s.po lacks %s", area, l, describe(src))
						continue
					case e.Plural != src.Plural:
						t.Errorf("%s: %s has the plural %q, en.po %q", e.File, describe(src), e.Plural, src.Plural)
					}
					for i, s := range e.Str {
						if strings.TrimSpace(s) == "" {
							t.Errorf("%s:%d: %s: msgstr[%d] is empty", e.File, e.Line, describe(src), i)
						}
						if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r") {
							t.Errorf("%s:%d: %s: msgstr[%d] is not clean text", e.File, e.Line, describe(src), i)
						}
					}
					if e.hasFlag("fuzzy") {
						t.Errorf("%s:%d: %s is marked fuzzy: review it and remove the flag", e.File, e.Line, describe(src))
					}
				}
				source := byKey(c.langs[English].files[area])
				for _, e := range own.files[area].Entries {
					if _, ok := source[e.key()]; !ok {
						t.Errorf("%s:%d: %s is not in po/%s/en.po: remove it, or move it to the area of its source", e.File, e.Line, describe(e), area)
					}
				}
			}
		})
	}
}

func byKey(f *poFile) map[string]*entry {
	m := make(map[string]*entry, len(f.Entries))
	for _, e := range f.Entries {
		m[e.key()] = e
	}
	return m
}

func TestPlaceholdersAgree(t *testing.T) {
	c := load(t)
	for _, l := range Languages() {
		t.Run(l.Code(), func(t *testing.T) {
			for _, src := range c.source {
				e, ok := c.langs[l].byKey[src.key()]
				if !ok {
					continue // reported by TestEveryLanguageHasEveryMessage
				}
				want := sorted(placeholders(src.ID + " " + src.Plural))
				for i, s := range e.Str {
					have := sorted(placeholders(s))
					// A plural form may say its number in words ("one
					// message", "رسالتان") and so leave out {count}; the last
					// form, used for most numbers, may not.
					if src.Plural != "" && i < len(e.Str)-1 && !slices.Contains(have, "count") {
						have = sorted(append(have, "count"))
					}
					if !slices.Equal(have, want) {
						t.Errorf("%s:%d: %s: msgstr[%d] has placeholders %v, en.po %v", e.File, e.Line, describe(src), i, have, want)
					}
				}
				wantFlag := len(want) > 0
				if e.hasFlag("python-brace-format") != wantFlag {
					t.Errorf("%s:%d: %s: python-brace-format flag is %v, want %v", e.File, e.Line, describe(src), !wantFlag, wantFlag)
				}
				if strings.Count(strings.Join(e.Str, ""), "{") != strings.Count(strings.Join(e.Str, ""), "}") {
					t.Errorf("%s:%d: %s: unbalanced braces", e.File, e.Line, describe(src))
				}
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func TestSourceIsItsOwnTranslation(t *testing.T) {
	c := load(t)
	for _, e := range c.source {
		want := []string{e.ID}
		if e.Plural != "" {
			want = []string{e.ID, e.Plural}
		}
		if !slices.Equal(e.Str, want) {
			t.Errorf("%s:%d: msgstr %q, want %q", e.File, e.Line, e.Str, want)
		}
	}
}

func TestHeaders(t *testing.T) {
	c := load(t)
	wantLang := map[Language]string{Arabic: "ar", Chinese: "zh_Hans", English: "en", French: "fr", Russian: "ru", Spanish: "es"}
	for _, l := range Languages() {
		for _, area := range c.areas {
			name := "po/" + area + "/" + l.Code() + ".po"
			h := c.langs[l].files[area].Header
			for _, field := range []string{"Project-Id-Version", "Language", "Language-Team", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Plural-Forms", "PO-Revision-Date", "Last-Translator"} {
				if _, ok := h[field]; !ok {
					t.Errorf("%s: no %s header", name, field)
				}
			}
			if h["Language"] != wantLang[l] {
				t.Errorf("%s: Language %q, want %q", name, h["Language"], wantLang[l])
			}
			if h["Content-Type"] != "text/plain; charset=UTF-8" {
				t.Errorf("%s: Content-Type %q", name, h["Content-Type"])
			}
		}
	}
}

// The customary gettext expressions, written out in Go, so that the
// headers translators' tools read and the CLDR rules the printer uses
// cannot drift apart.
func pluralExpressions() map[Language]struct {
	header string
	index  func(n int) int
} {
	return map[Language]struct {
		header string
		index  func(n int) int
	}{
		English: {"nplurals=2; plural=(n != 1);", func(n int) int { return b2i(n != 1) }},
		Spanish: {"nplurals=2; plural=(n != 1);", func(n int) int { return b2i(n != 1) }},
		French:  {"nplurals=2; plural=(n > 1);", func(n int) int { return b2i(n > 1) }},
		Chinese: {"nplurals=1; plural=0;", func(int) int { return 0 }},
		Russian: {"nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);", func(n int) int {
			switch {
			case n%10 == 1 && n%100 != 11:
				return 0
			case n%10 >= 2 && n%10 <= 4 && (n%100 < 10 || n%100 >= 20):
				return 1
			}
			return 2
		}},
		Arabic: {"nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);", func(n int) int {
			switch {
			case n == 0:
				return 0
			case n == 1:
				return 1
			case n == 2:
				return 2
			case n%100 >= 3 && n%100 <= 10:
				return 3
			case n%100 >= 11:
				return 4
			}
			return 5
		}},
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPluralFormsAgree(t *testing.T) {
	c := load(t)
	for _, l := range Languages() {
		t.Run(l.Code(), func(t *testing.T) {
			want := pluralExpressions()[l]
			for _, area := range c.areas {
				if got := c.langs[l].files[area].Header["Plural-Forms"]; got != want.header {
					t.Errorf("po/%s/%s.po: Plural-Forms %q, want %q", area, l, got, want.header)
				}
			}
			if n, _ := nplurals(want.header); n != len(pluralForms(l)) || c.langs[l].nplurals != n {
				t.Errorf("nplurals %d, CLDR forms %d", c.langs[l].nplurals, len(pluralForms(l)))
			}
			for n := 0; n <= 10000; n++ {
				if got, want := pluralIndex(l, n), want.index(n); got != want {
					t.Fatalf("n=%d: CLDR gives form %d, Plural-Forms %d", n, got, want)
				}
			}
			for _, e := range c.langs[l].byKey {
				if e.Plural != "" && len(e.Str) != c.langs[l].nplurals {
					t.Errorf("%s:%d: %s has %d forms, nplurals is %d", e.File, e.Line, describe(e), len(e.Str), c.langs[l].nplurals)
				}
			}
		})
	}
}

func TestMarkingsAreNotMessages(t *testing.T) {
	c := load(t)
	for _, e := range c.source {
		for _, m := range Markings() {
			if strings.Contains(e.ID, m) || strings.Contains(e.Plural, m) {
				t.Errorf("%s:%d: %q holds %s, which stays in English: pass it as an argument", e.File, e.Line, e.ID, m)
			}
		}
	}
}

func TestCatalogueSize(t *testing.T) {
	c := load(t)
	if c.Len() < 100 {
		t.Errorf("only %d messages", c.Len())
	}
	t.Logf("%d messages", c.Len())
}

func TestAreas(t *testing.T) {
	c := load(t)
	for _, want := range []string{"frame", "account", "validate", "format"} {
		if !slices.Contains(c.Areas(), want) {
			t.Errorf("no area %q in %v", want, c.Areas())
		}
	}
}

// A message may live in one area only: two areas defining it would give
// two owners and, sooner or later, two translations.
func TestMessageInTwoAreasIsRefused(t *testing.T) {
	header := func(l Language) string {
		return "msgid \"\"\nmsgstr \"\"\n\"Plural-Forms: " + pluralExpressions()[l].header + "\\n\"\n\n"
	}
	files := fstest.MapFS{}
	for _, l := range Languages() {
		files["one/"+l.Code()+".po"] = &fstest.MapFile{Data: []byte(header(l) + "msgid \"Close\"\nmsgstr \"x\"\n")}
		files["two/"+l.Code()+".po"] = &fstest.MapFile{Data: []byte(header(l) + "msgid \"Open\"\nmsgstr \"x\"\n")}
	}
	if _, err := loadFS(files); err != nil {
		t.Fatalf("two areas with different messages: %v", err)
	}
	files["two/fr.po"] = &fstest.MapFile{Data: []byte(header(French) + "msgid \"Open\"\nmsgstr \"x\"\n\nmsgid \"Close\"\nmsgstr \"y\"\n")}
	_, err := loadFS(files)
	if err == nil || !strings.Contains(err.Error(), "po/two/fr.po") || !strings.Contains(err.Error(), "po/one/fr.po") {
		t.Errorf("a message in two areas: got %v, want an error naming both files", err)
	}
	delete(files, "two/fr.po")
	delete(files, "two/ru.po")
	if _, err := loadFS(files); err == nil || !strings.Contains(err.Error(), "area two has no fr.po") {
		t.Errorf("an area without French: got %v", err)
	}
}

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// TestVerbsAgree: a service's message made with fmt.Sprintf is translated
// by its format (Printer.KnownFormat), so each translation must keep the
// source's verbs in the same order.
func TestVerbsAgree(t *testing.T) {
	c := load(t)
	for _, l := range Languages() {
		for _, src := range c.source {
			want := verb.FindAllString(src.ID, -1)
			if len(want) == 0 {
				continue
			}
			e, ok := c.langs[l].byKey[src.key()]
			if !ok {
				continue
			}
			for i, s := range e.Str {
				if have := verb.FindAllString(s, -1); !slices.Equal(have, want) {
					t.Errorf("%s:%d: %s: msgstr[%d] has verbs %v, en.po %v, in that order", e.File, e.Line, describe(src), i, have, want)
				}
			}
		}
	}
}
