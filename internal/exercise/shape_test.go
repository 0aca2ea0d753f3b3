package exercise_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestReadsCostTheSame holds the cost of the list of runs, the live view
// and the report fixed: as many statements for a few runs and actions as
// for many.
func TestReadsCostTheSame(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			r := e.create(t, "sec", e.input())
			r, err := e.svc.Start(ctx, e.who["sec"], r.ID, r.Version)
			if err != nil {
				t.Fatal(err)
			}
			e.run(t)
			cost := func() [3]int64 {
				var out [3]int64
				for k, read := range []func() error{
					func() error { _, err := e.svc.Runs(ctx, e.who["frpoc"], page.Request{Limit: 50}); return err },
					func() error { _, err := e.svc.Live(ctx, e.who["sec"], r.ID); return err },
					func() error { _, err := e.svc.Report(ctx, e.who["frpoc"], r.ID); return err },
				} {
					before := n.Load()
					if err := read(); err != nil {
						t.Fatal(err)
					}
					out[k] = n.Load() - before
				}
				return out
			}
			act := func() {
				if _, err := e.svc.Act(ctx, e.who["frpoc"], r.ID, exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: "update"}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.svc.AddNote(ctx, e.who["depoc"], r.ID, exercise.Observation, "note"); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 {
				e.create(t, "sec", e.input())
				act()
			}
			few := cost()
			for range 20 {
				e.create(t, "sec", e.input())
				act()
			}
			e.advance(t, 15*time.Minute)
			if many := cost(); many != few {
				t.Errorf("statements (list, live view, report): %v with many runs and actions, %v with few", many, few)
			}
		})
	}
}

// TestRunsArePagedAndPlayersSeeTheirInjects: the list of runs pages by
// key without losing or repeating a run; a player's page lists the
// injects that reached the POCs the player answers for, with what the
// player's State did, and nothing else.
func TestRunsArePagedAndPlayersSeeTheirInjects(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		var made []string
		for range 5 {
			made = append(made, e.create(t, "sec", e.input()).ID)
			e.clock.Advance(time.Second)
		}
		var got []string
		req := page.Request{Limit: 2}
		for {
			p, err := e.svc.Runs(ctx, e.who["kepoc"], req)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Items {
				got = append(got, r.ID)
			}
			if p.Next == "" {
				break
			}
			if req.After, err = page.Decode(p.Next); err != nil {
				t.Fatal(err)
			}
		}
		slices.Reverse(made)
		if !slices.Equal(got, made) {
			t.Errorf("paged %v, want %v", got, made)
		}
		if p, err := e.svc.Runs(ctx, e.who["jppoc"], page.First()); err != nil || len(p.Items) != 0 {
			t.Errorf("JP lists %d runs (%v)", len(p.Items), err)
		}

		r, err := e.svc.Run(ctx, e.who["sec"], made[0])
		if err != nil {
			t.Fatal(err)
		}
		if r, err = e.svc.Start(ctx, e.who["sec"], r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		e.advance(t, 5*time.Minute) // T+1h: i1 and i2 for FR, i1 for DE
		if _, err := e.svc.Act(ctx, e.who["frpoc"], r.ID, exercise.ActionInput{Inject: "i1", Action: scenario.Acknowledge}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Act(ctx, e.who["depoc"], r.ID, exercise.ActionInput{Inject: "i1", Action: scenario.Reply, Text: "DE's answer"}); err != nil {
			t.Fatal(err)
		}
		for who, want := range map[string][]string{"frpoc": {"i1", "i2"}, "depoc": {"i1"}, "kepoc": nil, "kepoc2": nil, "fradmin": nil} {
			rs, err := e.svc.Received(ctx, e.who[who], r.ID)
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			var keys []string
			for _, rc := range rs {
				keys = append(keys, rc.Inject.Key)
				for _, x := range rc.Actions {
					if x.State != e.who[who].State {
						t.Errorf("%s is shown %s's action", who, x.State)
					}
				}
			}
			if !slices.Equal(keys, want) {
				t.Errorf("%s received %v, want %v", who, keys, want)
			}
			if who == "frpoc" && (len(rs[0].Actions) != 1 || rs[0].Inject.Subject != "Ransomware at Central Hospital") {
				t.Errorf("FR's player is shown %+v", rs[0])
			}
		}
		if _, err := e.svc.Received(ctx, e.who["jppoc"], r.ID); err == nil {
			t.Errorf("JP's player reads a run JP is not in")
		}
	})
}
