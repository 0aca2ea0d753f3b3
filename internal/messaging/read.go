package messaging

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

const messageCols = `m.id, m.thread_id, COALESCE(m.parent_id, ''), m.type, m.template_version, m.sender_state, m.sender_account_id, m.sender_label,
	m.urgency, m.tlp, m.pap, m.level, m.subject, m.body, m.fields, m.provisions, m.requested_action, m.ack_requested, m.exercise, m.created_at`

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var typ, urg, label, level, fields, provs string
	err := row.Scan(&m.ID, &m.ThreadID, &m.ParentID, &typ, &m.TemplateVersion, &m.SenderState, &m.SenderAccountID, &m.SenderLabel,
		&urg, &label, &m.PAP, &level, &m.Subject, &m.Body, &fields, &provs, &m.RequestedAction, &m.AckRequested, &m.Exercise, &m.CreatedAt)
	if err != nil {
		return m, err
	}
	m.Type, m.Urgency, m.TLP, m.Level = Type(typ), Urgency(urg), tlp.Label(label), Level(level)
	if err := json.Unmarshal([]byte(fields), &m.Fields); err != nil {
		return m, err
	}
	err = json.Unmarshal([]byte(provs), &m.Provisions)
	return m, err
}

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
	args := make([]any, len(ms))
	marks := make([]string, len(ms))
	for i := range ms {
		at[ms[i].ID] = i
		args[i] = ms[i].ID
		marks[i] = fmt.Sprintf("$%d", i+1)
		ms[i].Recipients, ms[i].Deliveries, ms[i].Named, ms[i].Attachments = nil, nil, nil, []Attachment{}
	}
	in := "(" + strings.Join(marks, ", ") + ")"
	rows, err := q.QueryContext(ctx, `SELECT message_id, id, state_code, status, queued_at, delivered_at, acknowledged_at, acknowledged_by, responded_at, closed_at,
		expired_at, ack_due_at, response_due_at, escalated_at FROM deliveries WHERE message_id IN `+in+` ORDER BY message_id, state_code`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d Delivery
		var status string
		var t [8]sql.NullTime
		if err := rows.Scan(&d.MessageID, &d.ID, &d.State, &status, &d.QueuedAt, &t[0], &t[1], &d.AcknowledgedBy, &t[2], &t[3], &t[4], &t[5], &t[6], &t[7]); err != nil {
			return err
		}
		d.Status = Status(status)
		for i, dst := range []**time.Time{&d.DeliveredAt, &d.AcknowledgedAt, &d.RespondedAt, &d.ClosedAt, &d.ExpiredAt, &d.AckDueAt, &d.ResponseDueAt, &d.EscalatedAt} {
			if t[i].Valid {
				v := t[i].Time
				*dst = &v
			}
		}
		m := &ms[at[d.MessageID]]
		m.Recipients = append(m.Recipients, d.State)
		m.Deliveries = append(m.Deliveries, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	named, err := q.QueryContext(ctx, `SELECT message_id, account_id FROM message_named WHERE message_id IN `+in+` ORDER BY message_id, account_id`, args...)
	if err != nil {
		return err
	}
	defer named.Close()
	for named.Next() {
		var mid, id string
		if err := named.Scan(&mid, &id); err != nil {
			return err
		}
		m := &ms[at[mid]]
		m.Named = append(m.Named, id)
	}
	if err := named.Err(); err != nil {
		return err
	}
	files, err := q.QueryContext(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE message_id IN `+in+` ORDER BY message_id, ordinal`, args...)
	if err != nil {
		return err
	}
	defer files.Close()
	for files.Next() {
		a, err := scanAttachment(files)
		if err != nil {
			return err
		}
		m := &ms[at[a.MessageID]]
		m.Attachments = append(m.Attachments, a)
	}
	return files.Err()
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
	m, err := scanMessage(s.db.R.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.id = $1`, id))
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
	cond, args := readableSQL(a, 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.thread_id = $1 AND `+cond+` ORDER BY m.created_at, m.id`, append([]any{id}, args...)...)
	if err != nil {
		return nil, nil, errs.Internalf(err, "load thread")
	}
	msgs, err := s.collect(ctx, rows, a)
	if err != nil {
		return nil, nil, err
	}
	if len(msgs) == 0 {
		return nil, nil, errs.E(errs.NotFound, "no such thread")
	}
	visible := map[string]Message{}
	for _, m := range msgs {
		visible[m.ID] = m
	}
	evRows, err := s.db.R.QueryContext(ctx, `SELECT COALESCE(message_id, ''), state_code, kind, actor_label, detail, at FROM thread_events WHERE thread_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, nil, errs.Internalf(err, "load events")
	}
	defer evRows.Close()
	var events []Event
	for evRows.Next() {
		var e Event
		if err := evRows.Scan(&e.MessageID, &e.State, &e.Kind, &e.Actor, &e.Detail, &e.At); err != nil {
			return nil, nil, errs.Internalf(err, "scan event")
		}
		if !eventVisible(a, e, visible) {
			continue
		}
		events = append(events, e)
	}
	return msgs, events, evRows.Err()
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

func (s *Service) collect(ctx context.Context, rows *sql.Rows, a actor.Actor) ([]Message, error) {
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Internalf(err, "scan message")
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf(err, "list messages")
	}
	if err := loadParties(ctx, s.db.R, out); err != nil {
		return nil, errs.Internalf(err, "load parties")
	}
	for i := range out {
		s.redactDeliveries(a, &out[i])
	}
	return out, nil
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

// where builds the condition for f over messages m that a may read; the
// box is chosen by the table a page is read from (messagePage).
func where(engine store.Engine, a actor.Actor, f ListFilter) (string, []any) {
	cond, args := readableSQL(a, 1)
	q := cond
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Unread {
		q += ` AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.account_id = ` + arg(a.AccountID) + `)`
	}
	if words := searchWords(f.Query); len(words) > 0 {
		// The engine's full-text index, behind the same TLP condition:
		// every word must begin a word of the subject or the body.
		if engine == store.SQLite {
			match := make([]string, len(words))
			for i, w := range words {
				match[i] = `"` + w + `"*`
			}
			q += ` AND m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ` + arg(strings.Join(match, " ")) + `)`
		} else {
			terms := make([]string, len(words))
			for i, w := range words {
				terms[i] = w + ":*"
			}
			q += ` AND to_tsvector('simple', m.search_text) @@ to_tsquery('simple', ` + arg(strings.Join(terms, " & ")) + `)`
		}
	}
	return q, args
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
		ms, err := s.messagePage(ctx, a, f, b, after, limit+1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		out = ms
	case Inbox:
		// Delivered to the State, and named: two reads in the same order,
		// merged. A message can be in both.
		delivered, err := s.messagePage(ctx, a, f, boxDelivered, after, limit+1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		named, err := s.messagePage(ctx, a, f, boxNamed, after, limit+1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		out = mergeNewestFirst(delivered, named)
	}
	p := page.Cut(out, limit, func(m Message) []string { return messageKey{m.CreatedAt, m.ID}.encode() })
	if err := loadParties(ctx, s.db.R, p.Items); err != nil {
		return page.Page[Message]{}, errs.Internalf(err, "load parties")
	}
	for i := range p.Items {
		s.redactDeliveries(a, &p.Items[i])
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
// the first of two copies of one message.
func mergeNewestFirst(x, y []Message) []Message {
	out := make([]Message, 0, len(x)+len(y))
	seen := make(map[string]bool, len(x)+len(y))
	for len(x) > 0 || len(y) > 0 {
		var m Message
		if len(y) == 0 || (len(x) > 0 && !(messageKey{y[0].CreatedAt, y[0].ID}).before(messageKey{x[0].CreatedAt, x[0].ID})) {
			m, x = x[0], x[1:]
		} else {
			m, y = y[0], y[1:]
		}
		if !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	return out
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
		res, err := tx.ExecContext(ctx, `INSERT INTO message_reads (account_id, message_id, read_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, a.AccountID, id, s.clock.Now())
		if err != nil {
			return errs.Internalf(err, "mark read")
		}
		// Only a first reading of a message in the inbox lowers the count.
		if n, err := res.RowsAffected(); err != nil || n == 0 || !inInbox(a, m) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_account_counts (account_id, readcount) VALUES ($1, 1)
			ON CONFLICT (account_id) DO UPDATE SET readcount = inbox_account_counts.readcount + 1`, a.AccountID); err != nil {
			return errs.Internalf(err, "count read")
		}
		return nil
	})
}
