package messaging

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of threads, the exchanges messages belong to, and of
// thread_events, their timelines. Which events a reader sees is the
// service's to decide (eventVisible).

// insertThread opens the thread id with its first message's subject.
func insertThread(ctx context.Context, tx *sql.Tx, id, subject, originState string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO threads (id, subject, origin_state, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
		id, subject, originState, at)
	return err
}

// touchThread records that the thread id changed at at.
func touchThread(ctx context.Context, tx *sql.Tx, id string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE threads SET updated_at = $1 WHERE id = $2`, at, id)
	return err
}

// insertEvent adds e to the timeline of thread under id.
func insertEvent(ctx context.Context, tx *sql.Tx, id, thread string, e Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO thread_events (id, thread_id, message_id, state_code, kind, actor_label, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, thread, store.NullString(e.MessageID), e.State, e.Kind, e.Actor, e.Detail, e.At)
	return err
}

// threadEvents reads the whole timeline of thread, oldest first.
func threadEvents(ctx context.Context, q store.Queryer, thread string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(message_id, ''), state_code, kind, actor_label, detail, at FROM thread_events WHERE thread_id = $1 ORDER BY at, id`, thread)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Event, error) {
		var e Event
		return e, r.Scan(&e.MessageID, &e.State, &e.Kind, &e.Actor, &e.Detail, &e.At)
	})
}
