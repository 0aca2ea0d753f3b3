package e2e

import (
	"context"
	"regexp"
	"time"

	"github.com/detente/detente/internal/meeting"
)

var meetingAnswerLink = regexp.MustCompile(`https?://[^\s"<>]+(/meetings/answer/[A-Za-z0-9_-]{20,})`)

// meetingStops schedules the meeting the tour's meeting pages show — the
// secretariat's regular meeting of FR and KE, in Geneva and by video, with
// an agenda on the framework — and returns the pages each person visits,
// by account key. KE's POC answers for KE's invited entry and sees the
// venue; FR's administrator, who answers for none, does not.
func meetingStops(f *fixture) map[string][]stop {
	f.t.Helper()
	ctx := context.Background()
	day := f.clock.Now().AddDate(0, 0, 10)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, time.UTC) // a wall time in Geneva
	m, err := f.app.Meetings.Create(ctx, f.acc["sec"].Actor(), meeting.Input{Title: "Regular meeting of points of contact",
		Kind: meeting.Hybrid, Start: start, End: start.Add(3 * time.Hour), TimeZone: "Europe/Zurich",
		Venue: "Palais des Nations, Room XVII, Geneva", VideoURL: "https://video.e2e.invalid/poc-regular-meeting",
		Agenda: []meeting.AgendaItem{
			{Title: "Requests for assistance since the last meeting", Notes: "How quickly were they answered, and through which channel?", Provisions: []string{"norm-h"}},
			{Title: "Results of the semi-annual communication check", Provisions: []string{"cbm-1"}},
			{Title: "Any other business"},
		},
		States: []string{"FR", "KE"}, Contact: meeting.Contact{Name: "POC meetings desk", Email: "meetings@un.e2e.invalid"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.drain()
	found := f.mail.Newest("cert@fr.e2e.invalid", meetingAnswerLink)
	if found == nil {
		f.t.Fatal("no meeting invitation to FR's POC")
	}
	answer, page := found[1], "/meetings/"+m.ID
	return map[string][]stop{
		"": {
			{name: "meeting-answer", path: answer},
			{name: "meeting-answered", path: answer, then: func(b *tab) {
				b.click(`main form button[value=accepted]`)
				b.waitFor(".flash.ok")
			}},
		},
		"sec": {
			{name: "meetings", path: "/meetings"},
			{name: "meeting", path: page},
			{name: "meeting-new", path: "/meetings/new"},
			{name: "meeting-new-errors", path: "/meetings/new", then: func(b *tab) {
				b.fill("#ag_title_1", "Opening")
				b.click(saveButton)
				b.waitFor("#title-error")
			}},
			{name: "meeting-edit", path: page + "/edit"},
		},
		"fradmin": {
			{name: "meetings", path: "/meetings"},
			{name: "meetings-past", path: "/meetings?when=past"},
			{name: "meeting", path: page},
			{name: "account-calendar-feed", path: "/account", then: func(b *tab) {
				b.click(`main form[action="/account/calendar"] button`)
				b.waitFor(".flash.ok")
			}},
			{name: "account-calendar-feed-made", path: "/account#calendar"},
		},
		"kepoc": {
			{name: "meetings", path: "/meetings"},
			{name: "meeting", path: page},
		},
	}
}

// withMeetings adds the meeting pages to the tour's legs.
func withMeetings(f *fixture, legs []leg) []leg {
	legs = withMeetingRecords(f, legs)
	more := meetingStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
