package exercise

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/validate"
)

// Received is an inject as a player sees it: the inject, when it reached
// the player's State, and what the State has done about it.
type Received struct {
	Inject     scenario.Inject
	State      string
	Level      scenario.Level
	ScenarioAt time.Duration
	At         time.Time
	Actions    []Action
}

// playerDeliveries are the deliveries of run r to the points of contact
// a's account answers for, of inject key ("" for every inject).
func (s *Service) playerDeliveries(ctx context.Context, a actor.Actor, r Run, key string) ([]Delivery, error) {
	pocs, err := s.dir.LinkedPOCs(ctx, a.AccountID)
	if err != nil {
		return nil, err
	}
	ds, err := selectDeliveries(ctx, s.db.R, r.ID, pocs, true)
	if err != nil {
		return nil, errs.Internalf(err, "load deliveries")
	}
	return slices.DeleteFunc(ds, func(d Delivery) bool { return d.State != a.State || key != "" && d.Inject != key }), nil
}

// CanPlay reports why a may not act on inject key of r, or nil: a player
// is an account linked to a point of contact the inject reached.
func (s *Service) CanPlay(ctx context.Context, a actor.Actor, r Run, key string) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if r.Status != Running && r.Status != Paused {
		return errs.E(errs.Conflict, msgNotRunning)
	}
	ds, err := s.playerDeliveries(ctx, a, r, key)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return errs.E(errs.Forbidden, msgNotPlayer)
	}
	return nil
}

// Received lists the injects of run id that reached the points of contact
// a answers for, in the order they arrived, each with what a's State did
// about it.
func (s *Service) Received(ctx context.Context, a actor.Actor, id string) ([]Received, error) {
	r, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ds, err := s.playerDeliveries(ctx, a, r, "")
	if err != nil {
		return nil, err
	}
	acts, err := selectActions(ctx, s.db.R, r.ID, a.State)
	if err != nil {
		return nil, errs.Internalf(err, "load actions")
	}
	var out []Received
	for _, d := range ds {
		if slices.ContainsFunc(out, func(x Received) bool { return x.Inject.Key == d.Inject }) {
			continue
		}
		inj, _ := r.inject(d.Inject)
		rc := Received{Inject: inj, State: d.State, Level: d.Level, ScenarioAt: d.ScenarioAt, At: d.DeliveredAt}
		for _, x := range acts {
			if x.Inject == d.Inject {
				rc.Actions = append(rc.Actions, x)
			}
		}
		out = append(out, rc)
	}
	return out, nil
}

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkAction validates what a player does about inj in r.
func checkAction(r Run, in ActionInput) (Action, error) {
	var f errs.Fields
	x := Action{Action: in.Action, ToRole: strings.TrimSpace(in.ToRole), ToLevel: in.Level}
	if !slices.Contains(PlayerActions(), in.Action) {
		f.Add("action", "choose acknowledge, reply, request assistance or escalate")
	}
	text, problem := validate.Text(in.Text, 0, maxText)
	if problem == "" {
		problem = validate.Plain(text)
	}
	if problem != "" {
		f.Add("text", problem)
	}
	x.Text = text
	if len(in.Fields) > maxFields {
		f.Add("fields", fmt.Sprintf("fill in at most %d fields", maxFields))
	}
	for k, v := range in.Fields {
		if len(k) > maxFieldID || !fieldName.MatchString(k) {
			f.Add("fields", "name fields with lower-case letters, digits and underscores")
			continue
		}
		val, problem := validate.Text(v, 0, maxField)
		if problem == "" {
			problem = validate.Plain(val)
		}
		if problem != "" {
			f.Add("fields."+k, problem)
			continue
		}
		if strings.TrimSpace(val) != "" {
			if x.Fields == nil {
				x.Fields = map[string]string{}
			}
			x.Fields[k] = val
		}
	}
	switch in.Action {
	case scenario.Reply:
		if strings.TrimSpace(x.Text) == "" && len(x.Fields) == 0 {
			f.Add("text", "write an answer or fill in a field")
		}
	case scenario.RequestAssistance:
		if r.StateOf(x.ToRole) == "" || validate.Encoding(x.ToRole) != "" {
			f.Add("to_role", "choose the role whose State you ask for assistance")
		}
	case scenario.Escalate:
		if !slices.Contains(Levels(), x.ToLevel) {
			f.Add("level", "choose the level you bring it to")
		}
	}
	if in.Action != scenario.RequestAssistance {
		x.ToRole = ""
	}
	if in.Action != scenario.Escalate {
		x.ToLevel = ""
	}
	return x, f.Err()
}

// Act records what a player does about inject in.Inject of run id, and
// matches it against the inject's expected actions for the player's
// State: the first matching action within the time allowed meets one, a
// later one meets it late.
func (s *Service) Act(ctx context.Context, a actor.Actor, id string, in ActionInput) (Action, error) {
	if err := a.RequireWrite(); err != nil {
		return Action{}, err
	}
	r, err := s.load(ctx, a, id)
	if err != nil {
		return Action{}, err
	}
	key := strings.TrimSpace(in.Inject)
	inj, ok := r.inject(key)
	if !ok || validate.Encoding(key) != "" {
		var f errs.Fields
		f.Add("inject", "choose an inject of this scenario")
		return Action{}, f.Err()
	}
	if err := s.CanPlay(ctx, a, r, key); err != nil {
		return Action{}, err
	}
	x, err := checkAction(r, in)
	if err != nil {
		return Action{}, err
	}
	ds, err := s.playerDeliveries(ctx, a, r, key)
	if err != nil {
		return Action{}, err
	}
	now := s.clock.Now().UTC()
	x.ID, x.RunID, x.Inject, x.State, x.Level = newID(), r.ID, key, ds[0].State, ds[0].Level
	x.AccountID, x.By, x.At, x.ScenarioAt = a.AccountID, a.Label(), now, r.Elapsed(now)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertAction(ctx, tx, x); err != nil {
			return errs.Internalf(err, "record action")
		}
		pending, err := selectOutcomes(ctx, tx, r.ID, x.State, true)
		if err != nil {
			return errs.Internalf(err, "load expectations")
		}
		var met []string
		for _, o := range pending {
			if o.Inject != key {
				continue
			}
			e, ok := expectation(inj, o.Expectation)
			if !ok || !matches(e, x) {
				continue
			}
			took := max(x.ScenarioAt-o.DeliveredAt, 0)
			status := Met
			if e.Within > 0 && took > e.Within {
				status = Late
			}
			if _, err := settleOutcome(ctx, tx, r.ID, o, status, took, x.ID); err != nil {
				return errs.Internalf(err, "record expectation")
			}
			met = append(met, o.Expectation+":"+string(status))
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "exercise.act", ObjectType: "exercise_run", ObjectID: r.ID, State: x.State,
			Details: map[string]any{"inject": key, "action": x.Action, "scenario_time": x.ScenarioAt.String(), "expectations": met}})
	})
	if err != nil {
		return Action{}, err
	}
	return x, nil
}

func expectation(inj scenario.Inject, key string) (scenario.Expectation, bool) {
	for _, e := range inj.Expected {
		if e.Key == key {
			return e, true
		}
	}
	return scenario.Expectation{}, false
}

// matches reports whether action x meets expectation e. An answer
// acknowledges too; an answer with fields meets a ReplyWithFields only when
// every field it names is filled.
func matches(e scenario.Expectation, x Action) bool {
	switch e.Action {
	case scenario.Acknowledge:
		return x.Action == scenario.Acknowledge || x.Action == scenario.Reply
	case scenario.Reply:
		return x.Action == scenario.Reply
	case scenario.ReplyWithFields:
		if x.Action != scenario.Reply {
			return false
		}
		for _, f := range e.Fields {
			if strings.TrimSpace(x.Fields[f]) == "" {
				return false
			}
		}
		return true
	case scenario.RequestAssistance:
		return x.Action == scenario.RequestAssistance && (e.ToRole == "" || e.ToRole == x.ToRole)
	case scenario.Escalate:
		want := e.Level
		if want == "" {
			want = scenario.Diplomatic
		}
		return x.Action == scenario.Escalate && x.ToLevel == want
	}
	return false
}

// AddNote records an observation (while the run goes on) or a lesson
// (once it has ended) by the director's side or a participating State.
func (s *Service) AddNote(ctx context.Context, a actor.Actor, id string, kind NoteKind, text string) (Note, error) {
	if err := a.RequireWrite(); err != nil {
		return Note{}, err
	}
	r, err := s.load(ctx, a, id)
	if err != nil {
		return Note{}, err
	}
	if err := s.CanNote(a, r, kind); err != nil {
		return Note{}, err
	}
	var f errs.Fields
	if !slices.Contains(NoteKinds(), kind) {
		f.Add("kind", "choose an observation, what went well or what did not go well")
	}
	out, problem := validate.Text(text, 1, maxText)
	if problem == "" {
		problem = validate.Plain(out)
	}
	if problem != "" {
		f.Add("text", problem)
	}
	if err := f.Err(); err != nil {
		return Note{}, err
	}
	now := s.clock.Now().UTC()
	n := Note{ID: newID(), RunID: r.ID, State: a.State, Kind: kind, Text: out, AccountID: a.AccountID, By: a.Label(), At: now, ScenarioAt: r.Elapsed(now)}
	if a.IsSecretariat() {
		n.State = ""
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertNote(ctx, tx, n); err != nil {
			return errs.Internalf(err, "record note")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "exercise.note", ObjectType: "exercise_run", ObjectID: r.ID, State: n.State,
			Details: map[string]any{"note": n.ID, "kind": n.Kind}})
	})
	if err != nil {
		return Note{}, err
	}
	return n, nil
}

// CanNote reports why a may not write a note of kind on r now, or nil.
func (s *Service) CanNote(a actor.Actor, r Run, kind NoteKind) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if !directorSide(a, r) && !slices.Contains(r.States(), a.State) {
		return errs.E(errs.Forbidden, msgNotPart)
	}
	switch {
	case kind == Observation && r.Status != Running && r.Status != Paused:
		return errs.E(errs.Conflict, msgObservations)
	case kind != Observation && r.Status != Ended:
		return errs.E(errs.Conflict, msgLessons)
	}
	return nil
}
