// Package messaging is the channel between States' points of contact (CBM 1
// (c)(ii) and (v)): messages written against the standard communication
// template, threads, a delivery per recipient State with acknowledgement
// and response deadlines, and TLP 2.0 enforced as an access rule.
package messaging

import (
	"time"

	"github.com/detente/detente/internal/tlp"
)

// Type is the kind of communication, following the standard template.
type Type string

const (
	IncidentNotification Type = "incident_notification"
	AssistanceRequest    Type = "assistance_request"   // norm 13(h): critical infrastructure under attack
	MitigationRequest    Type = "mitigation_request"   // norm 13(h): activity emanating from the recipient's territory
	InformationRequest   Type = "information_request"  //
	VulnerabilityReport  Type = "vulnerability_report" // norm 13(j)
	Acknowledgement      Type = "acknowledgement"      //
	Update               Type = "update"               // update or response
	Closure              Type = "closure"              //
)

// Opening reports whether a message of this type may start a thread.
// Acknowledgements, updates and closures answer an existing one.
func (t Type) Opening() bool {
	switch t {
	case IncidentNotification, AssistanceRequest, MitigationRequest, InformationRequest, VulnerabilityReport:
		return true
	}
	return false
}

// Urgency sets the deadlines of a message.
type Urgency string

const (
	Routine  Urgency = "routine"
	Priority Urgency = "priority"
	Urgent   Urgency = "urgent"
)

// Urgencies lists them from least to most urgent.
func Urgencies() []Urgency { return []Urgency{Routine, Priority, Urgent} }

// Level is the POC level a message is addressed to; All reaches every level.
type Level string

const (
	Diplomatic Level = "diplomatic"
	Policy     Level = "policy"
	Technical  Level = "technical"
	All        Level = "all"
)

// Status of a delivery to one recipient State.
type Status string

const (
	Queued       Status = "queued"
	Delivered    Status = "delivered"
	Acknowledged Status = "acknowledged"
	Responded    Status = "responded"
	Closed       Status = "closed"
	Expired      Status = "expired"
)

// Deadline is how long a recipient has to acknowledge and to respond.
type Deadline struct {
	Acknowledge time.Duration
	Respond     time.Duration
}

// Config tunes deadlines per urgency.
type Config struct {
	Deadlines   map[Urgency]Deadline
	MaxBody     int              // characters
	Attachments AttachmentLimits // unset limits take the defaults
}

// DefaultConfig gives urgent messages two hours to be acknowledged.
func DefaultConfig() Config {
	return Config{
		Deadlines: map[Urgency]Deadline{
			Urgent:   {Acknowledge: 2 * time.Hour, Respond: 24 * time.Hour},
			Priority: {Acknowledge: 24 * time.Hour, Respond: 72 * time.Hour},
			Routine:  {Acknowledge: 72 * time.Hour, Respond: 14 * 24 * time.Hour},
		},
		MaxBody:     50_000,
		Attachments: DefaultAttachmentLimits(),
	}
}

// Message is one communication in a thread.
type Message struct {
	ID              string
	ThreadID        string
	ParentID        string
	Type            Type
	TemplateVersion int
	SenderState     string
	SenderAccountID string
	SenderLabel     string
	Urgency         Urgency
	TLP             tlp.Label
	PAP             string
	Level           Level
	Subject         string
	Body            string
	Fields          map[string]string
	Provisions      []string
	RequestedAction string
	AckRequested    bool
	Exercise        bool
	CreatedAt       time.Time
	Recipients      []string // recipient States
	Named           []string // TLP:RED named accounts
	Deliveries      []Delivery
	Attachments     []Attachment // metadata; content through Service.Attachment
}

// Delivery is a message's progress at one recipient State.
type Delivery struct {
	ID             string
	MessageID      string
	State          string
	Status         Status
	QueuedAt       time.Time
	DeliveredAt    *time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy string
	RespondedAt    *time.Time
	ClosedAt       *time.Time
	ExpiredAt      *time.Time
	AckDueAt       *time.Time
	ResponseDueAt  *time.Time
	EscalatedAt    *time.Time
}

// Draft is what a POC writes to send a message.
type Draft struct {
	Type            Type
	ReplyTo         string // message id; empty opens a new thread
	Recipients      []string
	Level           Level
	Urgency         Urgency
	TLP             tlp.Label
	PAP             string
	Subject         string
	Body            string
	Fields          map[string]string
	Provisions      []string
	RequestedAction string
	AckRequested    bool
	Named           []string // account ids, required for TLP:RED
	// Exercise marks a thread as part of a tabletop or communication
	// exercise: every view and mail says so. Replies keep the thread's.
	Exercise    bool
	Attachments []Upload // stored with the message, in the same transaction
}
