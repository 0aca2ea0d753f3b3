package i18n

import (
	"strings"
	"testing"
	"time"
)

func TestTranslate(t *testing.T) {
	c := load(t)
	tests := []struct {
		lang Language
		got  func(p *Printer) string
		want string
	}{
		{English, func(p *Printer) string { return p.T("Next page") }, "Next page"},
		{French, func(p *Printer) string { return p.T("Next page") }, "Page suivante"},
		{Chinese, func(p *Printer) string { return p.T("Next page") }, "下一页"},
		{Russian, func(p *Printer) string { return p.TC("main menu", "Account") }, "Учётная запись"},
		{Spanish, func(p *Printer) string { return p.T("Sign out {email}", "email", "poc@example.org") }, "Cerrar sesión (poc@example.org)"},
		// An address in an Arabic sentence is isolated so it keeps its order.
		{Arabic, func(p *Printer) string { return p.T("Sign out {email}", "email", "poc@example.org") }, "تسجيل الخروج (\u2068poc@example.org\u2069)"},
		// An Arabic name in an English sentence likewise.
		{English, func(p *Printer) string { return p.T("Sign out {email}", "email", "مصر") }, "Sign out \u2068مصر\u2069"},
		{English, func(p *Printer) string {
			return p.Msg(M("enter an address like {example}", "example", "name@example.org"))
		}, "enter an address like name@example.org"},
		{French, func(p *Printer) string {
			return p.Msg(MN("use at most {count} character (now {now})", "use at most {count} characters (now {now})", 2000, "now", 2345))
		}, "utilisez au plus 2\u00a0000 caractères (actuellement 2\u00a0345)"},
		{English, func(p *Printer) string {
			return p.T("contains an invisible character ({code}, {name}) that can make text look like something else; retype it without that character",
				"code", "U+202E", "name", MC("invisible character", "right-to-left override"))
		}, "contains an invisible character (U+202E, right-to-left override) that can make text look like something else; retype it without that character"},
		{Spanish, func(p *Printer) string {
			return p.T("contains an invisible character ({code}, {name}) that can make text look like something else; retype it without that character",
				"code", "U+202E", "name", MC("invisible character", "right-to-left override"))
		}, "contiene un carácter invisible (U+202E, forzado de derecha a izquierda) que puede hacer que el texto parezca otra cosa; vuelva a escribirlo sin ese carácter"},
	}
	for _, tt := range tests {
		if got := tt.got(c.Printer(tt.lang)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestPlurals(t *testing.T) {
	c := load(t)
	const one, other = "{count} unread communication", "{count} unread communications"
	tests := []struct {
		lang Language
		n    int
		want string
	}{
		{English, 0, "0 unread communications"},
		{English, 1, "1 unread communication"},
		{English, 1200, "1,200 unread communications"},
		{French, 0, "0 communication non lue"},
		{French, 1, "1 communication non lue"},
		{French, 2, "2 communications non lues"},
		{Spanish, 1, "1 comunicación sin leer"},
		{Spanish, 3, "3 comunicaciones sin leer"},
		{Russian, 1, "1 непрочитанное сообщение"},
		{Russian, 2, "2 непрочитанных сообщения"},
		{Russian, 5, "5 непрочитанных сообщений"},
		{Russian, 11, "11 непрочитанных сообщений"},
		{Russian, 21, "21 непрочитанное сообщение"},
		{Russian, 22, "22 непрочитанных сообщения"},
		{Russian, 112, "112 непрочитанных сообщений"},
		{Arabic, 0, "لا توجد مراسلات غير مقروءة"},
		{Arabic, 1, "مراسلة واحدة غير مقروءة"},
		{Arabic, 2, "مراسلتان غير مقروءتين"},
		{Arabic, 3, "3 مراسلات غير مقروءة"},
		{Arabic, 10, "10 مراسلات غير مقروءة"},
		{Arabic, 11, "11 مراسلة غير مقروءة"},
		{Arabic, 100, "100 مراسلة غير مقروءة"},
		{Arabic, 103, "103 مراسلات غير مقروءة"},
		{Chinese, 1, "1条未读通信"},
		{Chinese, 7, "7条未读通信"},
	}
	for _, tt := range tests {
		if got := c.Printer(tt.lang).N(one, other, tt.n); got != tt.want {
			t.Errorf("%s n=%d: got %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	c := load(t)
	tests := []struct {
		lang            Language
		v               any
		number, percent string
	}{
		{English, 1234567.5, "1,234,567.5", "85%"},
		{French, 1234567.5, "1\u00a0234\u00a0567,5", "85\u00a0%"},
		{Spanish, 1234567.5, "1.234.567,5", "85\u00a0%"},
		{Russian, 1234567.5, "1\u00a0234\u00a0567,5", "85\u00a0%"},
		{Chinese, 1234567.5, "1,234,567.5", "85%"},
		// Digits 0–9, as in UN documents in Arabic.
		{Arabic, 1234567.5, "1,234,567.5", "85\u200e%\u200e"},
		{English, int64(-42), "-42", "85%"},
	}
	for _, tt := range tests {
		p := c.Printer(tt.lang)
		if got := p.Number(tt.v); got != tt.number {
			t.Errorf("%s Number(%v) = %q, want %q", tt.lang, tt.v, got, tt.number)
		}
		if got := p.Percent(0.853); got != tt.percent {
			t.Errorf("%s Percent(0.853) = %q, want %q", tt.lang, got, tt.percent)
		}
	}
}

func TestDates(t *testing.T) {
	c := load(t)
	at := time.Date(2026, 12, 2, 14, 5, 0, 0, time.UTC)
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang           Language
		date, datetime string
		zurich         string
	}{
		{English, "2 December 2026", "2 December 2026 14:05 UTC", "2 December 2026 15:05 CET"},
		{French, "2 décembre 2026", "2 décembre 2026 à 14:05 UTC", "2 décembre 2026 à 15:05 CET"},
		{Spanish, "2 de diciembre de 2026", "2 de diciembre de 2026, 14:05 UTC", "2 de diciembre de 2026, 15:05 CET"},
		{Russian, "2 декабря 2026 г.", "2 декабря 2026 г., 14:05 UTC", "2 декабря 2026 г., 15:05 CET"},
		{Arabic, "2 كانون الأول/ديسمبر 2026", "2 كانون الأول/ديسمبر 2026، الساعة 14:05 \u2068UTC\u2069", "2 كانون الأول/ديسمبر 2026، الساعة 15:05 \u2068CET\u2069"},
		{Chinese, "2026年12月2日", "2026年12月2日 14:05 UTC", "2026年12月2日 15:05 CET"},
	}
	for _, tt := range tests {
		p := c.Printer(tt.lang)
		if got := p.Date(at); got != tt.date {
			t.Errorf("%s Date = %q, want %q", tt.lang, got, tt.date)
		}
		if got := p.DateTime(at, nil); got != tt.datetime {
			t.Errorf("%s DateTime UTC = %q, want %q", tt.lang, got, tt.datetime)
		}
		if got := p.DateTime(at, zurich); got != tt.zurich {
			t.Errorf("%s DateTime Zurich = %q, want %q", tt.lang, got, tt.zurich)
		}
	}
	// Every month has its name in every language.
	for _, l := range Languages() {
		p := c.Printer(l)
		seen := map[string]bool{}
		for m := time.January; m <= time.December; m++ {
			name := p.month(m)
			if name == "" || seen[name] || (l != English && name == m.String()) {
				t.Errorf("%s: month %d is %q", l, m, name)
			}
			seen[name] = true
		}
	}
}

func TestRegions(t *testing.T) {
	c := load(t)
	tests := []struct {
		lang       Language
		code, want string
	}{
		{English, "FR", "France"},
		{French, "DE", "Allemagne"},
		{Spanish, "GB", "Reino Unido"},
		{Russian, "CN", "Китай"},
		{Arabic, "EG", "مصر"},
		{Chinese, "FR", "法国"},
		{Chinese, "tw", "台湾"},
		{English, "not a code", "not a code"},
		{French, "", ""},
	}
	for _, tt := range tests {
		if got := c.Printer(tt.lang).Region(tt.code); got != tt.want {
			t.Errorf("%s Region(%q) = %q, want %q", tt.lang, tt.code, got, tt.want)
		}
	}
}

func TestFallsBackToEnglish(t *testing.T) {
	c := load(t)
	// A message missing from one language, as after a new msgid in en.po.
	delete(c.langs[French].byKey, key("", "Next page"))
	if got := c.Printer(French).T("Next page"); got != "Next page" {
		t.Errorf("got %q", got)
	}
	// An empty form counts as missing.
	e := c.langs[Russian].byKey[key("", "{count} check to answer")]
	e.Str = []string{e.Str[0], "", e.Str[2]}
	if got := c.Printer(Russian).N("{count} check to answer", "{count} checks to answer", 3); got != "3 checks to answer" {
		t.Errorf("got %q", got)
	}
	// A Language that is not one of the six prints English.
	if got := c.Printer(Language("de")).T("Next page"); got != "Next page" {
		t.Errorf("got %q", got)
	}
}

// Misuse renders visibly instead of failing, and is reported, so that
// tests fail and production logs it.
func TestMisuse(t *testing.T) {
	tests := []struct {
		name   string
		render func(p *Printer) string
		want   string
		report string
	}{
		{"missing argument", func(p *Printer) string { return p.T("Sign out {email}") }, "Se déconnecter ({email})", "no argument for {email}"},
		{"odd arguments", func(p *Printer) string { return p.T("Sign out {email}", "email") }, "Se déconnecter ({email})", "name/value pairs"},
		{"name not a string", func(p *Printer) string { return p.T("Sign out {email}", 1, "x") }, "Se déconnecter ({email})", "not a string"},
		{"unknown message", func(p *Printer) string { return p.T("Not in the catalogue") }, "Not in the catalogue", "not in en.po"},
		{"count on a message without plural", func(p *Printer) string { return p.N("Next page", "Next pages", 2) }, "Next pages", "with a count"},
		{"no count on a plural message", func(p *Printer) string { return p.T("{count} check to answer") }, "{count} tests en attente de réponse", "without a count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reports []string
			c, err := Load(ReportMisuse(func(err error) { reports = append(reports, err.Error()) }))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.render(c.Printer(French)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !strings.Contains(strings.Join(reports, "\n"), tt.report) {
				t.Errorf("reports %q, want one with %q", reports, tt.report)
			}
		})
	}
}

func TestMessageString(t *testing.T) {
	tests := []struct {
		m    Message
		want string
	}{
		{M("this field is required"), "this field is required"},
		{M("enter an address like {example}", "example", "name@example.org"), "enter an address like name@example.org"},
		{MN("use at least {count} character", "use at least {count} characters", 1), "use at least 1 character"},
		{MN("use at least {count} character", "use at least {count} characters", 8), "use at least 8 characters"},
		{M("Sign out {email}"), "Sign out {email}"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%#v: got %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestIsolation(t *testing.T) {
	tests := []struct {
		s    string
		rtl  bool
		want bool
	}{
		{"poc@example.org", true, true},
		{"+41 22 917 12 34", true, true},
		{"مصر", true, false},
		{"مصر", false, true},
		{"Egypt", false, false},
		{"", false, false},
		{"…", true, false},
	}
	for _, tt := range tests {
		if got := needsIsolation(tt.s, tt.rtl); got != tt.want {
			t.Errorf("needsIsolation(%q, rtl=%v) = %v", tt.s, tt.rtl, got)
		}
	}
	if got := Isolate("a@b.org"); got != "\u2068a@b.org\u2069" {
		t.Errorf("Isolate = %q", got)
	}
}

func TestKnown(t *testing.T) {
	c := load(t)
	fr := c.Printer(French)
	tests := []struct{ in, want string }{
		{"Saved.", "Les modifications ont été enregistrées."},
		{"this field is required", fr.T("this field is required")},
		{"no such sentence anywhere", "no such sentence anywhere"},             // not a message
		{"enter an address like {example}", "enter an address like {example}"}, // has a placeholder
		{"{count} check to answer", "{count} check to answer"},                 // has a plural
		{"", ""},
	}
	for _, tt := range tests {
		if got := fr.Known(tt.in); got != tt.want {
			t.Errorf("Known(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
