package access

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// Session is a signed-in browser. The token itself is never stored.
type Session struct {
	Account      Account
	CSRF         string
	SecondFactor bool // TOTP checked in this session
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// Complete reports whether the session may act: roles that need a second
// factor must have passed it.
func (s Session) Complete() bool {
	return s.SecondFactor || !s.Account.NeedsSecondFactor()
}

// Actor is the session's caller; anonymous until the sign-in is complete.
func (s Session) Actor() actor.Actor {
	if !s.Complete() {
		return actor.Anonymous
	}
	return s.Account.Actor()
}

var errBadCredentials = errs.E(errs.Unauthenticated, "the email or password is not correct")

// SignIn checks a password and opens a session. The answer does not say
// whether the account exists.
//
// Failures are counted in the database, so several instances share the
// counts, over a sliding window (see failures), under three keys:
//   - the client address, whatever the account: one address spraying
//     passwords over many accounts is stopped;
//   - the account and the address together: guessing one account's
//     password from one address is stopped, while its owner signing in
//     from anywhere else is not;
//   - the account alone, which never refuses on its own: once many
//     addresses have failed on the account, an address that has itself
//     failed on it gets no more tries, so a botnet gets one guess per
//     address, and an address with no failures still gets in.
func (s *Service) SignIn(ctx context.Context, email, password, remoteAddr, userAgent string) (token string, sess Session, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	// No account has an address like this, and PostgreSQL stores no NUL
	// or invalid UTF-8: such a sign-in fails like one for an unknown
	// account, and the counts key on a stand-in.
	if len(email) > 320 || !utf8.ValidString(email) || strings.ContainsRune(email, 0) {
		email = "\uFFFD"
	}
	now := s.clock.Now()
	addrKey, pairKey, acctKey := "addr:"+remoteAddr, "pair:"+email+" "+remoteAddr, "account:"+email
	keys := []string{addrKey, pairKey, acctKey}
	var counts [3]int
	for i, k := range keys {
		n, wait, err := s.failures(ctx, k, now, []int{s.cfg.MaxFailsAddr, s.cfg.MaxFailsAccount, s.cfg.MaxFailsUnderAttack}[i])
		if err != nil {
			return "", Session{}, err
		}
		counts[i] = n
		refuse := wait > 0
		if k == acctKey {
			refuse = refuse && counts[1] > 0
		}
		if refuse {
			return "", Session{}, errs.E(errs.TooMany, "too many failed attempts; try again in %d minutes", int(wait.Minutes())+1)
		}
	}

	var hash string
	acc, err := scanAccountHash(s.db.R.QueryRowContext(ctx, `SELECT `+accountCols+`, password_hash FROM accounts WHERE email = $1`, email), &hash)
	ok := false
	switch {
	case err == nil:
		ok, _ = CheckPassword(hash, password)
	case store.NoRows(err):
		// Spend the same effort as a real check so timing does not reveal
		// which emails have accounts.
		_, _ = CheckPassword(dummyHash(s.cfg.Argon2), password)
	default:
		return "", Session{}, errs.Internalf(err, "load account")
	}
	if !ok || acc.DisabledAt != nil {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, k := range keys {
				if err := bumpFailure(ctx, tx, k, s.bucket(now)); err != nil {
					return err
				}
			}
			who := actor.Actor{Email: email}
			if acc.ID != "" {
				who = acc.Actor()
			}
			return s.audit.Append(ctx, tx, who, audit.Change{Action: "account.sign_in_failed", ObjectType: "account", ObjectID: acc.ID, State: acc.State,
				Details: map[string]string{"email": email, "remote_addr": remoteAddr}})
		})
		if err != nil {
			return "", Session{}, errs.Internalf(err, "record failure")
		}
		return "", Session{}, errBadCredentials
	}

	token = randomToken(32)
	sess = Session{Account: acc, CSRF: randomToken(24), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, csrf_token, second_factor, created_at, last_seen_at, expires_at, remote_addr, user_agent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, sha256Hex(token), acc.ID, sess.CSRF, false, now, now, sess.ExpiresAt, remoteAddr, truncate(userAgent, 300))
		if err != nil {
			return errs.Internalf(err, "insert session")
		}
		// The right password clears this address's failures on the
		// account; the account's and the address's own counts stay.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, pairKey); err != nil {
			return errs.Internalf(err, "clear throttle")
		}
		return s.audit.Append(ctx, tx, acc.Actor(), audit.Change{Action: "account.sign_in", ObjectType: "account", ObjectID: acc.ID, State: acc.State,
			Details: map[string]string{"remote_addr": remoteAddr}})
	})
	if err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// bucket is the slice of the sliding window a failure at now is counted
// in: a fifteenth of the window (a minute by default).
func (s *Service) bucket(now time.Time) time.Time {
	return now.Truncate(max(s.cfg.FailWindow/15, time.Second))
}

// failures counts key's failures in the window ending at now: the buckets
// that started less than a window ago, so the window slides a bucket at a
// time instead of resetting on the clock. When the count has reached limit
// it also says how long until enough buckets age out to fall below it.
func (s *Service) failures(ctx context.Context, key string, now time.Time, limit int) (int, time.Duration, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT window_start, failures FROM login_failures WHERE key = $1 AND window_start > $2 ORDER BY window_start`,
		key, now.Add(-s.cfg.FailWindow))
	if err != nil {
		return 0, 0, errs.Internalf(err, "read throttle")
	}
	defer rows.Close()
	type bucket struct {
		start time.Time
		n     int
	}
	var bs []bucket
	total := 0
	for rows.Next() {
		var b bucket
		if err := rows.Scan(&b.start, &b.n); err != nil {
			return 0, 0, errs.Internalf(err, "read throttle")
		}
		bs = append(bs, b)
		total += b.n
	}
	if err := rows.Err(); err != nil {
		return 0, 0, errs.Internalf(err, "read throttle")
	}
	if total < limit {
		return total, 0, nil
	}
	left := total
	for _, b := range bs {
		left -= b.n
		if left < limit {
			return total, max(b.start.Add(s.cfg.FailWindow).Sub(now), time.Second), nil
		}
	}
	return total, s.cfg.FailWindow, nil
}

func bumpFailure(ctx context.Context, tx *sql.Tx, key string, window time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE login_failures SET failures = failures + 1 WHERE key = $1 AND window_start = $2`, key, window)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, 1)`, key, window)
	}
	return err
}

// truncate keeps at most n bytes of s as valid UTF-8 without NUL, which
// PostgreSQL refuses: headers such as User-Agent may carry any byte.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func scanAccountHash(row *sql.Row, hash *string) (Account, error) {
	var a Account
	var role string
	var disabled sql.NullTime
	err := row.Scan(&a.ID, &a.Email, &a.DisplayName, &role, &a.State, &a.TOTPEnabled, &a.TOTPReenrol, &a.CreatedAt, &a.UpdatedAt, &disabled, hash)
	a.Role = actor.Role(role)
	if disabled.Valid {
		t := disabled.Time
		a.DisabledAt = &t
	}
	return a, err
}

// dummyHash is a valid hash of nothing anyone types, made with the current
// cost so a miss costs what a hit costs.
func dummyHash(p Argon2) string {
	h, _ := p.HashPassword("\x00no account\x00")
	return h
}

// Session looks up the session for a cookie token. It ends sessions that
// expired or sat idle, and refreshes last use at most once a minute so
// reads do not turn into writes.
func (s *Service) Session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, errs.E(errs.Unauthenticated, "please sign in")
	}
	var sess Session
	var lastSeen time.Time
	var hash string
	row := s.db.R.QueryRowContext(ctx, `SELECT `+accountColsA+`, a.password_hash, s.csrf_token, s.second_factor, s.created_at, s.expires_at, s.last_seen_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, sha256Hex(token))
	var role string
	var disabled sql.NullTime
	err := row.Scan(&sess.Account.ID, &sess.Account.Email, &sess.Account.DisplayName, &role, &sess.Account.State, &sess.Account.TOTPEnabled, &sess.Account.TOTPReenrol,
		&sess.Account.CreatedAt, &sess.Account.UpdatedAt, &disabled, &hash, &sess.CSRF, &sess.SecondFactor, &sess.CreatedAt, &sess.ExpiresAt, &lastSeen)
	if store.NoRows(err) {
		return Session{}, errs.E(errs.Unauthenticated, "your session has ended; please sign in again")
	}
	if err != nil {
		return Session{}, errs.Internalf(err, "load session")
	}
	sess.Account.Role = actor.Role(role)
	now := s.clock.Now()
	if disabled.Valid || now.After(sess.ExpiresAt) || now.Sub(lastSeen) > s.cfg.SessionIdle {
		_, _ = s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, sha256Hex(token))
		return Session{}, errs.E(errs.Unauthenticated, "your session has ended; please sign in again")
	}
	if now.Sub(lastSeen) > time.Minute {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, sha256Hex(token)); err != nil {
			return Session{}, errs.Internalf(err, "touch session")
		}
	}
	return sess, nil
}

// accountColsA is accountCols for queries that join accounts as "a".
const accountColsA = `a.id, a.email, a.display_name, a.role, COALESCE(a.state_code, ''), a.totp_enabled, a.totp_reenrol, a.created_at, a.updated_at, a.disabled_at`

// SignOut ends the session for token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	sess, err := s.Session(ctx, token)
	if err != nil {
		return nil // already gone
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, sha256Hex(token)); err != nil {
			return errs.Internalf(err, "delete session")
		}
		return s.audit.Append(ctx, tx, sess.Account.Actor(), audit.Change{Action: "account.sign_out", ObjectType: "account", ObjectID: sess.Account.ID, State: sess.Account.State})
	})
}

// PurgeExpired removes sessions, throttle counts and reset links that no
// longer matter.
func (y *System) PurgeExpired(ctx context.Context) error {
	s := y.s
	now := s.clock.Now()
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`, now, now.Add(-s.cfg.SessionIdle)); err != nil {
		return err
	}
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM login_failures WHERE window_start < $1`, now.Add(-s.cfg.FailWindow)); err != nil {
		return err
	}
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM account_resets WHERE expires_at < $1`, now)
	return err
}
