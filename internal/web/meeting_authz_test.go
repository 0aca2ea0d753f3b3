package web_test

import (
	"net/url"
	"strings"
)

// meetingRows are the authorization matrix's rows of the meeting pages.
// The secretariat's meeting invites FR and KE: KE's POC answers for KE's
// invited entry and so sees the venue and video link; FR's accounts, whose
// State is invited but who answer for no invited entry, see the meeting
// without them. FR's meeting is seen by FR and KE only, not by the
// secretariat.
func meetingRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	f.meetings()
	// The newest mail to KE's duty desk invites it to FR's meeting.
	answer := "/meetings/answer/" + f.answerToken(keEntry)
	unknown := "/meetings/answer/" + strings.Repeat("A", 32)
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		// The link is the credential: anyone who holds it sees what the
		// invitee sees, and nothing is recorded until the POST.
		{"meeting answer page", "GET", answer, nil, expect{def: ok,
			present: map[string][]string{"anon": {frMeetingTitle, frVideo, `value="declined"`}, "nzpoc": {frMeetingTitle}},
			absent:  map[string][]string{"anon": {secMeetingTitle, secVenue}}}},
		{"unknown meeting answer link", "GET", unknown, nil, expect{def: notFound, absent: map[string][]string{"anon": {secVenue, frVideo}}}},
		{"answer by an unknown link", "POST", unknown, url.Values{"answer": {"accepted"}}, expect{def: notFound}},

		// The calendar feed: its secret is the credential; the account
		// page makes and revokes one for the signed-in person only.
		{"unknown calendar feed", "GET", "/calendar/" + strings.Repeat("A", 32) + ".ics", nil, expect{def: notFound,
			absent: map[string][]string{"anon": {"BEGIN:VCALENDAR"}, "frpoc": {"BEGIN:VCALENDAR"}}}},
		{"account page's calendar feed section", "GET", "/account", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"frviewer": {`action="/account/calendar"`, `action="/account/calendar/revoke"`}, "nzpoc": {`action="/account/calendar"`}}}},
		{"make a calendar feed address", "POST", "/account/calendar", nil, expect{def: ok, status: map[string]int{"anon": unauth},
			present: map[string][]string{"frpoc": {"/calendar/", "shown only now"}, "sec": {"/calendar/"}}, absent: map[string][]string{"anon": {"/calendar/"}}}},
		{"stop the calendar feed address", "POST", "/account/calendar/revoke", nil, expect{def: ok, status: map[string]int{"anon": unauth},
			present: map[string][]string{"kepoc": {"no longer works"}}}},
	}
}
