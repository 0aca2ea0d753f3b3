package access

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
)

// The SQL of the api_tokens table. Tokens are found by the SHA-256 of
// their secret, never by the secret itself.

func insertToken(ctx context.Context, tx *sql.Tx, t Token, secretHash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, account_id, name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ID, t.AccountID, t.Name, secretHash, joinScopes(t.Scopes), t.CreatedAt, t.ExpiresAt)
	return err
}

// accountTokens lists account id's tokens, newest first.
func accountTokens(ctx context.Context, q store.Queryer, id string) ([]Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, account_id, name, scopes, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Token, error) {
		var t Token
		var scopes string
		var revoked, used sql.NullTime
		if err := r.Scan(&t.ID, &t.AccountID, &t.Name, &scopes, &t.CreatedAt, &t.ExpiresAt, &revoked, &used); err != nil {
			return t, err
		}
		t.Scopes = splitScopes(scopes)
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		return t, nil
	})
}

// tokenOwner is the account holding a token, as far as revoking it goes.
type tokenOwner struct {
	id, state string
	role      actor.Role
}

func selectTokenOwner(ctx context.Context, q store.Queryer, tokenID string) (tokenOwner, error) {
	var o tokenOwner
	var role string
	err := q.QueryRowContext(ctx, `SELECT t.account_id, COALESCE(a.state_code, ''), a.role FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.id = $1`, tokenID).
		Scan(&o.id, &o.state, &role)
	o.role = actor.Role(role)
	return o, err
}

// revokeToken ends token id at now, unless it was revoked before.
func revokeToken(ctx context.Context, db *store.DB, tx *sql.Tx, id string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, id); err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

// revokeTokens ends every live token of account id at now and returns how many.
func revokeTokens(ctx context.Context, db *store.DB, tx *sql.Tx, id string, now time.Time) (int64, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL`, now, id))
	if err != nil {
		return 0, err
	}
	return n, accessChanged(ctx, db, tx)
}

// tokenUse is a token found by its secret, with its account.
type tokenUse struct {
	token    Token // ID, Scopes, ExpiresAt, RevokedAt and LastUsedAt only
	account  Account
	disabled bool
}

func selectTokenBySecret(ctx context.Context, q store.Queryer, secretHash string) (tokenUse, error) {
	var u tokenUse
	var scopes string
	var revoked, used sql.NullTime
	var role string
	var disabled sql.NullTime
	acc := &u.account
	err := q.QueryRowContext(ctx, `SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at, `+accountColsA+`
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1`, secretHash).
		Scan(&u.token.ID, &scopes, &u.token.ExpiresAt, &revoked, &used, &acc.ID, &acc.Email, &acc.DisplayName, &role, &acc.State, &acc.TOTPEnabled, &acc.TOTPReenrol, &acc.Language, &acc.CreatedAt, &acc.UpdatedAt, &disabled)
	if err != nil {
		return tokenUse{}, err
	}
	u.token.Scopes = splitScopes(scopes)
	if revoked.Valid {
		u.token.RevokedAt = &revoked.Time
	}
	if used.Valid {
		u.token.LastUsedAt = &used.Time
	}
	acc.Role = actor.Role(role)
	u.disabled = disabled.Valid
	return u, nil
}

// touchToken notes that token id was used at now.
func touchToken(ctx context.Context, q store.Queryer, id string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id)
	return err
}
