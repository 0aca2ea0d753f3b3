package e2e

import (
	"context"
	"time"

	"github.com/detente/detente/internal/survey"
)

// surveyStops opens two survey cycles; KE answers the first, publishes it
// for the public, and drafts the second from it with a change. It returns
// the pages each person visits, by account key.
func surveyStops(f *fixture) map[string][]stop {
	f.t.Helper()
	ctx := context.Background()
	svc := f.app.Survey
	ke, sec := f.acc["kepoc"].Actor(), f.acc["sec"].Actor()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	// Dated from the tour's clock: both cycles open, neither past its deadline.
	now := f.clock.Now()
	day := func(days int) *time.Time { t := now.AddDate(0, 0, days); return &t }
	first, err := svc.OpenCycle(ctx, sec, survey.CycleInput{Name: "First cycle", Opens: day(-400), Deadline: day(200)})
	must(err)
	second, err := svc.OpenCycle(ctx, sec, survey.CycleInput{Name: "Second cycle", Opens: day(-30), Deadline: day(300)})
	must(err)
	answers := func(gaps string) []survey.Answer {
		return []survey.Answer{
			{Subject: survey.Subject{Provision: "norm-h"}, Taken: survey.Yes, Policy: survey.Partly, Support: survey.Yes,
				Actors: []survey.Actor{survey.Government, survey.PrivateSector}, Measures: "The national CIRT answers requests for assistance around the clock.",
				Examples: "Two requests answered in 2024.", Challenges: "Few analysts at night.", Gaps: gaps},
		}
	}
	r, err := svc.Start(ctx, ke, first.ID)
	must(err)
	r, err = svc.Save(ctx, ke, r.ID, r.Version, survey.PartNorms, answers("Forensics training."))
	must(err)
	r, err = svc.Save(ctx, ke, r.ID, r.Version, survey.PartCBMs, []survey.Answer{{Subject: survey.Subject{Provision: "cbm-1", Item: "a"}, Taken: survey.Yes}})
	must(err)
	r, err = svc.Submit(ctx, ke, r.ID, r.Version)
	must(err)
	r, err = svc.Publish(ctx, ke, r.ID, r.Version, survey.Public)
	must(err)
	next, err := svc.Start(ctx, ke, second.ID)
	must(err)
	next, err = svc.Save(ctx, ke, next.ID, next.Version, survey.PartNorms, answers("Malware analysis."))
	must(err)
	published, draft := "/survey/reports/"+r.ID, "/survey/reports/"+next.ID
	return map[string][]stop{
		"": {
			{name: "survey", path: "/survey"},
			{name: "survey-cycle", path: "/survey/cycles/" + first.ID},
			{name: "survey-report", path: published},
			{name: "survey-report-print", path: published + "?print=1"},
		},
		"kepoc": {
			{name: "survey-cycle", path: "/survey/cycles/" + second.ID},
			{name: "survey-draft", path: draft},
			{name: "survey-edit", path: draft + "/edit?part=cbms"},
			{name: "survey-history", path: draft + "/history"},
			{name: "survey-changes", path: draft + "/changes"},
		},
		"sec": {
			{name: "survey", path: "/survey"},
			{name: "survey-open-errors", path: "/survey", then: func(b *tab) {
				b.click(saveButton)
				b.waitFor("#name-error")
			}},
		},
	}
}

// withSurvey adds the survey's pages to the tour's legs.
func withSurvey(f *fixture, legs []leg) []leg {
	more := surveyStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
