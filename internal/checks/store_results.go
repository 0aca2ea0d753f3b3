package checks

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the counts over ping_challenges that results are made of.

// answerCounts counts, per campaign, sc's challenges, those answered and
// those bounced unanswered, in one grouped query. The tallies carry no key
// and no rate: the service sets them.
func answerCounts(ctx context.Context, q store.Queryer, sc checkScope) (map[string]Tally, error) {
	query := `SELECT campaign_id, COUNT(*), COUNT(acknowledged_at), COUNT(CASE WHEN acknowledged_at IS NULL AND bounced_at IS NOT NULL THEN 1 END)
		FROM ping_challenges`
	var args []any
	if !sc.all {
		query += ` WHERE state_code = $1`
		args = append(args, sc.state)
	}
	rows, err := q.QueryContext(ctx, query+` GROUP BY campaign_id`, args...)
	if err != nil {
		return nil, err
	}
	type count struct {
		check string
		t     Tally
	}
	cs, err := store.Collect(rows, func(r *sql.Rows) (count, error) {
		var c count
		err := r.Scan(&c.check, &c.t.Total, &c.t.Acknowledged, &c.t.Bounced)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Tally, len(cs))
	for _, c := range cs {
		out[c.check] = c.t
	}
	return out, nil
}

// tallyRow is one group's counts of a campaign's challenges: a State's
// POCs at one level.
type tallyRow struct {
	state, region, level string
	t                    Tally
}

// challengeTallies counts the challenges of the campaign checkID (of
// state, when given) per State, regional group and level, in SQL: a
// report costs the groups, not the challenges.
func challengeTallies(ctx context.Context, q store.Queryer, checkID, state string) ([]tallyRow, error) {
	query := `SELECT state_code, region, level, COUNT(*), COUNT(acknowledged_at), COUNT(CASE WHEN acknowledged_at IS NULL AND bounced_at IS NOT NULL THEN 1 END)
		FROM ping_challenges WHERE campaign_id = $1`
	args := []any{checkID}
	if state != "" {
		query += ` AND state_code = $2`
		args = append(args, state)
	}
	rows, err := q.QueryContext(ctx, query+` GROUP BY state_code, region, level`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (tallyRow, error) {
		var t tallyRow
		err := r.Scan(&t.state, &t.region, &t.level, &t.t.Total, &t.t.Acknowledged, &t.t.Bounced)
		return t, err
	})
}

// answerTimes reads when the challenges of the campaign checkID (of state,
// when given) were answered, earliest first, for the median and the 90th
// percentile: one column, from the index on (campaign_id, acknowledged_at).
func answerTimes(ctx context.Context, q store.Queryer, checkID, state string) ([]time.Time, error) {
	query := `SELECT acknowledged_at FROM ping_challenges WHERE campaign_id = $1 AND acknowledged_at IS NOT NULL`
	args := []any{checkID}
	if state != "" {
		query += ` AND state_code = $2`
		args = append(args, state)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY acknowledged_at`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (time.Time, error) {
		var t time.Time
		err := r.Scan(&t)
		return t, err
	})
}

// unansweredChallenges reads the challenges of the campaign checkID (of
// state, when given) that bounced, or, once closed, every one unanswered.
func unansweredChallenges(ctx context.Context, q store.Queryer, checkID, state string, closed bool) ([]Challenge, error) {
	where := `campaign_id = $1 AND acknowledged_at IS NULL`
	if !closed {
		where += ` AND bounced_at IS NOT NULL`
	}
	args := []any{checkID}
	if state != "" {
		where += ` AND state_code = $2`
		args = append(args, state)
	}
	return selectChallenges(ctx, q, where, args...)
}
