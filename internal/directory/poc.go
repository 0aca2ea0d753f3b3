package directory

import (
	"context"
	"database/sql"
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
	st, err := s.state(ctx, s.db.Kept(), a.State)
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

// withStale marks p stale when it is active and has gone unconfirmed
// longer than the configuration allows.
func (s *Service) withStale(p POC) POC {
	p.Stale = p.Status == Active && s.clock.Now().Sub(p.ConfirmedAt) > s.cfg.StaleAfter
	return p
}

// withStaleAll is withStale for each of ps.
func (s *Service) withStaleAll(ps []POC) []POC {
	for i := range ps {
		ps[i] = s.withStale(ps[i])
	}
	return ps
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
	pq, err := s.pocScope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	out, err := selectPOCs(ctx, s.db.R, pq)
	if err != nil {
		return nil, errs.Internalf(err, "list pocs")
	}
	return s.withStaleAll(out), nil
}

// POC returns one entry if a may see it; entries a may not see are reported
// as not found so their existence does not leak.
func (s *Service) POC(ctx context.Context, a actor.Actor, id string) (POC, error) {
	all, own, err := s.readerState(ctx, a)
	if err != nil {
		return POC{}, err
	}
	p, err := s.getPOC(ctx, s.db.Kept(), id)
	if err != nil {
		return POC{}, err
	}
	if a.IsSecretariat() || p.State == own {
		return p, nil
	}
	if !all || p.Status != Active {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	st, err := s.state(ctx, s.db.Kept(), p.State)
	if err != nil {
		return POC{}, err
	}
	if !st.Participating() {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	return p, nil
}

// POCsByID returns, by id, the entries of ids that a may see, as POC
// would one by one, in a fixed number of queries: a list of challenges or
// deliveries names its POCs this way. Ids a may not see, or that name
// nothing, are left out.
func (s *Service) POCsByID(ctx context.Context, a actor.Actor, ids []string) (map[string]POC, error) {
	all, own, err := s.readerState(ctx, a)
	if err != nil {
		return nil, err
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, err := uuid.Parse(id); err == nil {
			valid = append(valid, id)
		}
	}
	slices.Sort(valid)
	valid = slices.Compact(valid)
	out := make(map[string]POC, len(valid))
	var participating map[string]bool // read once, if another State's entry is among them
	for len(valid) > 0 {
		n := min(len(valid), maxIDsPerQuery)
		ps, err := selectPOCsByID(ctx, s.db.R, valid[:n])
		if err != nil {
			return nil, errs.Internalf(err, "get pocs")
		}
		valid = valid[n:]
		for _, p := range ps {
			if !a.IsSecretariat() && p.State != own {
				if !all || p.Status != Active {
					continue
				}
				if participating == nil {
					sts, err := allStates(ctx, s.db.R)
					if err != nil {
						return nil, errs.Internalf(err, "list states")
					}
					participating = make(map[string]bool, len(sts))
					for _, st := range sts {
						participating[st.Code] = st.Participating()
					}
				}
				if !participating[p.State] {
					continue
				}
			}
			out[p.ID] = s.withStale(p)
		}
	}
	return out, nil
}

// maxIDsPerQuery bounds an IN list, far below both engines' limits on
// parameters.
const maxIDsPerQuery = 500

// getPOC reads an entry through q: s.db.Kept() outside a transaction.
func (s *Service) getPOC(ctx context.Context, q store.Queryer, id string) (POC, error) {
	if _, err := uuid.Parse(id); err != nil {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	p, err := selectPOC(ctx, q, id)
	if store.NoRows(err) {
		return POC{}, errs.E(errs.NotFound, "no such point of contact")
	}
	if err != nil {
		return POC{}, errs.Internalf(err, "get poc")
	}
	return s.withStale(p), nil
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
	out, err := pocVersions(ctx, s.db.R, id)
	if err != nil {
		return nil, errs.Internalf(err, "list versions")
	}
	return out, nil
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
			return errs.Internalf(err, "insert poc")
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

func (s *Service) recordVersion(ctx context.Context, tx *sql.Tx, a actor.Actor, p POC, action string) error {
	if err := insertVersion(ctx, tx, p, action, a.AccountID, a.Label()); err != nil {
		return errs.Internalf(err, "insert version")
	}
	if err := s.db.Bump(ctx, tx, versionName); err != nil {
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
		// A change committed meanwhile moved the version on: nothing was updated.
		n, err := updatePOC(ctx, tx, p)
		if err != nil {
			return errs.Internalf(err, "update poc")
		}
		if n != 1 {
			return errs.E(errs.Conflict, "someone else changed this entry meanwhile; reload and try again")
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
	cur, err := s.getPOC(ctx, s.db.Kept(), id)
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
	since, err := participatingSince(ctx, q, code)
	if store.NoRows(err) {
		return nil, errs.E(errs.NotFound, "unknown State %q", code)
	}
	if err != nil {
		return nil, errs.Internalf(err, "load state")
	}
	return since, nil
}

// LinkedPOCs lists the entries whose link names account: the POCs that
// person answers for, read when asked, so a link made after a check
// opened counts.
func (y *System) LinkedPOCs(ctx context.Context, account string) ([]string, error) {
	ids, err := linkedPOCs(ctx, y.s.db.Kept(), account)
	if err != nil {
		return nil, errs.Internalf(err, "list linked pocs")
	}
	return ids, nil
}

// ActivePOCs lists a State's active entries, for notifying them and for
// opening communication checks.
func (y *System) ActivePOCs(ctx context.Context, state string) ([]POC, error) {
	s := y.s
	out, err := activePOCs(ctx, s.db.R, state)
	if err != nil {
		return nil, errs.Internalf(err, "list pocs")
	}
	return s.withStaleAll(out), nil
}
