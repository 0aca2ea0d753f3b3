package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/web"
)

const password = "correct horse battery staple"

// fixture is a running detente on SQLite with FR and KE participating.
type fixture struct {
	t     *testing.T
	app   *app.App
	url   string
	clock *clock.Fixed
	acc   map[string]access.Account
	poc   directory.POC // FR's technical POC
	msg   messaging.Message
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("e2e", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, store.SQLite)
	c := clock.NewFixed(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Clock: c, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &fixture{t: t, app: a, clock: c, acc: map[string]access.Account{}}
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
	}{{"sec", actor.Secretariat, ""}, {"fradmin", actor.StateAdmin, "FR"}, {"frpoc", actor.POC, "FR"}, {"kepoc", actor.POC, "KE"}, {"keadmin", actor.StateAdmin, "KE"}} {
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@e2e.invalid", DisplayName: x.key + " (test)", Role: x.role, State: x.state, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		f.acc[x.key] = acc
	}
	f.poc, err = a.Directory.Nominate(ctx, f.acc["fradmin"].Actor(), "FR", directory.POCInput{
		Level: directory.Technical, FunctionTitle: "Duty officer, CERT-FR", Organisation: "ANSSI", Emails: []string{"cert@fr.e2e.invalid"},
		Phones: []string{"+33 1 71 75 84 68"}, Languages: []string{"fr", "en"}, TimeZone: "Europe/Paris", Availability: directory.Always,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Directory.Nominate(ctx, f.acc["keadmin"].Actor(), "KE", directory.POCInput{
		Level: directory.Policy, FunctionTitle: "Director, cyber policy", Organisation: "Ministry of ICT", Emails: []string{"policy@ke.e2e.invalid"},
		Phones: []string{"+254 20 000 0000"}, Languages: []string{"en", "sw"}, TimeZone: "Africa/Nairobi", Availability: directory.OfficeHours, Hours: "Mon–Fri 08:00–17:00",
	}); err != nil {
		t.Fatal(err)
	}
	f.msg, err = a.Messaging.Send(ctx, f.acc["frpoc"].Actor(), messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"},
		Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber, Subject: "Wiper at a grid operator",
		Body: "Substation control systems wiped.", Fields: map[string]string{"impact": "Two substations offline", "status": "ongoing", "sector": "energy"}, AckRequested: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h) // 127.0.0.1 only
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// waitPath waits until the tab's location path starts with prefix.
func (b *browser) waitPath(prefix string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if u, err := url.Parse(b.location()); err == nil && strings.HasPrefix(u.Path, prefix) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("never reached %s (at %s)", prefix, b.location())
}

var secretRe = regexp.MustCompile(`<dd class="mono">([A-Z2-7]{32})</dd>`)

// signIn goes through the sign-in form and, for roles that need one, the
// second-factor enrolment; before the code is entered, check (if set) runs
// on the enrolment page.
func (f *fixture) signIn(b *browser, key string, check func()) {
	b.t.Helper()
	acc := f.acc[key]
	b.do(chromedp.Navigate(f.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), acc.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	if !acc.SecondFactorRequired() {
		b.waitPath("/directory")
		return
	}
	b.waitPath("/login/totp")
	m := secretRe.FindStringSubmatch(b.html())
	if m == nil {
		b.t.Fatalf("no TOTP secret on the enrolment page")
	}
	if check != nil {
		check()
	}
	f.clock.Advance(30 * time.Second) // each code is good once
	code, _ := access.TOTPCode(m[1], f.clock.Now())
	b.do(chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitPath("/directory")
}
