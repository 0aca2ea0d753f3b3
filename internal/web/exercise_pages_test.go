package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// A director creates a run through the form: a refused form keeps what was
// typed and chosen beside its errors; the run then starts from its
// console, a player answers, and the live view and report show it met.
func TestExerciseRunThroughThePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		ctx := context.Background()
		sc, err := f.app.Scenarios.Create(ctx, f.acc["sec"].Actor(), scenarioInput("Pages drill 1c9e", "It begins 1c9e."))
		if err != nil {
			t.Fatal(err)
		}
		admin := f.signIn("fradmin")
		form := url.Values{"scenario": {sc.ID}, "title": {"Keep me 5f2a"}, "factor": {"12"}, "levels": {"technical"},
			"assignments.A": {"KE"}, "assignments.B": {""}}
		r := admin.post("/exercises", form)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("a run without a State for B: status %d", r.status)
		}
		for _, want := range []string{`value="Keep me 5f2a"`, `<option value="KE" selected>`, `id="assignments.B-error"`, `<option value="12" selected>`,
			`value="technical" checked`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the refused form lacks %s", want)
			}
		}
		if strings.Contains(r.body, `value="diplomatic" checked`) {
			t.Error("the refused form ticks a level that was not chosen")
		}
		form.Set("assignments.B", "FR")
		r = admin.post("/exercises", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: status %d\n%s", r.status, snippet(r.body))
		}
		page := strings.TrimSuffix(r.header.Get("Location"), "?done=created")
		id := strings.TrimPrefix(page, "/exercises/")
		if r = admin.get(page); !strings.Contains(r.body, `action="`+page+`/start"`) || strings.Contains(r.body, `http-equiv="refresh"`) {
			t.Fatalf("a ready run's page lacks its Start button or reloads itself")
		}
		if r = admin.post(page+"/start", url.Values{"version": {"1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("start: status %d", r.status)
		}
		f.drain()
		r = admin.get(page)
		if !strings.Contains(r.body, `http-equiv="refresh" content="15"`) || !strings.Contains(r.body, `action="`+page+`/pause"`) {
			t.Error("a running run's page does not reload itself or lacks Pause")
		}

		// KE's POC acknowledges late: 72 minutes of scenario after arrival.
		f.clock.Advance(6 * time.Minute) // 72 minutes of scenario at 12×
		player := f.signIn("kepoc")
		inject := page + "/injects/notice"
		if r = player.get(inject); r.status != http.StatusOK || !strings.Contains(r.body, "TLP:AMBER") {
			t.Fatalf("the inject page: status %d", r.status)
		}
		if r = player.post(inject, url.Values{"action": {"acknowledge"}}); r.status != http.StatusSeeOther {
			t.Fatalf("acknowledge: status %d\n%s", r.status, snippet(r.body))
		}
		lv, err := f.app.Exercises.Live(ctx, f.acc["fradmin"].Actor(), id)
		if err != nil {
			t.Fatal(err)
		}
		ke := lv.States[len(lv.States)-1] // FR, then KE: by code, never by result
		if ke.State != "KE" || len(ke.Injects) == 0 || len(ke.Injects[0].Results) == 0 || ke.Injects[0].Results[0].Outcome != exercise.Late {
			t.Errorf("KE's first expectation, want it met late: %+v", ke)
		}
		r = admin.get(page)
		if !strings.Contains(r.body, `tag outcome-late`) {
			t.Error("the live view does not show the late acknowledgement")
		}
		r = player.get(page + "/report?format=csv")
		if r.status != http.StatusOK || !strings.HasPrefix(r.body, "Inject,Title,") || !strings.Contains(r.body, ",KE,technical,ack,acknowledge,1800,0,late,4320") {
			t.Errorf("the CSV report: status %d\n%s", r.status, r.body)
		}
		if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
			t.Errorf("the CSV is not a download: %q", cd)
		}

		// Once stopped, the page no longer reloads and asks for lessons.
		if r = admin.post(page+"/stop", url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
			t.Fatalf("stop: status %d\n%s", r.status, snippet(r.body))
		}
		r = player.get(page)
		for _, want := range []string{`<option value="went_well"`, `<option value="to_improve"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the ended run's page lacks %s", want)
			}
		}
		if strings.Contains(r.body, `http-equiv="refresh"`) || strings.Contains(r.body, `value="observation"`) {
			t.Error("the ended run's page reloads itself or still takes observations")
		}
		const lesson = "The duty desk needs the number of the ministry 7d1e"
		if r = player.post(page+"/notes", url.Values{"kind": {"to_improve"}, "text": {lesson}}); r.status != http.StatusSeeOther {
			t.Fatalf("a lesson: status %d\n%s", r.status, snippet(r.body))
		}
		if r = admin.get(page + "/report"); !strings.Contains(r.body, lesson) || !strings.Contains(r.body, "What did not go well") {
			t.Error("the report lacks KE's lesson")
		}
	})
}

// The run pages read in each language: a word of the page's own, no
// placeholder left unfilled, and EXERCISE in English.
func TestExercisePagesInEveryLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		rows := exerciseRows(f) // a running run the secretariat directs, KE's POC a player
		var run string
		for _, r := range rows {
			if r.name == "the secretariat's run" {
				run = r.path
			}
		}
		want := map[string]string{"en": "Live view", "fr": "Vue en direct", "es": "Vista en directo", "ru": "Текущее состояние", "ar": "العرض المباشر", "zh": "实时视图"}
		placeholder := regexp.MustCompile(`\{[a-z_]+\}`)
		for lang, word := range want {
			c := f.signIn("kepoc")
			if r := c.post("/language", url.Values{"lang": {lang}, "next": {"/account"}}); r.status != http.StatusSeeOther {
				t.Fatalf("language %s: status %d", lang, r.status)
			}
			for _, path := range []string{"/exercises", run, run + "/injects/notice", run + "/report"} {
				r := c.get(path)
				if r.status != http.StatusOK {
					t.Errorf("%s %s: status %d", lang, path, r.status)
					continue
				}
				if p := placeholder.FindString(r.body); p != "" {
					t.Errorf("%s %s: a placeholder is left unfilled: %s", lang, path, p)
				}
				if !strings.Contains(r.body, ">EXERCISE<") {
					t.Errorf("%s %s: EXERCISE is not shown", lang, path)
				}
			}
			if r := c.get(run); !strings.Contains(r.body, word) {
				t.Errorf("%s: the run's page does not say %q", lang, word)
			}
		}
	})
}
