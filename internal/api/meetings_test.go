package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/detente/detente/internal/ical/icaljs"
	"github.com/detente/detente/internal/ical/icaltest"
)

// meetingRows counts what a meeting write touches, so that a refused
// request can be shown to have written nothing.
func (f *fixture) meetingRows() [3]int {
	f.t.Helper()
	var n [3]int
	for k, q := range []string{`SELECT COUNT(*) FROM meetings`, `SELECT COALESCE(SUM(version), 0) FROM meetings`, `SELECT COUNT(*) FROM audit_log`} {
		if err := f.app.DB.R.QueryRow(q).Scan(&n[k]); err != nil {
			f.t.Fatal(err)
		}
	}
	return n
}

// calendarOf reads a meeting's .ics through the API with the strict
// reader and returns its event's UID and SEQUENCE.
func calendarOf(t *testing.T, f *fixture, role, id string) (uid, seq string) {
	t.Helper()
	res := f.get(role, "/meetings/"+id+"/calendar.ics")
	if res.status != http.StatusOK {
		t.Fatalf("calendar: %s", res)
	}
	cal, err := icaltest.Read(res.body)
	if err != nil {
		t.Fatalf("the strict reader refuses the calendar: %v\n%s", err, res.body)
	}
	ev := cal.Sub("VEVENT")
	if len(ev) != 1 {
		t.Fatalf("%d events", len(ev))
	}
	u, _ := ev[0].One("UID")
	s, _ := ev[0].One("SEQUENCE")
	// Another implementation reads the same.
	js := icaljs.Parse(t, res.body)
	if js.Method != "PUBLISH" || len(js.Events) != 1 || js.Events[0].UID != u.Value || js.Events[0].Sequence == nil ||
		strconv.Itoa(*js.Events[0].Sequence) != s.Value {
		t.Errorf("ical.js reads %+v", js)
	}
	return u.Value, s.Value
}

// TestMeetingLifecycle convenes, changes and cancels a meeting through the
// API: each change the invitees' calendars must follow raises SEQUENCE
// under the same UID; a stale or missing version writes nothing.
func TestMeetingLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		res := f.do(frAdmin, req{method: http.MethodPost, path: "/meetings", body: meetingBody("Lifecycle meeting")})
		if res.status != http.StatusCreated {
			t.Fatalf("create: %s", res)
		}
		var m meetingOut
		if err := json.Unmarshal(res.body, &m); err != nil {
			t.Fatal(err)
		}
		if res.header.Get("Location") != "/api/v1/meetings/"+m.ID || res.header.Get("ETag") != `"1"` {
			t.Errorf("Location %q ETag %q", res.header.Get("Location"), res.header.Get("ETag"))
		}
		if len(m.Agenda) != 2 || m.Agenda[1].Provisions[0] != "norm-h" || m.Levels[0] != "policy" || m.Contact.Email != "desk@fr.test.invalid" {
			t.Errorf("stored: %+v", m)
		}
		uid, seq := calendarOf(t, f, frAdmin, m.ID)
		if uid != m.ID+"@detente" || seq != "0" {
			t.Errorf("UID %q SEQUENCE %q", uid, seq)
		}

		path := "/meetings/" + m.ID
		changed := meetingBody("Lifecycle meeting, moved")
		changed["start"], changed["end"] = "2026-05-05T09:30", "2026-05-05T12:00"
		before := f.meetingRows()
		for _, tc := range []struct {
			name   string
			header map[string]string
			body   map[string]any
			status int
		}{
			{"no version", nil, changed, http.StatusPreconditionRequired},
			{"a version that never was", map[string]string{"If-Match": `"7"`}, changed, http.StatusConflict},
		} {
			if res := f.do(frAdmin, req{method: http.MethodPut, path: path, header: tc.header, body: tc.body}); res.status != tc.status {
				t.Errorf("%s: %s, want %d", tc.name, res, tc.status)
			}
		}
		if after := f.meetingRows(); after != before {
			t.Errorf("refused edits wrote: %v → %v", before, after)
		}
		changed["version"] = 1
		res = f.do(frAdmin, req{method: http.MethodPut, path: path, body: changed})
		if res.status != http.StatusOK || !strings.Contains(string(res.body), `"start":"2026-05-05T07:30:00Z"`) {
			t.Fatalf("edit: %s", res)
		}
		if uid2, seq := calendarOf(t, f, kePOC, m.ID); uid2 != uid || seq != "1" {
			t.Errorf("after the edit: UID %q SEQUENCE %q, want %q 1", uid2, seq, uid)
		}
		// The same again changes nothing invitees see: SEQUENCE stays.
		changed["version"] = 2
		if res := f.do(frAdmin, req{method: http.MethodPut, path: path, body: changed}); res.status != http.StatusOK || !strings.Contains(string(res.body), `"sequence":1`) {
			t.Errorf("an edit without change: %s", res)
		}
		// The first version again is stale.
		if res := f.do(frAdmin, req{method: http.MethodPost, path: path + "/cancel", header: map[string]string{"If-Match": `"1"`}}); res.status != http.StatusConflict {
			t.Errorf("stale cancel: %s", res)
		}
		res = f.do(frAdmin, req{method: http.MethodPost, path: path + "/cancel", header: map[string]string{"If-Match": `"3"`}})
		if res.status != http.StatusOK || !strings.Contains(string(res.body), `"status":"cancelled"`) {
			t.Fatalf("cancel: %s", res)
		}
		if _, seq := calendarOf(t, f, frAdmin, m.ID); seq != "2" {
			t.Errorf("cancelled: SEQUENCE %q, want 2", seq)
		}
		if !strings.Contains(string(f.get(frAdmin, path+"/calendar.ics").body), "STATUS:CANCELLED") {
			t.Error("the cancelled meeting's calendar is not CANCELLED")
		}
		for _, tc := range []struct {
			name string
			role string
			r    req
		}{
			{"cancel again", frAdmin, req{method: http.MethodPost, path: path + "/cancel", body: map[string]any{"version": 4}}},
			{"change a cancelled meeting", frAdmin, req{method: http.MethodPut, path: path, header: map[string]string{"If-Match": `"4"`}, body: meetingBody("Back")}},
			{"answer a cancelled meeting", kePOC, req{method: http.MethodPost, path: path + "/answer", body: map[string]any{"answer": "accepted"}}},
		} {
			if res := f.do(tc.role, tc.r); res.status != http.StatusConflict {
				t.Errorf("%s: %s, want 409", tc.name, res)
			}
		}
	})
}

// TestMeetingBadInput: every field to fix is named as the body names it,
// NUL bytes and text that is not UTF-8 included, on both engines, and
// nothing is written.
func TestMeetingBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		id := f.meetings().sec.ID
		with := func(change func(map[string]any)) map[string]any {
			b := meetingBody("Bad input")
			change(b)
			return b
		}
		for _, tc := range []struct {
			name   string
			r      req
			status int
			fields []string
		}{
			{"NUL in the title", req{method: http.MethodPost, path: "/meetings", body: `{"title": "Bad\u0000", "kind": "virtual"}`}, 400, []string{"title"}},
			{"invalid UTF-8 in the venue", req{method: http.MethodPost, path: "/meetings", body: "{\"title\": \"x\", \"venue\": \"Gen\xe8ve\"}"}, 400, []string{"venue"}},
			{"hidden characters, dates that cannot be read or are out of range", req{method: http.MethodPost, path: "/meetings", body: with(func(b map[string]any) {
				b["title"] = "Meeting\u202e"
				b["start"] = "2026-02-30T10:00"
				b["end"] = "9999-01-01T10:00"
				b["agenda"] = []map[string]any{{"title": ""}, {"title": "ok", "provisions": []string{"norm-zz"}}}
				b["contact"] = map[string]any{"name": "Desk", "email": "not an address"}
				b["kind"] = "teleport"
				b["video_url"] = "http://plain.test.invalid/"
				b["states"] = []string{"NZ"}
				b["levels"] = []string{"ministerial"}
			})}, 422, []string{"title", "start", "end", "agenda[0].title", "agenda[1].provisions", "contact.email", "kind", "video_url", "states", "levels"}},
			{"a zone that is none", req{method: http.MethodPost, path: "/meetings", body: with(func(b map[string]any) { b["time_zone"] = "Mars/Olympus" })}, 422, []string{"time_zone"}},
			{"a meeting five years and more ahead", req{method: http.MethodPost, path: "/meetings", body: with(func(b map[string]any) {
				b["start"], b["end"] = "2040-01-01T10:00", "2040-01-01T11:00"
			})}, 422, []string{"start"}},
			{"an end before the start", req{method: http.MethodPost, path: "/meetings", body: with(func(b map[string]any) { b["end"] = "2026-05-04T08:00" })}, 422, []string{"end"}},
			{"a huge version", req{method: http.MethodPost, path: "/meetings/" + id + "/cancel", body: `{"version": 1e400}`}, 400, nil},
			{"an answer that is none", req{method: http.MethodPost, path: "/meetings/" + id + "/answer", body: map[string]any{"answer": "maybe"}}, 422, []string{"answer"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				role := sec
				if strings.HasSuffix(tc.r.path, "/answer") {
					role = kePOC
				}
				before := f.meetingRows()
				res := f.do(role, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				if len(tc.fields) > 0 {
					got := res.errorFields(t)
					for _, name := range tc.fields {
						if msg, _ := got[name].(string); msg == "" {
							t.Errorf("no message for %s: %s", name, res)
						}
					}
					if len(got) != len(tc.fields) {
						t.Errorf("fields %v, want %v", got, tc.fields)
					}
				}
				if after := f.meetingRows(); after != before {
					t.Errorf("refused request wrote: %v → %v", before, after)
				}
			})
		}
	})
}

// TestMeetingPages: the lists are paged by key, each page linking the
// next with the same filter, and together they hold each meeting once.
func TestMeetingPages(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		f.meetings()
		for range 3 {
			f.freshMeeting("Paged meeting")
		}
		if _, err := f.app.Meetings.Meeting(context.Background(), f.acc[kePOC].Actor(), f.meetings().fr.ID); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		next, pages := "/meetings?when=upcoming&limit=2", 0
		for next != "" {
			res := f.get(kePOC, strings.TrimPrefix(next, "/api/v1"))
			if res.status != http.StatusOK {
				t.Fatalf("%s: %s", next, res)
			}
			var l list[meetingOut]
			if err := json.Unmarshal(res.body, &l); err != nil {
				t.Fatal(err)
			}
			for _, m := range l.Items {
				if seen[m.ID] {
					t.Errorf("%s listed twice", m.ID)
				}
				seen[m.ID] = true
			}
			if l.Next != "" && !strings.Contains(l.Next, "when=upcoming") {
				t.Errorf("next %q drops the filter", l.Next)
			}
			next = l.Next
			pages++
		}
		// KE sees the secretariat's meeting, FR's and three fresh ones.
		if len(seen) != 5 || pages != 3 {
			t.Errorf("%d meetings on %d pages, want 5 on 3", len(seen), pages)
		}
		if res := f.get(kePOC, "/meetings?cursor=bogus"); res.status != http.StatusUnprocessableEntity && res.status != http.StatusBadRequest {
			t.Errorf("a damaged cursor: %s", res)
		}
	})
}
