package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/survey"
)

// The wire shapes of the national survey. Who created a cycle or last
// saved a report is left out: published reports are read by anyone, and
// the names of a State's drafters are its history's, which only the State
// and the secretariat read. Nor is the report of the cycle before named,
// which the reader may not be allowed to know of: /changes gives it to
// those who may read it. Answers use the field names of the report's CSV
// export and of /changes.

type surveyCycleOut struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Opens    string `json:"opens"`
	Deadline string `json:"deadline"`
	// Closed says the deadline has passed: submissions are refused.
	Closed    bool      `json:"closed"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) surveyCycleFrom(c survey.Cycle) surveyCycleOut {
	return surveyCycleOut{ID: c.ID, Name: c.Name, Opens: c.Opens.UTC().Format(time.DateOnly), Deadline: c.Deadline.UTC().Format(time.DateOnly),
		Closed: c.Closed(s.app.Clock.Now()), CreatedAt: utc(c.CreatedAt)}
}

type surveyAnswerOut struct {
	Subject    string   `json:"subject"`
	Provision  string   `json:"provision"`
	Item       string   `json:"item"`
	Taken      string   `json:"taken"`
	Policy     string   `json:"policy"`
	Support    string   `json:"support"`
	Actors     []string `json:"actors"`
	Measures   string   `json:"measures"`
	Examples   string   `json:"examples"`
	Challenges string   `json:"challenges"`
	Gaps       string   `json:"gaps"`
}

func surveyAnswerFrom(x survey.Answer) surveyAnswerOut {
	out := surveyAnswerOut{Subject: x.Key(), Provision: x.Provision, Item: x.Item, Taken: string(x.Taken), Policy: string(x.Policy),
		Support: string(x.Support), Actors: []string{}, Measures: x.Measures, Examples: x.Examples, Challenges: x.Challenges, Gaps: x.Gaps}
	for _, c := range x.Actors {
		out.Actors = append(out.Actors, string(c))
	}
	return out
}

type surveyCycleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type surveyReportOut struct {
	ID     string         `json:"id"`
	Cycle  surveyCycleRef `json:"cycle"`
	State  string         `json:"state"`
	Status string         `json:"status"`
	// Visibility is null until the report is published.
	Visibility  *string    `json:"visibility"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at"`
	PublishedAt *time.Time `json:"published_at"`
	// Answers are given with one report, not in lists.
	Answers *[]surveyAnswerOut `json:"answers,omitempty"`
}

func surveyReportOf(r survey.Report) surveyReportOut {
	out := surveyReportOut{ID: r.ID, Cycle: surveyCycleRef{ID: r.Cycle.ID, Name: r.Cycle.Name}, State: r.State, Status: string(r.Status),
		Version: r.Version, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt),
		SubmittedAt: utcPtr(r.SubmittedAt), PublishedAt: utcPtr(r.PublishedAt)}
	if r.Status == survey.Published {
		v := string(r.Visibility)
		out.Visibility = &v
	}
	return out
}

// surveyReportFrom is a report with its answers.
func surveyReportFrom(r survey.Report) surveyReportOut {
	out := surveyReportOf(r)
	as := listOf(r.Answers, surveyAnswerFrom).Items
	out.Answers = &as
	return out
}

type surveyChangeOut struct {
	Version  int       `json:"version"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Action   string    `json:"action"`
	Subjects []string  `json:"subjects"`
}

func surveyChangeFrom(c survey.Change) surveyChangeOut {
	return surveyChangeOut{Version: c.Version, At: utc(c.At), By: c.By, Action: c.Action, Subjects: nonNil(c.Keys)}
}

type surveyDifferenceOut struct {
	Subject   string `json:"subject"`
	Provision string `json:"provision"`
	Item      string `json:"item"`
	Field     string `json:"field"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

type surveyDiffOut struct {
	Report surveyReportOut `json:"report"`
	// Previous is null when there is none the caller may read.
	Previous *surveyReportOut      `json:"previous"`
	Changes  []surveyDifferenceOut `json:"changes"`
}

func surveyDiffFrom(d survey.Diff) surveyDiffOut {
	out := surveyDiffOut{Report: surveyReportOf(d.Report), Changes: []surveyDifferenceOut{}}
	if d.Previous != nil {
		p := surveyReportOf(*d.Previous)
		out.Previous = &p
	}
	for _, x := range d.Changes {
		out.Changes = append(out.Changes, surveyDifferenceOut{Subject: x.Key(), Provision: x.Provision, Item: x.Item, Field: string(x.Field),
			Before: x.Before, After: x.After})
	}
	return out
}

func writeSurveyReport(w http.ResponseWriter, status int, r survey.Report) error {
	w.Header().Set("ETag", etag(r.Version))
	return writeJSON(w, status, surveyReportFrom(r))
}

func (s *server) listSurveyCycles(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Survey.Cycles(r.Context(), a, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, s.surveyCycleFrom))
}

type surveyCycleIn struct {
	Name     string `json:"name"`
	Opens    string `json:"opens"`
	Deadline string `json:"deadline"`
}

// msgSurveyDay is the message for a date that cannot be read.
const msgSurveyDay = "enter a date such as 2027-05-01"

// openSurveyCycle opens a cycle. A date that cannot be read goes to the
// service as a day out of range, so that it names every other field to
// fix and writes nothing; its message is then ours.
func (s *server) openSurveyCycle(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in surveyCycleIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	input := survey.CycleInput{Name: in.Name}
	unread := map[string]string{}
	for _, d := range []struct {
		name, v string
		dst     **time.Time
	}{{"opens", in.Opens, &input.Opens}, {"deadline", in.Deadline, &input.Deadline}} {
		v := strings.TrimSpace(d.v)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			t, unread[d.name] = time.Time{}, msgSurveyDay
		}
		*d.dst = &t
	}
	c, err := s.app.Survey.OpenCycle(r.Context(), a, input)
	if err != nil {
		if len(unread) > 0 && errs.Is(err, errs.Invalid) {
			fields := map[string]string{}
			for k, v := range errs.FieldsOf(err) {
				fields[k] = v
			}
			for k, v := range unread {
				fields[k] = v
			}
			return &errs.Error{Code: errs.Invalid, Message: errs.MessageOf(err), Fields: fields}
		}
		return err
	}
	w.Header().Set("Location", prefix+"/survey/cycles/"+c.ID)
	return writeJSON(w, http.StatusCreated, s.surveyCycleFrom(c))
}

func (s *server) getSurveyCycle(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	c, err := s.app.Survey.Cycle(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.surveyCycleFrom(c))
}

// listSurveyReports lists the reports of a cycle the caller may read, by
// State: its own State's in any status, others' as published to it.
func (s *server) listSurveyReports(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Survey.Reports(r.Context(), a, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, surveyReportOf))
}

// startSurveyReport starts the caller's State's report in a cycle, with
// the answers of its report in the cycle before.
func (s *server) startSurveyReport(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	rep, err := s.app.Survey.Start(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/survey/reports/"+rep.ID)
	return writeSurveyReport(w, http.StatusCreated, rep)
}

func (s *server) getSurveyReport(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	rep, err := s.app.Survey.Report(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeSurveyReport(w, http.StatusOK, rep)
}

type surveyAnswerIn struct {
	Subject    string   `json:"subject"`
	Taken      string   `json:"taken"`
	Policy     string   `json:"policy"`
	Support    string   `json:"support"`
	Actors     []string `json:"actors"`
	Measures   string   `json:"measures"`
	Examples   string   `json:"examples"`
	Challenges string   `json:"challenges"`
	Gaps       string   `json:"gaps"`
}

type surveyPartIn struct {
	Version *int             `json:"version"`
	Answers []surveyAnswerIn `json:"answers"`
}

// subjectOf finds the subject a key names among the part's; a key of no
// subject of the part is passed on as a provision, for the service to
// refuse by name.
func (s *server) subjectOf(part survey.Part, key string) survey.Subject {
	key = strings.TrimSpace(key)
	for _, e := range s.app.Survey.Entries(part) {
		if e.Key() == key {
			return e.Subject
		}
	}
	return survey.Subject{Provision: key}
}

// saveSurveyPart replaces the answers of one part, at the version seen.
// Field errors name the subject and the field, as "cbm-1.a.taken".
func (s *server) saveSurveyPart(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	var in surveyPartIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	part := survey.Part(r.PathValue("part"))
	answers := make([]survey.Answer, 0, len(in.Answers))
	for _, x := range in.Answers {
		ans := survey.Answer{Subject: s.subjectOf(part, x.Subject), Taken: survey.Choice(strings.TrimSpace(x.Taken)),
			Policy: survey.Choice(strings.TrimSpace(x.Policy)), Support: survey.Choice(strings.TrimSpace(x.Support)),
			Measures: x.Measures, Examples: x.Examples, Challenges: x.Challenges, Gaps: x.Gaps}
		for _, c := range x.Actors {
			ans.Actors = append(ans.Actors, survey.Actor(strings.TrimSpace(c)))
		}
		answers = append(answers, ans)
	}
	rep, err := s.app.Survey.Save(r.Context(), a, r.PathValue("id"), version, part, answers)
	if err != nil {
		return err
	}
	return writeSurveyReport(w, http.StatusOK, rep)
}

type surveyVersionIn struct {
	Version *int `json:"version"`
}

// submitSurveyReport hands a draft to the secretariat; the body is
// optional when If-Match says the version.
func (s *server) submitSurveyReport(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	var in surveyVersionIn
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	rep, err := s.app.Survey.Submit(r.Context(), a, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	return writeSurveyReport(w, http.StatusOK, rep)
}

type surveyPublishIn struct {
	Version    *int   `json:"version"`
	Visibility string `json:"visibility"`
}

// publishSurveyReport publishes a submitted report at the visibility its
// State chooses, or moves a published one to another.
func (s *server) publishSurveyReport(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	var in surveyPublishIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	rep, err := s.app.Survey.Publish(r.Context(), a, r.PathValue("id"), version, survey.Visibility(strings.TrimSpace(in.Visibility)))
	if err != nil {
		return err
	}
	return writeSurveyReport(w, http.StatusOK, rep)
}

// surveyReportHistory lists who saved a report and which answers, newest
// first: for the State and the secretariat only.
func (s *server) surveyReportHistory(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	_, h, err := s.app.Survey.History(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(h, surveyChangeFrom))
}

// surveyReportChanges compares a report with its State's report of the
// cycle before, when the caller may read both.
func (s *server) surveyReportChanges(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	d, err := s.app.Survey.Changes(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, surveyDiffFrom(d))
}
