package i18n

import (
	"strings"
	"testing"
)

func TestParsePO(t *testing.T) {
	const src = `# a translator's comment
msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

#. where it appears
#: internal/web/templates/layout.html:3
#, python-brace-format, no-c-format
msgctxt "main menu"
msgid "Sign out {email}"
msgstr "Se déconnecter "
"({email})"

msgid "{count} day"
msgid_plural "{count} days"
msgstr[0] "{count} jour"
msgstr[1] "{count} jours"

#~ msgid "Obsolete"
#~ msgstr "Obsolète"

msgid "Escapes \"quoted\"\t\\"
msgstr "Échappements « cités »\n"
`
	f, err := parsePO("fr.po", src)
	if err != nil {
		t.Fatal(err)
	}
	if f.Header["Language"] != "fr" || f.Header["Plural-Forms"] != "nplurals=2; plural=(n > 1);" {
		t.Errorf("header %v", f.Header)
	}
	if len(f.Entries) != 3 {
		t.Fatalf("%d entries", len(f.Entries))
	}
	e := f.Entries[0]
	if e.Context != "main menu" || e.ID != "Sign out {email}" || e.Str[0] != "Se déconnecter ({email})" ||
		!e.hasFlag("python-brace-format") || !e.hasFlag("no-c-format") || e.Comments[0] != "where it appears" || e.Line != 7 {
		t.Errorf("entry %+v", e)
	}
	if e := f.Entries[1]; e.Plural != "{count} days" || len(e.Str) != 2 || e.Str[1] != "{count} jours" {
		t.Errorf("plural entry %+v", e)
	}
	if e := f.Entries[2]; e.ID != "Escapes \"quoted\"\t\\" || e.Str[0] != "Échappements « cités »\n" {
		t.Errorf("escapes %+v", e)
	}
}

func TestParsePORefuses(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no msgstr", "msgid \"a\"\n", "no msgstr"},
		{"duplicate", "msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", "duplicate"},
		{"same id, other context", "msgctxt \"x\"\nmsgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", ""},
		{"unquoted", "msgid a\nmsgstr \"b\"\n", "quoted"},
		{"bad escape", "msgid \"\\q\"\nmsgstr \"b\"\n", "escape"},
		{"stray string", "\"a\"\n", "outside"},
		{"unknown keyword", "msgid \"a\"\nmsgtxt \"b\"\n", "unknown keyword"},
		{"plural index out of order", "msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[1] \"c\"\n", "msgstr[1]"},
		{"msgstr[] without plural", "msgid \"a\"\nmsgstr[0] \"c\"\n", "msgstr[0]"},
		{"plain msgstr with plural", "msgid \"a\"\nmsgid_plural \"b\"\nmsgstr \"c\"\n", "unexpected msgstr"},
		{"two msgids", "msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n", "after msgid"},
		{"quote inside", "msgid \"a\"b\"\nmsgstr \"c\"\n", "quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePO("x.po", tt.src)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestNplurals(t *testing.T) {
	tests := []struct {
		header string
		want   int
		ok     bool
	}{
		{"nplurals=2; plural=(n != 1);", 2, true},
		{" nplurals = 6 ; plural=0;", 6, true},
		{"plural=0;", 0, false},
		{"nplurals=x; plural=0;", 0, false},
		{"nplurals=0; plural=0;", 0, false},
	}
	for _, tt := range tests {
		if n, ok := nplurals(tt.header); n != tt.want || ok != tt.ok {
			t.Errorf("nplurals(%q) = %d, %v", tt.header, n, ok)
		}
	}
}

func FuzzParsePO(f *testing.F) {
	for _, l := range Languages() {
		b, err := poFiles.ReadFile("po/frame/" + l.Code() + ".po")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b[:min(len(b), 2000)]))
	}
	f.Add("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[0] \"c\"\n\"d\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		po, err := parsePO("fuzz.po", src)
		if err != nil {
			return
		}
		for _, e := range po.Entries {
			if len(e.Str) == 0 || e.Plural == "" && len(e.Str) != 1 {
				t.Errorf("entry %+v", e)
			}
		}
	})
}

func TestFill(t *testing.T) {
	tests := []struct{ text, want string }{
		{"{a} and {b}", "x and {b}"},
		{"{{a}} is literal", "{a} is literal"},
		{"{{{a}}}", "{x}"},
		{"a } alone", "a } alone"},
		{"{not a name} {1} {}", "{not a name} {1} {}"},
		{"{a", "{a"},
		{"café {a}", "café x"},
	}
	for _, tt := range tests {
		if got := fill(tt.text, map[string]string{"a": "x"}, nil); got != tt.want {
			t.Errorf("fill(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func FuzzFill(f *testing.F) {
	for _, s := range []string{"{a} and {b}", "{", "}{", "{{a}}", "{a", "{1}", "{ä}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := fill(s, map[string]string{"a": "x"}, nil)
		if !strings.ContainsAny(s, "{}") && out != s {
			t.Errorf("fill(%q) = %q", s, out)
		}
		if len(out) > len(s)+strings.Count(s, "{a}") {
			t.Errorf("fill(%q) = %q grew more than its values", s, out)
		}
	})
}
