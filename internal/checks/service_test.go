package checks_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/jobs"
	dmail "github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

type world struct {
	dsn   string // the database the app is open on
	app   *app.App
	smtp  *smtptest.Server
	clock *clock.Fixed
	who   map[string]actor.Actor
	poc   map[string]directory.POC
}

// newWorld: KE and NG (African group) and FR participate; NZ does not.
// KE has a technical POC linked to its POC's account and a policy POC;
// NG a technical POC whose mailbox refuses mail.
func newWorld(t *testing.T, engine store.Engine) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{clock: clock.NewFixed(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)), smtp: smtptest.Start(t, smtptest.Options{}),
		who: map[string]actor.Actor{"anon": actor.Anonymous}, poc: map[string]directory.POC{}}
	sender := &dmail.SMTP{Host: w.smtp.Host(), Port: w.smtp.Port(), TLS: dmail.NoTLS, Timeout: 5 * time.Second}
	t.Cleanup(func() { sender.Close() })
	cfg, err := config.Parse("test", []string{"-base-url", "https://detente.test.invalid"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, engine)
	w.dsn = cfg.Database
	w.app, err = app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Clock: w.clock,
		Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}, Jobs: jobs.Options{Backoff: func(int) time.Duration { return time.Minute }},
		Mail: sender})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.app.Close() })
	a := w.app
	since := w.clock.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"KE", "NG", "FR"} {
		if err := a.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{{"sec", actor.Secretariat, ""}, {"keadmin", actor.StateAdmin, "KE"}, {"kepoc", actor.POC, "KE"}, {"ngadmin", actor.StateAdmin, "NG"},
		{"ngpoc", actor.POC, "NG"}, {"frpoc", actor.POC, "FR"}, {"fradmin", actor.StateAdmin, "FR"}} {
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		w.who[x.key] = acc.Actor()
	}
	nominate := func(key, admin string, lv directory.Level, email, account string) {
		p, err := a.Directory.Nominate(ctx, w.who[admin], w.who[admin].State, directory.POCInput{Level: lv, FunctionTitle: "Duty " + key, Organisation: "CERT",
			Emails: []string{email}, Phones: []string{"+254 20 000 0000"}, Languages: []string{"en"}, TimeZone: "Africa/Nairobi", Availability: directory.Always, AccountID: account})
		if err != nil {
			t.Fatal(err)
		}
		w.poc[key] = p
	}
	nominate("ketech", "keadmin", directory.Technical, "tech@ke.test.invalid", w.who["kepoc"].AccountID)
	nominate("kepolicy", "keadmin", directory.Policy, "policy@ke.test.invalid", "")
	nominate("ngtech", "ngadmin", directory.Technical, "tech@ng.test.invalid", "")
	nominate("frtech", "fradmin", directory.Technical, "tech@fr.test.invalid", "")
	w.smtp.Reject("tech@ng.test.invalid")
	return w
}

func (w *world) drain(t *testing.T) {
	t.Helper()
	if _, err := w.app.Jobs.RunDue(context.Background(), 50); err != nil {
		t.Fatal(err)
	}
}

var tokenRe = regexp.MustCompile(`https://detente\.test\.invalid/ping/([A-Za-z0-9_-]+)`)

// tokens maps each recipient to the check token in its newest mail.
func (w *world) tokens(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range w.smtp.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if mm := tokenRe.FindStringSubmatch(string(body)); mm != nil {
			out[m.To[0]] = mm[1]
		}
	}
	return out
}

func african(w *world) checks.Input {
	return checks.Input{Name: "Check, first half of 2026", ScopeKind: checks.ScopeRegions, Scope: []string{"African"},
		Levels: []string{"technical"}, WindowHours: 72, ReminderAfter: 48}
}

func TestCreateIsTheSecretariats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		for _, who := range []string{"keadmin", "kepoc", "anon"} {
			if _, err := w.app.Checks.Create(ctx, w.who[who], african(w)); err == nil {
				t.Errorf("%s created a campaign", who)
			}
		}
		tests := []struct {
			name   string
			change func(*checks.Input)
			field  string
		}{
			{"no name", func(in *checks.Input) { in.Name = "" }, "name"},
			{"unknown group", func(in *checks.Input) { in.Scope = []string{"Atlantis"} }, "scope"},
			{"unknown State", func(in *checks.Input) { in.ScopeKind, in.Scope = checks.ScopeStates, []string{"QQ"} }, "scope"},
			{"empty list", func(in *checks.Input) { in.ScopeKind, in.Scope = checks.ScopeStates, nil }, "scope"},
			{"bad scope kind", func(in *checks.Input) { in.ScopeKind = "some" }, "scope_kind"},
			{"no level", func(in *checks.Input) { in.Levels = nil }, "levels"},
			{"bad level", func(in *checks.Input) { in.Levels = []string{"military"} }, "levels"},
			{"no window", func(in *checks.Input) { in.WindowHours = 0 }, "window_hours"},
			{"endless window", func(in *checks.Input) { in.WindowHours = 10000 }, "window_hours"},
			{"reminder after close", func(in *checks.Input) { in.ReminderAfter = 80 }, "reminder_after_hours"},
			{"repeat too rarely", func(in *checks.Input) { in.RepeatMonths = 99 }, "repeat_months"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := african(w)
				tc.change(&in)
				_, err := w.app.Checks.Create(ctx, w.who["sec"], in)
				if errs.FieldsOf(err)[tc.field] == "" {
					t.Fatalf("err = %v, want a message for %s", err, tc.field)
				}
			})
		}
		if cs, _ := w.app.Checks.Checks(ctx, w.who["sec"]); len(cs) != 0 {
			t.Fatal("refused campaigns were written")
		}
	})
}

func TestCheckEndToEnd(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		c, err := w.app.Checks.Create(ctx, w.who["sec"], african(w))
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		toks := w.tokens(t)
		if len(toks) != 1 || toks["tech@ke.test.invalid"] == "" {
			t.Fatalf("check mails went to %v; want KE's technical POC only (NG refuses mail, FR and policy are out of scope)", toks)
		}

		// Following the link (as a mail scanner would) acknowledges nothing.
		chk, err := w.app.Checks.Peek(ctx, toks["tech@ke.test.invalid"])
		if err != nil || chk.Challenge.AcknowledgedAt != nil || chk.StateName != "Kenya" {
			t.Fatalf("peek: %+v %v", chk, err)
		}
		if _, err := w.app.Checks.Peek(ctx, "not-a-token"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		w.clock.Advance(90 * time.Minute)
		if _, err := w.app.Checks.AcknowledgeToken(ctx, toks["tech@ke.test.invalid"], "192.0.2.4"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Checks.AcknowledgeToken(ctx, toks["tech@ke.test.invalid"], "192.0.2.4"); err != nil {
			t.Fatalf("a second click must be harmless: %v", err)
		}

		w.clock.Advance(72 * time.Hour)
		w.drain(t)
		r, err := w.app.Checks.Results(ctx, w.who["sec"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Check.Status != checks.Closed || r.Overall.Total != 2 || r.Overall.Acknowledged != 1 || r.Overall.Bounced != 1 || r.Median != 90*time.Minute {
			t.Fatalf("report %+v", r)
		}
		if len(r.Unreachable) != 1 || r.UnreachableCount != 1 || r.Unreachable[0].State != "NG" || r.Unreachable[0].Bounce == "" {
			t.Fatalf("unreachable %d: %+v", r.UnreachableCount, r.Unreachable)
		}
		if _, err := w.app.Checks.AcknowledgeToken(ctx, toks["tech@ke.test.invalid"], "x"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("acknowledging after close: %v", err)
		}

		// Each State sees its own figures; a State out of scope sees nothing.
		ke, err := w.app.Checks.View(ctx, w.who["keadmin"], c.ID)
		if err != nil || ke.All != nil || ke.Own == nil || ke.Own.Own.Key != "KE" {
			t.Fatalf("KE's view: %+v %v", ke, err)
		}
		if _, err := w.app.Checks.Results(ctx, w.who["frpoc"], c.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("FR, out of scope, sees the campaign: %v", err)
		}
		// The public sees aggregates only once published, never per State.
		if _, err := w.app.Checks.PublicResults(ctx, c.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unpublished results are public: %v", err)
		}
		if err := w.app.Checks.SetPublished(ctx, w.who["keadmin"], c.ID, true); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a State published: %v", err)
		}
		if err := w.app.Checks.SetPublished(ctx, w.who["sec"], c.ID, true); err != nil {
			t.Fatal(err)
		}
		pub, err := w.app.Checks.PublicResults(ctx, c.ID)
		if err != nil || pub.ByState != nil || pub.Unreachable != nil || pub.Overall.Total != 2 {
			t.Fatalf("public view %+v %v", pub, err)
		}
	})
}

func TestInboxAcknowledgementAndReminder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		in := african(w)
		in.RepeatMonths = 6
		c, err := w.app.Checks.Create(ctx, w.who["sec"], in)
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		first := w.tokens(t)["tech@ke.test.invalid"]
		w.clock.Advance(49 * time.Hour)
		w.drain(t)
		second := w.tokens(t)["tech@ke.test.invalid"]
		if second == "" || second == first {
			t.Fatal("no reminder with a fresh token")
		}
		if _, err := w.app.Checks.Peek(ctx, first); !errs.Is(err, errs.NotFound) {
			t.Fatal("the first token still works after the reminder replaced it")
		}
		pending, err := w.app.Checks.Pending(ctx, w.who["kepoc"])
		if err != nil || len(pending) != 1 {
			t.Fatalf("KE POC's pending checks: %d %v", len(pending), err)
		}
		id := pending[0].Challenge.ID
		for _, who := range []string{"keadmin", "ngpoc", "sec"} {
			if err := w.app.Checks.AcknowledgeAsAccount(ctx, w.who[who], id, checks.ViaInbox); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s answered for KE's POC: %v", who, err)
			}
		}
		if err := w.app.Checks.AcknowledgeAsAccount(ctx, w.who["kepoc"], id, checks.ViaInbox); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(24 * time.Hour)
		w.drain(t)
		// A recurring campaign schedules its successor when it closes.
		cs, _ := w.app.Checks.Checks(ctx, w.who["sec"])
		if len(cs) != 2 || cs[0].PreviousID != c.ID || cs[0].Status != checks.Scheduled || !cs[0].OpensAt.Equal(c.OpensAt.AddDate(0, 6, 0)) {
			t.Fatalf("campaigns after close: %+v", cs)
		}
		hist, err := w.app.Checks.History(ctx, w.who["keadmin"])
		if err != nil || len(hist) != 1 || hist[0].Tally.Key != "KE" || hist[0].Tally.Rate != 1 {
			t.Fatalf("KE history %+v %v", hist, err)
		}
	})
}
