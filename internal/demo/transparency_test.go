package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/page"
)

// checkDemoSurvey reads the demo's two survey cycles as their readers
// would: the public reads the reports published for it, another State
// also those published for participants, nobody but Kenya its draft of
// the current cycle; France's current report says what changed.
func checkDemoSurvey(t *testing.T, ctx context.Context, a *app.App, who func(string) actor.Actor) {
	t.Helper()
	sec := who("secretariat@un.demo.invalid")
	cycles, err := a.Survey.Cycles(ctx, sec, page.Request{Limit: page.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, c := range cycles.Items {
		ids[c.Name] = c.ID
	}
	if ids[demoEarlierCycle] == "" || ids[demoCurrentCycle] == "" {
		t.Fatalf("cycles %v", ids)
	}
	states := func(viewer actor.Actor, cycle string) []string {
		t.Helper()
		p, err := a.Survey.Reports(ctx, viewer, ids[cycle], page.Request{Limit: page.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range p.Items {
			out = append(out, r.State+":"+string(r.Status))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		viewer         actor.Actor
		label          string
		earlier, later []string
	}{
		{actor.Actor{}, "the public", []string{"BR:published", "FR:published"}, []string{"FR:published"}},
		{who("cert.duty@br.demo.invalid"), "Brazil", []string{"BR:published", "FR:published", "JP:published", "KE:published"}, []string{"FR:published"}},
		{who("analyst@ke.demo.invalid"), "Kenya", []string{"BR:published", "FR:published", "JP:published", "KE:published"}, []string{"FR:published", "KE:draft"}},
		{sec, "the secretariat", []string{"BR:published", "FR:published", "JP:published", "KE:published"}, []string{"FR:published"}},
	} {
		if got := states(c.viewer, demoEarlierCycle); !slices.Equal(got, c.earlier) {
			t.Errorf("%s reads %v of %s, want %v", c.label, got, demoEarlierCycle, c.earlier)
		}
		if got := states(c.viewer, demoCurrentCycle); !slices.Equal(got, c.later) {
			t.Errorf("%s reads %v of %s, want %v", c.label, got, demoCurrentCycle, c.later)
		}
	}
	p, err := a.Survey.Reports(ctx, actor.Actor{}, ids[demoCurrentCycle], page.Request{Limit: page.MaxLimit})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("France's current report: %v %v", p.Items, err)
	}
	d, err := a.Survey.Changes(ctx, actor.Actor{}, p.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]bool{}
	for _, x := range d.Changes {
		changed[x.Key()] = true
	}
	if d.Previous == nil || !changed["norm-j"] || changed["norm-h"] {
		t.Errorf("changes since the earlier cycle: previous %v, changed %v", d.Previous != nil, changed)
	}
}

// checkDemoLibrary reads the demo's policy library: a dozen documents, the
// word only the PDF holds found by anyone, Kenya's draft regulations by
// Kenya and the secretariat only (private, as for capacity building), France's earlier strategy superseded by its current one.
func checkDemoLibrary(t *testing.T, ctx context.Context, a *app.App, who func(string) actor.Actor) {
	t.Helper()
	list := func(viewer actor.Actor, f library.Filter) []library.Document {
		t.Helper()
		p, err := a.Library.List(ctx, viewer, f, page.Request{Limit: page.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		return p.Items
	}
	if n := len(list(who("analyst@ke.demo.invalid"), library.Filter{})); n < 12 {
		t.Errorf("Kenya reads %d documents, want a dozen", n)
	}
	found := list(actor.Actor{}, library.Filter{Query: demoPDFWord})
	if len(found) != 1 || found[0].Owner != "JP" || found[0].Text != library.Extracted {
		t.Errorf("searching for a word of the PDF finds %+v", found)
	}
	const draft = "Draft critical information infrastructure regulations"
	titles := func(ds []library.Document) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Title)
		}
		return out
	}
	for _, viewer := range []actor.Actor{{}, who("cert.duty@fr.demo.invalid"), who("cert.duty@br.demo.invalid")} {
		if slices.Contains(titles(list(viewer, library.Filter{})), draft) {
			t.Errorf("%q reads Kenya's private draft", viewer.Email)
		}
	}
	for _, email := range []string{"cert.duty@ke.demo.invalid", "secretariat@un.demo.invalid"} {
		if !slices.Contains(titles(list(who(email), library.Filter{State: "KE"})), draft) {
			t.Errorf("%s does not read Kenya's draft", email)
		}
	}
	superseded := 0
	for _, d := range list(actor.Actor{}, library.Filter{State: "FR"}) {
		if d.Status == library.Superseded && d.SupersededBy != "" {
			superseded++
		}
	}
	if superseded != 1 {
		t.Errorf("%d of France's documents are superseded, want its earlier strategy", superseded)
	}
}
