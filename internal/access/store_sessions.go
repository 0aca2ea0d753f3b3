package access

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the sessions table. Sessions are found by the SHA-256 of
// their token (sha256Hex), never by the token itself.

// accessVersion counts the changes that can end or alter a session or an
// API token: every write to sessions, tokens or the accounts they show
// bumps it in its own transaction, so that the copies kept in memory
// (sessions.go) are dropped on every instance. Only when each was last
// used moves without it.
const accessVersion = "access"

func accessChanged(ctx context.Context, db *store.DB, tx *sql.Tx) error {
	return db.Bump(ctx, tx, accessVersion)
}

// insertSession stores sess under tokenHash; its second factor is not
// yet passed.
func insertSession(ctx context.Context, tx *sql.Tx, tokenHash string, sess Session, remoteAddr, userAgent string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, csrf_token, second_factor, created_at, last_seen_at, expires_at, remote_addr, user_agent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, tokenHash, sess.Account.ID, sess.CSRF, false, sess.CreatedAt, sess.CreatedAt, sess.ExpiresAt, remoteAddr, userAgent)
	return err
}

// selectSession reads the session under tokenHash with its account, and
// when it was last used.
func selectSession(ctx context.Context, q store.Queryer, tokenHash string) (Session, time.Time, error) {
	var sess Session
	var lastSeen time.Time
	row := q.QueryRowContext(ctx, `SELECT `+accountColsA+`, s.csrf_token, s.second_factor, s.created_at, s.expires_at, s.last_seen_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, tokenHash)
	acc, err := scanAccount(row, &sess.CSRF, &sess.SecondFactor, &sess.CreatedAt, &sess.ExpiresAt, &lastSeen)
	sess.Account = acc
	return sess, lastSeen, err
}

func deleteSession(ctx context.Context, db *store.DB, tx *sql.Tx, tokenHash string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

func touchSession(ctx context.Context, q store.Queryer, tokenHash string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, tokenHash)
	return err
}

// rotateSession moves the session under oldHash to newHash, its second
// factor passed.
func rotateSession(ctx context.Context, db *store.DB, tx *sql.Tx, oldHash, newHash string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET token_hash = $1, second_factor = $2 WHERE token_hash = $3`, newHash, true, oldHash); err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

// endSessions deletes every session of account id and returns how many.
func endSessions(ctx context.Context, db *store.DB, tx *sql.Tx, id string) (int64, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1`, id))
	if err != nil {
		return 0, err
	}
	return n, accessChanged(ctx, db, tx)
}

// purgeSessions deletes the sessions expired at now or unused since idleSince.
func purgeSessions(ctx context.Context, q store.Queryer, now, idleSince time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`, now, idleSince)
	return err
}
