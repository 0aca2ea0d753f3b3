package checks_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// twoStates is a closed check of KE and NG alone: KE's technical POC
// confirms, NG's bounces. KE's own figures and a total would give NG's.
func twoStates(t *testing.T, w *world) checks.Check {
	t.Helper()
	ctx := context.Background()
	c, err := w.app.Checks.Create(ctx, w.who["sec"], checks.Input{Name: "Check of two", ScopeKind: checks.ScopeStates, Scope: []string{"KE", "NG"},
		Levels: []string{"technical"}, WindowHours: 24})
	if err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	w.clock.Advance(30 * time.Minute)
	if _, err := w.app.Checks.AcknowledgeToken(ctx, w.tokens(t)["tech@ke.test.invalid"], "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(25 * time.Hour)
	w.drain(t)
	return c
}

// figures is v as JSON without the campaigns' definitions, whose scope
// names every State in the check: what must not leak are results.
func figures(v checks.View) string {
	v.Check = checks.Check{}
	if v.Own != nil {
		own := *v.Own
		own.Check = checks.Check{}
		if own.Published != nil {
			pub := *own.Published
			pub.Check = checks.Check{}
			own.Published = &pub
		}
		v.Own = &own
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestStateSeesOnlyItsOwnFigures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		c := twoStates(t, w)

		sec, err := w.app.Checks.View(ctx, w.who["sec"], c.ID)
		if err != nil || sec.All == nil || sec.Own != nil || sec.All.Overall.Total != 2 || len(sec.All.ByState) != 2 {
			t.Fatalf("the secretariat's view: %+v %v", sec, err)
		}
		for _, who := range []string{"keadmin", "kepoc", "ngadmin"} {
			if _, err := w.app.Checks.Results(ctx, w.who[who], c.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s read every State's results: %v", who, err)
			}
		}
		tests := []struct {
			who, state, other string
			own               checks.Tally
		}{
			{"keadmin", "KE", "NG", checks.Tally{Key: "KE", Total: 1, Acknowledged: 1, Rate: 1}},
			{"ngpoc", "NG", "KE", checks.Tally{Key: "NG", Total: 1, Bounced: 1}},
		}
		for _, tc := range tests {
			t.Run(tc.who, func(t *testing.T) {
				v, err := w.app.Checks.View(ctx, w.who[tc.who], c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if v.All != nil || v.Own == nil || v.Own.Own != tc.own || v.Own.Published != nil {
					t.Fatalf("view %+v, own %+v; want only its own %+v", v, v.Own, tc.own)
				}
				b := figures(v)
				for _, leak := range []string{`"` + tc.other + `"`, `"total":2`, `"key":"all"`} {
					if strings.Contains(b, leak) {
						t.Errorf("%s's view carries %s: %s", tc.state, leak, b)
					}
				}
			})
		}

		// The history across checks counts the same way.
		for who, want := range map[string]checks.Tally{"sec": {Key: "all", Total: 2, Acknowledged: 1, Bounced: 1, Rate: 0.5},
			"keadmin": {Key: "KE", Total: 1, Acknowledged: 1, Rate: 1}, "ngpoc": {Key: "NG", Total: 1, Bounced: 1}} {
			h, err := w.app.Checks.History(ctx, w.who[who])
			if err != nil || len(h) != 1 || h[0].Tally != want {
				t.Errorf("%s's history: %+v %v, want %+v", who, h, err, want)
			}
		}

		// Published, a State also gets the public aggregates, still without
		// any other State's breakdown.
		if err := w.app.Checks.SetPublished(ctx, w.who["sec"], c.ID, true); err != nil {
			t.Fatal(err)
		}
		v, err := w.app.Checks.View(ctx, w.who["keadmin"], c.ID)
		if err != nil || v.Own == nil || v.Own.Published == nil {
			t.Fatalf("KE's view once published: %+v %v", v, err)
		}
		if p := v.Own.Published; p.Overall.Total != 2 || p.ByState != nil || p.Unreachable != nil || len(p.ByRegion) != 1 {
			t.Fatalf("published aggregates in KE's view: %+v", p)
		}
		b := figures(v)
		if strings.Contains(b, `"NG"`) {
			t.Fatalf("KE's view names NG once published: %s", b)
		}
	})
}

func TestCreateRefusesOutOfRange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		now := w.clock.Now()
		tests := []struct {
			name   string
			change func(*checks.Input)
			field  string
		}{
			{"window of 3,000,000 hours", func(in *checks.Input) { in.WindowHours = 3_000_000 }, "window_hours"},
			{"window past any Duration", func(in *checks.Input) { in.WindowHours = 1 << 62 }, "window_hours"},
			{"window over 90 days", func(in *checks.Input) { in.WindowHours = 90*24 + 1 }, "window_hours"},
			{"negative window", func(in *checks.Input) { in.WindowHours = -72 }, "window_hours"},
			{"negative reminder", func(in *checks.Input) { in.ReminderAfter = -1 }, "reminder_after_hours"},
			{"reminder as the window closes", func(in *checks.Input) { in.ReminderAfter = 72 }, "reminder_after_hours"},
			{"huge reminder", func(in *checks.Input) { in.ReminderAfter = 1 << 62 }, "reminder_after_hours"},
			{"opens in year 9999", func(in *checks.Input) { in.OpensAt = time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC) }, "opens_at"},
			{"opens three years ahead", func(in *checks.Input) { in.OpensAt = now.AddDate(3, 0, 0) }, "opens_at"},
			{"opened yesterday", func(in *checks.Input) { in.OpensAt = now.AddDate(0, 0, -1) }, "opens_at"},
			{"opened in year 1", func(in *checks.Input) { in.OpensAt = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC) }, "opens_at"},
			{"negative repeat", func(in *checks.Input) { in.RepeatMonths = -6 }, "repeat_months"},
			{"repeat every 25 months", func(in *checks.Input) { in.RepeatMonths = 25 }, "repeat_months"},
			{"huge repeat", func(in *checks.Input) { in.RepeatMonths = 1 << 62 }, "repeat_months"},
			{"NUL in the name", func(in *checks.Input) { in.Name = "Check\x00" }, "name"},
			{"invalid UTF-8 in the name", func(in *checks.Input) { in.Name = "Check \xff" }, "name"},
			{"NUL in a State", func(in *checks.Input) { in.ScopeKind, in.Scope = checks.ScopeStates, []string{"K\x00E"} }, "scope"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := african(w)
				tc.change(&in)
				_, err := w.app.Checks.Create(ctx, w.who["sec"], in)
				if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
					t.Fatalf("err = %v (%v), want a message for %s", err, errs.FieldsOf(err), tc.field)
				}
			})
		}
		if cs, _ := w.app.Checks.Checks(ctx, w.who["sec"]); len(cs) != 0 {
			t.Fatalf("refused checks were stored: %+v", cs)
		}
		var queued int
		if err := w.app.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind LIKE 'ping.%'`).Scan(&queued); err != nil || queued != 0 {
			t.Fatalf("refused checks left %d jobs (%v)", queued, err)
		}

		// At the bounds: a moment ago means now; the longest window, the
		// latest reminder and the furthest opening are accepted.
		in := african(w)
		in.OpensAt, in.WindowHours, in.ReminderAfter, in.RepeatMonths = now.Add(-5*time.Minute), 90*24, 90*24-1, 24
		c, err := w.app.Checks.Create(ctx, w.who["sec"], in)
		if err != nil || !c.OpensAt.Equal(now) || !c.ClosesAt.Equal(now.Add(90*24*time.Hour)) {
			t.Fatalf("at the bounds: %+v %v", c, err)
		}
		in.OpensAt = now.AddDate(2, 0, 0)
		if _, err := w.app.Checks.Create(ctx, w.who["sec"], in); err != nil {
			t.Fatalf("two years ahead: %v", err)
		}
	})
}

func TestPublishOnlyClosedChecks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		open, err := w.app.Checks.Create(ctx, w.who["sec"], african(w))
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if open, err = w.app.Checks.Check(ctx, w.who["sec"], open.ID); err != nil || open.Status != checks.Open {
			t.Fatalf("open check: %+v %v", open, err)
		}
		if w.app.Checks.CanPublish(w.who["sec"], open) {
			t.Error("the secretariat is offered to publish an open check")
		}
		if err := w.app.Checks.SetPublished(ctx, w.who["sec"], open.ID, true); !errs.Is(err, errs.Conflict) {
			t.Errorf("publishing an open check: %v", err)
		}
		closed := twoStates(t, w)
		if closed, err = w.app.Checks.Check(ctx, w.who["sec"], closed.ID); err != nil || closed.Status != checks.Closed {
			t.Fatalf("closed check: %+v %v", closed, err)
		}
		for _, who := range []string{"keadmin", "kepoc", "anon"} {
			if w.app.Checks.CanPublish(w.who[who], closed) {
				t.Errorf("%s is offered to publish", who)
			}
		}
		if !w.app.Checks.CanPublish(w.who["sec"], closed) || w.app.Checks.CanWithdraw(w.who["sec"], closed) {
			t.Error("the secretariat is not offered to publish a closed check, or offered to withdraw it")
		}
		if err := w.app.Checks.SetPublished(ctx, w.who["sec"], closed.ID, true); err != nil {
			t.Fatal(err)
		}
		closed, _ = w.app.Checks.Check(ctx, w.who["sec"], closed.ID)
		if w.app.Checks.CanPublish(w.who["sec"], closed) || !w.app.Checks.CanWithdraw(w.who["sec"], closed) {
			t.Error("a published check is offered for publishing again, or not for withdrawal")
		}
	})
}

func TestRepeatingRunsNameTheirPeriod(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, time.UTC) }
	periods := []struct {
		opens  time.Time
		months int
		want   string
	}{
		{at(2027, 1, 3), 6, "first half of 2027"},
		{at(2027, 7, 1), 6, "second half of 2027"},
		{at(2027, 5, 1), 3, "second quarter of 2027"},
		{at(2027, 12, 31), 3, "fourth quarter of 2027"},
		{at(2027, 3, 15), 1, "March 2027"},
		{at(2027, 3, 15), 12, "2027"},
		{at(2027, 3, 15), 2, "15 March 2027"},
	}
	for _, p := range periods {
		if got := checks.Period(p.opens, p.months); got != p.want {
			t.Errorf("Period(%s, %d) = %q, want %q", p.opens.Format(time.DateOnly), p.months, got, p.want)
		}
	}
	if got := checks.RunName("Ad hoc check", at(2027, 1, 3), 0); got != "Ad hoc check" {
		t.Errorf("a check that does not repeat was renamed %q", got)
	}

	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		in := african(w)
		in.Name, in.RepeatMonths = "Communication check", 6
		c, err := w.app.Checks.Create(ctx, w.who["sec"], in)
		if err != nil || c.Name != "Communication check — first half of 2026" {
			t.Fatalf("first run: %q %v", c.Name, err)
		}
		w.drain(t)
		w.clock.Advance(73 * time.Hour)
		w.drain(t)
		cs, err := w.app.Checks.Checks(ctx, w.who["sec"])
		if err != nil || len(cs) != 2 || cs[0].Name != "Communication check — second half of 2026" {
			t.Fatalf("the next run: %+v %v", cs, err)
		}
	})
}

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "under 1 min"},
		{45 * time.Minute, "45 min"},
		{3 * time.Hour, "3 h"},
		{5*time.Hour + 20*time.Minute, "5 h 20 min"},
		{29*time.Hour + 58*time.Minute, "1 day 6 h"},
		{48 * time.Hour, "2 days"},
		{50 * time.Hour, "2 days 2 h"},
	} {
		if got := checks.HumanDuration(tc.d); got != tc.want {
			t.Errorf("HumanDuration(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestScheduledCheckCountsItsScope(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		in := african(w)
		in.OpensAt = w.clock.Now().Add(48 * time.Hour)
		c, err := w.app.Checks.Create(ctx, w.who["sec"], in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.app.Checks.View(ctx, w.who["sec"], c.ID)
		// KE's and NG's technical POCs; KE's policy POC and FR are out of scope.
		if err != nil || v.Check.Status != checks.Scheduled || v.InScope != 2 {
			t.Fatalf("scheduled view: in scope %d, %+v %v", v.InScope, v.Check, err)
		}
	})
}

// TestBreakdownsSortByName: tables list States by the name they show,
// Germany (DE) before Switzerland (CH), though CH comes first by code.
func TestBreakdownsSortByName(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		since := w.clock.Now().AddDate(-1, 0, 0)
		for _, code := range []string{"CH", "DE"} {
			if err := w.app.Directory.SetParticipation(ctx, actor.Operator, code, &since); err != nil {
				t.Fatal(err)
			}
			acc, _, err := w.app.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin@" + strings.ToLower(code) + ".test.invalid",
				DisplayName: code, Role: actor.StateAdmin, State: code, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			for _, lv := range []directory.Level{directory.Technical, directory.Diplomatic} {
				if _, err := w.app.Directory.Nominate(ctx, acc.Actor(), code, directory.POCInput{Level: lv, FunctionTitle: "Duty", Organisation: "CERT",
					Emails: []string{string(lv) + "@" + strings.ToLower(code) + ".test.invalid"}, Phones: []string{"+41 58 000 00 00"}, Languages: []string{"de"},
					TimeZone: "Europe/Zurich", Availability: directory.Always}); err != nil {
					t.Fatal(err)
				}
			}
		}
		c, err := w.app.Checks.Create(ctx, w.who["sec"], checks.Input{Name: "Check", ScopeKind: checks.ScopeStates, Scope: []string{"CH", "DE"},
			Levels: []string{"technical", "diplomatic"}, WindowHours: 1})
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		w.clock.Advance(2 * time.Hour)
		w.drain(t)
		r, err := w.app.Checks.Results(ctx, w.who["sec"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var states, follow []string
		for _, s := range r.ByState {
			states = append(states, s.Key)
		}
		for _, u := range r.Unreachable {
			follow = append(follow, u.State+" "+u.Level)
		}
		if strings.Join(states, ",") != "DE,CH" || strings.Join(follow, ",") != "DE diplomatic,DE technical,CH diplomatic,CH technical" {
			t.Fatalf("by State %v, follow-up %v; want Germany before Switzerland, levels in the directory's order", states, follow)
		}
	})
}
