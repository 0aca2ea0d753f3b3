// Package survey holds the national survey of implementation: the cycles
// the secretariat opens and the report each State drafts in a cycle, answer
// by answer under the provisions of the catalogue, submits and publishes at
// the visibility it chooses.
//
// Who reads a report: its own State's accounts, whatever its status; the
// secretariat once it is submitted; other participating States once it is
// published for participants or the public; everyone else once it is
// published for the public. Drafts and private reports never leave the
// State and the secretariat. No question is mandatory.
package survey

import (
	"time"

	"github.com/detente/detente/internal/catalog"
)

// Part is one of the four parts of a report, each built from one kind of
// provision of the catalogue.
type Part string

const (
	PartLaw         Part = "law"         // I: views on how international law applies
	PartNorms       Part = "norms"       // II: the norms 13(a)–(k)
	PartCBMs        Part = "cbms"        // III: confidence-building measures and their items
	PartCooperation Part = "cooperation" // IV: cooperation and capacity building
)

// Parts lists the parts in the order of the report.
func Parts() []Part { return []Part{PartLaw, PartNorms, PartCBMs, PartCooperation} }

// Kind is the catalogue kind a part is built from.
func (p Part) Kind() catalog.Kind {
	switch p {
	case PartLaw:
		return catalog.KindLaw
	case PartNorms:
		return catalog.KindNorm
	case PartCBMs:
		return catalog.KindCBM
	case PartCooperation:
		return catalog.KindRecommendation
	}
	return ""
}

// Label names the part (context "survey part").
func (p Part) Label() string {
	switch p {
	case PartLaw:
		return "Part I: International law"
	case PartNorms:
		return "Part II: Norms of responsible State behaviour"
	case PartCBMs:
		return "Part III: Confidence-building measures"
	case PartCooperation:
		return "Part IV: Cooperation and capacity building"
	}
	return string(p)
}

// Status is where a report stands.
type Status string

const (
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Published Status = "published"
)

// Label names the status (context "survey status").
func (s Status) Label() string {
	switch s {
	case Draft:
		return "Draft"
	case Submitted:
		return "Submitted"
	case Published:
		return "Published"
	}
	return string(s)
}

// Visibility is who may read a published report.
type Visibility string

const (
	Private      Visibility = "private"      // its own State and the secretariat
	Participants Visibility = "participants" // every participating State's accounts and the secretariat
	Public       Visibility = "public"       // anyone
)

// Visibilities lists them from the narrowest.
func Visibilities() []Visibility { return []Visibility{Private, Participants, Public} }

// Label names the visibility, as capacity building names its own
// (context "capacity visibility").
func (v Visibility) Label() string {
	switch v {
	case Private:
		return "Private: my State and the secretariat"
	case Participants:
		return "Participating States and the secretariat"
	case Public:
		return "Public"
	}
	return string(v)
}

// Choice is an answer to a single-choice question; "" is unanswered.
type Choice string

const (
	Yes           Choice = "yes"
	Partly        Choice = "partly"
	No            Choice = "no"
	NotConsidered Choice = "not_considered"
)

// Choices lists the answers a single-choice question offers.
func Choices() []Choice { return []Choice{Yes, Partly, No, NotConsidered} }

// Label names the choice (context "survey choice").
func (c Choice) Label() string {
	switch c {
	case Yes:
		return "Yes"
	case Partly:
		return "Partly"
	case No:
		return "No"
	case NotConsidered:
		return "Not yet considered"
	}
	return string(c)
}

// Actor is who takes part in implementing a provision, the multiple-choice
// question of every answer.
type Actor string

const (
	Government    Actor = "government"
	PrivateSector Actor = "private_sector"
	CivilSociety  Actor = "civil_society"
	Academia      Actor = "academia"
	International Actor = "international"
)

// Actors lists them in the order forms show them.
func Actors() []Actor {
	return []Actor{Government, PrivateSector, CivilSociety, Academia, International}
}

// Label names the actor (context "survey actor").
func (a Actor) Label() string {
	switch a {
	case Government:
		return "Government bodies"
	case PrivateSector:
		return "Private sector"
	case CivilSociety:
		return "Civil society"
	case Academia:
		return "Academia"
	case International:
		return "International or regional partners"
	}
	return string(a)
}

// Cycle is a round of the survey the secretariat opens.
type Cycle struct {
	ID        string
	Name      string // "2027"
	Opens     time.Time
	Deadline  time.Time // reports are submitted up to the end of this day
	CreatedAt time.Time
	CreatedBy string
}

// Closed reports whether submissions are refused at now.
func (c Cycle) Closed(now time.Time) bool { return !now.Before(c.Deadline.AddDate(0, 0, 1)) }

// CycleInput is what the secretariat fills in.
type CycleInput struct {
	Name     string
	Opens    *time.Time
	Deadline *time.Time
}

// Subject is what an answer is about: a provision, or one lettered item
// of it.
type Subject struct {
	Provision string // catalogue id
	Item      string // an item's label; "" for the provision itself
}

// Key is the subject as forms and exports name it: "cbm-1" or "cbm-1.a".
func (s Subject) Key() string {
	if s.Item == "" {
		return s.Provision
	}
	return s.Provision + "." + s.Item
}

// Answer is what a report says under one subject. Every field is optional.
type Answer struct {
	Subject
	Taken      Choice  // has the State taken measures under it?
	Policy     Choice  // is it reflected in national policy or strategy?
	Support    Choice  // would the State welcome support to implement it?
	Actors     []Actor // who takes part in implementing it
	Measures   string  // the measures taken
	Examples   string
	Challenges string
	Gaps       string // capacity gaps
}

// Empty reports whether the answer says nothing.
func (a Answer) Empty() bool {
	return a.Taken == "" && a.Policy == "" && a.Support == "" && len(a.Actors) == 0 &&
		a.Measures == "" && a.Examples == "" && a.Challenges == "" && a.Gaps == ""
}

// RecordsMeasures reports whether the answer says the State has taken
// measures: profiles count these.
func (a Answer) RecordsMeasures() bool {
	return a.Taken == Yes || a.Taken == Partly || a.Measures != ""
}

// Report is a State's report in one cycle.
type Report struct {
	ID          string
	Cycle       Cycle
	State       string
	Status      Status
	Visibility  Visibility // meaningful once published
	Previous    string     // the State's report of the cycle before, "" when none
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	UpdatedBy   string
	SubmittedAt *time.Time
	PublishedAt *time.Time
	Answers     []Answer // in catalogue order; loaded by Report only
}

// Answer returns the answer under key, and whether there is one.
func (r Report) Answer(key string) (Answer, bool) {
	for _, a := range r.Answers {
		if a.Key() == key {
			return a, true
		}
	}
	return Answer{}, false
}

// Change is one saved version of a report: who, when, and the subjects
// whose answers changed.
type Change struct {
	Version int
	At      time.Time
	By      string
	Action  string // start | edit | submit | publish
	Keys    []string
}

// Field names an answer's field in a diff.
type Field string

const (
	FieldTaken      Field = "taken"
	FieldPolicy     Field = "policy"
	FieldSupport    Field = "support"
	FieldActors     Field = "actors"
	FieldMeasures   Field = "measures"
	FieldExamples   Field = "examples"
	FieldChallenges Field = "challenges"
	FieldGaps       Field = "gaps"
)

// Fields lists an answer's fields in the order pages show them.
func Fields() []Field {
	return []Field{FieldTaken, FieldPolicy, FieldSupport, FieldActors, FieldMeasures, FieldExamples, FieldChallenges, FieldGaps}
}

// Value is the field's value in a as text: a choice's code, the actors'
// codes joined by commas, or the text.
func (a Answer) Value(f Field) string {
	switch f {
	case FieldTaken:
		return string(a.Taken)
	case FieldPolicy:
		return string(a.Policy)
	case FieldSupport:
		return string(a.Support)
	case FieldActors:
		s := ""
		for i, x := range a.Actors {
			if i > 0 {
				s += ","
			}
			s += string(x)
		}
		return s
	case FieldMeasures:
		return a.Measures
	case FieldExamples:
		return a.Examples
	case FieldChallenges:
		return a.Challenges
	case FieldGaps:
		return a.Gaps
	}
	return ""
}

// Difference is one field of one subject that changed since the State's
// report of the cycle before.
type Difference struct {
	Subject
	Field  Field
	Before string
	After  string
}

// Diff compares a report with the one before it.
type Diff struct {
	Report   Report
	Previous *Report // nil when there is none the viewer may read
	Changes  []Difference
}
