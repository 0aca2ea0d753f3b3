// Package taxii serves STIX 2.1 objects over TAXII 2.1 at /taxii2/: the
// service (collections, who may read and write them, adding, listing and
// deleting objects, statuses) and its HTTP edge. Objects are stored with
// their exact bytes, so any valid STIX 2.1 object comes back as it came.
//
// Who may read a collection is asked of the disclosure policy
// (messaging.Disclosure) under the collection's TLP label; who may write
// depends on its kind. docs/TAXII.md has the table.
package taxii

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

// Kind says who writes a collection.
type Kind string

const (
	Public Kind = "public" // the secretariat writes
	Shared Kind = "shared" // every participating State's accounts write
	Own    Kind = "state"  // the owning State's accounts write
)

// The installation-wide collections, made by the migration.
const (
	PublicID = "f9ffc677-c3f2-4efc-96b4-973f97aeef95"
	SharedID = "8f16f5c9-72ae-422e-acb8-f9574e106212"
)

// stateNamespace derives a State's collection id from its code.
var stateNamespace = uuid.MustParse("9cad63af-f934-42ff-9a96-c8f430dfe697")

// StateCollectionID is the id of State code's own collection.
func StateCollectionID(code string) string {
	return uuid.NewSHA1(stateNamespace, []byte(code)).String()
}

// Collection is a TAXII collection as a caller sees it.
type Collection struct {
	ID          string
	Kind        Kind
	Owner       string // State code; "" for the secretariat
	TLP         tlp.Label
	Title       string
	Description string
	CanRead     bool
	CanWrite    bool
}

// Record is one version of an object in a collection.
type Record struct {
	ObjectID    string
	Version     time.Time
	Type        string
	SpecVersion string
	DateAdded   time.Time
	Body        []byte // nil in a manifest
	added       int64  // date_added in microseconds, the paging key
}

// Page is a page of records and what TAXII says about it.
type Page struct {
	Records []Record
	More    bool
	Next    string // the cursor after the last record, when More
}

// Status is the outcome of one POST of objects.
type Status struct {
	ID          string
	Collection  string
	RequestedAt time.Time
	Total       int
	Successes   []Outcome
	Failures    []Outcome
	Pendings    []Outcome
}

// Outcome is what became of one object of a POST.
type Outcome struct {
	ID      string
	Version string // as STIX writes timestamps; "" where the object could not be read
	Message string
}

// States is what the service asks of the directory: whether a State
// participates.
type States interface {
	State(ctx context.Context, a actor.Actor, code string) (directory.State, error)
}

// Config bounds what one request may do.
type Config struct {
	// Limits bound a POST's content: bytes, objects, nesting.
	Limits stix.Limits
}

// DefaultConfig takes the largest ATT&CK bundle with room to spare.
func DefaultConfig() Config { return Config{Limits: stix.DefaultLimits()} }

// Service is the TAXII domain: every method takes the actor first.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	clock  clock.Clock
	states States
	cfg    Config
}

// New returns the service.
func New(db *store.DB, log *audit.Log, c clock.Clock, states States, cfg Config) *Service {
	if cfg.Limits == (stix.Limits{}) {
		cfg.Limits = stix.DefaultLimits()
	}
	return &Service{db: db, audit: log, clock: c, states: states, cfg: cfg}
}

// MaxContentLength is the largest body a POST may have, for the API root
// resource and the edge's body limit.
func (s *Service) MaxContentLength() int { return s.cfg.Limits.MaxBytes }

// reaches says whether a is among the accounts r names, for a collection
// owned by owner. A collection has no named people, so Named reaches no
// one.
func reaches(r messaging.Reach, a actor.Actor, owner string) bool {
	if !a.Authenticated() {
		return false
	}
	switch r {
	case messaging.SignedIn:
		return true
	case messaging.StateAccounts:
		return a.State != ""
	case messaging.Parties:
		return a.State != "" && a.State == owner
	}
	return false
}

// mayRead is the disclosure policy's answer for a collection: its label's
// read reach, with the owner as the party.
func mayRead(a actor.Actor, c Collection) bool {
	return reaches(messaging.Disclosure(c.TLP, messaging.ChanRead), a, c.Owner)
}

// rights fills in what a may do with c.
func (s *Service) rights(ctx context.Context, a actor.Actor, c *Collection) error {
	c.CanRead = mayRead(a, *c)
	c.CanWrite = false
	if !c.CanRead || a.RequireWrite() != nil {
		return nil
	}
	switch c.Kind {
	case Public:
		c.CanWrite = a.IsSecretariat()
	case Own:
		c.CanWrite = a.OfState(c.Owner)
	case Shared:
		if a.State == "" {
			return nil
		}
		st, err := s.states.State(ctx, a, a.State)
		if err != nil {
			return err
		}
		c.CanWrite = st.Participating()
	}
	return nil
}

// Collections lists the collections a may read: the public and shared
// ones where the policy lets it, and its own State's.
func (s *Service) Collections(ctx context.Context, a actor.Actor) ([]Collection, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	ids := []string{PublicID, SharedID}
	if a.State != "" {
		ids = append(ids, StateCollectionID(a.State))
	}
	var out []Collection
	for _, id := range ids {
		c, err := s.Collection(ctx, a, id)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Collection returns one collection a may read; any other is not found,
// so another State's collection does not show that it exists.
func (s *Service) Collection(ctx context.Context, a actor.Actor, id string) (Collection, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Collection{}, err
	}
	c, err := s.collection(ctx, s.db.Kept(), a, id)
	if err != nil {
		return Collection{}, err
	}
	if err := s.rights(ctx, a, &c); err != nil {
		return Collection{}, err
	}
	if !c.CanRead {
		return Collection{}, errNoCollection(id)
	}
	return c, nil
}

func errNoCollection(id string) error {
	return errs.E(errs.NotFound, "no collection %q that you may read", clipID(id))
}

// collection reads c, or makes up a's own State's collection before its
// first object: it is stored when first written to.
func (s *Service) collection(ctx context.Context, q store.Queryer, a actor.Actor, id string) (Collection, error) {
	c, err := selectCollection(ctx, q, id)
	if store.NoRows(err) {
		if a.State != "" && id == StateCollectionID(a.State) {
			return stateCollection(a.State), nil
		}
		return Collection{}, errNoCollection(id)
	}
	if err != nil {
		return Collection{}, errs.Internalf(err, "read collection")
	}
	return c, nil
}

// stateCollection is State code's own collection: TLP:AMBER, which the
// policy lets the owner's accounts read.
func stateCollection(code string) Collection {
	return Collection{ID: StateCollectionID(code), Kind: Own, Owner: code, TLP: tlp.Amber,
		Title: code + " (TLP:AMBER)", Description: "The State's own collection: its accounts read it and write to it."}
}

// writable returns the collection a may write to, or the error to give:
// not found where a may not read it, forbidden where it may only read.
func (s *Service) writable(ctx context.Context, q store.Queryer, a actor.Actor, id string) (Collection, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Collection{}, err
	}
	c, err := s.collection(ctx, q, a, id)
	if err != nil {
		return Collection{}, err
	}
	if err := s.rights(ctx, a, &c); err != nil {
		return Collection{}, err
	}
	if !c.CanRead {
		return Collection{}, errNoCollection(id)
	}
	if !c.CanWrite {
		if err := a.RequireWrite(); err != nil {
			return Collection{}, err
		}
		return Collection{}, errs.E(errs.Forbidden, "you may read this collection but not write to it")
	}
	return c, nil
}

// CanWrite reports why a may not add objects to or delete them from a
// collection, or nil if it may. The edge asks before reading a body; Add
// and Delete ask again.
func (s *Service) CanWrite(ctx context.Context, a actor.Actor, collection string) error {
	_, err := s.writable(ctx, s.db.Kept(), a, collection)
	return err
}

// Objects returns a page of a collection's objects, with their bytes.
func (s *Service) Objects(ctx context.Context, a actor.Actor, collection string, f Filter) (Page, error) {
	return s.page(ctx, a, collection, f, true)
}

// Manifest returns the same page as Objects without the objects' bytes.
func (s *Service) Manifest(ctx context.Context, a actor.Actor, collection string, f Filter) (Page, error) {
	return s.page(ctx, a, collection, f, false)
}

// Object returns a page of one object's versions (by default the last).
// An object with no version matching is not found.
func (s *Service) Object(ctx context.Context, a actor.Actor, collection, id string, f Filter) (Page, error) {
	if err := stix.CheckID(id, ""); err != nil {
		return Page{}, errs.E(errs.NotFound, "no object %q in this collection", clipID(id))
	}
	f.IDs = []string{id}
	p, err := s.page(ctx, a, collection, f, true)
	if err == nil && len(p.Records) == 0 && f.After == 0 {
		return Page{}, errs.E(errs.NotFound, "no object %q in this collection", clipID(id))
	}
	return p, err
}

// Versions lists an object's versions, oldest added first.
func (s *Service) Versions(ctx context.Context, a actor.Actor, collection, id string, f Filter) (Page, error) {
	if err := stix.CheckID(id, ""); err != nil {
		return Page{}, errs.E(errs.NotFound, "no object %q in this collection", clipID(id))
	}
	f.IDs, f.Types, f.Versions = []string{id}, nil, []string{"all"}
	p, err := s.page(ctx, a, collection, f, false)
	if err == nil && len(p.Records) == 0 && f.After == 0 {
		return Page{}, errs.E(errs.NotFound, "no object %q in this collection", clipID(id))
	}
	return p, err
}

// page reads one page: one statement for the collection and one for its
// rows, however many rows there are.
func (s *Service) page(ctx context.Context, a actor.Actor, collection string, f Filter, bodies bool) (Page, error) {
	// Reading needs only the read right: the write right of the shared
	// collection asks the directory, a statement a page need not pay.
	if err := a.RequireSignedIn(); err != nil {
		return Page{}, err
	}
	c, err := s.collection(ctx, s.db.Kept(), a, collection)
	if err != nil {
		return Page{}, err
	}
	if !mayRead(a, c) {
		return Page{}, errNoCollection(collection)
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	rows, err := selectObjects(ctx, s.db.R, collection, f, bodies)
	if err != nil {
		return Page{}, errs.Internalf(err, "read objects")
	}
	p := Page{Records: rows}
	if len(rows) > f.Limit {
		p.Records, p.More = rows[:f.Limit], true
		p.Next = nextOf(p.Records[f.Limit-1].added)
	}
	return p, nil
}

// Add stores the objects of a TAXII envelope (or a STIX bundle) in a
// collection, in one transaction with its status and audit entry. Each
// object is judged on its own: a bad one is a failure in the status, the
// others are stored. An object whose id and version the collection
// already holds with the same content succeeds without a second copy;
// with other content it fails.
func (s *Service) Add(ctx context.Context, a actor.Actor, collection string, body []byte) (Status, error) {
	if err := s.CanWrite(ctx, a, collection); err != nil {
		return Status{}, err
	}
	objects, problems, err := stix.ReadObjects(body, s.cfg.Limits)
	if err != nil {
		if errors.Is(err, stix.ErrTooLarge) {
			return Status{}, errs.Wrap(err, errs.TooLarge, err.Error())
		}
		var f errs.Fields
		f.Add("objects", err.Error())
		return Status{}, f.Err()
	}
	now := s.clock.Now().UTC()
	st := Status{ID: uuid.Must(uuid.NewV7()).String(), Collection: collection, RequestedAt: now.Truncate(time.Microsecond), Total: len(objects) + len(problems)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.writable(ctx, tx, a, collection)
		if err != nil {
			return err
		}
		st.Successes, st.Failures = nil, nil
		last, err := claimCollection(ctx, tx, c, now)
		if err != nil {
			return errs.Internalf(err, "lock collection")
		}
		next := max(micros(now), last+1)
		for _, p := range problems {
			st.Failures = append(st.Failures, Outcome{ID: p.ID, Message: fmt.Sprintf("object %d: %s", p.Index, p.Err)})
		}
		var valid []stix.Object
		var scoIDs []string
		for _, o := range objects {
			if msg := tooRestricted(o, c); msg != "" {
				st.Failures = append(st.Failures, Outcome{ID: o.ID, Message: msg})
				continue
			}
			if _, ok := o.Version(); !ok {
				scoIDs = append(scoIDs, o.ID)
			}
			valid = append(valid, o)
		}
		// An observable has no version of its own: the same one added
		// again is already there, and only a different one under its id
		// becomes a new version, dated when it was added.
		observed, err := heldObservables(ctx, tx, c.ID, scoIDs)
		if err != nil {
			return errs.Internalf(err, "read observables")
		}
		var batch []row
		for _, o := range valid {
			ver, ok := o.Version()
			if !ok {
				cj, err := stix.Canonical(o.Raw)
				if err != nil {
					return errs.Internalf(err, "canonical form")
				}
				if observed[o.ID+" "+string(cj)] {
					st.Successes = append(st.Successes, Outcome{ID: o.ID, Message: "already in the collection"})
					continue
				}
				observed[o.ID+" "+string(cj)] = true
				ver = fromMicros(next)
			}
			batch = append(batch, row{added: next, id: o.ID, version: stix.SortableTime(ver), typ: o.Type, spec: o.SpecVersion, body: o.Raw, at: ver})
			next++
		}
		inserted, err := insertObjects(ctx, tx, s.db.Engine, c.ID, a.AccountID, batch)
		if err != nil {
			return errs.Internalf(err, "store objects")
		}
		var clash []row
		for _, r := range batch {
			if inserted[r.id+" "+r.version] {
				st.Successes = append(st.Successes, Outcome{ID: r.id, Version: stix.FormatTime(r.at)})
			} else {
				clash = append(clash, r)
			}
		}
		if len(clash) > 0 {
			same, err := sameBodies(ctx, tx, c.ID, clash)
			if err != nil {
				return errs.Internalf(err, "compare objects")
			}
			for i, r := range clash {
				if same[i] {
					st.Successes = append(st.Successes, Outcome{ID: r.id, Version: stix.FormatTime(r.at), Message: "already in the collection"})
				} else {
					st.Failures = append(st.Failures, Outcome{ID: r.id, Version: stix.FormatTime(r.at),
						Message: "the collection holds different content under this id and version; a change needs a new modified timestamp"})
				}
			}
		}
		if err := setLastAdded(ctx, tx, c.ID, next-1); err != nil {
			return errs.Internalf(err, "update collection")
		}
		if err := insertStatus(ctx, tx, a.AccountID, st); err != nil {
			return errs.Internalf(err, "store status")
		}
		sum := sha256.Sum256(body)
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "taxii.add", ObjectType: "taxii_collection", ObjectID: c.ID, State: c.Owner,
			Details: map[string]any{"status": st.ID, "total": st.Total, "successes": len(st.Successes), "failures": len(st.Failures), "sha256": hex.EncodeToString(sum[:])}})
	})
	if err != nil {
		return Status{}, err
	}
	return st, nil
}

// tooRestricted says why o may not go into c, or "": an object marked
// with a TLP label whose readers are fewer than the collection's would
// reach people its marking excludes. The policy's reaches are ordered from
// nobody to anyone signed in.
func tooRestricted(o stix.Object, c Collection) string {
	coll := messaging.Disclosure(c.TLP, messaging.ChanRead)
	for _, m := range o.Markings {
		l, ok := stix.TLPOf(m)
		if !ok {
			continue
		}
		if messaging.Disclosure(l, messaging.ChanRead) < coll {
			return fmt.Sprintf("the object is marked %s, which this collection's readers (%s) may not all read", l, coll)
		}
	}
	return ""
}

// Delete removes an object's versions from a collection: all of them, or
// those match[version] and match[spec_version] select.
func (s *Service) Delete(ctx context.Context, a actor.Actor, collection, id string, f Filter) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.writable(ctx, tx, a, collection)
		if err != nil {
			return err
		}
		if stix.CheckID(id, "") != nil {
			return errs.E(errs.NotFound, "no object %q in this collection", clipID(id))
		}
		if len(f.Versions) == 0 {
			f.Versions = []string{"all"}
		}
		n, err := deleteObjects(ctx, tx, c.ID, id, f)
		if err != nil {
			return errs.Internalf(err, "delete objects")
		}
		if n == 0 {
			return errs.E(errs.NotFound, "no object %q in this collection", clipID(id))
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "taxii.delete", ObjectType: "taxii_collection", ObjectID: c.ID, State: c.Owner,
			Details: map[string]any{"object": id, "versions": f.Versions, "spec_versions": f.SpecVersions, "deleted": n}})
	})
}

// Status returns the status of a POST made by a; anyone else's is not
// found.
func (s *Service) Status(ctx context.Context, a actor.Actor, id string) (Status, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Status{}, err
	}
	st, account, err := selectStatus(ctx, s.db.R, id)
	if store.NoRows(err) || (err == nil && account != a.AccountID) {
		return Status{}, errs.E(errs.NotFound, "no status %q of yours", clipID(id))
	}
	if err != nil {
		return Status{}, errs.Internalf(err, "read status")
	}
	return st, nil
}

func clipID(s string) string {
	if len(s) > 100 || !utf8Printable(s) {
		return "…"
	}
	return s
}
