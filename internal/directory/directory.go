// Package directory is the Global POC Directory: each State's participation
// and its points of contact at diplomatic, policy and technical level. Every
// change to a POC is kept as a new version with who made it and when.
package directory

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
)

// Config tunes the directory.
type Config struct {
	// StaleAfter is how long an entry may go unconfirmed before it is
	// flagged as stale.
	StaleAfter time.Duration
}

// DefaultConfig flags entries unconfirmed for twelve months.
func DefaultConfig() Config { return Config{StaleAfter: 365 * 24 * time.Hour} }

// Service implements the directory use cases.
type Service struct {
	db       *store.DB
	audit    *audit.Log
	clock    clock.Clock
	cfg      Config
	accounts *access.System // what an account linked to an entry may be
}

// New returns the directory service.
func New(db *store.DB, log *audit.Log, c clock.Clock, cfg Config, accounts *access.System) *Service {
	return &Service{db: db, audit: log, clock: c, cfg: cfg, accounts: accounts}
}

// State is a UN Member or observer State and its place in the directory.
type State struct {
	Code               string
	Alpha3             string
	Numeric            string
	Name               string
	Region             string
	Membership         string
	ParticipatingSince *time.Time
}

// Participating reports whether the State has joined the directory.
func (s State) Participating() bool { return s.ParticipatingSince != nil }

// SyncStates writes the embedded list of States into the database, keeping
// each State's participation. It runs at every start so a corrected name
// reaches existing installations.
func (s *Service) SyncStates(ctx context.Context) error {
	now := s.clock.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, st := range states.All() {
			n, err := updateStateRef(ctx, tx, st)
			if err != nil {
				return errs.Internalf(err, "update state %s", st.Alpha2)
			}
			if n > 0 {
				continue
			}
			if err := insertState(ctx, tx, st, now); err != nil {
				return errs.Internalf(err, "insert state %s", st.Alpha2)
			}
		}
		if err := s.db.Bump(ctx, tx, versionName); err != nil {
			return errs.Internalf(err, "directory version")
		}
		return nil
	})
}

// States lists every State with its participation, ordered by name. The
// list of States is public reference data; who participates is shown to
// signed-in users only.
func (s *Service) States(ctx context.Context, a actor.Actor) ([]State, error) {
	out, err := allStates(ctx, s.db.R)
	if err != nil {
		return nil, errs.Internalf(err, "list states")
	}
	return hideParticipation(a, out), nil
}

// hideParticipation clears the participation of sts unless a is signed in.
func hideParticipation(a actor.Actor, sts []State) []State {
	if !a.Authenticated() {
		for i := range sts {
			sts[i].ParticipatingSince = nil
		}
	}
	return sts
}

// State returns one State by its alpha-2 code.
func (s *Service) State(ctx context.Context, a actor.Actor, code string) (State, error) {
	st, err := s.state(ctx, s.db.Kept(), code)
	if err != nil {
		return State{}, err
	}
	if !a.Authenticated() {
		st.ParticipatingSince = nil
	}
	return st, nil
}

// state reads a State through q: s.db.Kept() outside a transaction.
func (s *Service) state(ctx context.Context, q store.Queryer, code string) (State, error) {
	// Only two capital letters can name one; anything else (a NUL byte
	// among them, which PostgreSQL refuses to compare) is no State.
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return State{}, errs.E(errs.NotFound, "no State with code %q", code)
	}
	st, err := selectState(ctx, q, code)
	if store.NoRows(err) {
		return State{}, errs.E(errs.NotFound, "no State with code %q", code)
	}
	if err != nil {
		return State{}, errs.Internalf(err, "get state")
	}
	return st, nil
}

// CanRecordParticipation reports why a may not record States'
// participation, or nil if it may: the secretariat keeps that record.
// Pages ask it before showing the participation page; SetParticipation
// asks again.
func (s *Service) CanRecordParticipation(a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	if !a.IsSecretariat() {
		return errs.E(errs.Forbidden, "only the secretariat records participation")
	}
	return nil
}

// SetParticipation records that a State joined the directory (since is the
// date it nominated) or left it (since nil). Only the secretariat does this.
func (s *Service) SetParticipation(ctx context.Context, a actor.Actor, code string, since *time.Time) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if err := s.CanRecordParticipation(a); err != nil {
		return err
	}
	if since != nil && since.After(s.clock.Now().Add(24*time.Hour)) {
		return &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields", Fields: map[string]string{"since": "the date cannot be in the future"}}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.state(ctx, tx, code); err != nil {
			return err
		}
		var v *time.Time
		details := map[string]any{"participating": since != nil}
		if since != nil {
			t := since.UTC()
			v, details["since"] = &t, t.Format(time.DateOnly)
		}
		if err := setParticipation(ctx, tx, code, v, s.clock.Now()); err != nil {
			return errs.Internalf(err, "update participation")
		}
		if err := s.db.Bump(ctx, tx, versionName); err != nil {
			return errs.Internalf(err, "directory version")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "state.participation", ObjectType: "state", ObjectID: code, State: code, Details: details})
	})
}

// ParticipationCount returns how many States take part and how many there
// are: an aggregate figure, shown to everyone.
func (s *Service) ParticipationCount(ctx context.Context) (participating, total int, err error) {
	participating, total, err = countParticipation(ctx, s.db.R)
	if err != nil {
		return 0, 0, errs.Internalf(err, "count states")
	}
	return participating, total, nil
}
