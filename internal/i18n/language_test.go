package i18n

import (
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name                  string
		account, cookie, head string
		want                  Language
	}{
		{"nothing", "", "", "", English},
		{"account first", "fr", "es", "ru", French},
		{"account with region", "fr-CA", "", "", French},
		{"account unsupported, cookie next", "de", "ru", "zh", Russian},
		{"cookie before header", "", "ar", "fr", Arabic},
		{"cookie garbage", "", "<script>", "es", Spanish},
		{"header only", "", "", "ru", Russian},
		{"q-values order", "", "", "en;q=0.2, es;q=0.9, fr;q=0.5", Spanish},
		{"first of equal weights", "", "", "fr, es", French},
		{"unsupported first", "", "", "de-DE,de;q=0.9,fr;q=0.8,en;q=0.7", French},
		{"q=0 refuses", "", "", "fr;q=0, es;q=0.1", Spanish},
		{"Traditional Chinese reads Simplified", "", "", "zh-TW", Chinese},
		{"Hong Kong", "", "", "zh-HK,zh;q=0.9", Chinese},
		// CLDR counts Simplified a weak match for a Traditional reader: an
		// exact second choice wins.
		{"Traditional Chinese, then English", "", "", "zh-TW, en;q=0.8", English},
		{"English first", "", "", "en-US,en;q=0.9,ar;q=0.8", English},
		{"Egyptian Arabic", "", "", "ar-EG", Arabic},
		{"Latin American Spanish", "", "", "es-419", Spanish},
		{"unknown language", "", "", "de", English},
		{"unknown cookie and header", "xx", "yy", "pt-BR", English},
		{"wildcard", "", "", "*", English},
		{"garbage header", "", "", ";;;,,,q=abc,\x00", English},
		{"garbage around a good entry", "", "", "@@@, ru;q=0.5, !!!", Russian},
		{"bad q", "", "", "fr;q=2, ru", Russian},
		{"underscore locale", "zh_CN", "", "", Chinese},
		{"case", "", "", "FR-fr", French},
		{"overlong header", "", "", strings.Repeat("x-", 5000) + ",fr", English},
		{"many entries", "", "", strings.Repeat("de,", 40) + "fr", English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.account, tt.cookie, tt.head); got != tt.want {
				t.Errorf("Negotiate(%q, %q, %q) = %s, want %s", tt.account, tt.cookie, tt.head, got, tt.want)
			}
		})
	}
}

func TestFirstOf(t *testing.T) {
	tests := []struct {
		tags []string
		want Language
	}{
		{nil, English},
		{[]string{"de", "fr"}, French},
		{[]string{"pt-BR", "es-419", "en"}, Spanish},
		{[]string{"zh-Hant", "en"}, Chinese},
		{[]string{"ar-SA"}, Arabic},
		{[]string{"", "garbage!", "ru"}, Russian},
		{[]string{"de", "it"}, English},
	}
	for _, tt := range tests {
		if got := FirstOf(tt.tags...); got != tt.want {
			t.Errorf("FirstOf(%q) = %s, want %s", tt.tags, got, tt.want)
		}
	}
}

func TestLanguages(t *testing.T) {
	tests := []struct {
		l                   Language
		name, dir, htmlLang string
	}{
		{Arabic, "العربية", "rtl", "ar"},
		{Chinese, "中文", "ltr", "zh-Hans"},
		{English, "English", "ltr", "en"},
		{French, "Français", "ltr", "fr"},
		{Russian, "Русский", "ltr", "ru"},
		{Spanish, "Español", "ltr", "es"},
	}
	if got := len(Languages()); got != len(tests) {
		t.Fatalf("%d languages", got)
	}
	for i, tt := range tests {
		if Languages()[i] != tt.l {
			t.Errorf("Languages()[%d] = %s, want %s", i, Languages()[i], tt.l)
		}
		if tt.l.Name() != tt.name || tt.l.Dir() != tt.dir || tt.l.HTMLLang() != tt.htmlLang || !tt.l.Valid() {
			t.Errorf("%s: %q %q %q", tt.l, tt.l.Name(), tt.l.Dir(), tt.l.HTMLLang())
		}
		if l, ok := ParseLanguage(strings.ToUpper(tt.l.Code())); !ok || l != tt.l {
			t.Errorf("ParseLanguage(%q) = %s, %v", tt.l.Code(), l, ok)
		}
	}
	for _, bad := range []string{"", "de", "zh-Hans", "english"} {
		if _, ok := ParseLanguage(bad); ok {
			t.Errorf("ParseLanguage(%q) accepted", bad)
		}
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"fr", "zh-TW", "de;q=0.9,fr;q=0.8", ";;;", "*", "ar-EG,en;q=0.1"} {
		f.Add("", "", s)
	}
	f.Fuzz(func(t *testing.T, account, cookie, header string) {
		if l := Negotiate(account, cookie, header); !l.Valid() {
			t.Errorf("Negotiate gave %q", l)
		}
	})
}
