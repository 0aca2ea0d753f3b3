package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/survey"
)

// Names of the demo's survey cycles, which its test looks for.
const (
	demoEarlierCycle = "2026"
	demoCurrentCycle = "2027"
)

// demoReport is what a featured State answers in the earlier cycle and
// at which visibility it publishes.
type demoReport struct {
	state      string
	visibility survey.Visibility
	norms      []survey.Answer // written by the focal point
	added      survey.Answer   // added to the norms by the duty officer
	cbms       []survey.Answer
}

func answer(provision string, taken survey.Choice, measures, gaps string) survey.Answer {
	return survey.Answer{Subject: survey.Subject{Provision: provision}, Taken: taken, Policy: taken,
		Actors: []survey.Actor{survey.Government}, Measures: measures, Gaps: gaps}
}

// seedSurvey opens two cycles of the national survey of implementation, a
// year apart, and has the featured States answer as their people would.
// In the earlier cycle each State's focal point drafts the norms, its
// duty officer adds one, and the focal point submits and publishes it:
// France and Brazil publicly, Kenya and Japan to participants. In the
// current cycle France starts from its earlier answers, records that its
// vulnerability disclosure policy is now adopted, and publishes again;
// Kenya has started a draft that carries its earlier answers.
func seedSurvey(ctx context.Context, a *app.App, c *clock.Fixed, sec actor.Actor, duty map[string]actor.Actor, now time.Time) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo survey, %s: %w", what, err) }
	day := 24 * time.Hour
	date := func(t time.Time) *time.Time { d := t.UTC().Truncate(day); return &d }

	c.Set(now.Add(-420 * day))
	earlier, err := a.Survey.OpenCycle(ctx, sec, survey.CycleInput{Name: demoEarlierCycle, Opens: date(now.Add(-415 * day)), Deadline: date(now.Add(-300 * day))})
	if err != nil {
		return fail("earlier cycle", err)
	}
	reports := []demoReport{
		{state: "FR", visibility: survey.Public,
			norms: []survey.Answer{
				answer("norm-h", survey.Yes, "The national agency answers requests for assistance around the clock through its CERT; the diplomatic level is told of each.", ""),
				answer("norm-j", survey.Partly, "A draft vulnerability disclosure policy is under consultation with vendors.", ""),
			},
			added: answer("norm-b", survey.Yes, "Incidents are assessed by an inter-ministerial group before any public statement.", ""),
			cbms:  []survey.Answer{answer("cbm-1", survey.Yes, "Diplomatic, policy and technical points of contact are nominated and confirmed each year.", "")}},
		{state: "KE", visibility: survey.Participants,
			norms: []survey.Answer{
				answer("norm-h", survey.Partly, "The national CIRT answers requests in office hours.", "Written procedures and trained duty officers for requests outside office hours."),
				answer("norm-g", survey.Partly, "Critical information infrastructure is designated by regulation.", "Sector regulators lack staff to audit operators."),
			},
			added: answer("norm-c", survey.NotConsidered, "", ""),
			cbms:  []survey.Answer{answer("cbm-5", survey.Yes, "Kenya takes part in regional capacity-building programmes.", "")}},
		{state: "BR", visibility: survey.Public,
			norms: []survey.Answer{
				answer("norm-j", survey.No, "", "A process to coordinate vulnerability reports in industrial control products with foreign vendors."),
				answer("norm-h", survey.Yes, "Requests for assistance are answered by the national CSIRT within 24 hours.", ""),
			},
			added: answer("norm-f", survey.Yes, "The national cyber security strategy excludes activity that damages critical infrastructure.", "")},
		{state: "JP", visibility: survey.Participants,
			norms: []survey.Answer{
				answer("norm-j", survey.Yes, "A coordinated disclosure framework runs with the national CSIRT and vendors.", ""),
				answer("norm-i", survey.Partly, "Guidelines on supply chain security for government procurement.", ""),
			},
			added: answer("norm-e", survey.Yes, "Privacy law applies to the handling of incident data.", "")},
	}
	focal := map[string]actor.Actor{}
	for i, r := range reports {
		acc, err := a.Access.AccountByEmail(ctx, sec, "focal.point@"+strings.ToLower(r.state)+".demo.invalid")
		if err != nil {
			return fail(r.state+"'s focal point", err)
		}
		admin := acc.Actor()
		focal[r.state] = admin
		c.Set(now.Add(-time.Duration(400-10*i) * day))
		rep, err := a.Survey.Start(ctx, admin, earlier.ID)
		if err != nil {
			return fail(r.state+" starts", err)
		}
		if rep, err = a.Survey.Save(ctx, admin, rep.ID, rep.Version, survey.PartNorms, r.norms); err != nil {
			return fail(r.state+" drafts the norms", err)
		}
		if len(r.cbms) > 0 {
			if rep, err = a.Survey.Save(ctx, admin, rep.ID, rep.Version, survey.PartCBMs, r.cbms); err != nil {
				return fail(r.state+" drafts the CBMs", err)
			}
		}
		// A second person of the State edits the same part.
		c.Set(c.Now().Add(3 * day))
		norms := append(append([]survey.Answer(nil), r.norms...), r.added)
		if rep, err = a.Survey.Save(ctx, duty[r.state], rep.ID, rep.Version, survey.PartNorms, norms); err != nil {
			return fail(r.state+"'s duty officer edits", err)
		}
		c.Set(c.Now().Add(5 * day))
		if rep, err = a.Survey.Submit(ctx, admin, rep.ID, rep.Version); err != nil {
			return fail(r.state+" submits", err)
		}
		if _, err = a.Survey.Publish(ctx, admin, rep.ID, rep.Version, r.visibility); err != nil {
			return fail(r.state+" publishes", err)
		}
	}

	c.Set(now.Add(-45 * day))
	current, err := a.Survey.OpenCycle(ctx, sec, survey.CycleInput{Name: demoCurrentCycle, Opens: date(now.Add(-40 * day)), Deadline: date(now.Add(140 * day))})
	if err != nil {
		return fail("current cycle", err)
	}
	c.Set(now.Add(-20 * day))
	fr, err := a.Survey.Start(ctx, focal["FR"], current.ID)
	if err != nil {
		return fail("France starts again", err)
	}
	inNorms := map[string]bool{}
	for _, e := range a.Survey.Entries(survey.PartNorms) {
		inNorms[e.Provision.ID] = true
	}
	norms := fr.Answers[:0:0]
	for _, x := range fr.Answers {
		if x.Provision == "norm-j" && x.Item == "" {
			x.Taken, x.Policy = survey.Yes, survey.Yes
			x.Measures = "The vulnerability disclosure policy was adopted in March; the national agency coordinates reports with vendors and publishes advisories."
		}
		if inNorms[x.Provision] {
			norms = append(norms, x)
		}
	}
	if fr, err = a.Survey.Save(ctx, focal["FR"], fr.ID, fr.Version, survey.PartNorms, norms); err != nil {
		return fail("France's change", err)
	}
	c.Set(now.Add(-12 * day))
	if fr, err = a.Survey.Submit(ctx, focal["FR"], fr.ID, fr.Version); err != nil {
		return fail("France submits again", err)
	}
	if _, err = a.Survey.Publish(ctx, focal["FR"], fr.ID, fr.Version, survey.Public); err != nil {
		return fail("France publishes again", err)
	}
	c.Set(now.Add(-5 * day))
	if _, err := a.Survey.Start(ctx, focal["KE"], current.ID); err != nil {
		return fail("Kenya starts again", err)
	}
	return nil
}
