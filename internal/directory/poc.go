package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Level is the level at which a POC speaks for its State.
type Level string

const (
	Diplomatic Level = "diplomatic"
	Policy     Level = "policy"
	Technical  Level = "technical"
)

// Levels lists the levels in the order pages show them.
var Levels = []Level{Diplomatic, Policy, Technical}

// Availability says when a POC can be reached.
const (
	Always      = "24x7"
	OfficeHours = "hours"
)

// Status of a POC entry.
const (
	Active  = "active"
	Retired = "retired"
)

// POC is the current version of a point of contact.
type POC struct {
	ID             string
	State          string
	Version        int
	Level          Level
	FunctionTitle  string
	Organisation   string
	PersonName     string
	Emails         []string
	Phones         []string
	Languages      []string
	TimeZone       string
	Availability   string
	Hours          string
	PGPKey         string
	PGPFingerprint string
	PGPExpires     *time.Time
	AccountID      string // the person's account that answers for this POC
	Status         string
	ConfirmedAt    time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Stale          bool
}

// POCInput is what a State admin fills in to nominate or edit a POC.
type POCInput struct {
	Level         Level
	FunctionTitle string
	Organisation  string
	PersonName    string
	Emails        []string
	Phones        []string
	Languages     []string
	TimeZone      string
	Availability  string
	Hours         string
	PGPKey        string
	AccountID     string // optional: the State's account that answers for this POC
	// KeepAccount leaves an edited entry's account link as it is, for
	// callers that do not say (an API client that omits the field); then
	// AccountID is ignored.
	KeepAccount bool
}

// Limits on POC fields, so one entry cannot swamp a page or an export.
const (
	maxEmails    = 5
	maxPhones    = 5
	maxLanguages = 10
	maxTitle     = 200
	maxPGPKey    = 64 << 10
)

// validate checks and normalises in, reporting every field that needs fixing.
func (s *Service) validatePOC(in POCInput) (POCInput, *pgpkey.Key, error) {
	var f errs.Fields
	out := in
	if !slices.Contains(Levels, in.Level) {
		f.Add("level", "choose diplomatic, policy or technical")
	}
	text := func(field, v string, required bool, max int, what string) string {
		v, problem := validate.OneLine(v, max)
		switch {
		case problem != "":
			f.Add(field, problem)
		case v == "" && required:
			f.Add(field, "enter "+what)
		}
		return v
	}
	out.FunctionTitle = text("function_title", in.FunctionTitle, true, maxTitle, "the function, e.g. Head of the national CERT")
	out.Organisation = text("organisation", in.Organisation, true, maxTitle, "the organisation, e.g. Ministry of Foreign Affairs")
	out.PersonName = text("person_name", in.PersonName, false, maxTitle, "")

	list := func(field string, vals []string, max int, required string, check func(string) (string, string)) []string {
		var res []string
		for _, v := range vals {
			if strings.TrimSpace(v) == "" {
				continue
			}
			n, problem := check(v)
			if problem != "" {
				f.Add(field, fmt.Sprintf("%q: %s", strings.TrimSpace(v), problem))
				continue
			}
			if !slices.Contains(res, n) {
				res = append(res, n)
			}
		}
		if len(res) == 0 && required != "" {
			f.Add(field, required)
		}
		if len(res) > max {
			f.Add(field, fmt.Sprintf("list at most %d", max))
		}
		return res
	}
	out.Emails = list("emails", in.Emails, maxEmails, "enter at least one email address", email)
	out.Phones = list("phones", in.Phones, maxPhones, "enter at least one phone number", validate.Phone)
	out.Languages = list("languages", in.Languages, maxLanguages, "enter at least one working language, e.g. en", validate.Language)

	tz, problem := validate.TimeZone(in.TimeZone)
	if problem != "" {
		f.Add("time_zone", problem)
	}
	out.TimeZone = tz
	switch in.Availability {
	case Always:
		out.Hours = ""
	case OfficeHours:
		out.Hours = text("hours", in.Hours, true, 200, "the hours the POC can be reached, e.g. Mon–Fri 08:00–18:00")
	default:
		f.Add("availability", "choose 24/7 or office hours")
	}
	var key *pgpkey.Key
	out.PGPKey = strings.TrimSpace(in.PGPKey)
	if problem := validate.Encoding(out.PGPKey); problem != "" {
		f.Add("pgp_key", "the key "+problem)
	} else if len(out.PGPKey) > maxPGPKey {
		f.Add("pgp_key", "the key is larger than 64 KiB; export only the public key, without signatures")
	} else if out.PGPKey != "" {
		k, err := pgpkey.Parse(out.PGPKey, s.clock.Now())
		if err != nil {
			f.Add("pgp_key", errs.MessageOf(err))
		} else {
			key = &k
			out.PGPKey = k.Armored
		}
	}
	return out, key, f.Err()
}

// canRead reports whether a sees the directory at all: the secretariat and
// accounts of participating States; a State not (yet) participating sees
// only its own entries.
func (s *Service) readerState(ctx context.Context, a actor.Actor) (all bool, own string, err error) {
	if err := a.RequireSignedIn(); err != nil {
		return false, "", err
	}
	if a.IsSecretariat() {
		return true, "", nil
	}
	st, err := s.state(ctx, s.db.R, a.State)
	if err != nil {
		return false, "", err
	}
	return st.Participating(), a.State, nil
}

// canManage reports whether a may change the POCs of state: only that
// State's administrators. The secretariat manages participation, not
// another State's nominations.
func canManage(a actor.Actor, state string) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if a.Role == actor.StateAdmin && a.State == state {
		return nil
	}
	return errs.E(errs.Forbidden, "only %s's administrators may change its points of contact", state)
}

const pocCols = `id, state_code, version, level, function_title, organisation, person_name, emails, phones, languages, time_zone,
	availability, hours, pgp_key, pgp_fingerprint, pgp_expires_at, status, confirmed_at, created_at, updated_at, account_id`

func (s *Service) scanPOC(row interface{ Scan(...any) error }) (POC, error) {
	var p POC
	var level, emails, phones, langs string
	var exp sql.NullTime
	var account sql.NullString
	err := row.Scan(&p.ID, &p.State, &p.Version, &level, &p.FunctionTitle, &p.Organisation, &p.PersonName, &emails, &phones, &langs, &p.TimeZone,
		&p.Availability, &p.Hours, &p.PGPKey, &p.PGPFingerprint, &exp, &p.Status, &p.ConfirmedAt, &p.CreatedAt, &p.UpdatedAt, &account)
	if err != nil {
		return p, err
	}
	p.AccountID = account.String
	p.Level = Level(level)
	if exp.Valid {
		t := exp.Time
		p.PGPExpires = &t
	}
	for _, x := range []struct {
		src string
		dst *[]string
	}{{emails, &p.Emails}, {phones, &p.Phones}, {langs, &p.Languages}} {
		if err := json.Unmarshal([]byte(x.src), x.dst); err != nil {
			return p, fmt.Errorf("poc %s: %w", p.ID, err)
		}
	}
	p.Stale = p.Status == Active && s.clock.Now().Sub(p.ConfirmedAt) > s.cfg.StaleAfter
	return p, nil
}

// Filter narrows a directory listing.
type Filter struct {
	State   string
	Region  string
	Level   Level
	Stale   *bool  // nil: both
	Retired bool   // include retired entries (own State and secretariat only)
	Query   string // words to find in the State's name or code, organisation, person or function
}

// POCs lists every entry a may see that matches f, in the directory's
// order, for the exports; pages use POCPage.
func (s *Service) POCs(ctx context.Context, a actor.Actor, f Filter) ([]POC, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond, err := s.pocWhere(ctx, a, f, arg)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + prefixedPOC() + ` FROM pocs p JOIN states s ON s.code = p.state_code WHERE ` + cond + ` ORDER BY ` + pocOrder
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Internalf(err, "list pocs")
	}
	return store.Collect(rows, func(r *sql.Rows) (POC, error) { return s.scanPOC(r) })
}

func prefixedPOC() string {
	cols := strings.Split(pocCols, ",")
	for i, c := range cols {
		cols[i] = "p." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// POC returns one entry if a may see it; entries a may not see are reported
// as not found so their existence does not leak.
func (s *Service) POC(ctx context.Context, a actor.Actor, id string) (POC, error) {
	all, own, err := s.readerState(ctx, a)
	if err != nil {
		return POC{}, err
	}
	p, err := s.getPOC(ctx, s.db.R, id)
	if err != nil {
		return POC{}, err
	}
	if a.IsSecretariat() || p.State == own {
		return p, nil
	}
	if !all || p.Status != Active {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	st, err := s.state(ctx, s.db.R, p.State)
	if err != nil {
		return POC{}, err
	}
	if !st.Participating() {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	return p, nil
}

func (s *Service) getPOC(ctx context.Context, q store.Queryer, id string) (POC, error) {
	if _, err := uuid.Parse(id); err != nil {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	p, err := s.scanPOC(s.db.Row(ctx, q, `SELECT `+pocCols+` FROM pocs WHERE id = $1`, id))
	if store.NoRows(err) {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	if err != nil {
		return POC{}, errs.Internalf(err, "get poc")
	}
	return p, nil
}

// Version is one recorded state of a POC.
type Version struct {
	Version    int
	Action     string
	Snapshot   POC
	ActorID    string
	ActorLabel string
	At         time.Time
}

// History lists every version of a POC, newest first: for the POC's own
// State and the secretariat only, since who edited what is internal.
func (s *Service) History(ctx context.Context, a actor.Actor, id string) ([]Version, error) {
	p, err := s.POC(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.IsSecretariat() && a.State != p.State {
		return nil, errs.E(errs.Forbidden, "only %s and the secretariat see the history of its entries", p.State)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT version, action, snapshot, actor_id, actor_label, at FROM poc_versions WHERE poc_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, errs.Internalf(err, "list versions")
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var snap string
		if err := rows.Scan(&v.Version, &v.Action, &snap, &v.ActorID, &v.ActorLabel, &v.At); err != nil {
			return nil, errs.Internalf(err, "scan version")
		}
		if v.Snapshot, err = decodeSnapshot([]byte(snap)); err != nil {
			return nil, errs.Internalf(err, "decode version")
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Nominate adds a POC for state.
func (s *Service) Nominate(ctx context.Context, a actor.Actor, state string, in POCInput) (POC, error) {
	state = strings.ToUpper(strings.TrimSpace(state))
	if err := canManage(a, state); err != nil {
		return POC{}, err
	}
	in, key, err := s.validatePOC(in)
	if err != nil {
		return POC{}, err
	}
	now := s.clock.Now()
	p := POC{ID: uuid.Must(uuid.NewV7()).String(), State: state, Status: Active, ConfirmedAt: now, CreatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.state(ctx, tx, state); err != nil {
			return err
		}
		if err := s.checkAccount(ctx, tx, state, in.AccountID); err != nil {
			return err
		}
		p = applyInput(p, in, key)
		p.Version, p.UpdatedAt = 1, now
		if err := insertPOC(ctx, tx, p); err != nil {
			return err
		}
		return s.recordVersion(ctx, tx, a, p, "nominate")
	})
	return p, err
}

func applyInput(p POC, in POCInput, key *pgpkey.Key) POC {
	p.AccountID = in.AccountID
	p.Level, p.FunctionTitle, p.Organisation, p.PersonName = in.Level, in.FunctionTitle, in.Organisation, in.PersonName
	p.Emails, p.Phones, p.Languages = in.Emails, in.Phones, in.Languages
	p.TimeZone, p.Availability, p.Hours = in.TimeZone, in.Availability, in.Hours
	p.PGPKey, p.PGPFingerprint, p.PGPExpires = "", "", nil
	if key != nil {
		p.PGPKey, p.PGPFingerprint, p.PGPExpires = in.PGPKey, key.Fingerprint, key.Expires
	}
	return p
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func insertPOC(ctx context.Context, tx *sql.Tx, p POC) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pocs (`+pocCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		p.ID, p.State, p.Version, string(p.Level), p.FunctionTitle, p.Organisation, p.PersonName, jsonList(p.Emails), jsonList(p.Phones), jsonList(p.Languages),
		p.TimeZone, p.Availability, p.Hours, p.PGPKey, p.PGPFingerprint, nullTime(p.PGPExpires), p.Status, p.ConfirmedAt, p.CreatedAt, p.UpdatedAt, nullString(p.AccountID))
	if err != nil {
		return errs.Internalf(err, "insert poc")
	}
	return nil
}

func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// update writes p over version p.Version-1; a concurrent edit makes the
// version check fail and the caller gets a conflict.
func updatePOC(ctx context.Context, tx *sql.Tx, p POC) error {
	res, err := tx.ExecContext(ctx, `UPDATE pocs SET version = $1, level = $2, function_title = $3, organisation = $4, person_name = $5, emails = $6,
		phones = $7, languages = $8, time_zone = $9, availability = $10, hours = $11, pgp_key = $12, pgp_fingerprint = $13, pgp_expires_at = $14,
		status = $15, confirmed_at = $16, updated_at = $17, account_id = $18 WHERE id = $19 AND version = $20`,
		p.Version, string(p.Level), p.FunctionTitle, p.Organisation, p.PersonName, jsonList(p.Emails), jsonList(p.Phones), jsonList(p.Languages),
		p.TimeZone, p.Availability, p.Hours, p.PGPKey, p.PGPFingerprint, nullTime(p.PGPExpires), p.Status, p.ConfirmedAt, p.UpdatedAt, nullString(p.AccountID), p.ID, p.Version-1)
	if err != nil {
		return errs.Internalf(err, "update poc")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "someone else changed this entry meanwhile; reload and try again")
	}
	return nil
}

func (s *Service) recordVersion(ctx context.Context, tx *sql.Tx, a actor.Actor, p POC, action string) error {
	snap, err := encodeSnapshot(p)
	if err != nil {
		return errs.Internalf(err, "snapshot")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO poc_versions (poc_id, version, action, snapshot, actor_id, actor_label, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.Version, action, string(snap), a.AccountID, a.Label(), p.UpdatedAt); err != nil {
		return errs.Internalf(err, "insert version")
	}
	if err := store.Bump(ctx, tx, versionName); err != nil {
		return errs.Internalf(err, "directory version")
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "poc." + action, ObjectType: "poc", ObjectID: p.ID, State: p.State, Details: p})
}

// mayChange is canManage as seen by the caller: another State's callers
// are told the entry does not exist.
func (s *Service) mayChange(a actor.Actor, state string) error {
	err := canManage(a, state)
	if errs.Is(err, errs.Forbidden) && !a.IsSecretariat() && a.State != state {
		return errs.E(errs.NotFound, "no such point of contact")
	}
	return err
}

// change loads the POC at expected version (0: any), lets mutate change it,
// and stores the result as the next version.
func (s *Service) change(ctx context.Context, a actor.Actor, id string, expected int, action string, mutate func(*sql.Tx, *POC) error) (POC, error) {
	var out POC
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.getPOC(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.mayChange(a, p.State); err != nil {
			return err
		}
		if expected != 0 && p.Version != expected {
			return errs.E(errs.Conflict, "someone else changed this entry meanwhile (now version %d); reload and try again", p.Version)
		}
		if p.Status == Retired && action != "reinstate" {
			return errs.E(errs.Conflict, "this point of contact is retired; reinstate it first")
		}
		if err := mutate(tx, &p); err != nil {
			return err
		}
		p.Version++
		p.UpdatedAt = s.clock.Now()
		if err := updatePOC(ctx, tx, p); err != nil {
			return err
		}
		out = p
		return s.recordVersion(ctx, tx, a, p, action)
	})
	if err != nil {
		return POC{}, err
	}
	out.Stale = false
	return out, nil
}

// Edit replaces a POC's details. expectedVersion guards against
// overwriting someone else's change; editing also confirms the entry.
func (s *Service) Edit(ctx context.Context, a actor.Actor, id string, expectedVersion int, in POCInput) (POC, error) {
	if err := a.RequireWrite(); err != nil {
		return POC{}, err
	}
	// Who may edit is decided before the input is looked at, so another
	// State learns nothing from validation messages about an entry it may
	// not touch; change checks again inside the transaction.
	cur, err := s.getPOC(ctx, s.db.R, id)
	if err != nil {
		return POC{}, err
	}
	if err := s.mayChange(a, cur.State); err != nil {
		return POC{}, err
	}
	in, key, err := s.validatePOC(in)
	if err != nil {
		return POC{}, err
	}
	return s.change(ctx, a, id, expectedVersion, "edit", func(tx *sql.Tx, p *POC) error {
		if in.KeepAccount {
			in.AccountID = p.AccountID
		}
		// A link that stays as it was is not checked again: an edit of
		// the phone number must not fail because the linked account has
		// since been disabled.
		if in.AccountID != p.AccountID {
			if err := s.checkAccount(ctx, tx, p.State, in.AccountID); err != nil {
				return err
			}
		}
		*p = applyInput(*p, in, key)
		p.ConfirmedAt = s.clock.Now()
		return nil
	})
}

// Confirm records that the entry is still correct.
func (s *Service) Confirm(ctx context.Context, a actor.Actor, id string) (POC, error) {
	return s.change(ctx, a, id, 0, "confirm", func(_ *sql.Tx, p *POC) error {
		p.ConfirmedAt = s.clock.Now()
		return nil
	})
}

// Retire takes a POC out of the directory: it gets no more mail and no
// communication checks, and other States no longer see it. Its history
// stays.
func (s *Service) Retire(ctx context.Context, a actor.Actor, id string) (POC, error) {
	return s.change(ctx, a, id, 0, "retire", func(_ *sql.Tx, p *POC) error {
		p.Status = Retired
		return nil
	})
}

// Reinstate brings a retired POC back into the directory as a new version.
// Its administrator vouches for it by doing so, so it counts as confirmed.
func (s *Service) Reinstate(ctx context.Context, a actor.Actor, id string) (POC, error) {
	return s.change(ctx, a, id, 0, "reinstate", func(_ *sql.Tx, p *POC) error {
		if p.Status != Retired {
			return errs.E(errs.Conflict, "this point of contact is not retired")
		}
		p.Status = Active
		p.ConfirmedAt = s.clock.Now()
		return nil
	})
}

// CanManage reports whether a may nominate and edit the POCs of state; pages
// use it to decide which buttons to show. The methods check again.
func (s *Service) CanManage(a actor.Actor, state string) bool { return canManage(a, state) == nil }

// SeesAccountLink reports whether a is told which account answers for the
// POCs of state: that State's administrators, who set the link, also
// through a read-only token. Edges leave the link out for everyone else.
func (s *Service) SeesAccountLink(a actor.Actor, state string) bool {
	return a.Role == actor.StateAdmin && a.State == state && a.AccountID != ""
}

// email lower-cases the whole address: mail systems treat local parts
// case-insensitively in practice, and two spellings of one mailbox must
// not count as two contacts.
func email(s string) (string, string) {
	e, problem := validate.Email(s)
	return strings.ToLower(e), problem
}

// checkAccount makes sure a POC is linked only to an active account of its
// own State that can act for it.
func (s *Service) checkAccount(ctx context.Context, q store.Queryer, state, id string) error {
	if id == "" {
		return nil
	}
	bad := func(msg string) error {
		return &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields", Fields: map[string]string{"account_id": msg}}
	}
	if _, err := uuid.Parse(id); err != nil {
		return bad("unknown account")
	}
	h, err := s.accounts.Holder(ctx, q, id)
	switch {
	case errs.Is(err, errs.NotFound):
		return bad("unknown account")
	case err != nil:
		return err
	case h.State != state:
		return bad("choose an account of this State")
	case h.Disabled:
		return bad("this account is disabled")
	case h.Role != actor.POC && h.Role != actor.StateAdmin:
		return bad("only point-of-contact and administrator accounts can answer for a POC")
	}
	return nil
}

// System is the part of the directory that the workers use: its methods
// take no actor and check no permission. Only the application's wiring and
// the workers hold one; the web and API servers are given the Service.
type System struct{ s *Service }

// NewSystem returns the workers' side of s.
func NewSystem(s *Service) *System { return &System{s: s} }

// ParticipatingSince is when the State began to participate, or nil,
// inside the caller's transaction when q is one.
func (y *System) ParticipatingSince(ctx context.Context, q store.Queryer, code string) (*time.Time, error) {
	var since sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT participating_since FROM states WHERE code = $1`, code).Scan(&since)
	if store.NoRows(err) {
		return nil, errs.E(errs.NotFound, "unknown State %q", code)
	}
	if err != nil {
		return nil, errs.Internalf(err, "load state")
	}
	if !since.Valid {
		return nil, nil
	}
	return &since.Time, nil
}

// ActivePOCs lists a State's active entries, for notifying them and for
// opening communication checks.
func (y *System) ActivePOCs(ctx context.Context, state string) ([]POC, error) {
	s := y.s
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+pocCols+` FROM pocs WHERE state_code = $1 AND status = $2 ORDER BY level, function_title`, state, Active)
	if err != nil {
		return nil, errs.Internalf(err, "list pocs")
	}
	return store.Collect(rows, func(r *sql.Rows) (POC, error) { return s.scanPOC(r) })
}
