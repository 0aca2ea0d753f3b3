package webhook

import (
	"encoding/json"
	"time"

	"github.com/detente/detente/internal/tlp"
)

// Event types. The name is what a subscription chooses and what the
// Detente-Event header and the payload's "type" carry; the payload's
// "version" says which shape of "data" it has.
const (
	MessageReceived      = "message.received"      // to each recipient State
	DeliveryAcknowledged = "delivery.acknowledged" // to the sender State
	DeliveryResponded    = "delivery.responded"    // to the sender State
	DeliveryEscalated    = "delivery.escalated"    // to the sender and the recipient State
	PingOpened           = "ping.opened"           // to each State in the check
	PingClosed           = "ping.closed"           // to the secretariat
)

// Version is the version of the payload format. Fields may be added
// within a version; a field that changes meaning or disappears bumps it.
const Version = 1

// EventType describes an event a subscription may choose.
type EventType struct {
	Name        string
	Description string
	States      bool // offered to States' subscriptions
	Secretariat bool // offered to the secretariat's subscriptions
}

var catalogue = []EventType{
	{MessageReceived, "A communication addressed to your State arrived (content only for TLP:CLEAR and TLP:GREEN)", true, false},
	{DeliveryAcknowledged, "A recipient State acknowledged a communication your State sent", true, false},
	{DeliveryResponded, "A recipient State answered a communication your State sent", true, false},
	{DeliveryEscalated, "A communication was not acknowledged by its deadline and was escalated", true, false},
	{PingOpened, "A communication check of your State's points of contact opened", true, false},
	{PingClosed, "A communication check closed, with its overall figures", false, true},
}

// EventTypes lists every event type.
func EventTypes() []EventType { return append([]EventType(nil), catalogue...) }

// EventTypesFor lists the event types a subscription of owner may choose:
// a State code, or "" for the secretariat.
func EventTypesFor(owner string) []EventType {
	var out []EventType
	for _, e := range catalogue {
		if (owner == "" && e.Secretariat) || (owner != "" && e.States) {
			out = append(out, e)
		}
	}
	return out
}

func knownType(name string) bool {
	for _, e := range catalogue {
		if e.Name == name {
			return true
		}
	}
	return false
}

// Event is something to tell subscribers of, as a service publishes it.
type Event struct {
	Type        string
	States      []string  // the States whose subscriptions are told
	Secretariat bool      // whether the secretariat's subscriptions are told
	Path        string    // the page about it, relative to the base URL
	At          time.Time // when it happened; zero: now
	Data        any       // one of the *Event payload types below
}

// envelope is the JSON body of every delivery.
type envelope struct {
	ID         string    `json:"id"` // the idempotency key; also the Detente-Delivery header
	Type       string    `json:"type"`
	Version    int       `json:"version"`
	OccurredAt time.Time `json:"occurred_at"`
	URL        string    `json:"url,omitempty"`
	Data       any       `json:"data"`
}

// MessageInfo describes a communication in an event. Subject, Body,
// Fields and RequestedAction are content: the messaging domain's
// disclosure policy leaves them out above TLP:GREEN (ContentWithheld),
// because such content leaves the system only encrypted, and a webhook is
// not; Publish never sends content an event marks withheld.
type MessageInfo struct {
	ID              string            `json:"id"`
	ThreadID        string            `json:"thread_id"`
	ParentID        string            `json:"parent_id,omitempty"`
	Type            string            `json:"type"` // incident_notification, assistance_request, …
	Urgency         string            `json:"urgency"`
	TLP             tlp.Label         `json:"tlp"`
	PAP             string            `json:"pap,omitempty"`
	Level           string            `json:"level"`
	SenderState     string            `json:"sender_state"`
	AckRequested    bool              `json:"ack_requested"`
	Exercise        bool              `json:"exercise"`
	SentAt          time.Time         `json:"sent_at"`
	ContentWithheld bool              `json:"content_withheld"` // true above TLP:GREEN: sign in to read
	Subject         string            `json:"subject,omitempty"`
	Body            string            `json:"body,omitempty"`
	Fields          map[string]string `json:"fields,omitempty"`
	RequestedAction string            `json:"requested_action,omitempty"`
}

// withhold keeps a payload true to its own flag: content the publishing
// domain withheld (the domain's disclosure policy decides, not this
// package) is never sent, whatever else the event carries.
func (m *MessageInfo) withhold() {
	if m.ContentWithheld {
		m.Subject, m.Body, m.Fields, m.RequestedAction = "", "", nil, ""
	}
}

// DeliveryInfo is a communication's progress at one recipient State.
type DeliveryInfo struct {
	ID             string     `json:"id"`
	State          string     `json:"state"` // the recipient State
	Status         string     `json:"status"`
	AckDueAt       *time.Time `json:"ack_due_at,omitempty"`
	ResponseDueAt  *time.Time `json:"response_due_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	RespondedAt    *time.Time `json:"responded_at,omitempty"`
	EscalatedAt    *time.Time `json:"escalated_at,omitempty"`
}

// MessageEvent is the data of message.received and the delivery.* events.
type MessageEvent struct {
	Message  MessageInfo  `json:"message"`
	Delivery DeliveryInfo `json:"delivery"`
}

// PingOpenedEvent is the data of ping.opened. The single-use tokens of
// the check never leave by webhook: they go to each POC by mail.
// CheckID is the check's id, sent as check_id and as version 1's
// campaign_id (see MarshalJSON).
type PingOpenedEvent struct {
	CheckID    string    `json:"campaign_id"`
	Name       string    `json:"name"`
	State      string    `json:"state"`      // the State told
	Levels     []string  `json:"levels"`     // POC levels checked
	Challenges int       `json:"challenges"` // the State's POCs sent a check
	OpenedAt   time.Time `json:"opened_at"`
	ClosesAt   time.Time `json:"closes_at"` // the deadline to confirm
}

// PingClosedEvent is the data of ping.closed: overall figures only.
// CheckID is the check's id, sent as check_id and campaign_id.
type PingClosedEvent struct {
	CheckID      string     `json:"campaign_id"`
	Name         string     `json:"name"`
	OpenedAt     *time.Time `json:"opened_at,omitempty"`
	ClosedAt     time.Time  `json:"closed_at"`
	States       int        `json:"states"`
	Challenges   int        `json:"challenges"`
	Acknowledged int        `json:"acknowledged"`
	Bounced      int        `json:"bounced"`
	ResponseRate float64    `json:"response_rate"` // acknowledged / challenges, 0..1
}

// The check's id goes out under check_id and, for receivers of version 1
// that read it, under campaign_id too; campaign_id is deprecated and goes
// when the version is bumped. Event type names (ping.*) keep theirs.

// MarshalJSON writes e with check_id beside campaign_id.
func (e PingOpenedEvent) MarshalJSON() ([]byte, error) {
	type fields PingOpenedEvent // without this method
	return json.Marshal(struct {
		ID string `json:"check_id"`
		fields
	}{e.CheckID, fields(e)})
}

// MarshalJSON writes e with check_id beside campaign_id.
func (e PingClosedEvent) MarshalJSON() ([]byte, error) {
	type fields PingClosedEvent // without this method
	return json.Marshal(struct {
		ID string `json:"check_id"`
		fields
	}{e.CheckID, fields(e)})
}

// sanitise applies the rules every payload follows, whoever built it.
func sanitise(data any) any {
	switch d := data.(type) {
	case MessageEvent:
		d.Message.withhold()
		return d
	case *MessageEvent:
		c := *d
		c.Message.withhold()
		return c
	}
	return data
}
