package access

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// tokenPrefix marks detente API tokens so secret scanners can find leaks.
const tokenPrefix = "dtt_"

// ScopeMetrics lets a token read the Prometheus metrics at /metrics and
// nothing else; only the secretariat, who runs the installation, gets one.
const ScopeMetrics actor.Scope = "metrics"

// MaxTokenLifetime bounds how long an API token may live.
const MaxTokenLifetime = 366 * 24 * time.Hour

// Token is an API token's record; the secret is shown once at creation.
type Token struct {
	ID         string
	AccountID  string
	Name       string
	Scopes     []actor.Scope
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Active reports whether the token can still be used at now.
func (t Token) Active(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// CreateToken issues an API token for the caller's own account. Tokens are
// stored as SHA-256 hashes: they carry 256 random bits, so a slow hash buys
// nothing.
func (s *Service) CreateToken(ctx context.Context, a actor.Actor, name string, scopes []actor.Scope, lifetime time.Duration) (string, Token, error) {
	if err := a.RequireSignedIn(); err != nil {
		return "", Token{}, err
	}
	// A leaked token must not be able to outlive its own revocation by
	// minting a successor.
	if a.ViaToken || a.ReadOnly {
		return "", Token{}, errs.E(errs.Forbidden, "API tokens cannot create tokens; sign in to the web interface")
	}
	var f errs.Fields
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 80 {
		f.Add("name", "give the token a name of 1 to 80 characters, e.g. the script that uses it")
	}
	if len(scopes) == 0 {
		f.Add("scopes", "choose at least one scope")
	}
	for _, sc := range scopes {
		if sc != actor.ScopeRead && sc != actor.ScopeWrite && sc != ScopeMetrics {
			f.Add("scopes", "scopes are read, write and metrics")
		}
	}
	if slices.Contains(scopes, ScopeMetrics) && !a.IsSecretariat() {
		f.Add("scopes", "only the secretariat may have metrics tokens")
	}
	if slices.Contains(scopes, actor.ScopeWrite) && a.Role == actor.Viewer {
		f.Add("scopes", "viewers may only have read tokens")
	}
	if lifetime <= 0 || lifetime > MaxTokenLifetime {
		f.Add("expires", "choose a lifetime between one day and one year")
	}
	if err := f.Err(); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + randomToken(32)
	now := s.clock.Now()
	t := Token{ID: newID(), AccountID: a.AccountID, Name: name, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, account_id, name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.ID, t.AccountID, t.Name, sha256Hex(secret), joinScopes(scopes), now, t.ExpiresAt)
		if err != nil {
			return errs.Internalf(err, "insert token")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "token.create", ObjectType: "api_token", ObjectID: t.ID, State: a.State,
			Details: map[string]any{"name": name, "scopes": scopes, "expires_at": t.ExpiresAt}})
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

func joinScopes(sc []actor.Scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = string(s)
	}
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), " ")
}

func splitScopes(s string) []actor.Scope {
	var out []actor.Scope
	for _, p := range strings.Fields(s) {
		out = append(out, actor.Scope(p))
	}
	return out
}

// Tokens lists the caller's own tokens.
func (s *Service) Tokens(ctx context.Context, a actor.Actor) ([]Token, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, account_id, name, scopes, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC`, a.AccountID)
	if err != nil {
		return nil, errs.Internalf(err, "list tokens")
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var scopes string
		var revoked, used sql.NullTime
		if err := rows.Scan(&t.ID, &t.AccountID, &t.Name, &scopes, &t.CreatedAt, &t.ExpiresAt, &revoked, &used); err != nil {
			return nil, errs.Internalf(err, "scan token")
		}
		t.Scopes = splitScopes(scopes)
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends one of the caller's tokens, or, for administrators
// (the secretariat, a State admin of the account's State), a token of an
// account they manage. A read-only token revokes nothing; a write token
// acts for its account like a session. Tokens the caller may not revoke
// are "not found", so their ids reveal nothing.
func (s *Service) RevokeToken(ctx context.Context, a actor.Actor, id string) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	// Viewers revoke their own tokens from a session (they have no write
	// role, but must be able to kill a leaked token); a read-only token
	// changes nothing.
	if a.ReadOnly {
		return errs.E(errs.Forbidden, "this token may only read")
	}
	var owner, ownerState, ownerRole string
	err := s.db.R.QueryRowContext(ctx, `SELECT t.account_id, COALESCE(a.state_code, ''), a.role FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.id = $1`, id).
		Scan(&owner, &ownerState, &ownerRole)
	if store.NoRows(err) || (err == nil && owner != a.AccountID && !canManage(a, actor.Role(ownerRole), ownerState)) {
		return errs.E(errs.NotFound, "no such token")
	}
	if err != nil {
		return errs.Internalf(err, "load token")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, s.clock.Now(), id); err != nil {
			return errs.Internalf(err, "revoke token")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "token.revoke", ObjectType: "api_token", ObjectID: id, State: ownerState})
	})
}

// TokenActor authenticates an API request. A token without the write scope
// yields a read-only actor; one with neither read nor write (a metrics
// token) is refused.
func (s *Service) TokenActor(ctx context.Context, secret string) (actor.Actor, error) {
	acc, scopes, err := s.liveToken(ctx, secret)
	if err != nil {
		return actor.Anonymous, err
	}
	if !slices.Contains(scopes, actor.ScopeRead) && !slices.Contains(scopes, actor.ScopeWrite) {
		return actor.Anonymous, errBadToken
	}
	a := acc.Actor()
	a.ReadOnly = !slices.Contains(scopes, actor.ScopeWrite)
	a.ViaToken = true
	return a, nil
}

// CheckMetricsToken accepts a live token with the metrics scope of a
// secretariat account.
func (s *Service) CheckMetricsToken(ctx context.Context, secret string) error {
	acc, scopes, err := s.liveToken(ctx, secret)
	if err != nil {
		return err
	}
	if !slices.Contains(scopes, ScopeMetrics) || acc.Role != actor.Secretariat {
		return errs.E(errs.Forbidden, "this token may not read metrics")
	}
	return nil
}

var errBadToken = errs.E(errs.Unauthenticated, "the API token is missing, unknown, expired or revoked")

// liveToken finds the account and scopes of an unrevoked, unexpired token
// of an enabled account, and notes its use at most once a minute.
func (s *Service) liveToken(ctx context.Context, secret string) (Account, []actor.Scope, error) {
	bad := errBadToken
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Account{}, nil, bad
	}
	var t Token
	var scopes string
	var revoked, used sql.NullTime
	var acc Account
	var role string
	var disabled sql.NullTime
	err := s.db.R.QueryRowContext(ctx, `SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at, `+accountColsA+`
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1`, sha256Hex(secret)).
		Scan(&t.ID, &scopes, &t.ExpiresAt, &revoked, &used, &acc.ID, &acc.Email, &acc.DisplayName, &role, &acc.State, &acc.TOTPEnabled, &acc.TOTPReenrol, &acc.CreatedAt, &acc.UpdatedAt, &disabled)
	if store.NoRows(err) {
		return Account{}, nil, bad
	}
	if err != nil {
		return Account{}, nil, errs.Internalf(err, "load token")
	}
	now := s.clock.Now()
	if revoked.Valid || !now.Before(t.ExpiresAt) || disabled.Valid {
		return Account{}, nil, bad
	}
	acc.Role = actor.Role(role)
	if !used.Valid || now.Sub(used.Time) > time.Minute {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, t.ID); err != nil {
			return Account{}, nil, errs.Internalf(err, "touch token")
		}
	}
	return acc, splitScopes(scopes), nil
}
