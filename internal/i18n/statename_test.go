package i18n

import (
	"strings"
	"testing"

	"github.com/detente/detente/internal/states"
)

// TestEveryStateHasItsName: the area "states" names every State of the
// directory, by its English UN short name in the context "State", in all
// six languages; it names nothing else, and no two States alike.
func TestEveryStateHasItsName(t *testing.T) {
	c := load(t)
	all := states.All()
	byName := make(map[string]states.State, len(all))
	for _, st := range all {
		byName[st.Name] = st
	}
	for _, l := range Languages() {
		t.Run(l.Code(), func(t *testing.T) {
			f, ok := c.langs[l].files["states"]
			if !ok {
				t.Fatal("no area states")
			}
			mine := byKey(f)
			seen := map[string]string{}
			for _, st := range all {
				e, ok := mine[key(stateContext, st.Name)]
				if !ok {
					t.Errorf("po/states/%s.po lacks %s (%s)", l.Code(), st.Name, st.Alpha2)
					continue
				}
				name := e.Str[0]
				switch {
				case strings.TrimSpace(name) != name || name == "":
					t.Errorf("%s:%d: %s: %q is empty or padded", e.File, e.Line, st.Alpha2, name)
				case l == English && name != st.Name:
					t.Errorf("%s:%d: %s: en.po says %q, internal/states %q", e.File, e.Line, st.Alpha2, name, st.Name)
				}
				if other, dup := seen[name]; dup {
					t.Errorf("%s:%d: %s and %s are both %q", e.File, e.Line, other, st.Alpha2, name)
				}
				seen[name] = st.Alpha2
			}
			for _, e := range f.Entries {
				if _, ok := byName[e.ID]; e.Context != stateContext || !ok {
					t.Errorf("%s:%d: %s is no State of internal/states", e.File, e.Line, describe(e))
				}
			}
		})
	}
}

func TestStateName(t *testing.T) {
	c := load(t)
	tests := []struct {
		name          string
		lang          Language
		code, english string
		want          string
	}{
		{"observer State in French", French, "PS", "State of Palestine", "État de Palestine"},
		{"observer State in Chinese", Chinese, "VA", "Holy See", "教廷"},
		{"observer State in Arabic", Arabic, "PS", "State of Palestine", "دولة فلسطين"},
		{"observer State in Russian", Russian, "VA", "Holy See", "Святейший Престол"},
		{"renamed State in Spanish", Spanish, "TR", "Türkiye", "Türkiye"},
		{"renamed State in Russian", Russian, "MK", "North Macedonia", "Северная Македония"},
		{"UN form in French", French, "KR", "Republic of Korea", "République de Corée"},
		{"English is the name given", English, "PS", "State of Palestine", "State of Palestine"},
		{"code in lower case", French, "ps", "State of Palestine", "État de Palestine"},
		{"not in the catalogue: CLDR's name", French, "XK", "Kosovo", "Kosovo"},
		{"not in the catalogue, no English name: CLDR's name", Chinese, "FR", "", "法国"},
		{"nothing known: the English name", French, "not a code", "Somewhere", "Somewhere"},
		{"nothing at all: the code", French, "not a code", "", "not a code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Printer(tt.lang).StateName(tt.code, tt.english); got != tt.want {
				t.Errorf("%s StateName(%q, %q) = %q, want %q", tt.lang, tt.code, tt.english, got, tt.want)
			}
		})
	}
}
