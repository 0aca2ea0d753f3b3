package demo

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestDemoMeetings seeds the whole demo on every engine and reads its
// meetings, and its exercise run, as the demo's people would: each featured State's duty officer
// sees its own answer, the answers cover accepted, tentative, declined and
// none, and who is not invited sees neither the meeting nor its venue.
func TestDemoMeetings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Database = storetest.DSN(t, db.Engine)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
			return app.Open(ctx, cfg, log, app.Options{Clock: c, Mail: m, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
		}
		now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
		if _, err := Seed(ctx, open, now, "demo-password-for-tests"); err != nil {
			t.Fatal(err)
		}
		a, err := open(clock.NewFixed(now), &Outbox{refuse: map[string]bool{}})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		who := func(email string) actor.Actor {
			t.Helper()
			var x actor.Actor
			var role string
			if err := a.DB.R.QueryRowContext(ctx, `SELECT id, role, COALESCE(state_code, '') FROM accounts WHERE email = $1`, email).Scan(&x.AccountID, &role, &x.State); err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			x.Email, x.Role = email, actor.Role(role)
			return x
		}
		upcoming := func(viewer actor.Actor) map[string]meeting.Meeting {
			t.Helper()
			p, err := a.Meetings.Upcoming(ctx, viewer, page.Request{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]meeting.Meeting{}
			for _, m := range p.Items {
				out[m.Title] = m
			}
			return out
		}
		for _, c := range []struct {
			email              string
			regular, bilateral meeting.Answer // "": not shown; "-": shown, not invited
		}{
			{"cert.duty@fr.demo.invalid", meeting.Accepted, "-"},
			{"cert.duty@ke.demo.invalid", meeting.Tentative, meeting.Accepted},
			{"cert.duty@br.demo.invalid", meeting.Declined, ""},
			{"cert.duty@jp.demo.invalid", meeting.NeedsAction, meeting.NeedsAction},
			{"analyst@jp.demo.invalid", "-", "-"},
			{"secretariat@un.demo.invalid", "-", ""},
		} {
			got := upcoming(who(c.email))
			for title, want := range map[string]meeting.Answer{demoRegularMeeting: c.regular, demoBilateralMeeting: c.bilateral} {
				m, shown := got[title]
				switch {
				case want == "" && shown:
					t.Errorf("%s sees %q", c.email, title)
				case want == "":
				case !shown:
					t.Errorf("%s does not see %q", c.email, title)
				case want == "-" && m.MyAnswer != "":
					t.Errorf("%s answers %q for %q", c.email, m.MyAnswer, title)
				case want != "-" && m.MyAnswer != want:
					t.Errorf("%s: answer to %q is %q, want %q", c.email, title, m.MyAnswer, want)
				}
				// The venue and link for the invitees and the organiser's
				// side only: the analysts answer for no invited entry.
				if shown && m.Private != (want != "-" || (c.email == "secretariat@un.demo.invalid" && title == demoRegularMeeting) ||
					(title == demoBilateralMeeting && c.email == "cert.duty@fr.demo.invalid")) {
					t.Errorf("%s: %q private %v", c.email, title, m.Private)
				}
				if shown && !m.Private && (m.Venue != "" || m.VideoURL != "") {
					t.Errorf("%s sees the venue of %q", c.email, title)
				}
			}
		}

		sec := who("secretariat@un.demo.invalid")
		regular := upcoming(sec)[demoRegularMeeting]
		n := regular.Counts
		if n.Accepted < 1 || n.Tentative < 1 || n.Declined < 1 || n.Invited <= n.Accepted+n.Tentative+n.Declined {
			t.Errorf("answers %+v: want some of each and some unanswered", n)
		}
		if len(regular.Agenda) < 3 || regular.Start.Sub(now) < 7*24*time.Hour {
			t.Errorf("the regular meeting: %d agenda items, starts %v", len(regular.Agenda), regular.Start)
		}
		invs, err := a.Meetings.AllInvitations(ctx, sec, regular.ID)
		if err != nil {
			t.Fatal(err)
		}
		byState := map[string]map[meeting.Answer]int{}
		for _, i := range invs {
			if byState[i.State] == nil {
				byState[i.State] = map[meeting.Answer]int{}
			}
			byState[i.State][i.Answer]++
		}
		for _, st := range []string{"FR", "KE", "BR", "JP"} {
			if len(byState[st]) == 0 {
				t.Errorf("%s's points of contact are not invited", st)
			}
		}
		if byState["JP"][meeting.Accepted]+byState["JP"][meeting.Tentative]+byState["JP"][meeting.Declined] != 0 || byState["JP"][meeting.NeedsAction] == 0 {
			t.Errorf("Japan has answered: %v", byState["JP"])
		}
		if len(byState) != 4 {
			t.Errorf("invited States %v", byState)
		}

		checkDemoExercise(t, ctx, a, who)
		checkDemoCapacity(t, ctx, a, who)
		checkDemoSurvey(t, ctx, a, who)
		checkDemoLibrary(t, ctx, a, who)
	})
}
