package web_test

import (
	"net/http"
	"net/url"
	"strconv"
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
	ms := f.meetings()
	sec, fr := "/meetings/"+ms.sec.ID, "/meetings/"+ms.fr.ID
	secEdit, frEdit := `href="`+sec+`/edit"`, `href="`+fr+`/edit"`
	private := []string{secVenue, secVideo}
	schedule := url.Values{"title": {"Matrix meeting"}, "kind": {"in_person"}, "time_zone": {"Europe/Paris"}, "start": {"2026-07-01T10:00"},
		"end": {"2026-07-01T12:00"}, "venue": {"Paris"}, "states": {"KE"}, "contact_name": {"Desk"}, "contact_email": {"desk@fr.test.invalid"},
		"rows": {"2"}, "ag_title_0": {"Opening"}, "ag_prov_0": {"norm-h"}}
	broken := url.Values{"title": {"Bad\x00title"}, "kind": {"in_person"}, "time_zone": {"Europe/Paris"}, "start": {"2026-02-30T10:00"}, "states": {"KE"}}
	organisers := func(s int) map[string]int { return map[string]int{"anon": unauth, "sec": s, "fradmin": s} }
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
		// The pages. The list and a meeting show venue and video link only
		// as the service returns them: to the organiser's side and to the
		// accounts that answer for an invited POC (KE's POC).
		{"meetings", "GET", "/meetings", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"sec": {secMeetingTitle, `href="/meetings/new"`}, "fradmin": {secMeetingTitle, frMeetingTitle, `href="/meetings/new"`},
				"frpoc": {secMeetingTitle, frMeetingTitle}, "frviewer": {frMeetingTitle}, "kepoc": {secMeetingTitle, frMeetingTitle}},
			absent: map[string][]string{"anon": {secMeetingTitle}, "sec": {frMeetingTitle, secVenue}, "frpoc": {`href="/meetings/new"`, secVenue}, "frviewer": {`href="/meetings/new"`},
				"kepoc": {`href="/meetings/new"`, secVenue, frVideo}, "nzpoc": {secMeetingTitle, frMeetingTitle, `href="/meetings/new"`}}}},
		{"past meetings", "GET", "/meetings?when=past", nil, expect{def: ok, status: map[string]int{"anon": see},
			absent: map[string][]string{"sec": {secMeetingTitle}, "kepoc": {secMeetingTitle, frMeetingTitle}}}},
		{"the secretariat's meeting", "GET", sec, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": append([]string{secEdit, "/cancel", "Requests for assistance", "/framework/norm-h"}, private...),
				"kepoc": append([]string{`action="` + sec + `/answer"`}, private...), "frviewer": {secMeetingTitle}},
			absent: map[string][]string{"anon": {secMeetingTitle}, "fradmin": append([]string{secEdit, "/cancel"}, private...), "frpoc": append([]string{secEdit, "/answer"}, private...),
				"frviewer": append([]string{secEdit, "/answer"}, private...), "kepoc": {secEdit, "/cancel"}, "nzpoc": {secMeetingTitle, secVenue}}}},
		{"FR's meeting", "GET", fr, nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{"fradmin": {frEdit, "/cancel", frVideo}, "frpoc": {frVideo}, "frviewer": {frVideo}, "kepoc": {frVideo, "/answer"}},
			absent: map[string][]string{"sec": {frMeetingTitle, frVideo}, "frpoc": {frEdit, "/cancel"}, "frviewer": {frEdit, "/cancel"}, "kepoc": {frEdit, "/cancel"},
				"nzpoc": {frMeetingTitle, frVideo}}}},
		{"unknown meeting", "GET", "/meetings/not-a-meeting", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
		{"new meeting form", "GET", "/meetings/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
			present: map[string][]string{"fradmin": {`name="time_zone"`, `name="ag_title_2"`}}}},
		{"edit form of the secretariat's meeting", "GET", sec + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "nzpoc": notFound},
			present: map[string][]string{"sec": {secVenue, `value="Europe/Zurich" selected`, "2026-06-15T10:00"}}, absent: map[string][]string{"fradmin": {secVenue}, "kepoc": {secVenue}}}},
		{"edit form of FR's meeting", "GET", fr + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "fradmin": ok, "nzpoc": notFound},
			absent: map[string][]string{"sec": {frVideo}, "kepoc": {frVideo}}}},
		{"no such meeting action", "GET", sec + "/publish", nil, expect{def: notFound}},
		{"schedule a meeting", "POST", "/meetings", schedule, expect{def: forbidden, status: organisers(see)}},
		{"schedule a meeting (bad input)", "POST", "/meetings", broken, expect{def: forbidden, status: organisers(http.StatusUnprocessableEntity),
			present: map[string][]string{"fradmin": {`id="title-error"`, `id="start-error"`, `id="contact_email-error"`}}}},
		{"change FR's meeting (stale version)", "POST", fr + "/edit", schedule, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": http.StatusConflict}}},
		{"answer from the meeting's page", "POST", sec + "/answer", url.Values{"answer": {"accepted"}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "kepoc": see, "nzpoc": notFound}}},
		{"cancel FR's meeting", "POST", fr + "/cancel", url.Values{"version": {strconv.Itoa(ms.fr.Version)}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		{"stop the calendar feed address", "POST", "/account/calendar/revoke", nil, expect{def: ok, status: map[string]int{"anon": unauth},
			present: map[string][]string{"kepoc": {"no longer works"}}}},
	}
}
