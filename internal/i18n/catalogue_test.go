package i18n

import (
	"slices"
	"strconv"
	"strings"
	"testing"
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
			for _, src := range c.source.Entries {
				e, ok := own.byKey[src.key()]
				switch {
				case !ok:
					t.Errorf("%s.po lacks %s", l, describe(src))
					continue
				case e.Plural != src.Plural:
					t.Errorf("%s.po: %s has the plural %q, en.po %q", l, describe(src), e.Plural, src.Plural)
				}
				for i, s := range e.Str {
					if strings.TrimSpace(s) == "" {
						t.Errorf("%s.po:%d: %s: msgstr[%d] is empty", l, e.Line, describe(src), i)
					}
					if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r") {
						t.Errorf("%s.po:%d: %s: msgstr[%d] is not clean text", l, e.Line, describe(src), i)
					}
				}
				if e.hasFlag("fuzzy") {
					t.Errorf("%s.po:%d: %s is marked fuzzy: review it and remove the flag", l, e.Line, describe(src))
				}
			}
			for _, e := range own.file.Entries {
				if _, ok := c.ids[e.key()]; !ok {
					t.Errorf("%s.po:%d: %s is not in en.po: remove it", l, e.Line, describe(e))
				}
			}
		})
	}
}

func describe(e *entry) string {
	if e.Context != "" {
		return "[" + e.Context + "] " + strconv.Quote(e.ID)
	}
	return strconv.Quote(e.ID)
}

func TestPlaceholdersAgree(t *testing.T) {
	c := load(t)
	for _, l := range Languages() {
		t.Run(l.Code(), func(t *testing.T) {
			for _, src := range c.source.Entries {
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
						t.Errorf("%s.po:%d: %s: msgstr[%d] has placeholders %v, en.po %v", l, e.Line, describe(src), i, have, want)
					}
				}
				wantFlag := len(want) > 0
				if e.hasFlag("python-brace-format") != wantFlag {
					t.Errorf("%s.po:%d: %s: python-brace-format flag is %v, want %v", l, e.Line, describe(src), !wantFlag, wantFlag)
				}
				if strings.Count(strings.Join(e.Str, ""), "{") != strings.Count(strings.Join(e.Str, ""), "}") {
					t.Errorf("%s.po:%d: %s: unbalanced braces", l, e.Line, describe(src))
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
	for _, e := range c.source.Entries {
		want := []string{e.ID}
		if e.Plural != "" {
			want = []string{e.ID, e.Plural}
		}
		if !slices.Equal(e.Str, want) {
			t.Errorf("en.po:%d: msgstr %q, want %q", e.Line, e.Str, want)
		}
	}
}

func TestHeaders(t *testing.T) {
	c := load(t)
	wantLang := map[Language]string{Arabic: "ar", Chinese: "zh_Hans", English: "en", French: "fr", Russian: "ru", Spanish: "es"}
	for _, l := range Languages() {
		h := c.langs[l].file.Header
		for _, field := range []string{"Project-Id-Version", "Language", "Language-Team", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Plural-Forms", "PO-Revision-Date", "Last-Translator"} {
			if _, ok := h[field]; !ok {
				t.Errorf("%s.po: no %s header", l, field)
			}
		}
		if h["Language"] != wantLang[l] {
			t.Errorf("%s.po: Language %q, want %q", l, h["Language"], wantLang[l])
		}
		if h["Content-Type"] != "text/plain; charset=UTF-8" {
			t.Errorf("%s.po: Content-Type %q", l, h["Content-Type"])
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
			if got := c.langs[l].file.Header["Plural-Forms"]; got != want.header {
				t.Errorf("Plural-Forms %q, want %q", got, want.header)
			}
			if n, _ := nplurals(want.header); n != len(pluralForms(l)) || c.langs[l].nplurals != n {
				t.Errorf("nplurals %d, CLDR forms %d", c.langs[l].nplurals, len(pluralForms(l)))
			}
			for n := 0; n <= 10000; n++ {
				if got, want := pluralIndex(l, n), want.index(n); got != want {
					t.Fatalf("n=%d: CLDR gives form %d, Plural-Forms %d", n, got, want)
				}
			}
			for _, e := range c.langs[l].file.Entries {
				if e.Plural != "" && len(e.Str) != c.langs[l].nplurals {
					t.Errorf("%s.po:%d: %s has %d forms, nplurals is %d", l, e.Line, describe(e), len(e.Str), c.langs[l].nplurals)
				}
			}
		})
	}
}

func TestMarkingsAreNotMessages(t *testing.T) {
	c := load(t)
	for _, e := range c.source.Entries {
		for _, m := range Markings() {
			if strings.Contains(e.ID, m) || strings.Contains(e.Plural, m) {
				t.Errorf("en.po:%d: %q holds %s, which stays in English: pass it as an argument", e.Line, e.ID, m)
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
