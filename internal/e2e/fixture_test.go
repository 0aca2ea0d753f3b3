package e2e

import (
	"context"
	"github.com/chromedp/cdproto/network"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/web"
	"github.com/detente/detente/internal/webhook"
)

const password = "correct horse battery staple"

// fixture is a running detente on SQLite with FR and KE participating:
//   - sec: the secretariat
//   - fradmin, frpoc: France
//   - keadmin, kepoc: Kenya
//
// FR has a technical POC (poc); KE has a policy POC nominated over a year
// before the others, so the directory has a stale entry; FR's POC has sent
// KE an incident notification (msg).
type fixture struct {
	t     *testing.T
	app   *app.App
	url   string
	clock *clock.Fixed
	acc   map[string]access.Account
	totp  map[string]string // TOTP secrets learnt at enrolment
	poc   directory.POC
	msg   messaging.Message
	// A published check that has closed (FR answered, KE did not) and an
	// open one; KE's POC answers for its entry from the inbox.
	spring, autumn checks.Check
	mail           *smtptest.Mailbox
	hook           string // a webhook of FR's administrator
	// screen, when set, is the viewport every tab the fixture opens uses.
	screen *screen
	// lang, when set, is the Accept-Language of every tab it opens.
	lang string
}

var checkLink = regexp.MustCompile(`https?://[^\s"<>]+(/ping/[A-Za-z0-9_-]{20,})`)

// checkLink returns the path of the link in the newest check mail to the
// address, so the tab opens it on the test server.
func (f *fixture) checkLink(address string) string {
	f.t.Helper()
	found := f.mail.Newest(address, checkLink)
	if found == nil {
		f.t.Fatalf("no check mail to %s", address)
	}
	return found[1]
}

func (f *fixture) drain() {
	f.t.Helper()
	if _, err := f.app.Jobs.RunDue(context.Background(), 100); err != nil {
		f.t.Fatal(err)
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("e2e", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, store.SQLite)
	c := clock.NewFixed(time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// Cheap password hashing: the cost parameters are tested in access.
	box := &smtptest.Mailbox{}
	a, err := app.Open(ctx, cfg, logger, app.Options{Clock: c, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}, Mail: box})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &fixture{t: t, app: a, clock: c, mail: box, acc: map[string]access.Account{}, totp: map[string]string{}}
	since := c.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE"} {
		if err := a.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{{"sec", actor.Secretariat, ""}, {"fradmin", actor.StateAdmin, "FR"}, {"frpoc", actor.POC, "FR"}, {"keadmin", actor.StateAdmin, "KE"}, {"kepoc", actor.POC, "KE"}} {
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@e2e.invalid", DisplayName: x.key + " (test)", Role: x.role, State: x.state, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		f.acc[x.key] = acc
	}
	if _, err := a.Directory.Nominate(ctx, f.acc["keadmin"].Actor(), "KE", directory.POCInput{
		Level: directory.Policy, FunctionTitle: "Director, cyber policy", Organisation: "Ministry of ICT", Emails: []string{"policy@ke.e2e.invalid"},
		Phones: []string{"+254 20 000 0000"}, Languages: []string{"en", "sw"}, TimeZone: "Africa/Nairobi", Availability: directory.OfficeHours, Hours: "Mon–Fri 08:00–17:00",
		AccountID: f.acc["kepoc"].ID,
	}); err != nil {
		t.Fatal(err)
	}
	c.Advance(400 * 24 * time.Hour) // KE's entry is now stale
	f.poc, err = a.Directory.Nominate(ctx, f.acc["fradmin"].Actor(), "FR", directory.POCInput{
		Level: directory.Technical, FunctionTitle: "Duty officer, CERT-FR", Organisation: "ANSSI", Emails: []string{"cert@fr.e2e.invalid"},
		Phones: []string{"+33 1 71 75 84 68"}, Languages: []string{"fr", "en"}, TimeZone: "Europe/Paris", Availability: directory.Always,
	})
	if err != nil {
		t.Fatal(err)
	}
	sec := f.acc["sec"].Actor()
	check := func(name string, window int) checks.Check {
		c, err := a.Checks.Create(ctx, sec, checks.Input{Name: name, ScopeKind: checks.ScopeAll, Levels: []string{"technical", "policy"}, WindowHours: window})
		if err != nil {
			t.Fatal(err)
		}
		f.drain()
		return c
	}
	f.spring = check("Spring check", 2)
	if _, err := a.Checks.AcknowledgeToken(ctx, strings.TrimPrefix(f.checkLink("cert@fr.e2e.invalid"), "/ping/"), "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	c.Advance(3 * time.Hour)
	f.drain()
	if err := a.Checks.SetPublished(ctx, sec, f.spring.ID, true); err != nil {
		t.Fatal(err)
	}
	f.autumn = check("Autumn check", 72)

	f.msg, err = a.Messaging.Send(ctx, f.acc["frpoc"].Actor(), messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"},
		Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber, Subject: "Wiper at a grid operator",
		Body: "Substation control systems wiped.", Fields: map[string]string{"impact": "Two substations offline", "status": "ongoing", "sector": "energy"}, AckRequested: true})
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := a.Webhooks.Create(ctx, f.acc["fradmin"].Actor(), webhook.Input{URL: "https://soc.fr.e2e.invalid/detente", Events: []string{webhook.MessageReceived}})
	if err != nil {
		t.Fatal(err)
	}
	f.hook = sub.ID
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h) // listens on 127.0.0.1 only
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// newTab opens a tab on the fixture's server, on its screen if it has one.
func (f *fixture) newTab(t *testing.T) *tab {
	t.Helper()
	b := newTab(t, f.url)
	if f.screen != nil {
		b.emulate(*f.screen)
	}
	if f.lang != "" {
		if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": f.lang}}); err != nil {
			t.Fatalf("ask for %s: %v", f.lang, err)
		}
	}
	return b
}

var secretRe = regexp.MustCompile(`<dd class="mono">([A-Z2-7]{16,})</dd>`)

// signIn opens a fresh tab (its own cookie jar) and signs key in through
// the real forms, enrolling or passing the second factor where the role
// needs one. When the enrolment page shows, atEnrol (if set) runs on it
// before the code is entered.
func (f *fixture) signIn(t *testing.T, key string, atEnrol func(*tab)) *tab {
	t.Helper()
	b := f.newTab(t)
	f.signInOn(b, key, atEnrol)
	return b
}

func (f *fixture) signInOn(b *tab, key string, atEnrol func(*tab)) {
	b.t.Helper()
	acc := f.acc[key]
	b.open("/login")
	b.fill("#email", acc.Email)
	b.fill("#password", password)
	b.click("main form button[type=submit]")
	if strings.HasPrefix(b.path(), "/login/totp") {
		if m := secretRe.FindStringSubmatch(b.html()); m != nil {
			f.totp[key] = m[1]
			if atEnrol != nil {
				atEnrol(b)
			}
		}
		secret := f.totp[key]
		if secret == "" {
			b.t.Fatalf("sign in %s: no TOTP secret on %s", key, b.path())
		}
		f.clock.Advance(30 * time.Second) // a code is good once per step
		code, err := access.TOTPCode(secret, f.clock.Now())
		if err != nil {
			b.t.Fatal(err)
		}
		b.fill("#code", code)
		b.click("main form button[type=submit]")
	}
	if p := b.path(); strings.HasPrefix(p, "/login") {
		b.t.Fatalf("sign in %s: still at %s: %s", key, p, b.text("main"))
	}
	// The session lives in a Secure __Host- cookie while the tests speak
	// plain http to 127.0.0.1, which Chromium counts as a trustworthy
	// origin. If it ever stops doing so, every signed-in test breaks here
	// with the reason rather than somewhere later.
	c, ok := b.cookie("__Host-detente")
	if !ok {
		b.t.Fatalf("Chromium did not keep the Secure __Host-detente session cookie set over %s", f.url)
	}
	if !c.Secure || !c.HTTPOnly || c.Path != "/" {
		b.t.Errorf("session cookie: secure %v, httpOnly %v, path %q", c.Secure, c.HTTPOnly, c.Path)
	}
	// And it sends it back: the server knows who this is on the next page.
	b.open("/account")
	if got := b.text("header.site form button"); !strings.Contains(got, acc.Email) {
		b.t.Fatalf("Chromium did not send the session cookie back: /account shows %q (at %s)", got, b.path())
	}
}

// waitFor waits until sel is visible on the current page.
func (b *tab) waitFor(sel string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// testWriter sends server logs to the test's own output.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	if strings.Contains(line, "msg=translation") {
		// A message the catalogue lacks, or arguments that do not fit it.
		w.t.Errorf("%s", line)
		return len(p), nil
	}
	w.t.Log(line)
	return len(p), nil
}
