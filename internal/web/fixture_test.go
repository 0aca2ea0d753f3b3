package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/web"
)

const password = "correct horse battery staple"

// cheap keeps argon2id affordable in tests; production cost is tested in
// the access package.
var cheap = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}

// fixture is a running server with a cast of accounts:
//   - sec: the secretariat
//   - fradmin, frpoc, frviewer: France (participating)
//   - kepoc, keadmin: Kenya (participating), "another State"
//   - nzpoc: New Zealand, which does not participate
type fixture struct {
	t       *testing.T
	app     *app.App
	srv     *httptest.Server
	clock   *clock.Fixed
	acc     map[string]access.Account
	poc     map[string]directory.POC // frtech, frdip, ketech, nztech
	totp    map[string]string        // TOTP secrets learnt at enrolment
	msg     messaging.Message        // FR's TLP:AMBER incident notification to KE
	check   checks.Check             // the secretariat's open check of FR and KE
	earlier checks.Check             // a closed one: KE answered, FR did not
	mail    *smtptest.Mailbox
}

var pingLink = regexp.MustCompile(`/ping/([A-Za-z0-9_-]{20,})`)

// pingToken returns the check token last mailed to the address.
func (f *fixture) pingToken(address string) string {
	f.t.Helper()
	found := f.mail.Newest(address, pingLink)
	if found == nil {
		f.t.Fatalf("no check mail to %s", address)
	}
	return found[1]
}

// drain performs every job that is due.
func (f *fixture) drain() {
	f.t.Helper()
	if _, err := f.app.Jobs.RunDue(context.Background(), 100); err != nil {
		f.t.Fatal(err)
	}
}

var epoch = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, engine store.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, engine)
	c := clock.NewFixed(epoch)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	box := &smtptest.Mailbox{}
	a, err := app.Open(ctx, cfg, log, app.Options{Clock: c, Argon2: &cheap, Mail: box})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &fixture{t: t, app: a, clock: c, mail: box, acc: map[string]access.Account{}, poc: map[string]directory.POC{}, totp: map[string]string{}}
	for _, code := range []string{"FR", "KE"} {
		since := epoch.AddDate(-1, 0, 0)
		if err := a.Directory.SetParticipation(ctx, actor.Operator, code, &since); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct {
		key, email string
		role       actor.Role
		state      string
	}{
		{"sec", "sec@un.test.invalid", actor.Secretariat, ""},
		{"fradmin", "admin@fr.test.invalid", actor.StateAdmin, "FR"},
		{"frpoc", "poc@fr.test.invalid", actor.POC, "FR"},
		{"frviewer", "viewer@fr.test.invalid", actor.Viewer, "FR"},
		{"keadmin", "admin@ke.test.invalid", actor.StateAdmin, "KE"},
		{"kepoc", "poc@ke.test.invalid", actor.POC, "KE"},
		{"nzadmin", "admin@nz.test.invalid", actor.StateAdmin, "NZ"},
		{"nzpoc", "poc@nz.test.invalid", actor.POC, "NZ"},
	} {
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.email, DisplayName: x.key, Role: x.role, State: x.state, Password: password})
		if err != nil {
			t.Fatalf("account %s: %v", x.key, err)
		}
		f.acc[x.key] = acc
	}
	nominate := func(key, admin string, lv directory.Level, title, email string) {
		var account string
		if key == "ketech" {
			account = f.acc["kepoc"].ID // KE's POC answers for its CIRT's duty desk
		}
		p, err := a.Directory.Nominate(ctx, f.acc[admin].Actor(), f.acc[admin].State, directory.POCInput{
			Level: lv, FunctionTitle: title, Organisation: "Org of " + title, Emails: []string{email}, Phones: []string{"+990 5550 1234"},
			Languages: []string{"en"}, TimeZone: "Europe/Paris", Availability: directory.Always, AccountID: account,
		})
		if err != nil {
			t.Fatalf("nominate %s: %v", key, err)
		}
		f.poc[key] = p
	}
	nominate("frtech", "fradmin", directory.Technical, "FR CERT duty", "cert@fr-cert.test.invalid")
	nominate("frdip", "fradmin", directory.Diplomatic, "FR cyber ambassador", "ambassador@fr-mfa.test.invalid")
	nominate("ketech", "keadmin", directory.Technical, "KE CIRT duty", "duty@ke-cirt.test.invalid")
	nominate("nztech", "nzadmin", directory.Technical, "NZ CERT duty", "duty@nz-cert.test.invalid")

	// A check held two hours before the rest of the story.
	f.earlier, err = a.Checks.Create(ctx, f.acc["sec"].Actor(), checks.Input{Name: "Spring check", ScopeKind: checks.ScopeStates,
		Scope: []string{"FR", "KE"}, Levels: []string{"technical"}, WindowHours: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.drain()
	pending, err := a.Checks.Pending(ctx, f.acc["kepoc"].Actor())
	if err != nil || len(pending) != 1 {
		t.Fatalf("KE's pending checks: %v %v", pending, err)
	}
	if err := a.Checks.AcknowledgeAsAccount(ctx, f.acc["kepoc"].Actor(), pending[0].Challenge.ID, checks.ViaInbox); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Hour)
	f.drain()

	f.msg, err = a.Messaging.Send(ctx, f.acc["frpoc"].Actor(), messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"},
		Level: messaging.Technical, Urgency: messaging.Priority, TLP: tlp.Amber, Subject: "Scanning of the KE grid from FR space",
		Body: "We see scanning of grid control systems.", Fields: map[string]string{"impact": "none yet", "status": "ongoing"}, AckRequested: true})
	if err != nil {
		t.Fatal(err)
	}
	f.check, err = a.Checks.Create(ctx, f.acc["sec"].Actor(), checks.Input{Name: "Semi-annual check", ScopeKind: checks.ScopeStates,
		Scope: []string{"FR", "KE"}, Levels: []string{"technical", "diplomatic"}, WindowHours: 72, ReminderAfter: 48})
	if err != nil {
		t.Fatal(err)
	}
	f.drain()
	h, err := web.New(a.Services(), web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// client is a browser stand-in: it keeps cookies by name (the __Host-
// cookies are Secure, which Go's cookie jar would not send over plain
// http) and follows no redirects, so tests see each response.
type client struct {
	f       *fixture
	t       testing.TB // where failures are reported; see on
	cookies map[string]string
	hc      *http.Client
}

// on returns the same browser reporting failures to t (a subtest).
func (c *client) on(t testing.TB) *client {
	cp := *c
	cp.t = t
	return &cp
}

func (f *fixture) anon() *client {
	return &client{f: f, t: f.t, cookies: map[string]string{}, hc: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(method, path string, form url.Values) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.f.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) response { return c.do(http.MethodGet, path, nil) }

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the form token of the browser's session (from the sign-out
// form every signed-in page carries) or, before sign-in, of the login form.
func (c *client) csrf() string {
	c.t.Helper()
	for _, path := range []string{"/account", "/login"} {
		r := c.get(path)
		if m := csrfRe.FindStringSubmatch(r.body); m != nil && r.status == http.StatusOK {
			return m[1]
		}
	}
	c.t.Fatal("no page with a form token")
	return ""
}

// post submits form to path with the browser's valid form token.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf())
	}
	return c.do(http.MethodPost, path, form)
}

// signIn signs key in through the real pages, passing the second factor
// where the account needs one.
func (f *fixture) signIn(key string) *client {
	f.t.Helper()
	acc := f.acc[key]
	c := f.anon()
	r := c.post("/login", url.Values{"email": {acc.Email}, "password": {password}})
	if r.status != http.StatusSeeOther {
		f.t.Fatalf("sign in %s: status %d: %s", key, r.status, r.body)
	}
	if loc := r.header.Get("Location"); strings.HasPrefix(loc, "/login/totp") {
		page := c.get(loc)
		secret := regexp.MustCompile(`<dd class="mono">([A-Z2-7]{32})</dd>`).FindStringSubmatch(page.body)
		if secret != nil {
			f.totp[key] = secret[1]
		}
		s := f.totp[key]
		if s == "" {
			f.t.Fatalf("no TOTP secret known for %s (page %s: %d %s)", key, loc, page.status, snippet(page.body))
		}
		f.clock.Advance(30 * time.Second) // a code is good once
		code, _ := access.TOTPCode(s, f.clock.Now())
		r = c.post("/login/totp", url.Values{"code": {code}, "csrf": {csrfRe.FindStringSubmatch(page.body)[1]}})
		if r.status != http.StatusSeeOther {
			f.t.Fatalf("totp %s: status %d: %s", key, r.status, r.body)
		}
	}
	return c
}

// testWriter sends server logs to the test's own output.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
