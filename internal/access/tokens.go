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
		if err := insertToken(ctx, tx, t, sha256Hex(secret)); err != nil {
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
	out, err := accountTokens(ctx, s.db.R, a.AccountID)
	if err != nil {
		return nil, errs.Internalf(err, "list tokens")
	}
	return out, nil
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
	owner, err := selectTokenOwner(ctx, s.db.R, id)
	if store.NoRows(err) || (err == nil && owner.id != a.AccountID && !canManage(a, owner.role, owner.state)) {
		return errs.E(errs.NotFound, "no such token")
	}
	if err != nil {
		return errs.Internalf(err, "load token")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := revokeToken(ctx, s.db, tx, id, s.clock.Now()); err != nil {
			return errs.Internalf(err, "revoke token")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "token.revoke", ObjectType: "api_token", ObjectID: id, State: owner.state})
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
	hash := sha256Hex(secret)
	u, err := s.tokens.lookup(ctx, s.db, hash, func() (tokenUse, error) { return selectTokenBySecret(ctx, s.db.Kept(), hash) })
	if store.NoRows(err) {
		return Account{}, nil, bad
	}
	if err != nil {
		return Account{}, nil, errs.Internalf(err, "load token")
	}
	t := u.token
	now := s.clock.Now()
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) || u.disabled {
		return Account{}, nil, bad
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := touchToken(ctx, s.db.W, t.ID, now); err != nil {
			return Account{}, nil, errs.Internalf(err, "touch token")
		}
		s.tokens.update(hash, func(u *tokenUse) { u.token.LastUsedAt = &now })
	}
	return u.account, t.Scopes, nil
}
