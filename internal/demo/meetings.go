package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/meeting"
)

// Titles of the demo's meetings, which its test looks for.
const (
	demoRegularMeeting   = "Regular meeting of points of contact, second session"
	demoBilateralMeeting = "Consultation on requests for assistance after ransomware"
)

// seedMeetings convenes the demo's upcoming meetings, as the secretariat
// and France would, mails their invitations and has the featured States'
// duty officers answer from the app: at the regular meeting France
// accepts, Kenya tentatively, Brazil declines and Japan has not answered,
// nor have the policy-level points of contact; at France's consultation
// Kenya accepts and Japan has not answered. Every place and address named
// is fictitious.
func seedMeetings(ctx context.Context, a *app.App, c *clock.Fixed, sec actor.Actor, duty map[string]actor.Actor, now time.Time) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo meeting, %s: %w", what, err) }
	day := 24 * time.Hour
	// Forms give wall times, read in the meeting's zone.
	wall := func(after time.Duration, hour, minute int) time.Time {
		d := now.Add(after)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC)
	}
	c.Set(now.Add(-6 * day))
	regular, err := a.Meetings.Create(ctx, sec, meeting.Input{
		Title: demoRegularMeeting, Kind: meeting.Hybrid,
		Start: wall(12*day, 10, 0), End: wall(12*day, 13, 0), TimeZone: "Europe/Zurich",
		Venue: "Conference room 3, Example Conference Centre, Geneva", VideoURL: "https://video.un.demo.invalid/poc-session-2",
		Agenda: []meeting.AgendaItem{
			{Title: "Results of the last communication check", Notes: "Points of contact not reached, and how each State followed up.", Provisions: []string{"cbm-1"}},
			{Title: "Requests for assistance: what worked", Notes: "Time to a first answer, the template's fields, and the diplomatic level's part.", Provisions: []string{"norm-h"}},
			{Title: "Reporting vulnerabilities in industrial control products", Provisions: []string{"norm-j"}},
			{Title: "Date of the next session"},
		},
		States: []string{"FR", "KE", "BR", "JP"}, Levels: []meeting.Level{meeting.Policy, meeting.Technical},
		Contact: meeting.Contact{Name: "POC meetings desk (demo)", Email: "poc.meetings@un.demo.invalid"},
	})
	if err != nil {
		return fail("regular", err)
	}
	c.Set(now.Add(-4 * day))
	// France's focal point, an administrator, convenes for France.
	focal, err := a.Access.AccountByEmail(ctx, sec, "focal.point@fr.demo.invalid")
	if err != nil {
		return fail("France's focal point", err)
	}
	bilateral, err := a.Meetings.Create(ctx, focal.Actor(), meeting.Input{
		Title: demoBilateralMeeting, Kind: meeting.Virtual,
		Start: wall(5*day, 14, 0), End: wall(5*day, 15, 30), TimeZone: "Europe/Paris",
		VideoURL: "https://visio.fr.demo.invalid/consultation-13h",
		Agenda: []meeting.AgendaItem{
			{Title: "What each CERT needs in a first request", Provisions: []string{"norm-h"}},
			{Title: "Reaching the other side out of office hours"},
		},
		States: []string{"KE", "JP"}, Levels: []meeting.Level{meeting.Technical},
		Contact: meeting.Contact{Name: "Cyber affairs desk (demo)", Email: "cyber.desk@mfa.fr.demo.invalid"},
	})
	if err != nil {
		return fail("bilateral", err)
	}
	if err := drain(ctx, a); err != nil { // the invitations
		return fail("invitations", err)
	}
	for _, x := range []struct {
		m     meeting.Meeting
		state string
		ans   meeting.Answer
		ago   time.Duration
	}{
		{regular, "FR", meeting.Accepted, 5 * day},
		{regular, "KE", meeting.Tentative, 3 * day},
		{regular, "BR", meeting.Declined, 2 * day},
		{bilateral, "KE", meeting.Accepted, day},
	} {
		c.Set(now.Add(-x.ago))
		if _, err := a.Meetings.Respond(ctx, duty[x.state], x.m.ID, x.ans); err != nil {
			return fail(x.state+"'s answer", err)
		}
	}
	c.Set(now)
	return nil
}
