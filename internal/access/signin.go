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

	acc, hash, err := selectAccountByEmail(ctx, s.db.R, email)
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
		if err := insertSession(ctx, tx, sha256Hex(token), sess, remoteAddr, truncate(userAgent, 300)); err != nil {
			return errs.Internalf(err, "insert session")
		}
		// The right password clears this address's failures on the
		// account; the account's and the address's own counts stay.
		if err := clearFailures(ctx, tx, pairKey); err != nil {
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
	bs, err := failureBuckets(ctx, s.db.R, key, now.Add(-s.cfg.FailWindow))
	if err != nil {
		return 0, 0, errs.Internalf(err, "read throttle")
	}
	total := 0
	for _, b := range bs {
		total += b.n
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
	hash := sha256Hex(token)
	k, err := s.sessions.lookup(ctx, s.db, hash, func() (keptSession, error) {
		sess, lastSeen, err := selectSession(ctx, s.db.Kept(), hash)
		return keptSession{sess, lastSeen}, err
	})
	sess, lastSeen := k.sess, k.lastSeen
	if store.NoRows(err) {
		return Session{}, errs.E(errs.Unauthenticated, "your session has ended; please sign in again")
	}
	if err != nil {
		return Session{}, errs.Internalf(err, "load session")
	}
	now := s.clock.Now()
	if now.Sub(lastSeen) > s.cfg.SessionIdle {
		// Another instance may have seen it since this one kept it.
		if sess, lastSeen, err = selectSession(ctx, s.db.Kept(), hash); store.NoRows(err) {
			return Session{}, errs.E(errs.Unauthenticated, "your session has ended; please sign in again")
		} else if err != nil {
			return Session{}, errs.Internalf(err, "load session")
		}
	}
	if sess.Account.DisabledAt != nil || now.After(sess.ExpiresAt) || now.Sub(lastSeen) > s.cfg.SessionIdle {
		_ = s.db.Tx(ctx, func(tx *sql.Tx) error { return deleteSession(ctx, s.db, tx, hash) })
		return Session{}, errs.E(errs.Unauthenticated, "your session has ended; please sign in again")
	}
	if now.Sub(lastSeen) > time.Minute {
		if err := touchSession(ctx, s.db.W, hash, now); err != nil {
			return Session{}, errs.Internalf(err, "touch session")
		}
		s.sessions.update(hash, func(k *keptSession) { k.lastSeen = now })
	}
	return sess, nil
}

// SignOut ends the session for token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	sess, err := s.Session(ctx, token)
	if err != nil {
		return nil // already gone
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := deleteSession(ctx, s.db, tx, sha256Hex(token)); err != nil {
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
	if err := purgeSessions(ctx, s.db.W, now, now.Add(-s.cfg.SessionIdle)); err != nil {
		return err
	}
	if err := purgeFailures(ctx, s.db.W, now.Add(-s.cfg.FailWindow)); err != nil {
		return err
	}
	return purgeResets(ctx, s.db.W, now)
}
