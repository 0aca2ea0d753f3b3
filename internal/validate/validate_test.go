package validate

import (
	"strings"
	"testing"
)

type testCase struct {
	name string
	in   string
	want string // normalised value; checked only when ok
	ok   bool
	hint string // substring the problem must contain when !ok
}

// run checks each case and that every accepted value is a fixed point.
func run(t *testing.T, fn func(string) (string, string), cases []testCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := fn(tc.in)
			if tc.ok {
				if problem != "" {
					t.Fatalf("(%q) problem %q, want ok", tc.in, problem)
				}
				if got != tc.want {
					t.Fatalf("(%q) = %q, want %q", tc.in, got, tc.want)
				}
				again, problem := fn(got)
				if problem != "" || again != got {
					t.Fatalf("not idempotent: (%q) = %q, %q", got, again, problem)
				}
				return
			}
			if problem == "" {
				t.Fatalf("(%q) = %q accepted, want a problem", tc.in, got)
			}
			if !strings.Contains(problem, tc.hint) {
				t.Fatalf("(%q) problem %q, want it to mention %q", tc.in, problem, tc.hint)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 60) + ".org"
	run(t, Email, []testCase{
		{name: "simple", in: "poc@example.org", want: "poc@example.org", ok: true},
		{name: "trimmed", in: "  poc@example.org\n", want: "poc@example.org", ok: true},
		{name: "domain lower-cased", in: "Jane.Doe@CERT.Example.ORG", want: "Jane.Doe@cert.example.org", ok: true},
		{name: "plus tag", in: "soc+ops@example.org", want: "soc+ops@example.org", ok: true},
		{name: "atext specials", in: "a!#$%&'*+/=?^_`{|}~-@example.org", want: "a!#$%&'*+/=?^_`{|}~-@example.org", ok: true},
		{name: "reserved invalid TLD", in: "poc@example.invalid", want: "poc@example.invalid", ok: true},
		{name: "reserved test TLD", in: "poc@ministry.test", want: "poc@ministry.test", ok: true},
		{name: "punycode TLD", in: "poc@example.xn--p1ai", want: "poc@example.xn--p1ai", ok: true},
		{name: "hyphen in label", in: "poc@my-cert.example.org", want: "poc@my-cert.example.org", ok: true},
		{name: "digits in label", in: "poc@cert1.gov.example", want: "poc@cert1.gov.example", ok: true},

		{name: "empty", in: "", hint: "name@example.org"},
		{name: "blank", in: "   ", hint: "name@example.org"},
		{name: "no at", in: "poc.example.org", hint: "name@example.org"},
		{name: "two ats", in: "poc@cert@example.org", hint: "name@example.org"},
		{name: "display name", in: "Jane <jane@example.org>", hint: "without a name"},
		{name: "angle brackets", in: "<jane@example.org>", hint: "without a name"},
		{name: "comment", in: "jane@example.org (Jane)", hint: "without a name"},
		{name: "two addresses", in: "a@example.org, b@example.org", hint: "one address"},
		{name: "semicolon list", in: "a@example.org; b@example.org", hint: "one address"},
		{name: "no dot in domain", in: "poc@localhost", hint: "needs a dot"},
		{name: "numeric TLD", in: "poc@192.168.1.1", hint: "must end in a name"},
		{name: "one letter TLD", in: "poc@example.x", hint: "must end in a name"},
		{name: "domain literal", in: "poc@[192.168.1.1]", hint: "letters, digits"},
		{name: "empty label", in: "poc@example..org", hint: "name@example.org"},
		{name: "leading hyphen", in: "poc@-example.org", hint: "not valid"},
		{name: "trailing hyphen", in: "poc@example-.org", hint: "not valid"},
		{name: "underscore in domain", in: "poc@ex_ample.org", hint: "letters, digits, hyphens"},
		{name: "label too long", in: "poc@" + strings.Repeat("a", 64) + ".org", hint: "not valid"},
		{name: "leading dot local", in: ".poc@example.org", hint: "name@example.org"},
		{name: "double dot local", in: "p..oc@example.org", hint: "name@example.org"},
		{name: "quoted local", in: `"jane doe"@example.org`, hint: "quoted"},
		{name: "local too long", in: strings.Repeat("a", 65) + "@example.org", hint: "mailbox"},
		{name: "whole too long", in: long, hint: "too long"},
		{name: "non-ASCII domain", in: "poc@bücher.example", hint: "xn--"},
		{name: "non-ASCII local", in: "jürg@example.org", hint: "ASCII"},
		{name: "space inside", in: "jane doe@example.org", hint: "name@example.org"},
		{name: "control char", in: "jane\x00@example.org", hint: "ASCII"},
	})
}

func TestPhone(t *testing.T) {
	run(t, Phone, []testCase{
		{name: "spaces", in: "+41 22 917 12 34", want: "+41229171234", ok: true},
		{name: "already normal", in: "+33123456789", want: "+33123456789", ok: true},
		{name: "dashes", in: "+1-212-963-1234", want: "+12129631234", ok: true},
		{name: "dots", in: "+33.1.23.45.67.89", want: "+33123456789", ok: true},
		{name: "parentheses", in: "+1 (212) 963-1234", want: "+12129631234", ok: true},
		{name: "trunk zero dropped", in: "+44 (0)20 7946 0000", want: "+442079460000", ok: true},
		{name: "non-breaking spaces", in: "+41\u00a022\u00a0917\u00a01234", want: "+41229171234", ok: true},
		{name: "slash", in: "+49 30/1234567", want: "+49301234567", ok: true},
		{name: "8 digits", in: "+12345678", want: "+12345678", ok: true},
		{name: "15 digits", in: "+123456789012345", want: "+123456789012345", ok: true},

		{name: "empty", in: "", hint: "+41 22 917 12 34"},
		{name: "no plus", in: "022 917 12 34", hint: "start with +"},
		{name: "00 prefix", in: "0041 22 917 12 34", hint: "instead of 00"},
		{name: "7 digits", in: "+1234567", hint: "too short"},
		{name: "16 digits", in: "+1234567890123456", hint: "too long"},
		{name: "letters", in: "+1 800 FLOWERS", hint: "digits only"},
		{name: "extension", in: "+41 22 917 12 34 ext 5", hint: "digits only"},
		{name: "country code zero", in: "+0 22 917 12 34", hint: "never start with 0"},
		{name: "two plus", in: "++41229171234", hint: "digits only"},
		{name: "plus in middle", in: "41+229171234", hint: "start with +"},
		{name: "only plus", in: "+", hint: "too short"},
		{name: "full-width digits", in: "+４１２２９１７１２３４", hint: "digits only"},
	})
}

func TestTimeZone(t *testing.T) {
	run(t, TimeZone, []testCase{
		{name: "Zurich", in: "Europe/Zurich", want: "Europe/Zurich", ok: true},
		{name: "three parts", in: "America/Argentina/Buenos_Aires", want: "America/Argentina/Buenos_Aires", ok: true},
		{name: "UTC", in: "UTC", want: "UTC", ok: true},
		{name: "Etc offset", in: "Etc/GMT+5", want: "Etc/GMT+5", ok: true},
		{name: "trimmed", in: " Asia/Tokyo ", want: "Asia/Tokyo", ok: true},
		{name: "hyphen", in: "America/Port-au-Prince", want: "America/Port-au-Prince", ok: true},

		{name: "empty", in: "", hint: "Europe/Zurich"},
		{name: "Local", in: "Local", hint: "Europe/Zurich"},
		{name: "unknown", in: "Europe/Atlantis", hint: "unknown time zone"},
		{name: "city without its own zone", in: "Europe/Geneva", hint: "unknown time zone"},
		{name: "offset is not a zone", in: "+02:00", hint: "Europe/Zurich"},
		{name: "path traversal", in: "../../etc/passwd", hint: "Europe/Zurich"},
		{name: "absolute path", in: "/etc/localtime", hint: "Europe/Zurich"},
		{name: "trailing slash", in: "Europe/", hint: "Europe/Zurich"},
		{name: "double slash", in: "Europe//Paris", hint: "Europe/Zurich"},
		{name: "space", in: "Europe/Zurich Paris", hint: "Europe/Zurich"},
		{name: "too long", in: "Europe/" + strings.Repeat("a", 60), hint: "Europe/Zurich"},
		// Files of a zoneinfo directory that are not a place's zone.
		{name: "Factory", in: "Factory", hint: "not a place's time zone"},
		{name: "posixrules", in: "posixrules", hint: "not a place's time zone"},
		{name: "localtime", in: "localtime", hint: "not a place's time zone"},
		{name: "abbreviation", in: "CET", hint: "not a place's time zone"},
		{name: "backward link", in: "US/Eastern", hint: "not a place's time zone"},
		{name: "posix copy", in: "posix/Europe/Paris", hint: "not a place's time zone"},
		{name: "right copy", in: "right/Europe/Paris", hint: "not a place's time zone"},
		{name: "Etc other than GMT", in: "Etc/Unknown", hint: "not a place's time zone"},
		{name: "area alone", in: "Europe", hint: "not a place's time zone"},
	})
}

func TestPlainRefusesHiddenCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, in, hint string
	}{
		{"right-to-left override", "Invoice\u202Eexe.pdf\u202C", "U+202E"},
		{"embedding", "a\u202Ab", "U+202A"},
		{"isolate", "a\u2066b\u2069", "U+2066"},
		{"pop isolate", "a\u2069", "U+2069"},
		{"zero-width space", "CERT\u200BFR", "U+200B"},
		{"zero-width joiner", "a\u200Db", "U+200D"},
		{"word joiner", "a\u2060b", "U+2060"},
		{"byte order mark", "\uFEFFMinistry", "U+FEFF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := Plain(tc.in); !strings.Contains(p, tc.hint) {
				t.Errorf("Plain(%q) = %q, want it to name %s", tc.in, p, tc.hint)
			}
			if _, p := OneLine(tc.in, 100); !strings.Contains(p, tc.hint) {
				t.Errorf("OneLine(%q) problem %q, want it to name %s", tc.in, p, tc.hint)
			}
			shown := Reveal(tc.in)
			if !strings.Contains(shown, "⟨"+tc.hint+"⟩") || Plain(shown) != "" {
				t.Errorf("Reveal(%q) = %q, want the marker ⟨%s⟩ and no hidden character", tc.in, shown, tc.hint)
			}
		})
	}
	// Scripts that read right to left are text, not tricks.
	for _, ok := range []string{"وزارة الخارجية", "משרד החוץ", "Ministère de l’Europe", "外交部"} {
		if p := Plain(ok); p != "" {
			t.Errorf("Plain(%q) = %q, want ok", ok, p)
		}
		if Reveal(ok) != ok {
			t.Errorf("Reveal(%q) changed it", ok)
		}
	}
}

func TestEncoding(t *testing.T) {
	for in, want := range map[string]string{"plain": "", "Ελληνικά": "", "a\x00b": "NUL", "a\xffb": "UTF-8", "\xc3": "UTF-8"} {
		got := Encoding(in)
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("Encoding(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLanguageName(t *testing.T) {
	for tag, want := range map[string]string{"fr": "French", "zh-Hans": "Chinese (Simplified)", "pt-BR": "Portuguese (BR)", "ar": "Arabic", "ast": "ast"} {
		if got := LanguageName(tag); got != want {
			t.Errorf("LanguageName(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestLanguage(t *testing.T) {
	run(t, Language, []testCase{
		{name: "two letters", in: "en", want: "en", ok: true},
		{name: "upper-case", in: "FR", want: "fr", ok: true},
		{name: "three letters", in: "ast", want: "ast", ok: true},
		{name: "region", in: "fr-ca", want: "fr-CA", ok: true},
		{name: "script", in: "ZH-HANS", want: "zh-Hans", ok: true},
		{name: "script and region", in: "zh-hant-tw", want: "zh-Hant-TW", ok: true},
		{name: "numeric region", in: "es-419", want: "es-419", ok: true},
		{name: "POSIX separator", in: "pt_BR", want: "pt-BR", ok: true},
		{name: "variant", in: "de-CH-1996", want: "de-CH-1996", ok: true},
		{name: "long variant", in: "sl-rozaj", want: "sl-rozaj", ok: true},

		{name: "empty", in: "", hint: "zh-Hans"},
		{name: "one letter", in: "e", hint: "zh-Hans"},
		{name: "four letters", in: "engl", hint: "zh-Hans"},
		{name: "language name", in: "English", hint: "zh-Hans"},
		{name: "digits", in: "12", hint: "zh-Hans"},
		{name: "trailing hyphen", in: "en-", hint: "zh-Hans"},
		{name: "double hyphen", in: "en--US", hint: "zh-Hans"},
		{name: "bad region", in: "en-USA", hint: "zh-Hans"},
		{name: "private use", in: "x-klingon", hint: "zh-Hans"},
		{name: "extension", in: "en-u-ca-gregory", hint: "zh-Hans"},
		{name: "non-ASCII", in: "fr-ÇA", hint: "zh-Hans"},
		{name: "region before script", in: "zh-TW-Hant", hint: "zh-Hans"},
		{name: "too long", in: "en-" + strings.Repeat("abcdefgh-", 5), hint: "zh-Hans"},
	})
}

func TestText(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		min, max int
		want     string
		hint     string // "" means ok
	}{
		{name: "plain", in: "Head of CERT", min: 1, max: 50, want: "Head of CERT"},
		{name: "trimmed", in: "  Head of CERT \n", min: 1, max: 50, want: "Head of CERT"},
		{name: "CRLF normalised", in: "line 1\r\nline 2\rline 3", min: 1, max: 50, want: "line 1\nline 2\nline 3"},
		{name: "tab kept", in: "a\tb", min: 1, max: 50, want: "a\tb"},
		{name: "runes not bytes", in: "Ελληνικά", min: 8, max: 8, want: "Ελληνικά"},
		{name: "empty optional", in: "", min: 0, max: 10, want: ""},
		{name: "right to left", in: "وزارة الخارجية", min: 1, max: 50, want: "وزارة الخارجية"},

		{name: "empty required", in: "   ", min: 1, max: 10, hint: "required"},
		{name: "too short", in: "ab", min: 3, max: 10, hint: "at least 3"},
		{name: "too long", in: "abcdefghijk", min: 0, max: 10, hint: "at most 10 characters (now 11)"},
		{name: "NUL", in: "a\x00b", min: 0, max: 10, hint: "control characters"},
		{name: "escape", in: "a\x1b[31mb", min: 0, max: 10, hint: "control characters"},
		{name: "DEL", in: "a\x7fb", min: 0, max: 10, hint: "control characters"},
		{name: "invalid UTF-8", in: "a\xffb", min: 0, max: 10, hint: "invalid characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := Text(tc.in, tc.min, tc.max)
			if tc.hint == "" {
				if problem != "" || got != tc.want {
					t.Fatalf("Text(%q) = %q, %q; want %q, ok", tc.in, got, problem, tc.want)
				}
				return
			}
			if !strings.Contains(problem, tc.hint) {
				t.Fatalf("Text(%q) problem %q, want it to mention %q", tc.in, problem, tc.hint)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
		hint string
	}{
		{name: "plain", in: " Ministry of Foreign Affairs ", max: 100, want: "Ministry of Foreign Affairs"},
		{name: "empty allowed", in: "", max: 10, want: ""},
		{name: "trailing newline trimmed", in: "CERT\n", max: 10, want: "CERT"},
		{name: "newline inside", in: "a\nb", max: 10, hint: "single line"},
		{name: "carriage return inside", in: "a\rb", max: 10, hint: "single line"},
		{name: "tab", in: "a\tb", max: 10, hint: "control characters"},
		{name: "too long", in: "ñññññ", max: 4, hint: "at most 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := OneLine(tc.in, tc.max)
			if tc.hint == "" {
				if problem != "" || got != tc.want {
					t.Fatalf("OneLine(%q) = %q, %q; want %q, ok", tc.in, got, problem, tc.want)
				}
				return
			}
			if !strings.Contains(problem, tc.hint) {
				t.Fatalf("OneLine(%q) problem %q, want it to mention %q", tc.in, problem, tc.hint)
			}
		})
	}
}

func TestURL(t *testing.T) {
	run(t, URL, []testCase{
		{name: "https", in: "https://example.org/policy.pdf", want: "https://example.org/policy.pdf", ok: true},
		{name: "http with port", in: "http://example.org:8080/a?b=c#d", want: "http://example.org:8080/a?b=c#d", ok: true},
		{name: "scheme and host lower-cased", in: "HTTPS://Example.ORG/Path", want: "https://example.org/Path", ok: true},
		{name: "IPv6 host", in: "https://[2001:db8::1]/", want: "https://[2001:db8::1]/", ok: true},
		{name: "encoded path", in: "https://example.org/a%20b", want: "https://example.org/a%20b", ok: true},

		{name: "empty", in: "", hint: "https://example.org/page"},
		{name: "no scheme", in: "example.org/page", hint: "https://"},
		{name: "ftp", in: "ftp://example.org/file", hint: "https://"},
		{name: "javascript", in: "javascript:alert(1)", hint: "https://example.org/page"},
		{name: "mailto", in: "mailto:poc@example.org", hint: "https://example.org/page"},
		{name: "no host", in: "https:///path", hint: "https://example.org/page"},
		{name: "credentials", in: "https://user:secret@example.org/", hint: "password"},
		{name: "space", in: "https://example.org/a b", hint: "spaces"},
		{name: "bad port", in: "https://example.org:http/", hint: "https://example.org/page"},
		{name: "too long", in: "https://example.org/" + strings.Repeat("a", 2100), hint: "too long"},
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"poc@example.org", "A@B.C", "Jane <j@x.org>", "\"q\"@x.org", "a@b", "", "a@[1.2.3.4]", "x@y.xn--p1ai"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fixedPoint(t, Email, s) })
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+41 22 917 12 34", "+44 (0)20 7946 0000", "0041", "+", "+1-800-FLOWERS", "(0)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fixedPoint(t, Phone, s) })
}

func FuzzLanguage(f *testing.F) {
	for _, s := range []string{"en", "zh-hans-tw", "pt_BR", "de-CH-1996", "x-a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fixedPoint(t, Language, s) })
}

func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://example.org/a?b#c", "HTTP://X.ORG:80", "https://[::1]/", "https://a%41.org/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fixedPoint(t, URL, s) })
}

// fixedPoint requires that an accepted value validates to itself.
func fixedPoint(t *testing.T, fn func(string) (string, string), s string) {
	got, problem := fn(s)
	if problem != "" {
		return
	}
	again, problem := fn(got)
	if problem != "" {
		t.Fatalf("normalised %q (from %q) rejected: %s", got, s, problem)
	}
	if again != got {
		t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
	}
}
