package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func (f *fixture) counts() [3]int {
	f.t.Helper()
	var out [3]int
	for i, table := range []string{"pocs", "poc_versions", "audit_log"} {
		if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&out[i]); err != nil {
			f.t.Fatal(err)
		}
	}
	return out
}

func TestEditPOCBadInputChangesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		c := f.signIn("fradmin")
		p := f.poc["frtech"]
		good := url.Values{"version": {"1"}, "level": {"technical"}, "function_title": {"Duty officer"}, "organisation": {"CERT-FR"},
			"emails": {"duty@cert.test.invalid"}, "phones": {"+33 1 23 45 67 89"}, "languages": {"fr, en"}, "time_zone": {"Europe/Paris"}, "availability": {"24x7"}}
		tests := []struct {
			name    string
			field   string
			value   string
			message string
		}{
			{"missing function", "function_title", "", "enter the function"},
			{"malformed email", "emails", "duty(at)cert", "duty(at)cert"},
			{"malformed phone", "phones", "call me", "international format"},
			{"unknown time zone", "time_zone", "Mars/Olympus", "time zone"},
			{"malformed language", "languages", "français!", "français!"},
			{"bad OpenPGP key", "pgp_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----", "OpenPGP"},
			{"no availability", "availability", "", "24/7"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := c.on(t)
				form := url.Values{}
				for k, v := range good {
					form[k] = v
				}
				form.Set(tc.field, tc.value)
				before := f.counts()
				r := c.post("/directory/pocs/"+p.ID+"/edit", form)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422\n%s", r.status, snippet(r.body))
				}
				if !strings.Contains(r.body, `id="`+tc.field+`-error"`) && !strings.Contains(r.body, tc.field+"-error") {
					t.Errorf("no error shown beside %s", tc.field)
				}
				if !strings.Contains(r.body, tc.message) {
					t.Errorf("message lacks %q", tc.message)
				}
				// The other fields keep what was typed.
				if !strings.Contains(r.body, "CERT-FR") {
					t.Error("the form lost the organisation that was typed")
				}
				if f.counts() != before {
					t.Error("bad input changed the database")
				}
			})
		}
		// A stale version is refused rather than overwriting a newer edit.
		if r := c.post("/directory/pocs/"+p.ID+"/edit", good); r.status != http.StatusSeeOther {
			t.Fatalf("valid edit: %d\n%s", r.status, snippet(r.body))
		}
		before := f.counts()
		if r := c.post("/directory/pocs/"+p.ID+"/edit", good); r.status != http.StatusConflict || !strings.Contains(r.body, "someone else changed") {
			t.Fatalf("edit of an old version: %d", r.status)
		}
		if f.counts() != before {
			t.Error("conflicting edit changed the database")
		}
	})
}

func TestFormProtections(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.signIn("fradmin")
	p := f.poc["frtech"]
	other := f.signIn("frpoc")
	before := f.counts() // after signing in: sign-ins are audited

	// No token, a wrong token, a token of another session.
	for name, tok := range map[string]string{"missing": "", "forged": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "other session": other.csrf()} {
		r := c.do(http.MethodPost, "/directory/pocs/"+p.ID+"/confirm", url.Values{"csrf": {tok}})
		if r.status != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, r.status)
		}
	}
	// A cross-site form post is refused even with a valid token.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/directory/pocs/"+p.ID+"/confirm", strings.NewReader(url.Values{"csrf": {c.csrf()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: status %d, want 403", res.StatusCode)
	}
	// An oversized body is refused before it is parsed.
	big := url.Values{"csrf": {c.csrf()}, "pgp_key": {strings.Repeat("A", 2<<20)}}
	if r := c.do(http.MethodPost, "/directory/pocs/"+p.ID+"/edit", big); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "too large") {
		t.Errorf("oversized body: status %d", r.status)
	}
	if f.counts() != before {
		t.Error("refused posts changed the database")
	}
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.anon()
	r := c.get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	} {
		if !strings.Contains(r.header.Get(h), want) {
			t.Errorf("%s = %q, want it to contain %q", h, r.header.Get(h), want)
		}
	}
	if strings.Contains(r.header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/login", strings.NewReader(url.Values{
		"email": {f.acc["frpoc"].Email}, "password": {password}, "csrf": {c.cookies["__Host-detente-csrf"]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-detente-csrf", Value: c.cookies["__Host-detente-csrf"]})
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-detente" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie attributes: %+v", ck)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie after sign-in (status %d)", res.StatusCode)
	}
	// Assets are served under their checksum with long caching.
	page := c.get("/")
	i := strings.Index(page.body, "/assets/style.")
	if i < 0 {
		t.Fatal("no stylesheet link")
	}
	href := page.body[i : i+strings.Index(page.body[i:], `"`)]
	a := c.get(href)
	if a.status != http.StatusOK || !strings.Contains(a.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/css") {
		t.Errorf("asset %s: %d %v", href, a.status, a.header)
	}
	if r := c.get("/assets/style.000000000000.css"); r.status != http.StatusNotFound {
		t.Errorf("unknown asset: %d", r.status)
	}
}

func TestSignInFailuresAreThrottledAndAudited(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.anon()
	email := f.acc["frpoc"].Email
	for i := 0; i < 5; i++ {
		r := c.post("/login", url.Values{"email": {email}, "password": {"wrong password " + string(rune('a'+i))}})
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "not correct") {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
		if strings.Contains(r.body, "wrong password") {
			t.Fatal("the page echoes the password")
		}
	}
	r := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("after five failures the right password gives %d, want 429", r.status)
	}
	entries, err := f.app.Audit.List(context.Background(), actor.Operator, audit.Filter{ObjectID: f.acc["frpoc"].ID, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 5 || entries[0].Action != "account.sign_in_failed" {
		t.Fatalf("failures not audited: %+v", entries)
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.signIn("frpoc")
	token := c.cookies["__Host-detente"]
	if r := c.post("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	// Even a copy of the old cookie no longer works.
	c.cookies["__Host-detente"] = token
	if r := c.get("/directory"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Fatalf("old session still valid: %d", r.status)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	f := newFixture(t, store.SQLite)
	for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example"} {
		c := f.anon()
		r := c.post("/login", url.Values{"email": {f.acc["frpoc"].Email}, "password": {password}, "next": {next}})
		if loc := r.header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}
