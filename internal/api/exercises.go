package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/scenario"
)

// The wire shapes of exercise runs. Every one of them says "exercise":
// true, so that a consumer that stores or forwards it cannot take an
// inject or a player's answer for real traffic. The names follow the
// report's JSON file (exercise.WriteJSON): durations are seconds of
// scenario time, in fields ending _s.

type runScenarioOut struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Title    string `json:"title"`
	Duration int64  `json:"duration_s"`
}

type runRoleOut struct {
	Role  string `json:"role"`
	State string `json:"state"`
}

type runOut struct {
	Exercise bool   `json:"exercise"`
	Marking  string `json:"marking"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	// DirectorState is empty when the secretariat directs the run.
	DirectorState string         `json:"director_state"`
	Scenario      runScenarioOut `json:"scenario"`
	Roles         []runRoleOut   `json:"roles"`
	Levels        []string       `json:"levels"`
	Factor        int            `json:"factor"`
	Status        string         `json:"status"`
	StartedAt     *time.Time     `json:"started_at"`
	PausedAt      *time.Time     `json:"paused_at"`
	EndedAt       *time.Time     `json:"ended_at"`
	PlannedStart  *time.Time     `json:"planned_start"`
	TimeZone      string         `json:"time_zone"`
	Sequence      int            `json:"sequence"`
	Cancelled     bool           `json:"cancelled"`
	Version       int            `json:"version"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// exerciseMarking is the marking every run carries, in English whatever
// the language, as on the pages and mails.
const exerciseMarking = "EXERCISE"

func runFrom(r exercise.Run) runOut {
	out := runOut{Exercise: true, Marking: exerciseMarking, ID: r.ID, Title: r.Title, DirectorState: r.DirectorState,
		Scenario: runScenarioOut{ID: r.Scenario.ID, Version: r.Scenario.Version, Title: r.Scenario.Title, Duration: runSecs(r.Scenario.Duration)},
		Roles:    make([]runRoleOut, len(r.Assignments)), Levels: levelsOf(r.Levels), Factor: r.Factor, Status: string(r.Status),
		StartedAt: utcPtr(r.StartedAt), PausedAt: utcPtr(r.PausedAt), EndedAt: utcPtr(r.EndedAt),
		PlannedStart: utcPtr(r.PlannedStart), TimeZone: r.TimeZone, Sequence: r.Sequence, Cancelled: r.Cancelled, Version: r.Version,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
	for k, as := range r.Assignments {
		out.Roles[k] = runRoleOut{Role: as.Role, State: as.State}
	}
	return out
}

func runSecs(d time.Duration) int64 { return int64(d / time.Second) }

func runSecsPtr(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := runSecs(*d)
	return &s
}

// within is a time allowed: null for none.
func runWithin(d time.Duration) *int64 {
	if d <= 0 {
		return nil
	}
	return runSecsPtr(&d)
}

func levelsOf(ls []scenario.Level) []string {
	out := make([]string, len(ls))
	for k, l := range ls {
		out[k] = string(l)
	}
	return out
}

// runList is a page of runs, marked as a whole too.
type runList struct {
	Exercise bool `json:"exercise"`
	list[runOut]
}

type runResultOut struct {
	Inject      string `json:"inject"`
	Title       string `json:"title"`
	Offset      int64  `json:"offset_s"`
	State       string `json:"state"`
	Level       string `json:"level"`
	Expectation string `json:"expectation"`
	Action      string `json:"action"`
	Within      *int64 `json:"within_s"`
	Arrived     int64  `json:"arrived_s"`
	Outcome     string `json:"outcome"`
	Measured    *int64 `json:"measured_s"`
}

func runResultFrom(r exercise.Result) runResultOut {
	return runResultOut{Inject: r.Inject, Title: r.Title, Offset: runSecs(r.Offset), State: r.State, Level: string(r.Level),
		Expectation: r.Expectation, Action: string(r.Action), Within: runWithin(r.Within), Arrived: runSecs(r.DeliveredAt),
		Outcome: string(r.Outcome), Measured: runSecsPtr(r.Measured)}
}

type aggregateOut struct {
	Inject      string `json:"inject"`
	Expectation string `json:"expectation"`
	Action      string `json:"action"`
	Within      *int64 `json:"within_s"`
	States      int    `json:"states"`
	Met         int    `json:"met"`
	Late        int    `json:"late"`
	Missed      int    `json:"missed"`
	Pending     int    `json:"pending"`
	Median      *int64 `json:"median_s"`
}

// aggregatesFrom keeps nil as nil: a reader not shown figures across
// States gets null, not an empty list that would read as "none".
func aggregatesFrom(ags []exercise.Aggregate) []aggregateOut {
	if ags == nil {
		return nil
	}
	out := make([]aggregateOut, len(ags))
	for k, ag := range ags {
		out[k] = aggregateOut{Inject: ag.Inject, Expectation: ag.Expectation, Action: string(ag.Action), Within: runWithin(ag.Within),
			States: ag.States, Met: ag.Met, Late: ag.Late, Missed: ag.Missed, Pending: ag.Pending, Median: runSecsPtr(ag.Median)}
	}
	return out
}

type firedOut struct {
	Inject      string    `json:"inject"`
	DeliveredAt time.Time `json:"delivered_at"`
	ScenarioAt  int64     `json:"scenario_time_s"`
	ByDirector  bool      `json:"by_director"`
}

type injectViewOut struct {
	Inject       string         `json:"inject"`
	Title        string         `json:"title"`
	Offset       int64          `json:"offset_s"`
	Level        string         `json:"level"`
	Arrived      *int64         `json:"arrived_s"`
	POCs         int            `json:"pocs"`
	Acknowledged *int64         `json:"acknowledged_s"`
	Answered     *int64         `json:"answered_s"`
	Results      []runResultOut `json:"results"`
}

type stateViewOut struct {
	State   string          `json:"state"`
	Roles   []string        `json:"roles"`
	Injects []injectViewOut `json:"injects"`
}

type liveOut struct {
	Exercise   bool           `json:"exercise"`
	Run        runOut         `json:"run"`
	ScenarioAt int64          `json:"scenario_time_s"`
	Director   bool           `json:"director"`
	Fired      []firedOut     `json:"fired"`
	States     []stateViewOut `json:"states"`
	Overall    []aggregateOut `json:"across_states"`
}

func liveFrom(lv exercise.Live) liveOut {
	out := liveOut{Exercise: true, Run: runFrom(lv.Run), ScenarioAt: runSecs(lv.Now), Director: lv.Director,
		Fired: make([]firedOut, len(lv.Fired)), States: make([]stateViewOut, len(lv.States)), Overall: aggregatesFrom(lv.Overall)}
	for k, f := range lv.Fired {
		out.Fired[k] = firedOut{Inject: f.Inject, DeliveredAt: utc(f.DeliveredAt), ScenarioAt: runSecs(f.ScenarioAt), ByDirector: f.ByDirector}
	}
	for k, sv := range lv.States {
		st := stateViewOut{State: sv.State, Roles: nonNil(sv.Roles), Injects: make([]injectViewOut, len(sv.Injects))}
		for j, iv := range sv.Injects {
			st.Injects[j] = injectViewOut{Inject: iv.Inject, Title: iv.Title, Offset: runSecs(iv.Offset), Level: string(iv.Level),
				Arrived: runSecsPtr(iv.Arrived), POCs: iv.POCs, Acknowledged: runSecsPtr(iv.Acknowledged), Answered: runSecsPtr(iv.Answered),
				Results: listOf(iv.Results, runResultFrom).Items}
		}
		out.States[k] = st
	}
	return out
}

type runEventOut struct {
	At         time.Time `json:"at"`
	ScenarioAt int64     `json:"scenario_time_s"`
	Kind       string    `json:"kind"`
	Inject     string    `json:"inject,omitempty"`
	State      string    `json:"state,omitempty"`
	What       string    `json:"what,omitempty"`
	By         string    `json:"by,omitempty"`
	Text       string    `json:"text,omitempty"`
}

type runNoteOut struct {
	Exercise   bool      `json:"exercise"`
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ScenarioAt int64     `json:"scenario_time_s"`
	// State is empty for the secretariat.
	State string `json:"state"`
	Kind  string `json:"kind"`
	By    string `json:"by"`
	Text  string `json:"text"`
}

func runNoteFrom(n exercise.Note) runNoteOut {
	return runNoteOut{Exercise: true, ID: n.ID, At: utc(n.At), ScenarioAt: runSecs(n.ScenarioAt), State: n.State, Kind: string(n.Kind), By: n.By, Text: n.Text}
}

// runReportOut is the report as exercise.WriteJSON writes its file, with
// the run as the API gives it elsewhere.
type runReportOut struct {
	Exercise   bool           `json:"exercise"`
	Run        runOut         `json:"run"`
	ScenarioAt int64          `json:"scenario_time_s"`
	Director   bool           `json:"director"`
	Timeline   []runEventOut  `json:"timeline"`
	Results    []runResultOut `json:"results"`
	Overall    []aggregateOut `json:"across_states"`
	Notes      []runNoteOut   `json:"notes"`
}

func runReportFrom(rep exercise.Report) runReportOut {
	out := runReportOut{Exercise: true, Run: runFrom(rep.Run), ScenarioAt: runSecs(rep.Now), Director: rep.Director,
		Timeline: make([]runEventOut, len(rep.Timeline)), Results: listOf(rep.Results, runResultFrom).Items,
		Overall: aggregatesFrom(rep.Overall), Notes: listOf(rep.Notes, runNoteFrom).Items}
	for k, e := range rep.Timeline {
		out.Timeline[k] = runEventOut{At: utc(e.At), ScenarioAt: runSecs(e.ScenarioAt), Kind: string(e.Kind), Inject: e.Inject,
			State: e.State, What: e.What, By: e.By, Text: e.Text}
	}
	return out
}

type runActionOut struct {
	Exercise   bool              `json:"exercise"`
	ID         string            `json:"id"`
	Inject     string            `json:"inject"`
	State      string            `json:"state"`
	Level      string            `json:"level"`
	Action     string            `json:"action"`
	Text       string            `json:"text"`
	Fields     map[string]string `json:"fields"`
	ToRole     string            `json:"to_role,omitempty"`
	ToLevel    string            `json:"to_level,omitempty"`
	By         string            `json:"by"`
	At         time.Time         `json:"at"`
	ScenarioAt int64             `json:"scenario_time_s"`
}

func runActionFrom(x exercise.Action) runActionOut {
	out := runActionOut{Exercise: true, ID: x.ID, Inject: x.Inject, State: x.State, Level: string(x.Level), Action: string(x.Action),
		Text: x.Text, Fields: x.Fields, ToRole: x.ToRole, ToLevel: string(x.ToLevel), By: x.By, At: utc(x.At), ScenarioAt: runSecs(x.ScenarioAt)}
	if out.Fields == nil {
		out.Fields = map[string]string{}
	}
	return out
}

// receivedInjectOut is an inject as its receivers read it: what it says,
// not what is expected of them.
type receivedInjectOut struct {
	Key           string            `json:"key"`
	Kind          string            `json:"kind"`
	Title         string            `json:"title"`
	FromRole      string            `json:"from_role,omitempty"`
	FromSimulated string            `json:"from_simulated,omitempty"`
	ToRoles       []string          `json:"to_roles"`
	ToLevel       string            `json:"to_level"`
	Type          string            `json:"type,omitempty"`
	Urgency       string            `json:"urgency,omitempty"`
	TLP           string            `json:"tlp,omitempty"`
	Subject       string            `json:"subject,omitempty"`
	Body          string            `json:"body,omitempty"`
	Fields        map[string]string `json:"fields,omitempty"`
	Attachments   []string          `json:"attachments"`
	Prompt        string            `json:"prompt,omitempty"`
}

type receivedOut struct {
	Exercise   bool              `json:"exercise"`
	Inject     receivedInjectOut `json:"inject"`
	State      string            `json:"state"`
	Level      string            `json:"level"`
	ScenarioAt int64             `json:"scenario_time_s"`
	At         time.Time         `json:"at"`
	Actions    []runActionOut    `json:"actions"`
}

func receivedFrom(rc exercise.Received) receivedOut {
	inj := rc.Inject
	in := receivedInjectOut{Key: inj.Key, Kind: string(inj.Kind), Title: inj.Title, FromRole: inj.FromRole, FromSimulated: inj.FromSimulated,
		ToRoles: nonNil(inj.ToRoles), ToLevel: string(inj.ToLevel), Type: string(inj.Type), Urgency: string(inj.Urgency), TLP: string(inj.TLP),
		Subject: inj.Subject, Body: inj.Body, Fields: inj.Fields, Attachments: []string{}, Prompt: inj.Prompt}
	for _, at := range inj.Attachments {
		in.Attachments = append(in.Attachments, at.Name)
	}
	return receivedOut{Exercise: true, Inject: in, State: rc.State, Level: string(rc.Level), ScenarioAt: runSecs(rc.ScenarioAt),
		At: utc(rc.At), Actions: listOf(rc.Actions, runActionFrom).Items}
}

type receivedList struct {
	Exercise bool `json:"exercise"`
	list[receivedOut]
}

type runRoleIn struct {
	Role  string `json:"role"`
	State string `json:"state"`
}

// runIn is a run as its director creates it.
type runIn struct {
	Scenario        string      `json:"scenario"`
	ScenarioVersion int         `json:"scenario_version"`
	Title           string      `json:"title"`
	Roles           []runRoleIn `json:"roles"`
	Levels          []string    `json:"levels"`
	Factor          int         `json:"factor"`
	PlannedStart    string      `json:"planned_start"`
	TimeZone        string      `json:"time_zone"`
}

// runSchedule reads a planned start as the meetings' times are read: a
// wall time in zone, or an RFC 3339 time moved into it; one that cannot
// be read is a field error.
func runSchedule(start, zone string) (exercise.Schedule, error) {
	out := exercise.Schedule{TimeZone: strings.TrimSpace(zone)}
	if strings.TrimSpace(start) == "" {
		return out, nil
	}
	t, ok := meetingTime(start, out.TimeZone)
	if !ok {
		var bad errs.Fields
		bad.Add("planned_start", msgMeetingTime)
		return out, bad.Err()
	}
	out.Start = t
	return out, nil
}

func (in runIn) input() exercise.Input {
	out := exercise.Input{ScenarioID: in.Scenario, ScenarioVersion: in.ScenarioVersion, Title: in.Title, Factor: in.Factor}
	for _, r := range in.Roles {
		out.Assignments = append(out.Assignments, exercise.Assignment{Role: r.Role, State: r.State})
	}
	for _, l := range in.Levels {
		out.Levels = append(out.Levels, scenario.Level(strings.TrimSpace(l)))
	}
	return out
}

// runError names the service's "assignments" fields as the body does:
// "roles", and "roles.A" for role A.
func runError(err error) error {
	names := map[string]string{"assignments": "roles"}
	for k := range errs.FieldsOf(err) {
		if role, ok := strings.CutPrefix(k, "assignments."); ok {
			names[k] = "roles." + role
		}
	}
	return renameFields(err, names)
}

type runVersionIn struct {
	Version *int `json:"version"`
}

type runScheduleIn struct {
	Version      *int   `json:"version"`
	PlannedStart string `json:"planned_start"`
	TimeZone     string `json:"time_zone"`
}

type runInjectIn struct {
	Version *int   `json:"version"`
	Inject  string `json:"inject"`
}

type runActionIn struct {
	Inject string            `json:"inject"`
	Action string            `json:"action"`
	Text   string            `json:"text"`
	Fields map[string]string `json:"fields"`
	ToRole string            `json:"to_role"`
	Level  string            `json:"level"`
}

type runNoteIn struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

func writeRun(w http.ResponseWriter, status int, r exercise.Run) error {
	w.Header().Set("ETag", etag(r.Version))
	return writeJSON(w, status, runFrom(r))
}

// listRuns lists the runs the caller sees, newest first.
func (s *server) listRuns(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Exercises.Runs(r.Context(), a, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, runList{Exercise: true, list: pageOf(r, p, runFrom)})
}

func (s *server) createRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in runIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	input := in.input()
	sched, err := runSchedule(in.PlannedStart, in.TimeZone)
	if err != nil {
		if cerr := s.app.Exercises.CanCreate(r.Context(), a); cerr != nil {
			return cerr // the body's own error is for a director only
		}
		return err
	}
	input.Schedule = sched
	run, err := s.app.Exercises.Create(r.Context(), a, input)
	if err != nil {
		return runError(err)
	}
	w.Header().Set("Location", prefix+"/exercise-runs/"+run.ID)
	return writeRun(w, http.StatusCreated, run)
}

func (s *server) getRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	run, err := s.app.Exercises.Run(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRun(w, http.StatusOK, run)
}

// directRun is start, pause, resume or stop: the director's side changes
// the run's clock at the version it saw (If-Match or version); the body
// is optional when If-Match says it.
func (s *server) directRun(w http.ResponseWriter, r *http.Request, a actor.Actor,
	change func(*exercise.Service, context.Context, actor.Actor, string, int) (exercise.Run, error)) error {
	var in runVersionIn
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	run, err := change(s.app.Exercises, r.Context(), a, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	return writeRun(w, http.StatusOK, run)
}

func (s *server) startRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	return s.directRun(w, r, a, (*exercise.Service).Start)
}

func (s *server) pauseRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	return s.directRun(w, r, a, (*exercise.Service).Pause)
}

func (s *server) resumeRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	return s.directRun(w, r, a, (*exercise.Service).Resume)
}

func (s *server) stopRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	return s.directRun(w, r, a, (*exercise.Service).Stop)
}

// scheduleRun moves, sets or takes away the planned start before the run
// starts; the players get the change by mail.
func (s *server) scheduleRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in runScheduleIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	sched, err := runSchedule(in.PlannedStart, in.TimeZone)
	if err != nil {
		// Anyone but the director gets the service's refusal, not the
		// body's own error.
		if derr := s.app.Exercises.MayDirect(r.Context(), a, id); derr != nil {
			return derr
		}
		return err
	}
	run, err := s.app.Exercises.Reschedule(r.Context(), a, id, version, sched)
	if err != nil {
		return err
	}
	return writeRun(w, http.StatusOK, run)
}

// injectRun sends one inject at once, whatever its offset.
func (s *server) injectRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in runInjectIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	run, err := s.app.Exercises.InjectNow(r.Context(), a, r.PathValue("id"), version, strings.TrimSpace(in.Inject))
	if err != nil {
		return err
	}
	return writeRun(w, http.StatusOK, run)
}

func (s *server) liveRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	lv, err := s.app.Exercises.Live(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, liveFrom(lv))
}

func (s *server) runReport(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	rep, err := s.app.Exercises.Report(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, runReportFrom(rep))
}

// runReceived lists the injects that reached the points of contact the
// caller's account answers for, with what its State did about each.
func (s *server) runReceived(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	rcs, err := s.app.Exercises.Received(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, receivedList{Exercise: true, list: listOf(rcs, receivedFrom)})
}

// actRun records a player's action about an inject it received.
func (s *server) actRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in runActionIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	x, err := s.app.Exercises.Act(r.Context(), a, r.PathValue("id"), exercise.ActionInput{Inject: in.Inject,
		Action: scenario.Action(strings.TrimSpace(in.Action)), Text: in.Text, Fields: in.Fields, ToRole: in.ToRole,
		Level: scenario.Level(strings.TrimSpace(in.Level))})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, runActionFrom(x))
}

// noteRun records an observation while the run goes on, or a lesson once
// it has ended.
func (s *server) noteRun(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in runNoteIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.app.Exercises.AddNote(r.Context(), a, r.PathValue("id"), exercise.NoteKind(strings.TrimSpace(in.Kind)), in.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, runNoteFrom(n))
}
