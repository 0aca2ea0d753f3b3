package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestMeetingForm walks the organiser's form: bad input comes back beside
// its fields and schedules nothing; a good form schedules; the edit form
// holds the meeting in its own zone; a stale version is a conflict; a
// cancelled meeting is no longer edited.
func TestMeetingForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		c := f.signIn("fradmin")
		good := func() url.Values {
			return url.Values{"title": {"Tabletop debrief 77c1"}, "kind": {"hybrid"}, "time_zone": {"Asia/Tokyo"}, "start": {"2026-07-01T10:00"},
				"end": {"2026-07-01T12:30"}, "venue": {"Tokyo"}, "video_url": {"https://video.fr.test.invalid/77c1"}, "states": {"KE"},
				"levels": {"technical", "policy"}, "contact_name": {"Desk"}, "contact_email": {"desk@fr.test.invalid"},
				"rows": {"3"}, "ag_title_0": {"Opening"}, "ag_prov_0": {"norm-h", "cbm-1"}, "ag_title_2": {"Lessons"}}
		}
		with := func(k, v string) url.Values { f := good(); f.Set(k, v); return f }
		bad := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"NUL in the title", with("title", "Tabletop\x00debrief"), "title"},
			{"invalid UTF-8 in the venue", with("venue", "Tok\xffyo"), "venue"},
			{"hidden formatting in the title", with("title", "Tabletop \u202edebrief"), "title"},
			{"a date that is no date", with("start", "2026-02-30T10:00"), "start"},
			{"a date far ahead", with("start", "9999-01-01T10:00"), "start"},
			// Rows past any count read as none: the meeting is scheduled
			// without its agenda, and is the only one so far.
			{"a huge number of rows", with("rows", "99999999999999999999"), ""},
			{"an end before the start", with("end", "2026-07-01T09:00"), "end"},
			{"an unknown zone", with("time_zone", "Mars/Olympus"), "time_zone"},
			{"a plain http video link", with("video_url", "http://video.test.invalid/x"), "video_url"},
			{"an unknown provision", with("ag_prov_0", "norm-z"), "agenda.0.provisions"},
			{"notes without a title, on the second row", with("ag_notes_1", "no title"), "agenda.1.title"},
			{"no State invited", with("states", ""), "states"},
		}
		for _, tc := range bad {
			r := c.post("/meetings", tc.form)
			if tc.field == "" {
				if r.status != http.StatusSeeOther {
					t.Errorf("%s: status %d\n%s", tc.name, r.status, snippet(r.body))
				}
				continue
			}
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="`+tc.field+`-error"`) {
				t.Errorf("%s: status %d, want 422 with %s's error\n%s", tc.name, r.status, tc.field, snippet(r.body))
			}
		}
		list := c.get("/meetings")
		if strings.Count(list.body, "Tabletop") != 1 {
			t.Fatalf("the refused forms scheduled something:\n%s", list.body)
		}
		r := c.post("/meetings", good())
		loc := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/meetings/") {
			t.Fatalf("scheduling: %d %s\n%s", r.status, loc, snippet(r.body))
		}
		path := strings.TrimSuffix(loc, "?done=scheduled")
		page := c.get(loc)
		for _, s := range []string{"The meeting is scheduled", "Tabletop debrief 77c1", "Asia/Tokyo", "Tokyo", "/framework/cbm-1", "Lessons"} {
			if !strings.Contains(page.body, s) {
				t.Errorf("the meeting's page lacks %q", s)
			}
		}
		form := c.get(path + "/edit")
		for _, s := range []string{`value="2026-07-01T10:00"`, `value="2026-07-01T12:30"`, `value="Asia/Tokyo" selected`, `value="norm-h" checked`, `name="version" value="1"`} {
			if !strings.Contains(form.body, s) {
				t.Errorf("the edit form lacks %s", s)
			}
		}
		if r := c.post(path+"/edit", with("version", "7")); r.status != http.StatusConflict || !strings.Contains(r.body, "Someone changed this meeting") {
			t.Errorf("a stale edit: %d\n%s", r.status, snippet(r.body))
		}
		if r := c.post(path+"/edit", with("version", "1")); r.status != http.StatusSeeOther {
			t.Errorf("an edit: %d\n%s", r.status, snippet(r.body))
		}
		if r := c.post(path+"/cancel", url.Values{"version": {"1"}}); r.status != http.StatusConflict {
			t.Errorf("cancelling at a stale version: %d", r.status)
		}
		if r := c.post(path+"/cancel", url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
			t.Errorf("cancelling: %d\n%s", r.status, snippet(r.body))
		}
		page = c.get(path)
		if !strings.Contains(page.body, "Cancelled") || strings.Contains(page.body, path+"/edit") || strings.Contains(page.body, "/cancel") {
			t.Errorf("a cancelled meeting's page:\n%s", page.body)
		}
		if r := c.get(path + "/edit"); r.status != http.StatusConflict {
			t.Errorf("the edit form of a cancelled meeting: %d", r.status)
		}
	})
}
