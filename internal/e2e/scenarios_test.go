package e2e

import (
	"context"

	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// scenarioStops are the scenario pages each person visits, by account
// key: the list, a shipped scenario with its timeline, the writers' form
// empty and sent back with errors, and the import page.
func scenarioStops(f *fixture) map[string][]stop {
	f.t.Helper()
	res, err := f.app.Scenarios.List(context.Background(), f.acc["fradmin"].Actor(), scenario.Filter{Owner: "shipped"}, page.First())
	if err != nil || len(res.Items) == 0 {
		f.t.Fatalf("shipped scenarios: %v %v", res.Items, err)
	}
	shipped := "/exercises/scenarios/" + res.Items[0].ID
	return map[string][]stop{
		"fradmin": {
			{name: "scenarios", path: "/exercises/scenarios"},
			{name: "scenario", path: shipped},
			{name: "scenario-new", path: "/exercises/scenarios/new"},
			{name: "scenario-new-errors", path: "/exercises/scenarios/new", then: func(b *tab) {
				b.click(saveButton)
				b.waitFor("#title-error")
			}},
			{name: "scenario-import", path: "/exercises/scenarios/import"},
		},
		"sec": {
			{name: "scenarios", path: "/exercises/scenarios?owner=shipped"},
			{name: "scenario", path: shipped},
		},
	}
}

// withScenarios adds the scenario pages to the tour's legs.
func withScenarios(f *fixture, legs []leg) []leg {
	more := scenarioStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
