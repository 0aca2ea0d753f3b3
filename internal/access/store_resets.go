package access

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the account_resets table. Links are found by the SHA-256 of
// their token, never by the token itself.

// dropUnusedResets deletes account id's reset links not yet used.
func dropUnusedResets(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM account_resets WHERE account_id = $1 AND used_at IS NULL`, id)
	return err
}

func insertReset(ctx context.Context, tx *sql.Tx, tokenHash, accountID, createdBy string, now, expires time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO account_resets (token_hash, account_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		tokenHash, accountID, createdBy, now, expires)
	return err
}

// resetLink is a reset link as stored.
type resetLink struct {
	accountID string
	expires   time.Time
	used      bool
}

func selectReset(ctx context.Context, q store.Queryer, tokenHash string) (resetLink, error) {
	var r resetLink
	var used sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT account_id, expires_at, used_at FROM account_resets WHERE token_hash = $1`, tokenHash).Scan(&r.accountID, &r.expires, &used)
	r.used = used.Valid
	return r, err
}

// useReset marks the link under tokenHash used at now if it is live, and
// returns how many rows it changed: 1 for the one use that wins.
func useReset(ctx context.Context, tx *sql.Tx, tokenHash string, now time.Time) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE account_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3`, now, tokenHash, now))
}

// purgeResets deletes the links expired at now.
func purgeResets(ctx context.Context, q store.Queryer, now time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM account_resets WHERE expires_at < $1`, now)
	return err
}
