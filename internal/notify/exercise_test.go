package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/notify"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// oneScenario is a scenario service holding one scenario version.
type oneScenario struct{ s scenario.Scenario }

func (o oneScenario) Scenario(_ context.Context, _ actor.Actor, id string, version int) (scenario.Scenario, error) {
	if id != o.s.ID || version != 0 && version != o.s.Version {
		return scenario.Scenario{}, errs.E(errs.NotFound, "no such scenario")
	}
	return o.s, nil
}

// drill: FR (role A) is hit and tells its technical POCs; KE (role B) is
// asked for help at the technical level half an hour later; an hour in,
// FR's players are prompted to ask KE for assistance.
func drill() scenario.Scenario {
	return scenario.Scenario{ID: "0193c1a0-0000-7000-8000-0000000000d1", Version: 3, Language: "en", Title: "Ransomware drill",
		Roles: []scenario.Role{{Key: "A", Name: "Affected State"}, {Key: "B", Name: "State asked for help"}},
		Injects: []scenario.Inject{
			{Key: "k1", Offset: 0, Kind: scenario.Communication, Title: "Hospital encrypted", FromSimulated: "Central Hospital IT",
				ToRoles: []string{"A"}, ToLevel: scenario.Technical, Type: messaging.IncidentNotification, Urgency: messaging.Urgent, TLP: tlp.Amber,
				Subject: "Patient records encrypted", Body: "Ransom note names the group SECRET-FALCON."},
			{Key: "k2", Offset: 30 * time.Minute, Kind: scenario.Communication, Title: "Request for assistance", FromRole: "A",
				ToRoles: []string{"B"}, ToLevel: scenario.Technical, Type: messaging.AssistanceRequest, Urgency: messaging.Priority, TLP: tlp.Amber,
				Subject: "Help with decryption", Body: "Indicators: 203.0.113.99, hash c0ffee-EXERCISE-ONLY.",
				Expected: []scenario.Expectation{
					{Key: "ack", Action: scenario.Acknowledge, Within: 15 * time.Minute},
					{Key: "answer", Action: scenario.ReplyWithFields, Within: 30 * time.Minute, Fields: []string{"status"}},
				}},
			{Key: "k3", Offset: time.Hour, Kind: scenario.Prompt, Title: "Escalating impact", Prompt: "Your CERT cannot contain it: ask B for help.",
				ToRoles: []string{"A"}, ToLevel: scenario.Technical,
				Expected: []scenario.Expectation{{Key: "help", Action: scenario.RequestAssistance, Within: 30 * time.Minute, ToRole: "B"}}},
		},
		Duration: 2 * time.Hour}
}

// TestExerciseRunEndToEnd plays an accelerated run (an hour of scenario
// per five minutes) over the real application, a real SMTP server over TCP
// and gpg: each inject arrives by mail at the receiving POCs when the
// scenario reaches it, not before, marked EXERCISE and encrypted where the
// POC has a key; players act; their expected actions are matched and the
// report shows the measured times. No exercise message reaches a real
// inbox, a real check's figures or the incidents.
func TestExerciseRunEndToEnd(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		a := w.app
		sec, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "sec@un.test.invalid", DisplayName: "Secretariat", Role: actor.Secretariat, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		frAdmin, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin@fr.test.invalid", DisplayName: "FR admin", Role: actor.StateAdmin, State: "FR", Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		keAdmin, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin2@ke.test.invalid", DisplayName: "KE admin", Role: actor.StateAdmin, State: "KE", Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		// The players: FR's duty officer (no key) and KE's, whose entry has
		// the key gpg holds, each linked to the POC account.
		for _, p := range []struct {
			admin   actor.Actor
			email   string
			key     string
			account string
		}{
			{frAdmin.Actor(), "duty@cert.fr.test.invalid", "", w.frpoc.AccountID},
			{keAdmin.Actor(), "duty@cirt.ke.test.invalid", w.gpg.Armored, w.kepoc.AccountID},
		} {
			if _, err := a.Directory.Nominate(ctx, p.admin, p.admin.State, directory.POCInput{Level: directory.Technical, FunctionTitle: "Duty officer",
				Organisation: "CERT", Emails: []string{p.email}, Phones: []string{"+33 1 00 00 00 00"}, Languages: []string{"en"},
				TimeZone: "Europe/Paris", Availability: directory.Always, PGPKey: p.key, AccountID: p.account}); err != nil {
				t.Fatal(err)
			}
		}
		// A real check of KE's technical POCs is open throughout.
		check, err := a.Checks.Create(ctx, sec.Actor(), checks.Input{Name: "Check of March", ScopeKind: checks.ScopeStates, Scope: []string{"KE"}, Levels: []string{"technical"}, WindowHours: 72})
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		checkMails := len(w.smtp.Messages())
		pendingBefore, err := a.Checks.PendingCount(ctx, w.kepoc)
		if err != nil {
			t.Fatal(err)
		}

		notifier := notify.New(a.DB, w.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), a.Sys.Messaging, a.Sys.Directory, a.Sys.Checks,
			notify.Discard{Log: quiet}, a.Text, notify.Config{From: "detente@test.invalid", BaseURL: "https://detente.test.invalid"})
		svc := exercise.New(a.DB, a.Audit, w.clock, oneScenario{drill()}, a.Sys.Directory, notifier, exercise.Config{BaseURL: "https://detente.test.invalid"})
		svc.Register(a.Jobs)
		run, err := svc.Create(ctx, sec.Actor(), exercise.Input{ScenarioID: drill().ID, Title: "Drill of March",
			Assignments: []exercise.Assignment{{Role: "A", State: "FR"}, {Role: "B", State: "KE"}}, Levels: []scenario.Level{scenario.Technical}, Factor: 12})
		if err != nil {
			t.Fatal(err)
		}
		if run, err = svc.Start(ctx, sec.Actor(), run.ID, run.Version); err != nil {
			t.Fatal(err)
		}
		w.drain(t)

		// newMails returns the mails received since the last call, by
		// recipient.
		seen := checkMails
		newMails := func() map[string][]smtptest.Message {
			all := w.smtp.Messages()
			out := byRecipient(all[seen:])
			seen = len(all)
			return out
		}
		link := regexp.MustCompile(`https://detente\.test\.invalid/exercises/` + run.ID + `/injects/k[0-9]`)
		// read checks the marking of an exercise mail and returns its
		// subject and text, decrypted.
		read := func(m smtptest.Message, encrypted bool) invitation {
			t.Helper()
			outer, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if !strings.HasPrefix(outer, "[EXERCISE]") {
				t.Errorf("outer subject %q", outer)
			}
			if got := strings.Contains(m.Header.Get("Content-Type"), "multipart/encrypted"); got != encrypted {
				t.Errorf("mail to %v encrypted: %v, want %v", m.To, got, encrypted)
			}
			if m.Header.Get("X-Detente-Exercise") != run.ID {
				t.Errorf("X-Detente-Exercise %q", m.Header.Get("X-Detente-Exercise"))
			}
			inv := readMeetingMail(t, w, m.Data)
			if !strings.HasPrefix(inv.subject, "[EXERCISE] [detente] ") {
				t.Errorf("subject %q", inv.subject)
			}
			if !strings.HasPrefix(strings.TrimSpace(inv.text), "EXERCISE") || !strings.HasSuffix(strings.TrimSpace(inv.text), "EXERCISE") ||
				!strings.Contains(inv.text, "It is not a real communication.") || !link.MatchString(inv.text) {
				t.Errorf("text of the mail to %v:\n%s", m.To, inv.text)
			}
			return inv
		}

		// T+0: k1 reaches FR's technical POC, who has no key: AMBER, so a
		// notice without the content.
		got := newMails()
		if len(got) != 1 || len(got["duty@cert.fr.test.invalid"]) != 1 {
			t.Fatalf("at the start: mails to %v", recipients(got))
		}
		k1 := read(got["duty@cert.fr.test.invalid"][0], false)
		if strings.Contains(k1.text, "SECRET-FALCON") || strings.Contains(k1.subject, "Patient records") || !strings.Contains(k1.text, "TLP:AMBER") {
			t.Errorf("the AMBER inject reached an address without a key:\n%s\n%s", k1.subject, k1.text)
		}

		// k2 is due at T+30m, two and a half minutes of wall time.
		w.clock.Advance(150*time.Second - time.Second)
		w.drain(t)
		if got := newMails(); len(got) != 0 {
			t.Fatalf("before T+30m: mails to %v", recipients(got))
		}
		w.clock.Advance(time.Second)
		w.drain(t)
		got = newMails()
		want := []string{"duty@cirt.ke.test.invalid", "keyed@cirt.ke.test.invalid", "plain@cirt.ke.test.invalid"}
		if !slices.Equal(recipients(got), want) {
			t.Fatalf("at T+30m: mails to %v, want %v", recipients(got), want)
		}
		for _, to := range want[:2] {
			inv := read(got[to][0], true)
			if !strings.Contains(inv.subject, "TLP:AMBER: Help with decryption") || !strings.Contains(inv.text, "c0ffee-EXERCISE-ONLY") ||
				!strings.Contains(inv.text, "Scenario time: T+00:30") || !strings.Contains(inv.text, "From: France") {
				t.Errorf("decrypted mail to %s:\n%s\n%s", to, inv.subject, inv.text)
			}
		}
		if plain := read(got["plain@cirt.ke.test.invalid"][0], false); strings.Contains(plain.text, "c0ffee") {
			t.Errorf("the content reached a POC without a key")
		}

		// KE's player acknowledges at T+42m (in time) and answers with the
		// status field at T+1h06m (late: 36 minutes against 30).
		w.clock.Advance(time.Minute)
		if _, err := svc.Act(ctx, w.kepoc, run.ID, exercise.ActionInput{Inject: "k2", Action: scenario.Acknowledge}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
		w.drain(t) // T+54m: nothing due
		w.clock.Advance(time.Minute)
		w.drain(t) // T+1h06m: k3, the prompt, to FR
		got = newMails()
		if len(got) != 1 || len(got["duty@cert.fr.test.invalid"]) != 1 {
			t.Fatalf("at T+1h: mails to %v", recipients(got))
		}
		if k3 := read(got["duty@cert.fr.test.invalid"][0], false); !strings.Contains(k3.text, "ask B for help") {
			t.Errorf("the prompt:\n%s", k3.text)
		}
		if _, err := svc.Act(ctx, w.kepoc, run.ID, exercise.ActionInput{Inject: "k2", Action: scenario.Reply, Text: "We can help.",
			Fields: map[string]string{"status": "analysing the sample"}}); err != nil {
			t.Fatal(err)
		}
		// FR's player may not act on KE's inject, nor KE's on FR's.
		if _, err := svc.Act(ctx, w.frpoc, run.ID, exercise.ActionInput{Inject: "k2", Action: scenario.Acknowledge}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("FR acts on KE's inject: %v", err)
		}
		// T+1h18m: FR asks KE for help, 18 minutes after the prompt left
		// at T+1h (it went out at the tick of T+1h06m, so measured from
		// there: 12 minutes).
		w.clock.Advance(time.Minute)
		if _, err := svc.Act(ctx, w.frpoc, run.ID, exercise.ActionInput{Inject: "k3", Action: scenario.RequestAssistance, ToRole: "B", Text: "Please help."}); err != nil {
			t.Fatal(err)
		}
		run, err = svc.Run(ctx, sec.Actor(), run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Stop(ctx, sec.Actor(), run.ID, run.Version); err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Report(ctx, sec.Actor(), run.ID)
		if err != nil {
			t.Fatal(err)
		}
		results := map[string]string{}
		for _, r := range rep.Results {
			v := string(r.Outcome)
			if r.Measured != nil {
				v += fmt.Sprintf(" %v of %v", *r.Measured, r.Within)
			}
			results[r.Inject+"/"+r.Expectation+"/"+r.State] = v
		}
		wantResults := map[string]string{"k2/ack/KE": "met 12m0s of 15m0s", "k2/answer/KE": "late 36m0s of 30m0s", "k3/help/FR": "met 12m0s of 30m0s"}
		if fmt.Sprint(results) != fmt.Sprint(wantResults) {
			t.Errorf("report results %v, want %v", results, wantResults)
		}

		// Nothing of the exercise is real traffic.
		for _, who := range []actor.Actor{w.kepoc, w.frpoc, keAdmin.Actor(), frAdmin.Actor()} {
			if n, err := a.Messaging.Unread(ctx, who); err != nil || n != 0 {
				t.Errorf("%s has %d unread communications (%v)", who.Email, n, err)
			}
			for _, box := range []messaging.Box{messaging.Inbox, messaging.Sent} {
				if ms, err := a.Messaging.List(ctx, who, messaging.ListFilter{Box: box, Limit: 50}); err != nil || len(ms) != 0 {
					t.Errorf("%s's %s holds %d communications (%v)", who.Email, box, len(ms), err)
				}
			}
			if inc, err := a.Incidents.List(ctx, who, incident.Filter{}, page.First()); err != nil || len(inc.Items) != 0 {
				t.Errorf("%s sees %d incidents (%v)", who.Email, len(inc.Items), err)
			}
		}
		res, err := a.Checks.Results(ctx, sec.Actor(), check.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Overall.Acknowledged != 0 || res.Overall.Total != 3 {
			t.Errorf("the real check's figures moved: %+v", res.Overall)
		}
		if n, err := a.Checks.PendingCount(ctx, w.kepoc); err != nil || n != pendingBefore {
			t.Errorf("KE's player has %d checks to answer, had %d (%v)", n, pendingBefore, err)
		}
		for _, table := range []string{"messages", "deliveries", "incidents"} {
			var n int
			if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows in %s (%v)", n, table, err)
			}
		}
	})
}

func recipients(m map[string][]smtptest.Message) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
