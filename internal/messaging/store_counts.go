package messaging

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the counts behind the unread badge, inbox_state_counts and
// inbox_account_counts, and of message_reads, which records who read
// what. inbox.go says which counts a change moves.

// countStateInbox adds a message to the inbox of every account of state.
func countStateInbox(ctx context.Context, tx *sql.Tx, state string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO inbox_state_counts (state_code, messages) VALUES ($1, 1)
		ON CONFLICT (state_code) DO UPDATE SET messages = inbox_state_counts.messages + 1`, state)
	return err
}

// countNamedInbox adds a message naming account to its inbox.
func countNamedInbox(ctx context.Context, tx *sql.Tx, account string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO inbox_account_counts (account_id, named) VALUES ($1, 1)
		ON CONFLICT (account_id) DO UPDATE SET named = inbox_account_counts.named + 1`, account)
	return err
}

// countRead adds a message of its inbox that account has read.
func countRead(ctx context.Context, tx *sql.Tx, account string) error {
	return countReads(ctx, tx, account, 1)
}

// countReads adds n messages of its inbox that account has read.
func countReads(ctx context.Context, tx *sql.Tx, account string, n int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO inbox_account_counts (account_id, readcount) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET readcount = inbox_account_counts.readcount + $2`, account, n)
	return err
}

// unreadCount is the inbox of state less what account has read, plus the
// messages naming it: two rows read by key. Its SQL is constant, so that
// through db.Kept it stays prepared.
func unreadCount(ctx context.Context, q store.Queryer, state, account string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT messages FROM inbox_state_counts WHERE state_code = $1), 0) +
		COALESCE((SELECT named - readcount FROM inbox_account_counts WHERE account_id = $2), 0)`, state, account).Scan(&n)
	return n, err
}

// insertRead records that account read messageID at now, and reports
// whether it is the first reading.
func insertRead(ctx context.Context, tx *sql.Tx, account, messageID string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO message_reads (account_id, message_id, read_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, account, messageID, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// insertReads records that account read messageIDs at now, in one
// statement, and returns those it read for the first time.
func insertReads(ctx context.Context, tx *sql.Tx, account string, messageIDs []string, now time.Time) ([]string, error) {
	in, args := placeholders(3, messageIDs)
	rows, err := tx.QueryContext(ctx, `INSERT INTO message_reads (account_id, message_id, read_at)
		SELECT $1, m.id, $2 FROM messages m WHERE m.id IN `+in+`
		ON CONFLICT DO NOTHING RETURNING message_id`, append([]any{account, now}, args...)...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

// readOf returns those of messageIDs that account has read.
func readOf(ctx context.Context, q store.Queryer, account string, messageIDs []string) ([]string, error) {
	in, args := placeholders(2, messageIDs)
	rows, err := q.QueryContext(ctx, `SELECT message_id FROM message_reads WHERE account_id = $1 AND message_id IN `+in, append([]any{account}, args...)...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}
