// Package scenario holds the scenarios of tabletop exercises (CBM 1 (c)(iii)):
// what an exercise is meant to practise, the story it tells, and the timeline
// of injects that tell it, each with the actions players are expected to take
// and how long they have. A scenario is versioned: a run plays one version,
// so editing a scenario never changes a run already played.
//
// Scenarios speak in roles ("the affected State", "the State asked for
// help"), not in States: the director of a run gives each role a
// participating State. The secretariat's scenarios, and those that ship with
// the product, are seen by every participating State; a State's own
// scenarios by that State only, until it shares them.
package scenario

import (
	"time"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// Scenario is one version of a scenario.
type Scenario struct {
	ID      string
	Version int // 1 for the first, rising with every saved change
	// OwnerState is the State that wrote it; "" for the secretariat and for
	// the scenarios that ship with the product.
	OwnerState string
	Shipped    bool   // ships with the product; editing makes a copy
	Shared     bool   // a State's scenario other States may run
	Language   string // BCP 47 tag of the text, e.g. "en"
	Title      string
	Summary    string // one paragraph for lists
	Narrative  string // the story players are told at the start
	Objectives []Objective
	Roles      []Role
	Injects    []Inject // in order of Offset, then Key
	// Duration is the scenario time the exercise covers; the clock of a
	// run stops at it unless the director stops it first.
	Duration  time.Duration
	SavedAt   time.Time
	SavedBy   string // account id; "" for shipped versions
	SavedName string // the account's name as it was

	// Withdrawn is set when its owner took it out of the lists: no new
	// run should pick it, but runs that played it still read it.
	Withdrawn bool
	// CopiedFrom is the scenario this one was copied from, "" if none.
	CopiedFrom string
}

// Objective is one thing the exercise practises, tied to the provisions of
// the framework it puts into practice (catalogue ids such as "norm-h").
type Objective struct {
	Text       string
	Provisions []string
}

// Role is a part a participating State plays, such as "A" for the
// affected State. Keys are short, stable within a scenario, and what
// injects and the run's assignment of States refer to.
type Role struct {
	Key         string
	Name        string // "Affected State"
	Description string
}

// InjectKind says how an inject reaches players.
type InjectKind string

const (
	// Communication is sent through the real channel, by mail (OpenPGP
	// where keys exist) and to the run's own inbox, marked EXERCISE.
	Communication InjectKind = "communication"
	// Prompt is shown to players on the run's page and mailed as a
	// notice: "Your CERT confirms the ransomware reached the grid operator".
	Prompt InjectKind = "prompt"
)

// Level is a POC level an inject is addressed to.
type Level string

const (
	Diplomatic Level = "diplomatic"
	Policy     Level = "policy"
	Technical  Level = "technical"
)

// Inject is one event of the timeline.
type Inject struct {
	Key    string        // stable within the scenario: "i1", "ransom-note"
	Offset time.Duration // from the start of the run, in scenario time
	Kind   InjectKind
	Title  string // a line for the timeline and the report

	// From is who sends a communication: either a role played by a
	// participating State, or a simulated party that is not in the run
	// ("Northland national CERT"). Exactly one is set. Prompts have none.
	FromRole      string
	FromSimulated string
	// To are the roles and the level that receive it.
	ToRoles []string
	ToLevel Level

	// A communication, written against the standard template.
	Type        messaging.Type
	Urgency     messaging.Urgency
	TLP         tlp.Label
	Subject     string
	Body        string
	Fields      map[string]string // template fields of Type
	Attachments []Attachment

	// A prompt's text.
	Prompt string

	Expected []Expectation
}

// Attachment is a file an inject carries, kept inside the scenario.
type Attachment struct {
	Name      string
	MediaType string
	Content   []byte
}

// Action is something players do that an expectation waits for.
type Action string

const (
	Acknowledge       Action = "acknowledge"        // acknowledge the communication
	Reply             Action = "reply"              // answer it
	ReplyWithFields   Action = "reply_with_fields"  // answer with the named template fields filled
	RequestAssistance Action = "request_assistance" // send a request for assistance (norm 13(h))
	Escalate          Action = "escalate"           // bring it to another level, usually diplomatic
)

// Actions lists them in the order forms show them.
func Actions() []Action {
	return []Action{Acknowledge, Reply, ReplyWithFields, RequestAssistance, Escalate}
}

// Expectation is an action the receiving roles are expected to take after an
// inject arrives, and the scenario time they have. A run matches it
// automatically against what players do and measures how long it took.
type Expectation struct {
	Key    string // stable within the inject
	Action Action
	Within time.Duration // scenario time from the inject's arrival
	// Fields are the template fields a ReplyWithFields answer must fill.
	Fields []string
	// Level is the level an Escalate must reach (Diplomatic when unset).
	Level Level
	// ToRole is whom a RequestAssistance must be sent to; "" for anyone.
	ToRole string
	Note   string // what good looks like, for the director and the report
}

// Summary is a scenario as lists show it.
type Summary struct {
	ID         string
	Version    int
	OwnerState string
	Shipped    bool
	Shared     bool
	Title      string
	Summary    string
	Injects    int
	Duration   time.Duration
	Provisions []string // of every objective
	SavedAt    time.Time
}

// Input is what a writer sets in a new version: everything of a Scenario
// but what the service decides (identity, owner, sharing, who saved it).
type Input struct {
	Language   string
	Title      string
	Summary    string
	Narrative  string
	Objectives []Objective
	Roles      []Role
	Injects    []Inject
	Duration   time.Duration
}

// InputOf is the input that saves sc again unchanged.
func InputOf(sc Scenario) Input {
	return Input{Language: sc.Language, Title: sc.Title, Summary: sc.Summary, Narrative: sc.Narrative,
		Objectives: sc.Objectives, Roles: sc.Roles, Injects: sc.Injects, Duration: sc.Duration}
}

// Filter narrows a list of scenarios.
type Filter struct {
	Provision string // catalogue id an objective must name; "" for any
	// Owner: "" for every scenario the reader sees, "shipped" for those
	// that ship with the product, "mine" for those of the reader's side
	// (its State's, or the secretariat's own).
	Owner string
}

// VersionInfo is one saved version as the history lists it.
type VersionInfo struct {
	Version   int
	Title     string
	SavedAt   time.Time
	SavedBy   string
	SavedName string
}
