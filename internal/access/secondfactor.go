package access

import (
	"context"
	"database/sql"

	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
)

// Enrolment is what a person needs to add detente to an authenticator app.
type Enrolment struct {
	Secret string
	URI    string
}

// BeginTOTP creates (or re-shows) a pending TOTP secret for the session's
// account. An account that already enrolled must use its factor instead.
func (s *Service) BeginTOTP(ctx context.Context, token string) (Enrolment, error) {
	sess, err := s.Session(ctx, token)
	if err != nil {
		return Enrolment{}, err
	}
	if sess.Account.TOTPEnabled {
		return Enrolment{}, errs.E(errs.Conflict, "a second factor is already set up for this account")
	}
	secret, err := totpSecret(ctx, s.db.R, sess.Account.ID)
	if err != nil {
		return Enrolment{}, errs.Internalf(err, "load secret")
	}
	if secret == "" {
		if secret, err = NewTOTPSecret(); err != nil {
			return Enrolment{}, errs.Internalf(err, "new secret")
		}
		if err := setPendingTOTP(ctx, s.db.W, sess.Account.ID, secret); err != nil {
			return Enrolment{}, errs.Internalf(err, "store secret")
		}
	}
	return Enrolment{Secret: secret, URI: TOTPURI(s.cfg.Issuer, sess.Account.Email, secret)}, nil
}

// CompleteTOTP checks a code: it finishes enrolment for a pending secret, or
// passes the second factor for an enrolled account. The session token is
// replaced, so a token seen before the second factor is worth nothing after.
func (s *Service) CompleteTOTP(ctx context.Context, token, code string) (string, Session, error) {
	sess, err := s.Session(ctx, token)
	if err != nil {
		return "", Session{}, err
	}
	acc := sess.Account
	now := s.clock.Now()
	key := "totp:" + acc.ID
	if _, wait, err := s.failures(ctx, key, now, s.cfg.MaxFailsAccount); err != nil {
		return "", Session{}, err
	} else if wait > 0 {
		return "", Session{}, errs.E(errs.TooMany, "too many wrong codes; wait a few minutes and try again")
	}
	secret, lastStep, err := totpState(ctx, s.db.R, acc.ID)
	if err != nil {
		return "", Session{}, errs.Internalf(err, "load secret")
	}
	if secret == "" {
		return "", Session{}, errs.E(errs.Invalid, "set up an authenticator first")
	}
	step, ok := checkTOTP(secret, code, s.clock.Now(), lastStep)
	if !ok {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := bumpFailure(ctx, tx, key, s.bucket(now)); err != nil {
				return err
			}
			return s.audit.Append(ctx, tx, acc.Actor(), audit.Change{Action: "account.totp_failed", ObjectType: "account", ObjectID: acc.ID, State: acc.State})
		})
		if err != nil {
			return "", Session{}, errs.Internalf(err, "record failure")
		}
		return "", Session{}, &errs.Error{Code: errs.Invalid, Message: "that code is not valid", Fields: map[string]string{"code": "enter the 6-digit code your authenticator shows now"}}
	}
	newToken := randomToken(32)
	action := "account.totp_verified"
	if !acc.TOTPEnabled {
		action = "account.totp_enrolled"
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := enableTOTP(ctx, s.db, tx, acc.ID, step); err != nil {
			return errs.Internalf(err, "update account")
		}
		if err := rotateSession(ctx, s.db, tx, sha256Hex(token), sha256Hex(newToken)); err != nil {
			return errs.Internalf(err, "rotate session")
		}
		if err := clearFailures(ctx, tx, key); err != nil {
			return errs.Internalf(err, "clear throttle")
		}
		return s.audit.Append(ctx, tx, acc.Actor(), audit.Change{Action: action, ObjectType: "account", ObjectID: acc.ID, State: acc.State})
	})
	if err != nil {
		return "", Session{}, err
	}
	sess.SecondFactor = true
	sess.Account.TOTPEnabled = true
	return newToken, sess, nil
}
