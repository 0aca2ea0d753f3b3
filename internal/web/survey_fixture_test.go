package web_test

import (
	"context"
	"time"

	"github.com/detente/detente/internal/survey"
)

// What the survey pages must show only to those who may read it.
const (
	frDraftText   = "FR-DRAFT measures 8e1f"
	frPartsText   = "FR-PARTICIPANTS measures 1c2d"
	kePrivateText = "KE-PRIVATE measures 9d0c"
	kePublicText  = "KE-PUBLIC measures 5a3b"
)

// surveyItems are the fixture's cycles and reports. In cycle 2026a FR
// published its report for participants and KE its report privately; in
// 2026b FR drafts (from its 2026a answers) and KE published for the
// public; 2027 is not open yet. NZ does not participate.
type surveyItems struct {
	a, b, future       survey.Cycle
	frA, frB, keA, keB survey.Report
}

func (f *fixture) survey() surveyItems {
	f.t.Helper()
	ctx := context.Background()
	svc := f.app.Survey
	sec, fr, ke := f.acc["sec"].Actor(), f.acc["frpoc"].Actor(), f.acc["kepoc"].Actor()
	day := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	cycle := func(name string, opens *time.Time) survey.Cycle {
		c, err := svc.OpenCycle(ctx, sec, survey.CycleInput{Name: name, Opens: opens, Deadline: day(2027, 12, 31)})
		if err != nil {
			f.t.Fatal(err)
		}
		return c
	}
	var s surveyItems
	s.a, s.b, s.future = cycle("2026a", day(2026, 1, 1)), cycle("2026b", day(2026, 5, 1)), cycle("2027", day(2027, 1, 1))
	report := func(who survey.Report, err error) survey.Report {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
		return who
	}
	answer := func(text string) []survey.Answer {
		return []survey.Answer{{Subject: survey.Subject{Provision: "norm-h"}, Taken: survey.Yes, Measures: text}}
	}
	publish := func(a survey.Report, who string, text string, v survey.Visibility) survey.Report {
		x := f.acc[who].Actor()
		a = report(svc.Save(ctx, x, a.ID, a.Version, survey.PartNorms, answer(text)))
		a = report(svc.Submit(ctx, x, a.ID, a.Version))
		return report(svc.Publish(ctx, x, a.ID, a.Version, v))
	}
	s.frA = publish(report(svc.Start(ctx, fr, s.a.ID)), "frpoc", frPartsText, survey.Participants)
	s.keA = publish(report(svc.Start(ctx, ke, s.a.ID)), "kepoc", kePrivateText, survey.Private)
	s.keB = publish(report(svc.Start(ctx, ke, s.b.ID)), "kepoc", kePublicText, survey.Public)
	s.frB = report(svc.Start(ctx, fr, s.b.ID))
	s.frB = report(svc.Save(ctx, f.acc["fradmin"].Actor(), s.frB.ID, s.frB.Version, survey.PartNorms, answer(frDraftText)))
	return s
}
