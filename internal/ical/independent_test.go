package ical_test

import (
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/ical/icaljs"
	"github.com/detente/detente/internal/ical/icaltest"
)

// TestAnotherImplementationReadsWhatWeWrite has ical.js read calendars the
// writer makes — an invitation across the change to summer time, a
// cancellation, a feed of events in several zones with text that must be
// escaped and folded — and compares what it understood with what was
// meant: METHOD, UID, SEQUENCE, the instants (computed by ical.js from the
// VTIMEZONE written), the text, the organiser and the attendees' answers.
func TestAnotherImplementationReadsWhatWeWrite(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	long := strings.Repeat("Réunion régulière des points de contact — 定期会议, ", 4)
	feed := ical.Calendar{ProdID: "-//detente//meetings//EN", Method: ical.Publish, Name: "detente, meetings", Events: []ical.Event{
		sample().Events[0],
		{UID: "b@detente.invalid", Sequence: 0, Stamp: time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC),
			Start: time.Date(2027, 11, 7, 1, 30, 0, 0, ny), End: time.Date(2027, 11, 7, 3, 0, 0, 0, ny), Zone: "America/New_York",
			Summary: long, Description: "Line one\nLine two; with, punctuation\\", Status: ical.Confirmed,
			Organizer: ical.Person{Name: "KE, MFA", Email: "mfa@ke.example"}},
		{UID: "c@detente.invalid", Sequence: 5, Stamp: time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC),
			Start: time.Date(2027, 6, 1, 9, 0, 0, 0, tokyo), End: time.Date(2027, 6, 1, 10, 0, 0, 0, tokyo), Zone: "Asia/Tokyo",
			Summary: "Tokyo", Status: ical.Cancelled, Organizer: ical.Person{Email: "sec@detente.example"}},
		{UID: "d@detente.invalid", Sequence: 1, Stamp: time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC),
			Start: time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC), End: time.Date(2027, 7, 1, 13, 0, 0, 0, time.UTC),
			Summary: "In UTC", Organizer: ical.Person{Email: "sec@detente.example"}},
	}}
	cancel := sample()
	cancel.Method, cancel.Events[0].Status, cancel.Events[0].Sequence = ical.Cancel, ical.Cancelled, 3
	for _, tc := range []struct {
		name string
		cal  ical.Calendar
	}{{"invitation", sample()}, {"cancellation", cancel}, {"feed", feed}} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := tc.cal.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := icaltest.Read(raw); err != nil {
				t.Fatalf("strict reader: %v", err)
			}
			got := icaljs.Parse(t, raw)
			// ical.js leaves an X- property as written, escapes included.
			if got.Version != "2.0" || got.ProdID != tc.cal.ProdID || got.Method != string(tc.cal.Method) || got.Name != ical.Escape(tc.cal.Name) {
				t.Errorf("calendar: %+v", got)
			}
			if len(got.Events) != len(tc.cal.Events) {
				t.Fatalf("%d events, want %d", len(got.Events), len(tc.cal.Events))
			}
			for k, want := range tc.cal.Events {
				e := got.Events[k]
				if e.UID != want.UID || e.Sequence == nil || *e.Sequence != want.Sequence {
					t.Errorf("%s: UID %q SEQUENCE %v, want %q %d", want.UID, e.UID, e.Sequence, want.UID, want.Sequence)
				}
				if e.Start == nil || e.End == nil || !e.Start.UTC.Equal(want.Start) || !e.End.UTC.Equal(want.End) {
					t.Errorf("%s: ical.js reads %+v to %+v, want %v to %v", want.UID, e.Start, e.End, want.Start.UTC(), want.End.UTC())
				}
				// The start in New York falls in the hour repeated in
				// November, which is written in UTC.
				zone := want.Zone
				if zone == "UTC" || want.UID == "b@detente.invalid" {
					zone = ""
				}
				if e.Start != nil && e.Start.TZID != zone {
					t.Errorf("%s: TZID %q, want %q", want.UID, e.Start.TZID, zone)
				}
				if e.Summary != want.Summary || e.Description != want.Description || e.Location != want.Location || e.URL != want.URL {
					t.Errorf("%s: text read as %q / %q / %q / %q", want.UID, e.Summary, e.Description, e.Location, e.URL)
				}
				if wantStatus := string(want.Status); wantStatus != "" && e.Status != wantStatus {
					t.Errorf("%s: STATUS %q, want %q", want.UID, e.Status, wantStatus)
				}
				if e.Organizer == nil || !strings.EqualFold(e.Organizer.Value, "mailto:"+want.Organizer.Email) || e.Organizer.CN != want.Organizer.Name {
					t.Errorf("%s: organiser %+v", want.UID, e.Organizer)
				}
				if len(e.Attendees) != len(want.Attendees) {
					t.Fatalf("%s: %d attendees", want.UID, len(e.Attendees))
				}
				for i, a := range want.Attendees {
					ps := string(a.PartStat)
					if ps == "" {
						ps = "NEEDS-ACTION"
					}
					// A parameter cannot hold a DQUOTE (RFC 5545 3.1): the
					// writer puts an apostrophe in its place.
					name := strings.ReplaceAll(a.Name, `"`, "'")
					if g := e.Attendees[i]; !strings.EqualFold(g.Value, "mailto:"+a.Email) || g.CN != name || g.PartStat != ps {
						t.Errorf("%s: attendee %+v, want %s %q %s", want.UID, g, a.Email, a.Name, ps)
					}
				}
			}
		})
	}
}
