package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/detente/detente/internal/survey"
)

// What the survey routes must show only to those who may read it.
const (
	svFRParts   = "FR participants measures 6b2e"
	svFRDraft   = "FR draft measures 0c4d"
	svKEPrivate = "KE private measures 3f7a"
	svKEPublic  = "KE public measures 9e15"
	svNZSubmit  = "NZ submitted measures 5d80"
	frPOCEmail  = "poc@fr.test.invalid"
)

// surveySet holds the fixture's cycles and reports. In cycle "API-a" FR
// published its report for participants, KE privately, and NZ (which
// does not participate) submitted without publishing; in "API-b", opened
// after it, FR drafts from its answers of "API-a" and KE published for
// the public. "API-next" is not open yet.
type surveySet struct {
	a, b, next    survey.Cycle
	frA, keA, nzA survey.Report
	frB, keB      survey.Report
}

var surveySets sync.Map

// surveyCycles numbers the cycles opened for one role's write.
var surveyCycles atomic.Int64

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func (f *fixture) survey() *surveySet {
	f.t.Helper()
	if v, ok := surveySets.Load(f.app); ok {
		return v.(*surveySet)
	}
	ctx := context.Background()
	svc := f.app.Survey
	var set surveySet
	set.a = f.openCycle("API-a", day(2025, 1, 1))
	set.b = f.openCycle("API-b", day(2026, 1, 1))
	set.next = f.openCycle("API-next", day(2027, 1, 1))
	must := func(r survey.Report, err error) survey.Report {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
		return r
	}
	answer := func(text string) []survey.Answer {
		return []survey.Answer{{Subject: survey.Subject{Provision: "norm-h"}, Taken: survey.Yes, Measures: text}}
	}
	write := func(role string, c survey.Cycle, text string, submit bool, v survey.Visibility) survey.Report {
		x := f.acc[role].Actor()
		r := must(svc.Start(ctx, x, c.ID))
		r = must(svc.Save(ctx, x, r.ID, r.Version, survey.PartNorms, answer(text)))
		if submit {
			r = must(svc.Submit(ctx, x, r.ID, r.Version))
		}
		if v != "" {
			r = must(svc.Publish(ctx, x, r.ID, r.Version, v))
		}
		return r
	}
	set.frA = write(frPOC, set.a, svFRParts, true, survey.Participants)
	set.keA = write(kePOC, set.a, svKEPrivate, true, survey.Private)
	set.nzA = write(nzPOC, set.a, svNZSubmit, true, "")
	set.frB = write(frPOC, set.b, svFRDraft, false, "")
	set.keB = write(kePOC, set.b, svKEPublic, true, survey.Public)
	v, _ := surveySets.LoadOrStore(f.app, &set)
	return v.(*surveySet)
}

// openCycle opens a cycle that ends at the end of 2027.
func (f *fixture) openCycle(name string, opens *time.Time) survey.Cycle {
	f.t.Helper()
	c, err := f.app.Survey.OpenCycle(context.Background(), f.acc[sec].Actor(), survey.CycleInput{Name: name, Opens: opens, Deadline: day(2027, 12, 31)})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// freshCycle opens a cycle no State has a report in yet.
func (f *fixture) freshCycle() survey.Cycle {
	f.t.Helper()
	return f.openCycle("API-"+strconv.FormatInt(surveyCycles.Add(1), 10), day(2026, 2, 1))
}

// freshFRReport starts FR's report in a fresh cycle; submit submits it.
func (f *fixture) freshFRReport(submit bool) survey.Report {
	f.t.Helper()
	ctx := context.Background()
	x := f.acc[frPOC].Actor()
	r, err := f.app.Survey.Start(ctx, x, f.freshCycle().ID)
	if err == nil && submit {
		r, err = f.app.Survey.Submit(ctx, x, r.ID, r.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func surveyPath(pick func(*surveySet) string, suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return pick(f.survey()) + suffix }
}

func reportPath(pick func(*surveySet) survey.Report, suffix string) func(*fixture, string) string {
	return surveyPath(func(s *surveySet) string { return "/survey/reports/" + pick(s).ID }, suffix)
}

// surveyMatrix are the authorization matrix's rows of the survey routes:
// a draft is its State's alone, a submitted report the secretariat's too,
// a published one as visible as its State chose; anything else is not
// found, and the history that names people is the State's and the
// secretariat's.
var surveyMatrix = []matrixCase{
	{name: "survey cycles", method: http.MethodGet, path: func(f *fixture, _ string) string { f.survey(); return "/survey/cycles?limit=200" },
		want: all(200), show: map[string][]string{anon: {"API-a", "API-next", `"closed":false`}}},
	{name: "survey cycles with a damaged cursor", method: http.MethodGet, path: static("/survey/cycles?cursor=x"),
		want: all(422), show: map[string][]string{anon: {`"cursor"`}}},
	{name: "open a survey cycle", method: http.MethodPost, path: static("/survey/cycles"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"name": "Open-" + role, "opens": "2026-04-01", "deadline": "2026-10-31"}
		},
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: byRole{201, 403, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{sec: {`"opens":"2026-04-01"`, `"deadline":"2026-10-31"`}}},
	{name: "a survey cycle", method: http.MethodGet, path: surveyPath(func(s *surveySet) string { return "/survey/cycles/" + s.a.ID }, ""),
		want: all(200), hide: map[string][]string{anon: {"created_by", "sec@un.test.invalid"}}, show: map[string][]string{anon: {"API-a"}}},
	{name: "reports of a cycle", method: http.MethodGet, path: surveyPath(func(s *surveySet) string { return "/survey/cycles/" + s.a.ID + "/reports" }, ""),
		// Lists carry no answers; who is listed is what must not leak.
		want: all(200),
		hide: map[string][]string{sec: {svFRParts}, frAdmin: {`"state":"KE"`, `"state":"NZ"`}, frViewer: {`"state":"KE"`, `"state":"NZ"`},
			readOnly: {`"state":"KE"`, `"state":"NZ"`}, kePOC: {`"state":"NZ"`}, nzPOC: {`"state":"FR"`, `"state":"KE"`},
			anon: {`"state":"FR"`, `"state":"KE"`, `"state":"NZ"`}},
		show: map[string][]string{sec: {`"state":"FR"`, `"state":"KE"`, `"state":"NZ"`, `"status":"submitted"`}, frPOC: {`"state":"FR"`},
			kePOC: {`"state":"FR"`, `"state":"KE"`, `"visibility":"private"`}, nzPOC: {`"state":"NZ"`, `"visibility":null`}}},
	{name: "reports of a cycle with a draft", method: http.MethodGet, path: surveyPath(func(s *surveySet) string { return "/survey/cycles/" + s.b.ID + "/reports" }, ""),
		// A draft never appears to another State, the public, nor the
		// secretariat.
		want: all(200),
		hide: map[string][]string{sec: {`"state":"FR"`, `"status":"draft"`}, kePOC: {`"state":"FR"`, `"status":"draft"`},
			nzPOC: {`"state":"FR"`, `"status":"draft"`}, anon: {`"state":"FR"`, `"status":"draft"`}},
		show: map[string][]string{frViewer: {`"state":"FR"`, `"status":"draft"`}, readOnly: {`"status":"draft"`}, anon: {`"state":"KE"`}, nzPOC: {`"state":"KE"`}}},
	{name: "reports of an unknown cycle", method: http.MethodGet, path: static("/survey/cycles/" + unknownID + "/reports"), want: all(404)},
	{name: "FR's draft", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.frB }, ""),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 404},
		hide: map[string][]string{sec: {svFRDraft}, kePOC: {svFRDraft}, nzPOC: {svFRDraft}, anon: {svFRDraft}},
		show: map[string][]string{frViewer: {svFRDraft, `"status":"draft"`}}},
	{name: "FR's report for participants", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.frA }, ""),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 404},
		hide: map[string][]string{nzPOC: {svFRParts}, anon: {svFRParts}, kePOC: {frPOCEmail, "updated_by"}},
		show: map[string][]string{kePOC: {svFRParts, `"visibility":"participants"`}}},
	{name: "KE's private report", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.keA }, ""),
		want: byRole{200, 404, 404, 404, 200, 404, 404, 404},
		hide: map[string][]string{frAdmin: {svKEPrivate}, frPOC: {svKEPrivate}, frViewer: {svKEPrivate}, readOnly: {svKEPrivate},
			nzPOC: {svKEPrivate}, anon: {svKEPrivate}},
		show: map[string][]string{sec: {svKEPrivate}, kePOC: {svKEPrivate}}},
	{name: "NZ's submitted report", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.nzA }, ""),
		want: byRole{200, 404, 404, 404, 404, 200, 404, 404},
		hide: map[string][]string{frPOC: {svNZSubmit}, kePOC: {svNZSubmit}, anon: {svNZSubmit}}, show: map[string][]string{sec: {svNZSubmit}}},
	{name: "KE's public report", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.keB }, ""),
		want: all(200), show: map[string][]string{anon: {svKEPublic, `"visibility":"public"`}}},
	{name: "start a report", method: http.MethodPost,
		path: func(f *fixture, _ string) string { return "/survey/cycles/" + f.freshCycle().ID + "/reports" },
		// A State that does not participate still reports, carrying its
		// answers of the cycle before; the secretariat has no report.
		want: byRole{403, 201, 201, 403, 201, 201, 403, 401},
		show: map[string][]string{nzPOC: {`"state":"NZ"`, `"status":"draft"`, svNZSubmit}}},
	{name: "start a report in a cycle not open yet", method: http.MethodPost,
		path: surveyPath(func(s *surveySet) string { return "/survey/cycles/" + s.next.ID + "/reports" }, ""),
		want: byRole{403, 409, 409, 403, 409, 409, 403, 401}},
	{name: "answer a part", method: http.MethodPut, header: map[string]string{"If-Match": `"1"`},
		path: func(f *fixture, _ string) string {
			return "/survey/reports/" + f.freshFRReport(false).ID + "/parts/cbms"
		},
		body: func(_ *fixture, role string) any {
			return map[string]any{"answers": []map[string]any{{"subject": "cbm-1", "taken": "partly", "actors": []string{"government"}, "measures": "Measures of " + role},
				{"subject": "cbm-1.a", "support": "yes", "gaps": "Training."}}}
		},
		want: byRole{404, 200, 200, 403, 404, 404, 403, 401},
		show: map[string][]string{frPOC: {`"subject":"cbm-1.a"`, "Measures of frpoc", `"version":2`}}},
	{name: "submit a report", method: http.MethodPost, header: map[string]string{"If-Match": `"1"`},
		path: func(f *fixture, _ string) string { return "/survey/reports/" + f.freshFRReport(false).ID + "/submit" },
		want: byRole{404, 200, 200, 403, 404, 404, 403, 401},
		show: map[string][]string{frAdmin: {`"status":"submitted"`}}},
	{name: "publish a report", method: http.MethodPost, header: map[string]string{"If-Match": `"2"`},
		path: func(f *fixture, _ string) string { return "/survey/reports/" + f.freshFRReport(true).ID + "/publish" },
		body: func(*fixture, string) any { return map[string]any{"visibility": "participants"} },
		// The secretariat reads a submitted report but does not publish it.
		want: byRole{403, 200, 200, 403, 404, 404, 403, 401},
		show: map[string][]string{frPOC: {`"status":"published"`, `"visibility":"participants"`}}},
	{name: "history of FR's draft", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.frB }, "/history"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 404},
		hide: map[string][]string{sec: {frPOCEmail}, kePOC: {frPOCEmail}, anon: {frPOCEmail}},
		show: map[string][]string{frViewer: {frPOCEmail, `"action":"edit"`, `"subjects":["norm-h"]`}}},
	{name: "history of FR's report for participants", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.frA }, "/history"),
		// Another State reads the report, not who wrote it.
		want: byRole{200, 200, 200, 200, 403, 404, 200, 404},
		hide: map[string][]string{kePOC: {frPOCEmail}, nzPOC: {frPOCEmail}, anon: {frPOCEmail}},
		show: map[string][]string{sec: {frPOCEmail, `"action":"publish"`}}},
	{name: "history of KE's public report", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.keB }, "/history"),
		want: byRole{200, 403, 403, 403, 200, 403, 403, 403},
		hide: map[string][]string{frPOC: {"poc@ke.test.invalid"}, anon: {"poc@ke.test.invalid"}}, show: map[string][]string{kePOC: {"poc@ke.test.invalid"}}},
	{name: "changes of FR's draft", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.frB }, "/changes"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 404},
		hide: map[string][]string{sec: {svFRDraft, svFRParts}, kePOC: {svFRDraft, svFRParts}, nzPOC: {svFRDraft}, anon: {svFRDraft}},
		show: map[string][]string{frViewer: {`"before":"` + svFRParts + `"`, `"after":"` + svFRDraft + `"`, `"field":"measures"`}}},
	{name: "changes of KE's public report", method: http.MethodGet, path: reportPath(func(s *surveySet) survey.Report { return s.keB }, "/changes"),
		// The report before it is private: compared only for those who
		// may read it.
		want: all(200),
		hide: map[string][]string{frPOC: {svKEPrivate}, nzPOC: {svKEPrivate}, anon: {svKEPrivate}},
		show: map[string][]string{anon: {`"previous":null`, `"changes":[]`}, sec: {svKEPrivate}, kePOC: {svKEPrivate, svKEPublic}}},
}

func init() { matrix = append(matrix, surveyMatrix...) }
