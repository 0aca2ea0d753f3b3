package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

type deliveryOut struct {
	State          string     `json:"state"`
	Status         string     `json:"status"`
	QueuedAt       time.Time  `json:"queued_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
	RespondedAt    *time.Time `json:"responded_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	ExpiredAt      *time.Time `json:"expired_at"`
	AckDueAt       *time.Time `json:"ack_due_at"`
	ResponseDueAt  *time.Time `json:"response_due_at"`
	EscalatedAt    *time.Time `json:"escalated_at"`
}

type messageOut struct {
	ID              string            `json:"id"`
	ThreadID        string            `json:"thread_id"`
	ParentID        string            `json:"parent_id,omitempty"`
	Type            string            `json:"type"`
	TemplateVersion int               `json:"template_version"`
	SenderState     string            `json:"sender_state"`
	Sender          string            `json:"sender"`
	Recipients      []string          `json:"recipients"`
	Level           string            `json:"level"`
	Urgency         string            `json:"urgency"`
	TLP             string            `json:"tlp"`
	PAP             string            `json:"pap,omitempty"`
	Subject         string            `json:"subject"`
	Body            string            `json:"body"`
	Fields          map[string]string `json:"fields"`
	Provisions      []string          `json:"provisions"`
	RequestedAction string            `json:"requested_action,omitempty"`
	AckRequested    bool              `json:"ack_requested"`
	Exercise        bool              `json:"exercise"`
	Named           []string          `json:"named,omitempty"`
	CreatedAt       time.Time         `json:"created_at"`
	Deliveries      []deliveryOut     `json:"deliveries"`
}

func messageFrom(m messaging.Message) messageOut {
	out := messageOut{ID: m.ID, ThreadID: m.ThreadID, ParentID: m.ParentID, Type: string(m.Type), TemplateVersion: m.TemplateVersion,
		SenderState: m.SenderState, Sender: m.SenderLabel, Recipients: m.Recipients, Level: string(m.Level), Urgency: string(m.Urgency),
		TLP: m.TLP.String(), PAP: m.PAP, Subject: m.Subject, Body: m.Body, Fields: m.Fields, Provisions: m.Provisions,
		RequestedAction: m.RequestedAction, AckRequested: m.AckRequested, Exercise: m.Exercise, Named: m.Named, CreatedAt: utc(m.CreatedAt),
		Deliveries: make([]deliveryOut, len(m.Deliveries))}
	if out.Fields == nil {
		out.Fields = map[string]string{}
	}
	if out.Provisions == nil {
		out.Provisions = []string{}
	}
	if out.Recipients == nil {
		out.Recipients = []string{}
	}
	for i, d := range m.Deliveries {
		out.Deliveries[i] = deliveryOut{State: d.State, Status: string(d.Status), QueuedAt: utc(d.QueuedAt), DeliveredAt: utcPtr(d.DeliveredAt),
			AcknowledgedAt: utcPtr(d.AcknowledgedAt), AcknowledgedBy: d.AcknowledgedBy, RespondedAt: utcPtr(d.RespondedAt), ClosedAt: utcPtr(d.ClosedAt),
			ExpiredAt: utcPtr(d.ExpiredAt), AckDueAt: utcPtr(d.AckDueAt), ResponseDueAt: utcPtr(d.ResponseDueAt), EscalatedAt: utcPtr(d.EscalatedAt)}
	}
	return out
}

type eventOut struct {
	MessageID string    `json:"message_id,omitempty"`
	State     string    `json:"state,omitempty"`
	Kind      string    `json:"kind"`
	Actor     string    `json:"actor"`
	Detail    string    `json:"detail,omitempty"`
	At        time.Time `json:"at"`
}

type threadOut struct {
	ID       string       `json:"id"`
	Messages []messageOut `json:"messages"`
	Events   []eventOut   `json:"events"`
}

type fieldOut struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	Choices  []string `json:"choices,omitempty"`
	Help     string   `json:"help,omitempty"`
}

type templateOut struct {
	Type        string     `json:"type"`
	Version     int        `json:"version"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Fields      []fieldOut `json:"fields"`
	Provisions  []string   `json:"provisions"`
	CreatedAt   time.Time  `json:"created_at"`
}

func templateFrom(t messaging.Template) templateOut {
	out := templateOut{Type: string(t.Type), Version: t.Version, Title: t.Title, Description: t.Description,
		Fields: make([]fieldOut, len(t.Fields)), Provisions: t.Provisions, CreatedAt: utc(t.CreatedAt)}
	if out.Provisions == nil {
		out.Provisions = []string{}
	}
	for i, f := range t.Fields {
		out.Fields[i] = fieldOut{Name: f.Name, Label: f.Label, Kind: string(f.Kind), Required: f.Required, Choices: f.Choices, Help: f.Help}
	}
	return out
}

// messageIn is the body of POST /messages and of a reply; a reply takes
// its recipients, level and urgency from the thread.
type messageIn struct {
	Type            string            `json:"type"`
	Recipients      []string          `json:"recipients"`
	Level           string            `json:"level"`
	Urgency         string            `json:"urgency"`
	TLP             string            `json:"tlp"`
	PAP             string            `json:"pap"`
	Subject         string            `json:"subject"`
	Body            string            `json:"body"`
	Fields          map[string]string `json:"fields"`
	Provisions      []string          `json:"provisions"`
	RequestedAction string            `json:"requested_action"`
	AckRequested    bool              `json:"ack_requested"`
	Named           []string          `json:"named"`
	Exercise        bool              `json:"exercise"`
}

func (in messageIn) draft() messaging.Draft {
	// "TLP:AMBER" and "amber" both name the label; anything else goes on
	// as typed, for the service to refuse with a field error.
	label := tlp.Label(in.TLP)
	if l, err := tlp.Parse(in.TLP); err == nil {
		label = l
	}
	return messaging.Draft{Type: messaging.Type(in.Type), Recipients: in.Recipients, Level: messaging.Level(in.Level), Urgency: messaging.Urgency(in.Urgency),
		TLP: label, PAP: in.PAP, Subject: in.Subject, Body: in.Body, Fields: in.Fields, Provisions: in.Provisions,
		RequestedAction: in.RequestedAction, AckRequested: in.AckRequested, Named: in.Named, Exercise: in.Exercise}
}

func (s *server) listMessages(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	q := r.URL.Query()
	f := messaging.ListFilter{Box: messaging.Inbox, Query: q.Get("q"), Limit: 100}
	var bad errs.Fields
	switch b := q.Get("box"); b {
	case "", "inbox":
	case "sent":
		f.Box = messaging.Sent
	default:
		bad.Add("box", "use inbox or sent")
	}
	if v := q.Get("unread"); v != "" {
		u, err := strconv.ParseBool(v)
		if err != nil {
			bad.Add("unread", "use true or false")
		}
		f.Unread = u
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad.Add("limit", "use a number from 1 to 500")
		}
		f.Limit = n
	}
	if err := bad.Err(); err != nil {
		return err
	}
	ms, err := s.app.Messaging.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(ms, messageFrom))
}

func (s *server) sendMessage(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	var in messageIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.app.Messaging.Send(r.Context(), a, in.draft())
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/messages/"+m.ID)
	return writeJSON(w, http.StatusCreated, messageFrom(m))
}

func (s *server) getMessage(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	m, err := s.app.Messaging.Message(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, messageFrom(m))
}

func (s *server) replyMessage(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	var in messageIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	var bad errs.Fields
	if len(in.Recipients) > 0 {
		bad.Add("recipients", "a reply goes to the thread's participants; leave it out")
	}
	if in.Level != "" {
		bad.Add("level", "a reply keeps the thread's level; leave it out")
	}
	if err := bad.Err(); err != nil {
		return err
	}
	d := in.draft()
	d.ReplyTo = r.PathValue("id")
	m, err := s.app.Messaging.Send(r.Context(), a, d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/messages/"+m.ID)
	return writeJSON(w, http.StatusCreated, messageFrom(m))
}

func (s *server) acknowledgeMessage(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	id := r.PathValue("id")
	if err := s.app.Messaging.Acknowledge(r.Context(), a, id); err != nil {
		return err
	}
	m, err := s.app.Messaging.Message(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, messageFrom(m))
}

func (s *server) markMessageRead(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := s.app.Messaging.MarkRead(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) getThread(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	id := r.PathValue("id")
	ms, evs, err := s.app.Messaging.Thread(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := threadOut{ID: id, Messages: make([]messageOut, len(ms)), Events: make([]eventOut, len(evs))}
	for i, m := range ms {
		out.Messages[i] = messageFrom(m)
	}
	for i, e := range evs {
		out.Events[i] = eventOut{MessageID: e.MessageID, State: e.State, Kind: e.Kind, Actor: e.Actor, Detail: e.Detail, At: utc(e.At)}
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) listTemplates(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	var ts []messaging.Template
	for _, typ := range messaging.Types() {
		t, err := s.app.Messaging.Template(r.Context(), typ)
		if err != nil {
			return err
		}
		ts = append(ts, t)
	}
	return writeJSON(w, http.StatusOK, listOf(ts, templateFrom))
}
