package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// englishOnly marks a template still written in English: its first line.
// Convert a page (its text through t, n, tc…, its messages in an area of
// internal/i18n/po) and take the marker off; a marked page that passes the
// check fails the test until the marker goes.
const englishOnly = "{{/* English only: not yet through the catalogue */}}"

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	c, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTemplatesUseTheCatalogue: no page shows text that bypasses the
// catalogue, and every call of it names a message en.po has, with its
// placeholders.
func TestTemplatesUseTheCatalogue(t *testing.T) {
	c := catalogue(t)
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			found, err := c.CheckTemplate(name, string(src), "detente")
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(string(src), englishOnly) {
				if len(found) == 0 {
					t.Errorf("%s passes the check: take the English-only marker off", name)
				}
				return
			}
			for _, f := range found {
				t.Error(f)
			}
		})
	}
}

var htmlTag = regexp.MustCompile(`<html lang="([^"]*)" dir="([^"]*)">`)

// TestPagesInEveryLanguage walks a small tour — public pages, the sign-in
// pages, an error page, and pages of people signed in — in each of the six
// languages: each answers with its status, says its language and direction
// on <html> and in Content-Language, offers the other five, and leaves no
// placeholder unfilled.
func TestPagesInEveryLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		type stop struct {
			who, path string
			status    int
		}
		tour := []stop{
			{"anon", "/", ok}, {"anon", "/login", ok}, {"anon", "/framework", ok}, {"anon", "/framework/norm-h", ok},
			{"anon", "/results", ok}, {"anon", "/no/such/page", notFound}, {"anon", "/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", notFound},
			{"frpoc", "/", ok}, {"frpoc", "/directory", ok}, {"frpoc", "/directory/states/FR", ok}, {"frpoc", "/messages", ok},
			{"frpoc", "/checks", ok}, {"frpoc", "/account", ok}, {"frpoc", "/admin/accounts", forbidden},
			{"sec", "/admin/accounts", ok}, {"sec", "/account", ok},
		}
		for _, l := range i18n.Languages() {
			t.Run(l.Code(), func(t *testing.T) {
				// A visitor chooses by cookie, a person signed in by the
				// account's preference.
				clients := map[string]*client{"anon": f.anon().on(t)}
				clients["anon"].cookies["__Host-detente-lang"] = l.Code()
				for _, who := range []string{"frpoc", "sec"} {
					c := f.signIn(who).on(t)
					if r := c.post("/language", url.Values{"lang": {l.Code()}, "next": {"/account"}}); r.status != see {
						t.Fatalf("%s choosing %s: status %d", who, l, r.status)
					}
					delete(c.cookies, "__Host-detente-lang") // the account alone must carry it
					clients[who] = c
				}
				for _, s := range tour {
					r := clients[s.who].get(s.path)
					if r.status != s.status {
						t.Errorf("%s %s: status %d, want %d\n%s", s.who, s.path, r.status, s.status, snippet(r.body))
						continue
					}
					m := htmlTag.FindStringSubmatch(r.body)
					if m == nil || m[1] != l.HTMLLang() || m[2] != l.Dir() {
						t.Errorf("%s %s: <html> says %v, want lang=%q dir=%q", s.who, s.path, m, l.HTMLLang(), l.Dir())
					}
					if got := r.header.Get("Content-Language"); got != l.HTMLLang() {
						t.Errorf("%s %s: Content-Language %q", s.who, s.path, got)
					}
					for _, other := range i18n.Languages() {
						if other != l && !strings.Contains(r.body, `value="`+other.Code()+`" lang="`+other.HTMLLang()+`"`) {
							t.Errorf("%s %s: the switcher does not offer %s", s.who, s.path, other)
						}
					}
					if p := regexp.MustCompile(`\{[a-z_]+\}`).FindString(r.body); p != "" {
						t.Errorf("%s %s: a placeholder is left unfilled: %s", s.who, s.path, p)
					}
				}
			})
		}
	})
}

// TestLanguageChoice: the request's language comes from the account, else
// the cookie, else Accept-Language, else English; the switcher goes back
// to the page it came from on this site only.
func TestLanguageChoice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		langOf := func(r response) string {
			if m := htmlTag.FindStringSubmatch(r.body); m != nil {
				return m[1]
			}
			return ""
		}
		t.Run("negotiation", func(t *testing.T) {
			c := f.anon().on(t)
			for _, tc := range []struct{ accept, want string }{
				{"", "en"},
				{"fr-CH, fr;q=0.9, en;q=0.8", "fr"},
				{"de-DE, ru;q=0.5", "ru"},
				{"zh-TW", "zh-Hans"},
				{"ar-EG", "ar"},
				{"de, nl", "en"},
				{"garbage;;q=x", "en"},
			} {
				req, _ := http.NewRequest("GET", f.srv.URL+"/login", nil)
				req.Header.Set("Accept-Language", tc.accept)
				res, err := c.hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if got := res.Header.Get("Content-Language"); got != tc.want {
					t.Errorf("Accept-Language %q: %q, want %q", tc.accept, got, tc.want)
				}
			}
		})
		t.Run("visitor", func(t *testing.T) {
			c := f.anon().on(t)
			r := c.post("/language", url.Values{"lang": {"es"}, "next": {"/framework?q=assistance"}})
			if r.status != see || r.header.Get("Location") != "/framework?q=assistance" {
				t.Fatalf("status %d to %q", r.status, r.header.Get("Location"))
			}
			ck := setCookie(r, "__Host-detente-lang")
			if ck == nil || ck.Value != "es" || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge < 364*24*3600 {
				t.Fatalf("cookie %+v", ck)
			}
			if got := langOf(c.get("/")); got != "es" {
				t.Errorf("after choosing Spanish: %q", got)
			}
			// The cookie wins over the browser's languages.
			c.cookies["__Host-detente-lang"] = "ru"
			req, _ := http.NewRequest("GET", f.srv.URL+"/", nil)
			req.Header.Set("Accept-Language", "fr")
			req.AddCookie(&http.Cookie{Name: "__Host-detente-lang", Value: "ru"})
			res, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Content-Language"); got != "ru" {
				t.Errorf("cookie ru, browser fr: %q", got)
			}
		})
		t.Run("signed in", func(t *testing.T) {
			c := f.signIn("frpoc").on(t)
			if r := c.post("/language", url.Values{"lang": {"ar"}, "next": {"/directory"}}); r.status != see || r.header.Get("Location") != "/directory" {
				t.Fatalf("status %d to %q", r.status, r.header.Get("Location"))
			}
			acc, err := f.app.Access.Account(context.Background(), f.acc["frpoc"].Actor(), f.acc["frpoc"].ID)
			if err != nil || acc.Language != "ar" {
				t.Fatalf("account language %q, %v", acc.Language, err)
			}
			// Another browser, with another cookie, signs in: the account's
			// choice wins.
			other := f.signIn("frpoc").on(t)
			other.cookies["__Host-detente-lang"] = "zh"
			if got := langOf(other.get("/account")); got != "ar" {
				t.Errorf("account ar, cookie zh: %q", got)
			}
			// The account page's choice; empty follows the browser again.
			if r := c.post("/language", url.Values{"lang": {""}, "next": {"/account?done=language"}}); r.status != see {
				t.Fatalf("forgetting: status %d", r.status)
			}
			acc, _ = f.app.Access.Account(context.Background(), f.acc["frpoc"].Actor(), f.acc["frpoc"].ID)
			if acc.Language != "" {
				t.Errorf("account language %q after forgetting it", acc.Language)
			}
			if r := c.get("/account?done=language"); langOf(r) != "en" || !strings.Contains(r.body, "The language of your pages is saved.") {
				t.Errorf("after forgetting: %q\n%s", langOf(r), snippet(r.body))
			}
		})
		t.Run("refused", func(t *testing.T) {
			c := f.anon().on(t)
			for _, tc := range []struct {
				name   string
				form   url.Values
				status int
				to     string
			}{
				{"another site", url.Values{"lang": {"fr"}, "next": {"https://evil.example/"}}, see, "/"},
				{"another site, no scheme", url.Values{"lang": {"fr"}, "next": {"//evil.example/"}}, see, "/"},
				{"a backslash", url.Values{"lang": {"fr"}, "next": {"/\\evil.example"}}, see, "/"},
				{"not one of the six", url.Values{"lang": {"de"}}, http.StatusBadRequest, ""},
				{"no form token", url.Values{"lang": {"fr"}, "csrf": {"forged-token-of-enough-length"}}, forbidden, ""},
			} {
				r := c.post("/language", tc.form)
				if r.status != tc.status || r.header.Get("Location") != tc.to {
					t.Errorf("%s: status %d to %q, want %d to %q", tc.name, r.status, r.header.Get("Location"), tc.status, tc.to)
				}
			}
			if r := c.get("/language"); r.status != http.StatusMethodNotAllowed && r.status != notFound {
				t.Errorf("GET /language: %d", r.status)
			}
		})
	})
}

func setCookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
