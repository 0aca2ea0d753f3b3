package library

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/sharing"
	"github.com/detente/detente/internal/store"
)

// Service implements the policy library's use cases. Every method an edge
// calls takes the actor and checks it.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	clock   clock.Clock
	catalog *catalog.Catalog
	dir     *directory.System // which States participate
	files   messaging.AttachmentLimits
}

// New returns the library service. files are the limits a file is held
// to: those of a communication's attachments.
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, dir *directory.System, files messaging.AttachmentLimits) *Service {
	if files.MaxFileBytes <= 0 {
		files = messaging.DefaultAttachmentLimits()
	}
	return &Service{db: db, audit: log, clock: c, catalog: cat, dir: dir, files: files}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Limits of what a document holds.
const (
	maxTitle      = 300
	maxSummary    = 5_000
	maxProvisions = 20
	maxTopics     = 10
	maxTopic      = 60
	maxLink       = 2_000
	// Documents are dated within these years.
	firstYear, lastYear = 1950, 2100
)

// Messages people read, each in the catalogue (po/library).
const (
	msgNotFound = "no such document in the library"
	msgConflict = "someone changed this document since you opened it; reload it and try again"
	msgAdd      = "only the secretariat and administrators and points of contact of a participating State add documents"
	msgNotOwner = "only the State that shared the document changes it"
)

// FileLimit is the largest file a document may keep, for forms to say.
func (s *Service) FileLimit() int64 { return s.files.MaxFileBytes }

// side is the party an actor speaks for: a participating State's code, or
// "" for the secretariat. ok is false for anyone else.
func (s *Service) side(ctx context.Context, a actor.Actor) (code string, ok bool, err error) {
	return sharing.Side(ctx, s.db.Kept(), s.dir, a)
}

// readerOf is what decides what a may read: the rule capacity building
// follows too.
func (s *Service) readerOf(ctx context.Context, a actor.Actor) (sharing.Reader, error) {
	return sharing.ReaderOf(ctx, s.db.Kept(), s.dir, a)
}

// writer returns the side a may add documents for.
func (s *Service) writer(ctx context.Context, a actor.Actor) (string, error) {
	if err := a.RequireWrite(); err != nil {
		return "", err
	}
	if !a.IsSecretariat() && a.Role != actor.StateAdmin && a.Role != actor.POC {
		return "", errs.E(errs.Forbidden, msgAdd)
	}
	code, ok, err := s.side(ctx, a)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errs.E(errs.Forbidden, msgAdd)
	}
	return code, nil
}

// CanAdd reports why a may not add a document, or nil.
func (s *Service) CanAdd(ctx context.Context, a actor.Actor) error {
	_, err := s.writer(ctx, a)
	return err
}

// CanEdit reports why a may not change or withdraw d, or nil.
func (s *Service) CanEdit(ctx context.Context, a actor.Actor, d Document) error {
	code, err := s.writer(ctx, a)
	if err != nil {
		return err
	}
	if code != d.Owner {
		return errs.E(errs.Forbidden, msgNotOwner)
	}
	return nil
}

// Add shares a document of a's side.
func (s *Service) Add(ctx context.Context, a actor.Actor, in Input) (Document, error) {
	owner, err := s.writer(ctx, a)
	if err != nil {
		return Document{}, err
	}
	now := s.clock.Now().UTC()
	d := Document{ID: newID(), Owner: owner, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	content, err := s.check(ctx, a, &d, in, nil)
	if err != nil {
		return Document{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertDocument(ctx, tx, d, a.AccountID, content); err != nil {
			return errs.Internalf(err, "insert library document")
		}
		return s.written(ctx, tx, a, d, "add")
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}

// Edit replaces document id at version with in. Without a new file or a
// link, the file it keeps stays.
func (s *Service) Edit(ctx context.Context, a actor.Actor, id string, version int, in Input) (Document, error) {
	d, err := s.Document(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	if err := s.CanEdit(ctx, a, d); err != nil {
		return Document{}, err
	}
	if version != d.Version {
		return Document{}, errs.E(errs.Conflict, msgConflict)
	}
	old := d
	d.Version++
	d.UpdatedAt, d.UpdatedBy = s.clock.Now().UTC(), a.Label()
	content, err := s.check(ctx, a, &d, in, &old)
	if err != nil {
		return Document{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var changed bool
		if content != nil || !d.HasFile() {
			changed, err = updateDocument(ctx, tx, d, content)
		} else {
			changed, err = updateMetadata(ctx, tx, d)
		}
		if err != nil {
			return errs.Internalf(err, "update library document")
		}
		if !changed {
			return errs.E(errs.Conflict, msgConflict)
		}
		return s.written(ctx, tx, a, d, "edit")
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}

// Delete withdraws document id at version from the library; documents it
// superseded no longer name it.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id string, version int) error {
	d, err := s.Document(ctx, a, id)
	if err != nil {
		return err
	}
	if err := s.CanEdit(ctx, a, d); err != nil {
		return err
	}
	if version != d.Version {
		return errs.E(errs.Conflict, msgConflict)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		gone, err := deleteDocument(ctx, tx, d)
		if err != nil {
			return errs.Internalf(err, "delete library document")
		}
		if !gone {
			return errs.E(errs.Conflict, msgConflict)
		}
		return s.written(ctx, tx, a, d, "delete")
	})
}

func (s *Service) written(ctx context.Context, tx *sql.Tx, a actor.Actor, d Document, action string) error {
	details := map[string]any{"version": d.Version, "type": d.Type, "title": d.Title, "status": d.Status, "visibility": d.Visibility,
		"language": d.Language, "provisions": d.Provisions, "superseded_by": d.SupersededBy, "link": d.Link}
	if d.HasFile() {
		details["name"], details["size"], details["sha256"], details["detected_type"] = d.File.Name, d.File.Size, d.File.SHA256, d.File.DetectedType
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "library." + action, ObjectType: "library_document", ObjectID: d.ID,
		State: d.Owner, Details: details})
}

// Check reports what is wrong with in for a new document (id "") or a
// change to document id, writing nothing: a page that could not read a
// field asks it for the others' problems.
func (s *Service) Check(ctx context.Context, a actor.Actor, id string, in Input) error {
	var old *Document
	if id == "" {
		if err := s.CanAdd(ctx, a); err != nil {
			return err
		}
	} else {
		d, err := s.Document(ctx, a, id)
		if err != nil {
			return err
		}
		if err := s.CanEdit(ctx, a, d); err != nil {
			return err
		}
		old = &d
	}
	d := Document{ID: id}
	_, err := s.check(ctx, a, &d, in, old)
	return err
}

// Document returns document id if a may read it.
func (s *Service) Document(ctx context.Context, a actor.Actor, id string) (Document, error) {
	notFound := errs.E(errs.NotFound, msgNotFound)
	if uuid.Validate(id) != nil {
		return Document{}, notFound
	}
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return Document{}, err
	}
	d, err := selectDocument(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Document{}, notFound
	}
	if err != nil {
		return Document{}, errs.Internalf(err, "load library document")
	}
	if !r.Sees(d.Owner, d.Visibility) {
		return Document{}, notFound
	}
	return d, nil
}

// File returns the file of document id and its content if a may read
// the document.
func (s *Service) File(ctx context.Context, a actor.Actor, id string) (messaging.Attachment, []byte, error) {
	d, err := s.Document(ctx, a, id)
	if err != nil {
		return messaging.Attachment{}, nil, err
	}
	if !d.HasFile() {
		return messaging.Attachment{}, nil, errs.E(errs.NotFound, msgNotFound)
	}
	content, err := selectContent(ctx, s.db.R, id)
	if err != nil {
		return messaging.Attachment{}, nil, errs.Internalf(err, "load library file")
	}
	return d.File, content, nil
}
