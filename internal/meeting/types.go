// Package meeting holds the regular meetings of points of contact (CBM 1
// (c)(iv)): who organises them (the secretariat, or a State for a meeting
// it convenes), whom they invite (States, regional groups, levels), their
// agenda, the answers of the invited POCs, and the invitations, updates and
// cancellations mailed with iCalendar (RFC 5545) so that calendars follow.
//
// Who sees what: the organiser and the accounts of every invited State see
// a meeting; its venue and video link only the organiser and the people
// whose accounts answer for an invited POC. Anyone else, another State or
// the secretariat for a meeting a State convenes, gets "not found".
package meeting

import (
	"time"

	"github.com/detente/detente/internal/directory"
)

// Kind is how people attend.
type Kind string

const (
	InPerson Kind = "in_person"
	Virtual  Kind = "virtual"
	Hybrid   Kind = "hybrid"
)

// Kinds lists them in the order forms show them.
func Kinds() []Kind { return []Kind{InPerson, Virtual, Hybrid} }

// Label is the kind's name for people (context "meeting kind").
func (k Kind) Label() string {
	switch k {
	case InPerson:
		return "In person"
	case Virtual:
		return "Virtual"
	case Hybrid:
		return "Hybrid"
	}
	return string(k)
}

// Status is whether a meeting still takes place.
type Status string

const (
	Scheduled Status = "scheduled"
	Cancelled Status = "cancelled"
)

// Answer is an invited POC's reply.
type Answer string

const (
	NeedsAction Answer = "needs_action"
	Accepted    Answer = "accepted"
	Declined    Answer = "declined"
	Tentative   Answer = "tentative"
)

// Answers lists the replies a person may give.
func Answers() []Answer { return []Answer{Accepted, Tentative, Declined} }

// Label is the answer's name for people (context "meeting answer").
func (a Answer) Label() string {
	switch a {
	case NeedsAction:
		return "No answer yet"
	case Accepted:
		return "Accepted"
	case Declined:
		return "Declined"
	case Tentative:
		return "Tentative"
	}
	return string(a)
}

// Level is a POC level a meeting invites.
type Level string

const (
	Diplomatic Level = "diplomatic"
	Policy     Level = "policy"
	Technical  Level = "technical"
)

// Levels lists the levels in the directory's order.
func Levels() []Level { return []Level{Diplomatic, Policy, Technical} }

// AgendaItem is one point of the agenda, with the provisions of the
// framework it is about.
type AgendaItem struct {
	Title      string
	Notes      string
	Provisions []string // catalogue provision ids, e.g. norm-h
}

// Contact is whom invitees ask about the meeting.
type Contact struct {
	Name  string
	Email string
}

// Counts are the answers so far, kept with the meeting.
type Counts struct {
	Invited, Accepted, Declined, Tentative int
}

// Meeting is one meeting as a reader may see it.
type Meeting struct {
	ID string
	// OrganiserState is the State that convenes it; "" for the
	// secretariat.
	OrganiserState string
	Title          string
	Kind           Kind
	Start, End     time.Time // UTC
	TimeZone       string    // the zone the organiser set the times in
	// Venue and VideoURL are empty for a reader who is neither the
	// organiser nor an invitee (Private says whether they were shown).
	Venue    string
	VideoURL string
	Private  bool
	Agenda   []AgendaItem
	States   []string // chosen by name
	Groups   []string // regional groups chosen
	Levels   []Level  // empty: every level
	Invited  []string // every invited State: States and groups' members that participate
	Contact  Contact
	Status   Status
	Sequence int // the iCalendar SEQUENCE: rises when time, place or agenda change
	Version  int
	Counts   Counts
	// MyAnswer is the reader's own answer when an account answers for an
	// invited POC; empty otherwise.
	MyAnswer  Answer
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// Input is what an organiser fills in.
type Input struct {
	Title    string
	Kind     Kind
	Start    time.Time // the wall time is read in TimeZone
	End      time.Time
	TimeZone string
	Venue    string
	VideoURL string
	Agenda   []AgendaItem
	States   []string
	Groups   []string
	Levels   []Level
	Contact  Contact
}

// Invitation is one invited POC's place in a meeting.
type Invitation struct {
	ID         string
	MeetingID  string
	POCID      string
	State      string
	Level      Level
	Answer     Answer
	AnsweredAt *time.Time
	AnsweredBy string
	// SentSequence is the SEQUENCE last mailed to this POC; -1 before the
	// first mail.
	SentSequence int
	Removed      bool // no longer invited after an edit
	CancelSent   bool
	// TimeZone is the invited POC's time zone as the directory has it
	// now; filled where a page shows the meeting to that POC (Invitation),
	// empty where the entry is no longer active.
	TimeZone string
}

// Mail is one mail about a meeting to write for one invited POC: an
// invitation or update (with a fresh answer link), a cancellation, or a
// reminder.
type Mail struct {
	Kind       MailKind
	Invitation Invitation
	POC        directory.POC
	// Token is the answer link's secret, which only the mail carries;
	// empty for a cancellation.
	Token string
}

// MailKind says what a meeting mail is.
type MailKind string

const (
	MailInvite   MailKind = "invite"   // the first invitation
	MailUpdate   MailKind = "update"   // a change to a meeting already mailed
	MailCancel   MailKind = "cancel"   // the meeting, or this POC's place in it, is cancelled
	MailReminder MailKind = "reminder" // the meeting is near
)
