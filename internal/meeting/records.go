package meeting

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

// After the meeting: who attended, the minutes and outcome documents, and
// what the organiser publishes.
//
// Attendance is recorded per invited POC by the organiser's side once the
// meeting has begun, and read by whoever sees the meeting: the organiser
// every POC, an invited State its own POCs and every State's presence.
//
// A record (minutes or one file) carries its own TLP label. Who reads it
// comes from messaging.Disclosure on the read channel, read within the
// meeting's audience (mayReadRecord): nothing of a meeting reaches beyond
// those who see the meeting except what its organiser publishes, and only
// a label the table lets reach anyone signed in (TLP:CLEAR) may be
// published. A label the table gives to named people only (TLP:RED) is
// refused: a meeting's records go to delegations, not to named persons,
// and such material travels as a communication.

// Presence is how an invited POC attended.
type Presence string

const (
	NotRecorded Presence = ""
	InRoom      Presence = "in_person"
	Remote      Presence = "remote"
	Absent      Presence = "absent"
)

// Presences lists what the organiser may record, in the form's order.
func Presences() []Presence { return []Presence{InRoom, Remote, Absent} }

// Label is the presence's name for people (context "attendance").
func (p Presence) Label() string {
	switch p {
	case InRoom:
		return "Present in person"
	case Remote:
		return "Present remotely"
	case Absent:
		return "Absent"
	case NotRecorded:
		return "Not recorded"
	}
	return string(p)
}

// Attendee is one invited POC's attendance.
type Attendee struct {
	Invitation Invitation
	Presence   Presence
	RecordedAt *time.Time
	RecordedBy string
}

// StatePresence is a State's attendance: in person if any of its POCs
// was in the room, else remotely if any joined remotely, else absent once
// every one is recorded absent, else not recorded.
type StatePresence struct {
	State    string
	Presence Presence
}

// Attendance is a meeting's attendance as a reader may see it.
type Attendance struct {
	Meeting Meeting
	// POCs are the invited POCs the reader may see one by one: every one
	// for the organiser's side, its own State's for an invited State.
	POCs   []Attendee
	States []StatePresence // every invited State
}

// RecordKind says whether a record is minutes or a file.
type RecordKind string

const (
	Minutes  RecordKind = "minutes"
	Document RecordKind = "file"
)

// Record is a meeting's minutes or one of its documents.
type Record struct {
	ID        string
	MeetingID string
	Kind      RecordKind
	Title     string
	TLP       tlp.Label
	Body      string // the minutes; empty for a file
	// The file, for a document: as messaging keeps an attachment.
	File      messaging.Attachment
	Published bool
	Version   int
	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
	UpdatedBy string
}

// RecordVersion is an earlier version of edited minutes.
type RecordVersion struct {
	Version  int
	Title    string
	TLP      tlp.Label
	Body     string
	EditedAt time.Time
	EditedBy string
}

// RecordInput is what the organiser writes: minutes (Body), or a document
// (Files, exactly one).
type RecordInput struct {
	Title string
	TLP   tlp.Label
	Body  string
	Files []messaging.Upload
}

// Publication is what the public sees of a past meeting its organiser
// published.
type Publication struct {
	MeetingID   string
	Title       string
	Kind        Kind
	Start, End  time.Time
	TimeZone    string
	Organiser   string // the convening State; "" for the secretariat
	Summary     string
	Version     int
	PublishedAt time.Time
	UpdatedAt   time.Time
	Records     []Record // published, CLEAR; files without content
}

// PublishInput is the organiser's choice of what to publish.
type PublishInput struct {
	Summary string
	Records []string // ids of records to publish; each must be publishable
}

// Limits of the records.
const (
	maxRecordTitle = 200
	maxMinutes     = 200_000
	maxSummary     = 5_000
	maxRecords     = 100 // records a meeting keeps: its list is one page
)

// Messages people read, in po/minutes.
const (
	msgNoRecord      = "no such meeting record"
	msgRecordStale   = "someone changed this record since you opened it; reload it and try again"
	msgNotStarted    = "attendance is recorded once the meeting has begun"
	msgNotOver       = "a meeting is published once it is over"
	msgKeepRecords   = "only the organiser keeps this meeting's records"
	msgTooMany       = "this meeting keeps as many records as it may; withdraw one first"
	msgNamedLabel    = "meeting records go to the invited States' delegations: send material for named people only as a communication"
	msgUnknownLabel  = "choose a TLP label"
	msgNotPublic     = "only records marked CLEAR may be published"
	msgNoSuchPOC     = "this point of contact is not invited to the meeting"
	msgNoPresence    = "choose present in person, present remotely or absent"
	msgOneFile       = "choose one file"
	msgNotPublished  = "no such published meeting"
	msgFileUnchanged = "a document's file cannot be changed: withdraw it and add the new one"
)

// recordAudience reads the reach messaging.Disclosure gives label l on
// the read channel for a meeting record, within the meeting's audience:
// whoever sees the meeting (organiser's side and invited States) for any
// reach from the parties up, nobody otherwise. It is the one place
// records meet the table.
func recordAudience(l tlp.Label) bool {
	switch messaging.Disclosure(l, messaging.ChanRead) {
	case messaging.SignedIn, messaging.StateAccounts, messaging.Parties:
		return true
	}
	return false
}

// Publishable reports whether a record marked l may be published: the
// table lets it reach anyone signed in, the widest reach there is.
func Publishable(l tlp.Label) bool {
	return messaging.Disclosure(l, messaging.ChanRead) == messaging.SignedIn
}

// RecordLabels lists the labels a record may carry, for forms.
func RecordLabels() []tlp.Label {
	var out []tlp.Label
	for _, l := range tlp.Labels() {
		if recordAudience(l) {
			out = append(out, l)
		}
	}
	return out
}

// mayReadRecord reports whether a, who sees meeting m, reads r.
func mayReadRecord(a actor.Actor, m Meeting, r Record) bool {
	return maySee(a, m) && recordAudience(r.TLP)
}

// keeper checks that a keeps meeting id's records (the organiser's side,
// writing) and returns the meeting. Another State gets "not found".
func (s *Service) keeper(ctx context.Context, a actor.Actor, id string) (Meeting, error) {
	if err := a.RequireWrite(); err != nil {
		return Meeting{}, err
	}
	m, err := s.load(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	if err := s.CanKeepRecords(ctx, a, m); err != nil {
		return Meeting{}, err
	}
	return m, nil
}

// CanKeepRecords reports why a may not record attendance, write minutes
// or add documents to m, or nil.
func (s *Service) CanKeepRecords(ctx context.Context, a actor.Actor, m Meeting) error {
	org, err := s.organiserOf(ctx, a)
	if err != nil {
		return err
	}
	if org != m.OrganiserState || !maySee(a, m) {
		return errs.E(errs.Forbidden, msgKeepRecords)
	}
	if m.Status == Cancelled {
		return errs.E(errs.Conflict, msgCancelled)
	}
	return nil
}

// CanRecordAttendance reports why a may not record who attended m, or nil.
func (s *Service) CanRecordAttendance(ctx context.Context, a actor.Actor, m Meeting) error {
	if err := s.CanKeepRecords(ctx, a, m); err != nil {
		return err
	}
	if m.Start.After(s.clock.Now()) {
		return errs.E(errs.Conflict, msgNotStarted)
	}
	return nil
}

// CanPublish reports why a may not publish m, or nil.
func (s *Service) CanPublish(ctx context.Context, a actor.Actor, m Meeting) error {
	if err := s.CanKeepRecords(ctx, a, m); err != nil {
		return err
	}
	if m.End.After(s.clock.Now()) {
		return errs.E(errs.Conflict, msgNotOver)
	}
	return nil
}

// Attendance returns meeting id's attendance as a may see it.
func (s *Service) Attendance(ctx context.Context, a actor.Actor, id string) (Attendance, error) {
	m, err := s.Meeting(ctx, a, id)
	if err != nil {
		return Attendance{}, err
	}
	invs, err := selectInvitations(ctx, s.db.R, m.ID)
	if err != nil {
		return Attendance{}, errs.Internalf(err, "load invitations")
	}
	marks, err := selectAttendance(ctx, s.db.R, m.ID)
	if err != nil {
		return Attendance{}, errs.Internalf(err, "load attendance")
	}
	out := Attendance{Meeting: m}
	byState := map[string][]Presence{}
	for _, i := range invs {
		if i.Removed {
			continue
		}
		at := marks[i.ID]
		at.Invitation = i
		byState[i.State] = append(byState[i.State], at.Presence)
		if organiserSide(a, m) || i.State == a.State {
			out.POCs = append(out.POCs, at)
		}
	}
	for _, st := range m.Invited {
		out.States = append(out.States, StatePresence{State: st, Presence: summarise(byState[st])})
	}
	return out, nil
}

func summarise(ps []Presence) Presence {
	switch {
	case slices.Contains(ps, InRoom):
		return InRoom
	case slices.Contains(ps, Remote):
		return Remote
	case len(ps) > 0 && !slices.Contains(ps, NotRecorded):
		return Absent
	}
	return NotRecorded
}

// RecordAttendance sets the presence of the invited POCs named by
// invitation id in marks; NotRecorded clears a mark. Every mark is checked
// before anything is written, and the change is audited with what moved.
func (s *Service) RecordAttendance(ctx context.Context, a actor.Actor, id string, marks map[string]Presence) (Attendance, error) {
	m, err := s.keeper(ctx, a, id)
	if err != nil {
		return Attendance{}, err
	}
	if err := s.CanRecordAttendance(ctx, a, m); err != nil {
		return Attendance{}, err
	}
	invs, err := selectInvitations(ctx, s.db.R, m.ID)
	if err != nil {
		return Attendance{}, errs.Internalf(err, "load invitations")
	}
	known := map[string]Invitation{}
	for _, i := range invs {
		if !i.Removed {
			known[i.ID] = i
		}
	}
	var f errs.Fields
	for inv, p := range marks {
		if _, ok := known[inv]; !ok {
			f.Add("attendance", msgNoSuchPOC)
			continue
		}
		if p != NotRecorded && !slices.Contains(Presences(), p) {
			f.Add("attendance."+inv, msgNoPresence)
		}
	}
	if err := f.Err(); err != nil {
		return Attendance{}, err
	}
	before, err := selectAttendance(ctx, s.db.R, m.ID)
	if err != nil {
		return Attendance{}, errs.Internalf(err, "load attendance")
	}
	now := s.clock.Now().UTC()
	var changes []map[string]any
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, inv := range slicesSorted(marks) {
			p, was := marks[inv], before[inv].Presence
			if p == was {
				continue
			}
			i := known[inv]
			if err := setAttendance(ctx, tx, i, p, now, a.Label()); err != nil {
				return errs.Internalf(err, "record attendance")
			}
			changes = append(changes, map[string]any{"invitation": inv, "state": i.State, "poc": i.POCID, "from": was, "to": p})
		}
		if len(changes) == 0 {
			return nil
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.attendance", ObjectType: "meeting", ObjectID: m.ID,
			State: m.OrganiserState, Details: map[string]any{"changes": changes}})
	})
	if err != nil {
		return Attendance{}, err
	}
	return s.Attendance(ctx, a, m.ID)
}

func slicesSorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Records returns the minutes and documents of meeting id that a may
// read, oldest first, without the files' content.
func (s *Service) Records(ctx context.Context, a actor.Actor, id string) (Meeting, []Record, error) {
	m, err := s.Meeting(ctx, a, id)
	if err != nil {
		return Meeting{}, nil, err
	}
	all, err := selectRecords(ctx, s.db.R, m.ID)
	if err != nil {
		return Meeting{}, nil, errs.Internalf(err, "load meeting records")
	}
	var out []Record
	for _, r := range all {
		if mayReadRecord(a, m, r) {
			out = append(out, r)
		}
	}
	return m, out, nil
}

// Record returns record id, its meeting and its earlier versions, if a
// may read it; anyone else is told it does not exist.
func (s *Service) Record(ctx context.Context, a actor.Actor, id string) (Meeting, Record, []RecordVersion, error) {
	m, r, err := s.readable(ctx, a, id)
	if err != nil {
		return Meeting{}, Record{}, nil, err
	}
	vs, err := selectRecordVersions(ctx, s.db.R, r.ID)
	if err != nil {
		return Meeting{}, Record{}, nil, errs.Internalf(err, "load record versions")
	}
	return m, r, vs, nil
}

// RecordFile returns a document and its content if a may read it.
func (s *Service) RecordFile(ctx context.Context, a actor.Actor, id string) (Record, []byte, error) {
	_, r, err := s.readable(ctx, a, id)
	if err != nil {
		return Record{}, nil, err
	}
	if r.Kind != Document {
		return Record{}, nil, errs.E(errs.NotFound, msgNoRecord)
	}
	content, err := selectRecordContent(ctx, s.db.R, r.ID)
	if err != nil {
		return Record{}, nil, errs.Internalf(err, "load document")
	}
	return r, content, nil
}

func (s *Service) readable(ctx context.Context, a actor.Actor, id string) (Meeting, Record, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Meeting{}, Record{}, err
	}
	notFound := errs.E(errs.NotFound, msgNoRecord)
	if uuid.Validate(id) != nil {
		return Meeting{}, Record{}, notFound
	}
	r, err := selectRecord(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Meeting{}, Record{}, notFound
	}
	if err != nil {
		return Meeting{}, Record{}, errs.Internalf(err, "load meeting record")
	}
	m, err := s.Meeting(ctx, a, r.MeetingID)
	if errs.Is(err, errs.NotFound) || (err == nil && !mayReadRecord(a, m, r)) {
		return Meeting{}, Record{}, notFound
	}
	if err != nil {
		return Meeting{}, Record{}, err
	}
	return m, r, nil
}

// checkRecord validates the title and label of in into r.
func checkRecord(f *errs.Fields, r *Record, in RecordInput) {
	r.Title = line(f, "title", in.Title, maxRecordTitle)
	if r.Title == "" {
		f.Add("title", "enter a title")
	}
	l, err := tlp.Parse(string(in.TLP))
	switch {
	case err != nil || !l.Valid():
		f.Add("tlp", msgUnknownLabel)
	case messaging.Disclosure(l, messaging.ChanRead) == messaging.Named:
		f.Add("tlp", msgNamedLabel)
	case !recordAudience(l):
		f.Add("tlp", msgUnknownLabel)
	}
	r.TLP = l
}

// AddRecord adds minutes (in.Body) or a document (in.Files, one) to
// meeting id, audited with the file's hash, never its content.
func (s *Service) AddRecord(ctx context.Context, a actor.Actor, id string, kind RecordKind, in RecordInput) (Record, error) {
	m, err := s.keeper(ctx, a, id)
	if err != nil {
		return Record{}, err
	}
	now := s.clock.Now().UTC()
	r := Record{ID: newID(), MeetingID: m.ID, Kind: kind, Version: 1, CreatedAt: now, CreatedBy: a.Label(), UpdatedAt: now, UpdatedBy: a.Label()}
	var f errs.Fields
	checkRecord(&f, &r, in)
	var content []byte
	switch kind {
	case Minutes:
		r.Body = text(&f, "body", in.Body, 1, maxMinutes)
	case Document:
		if len(in.Files) != 1 {
			f.Add("attachments", msgOneFile)
			break
		}
		files, err := messaging.CheckFiles(s.cfg.Files, in.Files)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				return Record{}, err
			}
			for k, v := range errs.FieldsOf(err) {
				f.Add(k, v)
			}
			break
		}
		r.File, content = files[0].Attachment, files[0].Content
		r.File.ID, r.File.CreatedAt = r.ID, now
	default:
		return Record{}, errs.E(errs.NotFound, msgNoRecord)
	}
	if err := f.Err(); err != nil {
		return Record{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := countRecords(ctx, tx, m.ID)
		if err != nil {
			return errs.Internalf(err, "count meeting records")
		}
		if n >= maxRecords {
			return errs.E(errs.Conflict, msgTooMany)
		}
		if err := insertRecord(ctx, tx, r, content); err != nil {
			return errs.Internalf(err, "insert meeting record")
		}
		details := map[string]any{"meeting": m.ID, "kind": r.Kind, "title": r.Title, "tlp": r.TLP}
		if kind == Document {
			details["name"], details["original_name"], details["size"], details["sha256"] = r.File.Name, r.File.OriginalName, r.File.Size, r.File.SHA256
			details["declared_type"], details["detected_type"] = r.File.DeclaredType, r.File.DetectedType
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.record_add", ObjectType: "meeting_record", ObjectID: r.ID,
			State: m.OrganiserState, Details: details})
	})
	if err != nil {
		return Record{}, err
	}
	return r, nil
}

// EditRecord changes record id at version: minutes their title, label and
// text, a document its title and label. The version replaced is kept. A
// record no longer publishable leaves the public page.
func (s *Service) EditRecord(ctx context.Context, a actor.Actor, id string, version int, in RecordInput) (Record, error) {
	m, r, err := s.editableRecord(ctx, a, id)
	if err != nil {
		return Record{}, err
	}
	if version != r.Version {
		return Record{}, errs.E(errs.Conflict, msgRecordStale)
	}
	before := r
	var f errs.Fields
	checkRecord(&f, &r, in)
	switch r.Kind {
	case Minutes:
		r.Body = text(&f, "body", in.Body, 1, maxMinutes)
	case Document:
		if len(in.Files) > 0 {
			f.Add("attachments", msgFileUnchanged)
		}
	}
	if err := f.Err(); err != nil {
		return Record{}, err
	}
	if r.Title == before.Title && r.TLP == before.TLP && r.Body == before.Body {
		return r, nil
	}
	r.Version++
	r.UpdatedAt, r.UpdatedBy = s.clock.Now().UTC(), a.Label()
	if !Publishable(r.TLP) {
		r.Published = false
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateRecord(ctx, tx, before, r)
		if err != nil {
			return errs.Internalf(err, "update meeting record")
		}
		if !ok {
			return errs.E(errs.Conflict, msgRecordStale)
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.record_edit", ObjectType: "meeting_record", ObjectID: r.ID,
			State: m.OrganiserState, Details: map[string]any{"meeting": m.ID, "version": r.Version, "title": r.Title, "tlp": r.TLP,
				"from_tlp": before.TLP, "body_changed": r.Body != before.Body, "published": r.Published}})
	})
	if err != nil {
		return Record{}, err
	}
	return r, nil
}

// WithdrawRecord removes record id at version, with its earlier
// versions; the audit log keeps its title, label and hash.
func (s *Service) WithdrawRecord(ctx context.Context, a actor.Actor, id string, version int) (Meeting, error) {
	m, r, err := s.editableRecord(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	if version != r.Version {
		return Meeting{}, errs.E(errs.Conflict, msgRecordStale)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := deleteRecord(ctx, tx, r.ID, r.Version)
		if err != nil {
			return errs.Internalf(err, "withdraw meeting record")
		}
		if !ok {
			return errs.E(errs.Conflict, msgRecordStale)
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.record_withdraw", ObjectType: "meeting_record", ObjectID: r.ID,
			State: m.OrganiserState, Details: map[string]any{"meeting": m.ID, "kind": r.Kind, "title": r.Title, "tlp": r.TLP, "sha256": r.File.SHA256}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return m, nil
}

func (s *Service) editableRecord(ctx context.Context, a actor.Actor, id string) (Meeting, Record, error) {
	if err := a.RequireWrite(); err != nil {
		return Meeting{}, Record{}, err
	}
	m, r, err := s.readable(ctx, a, id)
	if err != nil {
		return Meeting{}, Record{}, err
	}
	if err := s.CanKeepRecords(ctx, a, m); err != nil {
		return Meeting{}, Record{}, err
	}
	return m, r, nil
}

// Publication returns what meeting id publishes, for its organiser's
// form: found is false while it is not published.
func (s *Service) Publication(ctx context.Context, a actor.Actor, id string) (p Publication, found bool, err error) {
	m, err := s.Meeting(ctx, a, id)
	if err != nil {
		return Publication{}, false, err
	}
	if !organiserSide(a, m) {
		return Publication{}, false, errs.E(errs.Forbidden, msgKeepRecords)
	}
	p, err = selectPublication(ctx, s.db.R, m.ID, false)
	if store.NoRows(err) {
		return Publication{MeetingID: m.ID}, false, nil
	}
	if err != nil {
		return Publication{}, false, errs.Internalf(err, "load publication")
	}
	return p, true, nil
}

// Publish puts past meeting id on the public list with in's summary and
// the records chosen, which must be TLP:CLEAR; records not chosen leave
// the public page.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id string, in PublishInput) error {
	m, err := s.keeper(ctx, a, id)
	if err != nil {
		return err
	}
	if err := s.CanPublish(ctx, a, m); err != nil {
		return err
	}
	var f errs.Fields
	summary := text(&f, "summary", in.Summary, 1, maxSummary)
	all, err := selectRecords(ctx, s.db.R, m.ID)
	if err != nil {
		return errs.Internalf(err, "load meeting records")
	}
	chosen := map[string]bool{}
	for _, rid := range in.Records {
		k := slices.IndexFunc(all, func(r Record) bool { return r.ID == rid })
		switch {
		case k < 0:
			f.Add("records", msgNoRecord)
		case !Publishable(all[k].TLP):
			f.Add("records", msgNotPublic)
		default:
			chosen[rid] = true
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		version, err := putPublication(ctx, tx, m.ID, summary, now, a.Label())
		if err != nil {
			return errs.Internalf(err, "publish meeting")
		}
		var ids []string
		for _, r := range all {
			if err := setPublished(ctx, tx, r.ID, chosen[r.ID]); err != nil {
				return errs.Internalf(err, "publish meeting record")
			}
			if chosen[r.ID] {
				ids = append(ids, r.ID)
			}
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.publish", ObjectType: "meeting", ObjectID: m.ID,
			State: m.OrganiserState, Details: map[string]any{"version": version, "records": orEmpty(ids), "summary_chars": len([]rune(summary))}})
	})
}

// Unpublish takes meeting id off the public list, with its records.
func (s *Service) Unpublish(ctx context.Context, a actor.Actor, id string) error {
	m, err := s.keeper(ctx, a, id)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := deletePublication(ctx, tx, m.ID)
		if err != nil {
			return errs.Internalf(err, "unpublish meeting")
		}
		if n == 0 {
			return errs.E(errs.NotFound, msgNotPublished)
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.unpublish", ObjectType: "meeting", ObjectID: m.ID, State: m.OrganiserState})
	})
}

// Published returns a page of the published past meetings, latest first.
// Anyone may read it, signed in or not.
func (s *Service) Published(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Publication], error) {
	var after *listKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Publication]{}, page.Damaged()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil || uuid.Validate(req.After[1]) != nil {
			return page.Page[Publication]{}, page.Damaged()
		}
		after = &listKey{at: at.UTC(), id: req.After[1]}
	}
	size := req.Size()
	rows, err := listPublications(ctx, s.db.R, s.clock.Now().UTC(), after, size+1)
	if err != nil {
		return page.Page[Publication]{}, errs.Internalf(err, "list published meetings")
	}
	return page.Cut(rows, size, func(p Publication) []string { return []string{p.Start.UTC().Format(time.RFC3339Nano), p.MeetingID} }), nil
}

// PublishedMeeting returns published meeting id with its published
// records (minutes with their text, documents without content).
func (s *Service) PublishedMeeting(ctx context.Context, a actor.Actor, id string) (Publication, error) {
	notFound := errs.E(errs.NotFound, msgNotPublished)
	if uuid.Validate(id) != nil {
		return Publication{}, notFound
	}
	p, err := selectPublication(ctx, s.db.R, id, true)
	if store.NoRows(err) {
		return Publication{}, notFound
	}
	if err != nil {
		return Publication{}, errs.Internalf(err, "load published meeting")
	}
	if p.End.After(s.clock.Now()) {
		return Publication{}, notFound
	}
	all, err := selectRecords(ctx, s.db.R, p.MeetingID)
	if err != nil {
		return Publication{}, errs.Internalf(err, "load meeting records")
	}
	for _, r := range all {
		if r.Published && Publishable(r.TLP) {
			p.Records = append(p.Records, r)
		}
	}
	return p, nil
}

// PublishedFile returns a published document and its content: the
// meeting published, the document chosen and TLP:CLEAR.
func (s *Service) PublishedFile(ctx context.Context, a actor.Actor, id string) (Record, []byte, error) {
	notFound := errs.E(errs.NotFound, msgNoRecord)
	if uuid.Validate(id) != nil {
		return Record{}, nil, notFound
	}
	r, err := selectRecord(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Record{}, nil, notFound
	}
	if err != nil {
		return Record{}, nil, errs.Internalf(err, "load meeting record")
	}
	if r.Kind != Document || !r.Published || !Publishable(r.TLP) {
		return Record{}, nil, notFound
	}
	if _, err := s.PublishedMeeting(ctx, a, r.MeetingID); err != nil {
		return Record{}, nil, notFound
	}
	content, err := selectRecordContent(ctx, s.db.R, r.ID)
	if err != nil {
		return Record{}, nil, errs.Internalf(err, "load document")
	}
	return r, content, nil
}

// Excerpt is the start of a summary for a list: its first paragraph, cut
// at a word near n characters.
func Excerpt(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := string(rs[:n])
	if k := strings.LastIndexByte(cut, ' '); k > n/2 {
		cut = cut[:k]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
