package checks

import (
	"context"
	"database/sql"

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
