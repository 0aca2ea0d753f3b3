package messaging

import (
	"context"
	"database/sql"
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
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/validate"
)

// Service implements the messaging use cases.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	clock   clock.Clock
	catalog *catalog.Catalog
	cfg     Config
	hooks   Publisher // nil publishes nothing
	// Other domains' facts, through their services: which States
	// participate, and what a named account is.
	states   *directory.System
	accounts *access.System
}

// New returns the messaging service, for edges acting for a person, and
// its System, for the workers. Events go to hooks (nil publishes nothing).
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, cfg Config, states *directory.System, accounts *access.System, hooks Publisher) (*Service, *System) {
	s := &Service{db: db, audit: log, clock: c, catalog: cat, cfg: cfg, states: states, accounts: accounts, hooks: hooks}
	return s, &System{s: s}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// CanSend reports why a may not write communications, or nil if it may.
// Pages use it to decide what to offer; Send checks again.
func (s *Service) CanSend(ctx context.Context, a actor.Actor) error { return s.canSend(ctx, s.db.R, a) }

// CanReply reports why a may not answer m, or nil if it may. Pages use
// it to decide whether to offer the answer form; Send checks again.
func (s *Service) CanReply(ctx context.Context, a actor.Actor, m Message) error {
	if err := s.canSend(ctx, s.db.R, a); err != nil {
		return err
	}
	return mayAnswer(a, m)
}

// CanAcknowledge reports why a may not acknowledge m, or nil if it may:
// a's State must be a recipient whose delivery awaits acknowledgement.
func (s *Service) CanAcknowledge(ctx context.Context, a actor.Actor, m Message) error {
	if err := s.canSend(ctx, s.db.R, a); err != nil {
		return err
	}
	if !slices.Contains(m.Recipients, a.State) {
		return errs.E(errs.Forbidden, "only a recipient State acknowledges a message")
	}
	for _, d := range m.Deliveries {
		if d.State == a.State && (d.Status == Queued || d.Status == Delivered || d.Status == Expired) {
			return nil
		}
	}
	return errs.E(errs.Conflict, "your State has already acknowledged this message")
}

// mayAnswer keeps the answers of a thread to its parties: a State that
// can read a GREEN or CLEAR message is not thereby party to it.
func mayAnswer(a actor.Actor, m Message) error {
	if a.State != "" && (a.State == m.SenderState || slices.Contains(m.Recipients, a.State)) {
		return nil
	}
	return errs.E(errs.Forbidden, "only the States party to a communication answer it")
}

// canSend reports why a may not write messages, if it may not: only POCs
// and administrators of a participating State speak for it.
func (s *Service) canSend(ctx context.Context, q store.Queryer, a actor.Actor) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if a.IsSecretariat() {
		return errs.E(errs.Forbidden, "the secretariat is not party to State-to-State communications")
	}
	if a.Role != actor.POC && a.Role != actor.StateAdmin {
		return errs.E(errs.Forbidden, "only points of contact and State administrators send communications")
	}
	since, err := s.states.ParticipatingSince(ctx, q, a.State)
	if err != nil {
		return err
	}
	if since == nil {
		return errs.E(errs.Forbidden, "your State does not participate in the directory yet")
	}
	return nil
}

// Send validates a draft and writes the message, its deliveries and their
// deadlines in one transaction.
func (s *Service) Send(ctx context.Context, a actor.Actor, d Draft) (Message, error) {
	if err := s.canSend(ctx, s.db.R, a); err != nil {
		return Message{}, err
	}
	var parent *Message
	if d.ReplyTo != "" {
		p, err := s.Message(ctx, a, d.ReplyTo)
		if err != nil {
			return Message{}, err
		}
		if err := mayAnswer(a, p); err != nil {
			return Message{}, err
		}
		parent = &p
	}
	files, ferr := s.readUploads(d.Attachments)
	m, err := s.validate(ctx, a, d, parent)
	if err := withFileProblems(err, ferr); err != nil {
		return Message{}, err
	}
	attach(&m, files)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if parent == nil {
			if err := insertThread(ctx, tx, m.ThreadID, m.Subject, m.SenderState, m.CreatedAt); err != nil {
				return errs.Internalf(err, "insert thread")
			}
		} else if err := touchThread(ctx, tx, m.ThreadID, m.CreatedAt); err != nil {
			return errs.Internalf(err, "touch thread")
		}
		if err := insertMessage(ctx, tx, m); err != nil {
			return errs.Internalf(err, "insert message")
		}
		if err := insertNamed(ctx, tx, m.ID, m.Named, m.CreatedAt); err != nil {
			return errs.Internalf(err, "insert named recipient")
		}
		for _, dl := range m.Deliveries {
			if err := insertDelivery(ctx, tx, dl); err != nil {
				return errs.Internalf(err, "insert delivery")
			}
		}
		if err := countInbox(ctx, tx, m); err != nil {
			return err
		}
		if err := s.insertAttachments(ctx, tx, a, m, files); err != nil {
			return err
		}
		if parent != nil {
			if err := s.applyReply(ctx, tx, a, *parent, m); err != nil {
				return err
			}
		}
		if err := s.event(ctx, tx, m.ThreadID, m.ID, m.SenderState, EventSent, a, fmt.Sprintf("%s to %s (%s, %s)", m.Type, strings.Join(m.Recipients, ", "), m.Urgency, m.TLP)); err != nil {
			return err
		}
		if err := s.schedule(ctx, tx, m); err != nil {
			return err
		}
		if err := s.publishReceived(ctx, tx, m); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "message.send", ObjectType: "message", ObjectID: m.ID, State: m.SenderState,
			Details: map[string]any{"thread": m.ThreadID, "type": m.Type, "tlp": m.TLP, "urgency": m.Urgency, "recipients": m.Recipients}})
	})
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

var paps = []string{"", "clear", "green", "amber", "red"}

// validate turns a draft into a message, reporting every field to fix.
func (s *Service) validate(ctx context.Context, a actor.Actor, d Draft, parent *Message) (Message, error) {
	var f errs.Fields
	now := s.clock.Now()
	m := Message{ID: newID(), Type: d.Type, SenderState: a.State, SenderAccountID: a.AccountID, SenderLabel: a.Label(),
		Urgency: d.Urgency, TLP: d.TLP, PAP: strings.ToLower(strings.TrimSpace(d.PAP)), Level: d.Level,
		Subject: strings.TrimSpace(d.Subject), Body: strings.ReplaceAll(strings.TrimSpace(d.Body), "\r\n", "\n"),
		RequestedAction: strings.TrimSpace(d.RequestedAction), AckRequested: d.AckRequested, Exercise: d.Exercise, CreatedAt: now}

	if !slices.Contains(Types(), d.Type) {
		f.Add("type", "choose a message type")
	} else if parent == nil && !d.Type.Opening() {
		f.Add("type", "an acknowledgement, update or closure answers an existing message")
	} else if parent != nil && d.Type.Opening() {
		f.Add("type", "an answer is an update, an acknowledgement or a closure; start a new communication for anything else")
	}
	if parent != nil {
		m.ThreadID, m.ParentID = parent.ThreadID, parent.ID
		if d.Type == Acknowledgement && !slices.Contains(parent.Recipients, a.State) {
			// Said here rather than refused in the transaction, so the
			// answer comes back with what was typed.
			f.Add("type", "only a recipient State acknowledges a message: choose an update or a closure")
		}
		// A reply goes to the other parties of the message it answers.
		if len(d.Recipients) == 0 {
			for _, st := range append([]string{parent.SenderState}, parent.Recipients...) {
				if st != a.State && !slices.Contains(d.Recipients, st) {
					d.Recipients = append(d.Recipients, st)
				}
			}
		}
		if m.Subject == "" {
			m.Subject = "Re: " + strings.TrimPrefix(parent.Subject, "Re: ")
		}
		if m.Level == "" {
			m.Level = parent.Level
		}
		if m.Urgency == "" {
			m.Urgency = parent.Urgency
		}
		if m.TLP == "" {
			m.TLP = parent.TLP
		}
		// Nobody may lower the marking of what another State shared.
		if m.TLP.Valid() && m.TLP.Rank() < parent.TLP.Rank() {
			f.Add("tlp", fmt.Sprintf("a reply may not be marked less restricted than the message it answers (%s)", parent.TLP))
		}
		if namedOnly(m.TLP) && len(d.Named) == 0 {
			d.Named = parent.Named
			if parent.SenderAccountID != a.AccountID && !slices.Contains(d.Named, parent.SenderAccountID) {
				d.Named = append(slices.Clone(d.Named), parent.SenderAccountID)
			}
		}
		m.Exercise = parent.Exercise
	} else {
		m.ThreadID = newID()
	}
	tmpl, err := s.template(ctx, s.db.R, d.Type, 0)
	if err == nil {
		m.TemplateVersion = tmpl.Version
		m.Fields = checkFields(tmpl, d.Fields, &f)
	} else if !errs.Is(err, errs.NotFound) {
		return Message{}, err
	}
	if !slices.Contains(Urgencies(), m.Urgency) {
		f.Add("urgency", "choose routine, priority or urgent")
	}
	if !slices.Contains([]Level{Diplomatic, Policy, Technical, All}, m.Level) {
		f.Add("level", "choose diplomatic, policy, technical or all levels")
	}
	if !m.TLP.Valid() {
		f.Add("tlp", "choose a TLP label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
	}
	if !slices.Contains(paps, m.PAP) {
		f.Add("pap", "choose a PAP label: CLEAR, GREEN, AMBER or RED, or none")
	}
	switch n := len([]rune(m.Subject)); {
	case n == 0:
		f.Add("subject", "enter a subject")
	case n > 200:
		f.Add("subject", "use at most 200 characters")
	case strings.ContainsAny(m.Subject, "\r\n"):
		f.Add("subject", "use a single line")
	case validate.Plain(m.Subject) != "":
		f.Add("subject", "the subject "+validate.Plain(m.Subject))
	}
	// Text no database can store: PostgreSQL refuses it, SQLite keeps it.
	for field, v := range map[string]string{"subject": m.Subject, "body": m.Body, "requested_action": m.RequestedAction} {
		if problem := validate.Encoding(v); problem != "" {
			f.Add(field, "the text "+problem)
		}
	}
	if m.Body == "" && d.Type.Opening() {
		f.Add("body", "describe the situation")
	} else if len([]rune(m.Body)) > s.cfg.MaxBody {
		f.Add("body", fmt.Sprintf("use at most %d characters; attach longer material", s.cfg.MaxBody))
	}
	if len([]rune(m.RequestedAction)) > 2000 {
		f.Add("requested_action", "use at most 2,000 characters")
	}
	for _, p := range d.Provisions {
		if _, err := s.catalog.Provision(p); err != nil {
			f.Add("provisions", fmt.Sprintf("unknown provision %q", p))
		} else if !slices.Contains(m.Provisions, p) {
			m.Provisions = append(m.Provisions, p)
		}
	}
	if m.Provisions == nil && err == nil {
		m.Provisions = slices.Clone(tmpl.Provisions)
	}
	// Recipients: participating States other than the sender's own.
	if len(d.Recipients) == 0 {
		f.Add("recipients", "choose at least one recipient State")
	}
	if len(d.Recipients) > 200 {
		f.Add("recipients", "too many recipients")
	}
	for _, st := range d.Recipients {
		st = strings.ToUpper(strings.TrimSpace(st))
		if validate.Encoding(st) != "" {
			f.Add("recipients", "choose States from the list")
			continue
		}
		if st == a.State {
			f.Add("recipients", "you cannot address your own State")
			continue
		}
		if slices.Contains(m.Recipients, st) {
			continue
		}
		since, err := s.states.ParticipatingSince(ctx, s.db.R, st)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("recipients", fmt.Sprintf("unknown State %q", st))
			continue
		case err != nil:
			return Message{}, err
		case since == nil:
			f.Add("recipients", fmt.Sprintf("%s does not participate in the directory", st))
			continue
		}
		m.Recipients = append(m.Recipients, st)
	}
	if namedOnly(m.TLP) {
		if len(d.Named) == 0 {
			// The label is an argument: TLP 2.0 keeps it in English in every language.
			f.Add("named", fmt.Sprintf("%s goes to named people only: choose the recipients' accounts", tlp.Red))
		}
		for _, id := range d.Named {
			h, err := s.accounts.Holder(ctx, s.db.R, id)
			switch {
			case errs.Is(err, errs.NotFound):
				f.Add("named", "unknown account")
				continue
			case err != nil:
				return Message{}, err
			case h.Disabled:
				f.Add("named", "a named recipient's account is disabled")
				continue
			case h.State != a.State && !slices.Contains(m.Recipients, h.State):
				f.Add("named", "named recipients must belong to a recipient State")
				continue
			}
			if !slices.Contains(m.Named, id) && id != a.AccountID {
				m.Named = append(m.Named, id)
			}
		}
	} else if len(d.Named) > 0 {
		f.Add("named", fmt.Sprintf("naming recipients is only for %s", tlp.Red))
	}
	if err := f.Err(); err != nil {
		return Message{}, err
	}
	if m.Fields == nil {
		m.Fields = map[string]string{}
	}
	dl := s.cfg.Deadlines[m.Urgency]
	for _, st := range m.Recipients {
		del := Delivery{ID: newID(), MessageID: m.ID, State: st, Status: Queued, QueuedAt: now}
		if m.AckRequested {
			t := now.Add(dl.Acknowledge)
			del.AckDueAt = &t
		}
		if m.Type.Opening() && m.Type != IncidentNotification {
			t := now.Add(dl.Respond)
			del.ResponseDueAt = &t
		}
		m.Deliveries = append(m.Deliveries, del)
	}
	return m, nil
}

// applyReply moves the parent's delivery to the replying State along:
// an acknowledgement acknowledges, an update responds, a closure by the
// thread's originator closes every delivery of the parent.
func (s *Service) applyReply(ctx context.Context, tx *sql.Tx, a actor.Actor, parent, m Message) error {
	now := m.CreatedAt
	switch m.Type {
	case Acknowledgement:
		return s.acknowledge(ctx, tx, a, parent, now)
	case Update:
		n, err := respondDelivery(ctx, tx, parent.ID, a.State, now)
		if err != nil {
			return errs.Internalf(err, "mark responded")
		}
		if n > 0 {
			return s.publishResponded(ctx, tx, parent, a.State)
		}
	case Closure:
		if parent.SenderState == a.State {
			if err := closeDeliveries(ctx, tx, parent.ID, now); err != nil {
				return errs.Internalf(err, "close deliveries")
			}
		}
	}
	return nil
}

func (s *Service) event(ctx context.Context, tx *sql.Tx, thread, message, state, kind string, a actor.Actor, detail string) error {
	e := Event{MessageID: message, State: state, Kind: kind, Actor: a.Label(), Detail: detail, At: s.clock.Now()}
	if err := insertEvent(ctx, tx, newID(), thread, e); err != nil {
		return errs.Internalf(err, "insert event")
	}
	return nil
}

// Acknowledge records that a's State received message id.
func (s *Service) Acknowledge(ctx context.Context, a actor.Actor, id string) error {
	if err := s.canSend(ctx, s.db.R, a); err != nil {
		return err
	}
	m, err := s.Message(ctx, a, id)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.acknowledge(ctx, tx, a, m, s.clock.Now()) })
}

func (s *Service) acknowledge(ctx context.Context, tx *sql.Tx, a actor.Actor, m Message, now time.Time) error {
	if !slices.Contains(m.Recipients, a.State) {
		return errs.E(errs.Forbidden, "only a recipient State acknowledges a message")
	}
	n, err := acknowledgeDelivery(ctx, tx, m.ID, a.State, a.Label(), now)
	if err != nil {
		return errs.Internalf(err, "acknowledge")
	}
	if n == 0 {
		return nil // already acknowledged or further along: acknowledging twice is harmless
	}
	if err := s.event(ctx, tx, m.ThreadID, m.ID, a.State, "acknowledged", a, ""); err != nil {
		return err
	}
	if err := s.publishAcknowledged(ctx, tx, m, a.State); err != nil {
		return err
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "message.acknowledge", ObjectType: "message", ObjectID: m.ID, State: a.State})
}
