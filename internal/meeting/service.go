package meeting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Mailer writes meeting mails; package notify provides it. It is called
// inside the transaction that records what was mailed, so it only
// enqueues.
type Mailer interface {
	EnqueueMeetingMails(ctx context.Context, tx *sql.Tx, m Meeting, mails []Mail) error
}

// Config tunes meetings.
type Config struct {
	BaseURL string // where the meetings' pages are, for links in calendars
	// RemindBefore is how long before a meeting its invitees are
	// reminded; zero: a day.
	RemindBefore time.Duration
	// Files bounds a document's file as messaging bounds an attachment;
	// unset limits take messaging's defaults.
	Files messaging.AttachmentLimits
	// Feeds are the other domains whose entries an account's private
	// calendar feed also lists: the exercise runs it plays.
	Feeds []FeedSource
}

// FeedSource gives the calendar entries of another domain that a reads
// in its private feed, each under the UID and SEQUENCE of that domain's
// own mails; a is the feed's account, read-only.
type FeedSource interface {
	FeedEvents(ctx context.Context, a actor.Actor) ([]ical.Event, error)
}

// Service implements the meeting use cases. Every method an edge calls
// takes the actor and checks it.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	clock   clock.Clock
	catalog *catalog.Catalog
	// Other domains' facts, through their services: which States
	// participate and their POCs, and what an account is.
	dir      *directory.System
	accounts *access.System
	mailer   Mailer
	cfg      Config
}

// New returns the meeting service; mailer writes the invitations in the
// transactions of the mail jobs.
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, dir *directory.System, accounts *access.System, mailer Mailer, cfg Config) *Service {
	if cfg.RemindBefore <= 0 {
		cfg.RemindBefore = 24 * time.Hour
	}
	return &Service{db: db, audit: log, clock: c, catalog: cat, dir: dir, accounts: accounts, mailer: mailer, cfg: cfg}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Limits of what a meeting holds.
const (
	maxTitle      = 200
	maxVenue      = 500
	maxAgenda     = 50
	maxItemTitle  = 300
	maxItemNotes  = 2_000
	maxProvisions = 20
	maxStates     = 200
	maxName       = 200
	// A meeting lasts at most two weeks and is set at most five years
	// ahead; it may be recorded up to a day after it began.
	maxLength = 14 * 24 * time.Hour
	maxAhead  = 5 * 366 * 24 * time.Hour
	lateBy    = 24 * time.Hour
)

// Messages people read, each in the catalogue (po/meeting).
const (
	msgNotFound     = "no such meeting"
	msgConflict     = "someone changed this meeting since you opened it; reload it and try again"
	msgOrganise     = "only the secretariat and State administrators organise meetings"
	msgNotOrganiser = "only the organiser changes this meeting"
	msgNotYetPart   = "your State does not participate in the directory yet"
	msgCancelled    = "this meeting is cancelled"
	msgOver         = "this meeting is over"
	msgNotInvited   = "you do not answer for a point of contact invited to this meeting"
	msgAnswer       = "choose accept, tentative or decline"
	msgLink         = "this link is not valid: it was used already, replaced by a newer mail, or the meeting is over"
	msgFeed         = "no such calendar feed"
)

// organiserOf is the organiser a acts for: "" for the secretariat, its
// State for a State administrator. It fails for anyone else.
func (s *Service) organiserOf(ctx context.Context, a actor.Actor) (string, error) {
	if err := a.RequireWrite(); err != nil {
		return "", err
	}
	if a.IsSecretariat() {
		return "", nil
	}
	if a.Role != actor.StateAdmin || a.State == "" {
		return "", errs.E(errs.Forbidden, msgOrganise)
	}
	since, err := s.dir.ParticipatingSince(ctx, s.db.R, a.State)
	if err != nil {
		return "", err
	}
	if since == nil {
		return "", errs.E(errs.Forbidden, msgNotYetPart)
	}
	return a.State, nil
}

// CanOrganise reports why a may not create a meeting, or nil. Pages use it
// to decide what to offer; Create checks again.
func (s *Service) CanOrganise(ctx context.Context, a actor.Actor) error {
	_, err := s.organiserOf(ctx, a)
	return err
}

// CanEdit reports why a may not change or cancel m, or nil.
func (s *Service) CanEdit(ctx context.Context, a actor.Actor, m Meeting) error {
	org, err := s.organiserOf(ctx, a)
	if err != nil {
		return err
	}
	if org != m.OrganiserState {
		return errs.E(errs.Forbidden, msgNotOrganiser)
	}
	return nil
}

// Create schedules a meeting organised by a (the secretariat, or a's
// State), and enqueues its invitations and reminder.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Meeting, error) {
	org, err := s.organiserOf(ctx, a)
	if err != nil {
		return Meeting{}, err
	}
	now := s.clock.Now().UTC()
	m := Meeting{ID: newID(), OrganiserState: org, Status: Scheduled, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	if err := s.check(ctx, &m, in, now); err != nil {
		return Meeting{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertMeeting(ctx, tx, m, a.AccountID); err != nil {
			return errs.Internalf(err, "insert meeting")
		}
		if err := s.schedule(ctx, tx, m, now, true); err != nil {
			return err
		}
		return s.written(ctx, tx, a, m, "create", nil)
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.Meeting(ctx, a, m.ID)
}

// schedule enqueues the mail job of m's version and, when its time is new
// and the reminder still ahead, the reminder.
func (s *Service) schedule(ctx context.Context, tx *sql.Tx, m Meeting, now time.Time, remind bool) error {
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobMail, Payload: mailJob{Meeting: m.ID, Version: m.Version},
		DedupeKey: fmt.Sprintf("%s/%s/%d", JobMail, m.ID, m.Version)}); err != nil {
		return errs.Internalf(err, "enqueue meeting mail")
	}
	if !remind || m.Status != Scheduled {
		return nil
	}
	at := m.Start.Add(-s.cfg.RemindBefore)
	if !at.After(now) {
		return nil
	}
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobRemind, RunAt: at, Payload: remindJob{Meeting: m.ID, Start: m.Start},
		DedupeKey: fmt.Sprintf("%s/%s/%d", JobRemind, m.ID, m.Start.Unix())}); err != nil {
		return errs.Internalf(err, "enqueue meeting reminder")
	}
	return nil
}

// written records the audit entry of action on m.
func (s *Service) written(ctx context.Context, tx *sql.Tx, a actor.Actor, m Meeting, action string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["version"], details["sequence"], details["status"] = m.Version, m.Sequence, m.Status
	if action != "cancel" {
		details["start"], details["end"], details["invited"], details["levels"] = m.Start, m.End, m.Invited, m.Levels
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting." + action, ObjectType: "meeting", ObjectID: m.ID,
		State: m.OrganiserState, Details: details})
}

// Edit replaces meeting id, at version, with in. When its time, place or
// agenda change, its SEQUENCE rises and every invitee gets the update;
// States or levels taken off get a cancellation, new ones an invitation.
func (s *Service) Edit(ctx context.Context, a actor.Actor, id string, version int, in Input) (Meeting, error) {
	m, err := s.editable(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	if version != m.Version {
		return Meeting{}, errs.E(errs.Conflict, msgConflict)
	}
	if m.Status == Cancelled {
		// Its invitees' calendars no longer hold it: a new meeting is
		// what brings it back.
		return Meeting{}, errs.E(errs.Conflict, msgCancelled)
	}
	before := m
	now := s.clock.Now().UTC()
	m.Version++
	m.UpdatedAt, m.UpdatedBy = now, a.Label()
	if err := s.check(ctx, &m, in, before.CreatedAt); err != nil {
		return Meeting{}, err
	}
	matters := !m.Start.Equal(before.Start) || !m.End.Equal(before.End) || m.TimeZone != before.TimeZone ||
		m.Kind != before.Kind || m.Venue != before.Venue || m.VideoURL != before.VideoURL || !sameAgenda(m.Agenda, before.Agenda) ||
		m.Title != before.Title
	if matters {
		m.Sequence++
	}
	return s.update(ctx, a, m, "edit", !m.Start.Equal(before.Start), map[string]any{"from_sequence": before.Sequence})
}

func sameAgenda(x, y []AgendaItem) bool {
	return slices.EqualFunc(x, y, func(a, b AgendaItem) bool {
		return a.Title == b.Title && a.Notes == b.Notes && slices.Equal(a.Provisions, b.Provisions)
	})
}

// Cancel cancels meeting id at version: every invitee who was mailed gets
// a cancellation that removes it from their calendar.
func (s *Service) Cancel(ctx context.Context, a actor.Actor, id string, version int) (Meeting, error) {
	m, err := s.editable(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	if version != m.Version {
		return Meeting{}, errs.E(errs.Conflict, msgConflict)
	}
	if m.Status == Cancelled {
		return Meeting{}, errs.E(errs.Conflict, msgCancelled)
	}
	m.Version++
	m.Sequence++
	m.Status = Cancelled
	m.UpdatedAt, m.UpdatedBy = s.clock.Now().UTC(), a.Label()
	return s.update(ctx, a, m, "cancel", false, nil)
}

func (s *Service) update(ctx context.Context, a actor.Actor, m Meeting, action string, remind bool, details map[string]any) (Meeting, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateMeeting(ctx, tx, m)
		if err != nil {
			return errs.Internalf(err, "update meeting")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		if err := s.schedule(ctx, tx, m, m.UpdatedAt, remind); err != nil {
			return err
		}
		return s.written(ctx, tx, a, m, action, details)
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.Meeting(ctx, a, m.ID)
}

// editable loads meeting id for a change by its organiser, as stored.
func (s *Service) editable(ctx context.Context, a actor.Actor, id string) (Meeting, error) {
	org, err := s.organiserOf(ctx, a)
	if err != nil {
		return Meeting{}, err
	}
	m, err := s.load(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	if m.OrganiserState != org {
		return Meeting{}, errs.E(errs.Forbidden, msgNotOrganiser)
	}
	return m, nil
}

// load reads meeting id as stored, not found unless a may see it.
func (s *Service) load(ctx context.Context, a actor.Actor, id string) (Meeting, error) {
	notFound := errs.E(errs.NotFound, msgNotFound)
	if uuid.Validate(id) != nil {
		return Meeting{}, notFound
	}
	m, err := selectMeeting(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Meeting{}, notFound
	}
	if err != nil {
		return Meeting{}, errs.Internalf(err, "load meeting")
	}
	if !maySee(a, m) {
		return Meeting{}, notFound
	}
	return m, nil
}

// maySee is visibleSQL for one meeting.
func maySee(a actor.Actor, m Meeting) bool {
	if !a.Authenticated() {
		return false
	}
	if a.IsSecretariat() {
		return m.OrganiserState == ""
	}
	return a.State != "" && (a.State == m.OrganiserState || slices.Contains(m.Invited, a.State))
}

// organiserSide reports whether a acts for m's organiser.
func organiserSide(a actor.Actor, m Meeting) bool {
	if a.IsSecretariat() {
		return m.OrganiserState == ""
	}
	return a.State != "" && a.State == m.OrganiserState
}

// Meeting returns meeting id if a may see it; its venue and video link
// only if a is on the organiser's side or answers for an invited POC.
func (s *Service) Meeting(ctx context.Context, a actor.Actor, id string) (Meeting, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Meeting{}, err
	}
	m, err := s.load(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	ms := []Meeting{m}
	if err := s.personalise(ctx, a, ms); err != nil {
		return Meeting{}, err
	}
	return ms[0], nil
}

// personalise sets each meeting's MyAnswer and hides the venue and video
// link from a reader who is neither organiser nor invitee: two queries
// whatever the number of meetings.
func (s *Service) personalise(ctx context.Context, a actor.Actor, ms []Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	pocs, err := s.dir.LinkedPOCs(ctx, a.AccountID)
	if err != nil {
		return err
	}
	ids := make([]string, len(ms))
	for k, m := range ms {
		ids[k] = m.ID
	}
	invs, err := linkedInvitations(ctx, s.db.R, ids, pocs)
	if err != nil {
		return errs.Internalf(err, "load answers")
	}
	mine := map[string]Answer{}
	for _, i := range invs {
		// Several POC entries of one person: the answer given last is
		// theirs, and an answer beats none.
		if cur, ok := mine[i.MeetingID]; !ok || cur == NeedsAction {
			mine[i.MeetingID] = i.Answer
		}
	}
	for k := range ms {
		m := &ms[k]
		ans, invited := mine[m.ID]
		m.MyAnswer = ans
		m.Private = invited || organiserSide(a, *m)
		if !m.Private {
			m.Venue, m.VideoURL = "", ""
		}
	}
	return nil
}

// Upcoming returns a page of the meetings a may see that have not ended,
// soonest first.
func (s *Service) Upcoming(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Meeting], error) {
	return s.list(ctx, a, true, req)
}

// Past returns a page of the meetings a may see that have ended, latest
// first.
func (s *Service) Past(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Meeting], error) {
	return s.list(ctx, a, false, req)
}

func (s *Service) list(ctx context.Context, a actor.Actor, upcoming bool, req page.Request) (page.Page[Meeting], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Meeting]{}, err
	}
	var after *listKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Meeting]{}, page.Damaged()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil || uuid.Validate(req.After[1]) != nil {
			return page.Page[Meeting]{}, page.Damaged()
		}
		after = &listKey{at: at.UTC(), id: req.After[1]}
	}
	size := req.Size()
	rows, err := listMeetings(ctx, s.db.R, a, s.clock.Now().UTC(), upcoming, after, size+1)
	if err != nil {
		return page.Page[Meeting]{}, errs.Internalf(err, "list meetings")
	}
	p := page.Cut(rows, size, func(m Meeting) []string { return []string{m.Start.UTC().Format(time.RFC3339Nano), m.ID} })
	if err := loadInvited(ctx, s.db.R, p.Items); err != nil {
		return page.Page[Meeting]{}, errs.Internalf(err, "load invited States")
	}
	if err := s.personalise(ctx, a, p.Items); err != nil {
		return page.Page[Meeting]{}, err
	}
	return p, nil
}

// Invitations returns the invitations of meeting id that a may see: all of
// them for the organiser, its own State's for an invited State.
func (s *Service) Invitations(ctx context.Context, a actor.Actor, id string) ([]Invitation, error) {
	m, err := s.Meeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	all, err := selectInvitations(ctx, s.db.R, m.ID)
	if err != nil {
		return nil, errs.Internalf(err, "load invitations")
	}
	if organiserSide(a, m) {
		return all, nil
	}
	var out []Invitation
	for _, i := range all {
		if i.State == a.State {
			out = append(out, i)
		}
	}
	return out, nil
}

// CanRespond reports why a may not answer meeting m from the app, or nil:
// a writes, answers for a POC m invites, and m still takes answers. Pages
// use it to show the answer buttons; Respond checks again.
func (s *Service) CanRespond(ctx context.Context, a actor.Actor, m Meeting) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if !maySee(a, m) {
		return errs.E(errs.NotFound, msgNotFound)
	}
	if err := s.answerable(m); err != nil {
		return err
	}
	invs, err := s.linked(ctx, a, m.ID)
	if err != nil {
		return err
	}
	if len(invs) == 0 {
		return errs.E(errs.Forbidden, msgNotInvited)
	}
	return nil
}

// linked reads the invitations to meeting id of the POCs a's account
// answers for.
func (s *Service) linked(ctx context.Context, a actor.Actor, id string) ([]Invitation, error) {
	pocs, err := s.dir.LinkedPOCs(ctx, a.AccountID)
	if err != nil {
		return nil, err
	}
	invs, err := linkedInvitations(ctx, s.db.R, []string{id}, pocs)
	if err != nil {
		return nil, errs.Internalf(err, "load invitations")
	}
	return invs, nil
}

// AllInvitations returns every invitation of meeting id, answered or
// not, for the organiser's side only: an invited State's reader is
// refused, and anyone who may not see the meeting is told it does not
// exist.
func (s *Service) AllInvitations(ctx context.Context, a actor.Actor, id string) ([]Invitation, error) {
	m, err := s.Meeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !organiserSide(a, m) {
		return nil, errs.E(errs.Forbidden, msgNotOrganiser)
	}
	all, err := selectInvitations(ctx, s.db.R, m.ID)
	if err != nil {
		return nil, errs.Internalf(err, "load invitations")
	}
	return all, nil
}

// Calendar returns meeting id as an iCalendar object (METHOD:PUBLISH) as
// a sees it: with the same UID and SEQUENCE as the mails and the feed,
// and the venue and video link only for those who may see them.
func (s *Service) Calendar(ctx context.Context, a actor.Actor, id string) ([]byte, error) {
	m, err := s.Meeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	cal := ical.Calendar{ProdID: ProdID, Method: ical.Publish, Events: []ical.Event{Event(m, s.cfg.BaseURL, s.clock.Now(), m.Private)}}
	out, err := cal.Bytes()
	if err != nil {
		return nil, errs.Internalf(err, "write calendar")
	}
	return out, nil
}

// answerable checks that meeting m still takes answers.
func (s *Service) answerable(m Meeting) error {
	if m.Status == Cancelled {
		return errs.E(errs.Conflict, msgCancelled)
	}
	if !m.End.After(s.clock.Now()) {
		return errs.E(errs.Conflict, msgOver)
	}
	return nil
}

func checkAnswer(ans Answer) error {
	if !slices.Contains(Answers(), ans) {
		var f errs.Fields
		f.Add("answer", msgAnswer)
		return f.Err()
	}
	return nil
}

// Respond records a's answer to meeting id for every invited POC a's
// account answers for.
func (s *Service) Respond(ctx context.Context, a actor.Actor, id string, ans Answer) (Meeting, error) {
	if err := a.RequireWrite(); err != nil {
		return Meeting{}, err
	}
	m, err := s.load(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	if err := checkAnswer(ans); err != nil {
		return Meeting{}, err
	}
	if err := s.answerable(m); err != nil {
		return Meeting{}, err
	}
	invs, err := s.linked(ctx, a, m.ID)
	if err != nil {
		return Meeting{}, err
	}
	if len(invs) == 0 {
		return Meeting{}, errs.E(errs.Forbidden, msgNotInvited)
	}
	now := s.clock.Now().UTC()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, i := range invs {
			if err := setAnswer(ctx, tx, i.ID, ans, now, a.Label(), false); err != nil {
				return errs.Internalf(err, "record answer")
			}
		}
		if err := recount(ctx, tx, m.ID); err != nil {
			return errs.Internalf(err, "count answers")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.answer", ObjectType: "meeting", ObjectID: m.ID, State: a.State,
			Details: map[string]any{"answer": ans, "invitations": len(invs), "channel": "account"}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.Meeting(ctx, a, m.ID)
}

// Invitation is what the page of a mailed answer link shows: the meeting,
// venue and link included (the link went to the invitee), and the
// invitation. It uses nothing up; RespondByToken does.
func (s *Service) Invitation(ctx context.Context, token string) (Meeting, Invitation, error) {
	notFound := errs.E(errs.NotFound, msgLink)
	if token == "" || len(token) > 100 || validate.Encoding(token) != "" {
		return Meeting{}, Invitation{}, notFound
	}
	inv, err := invitationByToken(ctx, s.db.R, hashToken(token))
	if store.NoRows(err) {
		return Meeting{}, Invitation{}, notFound
	}
	if err != nil {
		return Meeting{}, Invitation{}, errs.Internalf(err, "load invitation")
	}
	m, err := selectMeeting(ctx, s.db.R, inv.MeetingID)
	if err != nil {
		return Meeting{}, Invitation{}, errs.Internalf(err, "load meeting")
	}
	if inv.Removed || s.answerable(m) != nil {
		return Meeting{}, Invitation{}, notFound
	}
	if inv.TimeZone, err = s.pocZone(ctx, inv); err != nil {
		return Meeting{}, Invitation{}, err
	}
	m.Private = true
	return m, inv, nil
}

// pocZone is the time zone of the POC inv invites, as the directory has
// it now: the invitee reads the meeting's times in it. An entry retired
// since has none.
func (s *Service) pocZone(ctx context.Context, inv Invitation) (string, error) {
	pocs, err := s.dir.ActivePOCs(ctx, inv.State)
	if err != nil {
		return "", err
	}
	for _, p := range pocs {
		if p.ID == inv.POCID {
			return p.TimeZone, nil
		}
	}
	return "", nil
}

// RespondByToken records the answer given through a mailed link, which it
// uses up: a second use, like a wrong token, is not found.
func (s *Service) RespondByToken(ctx context.Context, token string, ans Answer, remoteAddr string) (Meeting, error) {
	m, inv, err := s.Invitation(ctx, token)
	if err != nil {
		return Meeting{}, err
	}
	if err := checkAnswer(ans); err != nil {
		return Meeting{}, err
	}
	now := s.clock.Now().UTC()
	by := "link from " + remoteAddr
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Spent only if still this link's: two posts of one link race
		// here, and only one may count.
		n, err := store.Changed(tx.ExecContext(ctx, `UPDATE meeting_invitations SET token_hash = NULL WHERE id = $1 AND token_hash = $2`, inv.ID, hashToken(token)))
		if err != nil {
			return errs.Internalf(err, "use link")
		}
		if n == 0 {
			return errs.E(errs.NotFound, msgLink)
		}
		if err := setAnswer(ctx, tx, inv.ID, ans, now, by, true); err != nil {
			return errs.Internalf(err, "record answer")
		}
		if err := recount(ctx, tx, m.ID); err != nil {
			return errs.Internalf(err, "count answers")
		}
		return s.audit.Append(ctx, tx, actor.Actor{}, audit.Change{Action: "meeting.answer", ObjectType: "meeting_invitation", ObjectID: inv.ID,
			State: inv.State, Details: map[string]any{"meeting": m.ID, "answer": ans, "channel": "link"}})
	})
	if err != nil {
		return Meeting{}, err
	}
	m, err = selectMeeting(ctx, s.db.R, m.ID)
	if err != nil {
		return Meeting{}, errs.Internalf(err, "load meeting")
	}
	m.Private, m.MyAnswer = true, ans
	return m, nil
}

// check validates in into m, reporting every field to fix at once. since
// is the earliest start allowed less a day (the creation time).
func (s *Service) check(ctx context.Context, m *Meeting, in Input, since time.Time) error {
	var f errs.Fields
	m.Title = line(&f, "title", in.Title, maxTitle)
	if m.Title == "" {
		f.Add("title", "enter a title")
	}
	m.Kind = in.Kind
	if !slices.Contains(Kinds(), m.Kind) {
		f.Add("kind", "choose in person, virtual or hybrid")
	}
	zone, problem := validate.TimeZone(in.TimeZone)
	if problem != "" {
		f.Add("time_zone", problem)
	}
	m.TimeZone = zone
	if problem == "" {
		loc, _ := time.LoadLocation(zone)
		start, end := wall(in.Start, loc), wall(in.End, loc)
		switch {
		case in.Start.IsZero():
			f.Add("start", "enter when the meeting starts")
		case start.Before(since.Add(-lateBy)) || start.After(since.Add(maxAhead)):
			f.Add("start", "use a date from today up to five years ahead")
		}
		switch {
		case in.End.IsZero():
			f.Add("end", "enter when the meeting ends")
		case !end.After(start):
			f.Add("end", "the meeting must end after it starts")
		case end.Sub(start) > maxLength:
			f.Add("end", "a meeting lasts at most two weeks")
		}
		m.Start, m.End = start.UTC(), end.UTC()
	}
	m.Venue = line(&f, "venue", in.Venue, maxVenue)
	m.VideoURL = ""
	if v := strings.TrimSpace(in.VideoURL); v != "" {
		u, problem := validate.URL(v)
		if problem == "" && !strings.HasPrefix(u, "https://") {
			problem = "use an https:// address"
		}
		if problem != "" {
			f.Add("video_url", problem)
		}
		m.VideoURL = u
	}
	if (m.Kind == InPerson || m.Kind == Hybrid) && m.Venue == "" {
		f.Add("venue", "enter where the meeting takes place")
	}
	if (m.Kind == Virtual || m.Kind == Hybrid) && strings.TrimSpace(in.VideoURL) == "" {
		f.Add("video_url", "enter the address of the video meeting")
	}
	s.checkAgenda(&f, m, in.Agenda)
	m.Contact.Name = line(&f, "contact_name", in.Contact.Name, maxName)
	email, problem := validate.Email(in.Contact.Email)
	if problem != "" {
		f.Add("contact_email", problem)
	}
	m.Contact.Email = email
	m.Levels = nil
	for _, l := range in.Levels {
		switch {
		case !slices.Contains(Levels(), l):
			f.Add("levels", "choose diplomatic, policy or technical")
		case !slices.Contains(m.Levels, l):
			m.Levels = append(m.Levels, l)
		}
	}
	slices.SortFunc(m.Levels, func(x, y Level) int { return slices.Index(Levels(), x) - slices.Index(Levels(), y) })
	if err := s.checkInvitees(ctx, &f, m, in); err != nil {
		return err
	}
	return f.Err()
}

// wall reads t's wall clock in loc: forms send a date and time without a
// zone, which is the meeting's.
func wall(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, loc)
}

func (s *Service) checkAgenda(f *errs.Fields, m *Meeting, items []AgendaItem) {
	if len(items) > maxAgenda {
		f.Add("agenda", fmt.Sprintf("use at most %d agenda items", maxAgenda))
		items = items[:maxAgenda]
	}
	m.Agenda = nil
	for k, it := range items {
		field := fmt.Sprintf("agenda.%d", k)
		item := AgendaItem{Title: line(f, field+".title", it.Title, maxItemTitle), Notes: text(f, field+".notes", it.Notes, 0, maxItemNotes)}
		if item.Title == "" {
			f.Add(field+".title", "enter the item's title")
		}
		if len(it.Provisions) > maxProvisions {
			f.Add(field+".provisions", fmt.Sprintf("link at most %d provisions", maxProvisions))
		}
		for _, p := range it.Provisions {
			p = strings.TrimSpace(p)
			if _, err := s.catalog.Provision(p); err != nil || validate.Encoding(p) != "" {
				f.Add(field+".provisions", fmt.Sprintf("unknown provision %q", validate.Reveal(strings.ToValidUTF8(p, "?"))))
				continue
			}
			if !slices.Contains(item.Provisions, p) {
				item.Provisions = append(item.Provisions, p)
			}
		}
		m.Agenda = append(m.Agenda, item)
	}
}

// checkInvitees validates the States and regional groups chosen and
// resolves the States invited: those chosen and the members of the groups
// chosen, each only if it participates in the directory.
func (s *Service) checkInvitees(ctx context.Context, f *errs.Fields, m *Meeting, in Input) error {
	m.States, m.Groups, m.Invited = nil, nil, nil
	if len(in.States) > maxStates {
		f.Add("states", "too many States")
		in.States = nil
	}
	for _, st := range in.States {
		st = strings.ToUpper(strings.TrimSpace(st))
		if validate.Encoding(st) != "" {
			f.Add("states", "choose States from the list")
			continue
		}
		since, err := s.dir.ParticipatingSince(ctx, s.db.R, st)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("states", fmt.Sprintf("unknown State %q", validate.Reveal(st)))
			continue
		case err != nil:
			return err
		case since == nil:
			f.Add("states", fmt.Sprintf("%s does not participate in the directory", st))
			continue
		}
		if !slices.Contains(m.States, st) {
			m.States = append(m.States, st)
		}
	}
	slices.Sort(m.States)
	invited := slices.Clone(m.States)
	for _, g := range in.Groups {
		if !slices.Contains(states.Regions(), g) {
			f.Add("groups", "choose regional groups from the list")
			continue
		}
		if slices.Contains(m.Groups, g) {
			continue
		}
		m.Groups = append(m.Groups, g)
		for _, st := range states.All() {
			if st.Region != g || slices.Contains(invited, st.Alpha2) {
				continue
			}
			since, err := s.dir.ParticipatingSince(ctx, s.db.R, st.Alpha2)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			if since != nil {
				invited = append(invited, st.Alpha2)
			}
		}
	}
	slices.Sort(invited)
	m.Invited = invited
	if len(m.States) == 0 && len(m.Groups) == 0 && f.Err() == nil {
		f.Add("states", "invite at least one State or regional group")
	} else if len(invited) == 0 && f.Err() == nil {
		f.Add("groups", "no State of these groups participates in the directory yet")
	}
	return nil
}

// text checks a multi-line field into f and returns it normalised.
func text(f *errs.Fields, field, v string, min, max int) string {
	out, problem := validate.Text(v, min, max)
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
