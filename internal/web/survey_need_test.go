package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/survey"
)

// A capacity gap KE reported under norm 13(h) becomes a need from the
// report's page: KE's writers get the link, which opens the need form
// filled with the gap, the report and the provision; KE's viewer, another
// State and the public see the gap (the report is public) but no link.
func TestReportedGapPostedAsNeed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		ctx := context.Background()
		svc := f.app.Survey
		opens, deadline := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)
		c, err := svc.OpenCycle(ctx, f.acc["sec"].Actor(), survey.CycleInput{Name: "Gaps 2026", Opens: &opens, Deadline: &deadline})
		if err != nil {
			t.Fatal(err)
		}
		ke := f.acc["kepoc"].Actor()
		const gap = "Night shifts at the CIRT need training in forensics 7b3e."
		r, err := svc.Start(ctx, ke, c.ID)
		if err == nil {
			r, err = svc.Save(ctx, ke, r.ID, r.Version, survey.PartNorms, []survey.Answer{{Subject: survey.Subject{Provision: "norm-h"}, Taken: survey.Partly, Gaps: gap}})
		}
		if err == nil {
			r, err = svc.Submit(ctx, ke, r.ID, r.Version)
		}
		if err == nil {
			r, err = svc.Publish(ctx, ke, r.ID, r.Version, survey.Public)
		}
		if err != nil {
			t.Fatal(err)
		}
		page := "/survey/reports/" + r.ID
		for _, c := range []struct {
			who  string
			link bool
		}{{"kepoc", true}, {"frpoc", false}, {"sec", false}, {"", false}} {
			cl := f.anon()
			if c.who != "" {
				cl = f.signIn(c.who)
			}
			res := cl.on(t).get(page)
			if res.status != http.StatusOK || !strings.Contains(res.body, "forensics 7b3e") {
				t.Fatalf("%q: status %d, gap shown %v", c.who, res.status, strings.Contains(res.body, "forensics 7b3e"))
			}
			if got := strings.Contains(res.body, `href="/capacity/needs/new?`); got != c.link {
				t.Errorf("%q: link to post the gap shown %v, want %v", c.who, got, c.link)
			}
		}
		q := url.Values{"source_report": {"National report of Kenya, cycle Gaps 2026"}, "source_provision": {"norm-h"}, "provisions": {"norm-h"}, "description": {gap}}
		res := f.signIn("kepoc").on(t).get("/capacity/needs/new?" + q.Encode())
		if res.status != http.StatusOK {
			t.Fatalf("the need form: status %d", res.status)
		}
		for _, want := range []string{"forensics 7b3e.</textarea>", `value="National report of Kenya, cycle Gaps 2026"`, `<option value="norm-h" selected>`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the need form does not start from the gap: no %s", want)
			}
		}
	})
}
