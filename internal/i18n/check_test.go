package i18n

import (
	"bytes"
	"html/template"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckTemplate(t *testing.T) {
	c := load(t)
	const src = `{{define "content"}}
<!-- Comments are for developers. -->
<h1>{{t "Sign in"}}</h1>
<nav aria-label="{{tc "pagination" "Pages"}}"><a href="/next" rel="next">{{t "Next page"}}</a></nav>
<p class="tlp">TLP:AMBER+STRICT · EXERCISE · detente</p>
<p>{{n "{count} unread communication" "{count} unread communications" .Unread}}</p>
<button type="submit">{{t "Sign out {email}" "email" .Email}}</button>
<p>Welcome back</p>
<img src="/x.svg" alt="World map">
<input name="q" placeholder="{{t "Email"}}" value="plain value">
<a href="/x"{{if .On}} aria-current="page"{{end}}>Directory</a>
{{if .Demo}}<p>{{.Name}} was added</p>{{else}}<p>{{t "Saved."}}</p>{{end}}
<p>{{t "Sign out {mail}" "mail" .Email}}</p>
<p>{{t "Sign out {email}"}}</p>
<p>{{t "Not a message"}}</p>
<p>{{t .Flash}}</p>
<p>{{n "Next page" "Next pages" 2}}</p>
<p>{{"Printed as it is"}}</p>
<p>&nbsp;&middot;&nbsp;{{number .Total}} · {{date .At}}</p>
<style>p::before { content: "styled" }</style>
<script type="application/json">{"words": "in data"}</script>
<p title='{{t "Next page"}}'>{{t "Next page"}}</p>
<p><code>Authorization: Bearer …</code> <kbd>detente migrate</kbd></p>
<p><code>/api/v1</code> Not literal</p>
{{end}}`
	found, err := c.CheckTemplate("sample.html", src, "detente")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line          int
		text, problem string
	}{
		{8, "Welcome back", "text outside a translation call"},
		{9, "World map", "text outside a translation call"},
		{11, "Directory", "text outside a translation call"},
		{12, "was added", "text outside a translation call"},
		{13, `t "Sign out {mail}" "mail" .Email`, `message "Sign out {mail}" is not in en.po`},
		{14, `t "Sign out {email}"`, "no argument for {email}"},
		{15, `t "Not a message"`, `message "Not a message" is not in en.po`},
		{16, "t .Flash", "the message is not a literal string"},
		{17, `n "Next page" "Next pages" 2`, "use t, not n"},
		{18, "Printed as it is", "text outside a translation call"},
		{24, "Not literal", "text outside a translation call"},
	}
	if len(found) != len(want) {
		for _, f := range found {
			t.Log(f)
		}
		t.Fatalf("%d findings, want %d", len(found), len(want))
	}
	for i, w := range want {
		f := found[i]
		if f.Line != w.line || f.Text != w.text || !strings.Contains(f.Problem, w.problem) || f.Template != "sample.html" {
			t.Errorf("finding %d = %v, want line %d %q: %q", i, f, w.line, w.text, w.problem)
		}
	}
}

func TestCheckTemplateRefusesBrokenTemplates(t *testing.T) {
	c := load(t)
	if _, err := c.CheckTemplate("broken.html", `{{if .X}}never closed`); err == nil {
		t.Error("no error for an unclosed action")
	}
}

func TestCheckMessage(t *testing.T) {
	c := load(t)
	tests := []struct {
		m    Message
		want string // a problem, or "" for none
	}{
		{M("this field is required"), ""},
		{M("enter an address like {example}", "example", "name@example.org"), ""},
		{MN("use at least {count} character", "use at least {count} characters", 3), ""},
		{MC("month", "May"), ""},
		{M("May"), "not in en.po"},
		{M("enter an address like {example}"), "no argument for {example}"},
		{M("enter an address like {example}", "sample", "x"), `"sample" is not a placeholder`},
		{M("enter an address like {example}", "example"), "pairs"},
		{M("use at least {count} character", "count", 3), "use n, not t"},
	}
	for _, tt := range tests {
		problems := strings.Join(c.CheckMessage(tt.m), "; ")
		if tt.want == "" && problems != "" || !strings.Contains(problems, tt.want) {
			t.Errorf("%#v: problems %q, want %q", tt.m, problems, tt.want)
		}
	}
}

// The functions parse once and run in every language, as a page will.
func TestFuncsInTemplates(t *testing.T) {
	c := load(t)
	const src = `<html lang="{{lang.HTMLLang}}" dir="{{lang.Dir}}"><title>{{isolate .Subject}}</title>` +
		`<p>{{t "Sign out {email}" "email" .Email}} {{n "{count} check to answer" "{count} checks to answer" .Pending}} ` +
		`{{date .At}} · {{datetimeIn .At "Asia/Tokyo"}} · {{number .Total}} · {{percent .Rate}} · {{region "FR"}} · {{bdi .Subject}} · {{msg .Flash}}</p>`
	base := template.Must(template.New("page").Funcs(c.Printer(English).Funcs()).Parse(src))
	data := map[string]any{
		"Email": "poc@example.org", "Pending": int64(3), "At": time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC),
		"Total": 12500, "Rate": 0.5, "Subject": "<Incident 42>", "Flash": M("Saved."),
	}
	want := map[Language]string{
		English: `<html lang="en" dir="ltr"><title>` + "\u2068" + `&lt;Incident 42&gt;` + "\u2069" + `</title><p>Sign out poc@example.org 3 checks to answer 5 January 2026 · 5 January 2026 18:30 JST · 12,500 · 50% · France · <bdi>&lt;Incident 42&gt;</bdi> · Saved.</p>`,
		Arabic:  `<html lang="ar" dir="rtl"><title>` + "\u2068" + `&lt;Incident 42&gt;` + "\u2069" + `</title><p>تسجيل الخروج (` + "\u2068" + `poc@example.org` + "\u2069" + `) 3 اختبارات بانتظار الرد 5 كانون الثاني/يناير 2026 · 5 كانون الثاني/يناير 2026، الساعة 18:30 ` + "\u2068" + `JST` + "\u2069" + ` · 12,500 · 50` + "\u200e%\u200e" + ` · فرنسا · <bdi>&lt;Incident 42&gt;</bdi> · تم الحفظ.</p>`,
		Chinese: `<html lang="zh-Hans" dir="ltr"><title>` + "\u2068" + `&lt;Incident 42&gt;` + "\u2069" + `</title><p>退出登录（poc@example.org） 3项测试待答复 2026年1月5日 · 2026年1月5日 18:30 JST · 12,500 · 50% · 法国 · <bdi>&lt;Incident 42&gt;</bdi> · 已保存。</p>`,
	}
	for l, w := range want {
		tmpl := template.Must(template.Must(base.Clone()).Funcs(c.Printer(l).Funcs()), nil)
		var b bytes.Buffer
		if err := tmpl.Execute(&b, data); err != nil {
			t.Fatal(err)
		}
		if b.String() != w {
			t.Errorf("%s:\n got %s\nwant %s", l, b.String(), w)
		}
	}
}

// The sample template of the package's documentation passes its own check.
func TestExampleTemplateIsClean(t *testing.T) {
	c := load(t)
	src, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.CheckTemplate("testdata/page.html", string(src), "detente")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
}

func TestFuncNamesMatchFuncs(t *testing.T) {
	c := load(t)
	var have []string
	for name := range c.Printer(English).Funcs() {
		have = append(have, name)
	}
	if !slices.Equal(sorted(have), sorted(FuncNames())) {
		t.Errorf("Funcs defines %v, FuncNames says %v", sorted(have), sorted(FuncNames()))
	}
}
