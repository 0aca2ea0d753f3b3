package checks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the ping_campaigns table: one row per check, its scope and
// levels kept as JSON lists.

const campaignCols = `id, name, scope_kind, scope, levels, status, opens_at, closes_at, reminder_after_hours, repeat_months, published,
	COALESCE(previous_id, ''), created_by, created_at, opened_at, closed_at`

// campaignColsC is campaignCols qualified for a join with ping_campaigns
// as c; the order must stay the same.
const campaignColsC = `c.id, c.name, c.scope_kind, c.scope, c.levels, c.status, c.opens_at, c.closes_at, c.reminder_after_hours, c.repeat_months,
	c.published, COALESCE(c.previous_id, ''), c.created_by, c.created_at, c.opened_at, c.closed_at`

// campaignRow is what a scan of campaignCols writes into, apart from the
// Scan call, so that a joined row can fill it too.
type campaignRow struct {
	c              Check
	scope, lv      string
	opened, closed sql.NullTime
}

func (r *campaignRow) dest() []any {
	c := &r.c
	return []any{&c.ID, &c.Name, &c.ScopeKind, &r.scope, &r.lv, &c.Status, &c.OpensAt, &c.ClosesAt, &c.ReminderAfter, &c.RepeatMonths, &c.Published,
		&c.PreviousID, &c.CreatedBy, &c.CreatedAt, &r.opened, &r.closed}
}

func (r *campaignRow) value() (Check, error) {
	c := r.c
	if r.opened.Valid {
		c.OpenedAt = &r.opened.Time
	}
	if r.closed.Valid {
		c.ClosedAt = &r.closed.Time
	}
	if err := json.Unmarshal([]byte(r.scope), &c.Scope); err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(r.lv), &c.Levels)
}

func scanCheck(row interface{ Scan(...any) error }) (Check, error) {
	var r campaignRow
	if err := row.Scan(r.dest()...); err != nil {
		return r.c, err
	}
	return r.value()
}

func insertCheck(ctx context.Context, tx *sql.Tx, c Check) error {
	scope, _ := json.Marshal(c.Scope)
	lv, _ := json.Marshal(c.Levels)
	_, err := tx.ExecContext(ctx, `INSERT INTO ping_campaigns (id, name, scope_kind, scope, levels, status, opens_at, closes_at, reminder_after_hours,
		repeat_months, published, previous_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.Name, c.ScopeKind, string(scope), string(lv), c.Status, c.OpensAt, c.ClosesAt, c.ReminderAfter, c.RepeatMonths, c.Published,
		store.NullString(c.PreviousID), c.CreatedBy, c.CreatedAt)
	return err
}

// selectCheck reads the campaign id.
func selectCheck(ctx context.Context, q store.Queryer, id string) (Check, error) {
	return scanCheck(q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM ping_campaigns WHERE id = $1`, id))
}

// selectChecks reads sc's campaigns, newest first.
func selectChecks(ctx context.Context, q store.Queryer, sc checkScope) ([]Check, error) {
	query := `SELECT ` + campaignCols + ` FROM ping_campaigns c ORDER BY opens_at DESC, id DESC`
	var args []any
	if !sc.all {
		query = `SELECT ` + campaignCols + ` FROM ping_campaigns c WHERE EXISTS (SELECT 1 FROM ping_challenges h WHERE h.campaign_id = c.id AND h.state_code = $1)
			ORDER BY opens_at DESC, id DESC`
		args = append(args, sc.state)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Check, error) { return scanCheck(r) })
}

// checkKey is a campaign's place in the newest-first order of pages.
type checkKey struct {
	opensAt time.Time
	id      string
}

// checkPage reads at most limit of sc's campaigns, newest first, after the
// key after when it is set.
func checkPage(ctx context.Context, q store.Queryer, sc checkScope, after *checkKey, limit int) ([]Check, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond := `1=1`
	if !sc.all {
		cond = `EXISTS (SELECT 1 FROM ping_challenges h WHERE h.campaign_id = c.id AND h.state_code = ` + arg(sc.state) + `)`
	}
	if after != nil {
		cond += ` AND (c.opens_at, c.id) < (` + arg(after.opensAt) + `, ` + arg(after.id) + `)`
	}
	query := `SELECT ` + campaignColsC + ` FROM ping_campaigns c WHERE ` + cond + ` ORDER BY c.opens_at DESC, c.id DESC LIMIT ` + arg(limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Check, error) { return scanCheck(r) })
}

// publishedChecks reads the campaigns whose aggregates are public, newest
// first.
func publishedChecks(ctx context.Context, q store.Queryer) ([]Check, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+campaignCols+` FROM ping_campaigns WHERE published = $1 ORDER BY opens_at DESC`, true)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Check, error) { return scanCheck(r) })
}

// setPublished shows or hides the campaign id's aggregates.
func setPublished(ctx context.Context, tx *sql.Tx, id string, published bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE ping_campaigns SET published = $1 WHERE id = $2`, published, id)
	return err
}

// markOpened records that the campaign id opened at now.
func markOpened(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE ping_campaigns SET status = $1, opened_at = $2 WHERE id = $3`, Open, now, id)
	return err
}

// markClosed records that the campaign id closed at now.
func markClosed(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE ping_campaigns SET status = $1, closed_at = $2 WHERE id = $3`, Closed, now, id)
	return err
}
