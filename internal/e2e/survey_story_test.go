package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/detente/detente/internal/survey"
)

// TestNationalReportFromDraftToProfile follows a national report through
// the pages as France's people would write it: the point of contact starts
// it and answers norm 13(h), the administrator adds norm 13(j), submits and
// publishes it to participants; Kenya reads it and the public does not;
// published to the public, it shows on France's profile; the next cycle's
// report starts from these answers, and its changes page says what the
// administrator changed.
func TestNationalReportFromDraftToProfile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sec := f.acc["sec"].Actor()
	now := f.clock.Now()
	day := func(days int) *time.Time { t := now.AddDate(0, 0, days); return &t }
	first, err := f.app.Survey.OpenCycle(ctx, sec, survey.CycleInput{Name: "Story 2026", Opens: day(-60), Deadline: day(60)})
	if err != nil {
		t.Fatal(err)
	}
	const (
		hMeasures = "Requests for assistance reach the CERT's duty officer day and night."
		jMeasures = "A disclosure policy for vendors is under consultation."
		jChanged  = "The disclosure policy for vendors was adopted in March."
	)
	// answer fills one provision's measures on the norms form and saves.
	answer := func(b *tab, report, provision, measures string) {
		t.Helper()
		b.open("/survey/reports/" + report + "/edit?part=norms")
		// A subject not answered yet is folded: open it as a person would.
		if !run(b, chromedp.Evaluate[bool](fmt.Sprintf("document.getElementById(%q).open", "subject-"+provision))) {
			b.tick(`#subject-` + provision + ` > summary`)
		}
		b.tick(`label[for="` + provision + `.taken-yes"]`)
		b.fill(`textarea[id="`+provision+`.measures"]`, measures)
		if st := b.click(saveButton); st != http.StatusOK {
			t.Fatalf("saving %s: status %d at %s", provision, st, b.path())
		}
	}

	poc := f.signIn(t, "frpoc", nil)
	poc.open("/survey/cycles/" + first.ID)
	poc.click(`form[action$="/start"] button`)
	report := reportID(poc.path())
	if report == "" || strings.Contains(report, "/") {
		t.Fatalf("starting the report led to %s", poc.path())
	}
	answer(poc, report, "norm-h", hMeasures)

	admin := f.signIn(t, "fradmin", nil)
	answer(admin, report, "norm-j", jMeasures)
	admin.open("/survey/reports/" + report)
	if text := admin.text("main"); !strings.Contains(text, hMeasures) || !strings.Contains(text, jMeasures) {
		t.Fatalf("the draft does not hold both people's answers:\n%s", text)
	}
	admin.open("/survey/reports/" + report + "/history")
	if text := admin.text("main"); !strings.Contains(text, "frpoc@e2e.invalid") || !strings.Contains(text, "fradmin@e2e.invalid") {
		t.Errorf("the history does not name both editors:\n%s", text)
	}

	// Before it is published, nobody outside France reads the draft.
	kenya := f.signIn(t, "kepoc", nil)
	public := f.newTab(t)
	for who, b := range map[string]*tab{"Kenya": kenya, "the public": public} {
		if st := b.open("/survey/reports/" + report); st != http.StatusNotFound || strings.Contains(b.html(), hMeasures) {
			t.Errorf("%s reads the draft: status %d", who, st)
		}
	}

	admin.open("/survey/reports/" + report)
	admin.click(`form[action$="/submit"] button`)
	admin.tick(`label[for="visibility-participants"]`)
	admin.click(`form[action$="/publish"] button`)
	if st := kenya.open("/survey/reports/" + report); st != http.StatusOK || !strings.Contains(kenya.text("main"), jMeasures) {
		t.Errorf("Kenya does not read the report published to participants: status %d", st)
	}
	if st := public.open("/survey/reports/" + report); st != http.StatusNotFound || strings.Contains(public.html(), hMeasures) {
		t.Errorf("the public reads a report published to participants: status %d", st)
	}
	public.open("/profiles/FR")
	if strings.Contains(public.html(), "/survey/reports/"+report) {
		t.Error("France's profile shows the public a report published to participants")
	}

	admin.open("/survey/reports/" + report)
	admin.tick(`label[for="visibility-public"]`)
	admin.click(`form[action$="/publish"] button`)
	public.open("/profiles/FR")
	if !strings.Contains(public.html(), `href="/survey/reports/`+report+`"`) {
		t.Error("France's profile does not list the report published to the public")
	}
	if st := public.open("/survey/reports/" + report); st != http.StatusOK || !strings.Contains(public.text("main"), hMeasures) {
		t.Errorf("the public does not read the public report: status %d", st)
	}

	// The next cycle starts from these answers.
	second, err := f.app.Survey.OpenCycle(ctx, sec, survey.CycleInput{Name: "Story 2027", Opens: day(-1), Deadline: day(120)})
	if err != nil {
		t.Fatal(err)
	}
	admin.open("/survey/cycles/" + second.ID)
	admin.click(`form[action$="/start"] button`)
	next := reportID(admin.path())
	admin.open("/survey/reports/" + next + "/edit?part=norms")
	if got := run(admin, chromedp.Value(chromedp.CSS(`textarea[id="norm-h.measures"]`))); got != hMeasures {
		t.Errorf("the new cycle's form holds %q for norm 13(h), want the earlier answer", got)
	}
	answer(admin, next, "norm-j", jChanged)
	admin.open("/survey/reports/" + next + "/changes")
	changes := admin.text("main")
	if !strings.Contains(changes, jMeasures) || !strings.Contains(changes, jChanged) {
		t.Errorf("the changes page does not show norm 13(j) before and after:\n%s", changes)
	}
	if strings.Contains(changes, hMeasures) {
		t.Errorf("the changes page shows norm 13(h), which did not change:\n%s", changes)
	}
}

// reportID is the id in the path of a report's page.
func reportID(path string) string {
	path, _, _ = strings.Cut(path, "?")
	return strings.TrimPrefix(path, "/survey/reports/")
}
