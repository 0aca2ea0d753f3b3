package checks_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestTalliesFollowTheChallenges: the kept tallies a report reads agree
// with counting the challenges themselves, through answers, a bounce
// reported twice, an answer after a bounce and a bounce after an answer.
func TestTalliesFollowTheChallenges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		in := african(w)
		in.Levels = []string{"technical", "policy"}
		c, err := w.app.Checks.Create(ctx, w.who["sec"], in)
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t) // NG's technical POC refuses the mail: a bounce
		toks := w.tokens(t)
		challenge := func(poc string) string {
			var id string
			if err := w.app.DB.R.QueryRowContext(ctx, `SELECT id FROM ping_challenges WHERE campaign_id = $1 AND poc_id = $2`, c.ID, w.poc[poc].ID).Scan(&id); err != nil {
				t.Fatalf("challenge of %s: %v", poc, err)
			}
			return id
		}
		bounce := func(poc, reason string) {
			t.Helper()
			if err := w.app.DB.Tx(ctx, func(tx *sql.Tx) error {
				return w.app.Sys.Checks.MarkBounced(ctx, tx, challenge(poc), reason)
			}); err != nil {
				t.Fatal(err)
			}
		}
		ack := func(email string) {
			t.Helper()
			if _, err := w.app.Checks.AcknowledgeToken(ctx, toks[email], "192.0.2.9"); err != nil {
				t.Fatal(err)
			}
		}
		bounce("kepolicy", "550 mailbox full")
		bounce("kepolicy", "550 mailbox still full") // counted once
		w.clock.Advance(time.Hour)
		ack("policy@ke.test.invalid") // answered after all: no longer bounced
		w.clock.Advance(time.Hour)
		ack("tech@ke.test.invalid")
		bounce("ketech", "late bounce") // answered: no change

		r, err := w.app.Checks.Results(ctx, w.who["sec"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, lv := range r.ByLevel {
			got["level "+lv.Key] = fmt.Sprint(lv.Total, lv.Acknowledged, lv.Bounced)
		}
		for _, st := range r.ByState {
			got["state "+st.Key] = fmt.Sprint(st.Total, st.Acknowledged, st.Bounced)
		}
		got["all"] = fmt.Sprint(r.Overall.Total, r.Overall.Acknowledged, r.Overall.Bounced)
		want := map[string]string{}
		for _, group := range []string{"level", "state_code", "campaign_id"} {
			rows, err := w.app.DB.R.QueryContext(ctx, `SELECT `+group+`, COUNT(*), COUNT(acknowledged_at),
				COUNT(CASE WHEN acknowledged_at IS NULL AND bounced_at IS NOT NULL THEN 1 END)
				FROM ping_challenges WHERE campaign_id = $1 GROUP BY `+group, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var key string
				var n, a, b int
				if err := rows.Scan(&key, &n, &a, &b); err != nil {
					t.Fatal(err)
				}
				switch group {
				case "level":
					key = "level " + key
				case "state_code":
					key = "state " + key
				default:
					key = "all"
				}
				want[key] = fmt.Sprint(n, a, b)
			}
			rows.Close()
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("tallies %v\ncounted %v", got, want)
		}
		if want["all"] != "3 2 1" {
			t.Errorf("the scenario went otherwise than planned: %v", want)
		}
		// Answers an hour and two hours in: by nearest rank, the median is
		// the first and the 90th percentile the second.
		if r.Median != time.Hour || r.P90 != 2*time.Hour {
			t.Errorf("median %s, 90th percentile %s; want 1h and 2h", r.Median, r.P90)
		}
		h, err := w.app.Checks.History(ctx, w.who["sec"])
		if err != nil || len(h) != 1 || fmt.Sprint(h[0].Tally.Total, h[0].Tally.Acknowledged, h[0].Tally.Bounced) != want["all"] {
			t.Errorf("history %+v %v, want %s", h, err, want["all"])
		}
	})
}
