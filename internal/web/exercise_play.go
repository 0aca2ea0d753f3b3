package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/scenario"
)

// The player's page of an inject, opened from the inject mail: the inject
// as the player's State received it, what the State did about it, and the
// actions the service allows now: acknowledge, answer with the template
// fields, ask a role for assistance, escalate to a level, and note an
// observation.

// msgNotReached is the error of an inject that did not reach the reader.
const msgNotReached = "this inject did not reach you"

func injectPath(run, key string) string {
	return "/exercises/" + run + "/injects/" + url.PathEscape(key)
}

type exerciseInjectData struct {
	exerciseWords
	Run      exercise.Run
	Received exercise.Received
	CanPlay  bool
	Fields   []string // the template fields an answer is expected to fill
	Roles    []string // roles that may be asked for assistance
	Levels   []scenario.Level
	// NoteKinds are the notes the reader may write now.
	NoteKinds []exercise.NoteKind
	// Posted is the action whose form comes back with errors.
	Posted string
	// labels name the inject's fields and Fields as the standard template
	// does, in the reader's language, where a template has a field of that
	// name.
	labels map[string]string
}

func (s *Server) exerciseInjectData(r *http.Request, id, key string) (exerciseInjectData, error) {
	a, ctx := who(r), r.Context()
	d := exerciseInjectData{exerciseWords: s.exerciseWords(r), Levels: exercise.Levels()}
	var err error
	if d.Run, err = s.app.Exercises.Run(ctx, a, id); err != nil {
		return d, err
	}
	got, err := s.app.Exercises.Received(ctx, a, id)
	if err != nil {
		return d, err
	}
	k := slices.IndexFunc(got, func(x exercise.Received) bool { return x.Inject.Key == key })
	if k < 0 {
		return d, errs.E(errs.NotFound, msgNotReached)
	}
	d.Received = got[k]
	d.CanPlay = s.app.Exercises.CanPlay(ctx, a, d.Run, key) == nil
	for _, e := range d.Received.Inject.Expected {
		for _, f := range e.Fields {
			if !slices.Contains(d.Fields, f) {
				d.Fields = append(d.Fields, f)
			}
		}
	}
	named := slices.Clone(d.Fields)
	for k := range d.Received.Inject.Fields {
		named = append(named, k)
	}
	if d.labels, err = s.fieldLabels(r, d.Received.Inject, named); err != nil {
		return d, err
	}
	for _, as := range d.Run.Assignments {
		if as.State != d.Received.State {
			d.Roles = append(d.Roles, as.Role)
		}
	}
	if s.app.Exercises.CanNote(a, d.Run, exercise.Observation) == nil {
		d.NoteKinds = []exercise.NoteKind{exercise.Observation}
	}
	return d, nil
}

// fieldLabels finds, for each of names, the label of the standard
// template's field of that name, the inject's own type first.
func (s *Server) fieldLabels(r *http.Request, inj scenario.Inject, names []string) (map[string]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	ts, err := s.app.Messaging.Templates(r.Context(), who(r))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ts, func(x, y messaging.Template) int {
		return boolOrder(y.Type == inj.Type) - boolOrder(x.Type == inj.Type)
	})
	p, out := s.printer(r), map[string]string{}
	for _, t := range ts {
		for _, f := range t.Fields {
			if _, ok := out[f.Name]; !ok && slices.Contains(names, f.Name) {
				out[f.Name] = templateText(p, f.Label)
			}
		}
	}
	return out, nil
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FieldLabel names a template field: the standard template's label, or
// else its name written as words.
func (d exerciseInjectData) FieldLabel(name string) string {
	if l := d.labels[name]; l != "" {
		return l
	}
	return strings.ReplaceAll(name, "_", " ")
}

// Labelled reports whether a standard template names field name.
func (d exerciseInjectData) Labelled(name string) bool { return d.labels[name] != "" }

func (s *Server) exerciseInject(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	d, err := s.exerciseInjectData(r, r.PathValue("run"), r.PathValue("key"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "exerciseinject", page{Title: d.Received.Inject.Title, Nav: "exercises", Data: d, Flash: exerciseFlash(r)})
}

// exerciseAct records what a player does about an inject.
func (s *Server) exerciseAct(w http.ResponseWriter, r *http.Request) {
	id, key, f := r.PathValue("run"), r.PathValue("key"), r.PostForm
	in := exercise.ActionInput{Inject: key, Action: scenario.Action(f.Get("action")), Text: f.Get("text"),
		ToRole: f.Get("to_role"), Level: scenario.Level(f.Get("level"))}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, "fields."); ok && len(v) > 0 {
			if in.Fields == nil {
				in.Fields = map[string]string{}
			}
			in.Fields[name] = v[0]
		}
	}
	if _, err := s.app.Exercises.Act(r.Context(), who(r), id, in); err != nil {
		s.injectProblem(w, r, id, key, f.Get("action"), err)
		return
	}
	redirect(w, r, injectPath(id, key)+"?done=acted")
}

// injectProblem shows the inject again with the form that was sent and
// what went wrong with it.
func (s *Server) injectProblem(w http.ResponseWriter, r *http.Request, id, key, posted string, err error) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.exerciseInjectData(r, id, key)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	d.Posted = posted
	s.renderForm(w, r, "exerciseinject", page{Title: d.Received.Inject.Title, Nav: "exercises", Data: d}, err)
}
