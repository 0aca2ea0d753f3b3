package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/page"
)

// checkDemoExercise reads the demo's finished run as its people would:
// the secretariat's report has met, late and missed expectations with
// their measured times and lessons from both States; each State sees its
// own rows and notes only; a State that did not take part does not see
// the run.
func checkDemoExercise(t *testing.T, ctx context.Context, a *app.App, who func(string) actor.Actor) {
	t.Helper()
	find := func(viewer actor.Actor) *exercise.Run {
		t.Helper()
		p, err := a.Exercises.Runs(ctx, viewer, page.Request{Limit: page.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			if r.Title == demoRunTitle {
				return &r
			}
		}
		return nil
	}
	sec := who("secretariat@un.demo.invalid")
	r := find(sec)
	if r == nil {
		t.Fatal("the secretariat does not see the demo's run")
	}
	if r.Status != exercise.Ended {
		t.Errorf("run is %s, want ended", r.Status)
	}
	rep, err := a.Exercises.Report(ctx, sec, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[exercise.Outcome]int{}
	for _, x := range rep.Results {
		outcomes[x.Outcome]++
		if (x.Outcome == exercise.Met || x.Outcome == exercise.Late) && x.Measured == nil {
			t.Errorf("%s/%s %s has no measured time", x.Inject, x.State, x.Outcome)
		}
	}
	if outcomes[exercise.Met] < 2 || outcomes[exercise.Late] < 1 || outcomes[exercise.Missed] < 1 || outcomes[exercise.Pending] != 0 {
		t.Errorf("outcomes %v: want met, late and missed, none pending", outcomes)
	}
	lessons := map[string]int{}
	for _, n := range rep.Notes {
		lessons[n.State]++
	}
	if lessons["KE"] < 2 || lessons["FR"] < 2 || lessons[""] < 1 {
		t.Errorf("notes by State %v", lessons)
	}

	for _, st := range []string{"KE", "FR"} {
		viewer := who("cert.duty@" + map[string]string{"KE": "ke", "FR": "fr"}[st] + ".demo.invalid")
		rep, err := a.Exercises.Report(ctx, viewer, r.ID)
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		for _, x := range rep.Results {
			if x.State != st {
				t.Errorf("%s sees %s's result for %s", st, x.State, x.Inject)
			}
		}
		for _, n := range rep.Notes {
			if n.State != st {
				t.Errorf("%s sees a note by %q", st, n.State)
			}
		}
	}
	if find(who("cert.duty@br.demo.invalid")) != nil {
		t.Error("Brazil, which did not take part, sees the run")
	}

	// The finished run was planned, and a second one is planned ahead for
	// Brazil and Japan: each is in its players' calendar feeds only.
	if r.PlannedStart == nil || r.StartedAt == nil || !r.PlannedStart.Equal(*r.StartedAt) || r.TimeZone != "Africa/Nairobi" {
		t.Errorf("the finished run was planned for %v in %q and started %v", r.PlannedStart, r.TimeZone, r.StartedAt)
	}
	titles := func(email string) []string {
		t.Helper()
		evs, err := a.Exercises.FeedEvents(ctx, who(email))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.Summary)
		}
		return out
	}
	for email, want := range map[string][]string{
		"cert.duty@ke.demo.invalid":   {"[EXERCISE] " + demoRunTitle},
		"cert.duty@br.demo.invalid":   {"[EXERCISE] " + plannedRunTitle},
		"cert.duty@jp.demo.invalid":   {"[EXERCISE] " + plannedRunTitle},
		"secretariat@un.demo.invalid": {"[EXERCISE] " + demoRunTitle, "[EXERCISE] " + plannedRunTitle},
	} {
		if got := titles(email); !slices.Equal(got, want) {
			t.Errorf("%s's calendar feed lists the runs %q, want %q", email, got, want)
		}
	}
}

// checkDemoCapacity reads the demo's capacity building as its people
// would: the public sees the partnership Kenya and France published and
// Kenya's public need, not its need for participants; Brazil's proposal
// to Japan, unanswered, is seen by the two sides only.
func checkDemoCapacity(t *testing.T, ctx context.Context, a *app.App, who func(string) actor.Actor) {
	t.Helper()
	pub, err := a.Capacity.Published(ctx, actor.Actor{}, page.Request{Limit: page.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Items) != 1 || pub.Items[0].NeedTitle != demoKenyaNeed || pub.Items[0].OfferTitle != demoFranceOffer {
		t.Errorf("published partnerships %+v", pub.Items)
	}
	needs, err := a.Capacity.Needs(ctx, actor.Actor{}, capacity.Filter{}, page.Request{Limit: page.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needs.Items {
		if n.Visibility != capacity.Public {
			t.Errorf("the public sees %q, for %s", n.Title, n.Visibility)
		}
	}
	if len(needs.Items) == 0 {
		t.Error("the public sees no need")
	}
	for email, want := range map[string]int{"cert.duty@br.demo.invalid": 1, "cert.duty@jp.demo.invalid": 1, "cert.duty@fr.demo.invalid": 1, "cert.duty@ke.demo.invalid": 1, "secretariat@un.demo.invalid": 0} {
		mine, err := a.Capacity.Mine(ctx, who(email), page.Request{Limit: page.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(mine.Items) != want {
			t.Errorf("%s is a side of %d partnerships, want %d", email, len(mine.Items), want)
		}
	}
}
