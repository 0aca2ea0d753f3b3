package i18n

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckGoSource(t *testing.T) {
	c := load(t)
	const src = `package web

import (
	"github.com/detente/detente/internal/i18n"
)

func flash(p *i18n.Printer, email string, n int, args []any) []string {
	return []string{
		p.T("Next page"),
		p.T("Sign out {email}", "email", email),
		p.T("Sign out {email}"),
		p.TC("main menu", "Account"),
		p.TC("menu", "Account"),
		p.N("{count} check to answer", "{count} checks to answer", n),
		p.T("Next pages"),
		p.T("Sign out {email}", "mail", email),
		p.T("Sign out {email}", args...),
		i18n.M("enter an address like {example}", "example", "name@example.org").String(),
		i18n.MN("use at least {count} character", "use at least {count} characters", n, "extra", 1).String(),
		i18n.M(email).String(),
	}
}
`
	found, err := c.CheckGoSource("flash.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line    int
		problem string
	}{
		{11, "no argument for {email}"},
		{13, `message "Account" in context "menu" is not in en.po`},
		{15, `message "Next pages" is not in en.po`},
		{16, `argument "mail" is not a placeholder`},
		{16, "no argument for {email}"},
		{19, `argument "extra" is not a placeholder`},
	}
	if len(found) != len(want) {
		for _, f := range found {
			t.Log(f)
		}
		t.Fatalf("%d findings, want %d", len(found), len(want))
	}
	for i, w := range want {
		if found[i].Line != w.line || !strings.Contains(found[i].Problem, w.problem) {
			t.Errorf("finding %d = %v, want line %d %q", i, found[i], w.line, w.problem)
		}
	}
}

// This package's own calls fit the catalogue.
func TestOwnCallsFit(t *testing.T) {
	c := load(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found, err := c.CheckGoSource(f, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range found {
			t.Error(x)
		}
	}
}
