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
			res, err := tx.ExecContext(ctx, `UPDATE states SET alpha3 = $1, numeric = $2, name = $3, region = $4, membership = $5
				WHERE code = $6 AND (alpha3 <> $1 OR numeric <> $2 OR name <> $3 OR region <> $4 OR membership <> $5)`,
				st.Alpha3, st.Numeric, st.Name, st.Region, st.Membership, st.Alpha2)
			if err != nil {
				return errs.Internalf(err, "update state %s", st.Alpha2)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				continue
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO states (code, alpha3, numeric, name, region, membership, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING`,
				st.Alpha2, st.Alpha3, st.Numeric, st.Name, st.Region, st.Membership, now)
			if err != nil {
				return errs.Internalf(err, "insert state %s", st.Alpha2)
			}
		}
		if err := store.Bump(ctx, tx, versionName); err != nil {
			return errs.Internalf(err, "directory version")
		}
		return nil
	})
}

const stateCols = `code, alpha3, numeric, name, region, membership, participating_since`

func scanState(row interface{ Scan(...any) error }) (State, error) {
	var st State
	var since sql.NullTime
	err := row.Scan(&st.Code, &st.Alpha3, &st.Numeric, &st.Name, &st.Region, &st.Membership, &since)
	if since.Valid {
		t := since.Time
		st.ParticipatingSince = &t
	}
	return st, err
}

// States lists every State with its participation, ordered by name. The
// list of States is public reference data; who participates is shown to
// signed-in users only.
func (s *Service) States(ctx context.Context, a actor.Actor) ([]State, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+stateCols+` FROM states ORDER BY name`)
	if err != nil {
		return nil, errs.Internalf(err, "list states")
	}
	return store.Collect(rows, func(r *sql.Rows) (State, error) {
		st, err := scanState(r)
		if !a.Authenticated() {
			st.ParticipatingSince = nil
		}
		return st, err
	})
}

// State returns one State by its alpha-2 code.
func (s *Service) State(ctx context.Context, a actor.Actor, code string) (State, error) {
	st, err := s.state(ctx, s.db.R, code)
	if err != nil {
		return State{}, err
	}
	if !a.Authenticated() {
		st.ParticipatingSince = nil
	}
	return st, nil
}

func (s *Service) state(ctx context.Context, q store.Queryer, code string) (State, error) {
	st, err := scanState(s.db.Row(ctx, q, `SELECT `+stateCols+` FROM states WHERE code = $1`, code))
	if store.NoRows(err) {
		return State{}, errs.E(errs.NotFound, "no State with code %q", code)
	}
	if err != nil {
		return State{}, errs.Internalf(err, "get state")
	}
	return st, nil
}

// SetParticipation records that a State joined the directory (since is the
// date it nominated) or left it (since nil). Only the secretariat does this.
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
		var v any
		details := map[string]any{"participating": since != nil}
		if since != nil {
			t := since.UTC()
			v, details["since"] = t, t.Format(time.DateOnly)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE states SET participating_since = $1, updated_at = $2 WHERE code = $3`, v, s.clock.Now(), code); err != nil {
			return errs.Internalf(err, "update participation")
		}
		if err := store.Bump(ctx, tx, versionName); err != nil {
			return errs.Internalf(err, "directory version")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "state.participation", ObjectType: "state", ObjectID: code, State: code, Details: details})
	})
}

// ParticipationCount returns how many States take part and how many there
// are: an aggregate figure, shown to everyone.
func (s *Service) ParticipationCount(ctx context.Context) (participating, total int, err error) {
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(participating_since), COUNT(*) FROM states`).Scan(&participating, &total)
	if err != nil {
		return 0, 0, errs.Internalf(err, "count states")
	}
	return participating, total, nil
}
