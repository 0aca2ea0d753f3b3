package scenario

import (
	"bytes"
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
)

// Templates is what a scenario needs of the messaging service: the
// template a communication inject is written against, and the limits its
// attachments must keep, so that a run can send what a scenario holds.
type Templates interface {
	Template(ctx context.Context, typ messaging.Type) (messaging.Template, error)
	AttachmentLimits() messaging.AttachmentLimits
}

// Service implements the scenario use cases. Every method an edge calls
// takes the actor and checks it.
type Service struct {
	db        *store.DB
	audit     *audit.Log
	clock     clock.Clock
	catalog   *catalog.Catalog
	dir       *directory.System
	templates Templates
}

// New returns the scenario service.
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, dir *directory.System, templates Templates) *Service {
	return &Service{db: db, audit: log, clock: c, catalog: cat, dir: dir, templates: templates}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Messages people read, each in the catalogue (po/scenario).
const (
	msgNotFound   = "no such scenario"
	msgNoVersion  = "this scenario has no such version"
	msgConflict   = "someone saved this scenario since you opened it; reload it and try again"
	msgWrite      = "only the secretariat and State administrators write scenarios"
	msgNotYetPart = "your State does not participate in the directory yet"
	msgNotOwner   = "only those who wrote this scenario change it"
	msgShipped    = "a scenario that ships with the product is not changed: make a copy"
	msgShareOwn   = "only a State's own scenarios are shared: the secretariat's are seen by every State already"
	msgWithdrawn  = "this scenario is withdrawn"
)

// side is whom a scenario belongs to or a reader reads for: the
// secretariat ("") or a State.
type side struct {
	state string
}

// writerOf is the side a writes for: "" for the secretariat, its State for
// a State administrator of a participating State. It fails for anyone
// else, as meetings' organisers do.
func (s *Service) writerOf(ctx context.Context, a actor.Actor) (side, error) {
	if err := a.RequireWrite(); err != nil {
		return side{}, err
	}
	if a.IsSecretariat() {
		return side{}, nil
	}
	if a.Role != actor.StateAdmin || a.State == "" {
		return side{}, errs.E(errs.Forbidden, msgWrite)
	}
	if err := s.participating(ctx, a.State); err != nil {
		return side{}, err
	}
	return side{state: a.State}, nil
}

func (s *Service) participating(ctx context.Context, state string) error {
	since, err := s.dir.ParticipatingSince(ctx, s.db.R, state)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	if since == nil {
		return errs.E(errs.Forbidden, msgNotYetPart)
	}
	return nil
}

// readerOf is the side a reads for; ok is false for a signed-in reader who
// may see no scenario at all (a State that does not participate, or an
// account of no State that is not the secretariat).
func (s *Service) readerOf(ctx context.Context, a actor.Actor) (side, bool, error) {
	if err := a.RequireSignedIn(); err != nil {
		return side{}, false, err
	}
	if a.IsSecretariat() {
		return side{}, true, nil
	}
	if a.State == "" {
		return side{}, false, nil
	}
	if err := s.participating(ctx, a.State); err != nil {
		if errs.Is(err, errs.Forbidden) {
			return side{}, false, nil
		}
		return side{}, false, err
	}
	return side{state: a.State}, true, nil
}

// visible is visibleSQL for one scenario: the secretariat's and shipped
// scenarios, the reader's own, and those shared.
func (r side) visible(h head) bool {
	return h.OwnerState == "" || h.OwnerState == r.state || h.Shared
}

// CanWrite reports why a may not write a new scenario (or import or copy
// one), or nil.
func (s *Service) CanWrite(ctx context.Context, a actor.Actor) error {
	_, err := s.writerOf(ctx, a)
	return err
}

// CanEdit reports why a may not save a new version of sc, or nil. A
// shipped scenario is edited by copying it: see Save.
func (s *Service) CanEdit(ctx context.Context, a actor.Actor, sc Scenario) error {
	w, err := s.writerOf(ctx, a)
	if err != nil {
		return err
	}
	switch {
	case sc.Shipped:
		return errs.E(errs.Forbidden, msgShipped)
	case sc.OwnerState != w.state:
		return errs.E(errs.Forbidden, msgNotOwner)
	case sc.Withdrawn:
		return errs.E(errs.Conflict, msgWithdrawn)
	}
	return nil
}

// CanShare reports why a may not share sc with other States, stop sharing
// it or withdraw it, or nil.
func (s *Service) CanShare(ctx context.Context, a actor.Actor, sc Scenario) error {
	if err := s.CanEdit(ctx, a, sc); err != nil {
		return err
	}
	if sc.OwnerState == "" {
		return errs.E(errs.Forbidden, msgShareOwn)
	}
	return nil
}

// CanWithdraw reports why a may not withdraw sc, or nil.
func (s *Service) CanWithdraw(ctx context.Context, a actor.Actor, sc Scenario) error {
	return s.CanEdit(ctx, a, sc)
}

// load reads the head of scenario id, not found unless a may see it.
func (s *Service) load(ctx context.Context, a actor.Actor, id string) (head, error) {
	r, ok, err := s.readerOf(ctx, a)
	if err != nil {
		return head{}, err
	}
	notFound := errs.E(errs.NotFound, msgNotFound)
	if !ok || uuid.Validate(id) != nil {
		return head{}, notFound
	}
	h, err := selectHead(ctx, s.db.R, id)
	if store.NoRows(err) {
		return head{}, notFound
	}
	if err != nil {
		return head{}, errs.Internalf(err, "load scenario")
	}
	if !r.visible(h) {
		return head{}, notFound
	}
	return h, nil
}

// Scenario returns version of scenario id (0: the newest) if a may see it.
// Exercise runs read the version they play through it; a withdrawn
// scenario is still read, and says so.
func (s *Service) Scenario(ctx context.Context, a actor.Actor, id string, version int) (Scenario, error) {
	h, err := s.load(ctx, a, id)
	if err != nil {
		return Scenario{}, err
	}
	if version == 0 {
		version = h.Version
	}
	if version < 0 || version > h.Version {
		return Scenario{}, errs.E(errs.NotFound, msgNoVersion)
	}
	v, err := selectVersion(ctx, s.db.R, id, version)
	if store.NoRows(err) {
		return Scenario{}, errs.E(errs.NotFound, msgNoVersion)
	}
	if err != nil {
		return Scenario{}, errs.Internalf(err, "load scenario version")
	}
	return h.scenario(v)
}

// List returns a page of the scenarios a may see, newest saved first,
// without those withdrawn.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[Summary], error) {
	r, ok, err := s.readerOf(ctx, a)
	if err != nil {
		return page.Page[Summary]{}, err
	}
	var fe errs.Fields
	if f.Provision != "" {
		if _, err := s.catalog.Provision(f.Provision); err != nil {
			fe.Add("provision", msgProvision)
		}
	}
	if f.Owner != "" && f.Owner != "shipped" && f.Owner != "mine" {
		fe.Add("owner", msgOwner)
	}
	if err := fe.Err(); err != nil {
		return page.Page[Summary]{}, err
	}
	var after *listKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Summary]{}, page.Damaged()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil || uuid.Validate(req.After[1]) != nil {
			return page.Page[Summary]{}, page.Damaged()
		}
		after = &listKey{at: at.UTC(), id: req.After[1]}
	}
	if !ok {
		return page.Page[Summary]{}, nil
	}
	size := req.Size()
	rows, err := listHeads(ctx, s.db.R, r, f, after, size+1)
	if err != nil {
		return page.Page[Summary]{}, errs.Internalf(err, "list scenarios")
	}
	return page.Cut(rows, size, func(x Summary) []string { return []string{x.SavedAt.UTC().Format(time.RFC3339Nano), x.ID} }), nil
}

// Versions returns a page of scenario id's saved versions, newest first.
func (s *Service) Versions(ctx context.Context, a actor.Actor, id string, req page.Request) (page.Page[VersionInfo], error) {
	h, err := s.load(ctx, a, id)
	if err != nil {
		return page.Page[VersionInfo]{}, err
	}
	before := h.Version + 1
	if req.After != nil {
		if len(req.After) != 1 {
			return page.Page[VersionInfo]{}, page.Damaged()
		}
		n, err := parseVersion(req.After[0])
		if err != nil {
			return page.Page[VersionInfo]{}, page.Damaged()
		}
		before = n
	}
	size := req.Size()
	rows, err := listVersions(ctx, s.db.R, id, before, size+1)
	if err != nil {
		return page.Page[VersionInfo]{}, errs.Internalf(err, "list scenario versions")
	}
	return page.Cut(rows, size, func(v VersionInfo) []string { return []string{formatVersion(v.Version)} }), nil
}

// Create writes a new scenario of a's side from in, as its version 1.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Scenario, error) {
	w, err := s.writerOf(ctx, a)
	if err != nil {
		return Scenario{}, err
	}
	return s.create(ctx, a, w, in, "", "create")
}

// Import reads a scenario file and writes it as a new scenario of a's
// side, as Create does.
func (s *Service) Import(ctx context.Context, a actor.Actor, file []byte) (Scenario, error) {
	w, err := s.writerOf(ctx, a)
	if err != nil {
		return Scenario{}, err
	}
	in, err := Decode(bytes.NewReader(file))
	if err != nil {
		return Scenario{}, err
	}
	return s.create(ctx, a, w, in, "", "import")
}

// Copy writes a new scenario of a's side holding version of scenario id
// (0: the newest), which a may see.
func (s *Service) Copy(ctx context.Context, a actor.Actor, id string, version int) (Scenario, error) {
	w, err := s.writerOf(ctx, a)
	if err != nil {
		return Scenario{}, err
	}
	from, err := s.Scenario(ctx, a, id, version)
	if err != nil {
		return Scenario{}, err
	}
	return s.create(ctx, a, w, InputOf(from), from.ID, "copy")
}

func (s *Service) create(ctx context.Context, a actor.Actor, w side, in Input, copiedFrom, action string) (Scenario, error) {
	sc, err := s.check(ctx, in)
	if err != nil {
		return Scenario{}, err
	}
	now := s.clock.Now().UTC()
	sc.ID, sc.Version, sc.OwnerState, sc.CopiedFrom = newID(), 1, w.state, copiedFrom
	sc.SavedAt, sc.SavedBy, sc.SavedName = now, a.AccountID, a.Label()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := insertScenario(ctx, tx, sc, ""); err != nil {
			return errs.Internalf(err, "insert scenario")
		}
		details := map[string]any{"version": 1, "title": sc.Title}
		if copiedFrom != "" {
			details["copied_from"] = copiedFrom
		}
		return s.written(ctx, tx, a, sc, action, details)
	})
	if err != nil {
		return Scenario{}, err
	}
	return s.Scenario(ctx, a, sc.ID, 0)
}

// Save writes in as the next version of scenario id, which a opened at
// version. Saving a shipped scenario writes a copy of a's side holding in
// instead, and returns the copy.
func (s *Service) Save(ctx context.Context, a actor.Actor, id string, version int, in Input) (Scenario, error) {
	w, err := s.writerOf(ctx, a)
	if err != nil {
		return Scenario{}, err
	}
	h, err := s.load(ctx, a, id)
	if err != nil {
		return Scenario{}, err
	}
	if h.Shipped {
		return s.create(ctx, a, w, in, h.ID, "copy")
	}
	if h.OwnerState != w.state {
		return Scenario{}, errs.E(errs.Forbidden, msgNotOwner)
	}
	if h.Withdrawn {
		return Scenario{}, errs.E(errs.Conflict, msgWithdrawn)
	}
	if version != h.Version {
		return Scenario{}, errs.E(errs.Conflict, msgConflict)
	}
	sc, err := s.check(ctx, in)
	if err != nil {
		return Scenario{}, err
	}
	sc.ID, sc.Version, sc.OwnerState = h.ID, h.Version+1, h.OwnerState
	sc.SavedAt, sc.SavedBy, sc.SavedName = s.clock.Now().UTC(), a.AccountID, a.Label()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := saveVersion(ctx, tx, sc)
		if err != nil {
			return errs.Internalf(err, "save scenario")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		return s.written(ctx, tx, a, sc, "save", map[string]any{"version": sc.Version, "title": sc.Title})
	})
	if err != nil {
		return Scenario{}, err
	}
	return s.Scenario(ctx, a, id, 0)
}

// Share lets every participating State see (and run) a State's scenario,
// or stops it. It is no new version: the text does not change.
func (s *Service) Share(ctx context.Context, a actor.Actor, id string, shared bool) (Scenario, error) {
	return s.setFlag(ctx, a, id, "share", shared)
}

// Withdraw takes a scenario out of the lists for good; runs that played
// it still read it.
func (s *Service) Withdraw(ctx context.Context, a actor.Actor, id string) (Scenario, error) {
	return s.setFlag(ctx, a, id, "withdraw", true)
}

func (s *Service) setFlag(ctx context.Context, a actor.Actor, id, action string, on bool) (Scenario, error) {
	if _, err := s.writerOf(ctx, a); err != nil {
		return Scenario{}, err
	}
	sc, err := s.Scenario(ctx, a, id, 0)
	if err != nil {
		return Scenario{}, err
	}
	check := s.CanWithdraw
	if action == "share" {
		check = s.CanShare
		if !on {
			action = "unshare"
		}
	}
	if err := check(ctx, a, sc); err != nil {
		return Scenario{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := setFlag(ctx, tx, id, action, on); err != nil {
			return errs.Internalf(err, "%s scenario", action)
		}
		return s.written(ctx, tx, a, sc, action, map[string]any{"version": sc.Version})
	})
	if err != nil {
		return Scenario{}, err
	}
	return s.Scenario(ctx, a, id, 0)
}

// Export writes version of scenario id (0: the newest) as a scenario file.
func (s *Service) Export(ctx context.Context, a actor.Actor, id string, version int) ([]byte, Scenario, error) {
	sc, err := s.Scenario(ctx, a, id, version)
	if err != nil {
		return nil, Scenario{}, err
	}
	return Encode(InputOf(sc)), sc, nil
}

// written records the audit entry of action on sc.
func (s *Service) written(ctx context.Context, tx *sql.Tx, a actor.Actor, sc Scenario, action string, details map[string]any) error {
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "scenario." + action, ObjectType: "scenario", ObjectID: sc.ID,
		State: sc.OwnerState, Details: details})
}
