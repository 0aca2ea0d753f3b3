package exercise_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// invitedPOCs lists the points of contact invs went to, each once, with
// the kind and SEQUENCE they all share.
func invitedPOCs(t *testing.T, invs []invited) (exercise.InviteKind, int, []string) {
	t.Helper()
	var ids []string
	for _, v := range invs {
		if v.kind != invs[0].kind || v.run.Sequence != invs[0].run.Sequence {
			t.Fatalf("one change mailed %s seq %d and %s seq %d", invs[0].kind, invs[0].run.Sequence, v.kind, v.run.Sequence)
		}
		ids = append(ids, v.poc.ID)
	}
	slices.Sort(ids)
	if len(invs) == 0 {
		return "", -1, nil
	}
	return invs[0].kind, invs[0].run.Sequence, ids
}

// TestInvitationsFollowThePlannedStart: a run with a planned start
// invites the points of contact of its States at its levels; moving the
// start mails an update under a higher SEQUENCE, changing only the zone
// it is shown in mails nothing, and stopping it before it starts cancels
// it under a higher SEQUENCE still. A run without a planned start mails
// no invitation.
func TestInvitationsFollowThePlannedStart(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.input()
		in.Schedule = exercise.Schedule{Start: time.Date(2027, 3, 10, 14, 0, 0, 0, time.UTC), TimeZone: "Europe/Paris"}
		r := e.create(t, "sec", in)
		if want := time.Date(2027, 3, 10, 13, 0, 0, 0, time.UTC); r.PlannedStart == nil || !r.PlannedStart.Equal(want) || r.TimeZone != "Europe/Paris" {
			t.Fatalf("planned start %v in %q, want %v in Europe/Paris", r.PlannedStart, r.TimeZone, want)
		}
		// The technical POCs of FR, KE (both) and DE; not KE's policy
		// entry, nor JP, which does not play.
		players := []string{e.pocs["de-tech"], e.pocs["fr-tech"], e.pocs["ke-tech"], e.pocs["ke-tech2"]}
		slices.Sort(players)
		kind, seq, got := invitedPOCs(t, e.box.takeInvites())
		if kind != exercise.Invite || seq != 0 || !slices.Equal(got, players) {
			t.Errorf("creating mailed %s seq %d to %v, want invite seq 0 to %v", kind, seq, got, players)
		}

		for _, who := range []string{"fradmin", "frpoc", "jpadmin", "anon"} {
			if _, err := e.svc.Reschedule(ctx, e.who[who], r.ID, r.Version, in.Schedule); err == nil {
				t.Errorf("%s moved the secretariat's run", who)
			}
		}
		moved := exercise.Schedule{Start: time.Date(2027, 3, 11, 9, 30, 0, 0, time.UTC), TimeZone: "Europe/Paris"}
		if _, err := e.svc.Reschedule(ctx, e.who["sec"], r.ID, r.Version-1, moved); !errs.Is(err, errs.Conflict) {
			t.Errorf("a stale reschedule: %v", err)
		}
		r, err := e.svc.Reschedule(ctx, e.who["sec"], r.ID, r.Version, moved)
		if err != nil {
			t.Fatal(err)
		}
		kind, seq, got = invitedPOCs(t, e.box.takeInvites())
		if kind != exercise.InviteUpdate || seq != 1 || !slices.Equal(got, players) || r.Sequence != 1 {
			t.Errorf("moving mailed %s seq %d to %v (run at seq %d), want update seq 1 to %v", kind, seq, got, r.Sequence, players)
		}
		// Berlin's wall clock is Paris's: the instant stays, nothing goes.
		r, err = e.svc.Reschedule(ctx, e.who["sec"], r.ID, r.Version, exercise.Schedule{Start: moved.Start, TimeZone: "Europe/Berlin"})
		if err != nil {
			t.Fatal(err)
		}
		if invs := e.box.takeInvites(); len(invs) != 0 || r.TimeZone != "Europe/Berlin" || r.Sequence != 1 {
			t.Errorf("a new zone at the same instant mailed %d, zone %q, seq %d", len(invs), r.TimeZone, r.Sequence)
		}

		r, err = e.svc.Stop(ctx, e.who["sec"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		kind, seq, got = invitedPOCs(t, e.box.takeInvites())
		if kind != exercise.InviteCancel || seq != 2 || !slices.Equal(got, players) || !r.Cancelled || r.Status != exercise.Ended {
			t.Errorf("stopping before the start mailed %s seq %d to %v (cancelled %v, %s), want cancel seq 2", kind, seq, got, r.Cancelled, r.Status)
		}
		if _, err := e.svc.Reschedule(ctx, e.who["sec"], r.ID, r.Version, moved); !errs.Is(err, errs.Conflict) {
			t.Errorf("moving a cancelled run: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action IN ('exercise.reschedule', 'exercise.cancel') AND object_id = $1`, r.ID); n != 3 {
			t.Errorf("%d audit entries for two moves and a cancellation", n)
		}

		// Unplanned: nothing at creation; a planned start set later is
		// the first invitation; a run that has started keeps its plan
		// and its stop mails nothing.
		plain := e.create(t, "sec", e.input())
		if invs := e.box.takeInvites(); len(invs) != 0 || plain.PlannedStart != nil {
			t.Errorf("a run without a planned start mailed %d invitations", len(invs))
		}
		plain, err = e.svc.Reschedule(ctx, e.who["sec"], plain.ID, plain.Version, in.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		if kind, seq, _ := invitedPOCs(t, e.box.takeInvites()); kind != exercise.Invite || seq != 0 {
			t.Errorf("a first planned start mailed %s seq %d", kind, seq)
		}
		plain, err = e.svc.Start(ctx, e.who["sec"], plain.ID, plain.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Reschedule(ctx, e.who["sec"], plain.ID, plain.Version, moved); !errs.Is(err, errs.Conflict) {
			t.Errorf("moving a started run: %v", err)
		}
		if plain, err = e.svc.Stop(ctx, e.who["sec"], plain.ID, plain.Version); err != nil || plain.Cancelled {
			t.Fatalf("stopping a started run: %v, cancelled %v", err, plain.Cancelled)
		}
		if invs := e.box.takeInvites(); len(invs) != 0 {
			t.Errorf("stopping a started run mailed %d cancellations", len(invs))
		}
	})
}

// TestBadPlannedStarts: a zone that is none, a start out of range and
// text that is no text get field errors on both engines and store
// nothing.
func TestBadPlannedStarts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		at := time.Date(2027, 3, 10, 14, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			name  string
			s     exercise.Schedule
			field string
		}{
			{"a zone that is none", exercise.Schedule{Start: at, TimeZone: "Mars/Olympus"}, "time_zone"},
			{"a path for a zone", exercise.Schedule{Start: at, TimeZone: "../../etc/passwd"}, "time_zone"},
			{"a NUL in the zone", exercise.Schedule{Start: at, TimeZone: "Europe/Paris\x00"}, "time_zone"},
			{"invalid UTF-8 in the zone", exercise.Schedule{Start: at, TimeZone: "Europe/\xffParis"}, "time_zone"},
			{"a look-alike zone", exercise.Schedule{Start: at, TimeZone: "Еurope/Paris"}, "time_zone"}, // Cyrillic Е
			{"a start years ahead", exercise.Schedule{Start: at.AddDate(3, 0, 0), TimeZone: "UTC"}, "planned_start"},
			{"a start last month", exercise.Schedule{Start: at.AddDate(0, -1, 0), TimeZone: "UTC"}, "planned_start"},
		} {
			in := e.input()
			in.Schedule = c.s
			if _, err := e.svc.Create(ctx, e.who["sec"], in); !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: %v (fields %v), want an error on %s", c.name, err, errs.FieldsOf(err), c.field)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM exercise_runs`); n != 0 {
			t.Errorf("%d runs stored from bad input", n)
		}
		if invs := e.box.takeInvites(); len(invs) != 0 {
			t.Errorf("bad input mailed %d invitations", len(invs))
		}
	})
}

// TestRunsInTheCalendarFeed: the feed's entries of runs are those with a
// planned start that the account sees — the director's side and the
// participating States, not a bystander — under the mails' UID and
// SEQUENCE, marked EXERCISE, and cancelled once the run is.
func TestRunsInTheCalendarFeed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.input()
		in.Schedule = exercise.Schedule{Start: time.Date(2027, 3, 10, 14, 0, 0, 0, time.UTC), TimeZone: "Africa/Nairobi"}
		r := e.create(t, "sec", in)
		e.create(t, "sec", e.input()) // no planned start: in no feed
		for _, c := range []struct {
			who  string
			want int
		}{{"sec", 1}, {"frviewer", 1}, {"kepoc", 1}, {"deadmin", 1}, {"jpadmin", 0}, {"jppoc", 0}, {"nzpoc", 0}} {
			evs, err := e.svc.FeedEvents(ctx, e.who[c.who])
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != c.want {
				t.Errorf("%s's feed has %d runs, want %d", c.who, len(evs), c.want)
			}
			for _, ev := range evs {
				if ev.UID != r.ID+"@detente-exercise" || ev.Sequence != 0 || ev.Summary != "[EXERCISE] "+r.Title || ev.Zone != "Africa/Nairobi" ||
					!ev.Start.Equal(*r.PlannedStart) || ev.End.Sub(ev.Start) != 20*time.Minute || ev.Status != ical.Confirmed {
					t.Errorf("%s's feed entry: %+v", c.who, ev)
				}
			}
		}
		if _, err := e.svc.FeedEvents(ctx, e.who["anon"]); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("an anonymous feed: %v", err)
		}
		r, err := e.svc.Stop(ctx, e.who["sec"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := e.svc.FeedEvents(ctx, e.who["kepoc"])
		if err != nil || len(evs) != 1 || evs[0].Status != ical.Cancelled || evs[0].Sequence != 1 {
			t.Fatalf("after the cancellation KE's feed holds %+v (%v), want it cancelled at seq 1", evs, err)
		}
		if _, err := (ical.Calendar{ProdID: exercise.ProdID, Method: ical.Publish, Events: evs}).Bytes(); err != nil {
			t.Errorf("the entries do not write as a calendar: %v", err)
		}
	})
}

// TestRunHeadsMigrationFillsWhatIsThere: the migration that keeps a run's
// scenario title, duration, span and role order beside its snapshot fills
// them from the snapshots already stored, so a list reads runs created
// before it as it reads new ones, on both engines.
func TestRunHeadsMigrationFillsWhatIsThere(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		open := bilateral()
		open.ID, open.Title, open.Duration = "0193c1a0-0000-7000-8000-000000000003", "DDoS, open-ended", 0
		e.scen.byID[open.ID] = []scenario.Scenario{open}
		e.create(t, "sec", e.input())
		e.create(t, "sec", exercise.Input{ScenarioID: open.ID, Assignments: []exercise.Assignment{{Role: "A", State: "KE"}, {Role: "B", State: "FR"}},
			Levels: []scenario.Level{scenario.Technical}, Factor: 6})
		ms, err := db.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var backfill []string
		for _, m := range ms {
			if strings.Contains(m.Name, "exercise_run_heads") {
				for _, stmt := range strings.Split(m.SQL, ";") {
					if i := strings.Index(stmt, "UPDATE"); i >= 0 {
						backfill = append(backfill, stmt[i:])
					}
				}
			}
		}
		if len(backfill) != 2 {
			t.Fatalf("found %d backfill statements in the migration, want 2", len(backfill))
		}
		list := func() []exercise.Run {
			t.Helper()
			p, err := e.svc.Runs(ctx, e.who["sec"], page.Request{})
			if err != nil {
				t.Fatal(err)
			}
			return p.Items
		}
		want := list()
		for _, stmt := range []string{`UPDATE exercise_runs SET scenario_title = '', scenario_ms = 0, span_ms = 0`,
			`UPDATE exercise_run_states SET position = CASE WHEN role_key = 'A' THEN 5 ELSE 0 END`} {
			if _, err := db.W.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		for _, stmt := range backfill {
			if _, err := db.W.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%v\n%s", err, stmt)
			}
		}
		got := list()
		if len(got) != 2 || len(want) != 2 {
			t.Fatalf("listed %d runs, then %d", len(want), len(got))
		}
		for k := range want {
			w, g := want[k], got[k]
			if g.Scenario.Title != w.Scenario.Title || g.Scenario.Duration != w.Scenario.Duration || g.Span != w.Span ||
				!slices.Equal(g.Assignments, w.Assignments) || g.Scenario.Title == "" || g.Span == 0 {
				t.Errorf("after the migration: %q %v span %v %v; as created: %q %v span %v %v", g.Scenario.Title, g.Scenario.Duration, g.Span,
					g.Assignments, w.Scenario.Title, w.Scenario.Duration, w.Span, w.Assignments)
			}
		}
		if want[0].Span != 10*time.Minute+time.Hour || want[1].Span != 4*time.Hour {
			t.Errorf("spans %v and %v, want 1h10m for the open-ended scenario and 4h", want[0].Span, want[1].Span)
		}
	})
}
