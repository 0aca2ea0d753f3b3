package checks

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the counts that results are made of: ping_tallies, kept per
// check, State and level by the writes to ping_challenges
// (store_challenges.go), and the answer times.

// answerCounts counts, per campaign, sc's challenges, those answered and
// those bounced unanswered, from the tallies. The tallies carry no key and
// no rate: the service sets them.
func answerCounts(ctx context.Context, q store.Queryer, sc checkScope) (map[string]Tally, error) {
	query := `SELECT campaign_id, SUM(total), SUM(acknowledged), SUM(bounced) FROM ping_tallies`
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

// challengeTallies reads the tallies of the campaign checkID (of state,
// when given) per State, regional group and level: a report costs the
// groups, not the challenges.
func challengeTallies(ctx context.Context, q store.Queryer, checkID, state string) ([]tallyRow, error) {
	query := `SELECT state_code, region, level, total, acknowledged, bounced FROM ping_tallies WHERE campaign_id = $1`
	args := []any{checkID}
	if state != "" {
		query += ` AND state_code = $2`
		args = append(args, state)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (tallyRow, error) {
		var t tallyRow
		err := r.Scan(&t.state, &t.region, &t.level, &t.t.Total, &t.t.Acknowledged, &t.t.Bounced)
		return t, err
	})
}

// answerTime reads when the rank-th answer (from 1) to the campaign
// checkID (of state, when given) came, walking the index on (campaign_id,
// acknowledged_at) rather than reading every answer. ok is false when
// there are fewer answers.
func answerTime(ctx context.Context, q store.Queryer, checkID, state string, rank int) (t time.Time, ok bool, err error) {
	if rank < 1 {
		return time.Time{}, false, nil
	}
	query := `SELECT acknowledged_at FROM ping_challenges WHERE campaign_id = $1 AND acknowledged_at IS NOT NULL`
	args := []any{checkID, rank - 1}
	if state != "" {
		query += ` AND state_code = $3`
		args = append(args, state)
	}
	err = q.QueryRowContext(ctx, query+` ORDER BY acknowledged_at LIMIT 1 OFFSET $2`, args...).Scan(&t)
	if store.NoRows(err) {
		return time.Time{}, false, nil
	}
	return t, err == nil, err
}
