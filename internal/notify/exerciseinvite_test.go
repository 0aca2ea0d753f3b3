package notify_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/notify"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestExerciseInvitationsBySMTP plans a run of the drill for FR and KE,
// moves it and cancels it, and reads every mail the SMTP server received:
// each player POC gets the run as a calendar entry under one UID and a
// rising SEQUENCE (REQUEST, REQUEST, CANCEL), read alike by the strict
// reader and ical.js; every mail is marked EXERCISE, outside the
// encryption too; the POC with a key gets it encrypted (gpg opens it);
// the French-speaking POC reads it in French.
func TestExerciseInvitationsBySMTP(t *testing.T) {
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
		if _, err := a.Directory.Nominate(ctx, frAdmin.Actor(), "FR", directory.POCInput{Level: directory.Technical, FunctionTitle: "Officier de permanence",
			Organisation: "CERT-FR", Emails: []string{"permanence@cert.fr.test.invalid"}, Phones: []string{"+33 1 00 00 00 00"}, Languages: []string{"fr"},
			TimeZone: "Europe/Paris", Availability: directory.Always}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		seen := len(w.smtp.Messages())

		notifier := notify.New(a.DB, w.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), a.Sys.Messaging, a.Sys.Directory, a.Sys.Checks,
			notify.Discard{Log: quiet}, a.Text, notify.Config{From: "detente@test.invalid", BaseURL: "https://detente.test.invalid"})
		svc := exercise.New(a.DB, a.Audit, w.clock, oneScenario{drill()}, a.Sys.Directory, notifier,
			exercise.Config{BaseURL: "https://detente.test.invalid", From: "detente@test.invalid"})
		zurich, _ := time.LoadLocation("Europe/Zurich")
		day := w.clock.Now().In(zurich).AddDate(0, 0, 7)
		wall := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC)
		run, err := svc.Create(ctx, sec.Actor(), exercise.Input{ScenarioID: drill().ID, Title: "Drill of the quarter",
			Assignments: []exercise.Assignment{{Role: "A", State: "FR"}, {Role: "B", State: "KE"}}, Levels: []scenario.Level{scenario.Technical},
			Factor: 12, Schedule: exercise.Schedule{Start: wall, TimeZone: "Europe/Zurich"}})
		if err != nil {
			t.Fatal(err)
		}
		players := []string{"keyed@cirt.ke.test.invalid", "permanence@cert.fr.test.invalid", "plain@cirt.ke.test.invalid"}
		uid := run.ID + "@detente-exercise"

		// round drains the queue and reads the mails of one change, one
		// to each player, checking what every exercise invitation shows.
		round := func(method, sequence string) map[string]invitation {
			t.Helper()
			w.drain(t)
			all := w.smtp.Messages()
			got := byRecipient(all[seen:])
			seen = len(all)
			if !slices.Equal(recipients(got), players) {
				t.Fatalf("%s %s went to %v, want %v", method, sequence, recipients(got), players)
			}
			out := map[string]invitation{}
			for to, ms := range got {
				if len(ms) != 1 {
					t.Fatalf("%d mails to %s", len(ms), to)
				}
				m := ms[0]
				outer, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
				encrypted := strings.Contains(m.Header.Get("Content-Type"), "multipart/encrypted")
				if !strings.HasPrefix(outer, "[EXERCISE]") || encrypted != (to == "keyed@cirt.ke.test.invalid") ||
					encrypted && strings.Contains(outer, "Drill") {
					t.Errorf("mail to %s: outer subject %q, encrypted %v", to, outer, encrypted)
				}
				inv := readMeetingMail(t, w, m.Data)
				checkCalendar(t, inv, method)
				if property(inv.cal, "UID") != uid || property(inv.cal, "SEQUENCE") != sequence ||
					!strings.HasPrefix(property(inv.cal, "SUMMARY"), "[EXERCISE] Drill of the quarter") {
					t.Errorf("calendar to %s: UID %s SEQUENCE %s SUMMARY %s", to, property(inv.cal, "UID"), property(inv.cal, "SEQUENCE"), property(inv.cal, "SUMMARY"))
				}
				text := strings.TrimSpace(inv.text)
				if !strings.HasPrefix(inv.subject, "[EXERCISE] [detente] ") || !strings.HasPrefix(text, "EXERCISE") || !strings.HasSuffix(text, "EXERCISE") {
					t.Errorf("mail to %s: subject %q\n%s", to, inv.subject, inv.text)
				}
				out[to] = inv
			}
			return out
		}

		first := round("REQUEST", "0")
		ke := first["plain@cirt.ke.test.invalid"]
		for _, want := range []string{"Invitation to the exercise Drill of the quarter", "the secretariat invites you", "Scenario: Ransomware drill",
			"(Europe/Zurich)", "In your time zone:", "(Africa/Nairobi)", "Your State plays: State asked for help", "https://detente.test.invalid/exercises/" + run.ID} {
			if !strings.Contains(ke.subject+"\n"+ke.text, want) {
				t.Errorf("KE's invitation lacks %q:\n%s\n%s", want, ke.subject, ke.text)
			}
		}
		if want := "DTSTART;TZID=Europe/Zurich:" + wall.Format("20060102T150405"); !strings.Contains(ke.cal, want) {
			t.Errorf("calendar lacks %s:\n%s", want, ke.cal)
		}
		if fr := first["permanence@cert.fr.test.invalid"]; !strings.Contains(fr.subject, "Invitation à l'exercice") || !strings.Contains(fr.text, "Votre État joue : Affected State") {
			t.Errorf("FR's invitation is not in French:\n%s\n%s", fr.subject, fr.text)
		}

		if run, err = svc.Reschedule(ctx, sec.Actor(), run.ID, run.Version, exercise.Schedule{Start: wall.Add(26 * time.Hour), TimeZone: "Europe/Zurich"}); err != nil {
			t.Fatal(err)
		}
		moved := round("REQUEST", "1")
		if ke := moved["keyed@cirt.ke.test.invalid"]; !strings.Contains(ke.subject, "Exercise moved: Drill of the quarter") ||
			!strings.Contains(ke.cal, "DTSTART;TZID=Europe/Zurich:"+wall.Add(26*time.Hour).Format("20060102T150405")) {
			t.Errorf("the update to the key holder:\n%s\n%s", ke.subject, ke.cal)
		}
		if _, err := svc.Stop(ctx, sec.Actor(), run.ID, run.Version); err != nil {
			t.Fatal(err)
		}
		cancelled := round("CANCEL", "2")
		if ke := cancelled["plain@cirt.ke.test.invalid"]; !strings.Contains(ke.subject, "Exercise cancelled: Drill of the quarter") ||
			property(ke.cal, "STATUS") != "CANCELLED" || strings.Contains(ke.text, "/exercises/") {
			t.Errorf("the cancellation:\n%s\n%s\n%s", ke.subject, ke.text, ke.cal)
		}
	})
}
