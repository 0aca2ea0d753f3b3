package web

import (
	"net/http"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/meeting"
	paging "github.com/detente/detente/internal/page"
)

// The meeting pages: the upcoming and past meetings the viewer may see,
// a meeting with its agenda and invitees, and the organiser's form. The
// meeting service decides who sees what, the venue and video link
// included; the pages ask it which buttons to show.

var meetingFlashes = map[string]i18n.Message{
	"scheduled": i18n.M("The meeting is scheduled. The invitations are mailed to the invited points of contact."),
	"changed":   i18n.M("The meeting is changed. Invitees whose calendars hold it are mailed the update."),
	"cancelled": i18n.M("The meeting is cancelled. Invitees who were mailed it are mailed the cancellation."),
	"answered":  i18n.M("Your answer is recorded."),
}

func meetingFlash(r *http.Request) any {
	if m, ok := meetingFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

type meetingListData struct {
	meetingWords
	Meetings    []meeting.Meeting
	Pager       pager
	Past        bool
	CanOrganise bool
}

func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	q := r.URL.Query()
	d := meetingListData{meetingWords: meetingWords{checkWords{p}}, Past: q.Get("when") == "past"}
	d.CanOrganise = s.app.Meetings.CanOrganise(r.Context(), a) == nil
	pg := page{Title: p.T("Meetings"), Nav: "meetings", Data: d, Flash: meetingFlash(r)}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "meetings", pg, err)
		return
	}
	list := s.app.Meetings.Upcoming
	if d.Past {
		list = s.app.Meetings.Past
	}
	res, err := list(r.Context(), a, req)
	if err != nil {
		s.listProblem(w, r, "meetings", pg, err)
		return
	}
	d.Meetings, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "meetings", pg)
}

type meetingPageData struct {
	meetingWords
	Meeting     meeting.Meeting
	Invitations []meeting.Invitation
	Answers     []meeting.Answer
	CanEdit     bool // change and cancel
	CanAnswer   bool // the viewer answers for an invited POC and the meeting takes answers
	Over        bool
}

func (s *Server) meetingData(r *http.Request, id string) (meetingPageData, error) {
	a := who(r)
	ctx := r.Context()
	d := meetingPageData{meetingWords: meetingWords{checkWords{s.printer(r)}}, Answers: meeting.Answers()}
	m, err := s.app.Meetings.Meeting(ctx, a, id)
	if err != nil {
		return d, err
	}
	d.Meeting = m
	d.Over = !m.End.After(s.app.Clock.Now())
	d.CanEdit = m.Status == meeting.Scheduled && s.app.Meetings.CanEdit(ctx, a, m) == nil
	d.CanAnswer = s.app.Meetings.CanRespond(ctx, a, m) == nil
	if d.Invitations, err = s.app.Meetings.Invitations(ctx, a, id); err != nil {
		return d, err
	}
	return d, nil
}

func (s *Server) meetingPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meeting", page{Title: d.Meeting.Title, Nav: "meetings", Data: d, Flash: meetingFlash(r)})
}

// meetingAction serves /meetings/{id}/{action}. One pattern holds them,
// for /meetings/{id}/edit would overlap the mailed answer links'
// /meetings/answer/{token} without either being the more specific.
func (s *Server) meetingAction(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.PathValue("action") {
	case "GET edit":
		s.meetingEditForm(w, r)
	case "POST edit":
		s.meetingSave(w, r, r.PathValue("id"))
	case "POST cancel":
		s.meetingCancel(w, r)
	case "POST answer":
		s.meetingRespond(w, r)
	default:
		s.renderError(w, r, errNotFound)
	}
}

// meetingCancel cancels a meeting at the version the page showed.
func (s *Server) meetingCancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	version, _ := formVersion(r.PostForm)
	_, err := s.app.Meetings.Cancel(r.Context(), who(r), id, version)
	if err == nil {
		redirect(w, r, "/meetings/"+id+"?done=cancelled")
		return
	}
	s.meetingProblem(w, r, id, err)
}

// meetingRespond records the signed-in person's answer for the invited
// POCs their account answers for.
func (s *Server) meetingRespond(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.app.Meetings.Respond(r.Context(), who(r), id, meeting.Answer(r.PostForm.Get("answer")))
	if err == nil {
		redirect(w, r, "/meetings/"+id+"?done=answered")
		return
	}
	s.meetingProblem(w, r, id, err)
}

// meetingProblem shows the meeting again with what went wrong, or the
// error page when the meeting cannot be shown.
func (s *Server) meetingProblem(w http.ResponseWriter, r *http.Request, id string, err error) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.meetingData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "meeting", page{Title: d.Meeting.Title, Nav: "meetings", Data: d}, err)
}

// inZone is t's wall time in zone, as the form's date and time fields
// show it.
func inZone(t time.Time, zone string) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return t.UTC()
	}
	return t.In(loc)
}
