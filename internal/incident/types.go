// Package incident records ICT incidents the way norm 13(b) asks — all
// relevant information, the larger context, the challenges of attribution
// and the nature and extent of the consequences — and assesses them: the
// attribution assessments made of an incident, side by side, and a finding
// per provision of the framework. An incident is shared by TLP label and
// recipient States under the disclosure policy of communications
// (disclosure.go).
package incident

import (
	"time"

	"github.com/detente/detente/internal/tlp"
)

// Status is where an incident stands: open while it is handled, assessed
// once the reporting State has assessed it, closed when done. A closed or
// assessed incident may be reopened.
type Status string

const (
	Open     Status = "open"
	Assessed Status = "assessed"
	Closed   Status = "closed"
)

// Statuses lists them in the order an incident moves through them.
func Statuses() []Status { return []Status{Open, Assessed, Closed} }

// next says which statuses each status may move to.
var next = map[Status][]Status{
	Open:     {Assessed, Closed},
	Assessed: {Open, Closed},
	Closed:   {Open},
}

// Label is the status's name for people (through the catalogue, context
// "incident status").
func (s Status) Label() string {
	switch s {
	case Open:
		return "Open"
	case Assessed:
		return "Assessed"
	case Closed:
		return "Closed"
	}
	return string(s)
}

// Sector is a critical-infrastructure sector an incident may affect. The
// codes are stable: they are stored, filtered on and exported.
type Sector string

// sectors is the fixed list, with each sector's name for people (through
// the catalogue, context "incident sector").
var sectors = []struct {
	code  Sector
	label string
}{
	{"energy", "Energy"},
	{"health", "Health care and public health"},
	{"finance", "Banking and finance"},
	{"transport", "Transport"},
	{"water", "Water and wastewater"},
	{"telecom", "Telecommunications"},
	{"digital-infra", "Digital infrastructure"},
	{"government", "Government services"},
	{"food", "Food and agriculture"},
	{"manufacturing", "Critical manufacturing"},
	{"chemical", "Chemical industry"},
	{"space", "Space"},
	{"defence-industrial", "Defence industry"},
	{"emergency-services", "Emergency services"},
	{"education-research", "Education and research"},
	{"elections", "Electoral infrastructure"},
}

// Sectors lists every sector code, in the order pages show them.
func Sectors() []Sector {
	out := make([]Sector, len(sectors))
	for i, s := range sectors {
		out[i] = s.code
	}
	return out
}

// Valid reports whether s is one of the sectors.
func (s Sector) Valid() bool { return s.Label() != "" }

// Label is the sector's name for people, "" for an unknown code.
func (s Sector) Label() string {
	for _, x := range sectors {
		if x.code == s {
			return x.label
		}
	}
	return ""
}

// Severity places an incident's consequences on a fixed scale, from no
// lasting effect to a national emergency.
type Severity string

const (
	SeverityUnknown   Severity = "unknown"
	SeverityLow       Severity = "low"
	SeverityMedium    Severity = "medium"
	SeverityHigh      Severity = "high"
	SeveritySevere    Severity = "severe"
	SeverityEmergency Severity = "emergency"
)

// Severities lists the scale from least to most severe, unknown first.
func Severities() []Severity {
	return []Severity{SeverityUnknown, SeverityLow, SeverityMedium, SeverityHigh, SeveritySevere, SeverityEmergency}
}

// Label is the severity's name for people (context "incident severity").
func (s Severity) Label() string {
	switch s {
	case SeverityUnknown:
		return "Not known yet"
	case SeverityLow:
		return "Low: little effect on services"
	case SeverityMedium:
		return "Medium: services degraded"
	case SeverityHigh:
		return "High: essential services disrupted"
	case SeveritySevere:
		return "Severe: lasting disruption or harm to people"
	case SeverityEmergency:
		return "Emergency: loss of life or a national emergency"
	}
	return string(s)
}

// Event is one line of an incident's timeline.
type Event struct {
	At     time.Time
	What   string
	Source string // who or what says so: a sensor, a CERT, a communication
}

// Consequences is the nature and extent of what happened (norm 13(b)).
type Consequences struct {
	Scope    string // who and what was hit, and how widely
	Duration string // how long the effects lasted or are expected to
	Physical string
	Economic string
	Societal string
	Severity Severity
}

// Context is the larger picture around an incident.
type Context struct {
	Tensions string   // ongoing tensions or events the incident sits in
	Related  []string // other incidents, by id (only those the reader may read are shown)
}

// Incident is one recorded ICT incident.
type Incident struct {
	ID              string
	ReportingState  string
	AuthorAccountID string
	Title           string
	Summary         string
	OccurredAt      time.Time
	Timeline        []Event
	Sectors         []Sector
	Consequences    Consequences
	Context         Context
	Status          Status
	TLP             tlp.Label
	Recipients      []string // recipient States
	Named           []string // accounts, for TLP:RED
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	UpdatedBy       string // the label of who made the last change

	// Filled when read, not part of a version: the communications linked
	// to the incident that the reader may read, and how many assessments
	// and engaged provisions it has.
	Messages     []string
	Attributions int
	Engaged      int
}

// Input is what the reporting State writes to record or edit an incident.
type Input struct {
	Title        string
	Summary      string
	OccurredAt   time.Time
	Timeline     []Event
	Sectors      []Sector
	Consequences Consequences
	Context      Context
	TLP          tlp.Label
	Recipients   []string // participating States other than the reporting one
	Named        []string // accounts of the reporting or recipient States, only for TLP:RED
}

// Version is one version of an incident: the record as it became, and who
// made it so when.
type Version struct {
	Number     int
	Action     string // create, edit, status, link
	ActorID    string
	ActorLabel string
	At         time.Time
	Incident   Incident
}

// Filter narrows a list of incidents. Zero fields match everything; From
// and To bound when an incident occurred (To excluded).
type Filter struct {
	Status    Status
	Sector    Sector
	Provision string // a catalogue provision found engaged
	State     string // the reporting State
	From, To  *time.Time
}

// Count is one bar of a chart: how many incidents a reader may read fall
// under a key (a sector code or a provision id).
type Count struct {
	Key string
	N   int
}

// Counts are the figures behind the charts, over what the reader may read.
type Counts struct {
	BySector    []Count // sector order
	ByProvision []Count // catalogue order; provisions found engaged at least once
}
