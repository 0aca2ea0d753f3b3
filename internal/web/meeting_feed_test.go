package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/ical/icaljs"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

const plannedRunTitle = "Planned drill 2b9e"

var feedAddress = regexp.MustCompile(`https?://[^<"]*(/calendar/[A-Za-z0-9_-]{20,}\.ics)`)

// TestCalendarFeed: the account page makes a feed address, shown once,
// which serves the account's meetings as it sees them (venue and video
// link only where it may) and the planned exercise runs its State plays;
// a new address replaces it, and revoking ends it.
func TestCalendarFeed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		ms := f.meetings()
		anon := f.anon()
		// A run the secretariat plans for KE and FR is in their feeds too.
		ctx := context.Background()
		sc, err := f.app.Scenarios.Create(ctx, f.acc["sec"].Actor(), scenarioInput("Feed scenario", "The region is hit 7c1d."))
		if err != nil {
			t.Fatal(err)
		}
		run, err := f.app.Exercises.Create(ctx, f.acc["sec"].Actor(), exercise.Input{ScenarioID: sc.ID, Title: plannedRunTitle, Factor: 12,
			Levels: []scenario.Level{scenario.Technical}, Assignments: []exercise.Assignment{{Role: "A", State: "KE"}, {Role: "B", State: "FR"}},
			Schedule: exercise.Schedule{Start: epoch.AddDate(0, 0, 20), TimeZone: "Africa/Nairobi"}})
		if err != nil {
			t.Fatal(err)
		}
		newAddress := func(c *client) string {
			t.Helper()
			r := c.post("/account/calendar", nil)
			found := feedAddress.FindStringSubmatch(r.body)
			if r.status != http.StatusOK || found == nil {
				t.Fatalf("making a feed address: %d\n%s", r.status, snippet(r.body))
			}
			if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("the page showing the address has Referrer-Policy %q", got)
			}
			return found[1]
		}
		fetch := func(path string, status int, present, absent []string) {
			t.Helper()
			r := anon.get(path)
			if r.status != status {
				t.Fatalf("GET %s: status %d, want %d\n%s", path, r.status, status, snippet(r.body))
			}
			if status == http.StatusOK {
				if ct := r.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				if cc := r.header.Get("Cache-Control"); cc != "private, no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
			}
			for _, s := range present {
				if !strings.Contains(unfold(r.body), s) {
					t.Errorf("GET %s lacks %q", path, s)
				}
			}
			for _, s := range absent {
				if strings.Contains(unfold(r.body), s) {
					t.Errorf("GET %s shows %q", path, s)
				}
			}
		}
		viewer := f.signIn("frviewer")
		accountSays := func(want, not string) {
			t.Helper()
			r := viewer.get("/account")
			if !strings.Contains(r.body, want) || strings.Contains(r.body, not) {
				t.Errorf("the account page lacks %q or shows %q:\n%s", want, not, snippet(r.body))
			}
		}
		const none, made = "You have no calendar feed address now.", "The address in use now was made on"
		accountSays(none, made)
		first := newAddress(viewer)
		accountSays(made, none)
		// FR's viewer sees FR's meeting as its organiser's side does, and
		// the secretariat's without its venue and link: it answers for
		// no invited entry.
		fetch(first, http.StatusOK, []string{"BEGIN:VCALENDAR", secMeetingTitle, frMeetingTitle, frVideo, "[EXERCISE] " + plannedRunTitle}, []string{secVenue, secVideo})
		fetch(strings.TrimSuffix(first, ".ics"), http.StatusNotFound, nil, []string{secMeetingTitle})
		kepoc := f.signIn("kepoc")
		keFeed := newAddress(kepoc)
		fetch(keFeed, http.StatusOK, []string{secMeetingTitle, secVenue, secVideo, frMeetingTitle, frVideo, "[EXERCISE] " + plannedRunTitle}, nil)
		// Another implementation reads the feed as meant: a PUBLISH with
		// each meeting under the UID and SEQUENCE of its mails, at its
		// instants.
		js := icaljs.Parse(t, []byte(anon.get(keFeed).body))
		if js.Method != "PUBLISH" || len(js.Events) != 3 {
			t.Fatalf("ical.js reads METHOD %q and %d events", js.Method, len(js.Events))
		}
		for k, m := range []meeting.Meeting{ms.sec, ms.fr} {
			e := js.Events[k]
			if e.UID != m.ID+"@detente" || e.Sequence == nil || *e.Sequence != m.Sequence || e.Start == nil || !e.Start.UTC.Equal(m.Start) ||
				e.End == nil || !e.End.UTC.Equal(m.End) || e.Summary != m.Title || e.Start.TZID != m.TimeZone {
				t.Errorf("ical.js reads %+v, want %s seq %d from %v in %s", e, m.ID, m.Sequence, m.Start, m.TimeZone)
			}
		}
		if e := js.Events[2]; e.UID != run.ID+"@detente-exercise" || e.Sequence == nil || *e.Sequence != 0 || e.Start == nil ||
			!e.Start.UTC.Equal(*run.PlannedStart) || e.Start.TZID != "Africa/Nairobi" || e.Summary != "[EXERCISE] "+plannedRunTitle {
			t.Errorf("ical.js reads the run as %+v", e)
		}
		fetch(newAddress(f.signIn("nzpoc")), http.StatusOK, []string{"BEGIN:VCALENDAR"}, []string{secMeetingTitle, frMeetingTitle, plannedRunTitle})
		fetch(newAddress(f.signIn("sec")), http.StatusOK, []string{secMeetingTitle, secVenue, plannedRunTitle}, []string{frMeetingTitle, frVideo})

		second := newAddress(viewer)
		fetch(first, http.StatusNotFound, nil, []string{secMeetingTitle})
		fetch(second, http.StatusOK, []string{secMeetingTitle}, nil)
		r := viewer.post("/account/calendar/revoke", nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "no longer works") {
			t.Errorf("revoking: %d\n%s", r.status, snippet(r.body))
		}
		fetch(second, http.StatusNotFound, nil, []string{secMeetingTitle})
		if !strings.Contains(r.body, none) {
			t.Error("the account page after revoking still names a feed address")
		}
	})
}

// unfold joins the folded lines of iCalendar text (RFC 5545 3.1).
func unfold(s string) string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.ReplaceAll(s, "\\,", ",")
}
