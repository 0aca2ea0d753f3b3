package api

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/wire"
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
	Attachments     []attachmentOut   `json:"attachments"`
}

// attachmentOut describes a file; its content is at GET /attachments/{id}.
type attachmentOut struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	OriginalName string    `json:"original_name"`
	DeclaredType string    `json:"declared_type"`
	DetectedType string    `json:"detected_type"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	CreatedAt    time.Time `json:"created_at"`
}

func messageFrom(m messaging.Message) messageOut {
	out := messageOut{ID: m.ID, ThreadID: m.ThreadID, ParentID: m.ParentID, Type: string(m.Type), TemplateVersion: m.TemplateVersion,
		SenderState: m.SenderState, Sender: m.SenderLabel, Recipients: m.Recipients, Level: string(m.Level), Urgency: string(m.Urgency),
		TLP: m.TLP.String(), PAP: m.PAP, Subject: m.Subject, Body: m.Body, Fields: m.Fields, Provisions: m.Provisions,
		RequestedAction: m.RequestedAction, AckRequested: m.AckRequested, Exercise: m.Exercise, Named: m.Named, CreatedAt: utc(m.CreatedAt),
		Deliveries: make([]deliveryOut, len(m.Deliveries)), Attachments: make([]attachmentOut, len(m.Attachments))}
	for i, at := range m.Attachments {
		out.Attachments[i] = attachmentOut{ID: at.ID, Name: at.Name, OriginalName: at.OriginalName, DeclaredType: at.DeclaredType,
			DetectedType: at.DetectedType, Size: at.Size, SHA256: at.SHA256, CreatedAt: utc(at.CreatedAt)}
	}
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

// templateOut is the shape the API and the console share.
type templateOut = wire.Template

func templateFrom(t messaging.Template) templateOut { return wire.TemplateFrom(t) }

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
	Attachments     []fileIn          `json:"attachments"`
}

// fileIn is an attached file inside the JSON body, its content in base64.
type fileIn struct {
	Name          string `json:"name"`
	MediaType     string `json:"media_type"`
	ContentBase64 string `json:"content_base64"`
}

// uploads decodes the attached files; a file that is not base64 is a
// field error naming it, and nothing is sent.
func (in messageIn) uploads() ([]messaging.Upload, error) {
	var out []messaging.Upload
	var bad errs.Fields
	for i, f := range in.Attachments {
		b, err := base64.StdEncoding.DecodeString(f.ContentBase64)
		if err != nil {
			bad.Add(fmt.Sprintf("attachments[%d].content_base64", i), fmt.Sprintf("%q is not standard base64 (RFC 4648)", f.Name))
			continue
		}
		out = append(out, messaging.Upload{Name: f.Name, MediaType: f.MediaType, Content: bytes.NewReader(b)})
	}
	return out, bad.Err()
}

// decodeMessage reads a message body, which may carry files: its limit is
// the usual one plus the attachments' total in base64.
func (s *server) decodeMessage(w http.ResponseWriter, r *http.Request) (messaging.Draft, error) {
	var in messageIn
	limit := s.app.Messaging.AttachmentLimits().MaxTotalBytes/3*4 + 4096 + s.maxBody()
	if err := s.decodeLimit(w, r, &in, limit); err != nil {
		return messaging.Draft{}, err
	}
	files, err := in.uploads()
	if err != nil {
		return messaging.Draft{}, err
	}
	d := in.draft()
	d.Attachments = files
	return d, nil
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
	f := messaging.ListFilter{Box: messaging.Inbox, Query: q.Get("q")}
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
	// Before this list was paged it took a limit of up to 500; such a
	// request still works, and gets pages of the largest size and a next
	// link.
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > page.MaxLimit && n <= 500 {
		q.Set("limit", strconv.Itoa(page.MaxLimit))
		r.URL.RawQuery = q.Encode()
	}
	req, err := pageRequest(r, bad.Err())
	if err != nil {
		return err
	}
	p, err := s.app.Messaging.Page(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, messageFrom))
}

func (s *server) sendMessage(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	d, err := s.decodeMessage(w, r)
	if err != nil {
		return err
	}
	m, err := s.app.Messaging.Send(r.Context(), a, d)
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
	d, err := s.decodeMessage(w, r)
	if err != nil {
		return err
	}
	var bad errs.Fields
	if len(d.Recipients) > 0 {
		bad.Add("recipients", "a reply goes to the thread's participants; leave it out")
	}
	if d.Level != "" {
		bad.Add("level", "a reply keeps the thread's level; leave it out")
	}
	if err := bad.Err(); err != nil {
		return err
	}
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
	ts, err := s.app.Messaging.Templates(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(ts, templateFrom))
}

// getAttachment serves a file to those who may read its message: always
// as a download, never as something a browser would run.
func (s *server) getAttachment(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	at, content, err := s.app.Messaging.Attachment(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	serveFile(w, at, content)
	return nil
}

// templateIn is a new version of a template; its type comes from the path.
type templateIn struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Fields      []struct {
		Name     string   `json:"name"`
		Label    string   `json:"label"`
		Kind     string   `json:"kind"`
		Required bool     `json:"required"`
		Choices  []string `json:"choices"`
		Help     string   `json:"help"`
	} `json:"fields"`
	Provisions []string `json:"provisions"`
}

// publishTemplate adds a version of a type's template; messages already
// sent keep the version they used.
func (s *server) publishTemplate(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in templateIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t := messaging.Template{Type: messaging.Type(r.PathValue("type")), Title: in.Title, Description: in.Description, Provisions: in.Provisions}
	for _, f := range in.Fields {
		t.Fields = append(t.Fields, messaging.Field{Name: f.Name, Label: f.Label, Kind: messaging.FieldKind(f.Kind), Required: f.Required, Choices: f.Choices, Help: f.Help})
	}
	saved, err := s.app.Messaging.PublishTemplate(r.Context(), a, t)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, templateFrom(saved))
}
