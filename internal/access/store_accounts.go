package access

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/search"
	"github.com/detente/detente/internal/store"
)

// The SQL of the accounts table.

const accountCols = `id, email, display_name, role, COALESCE(state_code, ''), totp_enabled, totp_reenrol, language, created_at, updated_at, disabled_at`

// accountColsA is accountCols for queries that join accounts as "a".
const accountColsA = `a.id, a.email, a.display_name, a.role, COALESCE(a.state_code, ''), a.totp_enabled, a.totp_reenrol, a.language, a.created_at, a.updated_at, a.disabled_at`

// scanAccount reads accountCols, then the columns after them into more.
func scanAccount(row interface{ Scan(...any) error }, more ...any) (Account, error) {
	var a Account
	var role string
	var disabled sql.NullTime
	err := row.Scan(append([]any{&a.ID, &a.Email, &a.DisplayName, &role, &a.State, &a.TOTPEnabled, &a.TOTPReenrol, &a.Language, &a.CreatedAt, &a.UpdatedAt, &disabled}, more...)...)
	a.Role = actor.Role(role)
	if disabled.Valid {
		t := disabled.Time
		a.DisabledAt = &t
	}
	return a, err
}

func insertAccountRow(ctx context.Context, tx *sql.Tx, acc Account, hash string) error {
	var state any
	if acc.State != "" {
		state = acc.State
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, email, display_name, role, state_code, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, acc.ID, acc.Email, acc.DisplayName, string(acc.Role), state, hash, acc.CreatedAt, acc.UpdatedAt)
	return err
}

func selectAccount(ctx context.Context, q store.Queryer, id string) (Account, error) {
	return scanAccount(q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
}

// selectAccountByEmail reads the account with address email and its
// password hash.
func selectAccountByEmail(ctx context.Context, q store.Queryer, email string) (Account, string, error) {
	var hash string
	acc, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountCols+`, password_hash FROM accounts WHERE email = $1`, email), &hash)
	return acc, hash, err
}

func accountIDByEmail(ctx context.Context, q store.Queryer, email string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM accounts WHERE email = $1`, email).Scan(&id)
	return id, err
}

func selectHolder(ctx context.Context, q store.Queryer, id string) (Holder, error) {
	var h Holder
	var role string
	var disabled sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT COALESCE(state_code, ''), role, disabled_at FROM accounts WHERE id = $1`, id).Scan(&h.State, &role, &disabled)
	h.Role, h.Disabled = actor.Role(role), disabled.Valid
	return h, err
}

// lockAccounts makes transactions that take it run one after another on
// PostgreSQL; SQLite's single writer already does.
func lockAccounts(ctx context.Context, tx *sql.Tx, engine store.Engine) error {
	if engine != store.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7157842, hashtext(current_schema()))`)
	return err
}

// anyAccount reports whether there is an account at all.
func anyAccount(ctx context.Context, q store.Queryer) (bool, error) {
	var any bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`).Scan(&any)
	return any, err
}

func countAccounts(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, err
}

// allAccounts lists every account by State (the secretariat's first), then email.
func allAccounts(ctx context.Context, q store.Queryer) ([]Account, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY COALESCE(state_code, ''), email`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Account, error) { return scanAccount(r) })
}

// stateAccounts lists a State's accounts by email.
func stateAccounts(ctx context.Context, q store.Queryer, state string) ([]Account, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE state_code = $1 ORDER BY email`, state)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Account, error) { return scanAccount(r) })
}

// accountQuery is a page of accounts to read: those of the State own when
// scoped, that match f and terms, after the key after (State, email) when
// it is set, at most limit.
type accountQuery struct {
	scoped bool
	own    string
	f      AccountFilter
	terms  []string
	after  []string
	limit  int
}

func accountPage(ctx context.Context, q store.Queryer, aq accountQuery) ([]Account, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	query := `SELECT ` + accountCols + ` FROM accounts WHERE 1=1`
	if aq.scoped {
		query += ` AND state_code = ` + arg(aq.own)
	}
	f := aq.f
	if f.State != "" {
		query += ` AND state_code = ` + arg(f.State)
	}
	if f.Role != "" {
		query += ` AND role = ` + arg(string(f.Role))
	}
	switch f.Status {
	case StatusActive:
		query += ` AND disabled_at IS NULL`
	case StatusDisabled:
		query += ` AND disabled_at IS NOT NULL`
	}
	if f.ID != "" {
		query += ` AND id = ` + arg(f.ID)
	}
	for _, t := range aq.terms {
		query += ` AND ` + search.Any(arg(search.Pattern(t)), "display_name", "email")
	}
	if aq.after != nil {
		query += ` AND (COALESCE(state_code, ''), email) > (` + arg(aq.after[0]) + `, ` + arg(aq.after[1]) + `)`
	}
	query += ` ORDER BY COALESCE(state_code, ''), email LIMIT ` + arg(aq.limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Account, error) { return scanAccount(r) })
}

// setDisabledAt disables account id at at, or enables it with a nil at.
func setDisabledAt(ctx context.Context, db *store.DB, tx *sql.Tx, id string, at any, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET disabled_at = $1, updated_at = $2 WHERE id = $3`, at, now, id)
	if err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

// setLanguage records account id's language for the pages.
func setLanguage(ctx context.Context, db *store.DB, tx *sql.Tx, id, lang string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET language = $1, updated_at = $2 WHERE id = $3`, lang, now, id)
	if err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

func passwordHash(ctx context.Context, q store.Queryer, id string) (string, error) {
	var hash string
	err := q.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE id = $1`, id).Scan(&hash)
	return hash, err
}

func setPassword(ctx context.Context, db *store.DB, tx *sql.Tx, id, hash string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, now, id)
	if err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

// clearCredentials replaces account id's password hash with hash and
// removes its second factor; reenrol asks for a new one.
func clearCredentials(ctx context.Context, db *store.DB, tx *sql.Tx, id, hash string, reenrol bool, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1, totp_secret = $2, totp_enabled = $3, totp_reenrol = $4, updated_at = $5 WHERE id = $6`,
		hash, "", false, reenrol, now, id)
	if err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}

func totpSecret(ctx context.Context, q store.Queryer, id string) (string, error) {
	var secret string
	err := q.QueryRowContext(ctx, `SELECT totp_secret FROM accounts WHERE id = $1`, id).Scan(&secret)
	return secret, err
}

// setPendingTOTP stores a secret not yet confirmed by a code, unless the
// account has enrolled meanwhile.
func setPendingTOTP(ctx context.Context, q store.Queryer, id, secret string) error {
	_, err := q.ExecContext(ctx, `UPDATE accounts SET totp_secret = $1 WHERE id = $2 AND totp_enabled = $3`, secret, id, false)
	return err
}

// totpState is account id's TOTP secret and the last time step used.
func totpState(ctx context.Context, q store.Queryer, id string) (secret string, lastStep int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT totp_secret, totp_last_step FROM accounts WHERE id = $1`, id).Scan(&secret, &lastStep)
	return secret, lastStep, err
}

// enableTOTP marks the second factor enrolled, with step used.
func enableTOTP(ctx context.Context, db *store.DB, tx *sql.Tx, id string, step int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_enabled = $1, totp_reenrol = $2, totp_last_step = $3 WHERE id = $4`, true, false, step, id)
	if err != nil {
		return err
	}
	return accessChanged(ctx, db, tx)
}
