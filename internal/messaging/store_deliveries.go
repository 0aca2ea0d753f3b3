package messaging

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the deliveries table: one row per message and recipient
// State, moved along by acknowledgement, answer, closure and the
// scheduler. Each move changes only a delivery in the statuses it may
// leave, and reports how many rows it changed, so that the service knows
// whether anything happened.

const deliveryCols = `message_id, id, state_code, status, queued_at, delivered_at, acknowledged_at, acknowledged_by, responded_at, closed_at,
	expired_at, ack_due_at, response_due_at, escalated_at`

func scanDelivery(r *sql.Rows) (Delivery, error) {
	var d Delivery
	var status string
	var t [8]sql.NullTime
	if err := r.Scan(&d.MessageID, &d.ID, &d.State, &status, &d.QueuedAt, &t[0], &t[1], &d.AcknowledgedBy, &t[2], &t[3], &t[4], &t[5], &t[6], &t[7]); err != nil {
		return d, err
	}
	d.Status = Status(status)
	for i, dst := range []**time.Time{&d.DeliveredAt, &d.AcknowledgedAt, &d.RespondedAt, &d.ClosedAt, &d.ExpiredAt, &d.AckDueAt, &d.ResponseDueAt, &d.EscalatedAt} {
		*dst = timeOrNil(t[i])
	}
	return d, nil
}

// insertDelivery writes d, queued with its deadlines.
func insertDelivery(ctx context.Context, tx *sql.Tx, d Delivery) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (id, message_id, state_code, status, queued_at, ack_due_at, response_due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, d.MessageID, d.State, string(d.Status), d.QueuedAt, store.NullTime(d.AckDueAt), store.NullTime(d.ResponseDueAt))
	return err
}

// deliveriesOf reads the deliveries of the messages messageIDs, by message
// and State.
func deliveriesOf(ctx context.Context, q store.Queryer, messageIDs []string) ([]Delivery, error) {
	in, args := placeholders(1, messageIDs)
	rows, err := q.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE message_id IN `+in+` ORDER BY message_id, state_code`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanDelivery)
}

// deliveryProgress reads what a notice tells of the delivery of messageID
// to state: its id, status, deadlines and the moments it moved on.
func deliveryProgress(ctx context.Context, q store.Queryer, messageID, state string) (Delivery, error) {
	d := Delivery{MessageID: messageID, State: state}
	var status string
	var t [5]sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, status, ack_due_at, response_due_at, acknowledged_at, responded_at, escalated_at
		FROM deliveries WHERE message_id = $1 AND state_code = $2`, messageID, state).Scan(&d.ID, &status, &t[0], &t[1], &t[2], &t[3], &t[4])
	if err != nil {
		return d, err
	}
	d.Status = Status(status)
	for i, dst := range []**time.Time{&d.AckDueAt, &d.ResponseDueAt, &d.AcknowledgedAt, &d.RespondedAt, &d.EscalatedAt} {
		*dst = timeOrNil(t[i])
	}
	return d, nil
}

// deliveryStatus reads the status of the delivery of messageID to state.
func deliveryStatus(ctx context.Context, q store.Queryer, messageID, state string) (Status, error) {
	var status string
	err := q.QueryRowContext(ctx, `SELECT status FROM deliveries WHERE message_id = $1 AND state_code = $2`, messageID, state).Scan(&status)
	return Status(status), err
}

// markDelivered moves the delivery of messageID to state from queued to
// delivered.
func markDelivered(ctx context.Context, q store.Queryer, messageID, state string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE deliveries SET status = $1, delivered_at = $2 WHERE message_id = $3 AND state_code = $4 AND status = $5`,
		string(Delivered), now, messageID, state, string(Queued))
	return err
}

// acknowledgeDelivery records that state, through by, acknowledged
// messageID, unless it already did or went further.
func acknowledgeDelivery(ctx context.Context, tx *sql.Tx, messageID, state, by string, now time.Time) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, acknowledged_at = $2, acknowledged_by = $3
		WHERE message_id = $4 AND state_code = $5 AND status IN ('queued', 'delivered', 'expired')`, string(Acknowledged), now, by, messageID, state))
}

// respondDelivery records that state answered messageID, which
// acknowledges it too; a closed delivery stays closed.
func respondDelivery(ctx context.Context, tx *sql.Tx, messageID, state string, now time.Time) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, responded_at = $2, acknowledged_at = COALESCE(acknowledged_at, $2)
		WHERE message_id = $3 AND state_code = $4 AND status IN ('queued', 'delivered', 'acknowledged', 'expired')`, string(Responded), now, messageID, state))
}

// closeDeliveries closes every delivery of messageID not closed yet.
func closeDeliveries(ctx context.Context, tx *sql.Tx, messageID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, closed_at = $2 WHERE message_id = $3 AND status <> $1`, string(Closed), now, messageID)
	return err
}

// escalateDelivery marks the unacknowledged delivery of messageID to state
// escalated, unless it already is.
func escalateDelivery(ctx context.Context, tx *sql.Tx, messageID, state string, now time.Time) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE deliveries SET escalated_at = $1 WHERE message_id = $2 AND state_code = $3
		AND status IN ('queued', 'delivered') AND escalated_at IS NULL`, now, messageID, state))
}

// expireDelivery marks the delivery of messageID to state expired, unless
// it was answered or closed.
func expireDelivery(ctx context.Context, tx *sql.Tx, messageID, state string, now time.Time) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, expired_at = $2 WHERE message_id = $3 AND state_code = $4
		AND status IN ('queued', 'delivered', 'acknowledged') AND responded_at IS NULL`, string(Expired), now, messageID, state))
}
