package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// Browsers drop tabs and newlines from URLs and read "\" as "/", so each of
// these would leave the site if it were sent back as Location.
var offSite = []string{
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r\n/evil.example",
	"/%09/evil.example", // still encoded once more
	"/%0a/evil.example",
	"//evil.example",
	"///evil.example",
	"/\\evil.example",
	"/\\/evil.example",
	"/%5Cevil.example",
	"/%2F%2Fevil.example",
	"/%2f/evil.example",
	"/%252F/evil.example", // encoded twice
	"https://evil.example/",
	"https:evil.example",
	"javascript:alert(1)",
	"evil.example",
	" /evil.example",
	"\t//evil.example",
	"/\u2028/evil.example",
	"/\x00/evil.example",
	"/%ZZ",
	"",
}

var onSite = []string{"/directory", "/messages?box=sent", "/threads/0190e1d2#reply", "/checks/x%20y", "/"}

func TestSignInNextStaysOnSite(t *testing.T) {
	f := newFixture(t, store.SQLite)
	signedIn := f.signIn("frpoc")
	for _, next := range append(append([]string{}, offSite...), onSite...) {
		want := "/"
		for _, ok := range onSite {
			if next == ok {
				want = next
			}
		}
		t.Run(url.QueryEscape(next), func(t *testing.T) {
			// Already signed in: the sign-in page sends the visitor on.
			r := signedIn.on(t).get("/login?next=" + url.QueryEscape(next))
			refused := r.status == http.StatusBadRequest && r.header.Get("Location") == "" // bad bytes in the query
			if loc := r.header.Get("Location"); !refused && (r.status != http.StatusSeeOther || loc != want) {
				t.Errorf("GET /login?next=%q: %d Location %q, want %q", next, r.status, loc, want)
			}
			// Signing in: the form carries next on.
			c := f.anon().on(t)
			r = c.post("/login", url.Values{"email": {f.acc["frviewer"].Email}, "password": {password}, "next": {next}})
			refused = r.status == http.StatusBadRequest && r.header.Get("Location") == ""
			if loc := r.header.Get("Location"); !refused && (r.status != http.StatusSeeOther || loc != want) {
				t.Errorf("POST /login next=%q: %d Location %q, want %q", next, r.status, loc, want)
			}
		})
	}
	// The very request of the report, unencoded by the test.
	r := signedIn.get("/login?next=/%09/evil.example")
	if loc := r.header.Get("Location"); loc != "/" {
		t.Errorf("/login?next=/%%09/evil.example: Location %q, want /", loc)
	}
}

func TestSignInPageSaysWhomToAsk(t *testing.T) {
	f := newFixture(t, store.SQLite)
	r := f.anon().get("/login")
	if !strings.Contains(r.body, "ask your State&#39;s administrator or the secretariat") {
		t.Errorf("the sign-in page does not say whom to ask:\n%s", snippet(r.body))
	}
}

func TestResetLinkGetsThePersonBackIn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		admin := f.signIn("fradmin")
		poc := f.signIn("frpoc")
		email := f.acc["frpoc"].Email
		r := admin.post("/admin/accounts/"+f.acc["frpoc"].ID+"/reset", nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "was mailed to "+email) {
			t.Fatalf("reset: %d\n%s", r.status, snippet(r.body))
		}
		if strings.Contains(r.body, "/reset/") {
			t.Fatal("the administrator's page shows the link that was mailed")
		}
		// The person's session ends at once.
		if r := poc.get("/account"); r.status != http.StatusSeeOther {
			t.Fatalf("the session survived the reset: %d", r.status)
		}
		f.drain()
		found := f.mail.Newest(email, regexp.MustCompile(`/reset/([A-Za-z0-9_-]{43})`))
		if found == nil {
			t.Fatal("no reset mail")
		}
		link := "/reset/" + found[1]
		c := f.anon()
		if r := c.get(link); r.status != http.StatusOK || !strings.Contains(r.body, email) || !strings.Contains(r.body, `name="password2"`) {
			t.Fatalf("link page: %d\n%s", r.status, snippet(r.body))
		}
		const next = "a brand new passphrase"
		r = c.post(link, url.Values{"password": {next}, "password2": {next + "?"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="password2-error"`) || strings.Contains(r.body, next) {
			t.Fatalf("differing passwords: %d\n%s", r.status, snippet(r.body))
		}
		r = c.post(link, url.Values{"password": {next}, "password2": {next}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("set password: %d\n%s", r.status, snippet(r.body))
		}
		if r := c.get("/account"); r.status != http.StatusOK || !strings.Contains(r.body, email) {
			t.Fatalf("not signed in after the reset: %d", r.status)
		}
		if r := f.anon().get(link); r.status != http.StatusNotFound {
			t.Fatalf("the link works twice: %d", r.status)
		}
		old := f.anon().post("/login", url.Values{"email": {email}, "password": {password}})
		if old.status != http.StatusUnauthorized {
			t.Fatalf("the old password: %d", old.status)
		}
	})
}

func TestSignInBadBytesAreNoServerError(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		for _, email := range []string{"poc\x00@fr.test.invalid", "poc\xff@fr.test.invalid", strings.Repeat("a", 5000) + "@fr.test.invalid", "pоc@fr.test.invalid"} {
			for _, pw := range []string{password, "pass\x00word long enough", "\xff\xfe long enough password"} {
				r := f.anon().post("/login", url.Values{"email": {email}, "password": {pw}})
				if r.status >= 500 || r.status == http.StatusSeeOther {
					t.Errorf("sign in as %q with %q: %d", email, pw, r.status)
				}
			}
		}
		for _, tok := range []string{"%00", "%FF", strings.Repeat("A", 500)} {
			if r := f.anon().get("/reset/" + tok); r.status != http.StatusNotFound && r.status != http.StatusBadRequest {
				t.Errorf("reset link %q: %d", tok, r.status)
			}
		}
	})
}

func TestMetricsTokenFromTheAccountPage(t *testing.T) {
	f := newFixture(t, store.SQLite)
	ctx := context.Background()
	if r := f.signIn("fradmin").get("/account"); strings.Contains(r.body, `name="metrics"`) {
		t.Error("a State administrator is offered a metrics token")
	}
	sec := f.signIn("sec")
	r := sec.post("/account/tokens", url.Values{"name": {"prometheus"}, "days": {"90"}, "metrics": {"yes"}, "write": {"yes"}})
	m := regexp.MustCompile(`>(dtt_[A-Za-z0-9_-]+)<`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("create metrics token: %d\n%s", r.status, snippet(r.body))
	}
	if err := f.app.Access.CheckMetricsToken(ctx, m[1]); err != nil {
		t.Errorf("the token cannot read metrics: %v", err)
	}
	if _, err := f.app.Access.TokenActor(ctx, m[1]); err == nil {
		t.Error("a metrics token also reads and writes the API")
	}
}

func TestNewAccountFormAsksTwiceAndDefaultsToViewer(t *testing.T) {
	f := newFixture(t, store.SQLite)
	admin := f.signIn("fradmin")
	page := admin.get("/admin/accounts")
	if !regexp.MustCompile(`<option value="viewer" selected>`).MatchString(page.body) || strings.Contains(page.body, `<option value="state_admin" selected>`) {
		t.Errorf("the new account form does not default to the least powerful role:\n%s", snippet(page.body[strings.Index(page.body, "acc-role"):]))
	}
	const secret = "a long initial passphrase"
	r := admin.post("/admin/accounts", url.Values{"email": {"twice@fr.test.invalid"}, "display_name": {"Twice"}, "role": {"poc"},
		"password": {secret}, "password2": {secret + "!"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="password2-error"`) {
		t.Fatalf("differing passwords: %d\n%s", r.status, snippet(r.body))
	}
	if strings.Contains(r.body, secret) {
		t.Error("the form echoes the password")
	}
	if !strings.Contains(r.body, `<option value="poc" selected>`) {
		t.Error("the form forgot the chosen role")
	}
	r = admin.post("/admin/accounts", url.Values{"email": {"twice@fr.test.invalid"}, "display_name": {"Twice"}, "role": {"poc"},
		"password": {secret}, "password2": {secret}})
	if r.status != http.StatusOK || strings.Contains(r.body, "initial password, shown only now") {
		t.Fatalf("create with a chosen password: %d", r.status)
	}
	if _, _, err := f.app.Access.SignIn(context.Background(), "twice@fr.test.invalid", secret, "192.0.2.1", "t"); err != nil {
		t.Errorf("the chosen password does not sign in: %v", err)
	}
}
