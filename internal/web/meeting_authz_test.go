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
	}
}
