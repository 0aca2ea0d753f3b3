package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/detente/detente/internal/meeting"
)

// What the meeting routes must show only to those who may see it. Venue
// and video link are short enough that no calendar line folds them.
const (
	secMeeting  = "Regular meeting of POCs 51c0"
	frMeeting   = "FR-KE bilateral consultation 77b2"
	pastMeeting = "Morning review of the spring check 0e4d"
	secVenue    = "Palais Wilson"
	secVideo    = "https://v.un.test.invalid/s51c0"
	frVideo     = "https://v.fr.test.invalid/b77b2"
)

// meetingSet holds the fixture's meetings:
//   - sec: the secretariat's, hybrid, inviting the technical POCs of FR
//     and KE; KE's POC account answers for KE's entry, FR's accounts for
//     none of FR's, so only KE's POC sees venue and video link besides
//     the secretariat;
//   - fr: FR's virtual meeting with KE, which the secretariat does not see;
//   - past: the secretariat's meeting with KE that is over.
type meetingSet struct {
	sec, fr, past meeting.Meeting
}

var meetingSets sync.Map

// meetings returns the fixture's meeting set, scheduling it the first time
// and mailing the invitations, so that the invitations exist.
func (f *fixture) meetings() *meetingSet {
	f.t.Helper()
	if v, ok := meetingSets.Load(f.app); ok {
		return v.(*meetingSet)
	}
	ctx := context.Background()
	sec := f.acc[sec].Actor()
	var set meetingSet
	var err error
	// The past meeting began an hour ago and is over: created at once,
	// as the service allows a meeting recorded up to a day late.
	began := epoch.Add(-2 * time.Hour)
	if set.past, err = f.app.Meetings.Create(ctx, sec, meeting.Input{Title: pastMeeting, Kind: meeting.Virtual, Start: began, End: began.Add(time.Hour),
		TimeZone: "UTC", VideoURL: "https://v.un.test.invalid/past", States: []string{"KE"},
		Contact: meeting.Contact{Name: "POC meetings desk", Email: "meetings@un.test.invalid"}}); err != nil {
		f.t.Fatal(err)
	}
	start := epoch.AddDate(0, 0, 20)
	if set.sec, err = f.app.Meetings.Create(ctx, sec, meeting.Input{Title: secMeeting, Kind: meeting.Hybrid, Start: start, End: start.Add(3 * time.Hour),
		TimeZone: "Europe/Zurich", Venue: secVenue, VideoURL: secVideo,
		Agenda: []meeting.AgendaItem{{Title: "Requests for assistance", Provisions: []string{"norm-h"}}},
		States: []string{"FR", "KE"}, Levels: []meeting.Level{meeting.Technical},
		Contact: meeting.Contact{Name: "POC meetings desk", Email: "meetings@un.test.invalid"}}); err != nil {
		f.t.Fatal(err)
	}
	set.fr = f.freshMeeting(frMeeting)
	f.drain()
	if set.sec, err = f.app.Meetings.Meeting(ctx, sec, set.sec.ID); err != nil {
		f.t.Fatal(err)
	}
	v, _ := meetingSets.LoadOrStore(f.app, &set)
	return v.(*meetingSet)
}

// freshMeeting schedules a virtual meeting of FR's with KE, for a request
// that changes it.
func (f *fixture) freshMeeting(title string) meeting.Meeting {
	f.t.Helper()
	start := time.Date(2026, 4, 14, 15, 0, 0, 0, time.UTC) // a wall time in Nairobi
	m, err := f.app.Meetings.Create(context.Background(), f.acc[frAdmin].Actor(), meeting.Input{Title: title, Kind: meeting.Virtual,
		Start: start, End: start.Add(time.Hour), TimeZone: "Africa/Nairobi", VideoURL: frVideo, States: []string{"KE"},
		Contact: meeting.Contact{Name: "FR MFA", Email: "cyber@fr-mfa.test.invalid"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func meetingPath(pick func(*meetingSet) meeting.Meeting, suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/meetings/" + pick(f.meetings()).ID + suffix }
}

func freshMeetingPath(suffix string) func(*fixture, string) string {
	return func(f *fixture, role string) string {
		*f.seq++
		return "/meetings/" + f.freshMeeting(fmt.Sprintf("Fresh meeting %d for %s", *f.seq, role)).ID + suffix
	}
}

func secOf(s *meetingSet) meeting.Meeting { return s.sec }
func frOf(s *meetingSet) meeting.Meeting  { return s.fr }

// meetingBody is a complete, valid meeting as the API takes it.
func meetingBody(title string) map[string]any {
	return map[string]any{"title": title, "kind": "hybrid", "start": "2026-05-04T09:30", "end": "2026-05-04T12:00:00+02:00",
		"time_zone": "Europe/Paris", "venue": "Quai d'Orsay", "video_url": "https://v.fr.test.invalid/new",
		"agenda": []map[string]any{{"title": "Opening"}, {"title": "Norm 13(h) in practice", "notes": "Who asks whom.", "provisions": []string{"norm-h"}}},
		"states": []string{"KE"}, "levels": []string{"technical", "policy"},
		"contact": map[string]any{"name": "Desk", "email": "desk@fr.test.invalid"}}
}

// meetingMatrix are the authorization matrix's rows of the meeting
// routes: the organiser's side and the invited States' accounts see a
// meeting, venue and video link only the organiser's side and KE's POC
// (who answers for an invited entry); another State's POC outside, and
// the public, nothing.
var meetingMatrix = []matrixCase{
	{name: "upcoming meetings", method: http.MethodGet, path: func(f *fixture, _ string) string { f.meetings(); return "/meetings" },
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{
			sec:      {frMeeting, frVideo, pastMeeting},
			frAdmin:  {secVenue, secVideo, pastMeeting, "my_answer"},
			frPOC:    {secVenue, secVideo},
			frViewer: {secVenue, secVideo},
			readOnly: {secVenue, secVideo},
			kePOC:    {pastMeeting},
			nzPOC:    {secMeeting, frMeeting, secVenue, frVideo},
			anon:     {secMeeting, frMeeting},
		},
		show: map[string][]string{sec: {secMeeting, secVenue, secVideo}, frAdmin: {secMeeting, frMeeting, frVideo, `"private":false`},
			frViewer: {frVideo}, kePOC: {secMeeting, secVenue, secVideo, frMeeting, frVideo, `"my_answer":"`}}},
	{name: "past meetings", method: http.MethodGet, path: func(f *fixture, _ string) string { f.meetings(); return "/meetings?when=past" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {secMeeting}, frAdmin: {pastMeeting}, frPOC: {pastMeeting}, nzPOC: {pastMeeting}, kePOC: {secMeeting, frMeeting}},
		show: map[string][]string{sec: {pastMeeting}, kePOC: {pastMeeting}}},
	{name: "meetings with an unknown filter", method: http.MethodGet, path: static("/meetings?when=soon"),
		want: byRole{422, 422, 422, 422, 422, 422, 422, 401}, show: map[string][]string{kePOC: {`"when"`}}},
	{name: "the secretariat's meeting", method: http.MethodGet, path: meetingPath(secOf, ""),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{frAdmin: {secVenue, secVideo}, frPOC: {secVenue, secVideo}, frViewer: {secVenue, secVideo}, readOnly: {secVenue, secVideo},
			nzPOC: {secMeeting, secVenue}, anon: {secMeeting, secVenue}},
		show: map[string][]string{sec: {secVenue, secVideo, `"private":true`}, kePOC: {secVenue, secVideo, `"my_answer":"`}, frViewer: {secMeeting}}},
	{name: "FR's meeting", method: http.MethodGet, path: meetingPath(frOf, ""),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {frMeeting, frVideo}, nzPOC: {frMeeting, frVideo}, anon: {frMeeting}},
		show: map[string][]string{frPOC: {frVideo}, kePOC: {frVideo}}},
	{name: "unknown meeting", method: http.MethodGet, path: static("/meetings/0190b3a6-0000-7000-8000-000000000000"),
		want: byRole{404, 404, 404, 404, 404, 404, 404, 401}},
	{name: "the secretariat's meeting as iCalendar", method: http.MethodGet, path: meetingPath(secOf, "/calendar.ics"),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{frAdmin: {secVenue, secVideo}, frPOC: {secVenue, secVideo}, frViewer: {secVenue, secVideo}, readOnly: {secVenue, secVideo},
			nzPOC: {secMeeting, "BEGIN:VCALENDAR"}, anon: {secMeeting, "BEGIN:VCALENDAR"}},
		show: map[string][]string{sec: {"BEGIN:VCALENDAR", "METHOD:PUBLISH", secVenue, secVideo}, kePOC: {"LOCATION:" + secVenue + " — " + secVideo},
			frAdmin: {"BEGIN:VEVENT", "SUMMARY:" + secMeeting}}},
	{name: "FR's meeting as iCalendar", method: http.MethodGet, path: meetingPath(frOf, "/calendar.ics"),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {frMeeting, frVideo}, nzPOC: {frMeeting, frVideo}}, show: map[string][]string{kePOC: {frVideo}}},
	{name: "invitations of the secretariat's meeting", method: http.MethodGet, path: meetingPath(secOf, "/invitations"),
		// The organiser's side only: an invited State learns nothing of
		// who else answered what.
		want: byRole{200, 403, 403, 403, 403, 404, 403, 401},
		hide: map[string][]string{kePOC: {`"poc_id"`}, frAdmin: {`"poc_id"`}, nzPOC: {`"poc_id"`}},
		show: map[string][]string{sec: {`"state":"KE"`, `"state":"FR"`, `"level":"technical"`, `"sent_sequence":0`}}},
	{name: "invitations of FR's meeting", method: http.MethodGet, path: meetingPath(frOf, "/invitations"),
		want: byRole{404, 200, 200, 200, 403, 404, 200, 401},
		hide: map[string][]string{kePOC: {`"poc_id"`}, sec: {`"poc_id"`}}, show: map[string][]string{frViewer: {`"state":"KE"`}}},
	{name: "convene a meeting", method: http.MethodPost, path: static("/meetings"),
		body: func(_ *fixture, role string) any { return meetingBody("Convened by " + role) },
		// The secretariat and a participating State's administrators.
		want: byRole{201, 201, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{sec: {`"organiser_state":""`, `"version":1`}, frAdmin: {`"organiser_state":"FR"`, `"start":"2026-05-04T07:30:00Z"`, `"end":"2026-05-04T10:00:00Z"`}}},
	{name: "change a meeting", method: http.MethodPut, path: freshMeetingPath(""), header: map[string]string{"If-Match": `"1"`},
		body: func(_ *fixture, role string) any { return meetingBody("Changed by " + role) },
		// Kenya sees FR's meeting but does not change it; the secretariat
		// does not see it.
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"version":2`, `"sequence":1`}}},
	{name: "cancel a meeting", method: http.MethodPost, path: freshMeetingPath("/cancel"),
		body: func(*fixture, string) any { return map[string]any{"version": 1} },
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"status":"cancelled"`, `"sequence":1`}}},
	{name: "answer the secretariat's meeting", method: http.MethodPost, path: meetingPath(secOf, "/answer"),
		body: func(*fixture, string) any { return map[string]any{"answer": "tentative"} },
		// Only an account that answers for an invited entry answers.
		want: byRole{403, 403, 403, 403, 200, 404, 403, 401},
		hide: map[string][]string{frAdmin: {secVenue}, nzPOC: {secMeeting}},
		show: map[string][]string{kePOC: {`"my_answer":"tentative"`, `"tentative":1`}}},
}
