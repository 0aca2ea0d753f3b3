package messaging

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
)

// load fills recipients, named accounts, deliveries and attachments of m.
func (s *Service) load(ctx context.Context, q store.Queryer, m *Message) error {
	ms := []Message{*m}
	if err := loadParties(ctx, q, ms); err != nil {
		return err
	}
	*m = ms[0]
	return nil
}

// loadParties fills recipients, named accounts, deliveries and attachments
// of every message in ms with one query for each, whatever their number.
func loadParties(ctx context.Context, q store.Queryer, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	at := make(map[string]int, len(ms))
	ids := make([]string, len(ms))
	for i := range ms {
		at[ms[i].ID] = i
		ids[i] = ms[i].ID
		ms[i].Recipients, ms[i].Deliveries, ms[i].Named, ms[i].Attachments = nil, nil, nil, []Attachment{}
	}
	deliveries, err := deliveriesOf(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, d := range deliveries {
		m := &ms[at[d.MessageID]]
		m.Recipients = append(m.Recipients, d.State)
		m.Deliveries = append(m.Deliveries, d)
	}
	names, err := namedOf(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, n := range names {
		m := &ms[at[n.messageID]]
		m.Named = append(m.Named, n.accountID)
	}
	files, err := attachmentsOf(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, f := range files {
		m := &ms[at[f.MessageID]]
		m.Attachments = append(m.Attachments, f)
	}
	return nil
}

func (m Message) audience() audience {
	return audience{TLP: m.TLP, SenderState: m.SenderState, SenderAccount: m.SenderAccountID, Recipients: m.Recipients, Named: m.Named}
}

// Message returns one message if a may read it. A message a may not read
// is reported as not found, whatever the reason, so its existence does not
// leak.
func (s *Service) Message(ctx context.Context, a actor.Actor, id string) (Message, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Message{}, err
	}
	notFound := errs.E(errs.NotFound, "no such message")
	if _, err := uuid.Parse(id); err != nil {
		return Message{}, notFound
	}
	m, err := selectMessage(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Message{}, notFound
	}
	if err != nil {
		return Message{}, errs.Internalf(err, "load message")
	}
	if err := s.load(ctx, s.db.R, &m); err != nil {
		return Message{}, errs.Internalf(err, "load message parties")
	}
	if !mayRead(a, m.audience()) {
		return Message{}, notFound
	}
	s.redactDeliveries(a, &m)
	return m, nil
}

// withParties loads the parties of the messages ms listed for a, and
// leaves each showing a the deliveries it may see.
func (s *Service) withParties(ctx context.Context, a actor.Actor, ms []Message) error {
	if err := loadParties(ctx, s.db.R, ms); err != nil {
		return errs.Internalf(err, "load parties")
	}
	for i := range ms {
		s.redactDeliveries(a, &ms[i])
	}
	return nil
}

// redactDeliveries hides how other recipient States handled a message from
// a recipient: each recipient sees its own delivery; the sender sees all.
func (s *Service) redactDeliveries(a actor.Actor, m *Message) {
	if a.State == m.SenderState {
		return
	}
	var own []Delivery
	for _, d := range m.Deliveries {
		if d.State == a.State {
			own = append(own, d)
		}
	}
	m.Deliveries = own
}

// Thread returns the messages of a thread that a may read, oldest first,
// and the timeline of those messages.
func (s *Service) Thread(ctx context.Context, a actor.Actor, id string) ([]Message, []Event, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, nil, errs.E(errs.NotFound, "no such thread")
	}
	msgs, err := threadMessages(ctx, s.db.R, a, id)
	if err != nil {
		return nil, nil, errs.Internalf(err, "load thread")
	}
	if len(msgs) == 0 {
		return nil, nil, errs.E(errs.NotFound, "no such thread")
	}
	if err := s.withParties(ctx, a, msgs); err != nil {
		return nil, nil, err
	}
	visible := map[string]Message{}
	for _, m := range msgs {
		visible[m.ID] = m
	}
	all, err := threadEvents(ctx, s.db.R, id)
	if err != nil {
		return nil, nil, errs.Internalf(err, "load events")
	}
	var events []Event
	for _, e := range all {
		if eventVisible(a, e, visible) {
			events = append(events, e)
		}
	}
	return msgs, events, nil
}

// eventVisible says whether a may see e on the timeline. Events of
// messages a cannot read would tell what they are. A delivery's progress
// (delivered, reminded, escalated, acknowledged, expired) belongs to the
// sender's State and to that recipient: another recipient sees its own
// part only, like the deliveries of Message.
func eventVisible(a actor.Actor, e Event, visible map[string]Message) bool {
	if e.MessageID == "" {
		return true
	}
	m, ok := visible[e.MessageID]
	if !ok {
		return false
	}
	if e.Kind == EventSent || e.State == "" {
		return true
	}
	return a.State != "" && (a.State == m.SenderState || a.State == e.State)
}

// EventSent is the timeline's record of a message being sent; the other
// kinds record a delivery's progress at one recipient State.
const EventSent = "sent"

// Event is one line of a thread's timeline.
type Event struct {
	MessageID string
	State     string
	Kind      string
	Actor     string
	Detail    string
	At        time.Time
}

// Box selects a list of messages.
type Box string

const (
	Inbox Box = "inbox" // addressed to the caller's State (or to the caller, for RED)
	Sent  Box = "sent"  // sent by the caller's State
)

// ListFilter narrows a list.
type ListFilter struct {
	Box    Box
	Query  string // words that must all appear in the subject or body
	Unread bool
	Limit  int
}

// searchWords splits what a person typed as searchText splits what is
// stored. Only letters, digits and marks reach the query languages, so
// nothing typed can change their syntax. Ten words are enough to find
// anything.
func searchWords(query string) []string {
	words := words(query)
	return words[:min(len(words), 10)]
}

// words splits s at anything that is not a letter, a digit or a mark
// joined to one, in lower case.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// searchText is what the full-text indexes hold of a message: its subject
// and body as words with one space between, so that both engines split it
// alike ("TLP:AMBER+STRICT, 203.0.113.7" is "tlp amber strict 203 0 113 7").
func searchText(m Message) string {
	return strings.Join(words(m.Subject+" "+m.Body), " ")
}

// List returns the newest messages of f a may read: the first page of
// f.Limit (100 when unset).
func (s *Service) List(ctx context.Context, a actor.Actor, f ListFilter) ([]Message, error) {
	limit := f.Limit
	if limit <= 0 || limit > page.MaxLimit {
		limit = 100
	}
	p, err := s.Page(ctx, a, f, page.Request{Limit: limit})
	return p.Items, err
}

// Page returns one page of the messages a may read in f's box, newest
// first. Each box is read by an index in the order shown: the inbox from
// the deliveries to a's State and the messages naming a, the sent box
// from the messages of a's State, so a page costs the same however many
// messages the installation holds. Without a box, it is every message a
// may read (with f.Query, a search through the full-text index).
func (s *Service) Page(ctx context.Context, a actor.Actor, f ListFilter, req page.Request) (page.Page[Message], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Message]{}, err
	}
	var after *messageKey
	if req.After != nil {
		k, err := parseMessageKey(req.After)
		if err != nil {
			return page.Page[Message]{}, err
		}
		after = &k
	}
	limit := req.Size()
	var out []Message
	switch f.Box {
	case Sent, "":
		b := boxSent
		if f.Box == "" {
			b = boxReadable
		}
		ms, _, err := s.messagePage(ctx, a, f, b, after, limit+1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		out = ms
	case Inbox:
		// Delivered to the State, and named: two reads in the same order,
		// merged. A message can be in both.
		delivered, dseq, err := s.messagePage(ctx, a, f, boxDelivered, after, limit+1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		named, nseq, err := s.messagePage(ctx, a, f, boxNamed, after, limit+1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		out = mergeNewestFirst(delivered, named, dseq, nseq)
	}
	p := page.Cut(out, limit, func(m Message) []string { return messageKey{m.CreatedAt, m.ID}.encode() })
	if err := s.withParties(ctx, a, p.Items); err != nil {
		return page.Page[Message]{}, err
	}
	return p, nil
}

// messageKey is the order of every list of messages: newest first, by
// time and then id.
type messageKey struct {
	at time.Time
	id string
}

func (k messageKey) encode() []string {
	return []string{k.at.UTC().Format(time.RFC3339Nano), k.id}
}

func parseMessageKey(key []string) (messageKey, error) {
	if len(key) != 2 || key[1] == "" {
		return messageKey{}, page.Damaged()
	}
	at, err := time.Parse(time.RFC3339Nano, key[0])
	if err != nil {
		return messageKey{}, page.Damaged()
	}
	return messageKey{at, key[1]}, nil
}

func (k messageKey) before(o messageKey) bool {
	if !k.at.Equal(o.at) {
		return k.at.After(o.at)
	}
	return k.id > o.id
}

// mergeNewestFirst merges two lists in the order of messageKey, keeping
// the first of two copies of one message. Lists read with their rowids
// (xs, ys: a search on SQLite) are merged in that order instead, the
// order they were read in.
func mergeNewestFirst(x, y []Message, xs, ys []int64) []Message {
	out := make([]Message, 0, len(x)+len(y))
	seen := make(map[string]bool, len(x)+len(y))
	byRowid := xs != nil || ys != nil
	for len(x) > 0 || len(y) > 0 {
		takeX := len(y) == 0
		if !takeX && len(x) > 0 {
			if byRowid {
				takeX = xs[0] >= ys[0]
			} else {
				takeX = !(messageKey{y[0].CreatedAt, y[0].ID}).before(messageKey{x[0].CreatedAt, x[0].ID})
			}
		}
		var m Message
		if takeX {
			m, x = x[0], x[1:]
			if byRowid {
				xs = xs[1:]
			}
		} else {
			m, y = y[0], y[1:]
			if byRowid {
				ys = ys[1:]
			}
		}
		if !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}

// ReadThread records that a has read every message of the thread id that
// a may read: opening a thread reads it. Messages read before cost
// nothing more: one statement finds those not yet read, and when there
// are some, one transaction records them all and moves the unread count
// once, however long the thread.
func (s *Service) ReadThread(ctx context.Context, a actor.Actor, id string) error {
	if a.ReadOnly {
		return errs.E(errs.Forbidden, "this token may only read")
	}
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	if _, err := uuid.Parse(id); err != nil {
		return errs.E(errs.NotFound, "no such thread")
	}
	unread, err := unreadInThread(ctx, s.db.R, a, id)
	if err != nil {
		return errs.Internalf(err, "load thread")
	}
	if len(unread) == 0 {
		return nil
	}
	if err := loadParties(ctx, s.db.R, unread); err != nil {
		return errs.Internalf(err, "load parties")
	}
	inbox := map[string]bool{}
	ids := make([]string, len(unread))
	for i, m := range unread {
		ids[i], inbox[m.ID] = m.ID, inInbox(a, m)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := insertReads(ctx, tx, a.AccountID, ids, s.clock.Now())
		if err != nil {
			return errs.Internalf(err, "mark read")
		}
		// Only a first reading of a message in the inbox lowers the count.
		n := 0
		for _, id := range first {
			if inbox[id] {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		if err := countReads(ctx, tx, a.AccountID, n); err != nil {
			return errs.Internalf(err, "count read")
		}
		return nil
	})
}

// MarkRead records that a has read message id. It changes what the
// account's inbox shows, so a read-only token may not; a viewer at the
// browser may.
func (s *Service) MarkRead(ctx context.Context, a actor.Actor, id string) error {
	if a.ReadOnly {
		return errs.E(errs.Forbidden, "this token may only read")
	}
	m, err := s.Message(ctx, a, id)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := insertRead(ctx, tx, a.AccountID, id, s.clock.Now())
		if err != nil {
			return errs.Internalf(err, "mark read")
		}
		// Only a first reading of a message in the inbox lowers the count.
		if !first || !inInbox(a, m) {
			return nil
		}
		if err := countRead(ctx, tx, a.AccountID); err != nil {
			return errs.Internalf(err, "count read")
		}
		return nil
	})
}
