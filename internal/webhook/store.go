package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of subscriptions and their delivery log, over this package's
// tables only: webhooks and webhook_deliveries.

const subCols = `w.id, COALESCE(w.state_code, ''), w.url, w.events, w.active, w.created_by, w.created_at, w.updated_at, w.secret_rotated_at`

func scanSub(row interface{ Scan(...any) error }, counts ...any) (Subscription, error) {
	var sub Subscription
	var events string
	var rotated sql.NullTime
	dest := append([]any{&sub.ID, &sub.State, &sub.URL, &events, &sub.Active, &sub.CreatedBy, &sub.CreatedAt, &sub.UpdatedAt, &rotated}, counts...)
	if err := row.Scan(dest...); err != nil {
		return sub, err
	}
	if rotated.Valid {
		t := rotated.Time
		sub.SecretRotatedAt = &t
	}
	return sub, json.Unmarshal([]byte(events), &sub.Events)
}

// subscriber is a live subscription an event may go to, with the event
// types it chose as stored (a JSON list).
type subscriber struct {
	id, events string
}

// subscribers lists the active, undeleted subscriptions of the States in
// states, and the secretariat's when secretariat is set, by id.
func subscribers(ctx context.Context, tx *sql.Tx, states []string, secretariat bool) ([]subscriber, error) {
	var conds []string
	var args []any
	for _, st := range states {
		if st == "" || slices.Contains(args, any(st)) {
			continue
		}
		args = append(args, st)
		conds = append(conds, fmt.Sprintf("$%d", len(args)))
	}
	where := "1=0"
	if len(conds) > 0 {
		where = "state_code IN (" + strings.Join(conds, ", ") + ")"
	}
	if secretariat {
		where += " OR state_code IS NULL"
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, events FROM webhooks WHERE active AND deleted_at IS NULL AND (`+where+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (subscriber, error) {
		var s subscriber
		err := r.Scan(&s.id, &s.events)
		return s, err
	})
}

func insertDelivery(ctx context.Context, tx *sql.Tx, d deliveryJob, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, created_at) VALUES ($1, $2, $3, $4, $5)`,
		d.DeliveryID, d.WebhookID, d.EventID, d.EventType, now)
	return err
}

// selectSub reads live subscription id of owner o ("" for the
// secretariat); sql.ErrNoRows when there is none.
func selectSub(ctx context.Context, q store.Queryer, o, id string) (Subscription, error) {
	return scanSub(q.QueryRowContext(ctx, `SELECT `+subCols+` FROM webhooks w WHERE w.id = $1 AND w.deleted_at IS NULL AND COALESCE(w.state_code, '') = $2`, id, o))
}

// countSubs counts owner o's live subscriptions.
func countSubs(ctx context.Context, tx *sql.Tx, o string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE deleted_at IS NULL AND COALESCE(state_code, '') = $1`, o).Scan(&n)
	return n, err
}

// insertSub writes a new active subscription with its sealed secret.
func insertSub(ctx context.Context, tx *sql.Tx, sub Subscription, sealed string) error {
	var state any
	if sub.State != "" {
		state = sub.State
	}
	events, _ := json.Marshal(sub.Events)
	_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, state_code, url, events, active, secret, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, sub.ID, state, sub.URL, string(events), true, sealed, sub.CreatedBy, sub.CreatedAt)
	return err
}

// listSubs lists owner o's live subscriptions, oldest first, with the
// counts of their delivery logs.
func listSubs(ctx context.Context, q store.Queryer, o string) ([]Subscription, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+subCols+`,
		(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NOT NULL),
		(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.failed_at IS NOT NULL),
		(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NULL AND d.failed_at IS NULL)
		FROM webhooks w WHERE w.deleted_at IS NULL AND COALESCE(w.state_code, '') = $1 ORDER BY w.created_at, w.id`, o)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Subscription, error) {
		var d, f, p int
		sub, err := scanSub(r, &d, &f, &p)
		sub.Delivered, sub.Failed, sub.Pending = d, f, p
		return sub, err
	})
}

func setActive(ctx context.Context, tx *sql.Tx, id string, active bool, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE webhooks SET active = $1, updated_at = $2 WHERE id = $3`, active, now, id)
	return err
}

// markDeleted deletes subscription id softly, erasing its secret; its
// delivery log stays.
func markDeleted(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE webhooks SET deleted_at = $1, updated_at = $1, active = $2, secret = '' WHERE id = $3`, now, false, id)
	return err
}

func setSecret(ctx context.Context, tx *sql.Tx, id, sealed string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE webhooks SET secret = $1, secret_rotated_at = $2, updated_at = $2 WHERE id = $3`, sealed, now, id)
	return err
}

// failPending gives up, for why, the deliveries of subscription id not yet
// delivered or given up.
func failPending(ctx context.Context, tx *sql.Tx, id string, now time.Time, why string) error {
	_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET failed_at = $1, last_error = $2 WHERE webhook_id = $3 AND delivered_at IS NULL AND failed_at IS NULL`, now, why, id)
	return err
}

// deliveryLog lists the newest limit lines of subscription id's delivery log.
func deliveryLog(ctx context.Context, q store.Queryer, id string, limit int) ([]Delivery, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, webhook_id, event_id, event_type, created_at, attempts, last_status, last_error, last_attempt_at, delivered_at, failed_at
		FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, id, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Delivery, error) {
		var d Delivery
		var t [3]sql.NullTime
		if err := r.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.CreatedAt, &d.Attempts, &d.LastStatus, &d.LastError, &t[0], &t[1], &t[2]); err != nil {
			return d, err
		}
		for i, dst := range []**time.Time{&d.LastAttemptAt, &d.DeliveredAt, &d.FailedAt} {
			if t[i].Valid {
				v := t[i].Time
				*dst = &v
			}
		}
		d.Status = d.status()
		return d, nil
	})
}

// endpoint is where a delivery goes, as the worker reads it.
type endpoint struct {
	url     string
	secret  string // sealed
	active  bool
	deleted bool
}

// selectEndpoint reads subscription id whatever its state; sql.ErrNoRows
// when there is none.
func selectEndpoint(ctx context.Context, q store.Queryer, id string) (endpoint, error) {
	var e endpoint
	var deleted sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT url, secret, active, deleted_at FROM webhooks WHERE id = $1`, id).Scan(&e.url, &e.secret, &e.active, &deleted)
	e.deleted = deleted.Valid
	return e, err
}

// deliveryEnded reports whether delivery id was delivered or given up; a
// delivery not in the log has not.
func deliveryEnded(ctx context.Context, q store.Queryer, id string) (bool, error) {
	var delivered, failed sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT delivered_at, failed_at FROM webhook_deliveries WHERE id = $1`, id).Scan(&delivered, &failed)
	if err != nil && !store.NoRows(err) {
		return false, err
	}
	return delivered.Valid || failed.Valid, nil
}

// failDelivery gives delivery id up for why, unless it already ended.
func failDelivery(ctx context.Context, q store.Queryer, id string, now time.Time, why string) error {
	_, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET failed_at = $1, last_error = $2 WHERE id = $3 AND delivered_at IS NULL AND failed_at IS NULL`,
		now, why, id)
	return err
}

// recordAttempt counts an attempt at delivery id; deliveredAt and failedAt
// are a time or nil.
func recordAttempt(ctx context.Context, q store.Queryer, id string, status int, lastError string, now time.Time, deliveredAt, failedAt any) error {
	_, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $1, last_error = $2,
		last_attempt_at = $3, delivered_at = $4, failed_at = $5 WHERE id = $6`, status, lastError, now, deliveredAt, failedAt, id)
	return err
}
