package access

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/store"
)

// ResetLifetime is how long a reset link works.
const ResetLifetime = 24 * time.Hour

// Outbox queues a mail inside the transaction of the change that causes it,
// so the mail leaves if and only if the change commits.
type Outbox interface {
	Mail(ctx context.Context, tx *sql.Tx, now time.Time, to []string, raw []byte, dedupe string) error
}

// Reset is the outcome of ResetAccount. With an outbox the link went by
// mail to the account's address and Link is empty; without one, Link is
// the only copy and must be handed over by another channel.
type Reset struct {
	Account   Account
	Mailed    bool
	Link      string
	ExpiresAt time.Time
}

// ResetsByMail reports whether reset links go by mail (or are handed to
// the administrator), for pages to say so before the button is pressed.
func (s *Service) ResetsByMail() bool { return s.cfg.Outbox != nil }

// unusableHash is no PHC string, so CheckPassword refuses every password
// until the reset link sets a new one.
const unusableHash = "!reset"

// CanReset reports whether a may reset acc: the secretariat any account, a
// State administrator those of its own State; nobody their own account,
// which they change from their account page instead. Pages use it to show
// the button; ResetAccount checks again.
func CanReset(a actor.Actor, acc Account) bool {
	if a.ReadOnly || (!a.IsSecretariat() && a.Role != actor.StateAdmin) || acc.ID == a.AccountID {
		return false
	}
	return canManage(a, acc.Role, acc.State)
}

// ResetAccount lets a person back in who lost their password or second
// factor, or whose account may be in someone else's hands. At once, in one
// transaction with its audit entry, it ends the account's sessions,
// revokes its API tokens, makes the old password useless, removes the
// second factor (a new one must be enrolled) and issues a one-time link
// that sets a new password; earlier unused links stop working.
func (s *Service) ResetAccount(ctx context.Context, a actor.Actor, id string) (Reset, error) {
	if err := a.RequireWrite(); err != nil {
		return Reset{}, err
	}
	if !a.IsSecretariat() && a.Role != actor.StateAdmin {
		return Reset{}, errs.E(errs.Forbidden, "only administrators may reset accounts")
	}
	acc, err := s.Account(ctx, a, id)
	if err != nil {
		return Reset{}, err
	}
	if acc.ID == a.AccountID {
		return Reset{}, errs.E(errs.Conflict, "you cannot reset your own account; change your password on your account page, or ask another administrator")
	}
	if !CanReset(a, acc) {
		return Reset{}, errs.E(errs.Forbidden, "you may not reset this account")
	}
	if acc.DisabledAt != nil {
		return Reset{}, errs.E(errs.Conflict, "this account is disabled; enable it first")
	}
	token := randomToken(32)
	now := s.clock.Now()
	r := Reset{Account: acc, ExpiresAt: now.Add(ResetLifetime), Mailed: s.cfg.Outbox != nil}
	link := s.cfg.BaseURL + "/reset/" + token
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := dropUnusedResets(ctx, tx, acc.ID); err != nil {
			return errs.Internalf(err, "drop earlier links")
		}
		if err := insertReset(ctx, tx, sha256Hex(token), acc.ID, a.Label(), now, r.ExpiresAt); err != nil {
			return errs.Internalf(err, "insert reset")
		}
		nEnded, err := endSessions(ctx, s.db, tx, acc.ID)
		if err != nil {
			return errs.Internalf(err, "end sessions")
		}
		nRevoked, err := revokeTokens(ctx, s.db, tx, acc.ID, now)
		if err != nil {
			return errs.Internalf(err, "revoke tokens")
		}
		// An account that had a second factor must enrol a new one, even
		// where its role does not require it.
		if err := clearCredentials(ctx, s.db, tx, acc.ID, unusableHash, acc.TOTPEnabled || acc.TOTPReenrol, now); err != nil {
			return errs.Internalf(err, "clear credentials")
		}
		if r.Mailed {
			raw, err := s.resetMail(acc, link, now, r.ExpiresAt)
			if err != nil {
				return errs.Internalf(err, "build reset mail")
			}
			if err := s.cfg.Outbox.Mail(ctx, tx, now, []string{acc.Email}, raw, "reset-"+sha256Hex(token)[:24]); err != nil {
				return errs.Internalf(err, "queue reset mail")
			}
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "account.reset", ObjectType: "account", ObjectID: acc.ID, State: acc.State,
			Details: map[string]any{"email": acc.Email, "mailed": r.Mailed, "expires_at": r.ExpiresAt, "sessions_ended": nEnded, "tokens_revoked": nRevoked}})
	})
	if err != nil {
		return Reset{}, err
	}
	if !r.Mailed {
		r.Link = link
	}
	return r, nil
}

// resetMail writes the mail that brings the link, in the language the
// account chose for its pages, else English, with the link's end in UTC.
func (s *Service) resetMail(acc Account, link string, now, expires time.Time) ([]byte, error) {
	if s.cfg.Text == nil {
		return nil, errors.New("no catalogue to write the mail with")
	}
	host := "detente.invalid"
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	lang, ok := i18n.ParseLanguage(acc.Language)
	if !ok {
		lang = i18n.English
	}
	p := s.cfg.Text.Printer(lang)
	head := "[detente]"
	if lang.RTL() {
		head = i18n.Isolate(head) // the subject still reads right to left
	}
	return mail.Build(mail.Message{From: s.cfg.MailFrom, FromName: "detente", To: []string{acc.Email}, Date: now,
		MessageID: "detente-reset-" + newID() + "@" + host,
		Subject:   head + " " + p.T("Choose a new password"),
		Text: p.TC("mail", "Hello {name},", "name", acc.DisplayName) + "\n\n" +
			p.TC("mail", "An administrator reset your account on the Global Points-of-Contact Directory ({address}).", "address", s.cfg.BaseURL) + "\n" +
			p.TC("mail", "Your password, second factor, sessions and API tokens no longer work.") + "\n\n" +
			p.TC("mail", "Open this link to choose a new password and set up your authenticator again. It works once, until {date}:", "date", p.DateTime(expires, time.UTC)) + "\n" +
			link + "\n\n" +
			p.TC("mail", "If you did not expect this, tell your administrator or the secretariat.") + "\n"})
}

// resetAccount finds the live reset behind token.
func (s *Service) resetAccount(ctx context.Context, q store.Queryer, token string) (Account, error) {
	gone := errs.E(errs.NotFound, "this link does not work any more: it was used, replaced by a newer one or has expired; ask your administrator for a new one")
	if token == "" || len(token) > 100 {
		return Account{}, gone
	}
	link, err := selectReset(ctx, q, sha256Hex(token))
	if store.NoRows(err) {
		return Account{}, gone
	}
	if err != nil {
		return Account{}, errs.Internalf(err, "load reset")
	}
	if link.used || !s.clock.Now().Before(link.expires) {
		return Account{}, gone
	}
	acc, err := selectAccount(ctx, q, link.accountID)
	if err != nil {
		return Account{}, errs.Internalf(err, "load account")
	}
	if acc.DisabledAt != nil {
		return Account{}, gone
	}
	return acc, nil
}

// ResetFor tells the link's page whose account it resets.
func (s *Service) ResetFor(ctx context.Context, token string) (Account, error) {
	return s.resetAccount(ctx, s.db.R, token)
}

// CompleteReset sets the new password (typed twice) through a reset link,
// uses the link up and opens a session, which still has to enrol a second
// factor where one is needed.
func (s *Service) CompleteReset(ctx context.Context, token, password, repeat, remoteAddr, userAgent string) (string, Session, error) {
	acc, err := s.ResetFor(ctx, token)
	if err != nil {
		return "", Session{}, err
	}
	var f errs.Fields
	if msg := passwordProblem(password); msg != "" {
		f.Add("password", msg)
	} else if password != repeat {
		f.Add("password2", "the two passwords differ; type the same one twice")
	}
	if err := f.Err(); err != nil {
		return "", Session{}, err
	}
	hash, err := s.cfg.Argon2.HashPassword(password)
	if err != nil {
		return "", Session{}, errs.Internalf(err, "hash password")
	}
	now := s.clock.Now()
	sessToken := randomToken(32)
	sess := Session{Account: acc, CSRF: randomToken(24), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Only one use of the link wins, however many arrive at once.
		n, err := useReset(ctx, tx, sha256Hex(token), now)
		if err != nil {
			return errs.Internalf(err, "use reset")
		}
		if n != 1 {
			return errs.E(errs.NotFound, "this link was used already; ask your administrator for a new one")
		}
		if err := setPassword(ctx, s.db, tx, acc.ID, hash, now); err != nil {
			return errs.Internalf(err, "set password")
		}
		if err := insertSession(ctx, tx, sha256Hex(sessToken), sess, remoteAddr, truncate(userAgent, 300)); err != nil {
			return errs.Internalf(err, "insert session")
		}
		return s.audit.Append(ctx, tx, acc.Actor(), audit.Change{Action: "account.reset_completed", ObjectType: "account", ObjectID: acc.ID, State: acc.State,
			Details: map[string]string{"remote_addr": remoteAddr}})
	})
	if err != nil {
		return "", Session{}, err
	}
	return sessToken, sess, nil
}
