package e2e

import (
	"bytes"
	"context"
	"time"

	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// meetingRecordStops holds the meeting the pages after a meeting show —
// the secretariat's meeting of FR and KE that ended an hour ago, with its
// attendance, minutes edited once, two documents, and its publication —
// and returns the pages each person visits, by account key.
func meetingRecordStops(f *fixture) map[string][]stop {
	f.t.Helper()
	ctx := context.Background()
	sec := f.acc["sec"].Actor()
	now := f.clock.Now().UTC().Truncate(time.Hour)
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	m, err := f.app.Meetings.Create(ctx, sec, meeting.Input{Title: "Regular meeting of points of contact, spring session",
		Kind: meeting.Hybrid, Start: now.Add(-3 * time.Hour), End: now.Add(-time.Hour), TimeZone: "UTC",
		Venue: "Palais des Nations, Room XIX, Geneva", VideoURL: "https://video.e2e.invalid/poc-spring-session",
		Agenda: []meeting.AgendaItem{{Title: "Requests for assistance since the last meeting", Provisions: []string{"norm-h"}}},
		States: []string{"FR", "KE"}, Contact: meeting.Contact{Name: "POC meetings desk", Email: "meetings@un.e2e.invalid"}})
	must(err)
	f.drain()
	invs, err := f.app.Meetings.Invitations(ctx, sec, m.ID)
	must(err)
	marks := map[string]meeting.Presence{}
	for k, i := range invs {
		marks[i.ID] = []meeting.Presence{meeting.InRoom, meeting.Remote, meeting.Absent}[k%3]
	}
	_, err = f.app.Meetings.RecordAttendance(ctx, sec, m.ID, marks)
	must(err)
	minutes, err := f.app.Meetings.AddRecord(ctx, sec, m.ID, meeting.Minutes, meeting.RecordInput{Title: "Minutes of the spring session", TLP: tlp.Amber,
		Body: "1. The chair opened the session and recalled norm 13(h).\n\n2. FR and KE reported on two requests for assistance; both were acknowledged within the hour."})
	must(err)
	_, err = f.app.Meetings.EditRecord(ctx, sec, minutes.ID, minutes.Version, meeting.RecordInput{Title: minutes.Title, TLP: tlp.Amber,
		Body: minutes.Body + "\n\n3. The next communication check takes place in the autumn."})
	must(err)
	file := func(name, content string) []messaging.Upload {
		return []messaging.Upload{{Name: name, MediaType: "text/plain", Content: bytes.NewReader([]byte(content))}}
	}
	clear, err := f.app.Meetings.AddRecord(ctx, sec, m.ID, meeting.Document, meeting.RecordInput{Title: "Chair's summary of the spring session", TLP: tlp.Clear,
		Files: file("chairs-summary-spring-session.txt", "The meeting reviewed requests for assistance and the semi-annual check.")})
	must(err)
	_, err = f.app.Meetings.AddRecord(ctx, sec, m.ID, meeting.Document, meeting.RecordInput{Title: "Presentation on the check results", TLP: tlp.Green,
		Files: file("check-results.txt", "Results by regional group.")})
	must(err)
	must(f.app.Meetings.Publish(ctx, sec, m.ID, meeting.PublishInput{Records: []string{clear.ID},
		Summary: "The points of contact reviewed the requests for assistance made since their last meeting and the results of the semi-annual communication check.\n\nThey agreed to hold the next check in the autumn."}))
	base, rec := "/meetings/"+m.ID+"/records", "/meetings/records/"+minutes.ID
	public := []stop{
		{name: "meetings-public", path: "/meetings/public"},
		{name: "meeting-public", path: "/meetings/public/" + m.ID},
	}
	return map[string][]stop{
		"": public,
		"sec": append([]stop{
			{name: "meeting-attendance", path: base + "/attendance"},
			{name: "meeting-records", path: base + "/documents"},
			{name: "meeting-records-errors", path: base + "/documents", then: func(b *tab) {
				b.click(`main form[action$="/records/minutes"] button[type=submit]`)
				b.waitFor("#m_title-error")
			}},
			{name: "meeting-record", path: rec},
			{name: "meeting-record-edit", path: rec + "/edit"},
			{name: "meeting-publish", path: base + "/publish"},
		}, public...),
		"kepoc": {
			{name: "meeting-attendance", path: base + "/attendance"},
			{name: "meeting-records", path: base + "/documents"},
			{name: "meeting-record", path: rec},
		},
	}
}

// withMeetingRecords adds the pages after a meeting to the tour's legs.
func withMeetingRecords(f *fixture, legs []leg) []leg {
	more := meetingRecordStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
