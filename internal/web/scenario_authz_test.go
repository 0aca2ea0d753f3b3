package web_test

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/scenario"
)

// What the scenario pages must show only to those who may see it.
const (
	secScenarioTitle = "Secretariat regional drill 5c1e"
	frScenarioTitle  = "FR national drill 7b20"
	keScenarioTitle  = "KE shared drill 9d4a"
	frGoneTitle      = "FR drill to withdraw 2f6c"
	frPrompt         = "The CERT of FR sees the grid operator 7b20"
	shippedTitle     = "Ransomware on a hospital network"
)

type scenarios struct {
	sec, fr, ke, frGone scenario.Scenario
}

func scenarioInput(title, prompt string) scenario.Input {
	return scenario.Input{Language: "en", Title: title, Summary: "A drill.", Narrative: "It begins.", Duration: 2 * time.Hour,
		Objectives: []scenario.Objective{{Text: "Ask for help.", Provisions: []string{"norm-h"}}},
		Roles:      []scenario.Role{{Key: "A", Name: "Affected State"}, {Key: "B", Name: "State asked"}},
		Injects: []scenario.Inject{
			{Key: "notice", Kind: scenario.Communication, Title: "Notice", FromSimulated: "CERT of C", ToRoles: []string{"A"}, ToLevel: scenario.Technical,
				Type: messaging.InformationRequest, Urgency: messaging.Urgent, TLP: "amber", Subject: "Seen this?", Body: "Tell us.",
				Fields: map[string]string{"question": "Indicators?"}, Expected: []scenario.Expectation{{Key: "ack", Action: scenario.Acknowledge, Within: 30 * time.Minute}}},
			{Key: "found", Offset: time.Hour, Kind: scenario.Prompt, Title: "Found", ToRoles: []string{"A"}, Prompt: prompt,
				Expected: []scenario.Expectation{{Key: "ask", Action: scenario.RequestAssistance, Within: 30 * time.Minute, ToRole: "B"}}},
		}}
}

// scenarios are the fixture's: the secretariat's, FR's own (unshared),
// KE's shared with every participating State, and FR's to withdraw.
func (f *fixture) scenarios() scenarios {
	f.t.Helper()
	ctx := context.Background()
	var s scenarios
	var err error
	must := func(sc scenario.Scenario, err error) scenario.Scenario {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
		return sc
	}
	s.sec = must(f.app.Scenarios.Create(ctx, f.acc["sec"].Actor(), scenarioInput(secScenarioTitle, "The region is hit.")))
	s.fr = must(f.app.Scenarios.Create(ctx, f.acc["fradmin"].Actor(), scenarioInput(frScenarioTitle, frPrompt)))
	s.frGone = must(f.app.Scenarios.Create(ctx, f.acc["fradmin"].Actor(), scenarioInput(frGoneTitle, "Soon gone.")))
	s.ke = must(f.app.Scenarios.Create(ctx, f.acc["keadmin"].Actor(), scenarioInput(keScenarioTitle, "KE's story.")))
	if s.ke, err = f.app.Scenarios.Share(ctx, f.acc["keadmin"].Actor(), s.ke.ID, true); err != nil {
		f.t.Fatal(err)
	}
	return s
}

// scenarioRows are the authorization matrix's rows of the scenario pages.
// FR's unshared scenario must appear to FR's accounts only: not to the
// secretariat, KE or NZ, in lists, pages, forms or downloads.
func scenarioRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	s := f.scenarios()
	base := "/exercises/scenarios/"
	sec, fr, ke, gone := base+s.sec.ID, base+s.fr.ID, base+s.ke.ID, base+s.frGone.ID
	frEdit, secEdit := `href="`+fr+`/edit"`, `href="`+sec+`/edit"`
	frOnly := []string{frScenarioTitle, frPrompt}
	writers := func(st int) map[string]int { return map[string]int{"anon": unauth, "sec": st, "fradmin": st} }
	create := url.Values{"title": {"Matrix drill"}, "language": {"en"}, "duration": {"120"}, "objective_rows": {"1"},
		"objectives[0].text": {"Practise."}, "objectives[0].provisions": {"norm-h"}, "role_rows": {"2"},
		"roles[0].key": {"A"}, "roles[0].name": {"Affected"}, "roles[1].key": {"B"}, "roles[1].name": {"Asked"},
		"inject_rows": {"1"}, "injects[0].kind": {"prompt"}, "injects[0].title": {"Start"}, "injects[0].offset": {"0"},
		"injects[0].to_roles": {"A"}, "injects[0].prompt": {"It starts."}, "injects[0].expected_rows": {"1"},
		"injects[0].expected[0].action": {"escalate"}, "injects[0].expected[0].within": {"60"}}
	broken := url.Values{"title": {"Bad\x00title"}, "language": {"en"}, "duration": {"many"}, "inject_rows": {"1"},
		"injects[0].kind": {"communication"}, "injects[0].title": {"Start"}, "injects[0].offset": {"9999999999999999999999"},
		"injects[0].to_roles": {"Z"}, "injects[0].type": {"assistance_request"}, "injects[0].expected_rows": {"1"},
		"injects[0].expected[0].action": {"acknowledge"}, "injects[0].expected[0].within": {"-5"}}
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"scenarios", "GET", "/exercises/scenarios", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"sec": {secScenarioTitle, keScenarioTitle, shippedTitle, `href="/exercises/scenarios/new"`},
				"fradmin": {secScenarioTitle, frScenarioTitle, keScenarioTitle, shippedTitle, `href="/exercises/scenarios/import"`},
				"frpoc":   {secScenarioTitle, frScenarioTitle, keScenarioTitle}, "frviewer": {frScenarioTitle}, "kepoc": {secScenarioTitle, keScenarioTitle, shippedTitle}},
			absent: map[string][]string{"anon": {secScenarioTitle, shippedTitle}, "sec": frOnly, "frpoc": {`href="/exercises/scenarios/new"`},
				"frviewer": {`href="/exercises/scenarios/new"`}, "kepoc": append([]string{`href="/exercises/scenarios/new"`}, frOnly...),
				"nzpoc": {secScenarioTitle, frScenarioTitle, keScenarioTitle, shippedTitle}}}},
		{"scenarios by provision", "GET", "/exercises/scenarios?provision=norm-j&owner=shipped", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"kepoc": {"A vulnerability report in an industrial control product"}},
			absent:  map[string][]string{"kepoc": {shippedTitle, keScenarioTitle}, "fradmin": frOnly}}},
		{"scenarios with a bad filter", "GET", "/exercises/scenarios?provision=norm-zz", nil, expect{def: http.StatusUnprocessableEntity,
			status: map[string]int{"anon": see}, absent: map[string][]string{"sec": frOnly, "kepoc": frOnly}}},
		{"the secretariat's scenario", "GET", sec, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": {secEdit, "/framework/norm-h", "Affected State", "T&#43;1:00"}, "fradmin": {sec + "/copy", sec + "/export"},
				"kepoc": {secScenarioTitle, sec + "/export"}},
			absent: map[string][]string{"anon": {secScenarioTitle}, "fradmin": {secEdit, sec + "/share", sec + "/withdraw"},
				"frpoc": {secEdit, sec + "/copy"}, "kepoc": {secEdit, sec + "/copy"}, "nzpoc": {secScenarioTitle}}}},
		{"FR's unshared scenario", "GET", fr, nil, expect{def: notFound,
			status:  map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "frviewer": ok},
			present: map[string][]string{"fradmin": {frEdit, fr + "/share", fr + "/withdraw", frPrompt}, "frpoc": {frPrompt}, "frviewer": {frPrompt}},
			absent: map[string][]string{"anon": frOnly, "sec": frOnly, "kepoc": frOnly, "nzpoc": frOnly,
				"frpoc": {frEdit, fr + "/share", fr + "/withdraw"}, "frviewer": {frEdit, fr + "/copy"}}}},
		{"an older version of FR's scenario", "GET", fr + "?version=1", nil, expect{def: notFound,
			status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "frviewer": ok}, absent: map[string][]string{"sec": frOnly, "kepoc": frOnly}}},
		{"no such version", "GET", fr + "?version=9", nil, expect{def: notFound, status: map[string]int{"anon": see},
			absent: map[string][]string{"kepoc": frOnly}}},
		{"KE's shared scenario", "GET", ke, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"fradmin": {keScenarioTitle, ke + "/copy"}},
			absent:  map[string][]string{"fradmin": {`href="` + ke + `/edit"`, ke + "/unshare"}, "sec": {ke + "/unshare"}, "nzpoc": {keScenarioTitle}}}},
		{"unknown scenario", "GET", base + "not-a-scenario", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
		{"no such scenario action", "GET", sec + "/publish", nil, expect{def: notFound}},
		{"export FR's scenario", "GET", fr + "/export", nil, expect{def: notFound,
			status:  map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "frviewer": ok},
			present: map[string][]string{"frviewer": {`"format": "detente-scenario"`, frPrompt}},
			absent:  map[string][]string{"sec": frOnly, "kepoc": frOnly, "nzpoc": frOnly}}},
		{"new scenario form", "GET", base + "new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
			present: map[string][]string{"fradmin": {`name="injects[1].expected[1].within"`, `name="roles[0].key"`}}}},
		{"import form", "GET", base + "import", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
			present: map[string][]string{"sec": {`enctype="multipart/form-data"`}}}},
		{"edit form of FR's scenario", "GET", fr + "/edit", nil, expect{def: notFound,
			status:  map[string]int{"anon": see, "fradmin": ok, "frpoc": forbidden, "frviewer": forbidden},
			present: map[string][]string{"fradmin": {frPrompt, `value="120"`}}, absent: map[string][]string{"sec": frOnly, "kepoc": frOnly}}},
		{"edit form of the secretariat's scenario", "GET", sec + "/edit", nil, expect{def: forbidden,
			status: map[string]int{"anon": see, "sec": ok, "nzpoc": notFound}}},
		{"write a scenario", "POST", "/exercises/scenarios", create, expect{def: forbidden, status: writers(see)}},
		{"write a scenario (bad input)", "POST", "/exercises/scenarios", broken, expect{def: forbidden, status: writers(http.StatusUnprocessableEntity),
			present: map[string][]string{"fradmin": {`id="title-error"`, `id="duration-error"`, `id="injects[0].offset-error"`, `id="injects[0].to_roles-error"`,
				`id="injects[0].expected[0].within-error"`, "enter a whole number of minutes"}}}},
		{"import without a file", "POST", base + "import", nil, expect{def: forbidden, status: writers(http.StatusUnprocessableEntity),
			present: map[string][]string{"sec": {`id="file-error"`}}}},
		{"change FR's scenario (stale version)", "POST", fr + "/edit", create, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": http.StatusConflict, "kepoc": notFound, "nzpoc": notFound}}},
		{"copy the secretariat's scenario", "POST", sec + "/copy", nil, expect{def: forbidden, status: writers(see)}},
		{"share KE's scenario", "POST", ke + "/share", nil, expect{def: forbidden, status: map[string]int{"anon": unauth}}},
		{"share FR's scenario", "POST", fr + "/share", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		// Shared by the row before, FR's scenario is seen by the
		// secretariat, which may not change it.
		{"stop sharing FR's scenario", "POST", fr + "/unshare", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see}}},
		{"withdraw FR's scenario", "POST", gone + "/withdraw", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
	}
}
