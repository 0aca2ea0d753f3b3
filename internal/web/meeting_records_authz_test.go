package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// What the pages after a meeting must show only to those who may read it.
const (
	pastTitle    = "Past regular meeting 5c1d"
	pastVenue    = "Salle XIX, Palais 5c1d"
	pastVideo    = "https://video.un.test.invalid/past-5c1d"
	amberMinutes = "AMBER-MINUTES-5c1d: the chair summed up the requests"
	greenFile    = "GREEN-DOC-5c1d"
	clearFile    = "CLEAR-DOC-5c1d"
	pastSummary  = "SUMMARY-5c1d: the meeting reviewed the semi-annual check."
	frPastTitle  = "FR–KE past consultation 7e2b"
	frMinutes    = "FR-MINUTES-7e2b: bilateral points"
	frDutyTitle  = "FR CERT duty"
	keDutyTitle  = "KE CIRT duty"
)

// pastMeetings are the fixture's meetings that have met: the
// secretariat's, inviting FR's and KE's technical POCs, with attendance,
// TLP:AMBER minutes, a TLP:GREEN and a TLP:CLEAR document, published with
// the CLEAR one; and FR's with KE, with TLP:AMBER minutes, unpublished.
type pastMeetings struct {
	sec, fr                    meeting.Meeting
	minutes, green, clear, frM meeting.Record
	frInv, keInv               string // invitations of FR's and KE's POCs to the secretariat's meeting
}

func (f *fixture) pastMeetings() pastMeetings {
	f.t.Helper()
	ctx := context.Background()
	now := f.clock.Now().UTC()
	sec, fradmin := f.acc["sec"].Actor(), f.acc["fradmin"].Actor()
	var p pastMeetings
	var err error
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	p.sec, err = f.app.Meetings.Create(ctx, sec, meeting.Input{Title: pastTitle, Kind: meeting.Hybrid, Start: now.Add(-3 * time.Hour), End: now.Add(-time.Hour),
		TimeZone: "UTC", Venue: pastVenue, VideoURL: pastVideo, States: []string{"FR", "KE"}, Levels: []meeting.Level{meeting.Technical},
		Contact: meeting.Contact{Name: "POC meetings desk", Email: "meetings@un.test.invalid"}})
	must(err)
	p.fr, err = f.app.Meetings.Create(ctx, fradmin, meeting.Input{Title: frPastTitle, Kind: meeting.Virtual, Start: now.Add(-2 * time.Hour), End: now.Add(-time.Hour),
		TimeZone: "UTC", VideoURL: "https://video.fr.test.invalid/past-7e2b", States: []string{"KE"},
		Contact: meeting.Contact{Name: "FR MFA", Email: "cyber@fr-mfa.test.invalid"}})
	must(err)
	f.drain()
	invs, err := f.app.Meetings.Invitations(ctx, sec, p.sec.ID)
	must(err)
	for _, i := range invs {
		switch i.State {
		case "FR":
			p.frInv = i.ID
		case "KE":
			p.keInv = i.ID
		}
	}
	_, err = f.app.Meetings.RecordAttendance(ctx, sec, p.sec.ID, map[string]meeting.Presence{p.frInv: meeting.InRoom, p.keInv: meeting.Remote})
	must(err)
	p.minutes, err = f.app.Meetings.AddRecord(ctx, sec, p.sec.ID, meeting.Minutes, meeting.RecordInput{Title: "Minutes of the 5c1d meeting", TLP: tlp.Amber, Body: amberMinutes})
	must(err)
	file := func(name, content string) []messaging.Upload {
		return []messaging.Upload{{Name: name, MediaType: "text/plain", Content: bytes.NewReader([]byte(content))}}
	}
	p.green, err = f.app.Meetings.AddRecord(ctx, sec, p.sec.ID, meeting.Document, meeting.RecordInput{Title: "Slides 5c1d", TLP: tlp.Green, Files: file("green-5c1d.txt", greenFile)})
	must(err)
	p.clear, err = f.app.Meetings.AddRecord(ctx, sec, p.sec.ID, meeting.Document, meeting.RecordInput{Title: "Chair's summary 5c1d", TLP: tlp.Clear, Files: file("clear-5c1d.txt", clearFile)})
	must(err)
	must(f.app.Meetings.Publish(ctx, sec, p.sec.ID, meeting.PublishInput{Summary: pastSummary, Records: []string{p.clear.ID}}))
	p.frM, err = f.app.Meetings.AddRecord(ctx, fradmin, p.fr.ID, meeting.Minutes, meeting.RecordInput{Title: "FR minutes 7e2b", TLP: tlp.Amber, Body: frMinutes})
	must(err)
	return p
}

// meetingRecordRows are the authorization matrix's rows of the pages after
// a meeting. The secretariat's past meeting is read by the secretariat and
// by FR's and KE's accounts: attendance, minutes and documents alike; NZ,
// which is not invited, and anonymous visitors get nothing but what the
// public pages show. Only the secretariat keeps its records; FR's
// administrator keeps those of FR's meeting, which the secretariat does not
// see.
func meetingRecordRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	p := f.pastMeetings()
	base, frBase := "/meetings/"+p.sec.ID+"/records", "/meetings/"+p.fr.ID+"/records"
	rec := func(r meeting.Record) string { return "/meetings/records/" + r.ID }
	secret := []string{amberMinutes, greenFile, pastVenue, pastVideo, frDutyTitle, keDutyTitle, frMinutes}
	readers := []string{"sec", "fradmin", "frpoc", "frviewer", "kepoc"}
	each := func(roles []string, s ...string) map[string][]string {
		m := map[string][]string{}
		for _, r := range roles {
			m[r] = s
		}
		return m
	}
	// Everyone outside the meeting: nothing of it.
	outside := map[string][]string{"anon": secret, "nzpoc": append([]string{pastTitle, clearFile}, secret...)}
	keep := func(ok int) map[string]int {
		return map[string]int{"anon": unauth, "sec": ok, "nzpoc": notFound}
	}
	version := func(v int) url.Values { return url.Values{"version": {strconv.Itoa(v)}} }
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"a past meeting's page links its records", "GET", "/meetings/" + p.sec.ID, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: each(readers, base+"/attendance", base+"/documents"), absent: outside}},
		// Attendance: the organiser sees and edits every POC; an invited
		// State sees every State and its own POCs.
		{"attendance", "GET", base + "/attendance", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": {`name="p_` + p.frInv + `"`, `name="p_` + p.keInv + `"`, frDutyTitle, keDutyTitle},
				"fradmin": {frDutyTitle, "Present remotely"}, "frpoc": {frDutyTitle}, "frviewer": {frDutyTitle}, "kepoc": {keDutyTitle, "Present in person"}},
			absent: merge(outside, map[string][]string{"fradmin": {`name="p_`, keDutyTitle}, "frpoc": {`name="p_`, keDutyTitle},
				"frviewer": {`name="p_`, keDutyTitle}, "kepoc": {`name="p_`, frDutyTitle}})}},
		{"attendance of FR's meeting", "GET", frBase + "/attendance", nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			absent: map[string][]string{"sec": {frPastTitle}, "nzpoc": {frPastTitle}}}},
		{"record attendance", "POST", base + "/attendance", url.Values{"p_" + p.frInv: {"in_person"}, "p_" + p.keInv: {"remote"}},
			expect{def: forbidden, status: keep(see)}},
		{"record attendance (bad input)", "POST", base + "/attendance", url.Values{"p_" + p.keInv: {"asleep"}, "p_\x00": {"remote"}},
			expect{def: forbidden, status: keep(http.StatusUnprocessableEntity), present: map[string][]string{"sec": {`id="attendance.` + p.keInv + `-error"`}}}},
		// Minutes and documents.
		{"minutes and documents", "GET", base + "/documents", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: merge(each(readers, "Minutes of the 5c1d meeting", "green-5c1d.txt", "clear-5c1d.txt"),
				map[string][]string{"sec": {`action="` + base + `/minutes"`, `action="` + base + `/files"`, `href="` + base + `/publish"`}}),
			absent: merge(outside, each([]string{"fradmin", "frpoc", "frviewer", "kepoc"}, `action="`+base+`/minutes"`, `href="`+base+`/publish"`, frMinutes))}},
		{"minutes and documents of FR's meeting", "GET", frBase + "/documents", nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{"fradmin": {`action="` + frBase + `/minutes"`, "FR minutes 7e2b"}, "kepoc": {"FR minutes 7e2b"}},
			absent:  map[string][]string{"sec": {"FR minutes 7e2b"}, "nzpoc": {"FR minutes 7e2b"}, "kepoc": {`action="` + frBase + `/minutes"`}}}},
		{"add minutes", "POST", base + "/minutes", url.Values{"m_title": {"Addendum"}, "m_tlp": {"green"}, "body": {"More points."}},
			expect{def: forbidden, status: keep(see)}},
		{"add minutes (bad input)", "POST", base + "/minutes", url.Values{"m_title": {"Bad\x00title"}, "m_tlp": {"red"}, "body": {"a\u202Eb"}},
			expect{def: forbidden, status: keep(http.StatusUnprocessableEntity),
				present: map[string][]string{"sec": {`id="m_title-error"`, `id="m_tlp-error"`, `id="body-error"`}}, absent: map[string][]string{"sec": {`id="f_title-error"`}}}},
		{"add a document without a file", "POST", base + "/files", url.Values{"f_title": {"Slides"}, "f_tlp": {"amber"}},
			expect{def: forbidden, status: keep(http.StatusUnprocessableEntity), present: map[string][]string{"sec": {`id="attachments-error"`}}}},
		{"a record", "GET", rec(p.minutes), nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: merge(each(readers, amberMinutes, "TLP:AMBER"), map[string][]string{"sec": {rec(p.minutes) + "/withdraw", rec(p.minutes) + "/edit"}}),
			absent:  merge(outside, each([]string{"fradmin", "frpoc", "frviewer", "kepoc"}, "/withdraw", rec(p.minutes)+"/edit"))}},
		{"FR's minutes", "GET", rec(p.frM), nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{"kepoc": {frMinutes}, "fradmin": {rec(p.frM) + "/edit"}},
			absent:  map[string][]string{"sec": {frMinutes}, "nzpoc": {frMinutes}, "anon": {frMinutes}, "kepoc": {rec(p.frM) + "/edit"}}}},
		{"change form of minutes", "GET", rec(p.minutes) + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "nzpoc": notFound},
			present: map[string][]string{"sec": {amberMinutes, `value="TLP:AMBER" checked`}}, absent: merge(outside, each([]string{"fradmin", "kepoc"}, amberMinutes))}},
		{"change minutes (stale version)", "POST", rec(p.minutes) + "/edit", url.Values{"version": {"0"}, "title": {"x"}, "tlp": {"green"}, "body": {"y"}},
			expect{def: forbidden, status: keep(http.StatusConflict)}},
		{"withdraw a document (stale version)", "POST", rec(p.green) + "/withdraw", version(p.green.Version + 1),
			expect{def: forbidden, status: keep(http.StatusConflict)}},
		{"download a document", "GET", rec(p.green) + "/download", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: each(readers, greenFile), absent: outside}},
		{"download FR's minutes as a file", "GET", rec(p.frM) + "/download", nil, expect{def: notFound, status: map[string]int{"anon": see},
			absent: each(roles, frMinutes)}},
		// Publication: the organiser's side only, once the meeting is over.
		{"publication form", "GET", base + "/publish", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "nzpoc": notFound},
			present: map[string][]string{"sec": {pastSummary, `value="` + p.clear.ID + `" checked`, "/meetings/public/" + p.sec.ID}},
			absent:  merge(outside, map[string][]string{"sec": {`value="` + p.green.ID + `"`, `value="` + p.minutes.ID + `"`}, "fradmin": {pastSummary}})}},
		{"publication form of FR's meeting", "GET", frBase + "/publish", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "fradmin": ok, "nzpoc": notFound},
			absent: map[string][]string{"sec": {frPastTitle}}}},
		{"publish", "POST", base + "/publish", url.Values{"summary": {pastSummary}, "records": {p.clear.ID}}, expect{def: forbidden, status: keep(see)}},
		{"publish (bad input)", "POST", base + "/publish", url.Values{"summary": {"a\x00b"}, "records": {p.minutes.ID}},
			expect{def: forbidden, status: keep(http.StatusUnprocessableEntity), present: map[string][]string{"sec": {`id="summary-error"`, `id="records-error"`}}}},
		// The public pages: what was published, for anyone, and nothing else.
		{"public list of past meetings", "GET", "/meetings/public", nil, expect{def: ok,
			present: each(roles, pastTitle, "SUMMARY-5c1d", "/meetings/public/"+p.sec.ID), absent: each(roles, append([]string{frPastTitle}, secret...)...)}},
		{"a published meeting", "GET", "/meetings/public/" + p.sec.ID, nil, expect{def: ok,
			present: each(roles, pastTitle, pastSummary, "/meetings/public/files/"+p.clear.ID, "clear-5c1d.txt"),
			absent:  each(roles, append([]string{"green-5c1d.txt", "Minutes of the 5c1d meeting", p.minutes.ID}, secret...)...)}},
		{"an unpublished meeting's public page", "GET", "/meetings/public/" + p.fr.ID, nil, expect{def: notFound, absent: each(roles, frPastTitle, frMinutes)}},
		{"a published document", "GET", "/meetings/public/files/" + p.clear.ID, nil, expect{def: ok, present: each(roles, clearFile)}},
		{"an unpublished document's public address", "GET", "/meetings/public/files/" + p.green.ID, nil, expect{def: notFound, absent: each(roles, greenFile)}},
	}
}

// merge returns the union of what maps list per role.
func merge(ms ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = append(out[k], v...)
		}
	}
	return out
}
