package exercise_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestAcceleratedRunDeliversOnSchedule plays the ransomware scenario at
// twelve times real time: each inject goes out when the run's scenario
// time reaches its offset (an hour of scenario time is five minutes of
// wall time), to the technical POCs of the States playing its receiving
// roles and nobody else; a pause holds everything back and a resume goes
// on where it stood; a stop ends delivery for good.
func TestAcceleratedRunDeliversOnSchedule(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec := e.who["sec"]
		r := e.create(t, "sec", e.input())
		if r.Status != exercise.Ready || r.Scenario.Version != 2 || r.Factor != 12 || r.StateOf("B") != "KE" {
			t.Fatalf("created %+v", r)
		}
		e.run(t)
		if got := e.box.take(); len(got) != 0 {
			t.Fatalf("a run that has not started sent %d mails", len(got))
		}
		r, err := e.svc.Start(ctx, sec, r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		want := map[string][]string{"i1": sorted(e.pocs["fr-tech"], e.pocs["de-tech"])}
		if got := injectsOf(e.box.take()); !maps.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("at the start: %v, want %v", got, want)
		}
		steps := []struct {
			name    string
			wall    time.Duration
			do      func() (exercise.Run, error)
			want    map[string][]string
			elapsed time.Duration
		}{
			{name: "a second before the hour", wall: 5*time.Minute - time.Second, elapsed: time.Hour - 12*time.Second},
			{name: "the hour", wall: time.Second, want: map[string][]string{"i2": {e.pocs["fr-tech"]}}, elapsed: time.Hour},
			{name: "paused for ten minutes", do: func() (exercise.Run, error) { return e.svc.Pause(ctx, sec, r.ID, r.Version) }, wall: 10 * time.Minute, elapsed: time.Hour},
			{name: "resumed, a second before two hours", do: func() (exercise.Run, error) { return e.svc.Resume(ctx, sec, r.ID, r.Version) },
				wall: 5*time.Minute - time.Second, elapsed: 2*time.Hour - 12*time.Second},
			{name: "two hours", wall: time.Second, want: map[string][]string{"i3": sorted(e.pocs["ke-tech"], e.pocs["ke-tech2"])}, elapsed: 2 * time.Hour},
			{name: "stopped", do: func() (exercise.Run, error) { return e.svc.Stop(ctx, sec, r.ID, r.Version) }, wall: time.Hour, elapsed: 2 * time.Hour},
		}
		for _, st := range steps {
			if st.do != nil {
				var err error
				if r, err = st.do(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
			}
			e.advance(t, st.wall)
			got := injectsOf(e.box.take())
			if st.want == nil {
				st.want = map[string][]string{}
			}
			if !maps.EqualFunc(got, st.want, slices.Equal) {
				t.Errorf("%s: sent %v, want %v", st.name, got, st.want)
			}
			r, err = e.svc.Run(ctx, sec, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Elapsed(e.clock.Now()); got != st.elapsed {
				t.Errorf("%s: scenario time %v, want %v", st.name, got, st.elapsed)
			}
		}
		if r.Status != exercise.Ended {
			t.Errorf("status %s after stop", r.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM exercise_deliveries WHERE run_id = $1`, r.ID); n != 5 {
			t.Errorf("%d deliveries, want 5", n)
		}
		// Nobody acted: every expectation of the delivered injects, per
		// receiving State, is missed at the stop.
		rep, err := e.svc.Report(ctx, sec, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, res := range rep.Results {
			got = append(got, fmt.Sprintf("%s/%s/%s=%s", res.Inject, res.Expectation, res.State, res.Outcome))
		}
		wantRes := []string{"i1/ack/DE=missed", "i1/ack/FR=missed", "i1/help/DE=missed", "i1/help/FR=missed", "i2/esc/FR=missed", "i3/answer/KE=missed"}
		if !slices.Equal(got, wantRes) {
			t.Errorf("results %v, want %v", got, wantRes)
		}
		if _, err := e.svc.Resume(ctx, sec, r.ID, r.Version); !errs.Is(err, errs.Conflict) {
			t.Errorf("resuming an ended run: %v", err)
		}
	})
}

func sorted(ss ...string) []string { slices.Sort(ss); return ss }

// TestScenarioEndsTheRun: the clock stops at the scenario's duration and
// the run ends by itself, with what nobody did missed.
func TestScenarioEndsTheRun(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := exercise.Input{ScenarioID: bilateral().ID, Assignments: []exercise.Assignment{{Role: "A", State: "JP"}, {Role: "B", State: "DE"}},
			Levels: []scenario.Level{scenario.Technical}, Factor: 60}
		r := e.create(t, "jpadmin", in)
		if r.Title != bilateral().Title {
			t.Errorf("title %q, want the scenario's", r.Title)
		}
		r, err := e.svc.Start(ctx, e.who["jpadmin"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		e.advance(t, 10*time.Second) // ten scenario minutes
		if got := injectsOf(e.box.take()); !slices.Equal(got["m1"], []string{e.pocs["de-tech"]}) || len(got) != 1 {
			t.Fatalf("sent %v", got)
		}
		e.advance(t, 50*time.Second)
		r, err = e.svc.Run(ctx, e.who["jpadmin"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != exercise.Ended || r.Elapsed(e.clock.Now().Add(time.Hour)) != time.Hour {
			t.Errorf("at the scenario's end: %s, %v", r.Status, r.Elapsed(e.clock.Now()))
		}
		rep, err := e.svc.Report(ctx, e.who["deadmin"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 1 || rep.Results[0].Outcome != exercise.Missed {
			t.Errorf("results %+v", rep.Results)
		}
	})
}

// TestMatchingExpectations: players act; the first matching action
// within the time allowed meets an expectation with the measured scenario
// time, a later one meets it late, an action that does not fit (another
// role asked, another level, a field left empty) meets nothing, and what
// is left is missed at the end.
func TestMatchingExpectations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec := e.who["sec"]
		r := e.create(t, "sec", e.input())
		r, err := e.svc.Start(ctx, sec, r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		act := func(who string, in exercise.ActionInput) error {
			_, err := e.svc.Act(ctx, e.who[who], r.ID, in)
			return err
		}
		steps := []struct {
			wall time.Duration // wall time to let pass first
			who  string
			in   exercise.ActionInput
			err  errs.Code
		}{
			{wall: time.Minute, who: "frpoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}},                        // T+12m: in time
			{wall: 2 * time.Minute, who: "depoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge, Text: "Seen."}},     // T+36m: late
			{who: "frpoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.RequestAssistance, ToRole: "C", Text: "Can you help?"}}, // wrong role
			{who: "kepoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}, err: errs.Forbidden},                      // KE did not receive i1
			{who: "kepoc2", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}, err: errs.NotFound},                      // KE sees the run, not... see below
			{who: "frviewer", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}, err: errs.Forbidden},
			{who: "nzpoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}, err: errs.NotFound},
			{who: "jppoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}, err: errs.NotFound},
			{wall: 2 * time.Minute, who: "frpoc", in: exercise.ActionInput{Inject: "i1", Action: scenario.RequestAssistance, ToRole: "B", Text: "Please help."}},              // T+1h: in time
			{who: "frpoc", in: exercise.ActionInput{Inject: "i2", Action: scenario.Escalate, Level: scenario.Policy}},                                                         // wrong level
			{wall: 3 * time.Minute, who: "frpoc", in: exercise.ActionInput{Inject: "i2", Action: scenario.Escalate, Level: scenario.Diplomatic}},                              // T+36m after i2
			{wall: 2 * time.Minute, who: "kepoc", in: exercise.ActionInput{Inject: "i3", Action: scenario.Acknowledge}},                                                       // T+2h, as it arrives
			{wall: time.Minute, who: "kepoc", in: exercise.ActionInput{Inject: "i3", Action: scenario.Reply, Text: "Looking."}},                                               // no field
			{wall: 5 * time.Minute, who: "kepoc", in: exercise.ActionInput{Inject: "i3", Action: scenario.Reply, Fields: map[string]string{"status": "indicators attached"}}}, // T+3h12m: late
		}
		for k, st := range steps {
			if st.wall > 0 {
				e.advance(t, st.wall)
			}
			err := act(st.who, st.in)
			if st.who == "kepoc2" {
				// KE takes part, so kepoc2 sees the run, but answers for
				// no POC that received i1.
				st.err = errs.Forbidden
			}
			if st.err == "" && err != nil || st.err != "" && !errs.Is(err, st.err) {
				t.Errorf("step %d (%s %s %s): %v, want %q", k, st.who, st.in.Action, st.in.Inject, err, st.err)
			}
		}
		r, err = e.svc.Run(ctx, sec, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Stop(ctx, sec, r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		rep, err := e.svc.Report(ctx, sec, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, res := range rep.Results {
			v := string(res.Outcome)
			if res.Measured != nil {
				v += " " + res.Measured.String()
			}
			got[res.Inject+"/"+res.Expectation+"/"+res.State] = v
		}
		want := map[string]string{
			"i1/ack/FR": "met 12m0s", "i1/ack/DE": "late 36m0s",
			"i1/help/FR": "met 1h0m0s", "i1/help/DE": "missed",
			"i2/esc/FR":    "met 36m0s",
			"i3/answer/KE": "late 1h12m0s",
		}
		if !maps.Equal(got, want) {
			t.Errorf("results\n got %v\nwant %v", got, want)
		}
		// The live view gives the same per State, with acknowledgement
		// and answer times.
		lv, err := e.svc.Live(ctx, sec, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sv := range lv.States {
			for _, iv := range sv.Injects {
				key := sv.State + "/" + iv.Inject
				switch key {
				case "FR/i1":
					if iv.Arrived == nil || *iv.Arrived != 0 || iv.Acknowledged == nil || *iv.Acknowledged != 12*time.Minute || iv.Answered != nil || iv.POCs != 1 {
						t.Errorf("%s: %+v", key, iv)
					}
				case "KE/i3":
					if iv.Arrived == nil || *iv.Arrived != 2*time.Hour || iv.Acknowledged == nil || *iv.Acknowledged != 0 || iv.Answered == nil || *iv.Answered != 12*time.Minute || iv.POCs != 2 {
						t.Errorf("%s: %+v answered %v", key, iv, iv.Answered)
					}
				case "KE/i1":
					t.Errorf("KE is shown i1, which is not addressed to it")
				}
			}
		}
	})
}

// TestWhoSeesARun creates a run of the secretariat with FR, KE and DE and
// a bilateral run of JP with DE, and asks every reading method as every
// audience: who sees each run, and that a State sees its own rows and
// notes, never another State's, and figures across States only when at
// least three States take part.
func TestWhoSeesARun(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bySec := e.create(t, "sec", e.input())
		byJP := e.create(t, "jpadmin", exercise.Input{ScenarioID: bilateral().ID, Assignments: []exercise.Assignment{{Role: "A", State: "JP"}, {Role: "B", State: "DE"}},
			Levels: []scenario.Level{scenario.Technical}, Factor: 1})
		var err error
		if bySec, err = e.svc.Start(ctx, e.who["sec"], bySec.ID, bySec.Version); err != nil {
			t.Fatal(err)
		}
		if byJP, err = e.svc.Start(ctx, e.who["jpadmin"], byJP.ID, byJP.Version); err != nil {
			t.Fatal(err)
		}
		e.advance(t, 10*time.Minute)
		for _, x := range []struct{ who, run, inject string }{{"frpoc", bySec.ID, "i1"}, {"depoc", bySec.ID, "i1"}, {"depoc", byJP.ID, "m1"}} {
			if _, err := e.svc.Act(ctx, e.who[x.who], x.run, exercise.ActionInput{Inject: x.inject, Action: scenario.Acknowledge}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.AddNote(ctx, e.who[x.who], x.run, exercise.Observation, "observed by "+x.who); err != nil {
				t.Fatal(err)
			}
		}
		spec := map[string]struct {
			sees     []string
			director []string
		}{
			bySec.ID: {sees: []string{"sec", "fradmin", "frpoc", "frviewer", "keadmin", "kepoc", "kepoc2", "keviewer", "deadmin", "depoc", "deviewer"}, director: []string{"sec"}},
			byJP.ID:  {sees: []string{"jpadmin", "jppoc", "jpviewer", "deadmin", "depoc", "deviewer"}, director: []string{"jpadmin", "jppoc", "jpviewer"}},
		}
		for _, who := range everyone {
			a := e.who[who]
			list, lerr := e.svc.Runs(ctx, a, page.First())
			if who == "anon" {
				if !errs.Is(lerr, errs.Unauthenticated) {
					t.Errorf("anonymous lists runs: %v", lerr)
				}
			} else if lerr != nil {
				t.Fatal(lerr)
			}
			for id, s := range spec {
				sees, director := slices.Contains(s.sees, who), slices.Contains(s.director, who)
				listed := slices.ContainsFunc(list.Items, func(r exercise.Run) bool { return r.ID == id })
				if listed != (sees && who != "anon") {
					t.Errorf("%s lists run %s: %v, want %v", who, id, listed, sees)
				}
				_, rerr := e.svc.Run(ctx, a, id)
				lv, lverr := e.svc.Live(ctx, a, id)
				rep, reperr := e.svc.Report(ctx, a, id)
				for _, err := range []error{rerr, lverr, reperr} {
					switch {
					case who == "anon":
						if !errs.Is(err, errs.Unauthenticated) {
							t.Errorf("anonymous reads run %s: %v", id, err)
						}
					case !sees:
						if !errs.Is(err, errs.NotFound) {
							t.Errorf("%s reads run %s: %v, want not found", who, id, err)
						}
					case err != nil:
						t.Fatalf("%s: %v", who, err)
					}
				}
				if !sees {
					continue
				}
				own := a.State
				if lv.Director != director || rep.Director != director {
					t.Errorf("%s on the director's side of %s: %v, want %v", who, id, lv.Director, director)
				}
				if !director {
					for _, sv := range lv.States {
						if sv.State != own {
							t.Errorf("%s sees %s's part of the live view", who, sv.State)
						}
					}
					for _, res := range rep.Results {
						if res.State != own {
							t.Errorf("%s sees %s's result %s/%s", who, res.State, res.Inject, res.Expectation)
						}
					}
					for _, ev := range rep.Timeline {
						if ev.State != "" && ev.State != own || strings.Contains(ev.Text, "observed by") && !strings.Contains(ev.Text, strings.ToLower(own)) {
							t.Errorf("%s sees the timeline entry %+v", who, ev)
						}
					}
					for _, n := range rep.Notes {
						if n.State != own {
							t.Errorf("%s sees %s's note", who, n.State)
						}
					}
					// Three States in the secretariat's run: figures across
					// them; two in JP's: none, they would be the other's.
					if wantOverall := id == bySec.ID; (rep.Overall != nil) != wantOverall || (lv.Overall != nil) != wantOverall {
						t.Errorf("%s sees figures across States of %s: %v, want %v", who, id, rep.Overall != nil, wantOverall)
					}
				} else {
					if len(lv.States) != len(lv.Run.States()) {
						t.Errorf("the director %s sees %d States", who, len(lv.States))
					}
					if len(rep.Notes) != 2 && id == bySec.ID || len(rep.Notes) != 1 && id == byJP.ID {
						t.Errorf("the director %s sees %d notes", who, len(rep.Notes))
					}
				}
			}
		}
		// The figures across States count every State that received an
		// inject, and no row of them is ranked: results come in scenario
		// order and then by State code.
		rep, err := e.svc.Report(ctx, e.who["frpoc"], bySec.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ag := range rep.Overall {
			if ag.Inject == "i1" && ag.Expectation == "ack" && (ag.States != 2 || ag.Met+ag.Late != 2 || ag.Median == nil) {
				t.Errorf("figures across States %+v", ag)
			}
		}
	})
}

// TestDirecting: only the director's side starts, pauses, resumes,
// injects and stops a run; another State's administrator that takes part
// is refused, one that does not is told it does not exist; a stale
// version is a conflict; every change is audited.
func TestDirecting(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.create(t, "sec", e.input())
		for _, x := range []struct {
			who  string
			want errs.Code
		}{
			{"anon", errs.Unauthenticated}, {"fradmin", errs.Forbidden}, {"frpoc", errs.Forbidden}, {"frviewer", errs.Forbidden},
			{"jpadmin", errs.NotFound}, {"nzpoc", errs.Forbidden},
		} {
			if _, err := e.svc.Start(ctx, e.who[x.who], r.ID, r.Version); !errs.Is(err, x.want) {
				t.Errorf("%s starts: %v, want %s", x.who, err, x.want)
			}
		}
		if _, err := e.svc.Start(ctx, e.who["sec"], r.ID, r.Version+1); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale start: %v", err)
		}
		if _, err := e.svc.InjectNow(ctx, e.who["sec"], r.ID, r.Version, "i3"); !errs.Is(err, errs.Conflict) {
			t.Errorf("inject before the start: %v", err)
		}
		before := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'exercise.%'`)
		r, err := e.svc.Start(ctx, e.who["sec"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		e.box.take()
		// Inject now sends i3 at once, and the schedule does not send it
		// again when its time comes.
		r, err = e.svc.InjectNow(ctx, e.who["sec"], r.ID, r.Version, "i3")
		if err != nil {
			t.Fatal(err)
		}
		if got := injectsOf(e.box.take()); len(got) != 1 || len(got["i3"]) != 2 {
			t.Errorf("inject now sent %v", got)
		}
		if _, err := e.svc.InjectNow(ctx, e.who["sec"], r.ID, r.Version, "i3"); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second inject now: %v", err)
		}
		if _, err := e.svc.InjectNow(ctx, e.who["sec"], r.ID, r.Version, "nope"); errs.FieldsOf(err)["inject"] == "" {
			t.Errorf("an unknown inject: %v", err)
		}
		e.advance(t, 15*time.Minute)
		if got := injectsOf(e.box.take()); len(got) != 1 || len(got["i2"]) != 1 {
			t.Errorf("after three scenario hours: %v, want i2 alone", got)
		}
		if r, err = e.svc.Run(ctx, e.who["sec"], r.ID); err != nil {
			t.Fatal(err)
		}
		if r, err = e.svc.Pause(ctx, e.who["sec"], r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Pause(ctx, e.who["sec"], r.ID, r.Version); !errs.Is(err, errs.Conflict) {
			t.Errorf("pausing twice: %v", err)
		}
		if r, err = e.svc.Stop(ctx, e.who["sec"], r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		after := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'exercise.%'`)
		// start, inject_now, the scheduled i1 and i2, pause, stop.
		if after-before != 6 {
			t.Errorf("%d audit entries, want 6", after-before)
		}
	})
}

// TestNotes: observations while the run goes on, lessons once it has
// ended, from the director's side and the participating States only.
func TestNotes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.create(t, "sec", e.input())
		note := func(who string, k exercise.NoteKind) error {
			_, err := e.svc.AddNote(ctx, e.who[who], r.ID, k, "The hand-over between shifts was slow.")
			return err
		}
		if err := note("frpoc", exercise.Observation); !errs.Is(err, errs.Conflict) {
			t.Errorf("an observation before the start: %v", err)
		}
		r, _ = e.svc.Start(ctx, e.who["sec"], r.ID, r.Version)
		for _, x := range []struct {
			who  string
			kind exercise.NoteKind
			want errs.Code
		}{
			{"frpoc", exercise.Observation, ""}, {"sec", exercise.Observation, ""}, {"keadmin", exercise.Observation, ""},
			{"frviewer", exercise.Observation, errs.Forbidden}, {"jppoc", exercise.Observation, errs.NotFound}, {"anon", exercise.Observation, errs.Unauthenticated},
			{"frpoc", exercise.WentWell, errs.Conflict},
		} {
			if err := note(x.who, x.kind); x.want == "" && err != nil || x.want != "" && !errs.Is(err, x.want) {
				t.Errorf("%s writes %s: %v, want %q", x.who, x.kind, err, x.want)
			}
		}
		r, _ = e.svc.Run(ctx, e.who["sec"], r.ID)
		if _, err := e.svc.Stop(ctx, e.who["sec"], r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		if err := note("frpoc", exercise.Observation); !errs.Is(err, errs.Conflict) {
			t.Errorf("an observation after the end: %v", err)
		}
		for _, k := range []exercise.NoteKind{exercise.WentWell, exercise.ToImprove} {
			if err := note("depoc", k); err != nil {
				t.Errorf("a lesson: %v", err)
			}
		}
		rep, err := e.svc.Report(ctx, e.who["sec"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, n := range rep.Notes {
			kinds = append(kinds, n.State+":"+string(n.Kind))
		}
		if want := []string{"FR:observation", ":observation", "KE:observation", "DE:went_well", "DE:to_improve"}; !slices.Equal(kinds, want) {
			t.Errorf("notes %v, want %v", kinds, want)
		}
	})
}

// TestBadInputWritesNothing: what a form may send — NUL bytes, invalid
// UTF-8, hidden formatting characters, huge numbers, unknown roles,
// States and levels — gets field errors on both engines and writes
// nothing.
func TestBadInputWritesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		base := e.input
		creates := []struct {
			name  string
			edit  func(*exercise.Input)
			field string
		}{
			{"no scenario", func(in *exercise.Input) { in.ScenarioID = "" }, "scenario"},
			{"NUL in the scenario", func(in *exercise.Input) { in.ScenarioID = "abc\x00" }, "scenario"},
			{"unknown scenario", func(in *exercise.Input) { in.ScenarioID = "0193c1a0-0000-7000-8000-00000000ffff" }, "scenario"},
			{"huge version", func(in *exercise.Input) { in.ScenarioVersion = 1 << 40 }, "scenario"},
			{"negative version", func(in *exercise.Input) { in.ScenarioVersion = -1 }, "scenario"},
			{"NUL in the title", func(in *exercise.Input) { in.Title = "Drill\x00" }, "title"},
			{"invalid UTF-8 in the title", func(in *exercise.Input) { in.Title = "Drill \xff" }, "title"},
			{"hidden formatting in the title", func(in *exercise.Input) { in.Title = "Drill \u202e2027" }, "title"},
			{"a long title", func(in *exercise.Input) { in.Title = strings.Repeat("x", 201) }, "title"},
			{"factor zero", func(in *exercise.Input) { in.Factor = 0 }, "factor"},
			{"huge factor", func(in *exercise.Input) { in.Factor = 1 << 40 }, "factor"},
			{"no level", func(in *exercise.Input) { in.Levels = nil }, "levels"},
			{"unknown level", func(in *exercise.Input) { in.Levels = []scenario.Level{"strategic"} }, "levels"},
			{"a role without a State", func(in *exercise.Input) { in.Assignments = in.Assignments[:2] }, "assignments.C"},
			{"a State twice", func(in *exercise.Input) { in.Assignments[2].State = "FR" }, "assignments.C"},
			{"a State that does not participate", func(in *exercise.Input) { in.Assignments[2].State = "NZ" }, "assignments.C"},
			{"an unknown State", func(in *exercise.Input) { in.Assignments[2].State = "XX" }, "assignments.C"},
			{"NUL in a State", func(in *exercise.Input) { in.Assignments[2].State = "D\x00" }, "assignments.C"},
			{"an unknown role", func(in *exercise.Input) {
				in.Assignments = append(in.Assignments, exercise.Assignment{Role: "Z", State: "JP"})
			}, "assignments"},
		}
		runs := count(t, db, `SELECT COUNT(*) FROM exercise_runs`)
		audits := count(t, db, `SELECT COUNT(*) FROM audit_log`)
		for _, c := range creates {
			in := base()
			c.edit(&in)
			_, err := e.svc.Create(ctx, e.who["sec"], in)
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: %v (fields %v), want an error on %s", c.name, err, errs.FieldsOf(err), c.field)
			}
		}
		// A State directs only an exercise its State plays in.
		if _, err := e.svc.Create(ctx, e.who["jpadmin"], base()); errs.FieldsOf(err)["assignments"] == "" {
			t.Errorf("JP directs a run without JP: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM exercise_runs`); n != runs {
			t.Errorf("refused runs were stored: %d", n-runs)
		}
		r := e.create(t, "sec", base())
		r, err := e.svc.Start(ctx, e.who["sec"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		acts := []struct {
			name  string
			in    exercise.ActionInput
			field string
		}{
			{"unknown inject", exercise.ActionInput{Inject: "i9", Action: scenario.Acknowledge}, "inject"},
			{"NUL in the inject", exercise.ActionInput{Inject: "i1\x00", Action: scenario.Acknowledge}, "inject"},
			{"unknown action", exercise.ActionInput{Inject: "i1", Action: "celebrate"}, "action"},
			{"reply_with_fields is not a player's action", exercise.ActionInput{Inject: "i1", Action: scenario.ReplyWithFields, Text: "x"}, "action"},
			{"empty reply", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: "  "}, "text"},
			{"NUL in the text", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: "ok\x00"}, "text"},
			{"invalid UTF-8 in the text", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: "ok \xfe"}, "text"},
			{"hidden formatting in the text", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: "ok \u200b"}, "text"},
			{"huge text", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: strings.Repeat("a", 5001)}, "text"},
			{"bad field name", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Fields: map[string]string{"Status!": "x"}}, "fields"},
			{"NUL in a field", exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Fields: map[string]string{"status": "x\x00"}}, "fields.status"},
			{"assistance from nobody", exercise.ActionInput{Inject: "i1", Action: scenario.RequestAssistance, ToRole: "Q"}, "to_role"},
			{"escalate nowhere", exercise.ActionInput{Inject: "i1", Action: scenario.Escalate, Level: "sky"}, "level"},
		}
		actions := count(t, db, `SELECT COUNT(*) FROM exercise_actions`)
		audits = count(t, db, `SELECT COUNT(*) FROM audit_log`)
		for _, c := range acts {
			_, err := e.svc.Act(ctx, e.who["frpoc"], r.ID, c.in)
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: %v (fields %v), want an error on %s", c.name, err, errs.FieldsOf(err), c.field)
			}
		}
		for _, text := range []string{"", "a\x00b", "\xff", "x\u202e", strings.Repeat("n", 5001)} {
			if _, err := e.svc.AddNote(ctx, e.who["frpoc"], r.ID, exercise.Observation, text); errs.FieldsOf(err)["text"] == "" {
				t.Errorf("note %q: %v", text, err)
			}
		}
		if _, err := e.svc.AddNote(ctx, e.who["frpoc"], r.ID, "gossip", "x"); err == nil {
			t.Errorf("a note of an unknown kind was taken")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM exercise_actions`) + count(t, db, `SELECT COUNT(*) FROM exercise_notes`); n != actions {
			t.Errorf("refused actions or notes were stored: %d", n-actions)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log`); n != audits {
			t.Errorf("refused input was audited: %d entries", n-audits)
		}
		// Identifiers that are not a run's are not found, whatever they hold.
		for _, id := range []string{"", "nope", "0193c1a0-0000-7000-8000-00000000ffff", "a\x00b", strings.Repeat("9", 10000)} {
			if _, err := e.svc.Run(ctx, e.who["sec"], id); !errs.Is(err, errs.NotFound) {
				t.Errorf("run %q: %v", id, err)
			}
		}
		if _, err := e.svc.Runs(ctx, e.who["sec"], page.Request{Limit: 10, After: []string{"x"}}); err == nil {
			t.Errorf("a damaged cursor was taken")
		}
	})
}

// TestTwoInstancesDeliverOnce: two instances' workers share one database
// and race each other and the director's "inject now"; every inject still
// reaches each point of contact once.
func TestTwoInstancesDeliverOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		other := jobs.NewQueue(db, e.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{Instance: "second"})
		e.svc.Register(other)
		r := e.create(t, "sec", e.input())
		r, err := e.svc.Start(ctx, e.who["sec"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			e.clock.Advance(5 * time.Minute)
			var wg sync.WaitGroup
			for _, q := range []*jobs.Queue{e.jobs, other, e.jobs, other} {
				wg.Go(func() {
					if _, err := q.RunDue(ctx, 10); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Go(func() {
				cur, err := e.svc.Run(ctx, e.who["sec"], r.ID)
				if err == nil {
					// Refused when it went out already, or when the run
					// moved on meanwhile: either way never twice.
					_, _ = e.svc.InjectNow(ctx, e.who["sec"], r.ID, cur.Version, "i3")
				}
			})
			wg.Wait()
		}
		got := injectsOf(e.box.take())
		want := map[string][]string{"i1": sorted(e.pocs["fr-tech"], e.pocs["de-tech"]), "i2": {e.pocs["fr-tech"]},
			"i3": sorted(e.pocs["ke-tech"], e.pocs["ke-tech2"])}
		if !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("mailed %v, want %v", got, want)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM exercise_deliveries WHERE run_id = $1`, r.ID); n != 5 {
			t.Errorf("%d deliveries, want 5", n)
		}
	})
}

// TestReportFiles: the CSV and JSON of a report hold what the reader may
// see: the director every State's rows, a State its own; the JSON says
// EXERCISE.
func TestReportFiles(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.create(t, "sec", e.input())
		r, _ = e.svc.Start(ctx, e.who["sec"], r.ID, r.Version)
		e.run(t)
		e.advance(t, time.Minute)
		if _, err := e.svc.Act(ctx, e.who["frpoc"], r.ID, exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			who    string
			states []string
		}{{"sec", []string{"DE", "FR"}}, {"frpoc", []string{"FR"}}, {"deviewer", []string{"DE"}}} {
			rep, err := e.svc.Report(ctx, e.who[x.who], r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := exercise.WriteCSV(&b, rep, nil); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], exercise.CSVColumns) {
				t.Errorf("header %v", rows[0])
			}
			var states []string
			for _, row := range rows[1:] {
				if !slices.Contains(states, row[3]) {
					states = append(states, row[3])
				}
				if row[0] == "i1" && row[5] == "ack" && row[3] == "FR" && (row[9] != "met" || row[10] != "720" || row[7] != "1800") {
					t.Errorf("FR's acknowledgement row %v", row)
				}
			}
			slices.Sort(states)
			if !slices.Equal(states, x.states) {
				t.Errorf("%s's CSV has the rows of %v, want %v", x.who, states, x.states)
			}
			b.Reset()
			if err := exercise.WriteJSON(&b, rep); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Run struct {
					Marking string `json:"marking"`
				} `json:"run"`
				Results []struct {
					State string `json:"state"`
				} `json:"results"`
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Run.Marking != "EXERCISE" || len(doc.Results) != len(rows)-1 {
				t.Errorf("%s's JSON: %s", x.who, b.String())
			}
			for _, res := range doc.Results {
				if !slices.Contains(x.states, res.State) {
					t.Errorf("%s's JSON has %s's row", x.who, res.State)
				}
			}
		}
	})
}
