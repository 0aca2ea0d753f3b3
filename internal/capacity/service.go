package capacity

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
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/sharing"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Service implements the capacity-building use cases. Every method an edge
// calls takes the actor and checks it.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	clock   clock.Clock
	catalog *catalog.Catalog
	dir     *directory.System // which States participate
}

// New returns the capacity-building service.
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, dir *directory.System) *Service {
	return &Service{db: db, audit: log, clock: c, catalog: cat, dir: dir}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Limits of what a need or an offer holds.
const (
	maxTitle       = 200
	maxDescription = 5_000
	maxProvisions  = 20
	maxLanguages   = 10
	maxCapacity    = 300
	maxReference   = 200
	maxNote        = 1_000
	// Offers are dated within these years.
	firstYear, lastYear = 2000, 2100
)

// Messages people read, each in the catalogue (po/capacity).
const (
	msgNeedNotFound    = "no such capacity-building need"
	msgOfferNotFound   = "no such capacity-building offer"
	msgPartnerNotFound = "no such partnership"
	msgConflict        = "someone changed this since you opened it; reload it and try again"
	msgPostNeed        = "only administrators and points of contact of a participating State post needs"
	msgPostOffer       = "only the secretariat and administrators and points of contact of a participating State post offers"
	msgNotOwner        = "only the State that posted it changes it"
	msgNotSide         = "only the two sides of a suggestion act on it"
	msgNotSuggested    = "this need and this offer are not suggested to each other"
	msgAlreadyProposed = "a partnership between this need and this offer is already proposed or agreed"
	msgNotProposed     = "this partnership is not waiting for an answer"
	msgOwnProposal     = "the other side answers a proposal"
	msgNotAgreed       = "a partnership is published only once both sides have agreed it"
	msgAlreadyConsent  = "your side has already agreed to publish it"
)

// side is the party an actor speaks for: a participating State's code, or
// "" for the secretariat. ok is false for anyone else.
func (s *Service) side(ctx context.Context, a actor.Actor) (code string, ok bool, err error) {
	return sharing.Side(ctx, s.db.Kept(), s.dir, a)
}

// readerOf is what decides what a may read.
func (s *Service) readerOf(ctx context.Context, a actor.Actor) (sharing.Reader, error) {
	return sharing.ReaderOf(ctx, s.db.Kept(), s.dir, a)
}

// writer returns the side a may act for; ok is false when a is no
// writer of a side (a viewer, or a State that does not participate).
func (s *Service) writer(ctx context.Context, a actor.Actor) (code string, ok bool, err error) {
	if err := a.RequireWrite(); err != nil {
		return "", false, err
	}
	if !a.IsSecretariat() && a.Role != actor.StateAdmin && a.Role != actor.POC {
		return "", false, nil
	}
	return s.side(ctx, a)
}

// CanPostNeed reports why a may not post a need, or nil.
func (s *Service) CanPostNeed(ctx context.Context, a actor.Actor) error {
	code, ok, err := s.writer(ctx, a)
	if err != nil {
		return err
	}
	if !ok || code == "" {
		return errs.E(errs.Forbidden, msgPostNeed)
	}
	return nil
}

// CanPostOffer reports why a may not post an offer, or nil.
func (s *Service) CanPostOffer(ctx context.Context, a actor.Actor) error {
	_, err := s.offerer(ctx, a)
	return err
}

// offerer is the side a posts offers for.
func (s *Service) offerer(ctx context.Context, a actor.Actor) (string, error) {
	code, ok, err := s.writer(ctx, a)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errs.E(errs.Forbidden, msgPostOffer)
	}
	return code, nil
}

// CanEditNeed reports why a may not change n, or nil.
func (s *Service) CanEditNeed(ctx context.Context, a actor.Actor, n Need) error {
	code, ok, err := s.writer(ctx, a)
	if err != nil {
		return err
	}
	if !ok || code == "" || code != n.State {
		return errs.E(errs.Forbidden, msgNotOwner)
	}
	return nil
}

// CanEditOffer reports why a may not change o, or nil.
func (s *Service) CanEditOffer(ctx context.Context, a actor.Actor, o Offer) error {
	code, ok, err := s.writer(ctx, a)
	if err != nil {
		return err
	}
	if !ok || code != o.Owner {
		return errs.E(errs.Forbidden, msgNotOwner)
	}
	return nil
}

// ownsNeed and ownsOffer report whether a reads for the owner's side (a
// viewer included), which alone sees the item's suggestions.
func (s *Service) ownsNeed(ctx context.Context, a actor.Actor, n Need) (bool, error) {
	code, ok, err := s.side(ctx, a)
	return ok && code != "" && code == n.State, err
}

func (s *Service) ownsOffer(ctx context.Context, a actor.Actor, o Offer) (bool, error) {
	code, ok, err := s.side(ctx, a)
	return ok && code == o.Owner, err
}

// CreateNeed posts a need of a's State and suggests the offers it meets.
func (s *Service) CreateNeed(ctx context.Context, a actor.Actor, in NeedInput) (Need, error) {
	if err := s.CanPostNeed(ctx, a); err != nil {
		return Need{}, err
	}
	now := s.clock.Now().UTC()
	n := Need{ID: newID(), State: a.State, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	if err := s.checkNeed(&n, in); err != nil {
		return Need{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertNeed(ctx, tx, n, a.AccountID); err != nil {
			return errs.Internalf(err, "insert need")
		}
		if err := s.matchNeed(ctx, tx, n, now); err != nil {
			return err
		}
		return s.needWritten(ctx, tx, a, n, "need_create")
	})
	if err != nil {
		return Need{}, err
	}
	return n, nil
}

// EditNeed replaces need id at version with in, and its suggestions with
// those it now meets.
func (s *Service) EditNeed(ctx context.Context, a actor.Actor, id string, version int, in NeedInput) (Need, error) {
	n, err := s.Need(ctx, a, id)
	if err != nil {
		return Need{}, err
	}
	if err := s.CanEditNeed(ctx, a, n); err != nil {
		return Need{}, err
	}
	if version != n.Version {
		return Need{}, errs.E(errs.Conflict, msgConflict)
	}
	now := s.clock.Now().UTC()
	n.Version++
	n.UpdatedAt, n.UpdatedBy = now, a.Label()
	if err := s.checkNeed(&n, in); err != nil {
		return Need{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		changed, err := updateNeed(ctx, tx, n)
		if err != nil {
			return errs.Internalf(err, "update need")
		}
		if !changed {
			return errs.E(errs.Conflict, msgConflict)
		}
		if err := s.matchNeed(ctx, tx, n, now); err != nil {
			return err
		}
		return s.needWritten(ctx, tx, a, n, "need_edit")
	})
	if err != nil {
		return Need{}, err
	}
	return n, nil
}

func (s *Service) needWritten(ctx context.Context, tx *sql.Tx, a actor.Actor, n Need, action string) error {
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "capacity." + action, ObjectType: "capacity_need", ObjectID: n.ID, State: n.State,
		Details: map[string]any{"version": n.Version, "status": n.Status, "visibility": n.Visibility, "topics": n.Topics,
			"provisions": n.Provisions, "languages": n.Languages, "region": n.Region}})
}

// CreateOffer posts an offer of a's side and suggests it to the needs it
// meets.
func (s *Service) CreateOffer(ctx context.Context, a actor.Actor, in OfferInput) (Offer, error) {
	owner, err := s.offerer(ctx, a)
	if err != nil {
		return Offer{}, err
	}
	now := s.clock.Now().UTC()
	o := Offer{ID: newID(), Owner: owner, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	if err := s.checkOffer(&o, in); err != nil {
		return Offer{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertOffer(ctx, tx, o, a.AccountID); err != nil {
			return errs.Internalf(err, "insert offer")
		}
		if err := s.matchOffer(ctx, tx, o, now); err != nil {
			return err
		}
		return s.offerWritten(ctx, tx, a, o, "offer_create")
	})
	if err != nil {
		return Offer{}, err
	}
	return o, nil
}

// EditOffer replaces offer id at version with in.
func (s *Service) EditOffer(ctx context.Context, a actor.Actor, id string, version int, in OfferInput) (Offer, error) {
	o, err := s.Offer(ctx, a, id)
	if err != nil {
		return Offer{}, err
	}
	if err := s.CanEditOffer(ctx, a, o); err != nil {
		return Offer{}, err
	}
	if version != o.Version {
		return Offer{}, errs.E(errs.Conflict, msgConflict)
	}
	now := s.clock.Now().UTC()
	o.Version++
	o.UpdatedAt, o.UpdatedBy = now, a.Label()
	if err := s.checkOffer(&o, in); err != nil {
		return Offer{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		changed, err := updateOffer(ctx, tx, o)
		if err != nil {
			return errs.Internalf(err, "update offer")
		}
		if !changed {
			return errs.E(errs.Conflict, msgConflict)
		}
		if err := s.matchOffer(ctx, tx, o, now); err != nil {
			return err
		}
		return s.offerWritten(ctx, tx, a, o, "offer_edit")
	})
	if err != nil {
		return Offer{}, err
	}
	return o, nil
}

func (s *Service) offerWritten(ctx context.Context, tx *sql.Tx, a actor.Actor, o Offer, action string) error {
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "capacity." + action, ObjectType: "capacity_offer", ObjectID: o.ID, State: o.Owner,
		Details: map[string]any{"version": o.Version, "status": o.Status, "visibility": o.Visibility, "kind": o.Kind, "topics": o.Topics,
			"provisions": o.Provisions, "languages": o.Languages, "regions": o.Regions}})
}

// CheckOffer reports what is wrong with in for an offer a would post,
// writing nothing: a page that could not read a field asks it for the
// others' problems.
func (s *Service) CheckOffer(ctx context.Context, a actor.Actor, in OfferInput) error {
	if _, err := s.offerer(ctx, a); err != nil {
		return err
	}
	var o Offer
	return s.checkOffer(&o, in)
}

// Need returns need id if a may read it.
func (s *Service) Need(ctx context.Context, a actor.Actor, id string) (Need, error) {
	notFound := errs.E(errs.NotFound, msgNeedNotFound)
	if uuid.Validate(id) != nil {
		return Need{}, notFound
	}
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return Need{}, err
	}
	n, err := selectNeed(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Need{}, notFound
	}
	if err != nil {
		return Need{}, errs.Internalf(err, "load need")
	}
	if !r.Sees(n.State, n.Visibility) {
		return Need{}, notFound
	}
	return n, nil
}

// Offer returns offer id if a may read it.
func (s *Service) Offer(ctx context.Context, a actor.Actor, id string) (Offer, error) {
	notFound := errs.E(errs.NotFound, msgOfferNotFound)
	if uuid.Validate(id) != nil {
		return Offer{}, notFound
	}
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return Offer{}, err
	}
	o, err := selectOffer(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Offer{}, notFound
	}
	if err != nil {
		return Offer{}, errs.Internalf(err, "load offer")
	}
	if !r.Sees(o.Owner, o.Visibility) {
		return Offer{}, notFound
	}
	return o, nil
}

// checkNeed validates in into n, reporting every field to fix at once.
func (s *Service) checkNeed(n *Need, in NeedInput) error {
	var f errs.Fields
	n.Title = line(&f, "title", in.Title, maxTitle)
	if n.Title == "" {
		f.Add("title", "enter a title")
	}
	n.Description = text(&f, "description", in.Description, maxDescription)
	if n.Description == "" {
		f.Add("description", "describe the need")
	}
	n.Topics = checkTopics(&f, in.Topics)
	n.Provisions = s.checkProvisions(&f, "provisions", in.Provisions)
	n.Languages = checkLanguages(&f, in.Languages)
	n.Region = in.Region
	if !slices.Contains(states.Regions(), in.Region) {
		f.Add("region", "choose a UN regional group from the list")
	}
	n.Status = in.Status
	if n.Status == "" {
		n.Status = Open
	}
	if !slices.Contains(NeedStatuses(), n.Status) {
		f.Add("status", "choose open, in partnership or closed")
	}
	n.Visibility = checkVisibility(&f, in.Visibility)
	n.SourceReport = line(&f, "source_report", in.SourceReport, maxReference)
	n.SourceProvision = ""
	if p := strings.TrimSpace(in.SourceProvision); p != "" {
		if ps := s.checkProvisions(&f, "source_provision", []string{p}); len(ps) == 1 {
			n.SourceProvision = ps[0]
		}
	}
	return f.Err()
}

// checkOffer validates in into o.
func (s *Service) checkOffer(o *Offer, in OfferInput) error {
	var f errs.Fields
	o.Kind = in.Kind
	if !slices.Contains(OfferKinds(), o.Kind) {
		f.Add("kind", "choose what the offer gives")
	}
	o.Title = line(&f, "title", in.Title, maxTitle)
	if o.Title == "" {
		f.Add("title", "enter a title")
	}
	o.Description = text(&f, "description", in.Description, maxDescription)
	if o.Description == "" {
		f.Add("description", "describe the offer")
	}
	o.Topics = checkTopics(&f, in.Topics)
	o.Provisions = s.checkProvisions(&f, "provisions", in.Provisions)
	o.Languages = checkLanguages(&f, in.Languages)
	o.Regions = nil
	for _, g := range in.Regions {
		switch {
		case !slices.Contains(states.Regions(), g):
			f.Add("regions", "choose UN regional groups from the list")
		case !slices.Contains(o.Regions, g):
			o.Regions = append(o.Regions, g)
		}
	}
	slices.SortFunc(o.Regions, func(x, y string) int { return slices.Index(states.Regions(), x) - slices.Index(states.Regions(), y) })
	o.Capacity = line(&f, "capacity", in.Capacity, maxCapacity)
	o.From, o.Until = day(&f, "from", in.From), day(&f, "until", in.Until)
	if o.From != nil && o.Until != nil && o.Until.Before(*o.From) {
		f.Add("until", "the offer cannot end before it starts")
	}
	o.Status = in.Status
	if o.Status == "" {
		o.Status = Open
	}
	if !slices.Contains(OfferStatuses(), o.Status) {
		f.Add("status", "choose open or closed")
	}
	o.Visibility = checkVisibility(&f, in.Visibility)
	return f.Err()
}

// day checks an optional date and keeps only the day.
func day(f *errs.Fields, field string, t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	if t.Year() < firstYear || t.Year() > lastYear {
		f.Add(field, fmt.Sprintf("use a date in the years %d to %d", firstYear, lastYear))
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func checkTopics(f *errs.Fields, in []Topic) []Topic {
	var out []Topic
	for _, t := range in {
		switch {
		case !slices.Contains(Topics(), t):
			f.Add("topics", "choose capacity-building topics from the list")
		case !slices.Contains(out, t):
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		f.Add("topics", "choose at least one capacity-building topic")
	}
	slices.SortFunc(out, func(x, y Topic) int { return slices.Index(Topics(), x) - slices.Index(Topics(), y) })
	return out
}

func (s *Service) checkProvisions(f *errs.Fields, field string, in []string) []string {
	if len(in) > maxProvisions {
		f.Add(field, fmt.Sprintf("link at most %d provisions", maxProvisions))
		in = in[:maxProvisions]
	}
	var out []string
	for _, p := range in {
		p = strings.TrimSpace(p)
		if validate.Encoding(p) != "" {
			f.Add(field, "choose provisions of the framework from the list")
			continue
		}
		if _, err := s.catalog.Provision(p); err != nil {
			f.Add(field, fmt.Sprintf("unknown provision %q", validate.Reveal(p)))
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func checkLanguages(f *errs.Fields, in []string) []string {
	if len(in) > maxLanguages {
		f.Add("languages", fmt.Sprintf("list at most %d working languages", maxLanguages))
		in = in[:maxLanguages]
	}
	var out []string
	for _, l := range in {
		if strings.TrimSpace(l) == "" {
			continue
		}
		tag, problem := validate.Language(l)
		if problem != "" {
			f.Add("languages", problem)
			continue
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	if len(out) == 0 {
		f.Add("languages", "name at least one language you can work in")
	}
	return out
}

func checkVisibility(f *errs.Fields, v Visibility) Visibility {
	if !slices.Contains(Visibilities(), v) {
		f.Add("visibility", "choose whom the need or offer is shown to")
	}
	return v
}

// text checks a multi-line field into f and returns it normalised.
func text(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.Text(v, 0, max)
	if problem == "" {
		problem = validate.Plain(out)
	}
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}

// line checks a single-line field into f and returns it normalised.
func line(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.OneLine(v, max)
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}

// primary is a language tag's primary subtag, by which languages match:
// a need in "fr" meets an offer in "fr-CA".
func primary(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return p
}
