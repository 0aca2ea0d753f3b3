package directory

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/detente/detente/internal/search"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
)

// The SQL of the states table: the reference list of States and when each
// began to participate.

const stateCols = `code, alpha3, numeric, name, region, membership, participating_since`

func scanState(row interface{ Scan(...any) error }) (State, error) {
	var st State
	var since sql.NullTime
	err := row.Scan(&st.Code, &st.Alpha3, &st.Numeric, &st.Name, &st.Region, &st.Membership, &since)
	if since.Valid {
		t := since.Time
		st.ParticipatingSince = &t
	}
	return st, err
}

// updateStateRef writes st's reference data over its row where any of it
// differs, and returns how many rows changed: none for a State missing or
// already up to date.
func updateStateRef(ctx context.Context, tx *sql.Tx, st states.State) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE states SET alpha3 = $1, numeric = $2, name = $3, region = $4, membership = $5
		WHERE code = $6 AND (alpha3 <> $1 OR numeric <> $2 OR name <> $3 OR region <> $4 OR membership <> $5)`,
		st.Alpha3, st.Numeric, st.Name, st.Region, st.Membership, st.Alpha2))
}

// insertState adds st, not participating, unless it is there already.
func insertState(ctx context.Context, tx *sql.Tx, st states.State, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO states (code, alpha3, numeric, name, region, membership, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING`,
		st.Alpha2, st.Alpha3, st.Numeric, st.Name, st.Region, st.Membership, now)
	return err
}

// allStates lists every State by name.
func allStates(ctx context.Context, q store.Queryer) ([]State, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+stateCols+` FROM states ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (State, error) { return scanState(r) })
}

// selectState reads the State with alpha-2 code. Its SQL is constant, so
// that through db.Kept it stays prepared.
func selectState(ctx context.Context, q store.Queryer, code string) (State, error) {
	return scanState(q.QueryRowContext(ctx, `SELECT `+stateCols+` FROM states WHERE code = $1`, code))
}

// participatingSince reads when the State with code began to participate:
// nil if it does not.
func participatingSince(ctx context.Context, q store.Queryer, code string) (*time.Time, error) {
	var since sql.NullTime
	if err := q.QueryRowContext(ctx, `SELECT participating_since FROM states WHERE code = $1`, code).Scan(&since); err != nil {
		return nil, err
	}
	if !since.Valid {
		return nil, nil
	}
	return &since.Time, nil
}

// setParticipation records since as the date the State with code joined,
// or that it left with a nil since.
func setParticipation(ctx context.Context, tx *sql.Tx, code string, since *time.Time, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE states SET participating_since = $1, updated_at = $2 WHERE code = $3`, store.NullTime(since), now, code)
	return err
}

// countParticipation counts the States that participate and all States.
func countParticipation(ctx context.Context, q store.Queryer) (participating, total int, err error) {
	err = q.QueryRowContext(ctx, `SELECT COUNT(participating_since), COUNT(*) FROM states`).Scan(&participating, &total)
	return participating, total, err
}

// stateQuery is a page of States to read: those in region, participating
// or not as participating says (nil: both), matching every term, after the
// key after (name, code) when it is set, at most limit.
type stateQuery struct {
	region        string
	participating *bool
	terms         []string
	after         []string
	limit         int
}

func statePage(ctx context.Context, q store.Queryer, sq stateQuery) ([]State, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	query := `SELECT ` + stateCols + ` FROM states WHERE 1=1`
	if sq.region != "" {
		query += ` AND region = ` + arg(sq.region)
	}
	if sq.participating != nil {
		if *sq.participating {
			query += ` AND participating_since IS NOT NULL`
		} else {
			query += ` AND participating_since IS NULL`
		}
	}
	for _, t := range sq.terms {
		code := arg(t)
		query += ` AND (` + search.Any(arg(search.Pattern(t)), "name") + ` OR LOWER(code) = ` + code + ` OR LOWER(alpha3) = ` + code + `)`
	}
	if sq.after != nil {
		query += ` AND (name, code) > (` + arg(sq.after[0]) + `, ` + arg(sq.after[1]) + `)`
	}
	query += ` ORDER BY name, code LIMIT ` + arg(sq.limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (State, error) { return scanState(r) })
}
