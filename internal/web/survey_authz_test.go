package web_test

import (
	"net/http"
	"net/url"
)

// surveyRows are the authorization matrix's rows of the survey pages. A
// draft is its own State's only; a report published for participants is
// not for the public nor for NZ (not participating); a private one is its
// State's and the secretariat's; who changed a report is for the State
// and the secretariat.
func surveyRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	s := f.survey()
	frA, frB, keA, keB := "/survey/reports/"+s.frA.ID, "/survey/reports/"+s.frB.ID, "/survey/reports/"+s.keA.ID, "/survey/reports/"+s.keB.ID
	others := []string{"anon", "sec", "kepoc", "nzpoc"}
	hidden := func(roles []string, text ...string) map[string][]string {
		m := map[string][]string{}
		for _, r := range roles {
			m[r] = text
		}
		return m
	}
	frOnly := func(s int) map[string]int { return map[string]int{"fradmin": s, "frpoc": s, "frviewer": s} }
	bad := url.Values{"part": {"norms"}, "version": {"2"}, "norm-h.measures": {"a\x00b"}, "norm-h.taken": {"maybe"}, "norm-c.examples": {"\xff"}}
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"survey cycles", "GET", "/survey", nil, expect{def: ok,
			present: map[string][]string{"anon": {"2026a", "2026b", "/survey/cycles/" + s.a.ID}, "sec": {`action="/survey/cycles"`}},
			absent:  hidden([]string{"anon", "fradmin", "frpoc", "frviewer", "kepoc", "nzpoc"}, `action="/survey/cycles"`)}},
		{"open a cycle (bad input)", "POST", "/survey/cycles", url.Values{"name": {"20\x0027"}, "opens": {"2027-02-30"}, "deadline": {"9999-01-01"}},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity},
				present: map[string][]string{"sec": {`id="opens-error"`}}}},
		{"open a cycle (taken name)", "POST", "/survey/cycles", url.Values{"name": {"2026a"}, "opens": {"2026-01-01"}, "deadline": {"2026-03-01"}},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity},
				present: map[string][]string{"sec": {`id="name-error"`}}}},
		{"cycle with drafts", "GET", "/survey/cycles/" + s.b.ID, nil, expect{def: ok,
			present: map[string][]string{"anon": {keB}, "nzpoc": {keB}, "frpoc": {frB, keB}, "frviewer": {frB}},
			absent:  mergeHidden(hidden(others, frB), hidden([]string{"anon", "sec", "kepoc", "frviewer"}, "/start"))}},
		{"cycle with private and participants' reports", "GET", "/survey/cycles/" + s.a.ID, nil, expect{def: ok,
			present: map[string][]string{"sec": {frA, keA}, "kepoc": {frA, keA}, "frpoc": {frA}},
			absent:  map[string][]string{"anon": {frA, keA}, "nzpoc": {frA, keA}, "fradmin": {keA}, "frpoc": {keA}, "frviewer": {keA}}}},
		{"unknown cycle", "GET", "/survey/cycles/not-a-cycle", nil, expect{def: notFound}},
		{"start a report in a cycle not open", "POST", "/survey/cycles/" + s.future.ID + "/start", nil, expect{def: http.StatusConflict,
			status: map[string]int{"anon": unauth, "sec": forbidden, "frviewer": forbidden}}},
		{"FR's draft", "GET", frB, nil, expect{def: notFound, status: frOnly(ok),
			present: map[string][]string{"fradmin": {frDraftText, frB + "/edit?part=norms", frB + "/submit", frB + "/history", frB + "/changes"}, "frviewer": {frDraftText}},
			absent:  mergeHidden(hidden(others, frDraftText), map[string][]string{"frviewer": {"/edit?part", "/submit"}})}},
		{"FR's report for participants", "GET", frA, nil, expect{def: ok, status: map[string]int{"anon": notFound, "nzpoc": notFound},
			present: map[string][]string{"kepoc": {frPartsText}, "sec": {frPartsText}, "frpoc": {frA + "/publish"}},
			absent: map[string][]string{"anon": {frPartsText}, "nzpoc": {frPartsText}, "kepoc": {"/publish", "/history"}, "sec": {"/publish"},
				"frviewer": {"/publish"}}}},
		{"FR's report, printable", "GET", frA + "?print=1", nil, expect{def: ok, status: map[string]int{"anon": notFound, "nzpoc": notFound},
			present: map[string][]string{"kepoc": {frPartsText}}}},
		{"KE's private report as JSON", "GET", keA + ".json", nil, expect{def: notFound, status: map[string]int{"sec": ok, "kepoc": ok},
			present: map[string][]string{"sec": {kePrivateText, `"visibility": "private"`}}, absent: hidden([]string{"anon", "frpoc", "nzpoc"}, kePrivateText)}},
		{"KE's public report as CSV", "GET", keB + ".csv", nil, expect{def: ok, present: map[string][]string{"anon": {kePublicText, "norm-h"}}}},
		{"edit form of FR's draft", "GET", frB + "/edit?part=cbms", nil, expect{def: notFound,
			status:  map[string]int{"fradmin": ok, "frpoc": ok, "frviewer": forbidden},
			present: map[string][]string{"frpoc": {`name="cbm-1.a.taken"`, `name="cbm-1.actors"`}}, absent: hidden(others, frDraftText)}},
		{"edit form of a published report", "GET", frA + "/edit", nil, expect{def: notFound,
			status: map[string]int{"fradmin": http.StatusConflict, "frpoc": http.StatusConflict, "frviewer": forbidden, "sec": forbidden, "kepoc": forbidden}}},
		{"save FR's draft (bad input)", "POST", frB + "/edit", bad, expect{def: notFound,
			status:  map[string]int{"fradmin": http.StatusUnprocessableEntity, "frpoc": http.StatusUnprocessableEntity, "frviewer": forbidden},
			present: map[string][]string{"frpoc": {`id="norm-h.measures-error"`, `id="norm-h.taken-error"`, `id="norm-c.examples-error"`}}}},
		{"save FR's draft (stale version)", "POST", frB + "/edit", url.Values{"part": {"law"}, "version": {"999"}, "law-26.gaps": {"x"}}, expect{def: notFound,
			status: map[string]int{"fradmin": http.StatusConflict, "frpoc": http.StatusConflict, "frviewer": forbidden}}},
		{"submit FR's draft (stale version)", "POST", frB + "/submit", url.Values{"version": {"999"}}, expect{def: notFound,
			status: map[string]int{"fradmin": http.StatusConflict, "frpoc": http.StatusConflict, "frviewer": forbidden}}},
		{"publish FR's report (stale version)", "POST", frA + "/publish", url.Values{"version": {"999"}, "visibility": {"public"}}, expect{def: forbidden,
			status: map[string]int{"anon": notFound, "nzpoc": notFound, "fradmin": http.StatusConflict, "frpoc": http.StatusConflict}}},
		{"history of FR's report", "GET", frA + "/history", nil, expect{def: ok, status: map[string]int{"anon": notFound, "nzpoc": notFound, "kepoc": forbidden},
			present: map[string][]string{"sec": {"poc@fr.test.invalid"}}, absent: hidden([]string{"anon", "kepoc", "nzpoc"}, "poc@fr.test.invalid")}},
		{"history of FR's draft", "GET", frB + "/history", nil, expect{def: notFound, status: frOnly(ok),
			present: map[string][]string{"frviewer": {"admin@fr.test.invalid", "norm-h"}}}},
		{"changes in FR's draft", "GET", frB + "/changes", nil, expect{def: notFound, status: frOnly(ok),
			present: map[string][]string{"frviewer": {frPartsText, frDraftText}}, absent: hidden(others, frDraftText, frPartsText)}},
		{"changes in KE's public report", "GET", keB + "/changes", nil, expect{def: ok,
			present: map[string][]string{"kepoc": {kePrivateText, kePublicText}, "sec": {kePrivateText}},
			absent:  hidden([]string{"anon", "fradmin", "frpoc", "frviewer", "nzpoc"}, kePrivateText, kePublicText)}},
	}
}

func mergeHidden(a, b map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range []map[string][]string{a, b} {
		for k, v := range m {
			out[k] = append(out[k], v...)
		}
	}
	return out
}
