// Package exercise runs tabletop exercises (CBM 1 (c)(iii)): a director
// (the secretariat, or a State's administrators for a bilateral exercise)
// plays a version of a scenario with a participating State in each role, on
// a clock that runs in real time or faster. Injects reach the points of
// contact of the receiving States at their offset in scenario time, by the
// same mail as real traffic and marked EXERCISE; players acknowledge,
// answer, ask for assistance and escalate; the run matches what they do
// against the scenario's expected actions and measures how long each took.
//
// A run keeps everything in its own tables. Nothing it sends is a
// communication: it never shows in a real inbox, a check's figures or an
// incident.
//
// Who sees what: the director's side sees the whole run; a participating
// State sees the run, its own rows and, when at least three States take
// part, figures across States (with fewer, those figures would be the other
// State's result); anyone else gets "not found". Nobody is ranked: rows
// come in scenario order and then by State code, never by performance.
package exercise

import (
	"slices"
	"time"

	"github.com/detente/detente/internal/scenario"
)

// Status is where a run stands.
type Status string

const (
	Ready   Status = "ready"   // created, not started
	Running Status = "running" // the clock runs and injects go out
	Paused  Status = "paused"  // the clock stands; nothing goes out
	Ended   Status = "ended"   // stopped by the director, or at the scenario's end
)

// Label is the status's name for people (context "exercise status").
func (s Status) Label() string {
	switch s {
	case Ready:
		return "Ready"
	case Running:
		return "Running"
	case Paused:
		return "Paused"
	case Ended:
		return "Ended"
	}
	return string(s)
}

// Levels lists the POC levels in the directory's order.
func Levels() []scenario.Level {
	return []scenario.Level{scenario.Diplomatic, scenario.Policy, scenario.Technical}
}

// Limits of a run's clock: one scenario second per wall second up to one
// scenario day per two minutes.
const (
	MinFactor = 1
	MaxFactor = 720
)

// Run is one exercise run.
type Run struct {
	ID string
	// DirectorState is the State whose administrators direct it; "" for
	// the secretariat.
	DirectorState string
	// Scenario is the version played, as it was. In a list of runs it
	// holds only its ID, Version, Title and Duration.
	Scenario scenario.Scenario
	// Span is the scenario time the run covers: the scenario's duration,
	// or its last inject's offset and an hour for the players to act.
	Span        time.Duration
	Title       string
	Assignments []Assignment // one per role, in the scenario's order of roles
	Levels      []scenario.Level
	Factor      int // scenario seconds per wall second
	Status      Status
	StartedAt   *time.Time
	PausedAt    *time.Time    // while paused
	Paused      time.Duration // wall time paused before PausedAt
	EndedAt     *time.Time
	// PlannedStart is when the players are invited for, if the director
	// set it; TimeZone is the zone it is given and shown in.
	PlannedStart *time.Time
	TimeZone     string
	// Sequence is the iCalendar SEQUENCE of the invitations last mailed.
	Sequence int
	// Cancelled: stopped before it started.
	Cancelled bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// Assignment gives a role to a participating State.
type Assignment struct {
	Role  string
	State string
}

// States lists the participating States, each once, in code order.
func (r Run) States() []string {
	var out []string
	for _, a := range r.Assignments {
		if !slices.Contains(out, a.State) {
			out = append(out, a.State)
		}
	}
	slices.Sort(out)
	return out
}

// StateOf is the State playing role, or "".
func (r Run) StateOf(role string) string {
	for _, a := range r.Assignments {
		if a.Role == role {
			return a.State
		}
	}
	return ""
}

// Elapsed is the scenario time of the run at wall time t: the wall time
// it has run, less its pauses, times its factor, and no more than the
// scenario's duration.
func (r Run) Elapsed(t time.Time) time.Duration {
	if r.StartedAt == nil {
		return 0
	}
	ref := t
	if r.EndedAt != nil && r.EndedAt.Before(ref) {
		ref = *r.EndedAt
	}
	if r.PausedAt != nil && r.PausedAt.Before(ref) {
		ref = *r.PausedAt
	}
	wall := ref.Sub(*r.StartedAt) - r.Paused
	if wall < 0 {
		wall = 0
	}
	d := wall * time.Duration(r.Factor)
	if r.Scenario.Duration > 0 && d > r.Scenario.Duration {
		d = r.Scenario.Duration
	}
	return d
}

// WallAt is the wall time at which a running run reaches scenario time
// d, if it is not paused before. It rounds up, so a job due then finds
// the scenario time reached.
func (r Run) WallAt(d time.Duration) time.Time {
	if r.StartedAt == nil {
		return time.Time{}
	}
	f := time.Duration(r.Factor)
	return r.StartedAt.Add(r.Paused + (d+f-1)/f)
}

// Input is what a director fills in to create a run.
type Input struct {
	ScenarioID      string
	ScenarioVersion int // 0: the newest
	Title           string
	Assignments     []Assignment
	Levels          []scenario.Level
	Factor          int
	Schedule        Schedule
}

// Schedule is when a run is planned to start. Start is a wall time read
// in TimeZone (its own zone is ignored); zero Start: no planned start,
// and so no invitations.
type Schedule struct {
	Start    time.Time
	TimeZone string // IANA name; "": UTC
}

// InviteKind says what a run's invitation mail is.
type InviteKind string

const (
	Invite       InviteKind = "invite" // the first invitation
	InviteUpdate InviteKind = "update" // the planned start moved
	InviteCancel InviteKind = "cancel" // the run will not take place as planned
)

// spanOf is the scenario time a run of sc covers (Run.Span).
func spanOf(sc scenario.Scenario) time.Duration {
	if sc.Duration > 0 {
		return sc.Duration
	}
	var d time.Duration
	for _, inj := range sc.Injects {
		d = max(d, inj.Offset)
	}
	return d + time.Hour
}

// Length is the wall time a run takes at its speed: its span over its
// factor, and at least a quarter of an hour.
func (r Run) Length() time.Duration {
	f := time.Duration(max(r.Factor, 1))
	return max((r.Span+f-1)/f, 15*time.Minute)
}

// Delivery is an inject's arrival at one point of contact.
type Delivery struct {
	ID          string
	RunID       string
	Inject      string
	State       string
	POCID       string
	Level       scenario.Level
	Encrypted   bool
	DeliveredAt time.Time
	ScenarioAt  time.Duration
}

// Mail is one inject to mail to one point of contact.
type Mail struct {
	Delivery Delivery
	POC      POC
}

// POC is what a mail needs of a point of contact.
type POC struct {
	ID        string
	State     string
	Level     scenario.Level
	Emails    []string
	Languages []string
	PGPKey    string
	TimeZone  string // where it works, for times in its mail; "": the run's
	Name      string // the person, or else Function, as its calendar names it
	Function  string
}

// Fired is an inject that has gone out.
type Fired struct {
	Inject      string
	DeliveredAt time.Time
	ScenarioAt  time.Duration
	ByDirector  bool
}

// ActionInput is what a player does about an inject.
type ActionInput struct {
	Inject string
	Action scenario.Action // Acknowledge, Reply, RequestAssistance or Escalate
	Text   string
	Fields map[string]string // a reply's template fields
	ToRole string            // RequestAssistance: the role asked
	Level  scenario.Level    // Escalate: the level it is brought to
}

// PlayerActions are the actions a player may take, in the order forms show
// them; a reply with the template fields filled is a Reply.
func PlayerActions() []scenario.Action {
	return []scenario.Action{scenario.Acknowledge, scenario.Reply, scenario.RequestAssistance, scenario.Escalate}
}

// Action is what a player did.
type Action struct {
	ID         string
	RunID      string
	Inject     string
	State      string
	Level      scenario.Level
	Action     scenario.Action
	Text       string
	Fields     map[string]string
	ToRole     string
	ToLevel    scenario.Level
	AccountID  string
	By         string
	At         time.Time
	ScenarioAt time.Duration
}

// Outcome says whether an expectation was met.
type Outcome string

const (
	Pending Outcome = "pending" // the run goes on and nothing matched yet
	Met     Outcome = "met"     // in time
	Late    Outcome = "late"    // after the time allowed
	Missed  Outcome = "missed"  // not at all by the end
)

// Label is the outcome's name for people (context "exercise outcome").
func (o Outcome) Label() string {
	switch o {
	case Pending:
		return "Pending"
	case Met:
		return "Met"
	case Late:
		return "Met late"
	case Missed:
		return "Missed"
	}
	return string(o)
}

// Result is one expectation of one delivered inject for one receiving
// State.
type Result struct {
	Inject      string
	Title       string // the inject's
	Offset      time.Duration
	Expectation string
	Action      scenario.Action
	Within      time.Duration // 0: no limit
	State       string
	Level       scenario.Level
	DeliveredAt time.Duration // scenario time it reached the State
	Outcome     Outcome
	Measured    *time.Duration // from arrival to the matching action
}

// NoteKind is what a note is.
type NoteKind string

const (
	Observation NoteKind = "observation" // during the run
	WentWell    NoteKind = "went_well"   // a lesson: what went well
	ToImprove   NoteKind = "to_improve"  // a lesson: what did not
)

// NoteKinds lists them in the order forms show them.
func NoteKinds() []NoteKind { return []NoteKind{Observation, WentWell, ToImprove} }

// Label is the kind's name for people (context "exercise note").
func (k NoteKind) Label() string {
	switch k {
	case Observation:
		return "Observation"
	case WentWell:
		return "What went well"
	case ToImprove:
		return "What did not go well"
	}
	return string(k)
}

// Note is an observation or a lesson.
type Note struct {
	ID         string
	RunID      string
	State      string // "" for the secretariat directing
	Kind       NoteKind
	Text       string
	AccountID  string
	By         string
	At         time.Time
	ScenarioAt time.Duration
}

// StateView is one participating State's part in a run as the live view
// shows it: per inject addressed to it, whether it arrived, was
// acknowledged and answered, and each expectation's result.
type StateView struct {
	State   string
	Roles   []string
	Injects []InjectView
}

// InjectView is one inject for one State.
type InjectView struct {
	Inject       string
	Title        string
	Offset       time.Duration
	Level        scenario.Level
	Arrived      *time.Duration // scenario time it arrived; nil before
	POCs         int            // points of contact it reached
	Acknowledged *time.Duration // scenario time from arrival to the first acknowledgement or answer
	Answered     *time.Duration // to the first answer
	Results      []Result
}

// Aggregate is one expectation across the States that received it.
type Aggregate struct {
	Inject      string
	Expectation string
	Action      scenario.Action
	Within      time.Duration
	States      int
	Met         int
	Late        int
	Missed      int
	Pending     int
	Median      *time.Duration // of the measured times, met and late
}

// Live is the live view of a run as a reader may see it.
type Live struct {
	Run     Run
	Now     time.Duration // the run's scenario time
	Fired   []Fired
	States  []StateView // all for the director's side; the reader's own otherwise
	Overall []Aggregate // nil when the reader may not see figures across States
	// Director says whether the reader is on the director's side.
	Director bool
}

// Report is the after-action report of a run.
type Report struct {
	Run      Run
	Now      time.Duration
	Timeline []Event
	Results  []Result
	Overall  []Aggregate
	Notes    []Note
	Director bool
}

// EventKind is what a timeline entry records.
type EventKind string

const (
	EventInject EventKind = "inject" // an inject went out
	EventAction EventKind = "action" // a player acted
	EventNote   EventKind = "note"   // an observation or lesson
)

// Event is one entry of a report's timeline.
type Event struct {
	At         time.Time
	ScenarioAt time.Duration
	Kind       EventKind
	Inject     string
	State      string
	What       string // the action or note kind
	By         string
	Text       string
}
